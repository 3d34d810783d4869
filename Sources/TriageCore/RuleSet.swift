/// A complete, loaded rule set: the rules that set facts, the guards that
/// stop them, the decision table, and the force profiles.
///
/// These types are the data in `Rules/`; the RuleFiles module reads them from
/// YAML. The core never reads files.
public struct RuleSet: Sendable {
    public var rules: [Rule]
    public var guards: [Guard]
    public var table: DecisionTable
    public var profiles: [ForceProfile]
    /// Named word classes that phrases use as `@name`.
    public var lexicons: [Lexicon]
    /// Contractions and spelling variants, applied to text and phrases alike.
    public var normalization: NormalizationTable
    /// Version of the rule set: a hash of the files it was read from.
    public var version: String
    /// The learned second reading named by the decision table (`second-reading.tsv`), if any.
    public var secondReading: SecondReading?

    public init(rules: [Rule], guards: [Guard], table: DecisionTable, profiles: [ForceProfile],
                lexicons: [Lexicon] = [], normalization: NormalizationTable = NormalizationTable(), version: String,
                secondReading: SecondReading? = nil) {
        self.secondReading = secondReading
        self.rules = rules
        self.guards = guards
        self.table = table
        self.profiles = profiles
        self.lexicons = lexicons
        self.normalization = normalization
        self.version = version
    }

    /// The profile with this id.
    public func profile(_ id: String) -> ForceProfile? {
        profiles.first { $0.id == id }
    }
}

/// One rule: what it matches, where, what stops it, the fact it sets and the
/// policy it implements, with examples that must and must not match.
public struct Rule: Codable, Sendable, Equatable {
    public var id: String
    public var description: String
    /// Seed file and section, e.g. `001 §2.1`.
    public var cites: String
    /// The fact it sets: `fact=value`, or `fact` (value `true`).
    public var sets: String
    public var match: RuleMatch
    /// Where to look: `new_text` (default; also reads `forwarded` and `attachment_text`), `own_text` (the sender's new text only), `quoted`, `signature`, `disclaimer`, `subject`.
    public var `in`: [String]?
    /// Ids of guards that suppress a match in the same sentence.
    public var guards: [String]?
    /// Another fact that must have evidence in the same sentence or paragraph.
    public var requires: Proximity?
    /// A sub-rule that only feeds others: not listed in decisions' `rules`.
    public var `internal`: Bool?
    /// A word class whose words before a match widen its evidence to the whole
    /// noun phrase (e.g. `mention_modifier`: "several uniformed officers").
    public var widen: String?
    public var examples: RuleExamples?
    /// When true, a role right after the match's "about" or "against" ("a formal complaint about the
    /// Chief Executive") is the subject the writer declares: it outranks roles tied only by other words.
    public var declaresSubject: Bool?

    enum CodingKeys: String, CodingKey {
        case id, description, cites, sets, match, `in`, guards, requires, `internal`, widen, examples
        case declaresSubject = "declares_subject"
    }

    /// The fact name (before `=`).
    public var fact: String { sets.split(separator: "=", maxSplits: 1).first.map(String.init) ?? sets }
    /// The fact value (after `=`, or `true`).
    public var value: String {
        let parts = sets.split(separator: "=", maxSplits: 1)
        return parts.count == 2 ? String(parts[1]) : "true"
    }
    /// Segments the rule looks at: its `in` list (default `new_text`), where
    /// `new_text` also stands for what the writer forwarded or attached
    /// (``SegmentKind/readAsNewText``): the item's content, not reply history.
    /// `own_text` is the sender's own new text alone, for what only the sender
    /// can say of themselves (that they wish to stay anonymous), not a forwarded
    /// auto-reply's "please do not reply".
    public var segments: [String] {
        let listed = `in` ?? ["new_text"]
        if listed.contains("own_text") { return listed.map { $0 == "own_text" ? "new_text" : $0 } }
        guard listed.contains("new_text") else { return listed }
        return listed + SegmentKind.readAsNewText.map(\.rawValue).filter { !listed.contains($0) }
    }

    /// True when the rule reads only the new text (and so must not fire inside a quoted reply).
    public var readsOnlyNewText: Bool { [["new_text"], ["own_text"]].contains(`in` ?? ["new_text"]) }
}

