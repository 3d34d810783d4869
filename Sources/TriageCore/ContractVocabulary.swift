/// The words of the decision contract (DESIGN.md "Decision contract"), as
/// types: other tools read these exact words, so each case's raw value is the
/// word and the JSON is unchanged. Handlers stay strings: a force profile may
/// add its own.
///
/// Each type prints as its word (`"\(kind)"` is `review_request`, never the
/// case name), so text output is unchanged too, and a dictionary keyed by one
/// encodes as a JSON object keyed by the words.

/// What an item is.
public enum ItemKind: String, ContractWord {
    public static let vocabulary = "kind"
    case complaint
    case reviewRequest = "review_request"
    case requestForService = "request_for_service"
    case enquiry
    case foiOrSar = "foi_or_sar"
    case compliment
    case other
}

/// Whom a complaint is about.
public enum SubjectRole: String, ContractWord {
    public static let vocabulary = "subject"
    case officerOrStaff = "officer_or_staff"
    case chiefConstable = "chief_constable"
    case chiefConstableDelegated = "chief_constable_delegated"
    case opccStaff = "opcc_staff"
    case opccChiefExecutive = "opcc_chief_executive"
    case pcc
    case dpcc
    case force
    case notPolice = "not_police"
    case unknown
}

/// What happens to the item.
public enum Outcome: String, ContractWord {
    public static let vocabulary = "outcome"
    case routed
    case recorded
    case notRecorded = "not_recorded"
    case needsCaseworker = "needs_caseworker"
}

/// Why an item is not recorded.
public enum NotRecordedReason: String, ContractWord {
    public static let vocabulary = "reason"
    case notAComplaint = "not_a_complaint"
    case anonymous
    case repetitious
    case vexatious
    case solelyReviewOutcome = "solely_review_outcome"
    case differenceOfOpinion = "difference_of_opinion"
    case noStanding = "no_standing"
}

/// A mark on a decision for whoever handles it.
public enum DecisionFlag: String, ContractWord {
    public static let vocabulary = "flag"
    case anonymous
    case serious
    case outOfTime = "out_of_time"
    case needsWrittenPermission = "needs_written_permission"
    case mustBeInWriting = "must_be_in_writing"
    case excessiveContact = "excessive_contact"
}

/// What every contract word is: its raw value is the word, it prints and
/// encodes as the word, and words sort by their spelling (as strings did).
public protocol ContractWord: RawRepresentable, Codable, CaseIterable, Sendable, Hashable, Comparable,
    CustomStringConvertible, CodingKeyRepresentable where RawValue == String {
    /// The name of the vocabulary in messages: `kind`, `subject`, `outcome`, `reason` or `flag`.
    static var vocabulary: String { get }
}

extension ContractWord {
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    /// Every word of this vocabulary, sorted.
    public static var words: [String] { allCases.map(\.rawValue).sorted() }
    /// The value `word` names, or an error naming the word and the words allowed.
    /// - Throws: ``UnknownContractWord``.
    public static func parse(_ word: String) throws -> Self {
        guard let value = Self(rawValue: word) else { throw UnknownContractWord(vocabulary: vocabulary, word: word, allowed: words) }
        return value
    }

    /// Decodes the word; a word outside the vocabulary is a `DecodingError.dataCorrupted`
    /// whose description names the word and the words allowed.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let word = try container.decode(String.self)
        do {
            self = try Self.parse(word)
        } catch let error as UnknownContractWord {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }
}

/// A word outside the decision contract where one of its words was needed.
public struct UnknownContractWord: Error, Equatable, Sendable, CustomStringConvertible {
    /// Which vocabulary (`kind`, `subject`, `outcome`, `reason`, `flag`).
    public var vocabulary: String
    /// The word found.
    public var word: String
    /// The words allowed, sorted.
    public var allowed: [String]

    /// An error for `word`, not among `allowed`, in the vocabulary named `vocabulary`.
    public init(vocabulary: String, word: String, allowed: [String]) {
        self.vocabulary = vocabulary
        self.word = word
        self.allowed = allowed
    }

    public var description: String {
        "\(vocabulary) '\(word)' is not a contract word (one of \(allowed.joined(separator: ", ")))"
    }
}

extension Sequence where Element: ContractWord {
    /// The words, joined as strings would be (`not_a_complaint, anonymous`).
    public func joined(separator: String = "") -> String { map(\.rawValue).joined(separator: separator) }
}
