import Synchronization

/// Reduces a word to its stem ("complaining" → "complain"). The core only
/// knows this protocol; the Snowball implementation lives in its own module
/// (`SnowballStemming`), so the core imports no C library.
public protocol WordStemmer: Sendable {
    /// The stem of a lower-case word.
    func stem(_ word: String) -> String
}

/// A stemmer that leaves every word as it is (for tests of the tokeniser alone).
public struct IdentityStemmer: WordStemmer {
    public init() {}
    public func stem(_ word: String) -> String { word }
}

/// How the writing of the public is made uniform before matching: contractions
/// written with or without apostrophes, spelling variants. Data, read from
/// `Rules/normalisation.yaml`; text and rule phrases go through the same table.
public struct NormalizationTable: Codable, Sendable, Equatable {
    /// Whole words and what they stand for: "im" → "i am", "cant" → "can not".
    public var words: [String: String]
    /// Endings after an apostrophe and the word they stand for: "n't" → "not",
    /// "'re" → "are". The part before the ending is kept.
    public var endings: [String: String]
    /// Words before "'s" where it means "is" ("it's", "that's"); after any other
    /// word "'s" is a possessive and is dropped ("the officer's attitude").
    public var isBefore: [String]
    /// Spelling variants and what they are read as: "behavior" → "behaviour".
    public var spellings: [String: String]
    /// Stems given by hand where the stemmer joins words that mean different
    /// things ("officer" and "office" both stem to "offic").
    public var stems: [String: String]

    enum CodingKeys: String, CodingKey {
        case words, endings, spellings, stems
        case isBefore = "is_before"
    }

    public init(words: [String: String] = [:], endings: [String: String] = [:], isBefore: [String] = [],
                spellings: [String: String] = [:], stems: [String: String] = [:]) {
        self.words = words
        self.endings = endings
        self.isBefore = isBefore
        self.spellings = spellings
        self.stems = stems
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        words = try c.decodeIfPresent([String: String].self, forKey: .words) ?? [:]
        endings = try c.decodeIfPresent([String: String].self, forKey: .endings) ?? [:]
        isBefore = try c.decodeIfPresent([String].self, forKey: .isBefore) ?? []
        spellings = try c.decodeIfPresent([String: String].self, forKey: .spellings) ?? [:]
        stems = try c.decodeIfPresent([String: String].self, forKey: .stems) ?? [:]
    }
}

/// One normalised word: its written form after contractions and spelling
/// variants ("would", "behaviour") and its stem ("behaviour").
public struct NormalizedWord: Sendable, Equatable {
    public var text: String
    public var stem: String
    /// The compiled rule set's vocabulary ids of ``stem`` and ``text`` (see
    /// ``TextNormalizer/remembering(_:vocabulary:tag:)``): a cache, not part of the word.
    var ids = WordIDs.none

    public init(text: String, stem: String) {
        self.text = text
        self.stem = stem
    }

    /// Equal when the text and the stem are (the ids are a look-up kept with them).
    public static func == (a: NormalizedWord, b: NormalizedWord) -> Bool {
        a.text == b.text && a.stem == b.stem
    }
}

/// Normalises words for matching: contractions expanded, spelling variants
/// mapped, then stemmed. Used on the text of an item and on every rule phrase
/// alike, so a rule never spells out "i'd|i would|id".
public struct TextNormalizer: Sendable {
    public let table: NormalizationTable
    public let stemmer: any WordStemmer
    private let endings: [(String, String)]
    private let isBefore: Set<String>
    /// Written words already normalised (the words of a rule set's phrases, see
    /// ``remembering(_:)``): a text's word found here costs one look-up.
    private var known: [String: [NormalizedWord]] = [:]
    /// The compiled rule set's word ids (see ``remembering(_:vocabulary:tag:)``), and its tag (0: none).
    private var vocabulary: [String: Int32] = [:]
    private var vocabularyTag: Int32 = 0
    /// The ids of the one-character ASCII strings (punctuation marks), by code.
    private var asciiIDs: [WordIDs] = []

    public init(table: NormalizationTable, stemmer: any WordStemmer) {
        self.table = table
        self.stemmer = stemmer
        // Longest endings first ("n't" before "'t").
        self.endings = table.endings.sorted { ($0.key.count, $0.key) > ($1.key.count, $1.key) }.map { ($0.key, $0.value) }
        self.isBefore = Set(table.isBefore)
    }

    /// Written words normalised since, beyond ``known`` (names, rare words), shared by every copy.
    private var learned = LearnedWords()