/// What a rule matches. Any one matcher that matches makes the rule match.
public struct RuleMatch: Codable, Sendable, Equatable {
    /// Phrase patterns (see ``PhrasePattern``).
    public var phrases: [String]?
    /// Form fields by role: the value must equal one of these (case-insensitive;
    /// `*` = any non-empty value).
    public var fields: [String: [String]]?
    /// Header fields by lower-case name: the value must contain one of these (case-insensitive).
    public var headers: [String: [String]]?
    /// Attachment file names containing one of these (case-insensitive).
    public var attachments: [String]?
    /// Sender address domains (the address ends with `@domain` or `.domain`).
    public var senderDomains: [String]?
    /// Properties of the whole item: `no_identity` (no name and no reachable
    /// contact), `no_text` (nothing written in the new text), `written_by_another`
    /// (the content is a forwarded message by someone other than the sender).
    public var item: [String]?
    /// Phrases followed, within a few words, by a date: the rule's evidence
    /// is the date (used for the date of an outcome letter).
    public var datesAfter: [String]?

    enum CodingKeys: String, CodingKey {
        case phrases, fields, headers, attachments, item
        case senderDomains = "sender_domains"
        case datesAfter = "dates_after"
    }

    public init(phrases: [String]? = nil, fields: [String: [String]]? = nil, headers: [String: [String]]? = nil,
                attachments: [String]? = nil, senderDomains: [String]? = nil, item: [String]? = nil, datesAfter: [String]? = nil) {
        self.phrases = phrases
        self.fields = fields
        self.headers = headers
        self.attachments = attachments
        self.senderDomains = senderDomains
        self.item = item
        self.datesAfter = datesAfter
    }
}

/// A named word class: the ways the public names one kind of thing ("police
/// role", "injury"), written once and used by rules as `@name`, as
/// SpamAssassin reuses sub-rules and spaCy's Matcher matches on classes.
public struct Lexicon: Codable, Sendable, Equatable {
    public var id: String
    public var description: String
    /// Where the words come from, when a published list seeded them (with its licence).
    public var source: String?
    /// Phrase patterns (the rule phrase syntax, without `@` references).
    public var entries: [String]
    /// Texts in which an entry must and must not be found.
    public var examples: RuleExamples?
}

/// A requirement that another fact has evidence nearby.
public struct Proximity: Codable, Sendable, Equatable {
    public var fact: String
    /// `sentence`, `nearby` (the same sentence or the one before it, in the
    /// same paragraph), `paragraph`, `item` (anywhere in the item), or `actor`: the nearest mention of the
    /// fact before the match, in the same or the previous sentence, must have
    /// one of `values` ("PC 1234 punched me", not "my neighbour punched me").
    public var scope: String
    /// Only these values of the fact count (all when absent).
    public var values: [String]?
    /// With `actor`: a word class whose mentions never act here, when they are not
    /// among `values` ("the GP sent us to A&E where they found his shoulder had been
    /// dislocated": who treated the harm did not cause it).
    public var bystanders: String?
    /// With `nearby`: a fact whose mention just before the words (same or previous
    /// sentence) is whom a "they" or "one of them" in them refers to, so no role
    /// further back is looked for ("a group of youths … one of them kicked my fence").
    public var others: String?
}

/// A rule's examples: texts (or small items) that must and must not match.
/// In a `match` example, `[[…]]` marks where the evidence must be.
public struct RuleExamples: Codable, Sendable, Equatable {
    public var match: [RuleExample]?
    public var noMatch: [RuleExample]?

    enum CodingKeys: String, CodingKey {
        case match
        case noMatch = "no_match"
    }
}

/// One example: plain text (the new text of an email), or an item with fields,
/// subject, sender and received date.
public struct RuleExample: Codable, Sendable, Equatable {
    public var text: String
    public var subject: String?
    public var fields: [String: String]?
    public var sender: Party?
    /// Who wrote what the item says, when not the sender (a forwarded message).
    public var author: Party?
    /// An attached PDF that could not be read, with the reason ("scanned attachment: no text").
    public var unreadAttachment: String?
    /// ISO 8601 date the item was received.
    public var received: String?

    public init(text: String, subject: String? = nil, fields: [String: String]? = nil, sender: Party? = nil, author: Party? = nil,
                unreadAttachment: String? = nil, received: String? = nil) {
        self.text = text
        self.subject = subject
        self.fields = fields
        self.sender = sender
        self.author = author
        self.unreadAttachment = unreadAttachment
        self.received = received
    }

    public init(from decoder: Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            self.init(text: text)
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            text: try c.decodeIfPresent(String.self, forKey: .text) ?? "",
            subject: try c.decodeIfPresent(String.self, forKey: .subject),
            fields: try c.decodeIfPresent([String: String].self, forKey: .fields),
            sender: try c.decodeIfPresent(Party.self, forKey: .sender),
            author: try c.decodeIfPresent(Party.self, forKey: .author),
            unreadAttachment: try c.decodeIfPresent(String.self, forKey: .unreadAttachment),
            received: try c.decodeIfPresent(String.self, forKey: .received))
    }

    enum CodingKeys: String, CodingKey {
        case text, subject, fields, sender, author, received
        case unreadAttachment = "unread_attachment"
    }
}

