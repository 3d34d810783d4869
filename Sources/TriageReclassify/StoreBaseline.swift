import Foundation
import TriageCore
import TriageIngest
import TriageStore

/// Every item in the store, in ingest order, read a page at a time (memory:
/// one page), as source entries for the pipeline.
public final class StoredItems: Sequence, IteratorProtocol {
    private let store: Store
    private let pageSize: Int
    private var page: [StoredItem] = []
    private var index = 0
    private var lastSeq: Int64 = 0
    private var done = false

    /// - Parameters:
    ///   - store: the store.
    ///   - pageSize: items read at a time.
    public init(store: Store, pageSize: Int = 200) {
        self.store = store
        self.pageSize = Swift.max(1, pageSize)
    }

    public func next() -> SourceEntry? {
        if index >= page.count {
            guard !done else { return nil }
            do {
                page = try store.items(after: lastSeq, limit: pageSize)
            } catch {
                done = true
                return .unreadable(IngestError(item: "store", problem: "cannot read items after seq \(lastSeq): \(error)"))
            }
            index = 0
            if page.count < pageSize { done = true }
            guard !page.isEmpty else { return nil }
        }
        let item = page[index]
        index += 1
        lastSeq = item.seq
        let raw = RawItem(bytes: item.raw, source: item.source, offset: item.offset, locator: item.locator, formatHint: Self.hint(item.format))
        return .item(raw, fileTime: item.receivedAt)
    }

    /// The container hint the ingester understands for a stored format.
    static func hint(_ format: String) -> String? {
        switch format {
        case "mbox", "maildir", "eml", "imap": return format
        case let f where f.hasPrefix("form") || f == "http": return f
        case let f where f.hasPrefix("letter") || f == "xml" || f == "html": return f
        default: return nil
        }
    }
}

/// The store's effective decisions as the baseline of a change report; a
/// caseworker's decision is marked so that the report shows a disagreement.
public final class StoredDecisions: PreviousDecisions {
    public let name: String
    private let store: Store

    public init(store: Store, path: String) {
        self.store = store
        self.name = "the decisions stored in \(path)"
    }

    public func match(id: String) -> DecisionSummary? {
        guard let effective = try? store.effectiveDecision(for: id) else { return nil }
        let stored = effective.decision
        let item = (try? store.item(id: id)).map { RawItem(bytes: [], source: $0.source, offset: $0.offset, locator: $0.locator).label }
        return DecisionSummary(stored.decision, item: item ?? stored.decision.source, caseworker: stored.isCaseworker ? stored.madeBy : nil)
    }

    /// Every stored item is reclassified, so none is left over.
    public func unmatched() -> (count: Int, examples: [DecisionSummary]) { (0, []) }
}

/// History facts for a stored item, from the same complainant's earlier items,
/// as the store computes them on ingest.
public enum StoreHistory {
    /// A history hook for ``Reclassifier/history``.
    public static func hook(store: Store, thresholds: HistoryThresholds) -> @Sendable (RawItem, Correspondence) -> [HistoryFact] {
        { _, correspondence in
            let id = correspondence.provenance.sha256
            guard let stored = try? store.item(id: id), let complainant = stored.complainantID,
                  let history = try? store.history(complainant: complainant) else { return [] }
            let received = correspondence.date?.value ?? stored.receivedAt
            let earlier = history.items.filter { $0.item.id != id && $0.item.receivedAt <= received }.map { entry in
                let effective = entry.decision?.decision
                let final = (effective?.isCaseworker ?? false) || (effective?.decision.reasons.contains(.solelyReviewOutcome) ?? false)
                return PriorItem(id: entry.item.id, received: entry.item.receivedAt, correspondence: entry.item.correspondence,
                                 decision: effective?.decision, isFinal: final)
            }
            return HistoryAnalyzer(thresholds: thresholds).facts(for: correspondence, received: received, earlier: earlier)
        }
    }
}
