import Foundation
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
    /// The ASCII words of ``known``, looked up by their bytes (no string made, none hashed).
    private var knownASCII = ASCIIWordTable()
    /// Whether a word of ``known`` that is not ASCII equals an ASCII word (as "\u{212A}" equals "K"):
    /// then an ASCII word missing from ``knownASCII`` may still be known.
    private var knownShadowsASCII = true

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
        return learnedWords(for: written)
    }

    /// The words of a written word that is not among ``known``.
    private func learnedWords(for written: String) -> [NormalizedWord] {
        learned.words(for: written) { written in
            expand(written).map { text in
                var word = NormalizedWord(text: text, stem: table.stems[text] ?? stemmer.stem(text))
                if vocabularyTag != 0 { word.ids = ids(stem: word.stem, text: word.text) }
                return word
            }
        }
    }

    /// ``words(for:)`` of the word whose UTF-8 bytes are the first `count` of `utf8`:
    /// an ASCII word among the rule set's words is found by its bytes, without making a string.
    func words(forUTF8 utf8: [UInt8], count: Int) -> [NormalizedWord] {
        utf8.withUnsafeBufferPointer { words(forUTF8: UnsafeBufferPointer(rebasing: $0[0..<count])) }
    }

    /// ``words(for:)`` of the word whose UTF-8 bytes are `utf8` (see ``words(forUTF8:count:)``).
    func words(forUTF8 utf8: UnsafeBufferPointer<UInt8>) -> [NormalizedWord] {
        let (found, ascii) = knownASCII.find(utf8)
        if let found { return found }
        let written = String(decoding: utf8, as: UTF8.self)
        // An ASCII word not found by its bytes is not known: straight to the learned words.
        if ascii, !knownShadowsASCII, !knownASCII.isEmpty { return learnedWords(for: written) }
        return words(for: written)
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
        copy.knownASCII = ASCIIWordTable(copy.known.filter { $0.key.utf8.allSatisfy { $0 < 0x80 } })
        copy.knownShadowsASCII = copy.known.keys.contains { key in
            !key.utf8.allSatisfy { $0 < 0x80 } && key.precomposedStringWithCanonicalMapping.utf8.allSatisfy { $0 < 0x80 }
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

/// ASCII words and their normalised words, found by the words' bytes: one open
/// addressing table over a flat array of key bytes, hashed with FNV-1a.
struct ASCIIWordTable: Sendable {
    private var keyBytes: [UInt8] = []
    /// Per entry, where its key starts in ``keyBytes`` (and where the next starts).
    private var keyStart: [Int32] = [0]
    private var values: [[NormalizedWord]] = []
    /// Entry index + 1 per slot (0: empty).
    private var slots: [Int32] = []

    init() {}

    /// A table of `words` (every key ASCII).
    init(_ words: [String: [NormalizedWord]]) {
        var size = 16
        while size < words.count * 2 { size *= 2 }
        slots = [Int32](repeating: 0, count: size)
        for (key, value) in words {
            var key = key
            key.withUTF8 { bytes in
                keyBytes.append(contentsOf: bytes)
                keyStart.append(Int32(keyBytes.count))
                values.append(value)
                var i = Int(truncatingIfNeeded: Self.hash(bytes)) & (size - 1)
                while slots[i] != 0 { i = (i + 1) & (size - 1) }
                slots[i] = Int32(values.count)
            }
        }
    }

    var isEmpty: Bool { values.isEmpty }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h ^ (h >> 29)
    }

    /// The words stored for `bytes`, and whether `bytes` are all ASCII (a word that is not is never stored).
    func find(_ bytes: UnsafeBufferPointer<UInt8>) -> (words: [NormalizedWord]?, ascii: Bool) {
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return (nil, false) }
        guard !slots.isEmpty else { return (nil, true) }
        let h = Self.hash(bytes)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = Int(slots[i])
            if entry == 0 { return (nil, true) }
            let lo = Int(keyStart[entry - 1]), hi = Int(keyStart[entry])
            if hi - lo == bytes.count, keyBytes.withUnsafeBufferPointer({ keys in
                var k = 0
                while k < bytes.count, keys[lo + k] == bytes[k] { k += 1 }
                return k == bytes.count
            }) {
                return (values[entry - 1], true)
            }
            i = (i + 1) & mask
        }
    }
}