/// A guard: words around a match that mean it does not count (negation,
/// hypothetical, a question about the process, something reported).
public struct Guard: Codable, Sendable, Equatable {
    public var id: String
    public var description: String
    /// Phrases that, ending within `window` words before the match, suppress it.
    public var before: [String]?
    /// How many words before the match `before` phrases may end (default 4).
    public var window: Int?
    /// Phrases that suppress a match anywhere in the same sentence.
    public var sentence: [String]?
    /// Phrases that, starting within `window` words after the match, suppress it.
    public var after: [String]?
    /// Phrases that start where a `before` or `after` phrase starts and mean it
    /// does not guard here ("if this is right it is fraud": a hedge, not a condition).
    public var except: [String]?
    /// When true, the guard applies only in a sentence that is a question.
    public var questionOnly: Bool?
    /// When true, `before` and `after` reach across commas and other clause
    /// breaks ("The PCSO who covers our estate, Sophie, has been lovely").
    public var acrossClauses: Bool?
    /// A word class whose words, later in the same sentence than the guard's
    /// phrase, undo it: "the officer was fine with the driver in front but
    /// when he got to me …" is not praise of what the complaint is about.
    public var undoneBy: String?
    /// A word class whose words, right before the guard's phrase, mean it does not
    /// guard there: "I spoke privately to the OPCC engagement officer" is not
    /// "To the OPCC" addressing the letter.
    public var notAfter: String?

    enum CodingKeys: String, CodingKey {
        case id, description, before, window, sentence, after, except
        case questionOnly = "question_only"
        case acrossClauses = "across_clauses"
        case undoneBy = "undone_by"
        case notAfter = "not_after"
    }
}

/// The ordered decision table: from facts to kind, outcome and route.
public struct DecisionTable: Codable, Sendable, Equatable {
    /// How the subject is chosen among the roles mentioned.
    public var subject: SubjectResolution
    /// Ordered rows; the first whose conditions hold decides.
    public var rows: [DecisionRow]
    /// Flags added after the row has decided.
    public var flags: [FlagRule]?
    /// The fact set when words criticise the police (e.g. `police_criticism`):
    /// no "not a complaint" row may fire while it holds (checked by `rules lint`).
    public var criticismFact: String?
    /// The learned second reading: the fact it sets and when (see ``SecondReading``).
    /// No "not a complaint" row may fire while that fact holds either.
    public var secondReading: SecondReadingSettings?

    enum CodingKeys: String, CodingKey {
        case subject, rows, flags
        case criticismFact = "criticism_fact"
        case secondReading = "second_reading"
    }

    /// The facts that no "not a complaint" row may ignore: criticism of the
    /// police, and a second reading that says the item reads like a complaint.
    public var safetyFacts: [String] {
        [criticismFact, secondReading?.fact].compactMap { $0 }
    }
}

/// Where the second reading's weights are, what it reads and the fact it sets.
public struct SecondReadingSettings: Codable, Sendable, Equatable {
    /// The weights file, relative to `Rules/` (written by `triage rules learn`).
    public var file: String
    /// The fact set when the item reads like a complaint (e.g. `reads_as_complaint`).
    public var fact: String
    /// The probability at or above which the fact is set.
    public var threshold: Double
    /// The parts of the item it reads (`new_text`, `forwarded`, `subject`, …).
    public var segments: [String]
    /// It reads at most this many words of an item (a long attachment adds nothing to
    /// whether the writer complains, and the reading stays cheap); nil: all.
    public var maxWords: Int?
    /// The other direction: a decision the rules would send on that the reading doubts.
    public var doubt: SecondReadingDoubt?

    enum CodingKeys: String, CodingKey {
        case file, fact, threshold, segments, doubt
        case maxWords = "max_words"
    }

    /// The facts the second reading can set.
    public var facts: [String] { [fact] + (doubt.map { [$0.fact] } ?? []) }
}

/// When the rules would route or record an item as a complaint but the second
/// reading gives it less than `below`, the fact `fact` is set (a decision row then
/// asks a caseworker to confirm before it goes on).
public struct SecondReadingDoubt: Codable, Sendable, Equatable {
    /// The probability under which the reading doubts the rules.
    public var below: Double
    /// The fact it sets (e.g. `reads_as_no_complaint`).
    public var fact: String
    /// The outcomes it checks (e.g. `[routed, recorded]`).
    public var outcomes: [String]
}

