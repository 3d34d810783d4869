import Foundation

/// The decision for one item: what it is, where it goes, and why.
///
/// Encodes to the decision contract of DESIGN.md (one JSON object per line);
/// the keys and the words of ``kind``, ``subject``, ``outcome``, ``handler``,
/// ``reasons``, ``flags`` and ``categories`` are read by other tools.
public struct Decision: Codable, Sendable, Equatable {
    /// Where the item came from (file path, mailbox URL).
    public var source: String
    /// SHA-256 of the raw bytes.
    public var id: String
    /// The force profile used.
    public var force: String
    /// What the item is.
    public var kind: ItemKind
    /// Whom it is about.
    public var subject: SubjectRole
    /// What happens to it.
    public var outcome: Outcome
    /// Who handles it (a handler of the force profile).
    public var handler: String
    /// Why not recorded (empty unless `outcome` is `not_recorded`).
    public var reasons: [NotRecordedReason]
    /// Marks for whoever handles it.
    public var flags: [DecisionFlag]
    /// IOPC complaint categories the complaint touches.
    public var categories: [String]
    /// Ids of every rule that fired, in order of first evidence.
    public var rules: [String]
    /// Evidence for every fired rule.
    public var justification: [Evidence]
    /// One paragraph a caseworker can paste into a letter.
    public var explanation: String
    /// The decision-table row that decided, with its citation.
    public var decidedBy: DecisionRowReference
    /// Why a caseworker is needed, when `outcome` is `needs_caseworker`.
    public var caseworkerNotes: [String]
    /// Version of the rule set (hash of `Rules/`).
    public var rulesetVersion: String
    /// The item's date as used for time limits, if known.
    public var received: Date?

    enum CodingKeys: String, CodingKey {
        case source, id, force, kind, subject, outcome, handler, reasons, flags, categories, rules
        case justification, explanation
        case decidedBy = "decided_by"
        case caseworkerNotes = "caseworker_notes"
        case rulesetVersion = "ruleset_version"
        case received
    }

    public init(
        source: String, id: String, force: String, kind: ItemKind, subject: SubjectRole, outcome: Outcome,
        handler: String, reasons: [NotRecordedReason], flags: [DecisionFlag], categories: [String], rules: [String],
        justification: [Evidence], explanation: String, decidedBy: DecisionRowReference,
        caseworkerNotes: [String], rulesetVersion: String, received: Date?
    ) {
        self.source = source
        self.id = id
        self.force = force
        self.kind = kind
        self.subject = subject
        self.outcome = outcome
        self.handler = handler
        self.reasons = reasons
        self.flags = flags
        self.categories = categories
        self.rules = rules
        self.justification = justification
        self.explanation = explanation
        self.decidedBy = decidedBy
        self.caseworkerNotes = caseworkerNotes
        self.rulesetVersion = rulesetVersion
        self.received = received
    }
}

/// One piece of evidence: the rule, the policy it cites, and the words.
public struct Evidence: Codable, Sendable, Equatable, Hashable {
    public var rule: String
    public var cites: String
    /// `new_text`, `quoted`, `signature`, `disclaimer`, `subject`, `field:NAME`,
    /// `sender`, `header:NAME`, `attachment` or `item` (a property of the whole item).
    public var segment: String
    /// Unicode-scalar offsets into the body text (or into the field/subject text).
    public var start: Int
    public var end: Int
    public var quote: String
    /// The fact the rule set, as `fact=value`.
    public var fact: String?

    public init(rule: String, cites: String, segment: String, start: Int, end: Int, quote: String, fact: String? = nil) {
        self.rule = rule
        self.cites = cites
        self.segment = segment
        self.start = start
        self.end = end
        self.quote = quote
        self.fact = fact
    }
}

/// The decision-table row that produced a decision.
public struct DecisionRowReference: Codable, Sendable, Equatable {
    public var row: String
    public var cites: String

    public init(row: String, cites: String) {
        self.row = row
        self.cites = cites
    }
}

/// The contract's vocabulary as sets of words, so lint and tests can check words
/// against it (derived from the types in ContractVocabulary.swift; categories stay words).
public enum Vocabulary {
    public static let kinds = Set(ItemKind.words)
    public static let subjects = Set(SubjectRole.words)
    public static let outcomes = Set(Outcome.words)
    public static let reasons = Set(NotRecordedReason.words)
    public static let flags = Set(DecisionFlag.words)
    public static let categories: Set<String> = [
        "delivery_of_duties_and_service", "police_powers_policies_and_procedures", "handling_of_property",
        "access_or_disclosure_of_information", "use_of_police_vehicles", "discriminatory_behaviour",
        "abuse_of_position_or_corruption", "individual_behaviours", "sexual_conduct", "discreditable_conduct", "other",
    ]
}
