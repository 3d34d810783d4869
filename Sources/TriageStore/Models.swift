import Foundation
import TriageCore

/// An item as stored: its raw bytes, where they came from, and how it was read.
public struct StoredItem: Sendable, Equatable {
    /// SHA-256 of the raw bytes, lower-case hex: the item's id.
    public var id: String
    /// Order of ingestion (1, 2, …).
    public var seq: Int64
    /// The bytes exactly as received.
    public var raw: [UInt8]
    public var source: String
    public var offset: Int?
    public var locator: String?
    public var format: String
    /// The item's date (Date header, letter or form date), else when it was ingested.
    public var receivedAt: Date
    public var ingestedAt: Date
    public var subject: String?
    /// The complainant it belongs to (nil for an anonymous item).
    public var complainantID: Int64?
    public var correspondence: Correspondence
}

/// One decision ever made for an item.
public struct StoredDecision: Sendable, Equatable {
    /// Row id (order of making).
    public var id: Int64
    public var itemID: String
    public var rulesetVersion: String
    public var madeAt: Date
    /// `classifier` or `caseworker:NAME`.
    public var madeBy: String
    public var decision: Decision
    /// The caseworker's reason for an override.
    public var reason: String?
    /// A note (acceptance note, or a disagreement remark).
    public var note: String?

    /// True when a caseworker made it.
    public var isCaseworker: Bool { madeBy.hasPrefix("caseworker:") }
}

/// The decision that counts for an item, and a later automatic decision that
/// disagrees with it, if any.
public struct EffectiveDecision: Sendable, Equatable {
    public var decision: StoredDecision
    /// A later classifier decision that differs from a caseworker's effective
    /// decision (stored and reported, never applied).
    public var disagreement: StoredDecision?
}

/// What happened to one raw item on ingest.
public enum IngestStatus: String, Sendable, Codable {
    /// New bytes: stored and classified.
    case stored
    /// These bytes were already stored: nothing was added.
    case duplicate
    /// The item could not be read: kept in quarantine with the problem.
    case quarantined
    /// These bytes were already in quarantine and still cannot be read.
    case alreadyQuarantined = "already_quarantined"
}

/// The result of ``Store/ingest(_:actor:now:thresholds:parse:classify:alsoInTransaction:)``.
public struct IngestResult: Sendable {
    public var status: IngestStatus
    /// SHA-256 of the raw bytes.
    public var itemID: String
    /// The stored item (nil when quarantined).
    public var item: StoredItem?
    /// The effective decision (nil when quarantined).
    public var decision: EffectiveDecision?
    /// The history facts given to the classifier (empty for a duplicate).
    public var historyFacts: [HistoryFact]
    /// The quarantine record when the item could not be read.
    public var quarantine: QuarantineRecord?
}

/// An item that could not be read, kept with its bytes.
public struct QuarantineRecord: Sendable, Equatable {
    public var id: Int64
    public var sha256: String
    public var raw: [UInt8]
    public var source: String
    /// The item's label (`path`, `path@offset`, `path#locator`).
    public var label: String
    public var problem: String
    public var at: Date
    /// Set when the same bytes were later read successfully.
    public var resolvedItem: String?
}

/// A person recognised across items.
public struct Complainant: Sendable, Equatable {
    public var id: Int64
    public var displayName: String?
    public var createdAt: Date
    /// The identity keys that lead to this person.
    public var keys: [IdentityKey]
    /// Set when this complainant was merged into another.
    public var mergedInto: Int64?
}

/// Two complainant records found to be one person, and why.
public struct ComplainantMerge: Sendable, Equatable {
    public var survivor: Int64
    public var merged: Int64
    /// The item that linked them.
    public var itemID: String?
    /// The keys the item carried that belonged to each.
    public var keys: [IdentityKey]
    public var explanation: String
    public var at: Date
}

/// One person's items in date order with their effective decisions.
public struct ComplainantHistory: Sendable {
    public var complainant: Complainant
    public var items: [HistoryEntry]
    public var merges: [ComplainantMerge]
}

/// One item in a complainant's history.
public struct HistoryEntry: Sendable {
    public var item: StoredItem
    public var decision: EffectiveDecision?
}

/// One entry of the hash-chained audit log.
public struct AuditEntry: Sendable, Equatable {
    public var seq: Int64
    public var at: String
    public var actor: String
    public var action: String
    public var itemID: String?
    /// JSON object, sorted keys.
    public var payload: String
    public var prevHash: String
    public var hash: String
}

/// The result of walking the audit chain.
public struct AuditVerification: Sendable, Equatable, CustomStringConvertible {
    /// True when every entry's hash and link is intact.
    public var ok: Bool
    /// Entries checked.
    public var entries: Int
    /// The first sequence number whose entry is changed, missing or out of order.
    public var firstBrokenSeq: Int64?
    /// What is wrong there.
    public var problem: String?
    /// Checkpoint lines that were checked and hold.
    public var checkpoints: Int = 0

    public var description: String {
        if ok {
            let anchored = checkpoints > 0 ? "; \(checkpoints) checkpoint\(checkpoints == 1 ? "" : "s") hold" : ""
            return "audit log intact: \(entries) entries; every item, decision and effective decision matches its entry\(anchored)"
        }
        return "audit log broken" + (firstBrokenSeq.map { " at seq \($0)" } ?? "") + ": \(problem ?? "")"
    }
}

/// What recording a reclassification did.
public struct ReclassificationResult: Sendable {
    /// The stored decision (nil when identical to the latest classifier decision).
    public var stored: StoredDecision?
    /// The item's effective decision afterwards.
    public var effective: EffectiveDecision
    /// True when the effective decision changed.
    public var changedEffective: Bool
    /// True when the new decision differs from a caseworker's effective decision.
    public var disagrees: Bool
}

/// Row counts, for reports and tests.
public struct StoreCounts: Sendable, Equatable {
    public var items: Int
    public var decisions: Int
    public var quarantined: Int
    public var complainants: Int
    public var auditEntries: Int
}
