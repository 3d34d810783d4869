import Foundation
import Logging
import MailboxAccess
import TriageCore
import TriageIngest
import TriageStore

/// One poll of one mailbox against the store: the glue between
/// ``PollRunner`` (mailbox I/O and the exactly-once plan) and ``Store``.
public struct PollJob {
    /// What one poll did.
    public struct Result: Sendable, Equatable {
        public var fetched = 0, classified = 0, quarantined = 0, needsCaseworker = 0, duplicates = 0, marked = 0
        public init() {}
    }

    /// How each message is classified and stored: the ingest job, as `triage ingest` uses it.
    public var intake: IngestJob
    public var store: Store { intake.store }
    public let limit: Int?
    public let logger: Logger
    /// Asked between messages: true stops the poll after the item in hand (SIGTERM, SIGINT).
    public var shouldStop: @Sendable () -> Bool = { false }

    public init(store: Store, ingester: Ingester, classifier: Classifier, force: String, thresholds: HistoryThresholds,
                limit: Int?, logger: Logger, budget: ItemBudget = .defaults, shouldStop: @escaping @Sendable () -> Bool = { false }) {
        intake = IngestJob(store: store, ingester: ingester, classifier: classifier, force: force, thresholds: thresholds,
                           budget: budget, actor: "triage poll")
        self.limit = limit
        self.logger = logger
        self.shouldStop = shouldStop
    }

    /// Polls `source` once: every message not yet stored is stored and classified
    /// exactly once, then marked in the mailbox.
    /// - Returns: the counts.
    /// - Throws: ``MailboxError`` when the mailbox cannot be reached, or a store error.
    public func poll<Source: PollSource>(_ source: Source) throws -> Result {
        let mailbox = source.label
        let state = try store.pollerState(mailbox: mailbox)
        let epoch = state["epoch"].flatMap { UInt32($0) }
        let prefix = "done:\(epoch.map(String.init) ?? "-"):"
        var storedKeys = Set<Source.Key>()
        for key in state.keys where key.hasPrefix(prefix) {
            if let k = Self.key(String(key.dropFirst(prefix.count)), as: Source.Key.self) { storedKeys.insert(k) }
        }
        var result = Result()
        var currentEpoch = epoch
        let runner = PollRunner(source: source)
        let summary = try runner.pollOnce(
            stored: PollStoredState(epoch: epoch, storedKeys: storedKeys),
            store: PollRunner<Source>.Store(
                recordEpoch: { newEpoch in
                    try store.setPollerState(mailbox: mailbox, values: ["epoch": String(newEpoch)])
                    currentEpoch = newEpoch
                },
                containsContent: { hash in try store.item(id: hash) != nil },
                store: { message, key, _ in
                    let doneKey = "done:\(currentEpoch.map(String.init) ?? "-"):\(key)"
                    let raw = RawItem(bytes: message.bytes, source: mailbox, locator: message.locator, formatHint: "eml")
                    let outcome = try intake.record(raw, alsoInTransaction: { tx in
                        try tx.setPollerState(mailbox: mailbox, key: doneKey, value: raw.label)
                    })
                    switch outcome.status {
                    case .stored:
                        result.classified += 1
                        if outcome.decision?.decision.decision.outcome == .needsCaseworker { result.needsCaseworker += 1 }
                    case .duplicate: result.duplicates += 1
                    case .quarantined, .alreadyQuarantined:
                        result.quarantined += 1
                        logger.warning("quarantined", metadata: ["item": "\(TerminalSafe.inline(raw.label))", "problem": "\(TerminalSafe.inline(outcome.quarantine?.problem ?? ""))"])
                    }
                },
                quarantine: { key, problem in
                    // The message could not even be fetched: record it as done with the problem, audited.
                    let doneKey = "done:\(currentEpoch.map(String.init) ?? "-"):\(key)"
                    try store.setPollerState(mailbox: mailbox, values: [doneKey: "unreadable: \(problem)"])
                    try store.appendAudit(actor: "triage poll", action: "unreadable_message",
                                          payload: ["mailbox": .string(mailbox), "key": .string("\(key)"), "problem": .string(problem)])
                    result.quarantined += 1
                    logger.warning("unreadable message", metadata: ["mailbox": "\(mailbox)", "key": "\(key)"])
                }),
            contentHash: { Store.contentID(of: $0) }, limit: limit,
            shouldStop: shouldStop)
        result.fetched = summary.fetched
        result.marked = summary.marked
        logger.info("poll finished", metadata: [
            "mailbox": "\(mailbox)", "fetched": "\(result.fetched)", "classified": "\(result.classified)",
            "quarantined": "\(result.quarantined)", "needs_caseworker": "\(result.needsCaseworker)",
            "duplicates": "\(result.duplicates)", "marked": "\(result.marked)",
            "stopped_by": "\(summary.stoppedBy ?? "-")",
        ])
        return result
    }

    static func key<K>(_ text: String, as: K.Type) -> K? {
        if K.self == String.self { return text as? K }
        if K.self == UInt32.self { return UInt32(text) as? K }
        return nil
    }
}
