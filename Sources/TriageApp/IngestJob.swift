import Foundation
import TriageCore
import TriageIngest
import TriageStore

/// `triage ingest` as a library: each item is classified with its
/// complainant's history and stored once (by the SHA-256 of its bytes), in
/// the order given; an item that cannot be read is kept in the store's
/// quarantine with its problem, and the run goes on.
public struct IngestJob {
    /// What a run did.
    public struct Summary: Sendable, Equatable {
        /// Items stored now.
        public var stored = 0
        /// Items whose bytes were already stored (nothing added).
        public var duplicates = 0
        /// Inputs or items that could not be read (each reported, kept in quarantine when it reached the store).
        public var failed = 0
        public init() {}
    }

    public let store: Store
    public let ingester: Ingester
    public let classifier: Classifier
    public let force: String
    public let thresholds: HistoryThresholds
    public var budget: ItemBudget
    /// The name written to the audit log.
    public var actor: String

    public init(store: Store, ingester: Ingester, classifier: Classifier, force: String, thresholds: HistoryThresholds,
                budget: ItemBudget = .defaults, actor: String = "triage ingest") {
        self.store = store
        self.ingester = ingester
        self.classifier = classifier
        self.force = force
        self.thresholds = thresholds
        self.budget = budget
        self.actor = actor
    }

    /// Stores one item with its decision; bytes already stored give the stored (effective) decision.
    /// - Parameter fileTime: the file's modification time (a letter's date when it has none).
    /// - Returns: the store's result: `.stored` or `.duplicate`.
    /// - Throws: ``IngestError`` naming the item when it cannot be read (it is kept in quarantine), or a store error.
    public func ingest(_ raw: RawItem, fileTime: Date? = nil) throws -> IngestResult {
        let result = try record(raw, fileTime: fileTime)
        switch result.status {
        case .stored, .duplicate:
            return result
        case .quarantined, .alreadyQuarantined:
            let problem = result.quarantine?.problem ?? "unreadable"
            throw IngestError(item: raw.label, problem: "\(problem) (kept in quarantine as \(result.itemID.prefix(12)))")
        }
    }

    /// Stores one item with its decision, or keeps it in quarantine with its problem,
    /// in one transaction with `alsoInTransaction` (the poller's "UID n is done").
    /// - Returns: the store's result, whatever its status.
    /// - Throws: a store error (nothing was stored).
    public func record(_ raw: RawItem, fileTime: Date? = nil, alsoInTransaction: ((StoreTransaction) throws -> Void)? = nil) throws -> IngestResult {
        try store.ingest(
            raw, actor: actor, thresholds: thresholds,
            parse: { try ingester.parse($0, fileTime: fileTime) },
            classify: { item, facts in
                classifier.classify(item, force: force, history: facts, now: fileTime, budget: budget, rawBytes: raw.bytes.count)
            },
            alsoInTransaction: alsoInTransaction)
    }

    /// Ingests every item of `paths` (files, folders, mbox files, Maildirs) in order.
    /// - Parameters:
    ///   - each: told about every stored or duplicate item, in order; an error it throws is reported as the item's.
    ///   - failure: told about every input or item that could not be read (the run goes on).
    /// - Returns: the counts.
    public func run(paths: [String], each: (RawItem, IngestResult) throws -> Void, failure: (Error) -> Void) -> Summary {
        var stored = 0, duplicates = 0
        let failed = ItemWalk.forEach(in: paths, budget: budget, failure: failure) { raw, fileTime in
            let result = try ingest(raw, fileTime: fileTime)
            if result.status == .duplicate { duplicates += 1 } else { stored += 1 }
            try each(raw, result)
        }
        var summary = Summary()
        summary.stored = stored
        summary.duplicates = duplicates
        summary.failed = failed
        return summary
    }
}

/// Walks inputs in order: every item of every file, folder, mbox file or
/// Maildir, with the file's time; an unreadable input or item is handed to
/// `failure` with its label and the walk goes on. One walk for every command.
public enum ItemWalk {
    /// - Parameters:
    ///   - inputs: paths, in the order given.
    ///   - budget: the per-item size limit.
    ///   - failure: told about each input or item that could not be read, and each error `body` throws.
    ///   - body: called for every item.
    /// - Returns: how many inputs or items failed.
    @discardableResult
    public static func forEach(in inputs: [String], budget: ItemBudget = .defaults, failure: (Error) -> Void,
                               _ body: (RawItem, Date?) throws -> Void) -> Int {
        var failures = 0
        for entry in ItemSource(paths: inputs, maxItemBytes: budget.maxItemBytes) {
            switch entry {
            case .unreadable(let error):
                failures += 1
                failure(error)
            case .item(let raw, let fileTime):
                do {
                    try body(raw, fileTime)
                } catch {
                    failures += 1
                    failure(error)
                }
            }
        }
        return failures
    }
}
