/// Thresholds for the history-aware facts of seed 001 §7.1 (repetitious,
/// re-opening, excessive contact, a pattern of abuse), per force profile.
///
/// Every field is optional in `Rules/forces/*.yaml` (snake_case keys); the
/// defaults below apply to a missing field or a missing `history:` block.
public struct HistoryThresholds: Codable, Sendable, Equatable {
    /// Similarity of the new texts (the larger of the Jaccard similarity of
    /// word 3-gram shingles and the overlap coefficient of content words) at or
    /// above which an earlier complaint counts as "the same substance", with a
    /// shared officer, incident date or reference. Default 0.5.
    public var repetitionSimilarity: Double?
    /// Jaccard similarity of word 3-gram shingles at or above which the text
    /// alone (a near-verbatim resend) counts as the same substance. Default 0.8.
    public var repetitionStrongSimilarity: Double?
    /// Similarity (as for `repetitionSimilarity`, with a shared officer, date or
    /// reference) at or above which an earlier complaint is "the same matter":
    /// repetitious only where the writer says it is sent again with nothing new.
    /// Default 0.15.
    public var sameMatterSimilarity: Double?
    /// How far back (days) earlier complaints are compared. Default 730.
    public var repetitionLookbackDays: Int?
    /// Excessive contact: more than this many items from one complainant …
    /// (the new item included). Default 5.
    public var excessiveContactItems: Int?
    /// … within this many days ending on the new item's date. Default 30.
    public var excessiveContactDays: Int?
    /// A pattern of abuse: at least this many earlier items of the complainant
    /// whose decisions carry the `abusive` fact. Default 1.
    public var abusivePatternMinItems: Int?
    /// How far back (days) earlier abusive items count. Default 365.
    public var abusivePatternLookbackDays: Int?

    enum CodingKeys: String, CodingKey {
        case repetitionSimilarity = "repetition_similarity"
        case repetitionStrongSimilarity = "repetition_strong_similarity"
        case repetitionLookbackDays = "repetition_lookback_days"
        case sameMatterSimilarity = "same_matter_similarity"
        case excessiveContactItems = "excessive_contact_items"
        case excessiveContactDays = "excessive_contact_days"
        case abusivePatternMinItems = "abusive_pattern_min_items"
        case abusivePatternLookbackDays = "abusive_pattern_lookback_days"
    }

    public init(
        repetitionSimilarity: Double? = nil, repetitionStrongSimilarity: Double? = nil, repetitionLookbackDays: Int? = nil,
        excessiveContactItems: Int? = nil, excessiveContactDays: Int? = nil,
        abusivePatternMinItems: Int? = nil, abusivePatternLookbackDays: Int? = nil, sameMatterSimilarity: Double? = nil
    ) {
        self.sameMatterSimilarity = sameMatterSimilarity
        self.repetitionSimilarity = repetitionSimilarity
        self.repetitionStrongSimilarity = repetitionStrongSimilarity
        self.repetitionLookbackDays = repetitionLookbackDays
        self.excessiveContactItems = excessiveContactItems
        self.excessiveContactDays = excessiveContactDays
        self.abusivePatternMinItems = abusivePatternMinItems
        self.abusivePatternLookbackDays = abusivePatternLookbackDays
    }

    /// The thresholds used when a profile gives none.
    public static let defaults = HistoryThresholds()

    /// Similarity threshold with a shared anchor (default 0.5).
    public var similarity: Double { repetitionSimilarity ?? 0.5 }
    /// Similarity threshold on text alone (default 0.8).
    public var strongSimilarity: Double { repetitionStrongSimilarity ?? 0.8 }
    /// Same-matter threshold (default 0.15).
    public var sameMatterSimilarityValue: Double { sameMatterSimilarity ?? 0.15 }
    /// Repetition look-back in days (default 730).
    public var lookbackDays: Int { repetitionLookbackDays ?? 730 }
    /// N of "more than N items in D days" (default 5).
    public var contactItems: Int { excessiveContactItems ?? 5 }
    /// D of "more than N items in D days" (default 30).
    public var contactDays: Int { excessiveContactDays ?? 30 }
    /// Earlier abusive items needed for a pattern (default 1).
    public var abusiveMinItems: Int { abusivePatternMinItems ?? 1 }
    /// Abusive-pattern look-back in days (default 365).
    public var abusiveLookbackDays: Int { abusivePatternLookbackDays ?? 365 }
}