/// How the subject of a complaint is tied to the words of dissatisfaction.
public struct SubjectResolution: Codable, Sendable, Equatable {
    /// The fact whose values are the roles (e.g. `subject_role`).
    public var candidates: String
    /// The facts whose evidence anchors the subject (e.g. `dissatisfaction`).
    public var anchors: [String]
    /// Roles that yield to any more specific role in the same scope (e.g. `force`).
    public var generic: [String]
    /// Groups of roles that are the same route and never conflict.
    public var compatible: [[String]]?
    /// Groups of roles that do not conflict while a fact holds, the first role
    /// named being reported (`cc_delegated: [chief_constable, officer_or_staff, force]`:
    /// a complaint about the Chief Constable over a policy his staff made is one matter).
    public var compatibleWhen: [String: [String]]?
    /// The value when no role is tied to an anchor.
    public var fallback: String
    /// Words that, ending an anchor ("complain about", "against"), point at the
    /// role that follows: that role is taken first.
    public var pointers: [String]?
    /// Roles tied to an anchor only in the same sentence, never through the
    /// paragraph or the whole text (e.g. `not_police`: a council named
    /// somewhere must not turn a police complaint into "not a complaint").
    public var sentenceOnly: [String]?
    /// Roles that give way to a more specific role tied to the same item
    /// (`opcc_staff: [opcc_chief_executive]`: "the OPCC's Chief Executive").
    public var yields: [String: [String]]?
    /// The word class of words that refer back ("he", "they", "this visit"):
    /// a dissatisfaction sentence holding one is tied to the role named before it.
    public var anaphors: String?
    /// Rules whose mentions are things, not people (a police car): "he" or "she"
    /// never refers to them.
    public var things: [String]?

    enum CodingKeys: String, CodingKey {
        case candidates, anchors, generic, compatible, fallback, pointers, yields, anaphors, things
        case sentenceOnly = "sentence_only"
        case compatibleWhen = "compatible_when"
    }
}

/// One row of the decision table.
public struct DecisionRow: Codable, Sendable, Equatable {
    public var id: String
    public var cites: String
    /// Conditions: fact → value (`"x"`), not that value (`"!x"`), any of
    /// (`[x, y]`), present (`true`) or absent (`false`).
    public var when: [String: FactCondition]
    /// Alternative condition sets (`when_any`): besides `when`, at least one
    /// of them must hold, so one row covers "asks the police to act" or "is
    /// a crime report" without a near-copy for each.
    public var whenAny: [[String: FactCondition]]? = nil
    public var kind: String
    /// The subject word to report; `$subject` (default) reports the resolved subject.
    public var subject: String?
    public var outcome: String
    /// A key in the force profile's `routes`, or a handler id prefixed with `=`.
    public var route: String
    public var reasons: [String]?
    public var flags: [String]?
    /// The explanation paragraph, with `{placeholders}`.
    public var explain: String
    /// For `needs_caseworker`: what the caseworker must settle.
    public var note: String?

    enum CodingKeys: String, CodingKey {
        case id, cites, when, kind, subject, outcome, route, reasons, flags, explain, note
        case whenAny = "when_any"
    }

    /// Every condition set the row needs: `when`, then each of `when_any`'s.
    public var conditionSets: [[String: FactCondition]] { [when] + (whenAny ?? []) }
}

/// A flag added when its conditions hold, after the row decided.
public struct FlagRule: Codable, Sendable, Equatable {
    public var flag: String
    public var cites: String
    public var when: [String: FactCondition]
    /// A sentence added to the explanation when the flag is set.
    public var explain: String?
}

/// A condition on one fact.
public enum FactCondition: Codable, Sendable, Equatable {
    case present(Bool)
    case value(String)
    case anyOf([String])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .present(b); return }
        if let s = try? c.decode(String.self) { self = .value(s); return }
        self = .anyOf(try c.decode([String].self))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .present(let b): try c.encode(b)
        case .value(let s): try c.encode(s)
        case .anyOf(let a): try c.encode(a)
        }
    }
}

/// A force's data: who handles what, their contact details, time limits.
public struct ForceProfile: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var cites: String
    /// Days allowed for a review request after the outcome letter.
    public var reviewWindowDays: Int
    /// Handlers by id.
    public var handlers: [String: Handler]
    /// Route keys used by the decision table → handler id.
    public var routes: [String: String]
    /// Flags added to every complaint about these subjects that is routed or
    /// recorded (e.g. `pcc: [must_be_in_writing]`).
    public var subjectFlags: [String: [String]]?
    /// The lists a caseworker picks from when overriding.
    public var outcomes: [String]?
    /// Thresholds for the history-aware facts (seed 001 §7.1); defaults when absent.
    public var history: HistoryThresholds?

    enum CodingKeys: String, CodingKey {
        case id, name, cites, handlers, routes, outcomes, history
        case reviewWindowDays = "review_window_days"
        case subjectFlags = "subject_flags"
    }
}

/// Who handles an item, and how to reach them.
public struct Handler: Codable, Sendable, Equatable {
    public var name: String
    public var contact: String
    public var cites: String
}
