import Foundation
import TriageCore
import TriageIngest
import TriageStore

/// Takes one web form post into the store: parses it with the same parser
/// and mappings as `triage ingest`, classifies it with the complainant's
/// history, and stores it (or quarantines it with the problem) in one SQLite
/// transaction, before the caller answers the client. A retry (same
/// Idempotency-Key, or the same bytes) maps to the item first stored.
public final class FormIntake: Sendable {
    /// What became of a post.
    public enum Outcome: Sendable, Equatable {
        /// New: stored and classified. `outcome` is the decision's, if it has one (for metrics, not for the client).
        case stored(itemID: String, outcome: TriageCore.Outcome?)
        /// A retry of a post already stored: nothing added.
        case duplicate(itemID: String)
        /// Not stored as an item: answered with a 4xx and kept in quarantine.
        case refused(Refusal)
    }

    /// A post that was refused, with the HTTP status, the problem in words,
    /// and where its bytes were kept.
    public struct Refusal: Error, Sendable, Equatable {
        /// The HTTP status (4xx).
        public var status: Int
        /// What is wrong, for the person or program that posted.
        public var problem: String
        /// The quarantine record's id (SHA-256 of the kept bytes), if kept.
        public var quarantinedAs: String?

        /// Creates a refusal.
        public init(status: Int, problem: String, quarantinedAs: String? = nil) {
            self.status = status
            self.problem = problem
            self.quarantinedAs = quarantinedAs
        }
    }

    private let store: Store
    private let ingester: Ingester
    private let classify: @Sendable (Correspondence, [HistoryFact]) -> Decision
    private let thresholds: HistoryThresholds
    private let settings: ServeSettings
    private let receipts = ReceiptCounter()
    /// The form ids that may be posted to (`Rules/forms/` mapping ids).
    public let forms: Set<String>

    /// Creates the intake.
    /// - Parameters:
    ///   - store: the store (opened with `fsyncEveryCommit` for a service).
    ///   - ingester: the parsers, with the form mappings of `Rules/forms/`.
    ///   - forms: the mapping ids that may be posted to.
    ///   - thresholds: the force profile's history thresholds.
    ///   - settings: the limits checked after parsing (uploads, fields, honeypot).
    ///   - classify: decides, given the item and its history facts.
    public init(store: Store, ingester: Ingester, forms: Set<String>, thresholds: HistoryThresholds,
                settings: ServeSettings, classify: @escaping @Sendable (Correspondence, [HistoryFact]) -> Decision) {
        self.store = store
        self.ingester = ingester
        self.forms = forms
        self.thresholds = thresholds
        self.settings = settings
        self.classify = classify
    }

    /// Stores a post (blocking: SQLite and the classifier run on the calling thread).
    /// - Returns: stored, duplicate, or refused (quarantined) with the reason.
    /// - Throws: store errors (the post is then not acknowledged: answer 503).
    public func accept(_ post: IntakePost) throws -> Outcome {
        let key = post.intakeKey
        if let earlier = try store.intakeItem(key: key) { return .duplicate(itemID: earlier) }
        let raw = post.rawItem(receipt: receipts.next())
        // Parse outside the write transaction, so posts are parsed in parallel.
        let parsed = Result { try vet(try ingester.parse(raw), raw: raw) }
        var refusalStatus = 400
        if case .failure(let failure as VetFailure) = parsed { refusalStatus = failure.status }
        do {
            let result = try store.ingest(
                raw, actor: "triage serve", now: post.received, thresholds: thresholds,
                parse: { _ in
                    do { return try parsed.get() } catch let failure as VetFailure {
                        throw IngestError(item: raw.label, problem: failure.problem)
                    }
                },
                classify: classify,
                alsoInTransaction: { tx in
                    if let owner = try tx.claimIntakeKey(key, itemID: Store.contentID(of: raw.bytes)) { throw KeyClaimed(itemID: owner) }
                })
            switch result.status {
            case .stored:
                return .stored(itemID: result.itemID, outcome: result.decision?.decision.decision.outcome)
            case .duplicate:
                return .duplicate(itemID: result.itemID)
            case .quarantined, .alreadyQuarantined:
                let problem = result.quarantine?.problem ?? "the post cannot be read"
                return .refused(Refusal(status: refusalStatus, problem: problem, quarantinedAs: result.itemID))
            }
        } catch let claimed as KeyClaimed {
            return .duplicate(itemID: claimed.itemID)
        }
    }

    /// Keeps a post refused before parsing (too large, wrong origin, …) in
    /// quarantine with the problem, and returns the refusal to answer with.
    /// - Throws: store errors.
    public func refuse(_ post: IntakePost, status: Int, problem: String) throws -> Refusal {
        let raw = post.rawItem(receipt: receipts.next())
        let record = try store.quarantine(raw, problem: problem, actor: "triage serve", now: post.received)
        return Refusal(status: status, problem: problem, quarantinedAs: record.sha256)
    }

    /// True when an item with this id (or unique prefix) is stored.
    public func isStored(_ reference: String) -> Bool {
        (try? store.resolveItemID(reference)) != nil
    }

    /// Refuses, after parsing, what the parser accepts but a public endpoint
    /// must not: filled honeypots, oversized uploads, too many fields.
    private func vet(_ item: Correspondence, raw: RawItem) throws -> Correspondence {
        let honeypot = settings.honeypotField.lowercased()
        if !honeypot.isEmpty,
           item.formFields.contains(where: { $0.name.lowercased() == honeypot && !$0.value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) {
            throw VetFailure(status: 400, problem: "the hidden field `\(settings.honeypotField)` was filled in, as robots do")
        }
        if item.formFields.count > settings.maxFields {
            throw VetFailure(status: 413, problem: "the post has \(item.formFields.count) fields; at most \(settings.maxFields) are accepted")
        }
        if let big = item.attachments.first(where: { $0.size > settings.maxUploadBytes }) {
            throw VetFailure(status: 413, problem: "an uploaded file is \(big.size) bytes; at most \(settings.maxUploadBytes) are accepted per file")
        }
        return item
    }

    /// A post the parser read but the endpoint refuses, with its status.
    private struct VetFailure: Error {
        var status: Int
        var problem: String
    }

    /// Thrown inside the transaction when the intake key already names another item.
    private struct KeyClaimed: Error {
        var itemID: String
    }
}

/// Numbers each post this process receives (`/forms/ID#n` in logs and the item's locator).
private final class ReceiptCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    private let start = Int(Date().timeIntervalSince1970)

    func next() -> String {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return "\(start)-\(value)"
    }
}