    /// The words a lower-case written word stands for, normalised and stemmed.
    public func words(for written: String) -> [NormalizedWord] {
        if let words = known[written] { return words }
        return learned.words(for: written) { written in
            expand(written).map { text in
                var word = NormalizedWord(text: text, stem: table.stems[text] ?? stemmer.stem(text))
                if vocabularyTag != 0 { word.ids = ids(stem: word.stem, text: word.text) }
                return word
            }
        }
    }

    /// This normaliser, answering the words of `normalised` (each written word
    /// with what ``words(for:)`` gave for it) by look-up.
    public func remembering(_ normalised: [String: [NormalizedWord]]) -> TextNormalizer {
        var copy = self
        copy.known.merge(normalised) { old, _ in old }
        return copy
    }

    /// This normaliser, answering the words of `normalised` by look-up, each word
    /// (and every word normalised later) carrying its ids in `vocabulary` under `tag`
    /// (see ``PhraseMatcher``), so matching looks no string up again.
    func remembering(_ normalised: [String: [NormalizedWord]], vocabulary: [String: Int32], tag: Int32) -> TextNormalizer {
        var copy = self
        copy.vocabulary = vocabulary
        copy.vocabularyTag = tag
        // Words learned before had no ids: this copy learns afresh.
        copy.learned = LearnedWords()
        copy.known.merge(normalised) { old, _ in old }
        for (written, words) in copy.known {
            copy.known[written] = words.map { var w = $0; w.ids = copy.ids(stem: w.stem, text: w.text); return w }
        }
        copy.asciiIDs = (0..<128).map { copy.ids(stem: String(Unicode.Scalar(UInt8($0))), text: String(Unicode.Scalar(UInt8($0)))) }
        return copy
    }

    /// The ids of a token whose text is its stem (a number, a punctuation mark).
    func ids(of word: String) -> WordIDs {
        guard vocabularyTag != 0 else { return .none }
        if word.utf8.count == 1, let byte = word.utf8.first, byte < 0x80 { return asciiIDs[Int(byte)] }
        return ids(stem: word, text: word)
    }

    private func ids(stem: String, text: String) -> WordIDs {
        let stemID = vocabulary[stem] ?? -1
        return WordIDs(stem: stemID, text: text == stem ? stemID : vocabulary[text] ?? -1, vocabulary: vocabularyTag)
    }

    /// Contractions and spelling variants, without stemming.
    public func expand(_ written: String) -> [String] {
        if let whole = table.words[written] { return whole.split(separator: " ").map { spelling(String($0)) } }
        // A byte test: `contains("'")` on a String resolves to Foundation's substring search.
        if written.utf8.contains(UInt8(ascii: "'")) {
            for (ending, meaning) in endings where written.hasSuffix(ending) && written.count > ending.count {
                let base = String(written.dropLast(ending.count))
                return [spelling(base)] + meaning.split(separator: " ").map(String.init)
            }
            if written.hasSuffix("'s"), written.count > 2 {
                let base = String(written.dropLast(2))
                return isBefore.contains(base) ? [base, "is"] : [spelling(base)]
            }
        }
        return [spelling(written)]
    }

    private func spelling(_ word: String) -> String { table.spellings[word] ?? word }
}

/// Words already normalised, kept under a few locks (a word always goes to the
/// same one, so parallel jobs rarely wait on each other), each holding at most
/// ``limit`` words before it is cleared.
final class LearnedWords: Sendable {
    /// One lock and its words.
    private final class Stripe: Sendable {
        let memo = Mutex<[String: [NormalizedWord]]>([:])
    }

    private let stripes: [Stripe] = (0..<8).map { _ in Stripe() }
    /// The most words one stripe keeps.
    static let limit = 20_000

    /// The words for `written`, computed by `normalise` the first time.
    func words(for written: String, _ normalise: (String) -> [NormalizedWord]) -> [NormalizedWord] {
        // The stripe from the word's length and its first and last bytes: cheaper than
        // hashing it twice (the memo hashes it again).
        let utf8 = written.utf8
        let mix = utf8.count &* 31 &+ Int(utf8.first ?? 0) &* 7 &+ Int(utf8.last ?? 0)
        let stripe = stripes[mix % stripes.count]
        if let words = stripe.memo.withLock({ $0[written] }) { return words }
        let words = normalise(written)
        stripe.memo.withLock { memo in
            if memo.count >= Self.limit { memo.removeAll(keepingCapacity: true) }
            memo[written] = words
        }
        return words
    }
}
