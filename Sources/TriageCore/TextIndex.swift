/// A tokenised, normalised view of one stretch of text, with sentence and
/// paragraph boundaries and Unicode-scalar offsets back into the original.
///
/// Normalisation: lower case, typographic apostrophes and quotes made plain,
/// letters with diacritics kept as they are; with a ``TextNormalizer``, also
/// contractions expanded ("I'd" → "i", "would", both pointing at "I'd"),
/// spelling variants mapped and every word stemmed. Tokens are words (letters,
/// digits, inner apostrophes and hyphens) and single punctuation marks.
///
/// The text is read once, as UTF-8 bytes (ASCII, the common case, needs no
/// decoding and no property look-up), and each word is looked up once: with a
/// compiled rule set's normaliser, a token also carries the rule set's
/// vocabulary ids of its stem and text, so matching hashes no string.
public struct TextIndex: Sendable {
    /// One token.
    public struct Token: Sendable, Equatable {
        /// Normalised text of the token ("do", "not" for "don't"; "1234"; "?").
        public var text: String
        /// The stem matched by rule phrases ("complain" for "complaining");
        /// the text itself without a normaliser.
        public var stem: String
        /// Scalar offsets into the indexed text.
        public var start: Int
        public var end: Int
        /// Index of the sentence holding the token.
        public var sentence: Int
        /// Index of the paragraph holding the token.
        public var paragraph: Int
        public var isWord: Bool
        public var isNumber: Bool
        /// True when the token began with an upper-case letter in the original.
        public var isCapitalised: Bool
        /// The vocabulary ids of ``stem`` and ``text`` (-1: no phrase uses it), valid
        /// for the phrase matchers whose vocabulary tag is ``vocabulary`` (0: none looked up).
        var ids = WordIDs.none
    }

    /// The original text.
    public let text: String
    public let tokens: [Token]
    /// For each sentence, the token range it covers.
    public let sentences: [Range<Int>]
    /// For each sentence, whether it ends with a question mark.
    public let sentenceIsQuestion: [Bool]
    /// Scalar offset added to every token's offsets (when indexing a segment of a body).
    public let baseOffset: Int
    /// For a text that is not all ASCII: the UTF-8 offset of each scalar (and of the
    /// end), for quoting by offset in constant time; empty when scalar and byte offsets agree.
    private let utf8Offsets: [Int32]

    /// Indexes `text`.
    /// - Parameters:
    ///   - text: the text to index.
    ///   - baseOffset: added to every offset, so evidence points into the whole body.
    ///   - normalizer: expands contractions and stems words; without one, tokens are the lower-cased words.
    public init(_ text: String, baseOffset: Int = 0, normalizer: TextNormalizer? = nil) {
        var text = text
        text.makeContiguousUTF8()
        self.text = text
        self.baseOffset = baseOffset
        var reader = Reader(baseOffset: baseOffset)
        text.utf8.withContiguousStorageIfAvailable { reader.read($0, normalizer) }
        self.tokens = reader.tokens
        self.sentences = reader.sentences
        self.sentenceIsQuestion = reader.questions
        self.utf8Offsets = reader.utf8Offsets
    }

    /// Past this many tokens a sentence ends at its next comma. Sentences are
    /// the reach of guards and of ties between words; bounding them keeps the
    /// classifier's work linear in the length of the text, whatever the
    /// punctuation (an item written without a full stop is read in pieces).
    public static let softSentenceTokens = 80
    /// A sentence never holds more tokens than this.
    public static let maxSentenceTokens = 120
    /// A paragraph never holds more sentences than this.
    public static let maxParagraphSentences = 40

    /// Unicode `Alphabetic`, with ASCII answered without a property lookup.
    @inline(__always)
    static func isLetter(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return (c.value | 0x20) >= 97 && (c.value | 0x20) <= 122 }
        if c.value < ScalarClasses.tableEnd { return ScalarClasses.table[Int(c.value)] & ScalarClasses.alphabetic != 0 }
        if ScalarClasses.isIdeographOrHangul(c.value) { return true }
        return c.properties.isAlphabetic
    }

    /// Unicode `Uppercase`, with ASCII and the scalars of ``ScalarClasses`` answered without a property lookup.
    @inline(__always)
    static func isUppercase(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return c.value >= 65 && c.value <= 90 }
        if c.value < ScalarClasses.tableEnd { return ScalarClasses.table[Int(c.value)] & ScalarClasses.uppercase != 0 }
        if ScalarClasses.isIdeographOrHangul(c.value) { return false }
        return c.properties.isUppercase
    }

    /// Unicode `White_Space`, with ASCII answered without a property lookup.
    @inline(__always)
    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return c.value == 0x20 || (c.value >= 0x09 && c.value <= 0x0D) }
        return c.properties.isWhitespace
    }

    /// The original text between two scalar offsets (offsets include ``baseOffset``).
    public func quote(from start: Int, to end: Int) -> String {
        let count = utf8Offsets.isEmpty ? text.utf8.count : utf8Offsets.count - 1
        let lo = max(0, min(start - baseOffset, count))
        let hi = max(lo, min(end - baseOffset, count))
        let a = utf8Offsets.isEmpty ? lo : Int(utf8Offsets[lo])
        let b = utf8Offsets.isEmpty ? hi : Int(utf8Offsets[hi])
        // Both ends are scalar boundaries, so the bytes between them decode exactly.
        let utf8 = text.utf8
        return String(Substring(utf8[utf8.index(utf8.startIndex, offsetBy: a)..<utf8.index(utf8.startIndex, offsetBy: b)]))
    }
}

/// The Unicode properties the tokeniser asks of a scalar, looked up once for the
/// scalars of the alphabets below U+3000 (Latin, Greek, Cyrillic, Hebrew, Arabic,
/// Indic, kana, …) and known for the CJK ideographs and Hangul syllables: a property
/// look-up costs a few hundred instructions, a table one load.
enum ScalarClasses {
    static let alphabetic: UInt8 = 1
    static let uppercase: UInt8 = 2
    /// The table covers the scalars below this.
    static let tableEnd: UInt32 = 0x3100

    /// CJK Unified Ideographs and Hangul syllables: every one alphabetic, none upper case.
    @inline(__always)
    static func isIdeographOrHangul(_ value: UInt32) -> Bool {
        (value >= 0x4E00 && value <= 0x9FFF) || (value >= 0xAC00 && value <= 0xD7A3)
    }
    /// Per scalar below ``tableEnd``: ``alphabetic`` and ``uppercase`` bits (none for a surrogate).
    static let table: [UInt8] = (0..<tableEnd).map { value in
        guard let scalar = Unicode.Scalar(value) else { return 0 }
        return (scalar.properties.isAlphabetic ? alphabetic : 0) | (scalar.properties.isUppercase ? uppercase : 0)
    }
}

/// A token's vocabulary ids (see ``TextIndex/Token``).
struct WordIDs: Sendable, Equatable {
    var stem: Int32
    var text: Int32
    /// The tag of the vocabulary the ids come from; 0: not looked up.
    var vocabulary: Int32

    static let none = WordIDs(stem: -1, text: -1, vocabulary: 0)
}

extension TextIndex {
    /// The tokeniser's state: one pass over a text's UTF-8 bytes. The normaliser
    /// is passed down borrowed: a copy of it would retain each of its tables per word.
    private struct Reader {
        let baseOffset: Int
        var tokens: [Token] = []
        var sentences: [Range<Int>] = []
        var questions: [Bool] = []
        var utf8Offsets: [Int32] = []
        var sentence = 0
        var paragraph = 0
        var sentenceStart = 0
        var sentencesInParagraph = 0
        // The current word, lower-cased, as UTF-8 (ASCII is the common case: no property lookups).
        var word: [UInt8] = []
        var wordStart = 0
        var wordCapitalised = false
        // A word written all in capitals (longer than an initial) is not taken for a
        // name: in a text typed in capitals every word would be.
        var wordAllCaps = false
        var wordHasLetter = false
        var newlineRun = 0

        init(baseOffset: Int) {
            self.baseOffset = baseOffset
            word.reserveCapacity(32)
        }

        mutating func closeSentence(question: Bool) {
            if tokens.count > sentenceStart {
                sentences.append(sentenceStart..<tokens.count)
                questions.append(question)
                sentence += 1
                sentenceStart = tokens.count
                sentencesInParagraph += 1
                // An endless paragraph is read as several (see ``maxParagraphSentences``).
                if sentencesInParagraph >= TextIndex.maxParagraphSentences { newParagraph() }
            }
        }

        mutating func newParagraph() {
            if let last = tokens.last, last.paragraph == paragraph { paragraph += 1 }
            sentencesInParagraph = 0
        }

        mutating func flushWord(at end: Int, _ normalizer: borrowing TextNormalizer?) {
            guard !word.isEmpty else { return }
            // Trailing apostrophes/hyphens are not part of the word.
            var wordEnd = end
            var count = word.count
            while count > 0, word[count - 1] == 0x27 || word[count - 1] == 0x2D {
                count -= 1
                wordEnd -= 1
            }
            if count > 0 {
                let capitalised = wordCapitalised && !(wordAllCaps && count > 1)
                // The word's bytes are looked up as they are: a word among the rule set's needs no string made.
                if wordHasLetter, let words = normalizer?.words(forUTF8: word, count: count) {
                    for w in words {
                        tokens.append(Token(
                            text: w.text, stem: w.stem, start: wordStart + baseOffset, end: wordEnd + baseOffset,
                            sentence: sentence, paragraph: paragraph, isWord: true,
                            isNumber: false, isCapitalised: capitalised, ids: w.ids))
                    }
                } else {
                    let s = word.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[0..<count]), as: UTF8.self) }
                    tokens.append(Token(
                        text: s, stem: s, start: wordStart + baseOffset, end: wordEnd + baseOffset,
                        sentence: sentence, paragraph: paragraph, isWord: true,
                        isNumber: !wordHasLetter, isCapitalised: capitalised, ids: normalizer?.ids(of: s) ?? .none))
                }
            }
            word.removeAll(keepingCapacity: true)
            wordHasLetter = false
            // A run-on "sentence" is read in pieces of at most ``maxSentenceTokens``.
            if tokens.count - sentenceStart >= TextIndex.maxSentenceTokens { closeSentence(question: false) }
        }

        mutating func appendUTF8(_ scalar: Unicode.Scalar) {
            if scalar.value < 0x80 {
                word.append(UInt8(scalar.value))
            } else {
                UTF8.encode(scalar) { word.append($0) }
            }
        }

        /// The scalar at byte `i` and its length in bytes (`bytes` is valid UTF-8).
        @inline(__always)
        static func scalar(at i: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (Unicode.Scalar, Int) {
            let b0 = UInt32(bytes[i])
            if b0 < 0x80 { return (Unicode.Scalar(UInt8(b0)), 1) }
            if b0 < 0xE0 {
                return (Unicode.Scalar(((b0 & 0x1F) << 6) | (UInt32(bytes[i + 1]) & 0x3F)) ?? "\u{FFFD}", 2)
            }
            if b0 < 0xF0 {
                let v = ((b0 & 0x0F) << 12) | ((UInt32(bytes[i + 1]) & 0x3F) << 6) | (UInt32(bytes[i + 2]) & 0x3F)
                return (Unicode.Scalar(v) ?? "\u{FFFD}", 3)
            }
            let v = ((b0 & 0x07) << 18) | ((UInt32(bytes[i + 1]) & 0x3F) << 12) | ((UInt32(bytes[i + 2]) & 0x3F) << 6)
                | (UInt32(bytes[i + 3]) & 0x3F)
            return (Unicode.Scalar(v) ?? "\u{FFFD}", 4)
        }

        mutating func read(_ bytes: UnsafeBufferPointer<UInt8>, _ normalizer: borrowing TextNormalizer?) {
            let n = bytes.count
            // About one token in five bytes of prose.
            tokens.reserveCapacity(n / 5 + 1)
            var i = 0
            var offset = 0
            // The next scalar, decoded once: it is the look-ahead of this one.
            var next: (Unicode.Scalar, Int)? = n > 0 ? Self.scalar(at: 0, in: bytes) : nil
            var ascii = true
            while let (c, length) = next {
                if length > 1, ascii {
                    // The first non-ASCII scalar: from here on byte and scalar offsets differ.
                    ascii = false
                    utf8Offsets.reserveCapacity(n + 1)
                    for k in 0..<offset { utf8Offsets.append(Int32(k)) }
                }
                if !ascii { utf8Offsets.append(Int32(i)) }
                let after = i + length
                next = after < n ? Self.scalar(at: after, in: bytes) : nil
                step(c, offset: offset, next: next?.0, normalizer)
                offset += 1
                i = after
            }
            if !ascii { utf8Offsets.append(Int32(n)) }
            flushWord(at: offset, normalizer)
            closeSentence(question: false)
        }

        /// Reads scalar `c` at scalar `offset`, followed by `next` (nil at the end).
        @inline(__always)
        mutating func step(_ c: Unicode.Scalar, offset: Int, next: Unicode.Scalar?, _ normalizer: borrowing TextNormalizer?) {
            let isLetter = TextIndex.isLetter(c)
            if isLetter || (c.value >= 48 && c.value <= 57) {
                let isUpper = TextIndex.isUppercase(c)
                if word.isEmpty {
                    wordStart = offset
                    wordCapitalised = isUpper
                    wordAllCaps = isUpper
                } else if !isUpper && isLetter {
                    wordAllCaps = false
                }
                if newlineRun >= 2 {
                    closeSentence(question: false)
                    newParagraph()
                }
                newlineRun = 0
                if isLetter { wordHasLetter = true }
                if c.value < 0x80 {
                    word.append(UInt8(isUpper ? c.value + 32 : c.value))
                } else if isUpper {
                    for lower in c.properties.lowercaseMapping.unicodeScalars { appendUTF8(lower) }
                } else {
                    appendUTF8(c)
                }
            } else if (c == "'" || c == "\u{2019}" || c == "\u{2018}" || c == "-") && !word.isEmpty,
                      let next, TextIndex.isLetter(next) {
                word.append(c == "-" ? 0x2D : 0x27)
            } else {
                flushWord(at: offset, normalizer)
                if c == "\n" {
                    // A blank line (two newlines) is a paragraph (and sentence) boundary, applied when the next token starts.
                    newlineRun += 1
                } else if c == " " || c == "\t" || c == "\r" || c == "\u{A0}" {
                    // whitespace inside a line
                } else {
                    if newlineRun >= 2 {
                        closeSentence(question: false)
                        newParagraph()
                    }
                    newlineRun = 0
                    if !TextIndex.isWhitespace(c) {
                        let mark: String
                        switch c {
                        case "\u{201C}", "\u{201D}", "\u{201E}": mark = "\""
                        case "\u{2018}", "\u{2019}": mark = "'"
                        default: mark = String(c)
                        }
                        tokens.append(Token(
                            text: mark, stem: mark, start: offset + baseOffset, end: offset + 1 + baseOffset,
                            sentence: sentence, paragraph: paragraph, isWord: false,
                            isNumber: false, isCapitalised: false, ids: normalizer?.ids(of: mark) ?? .none))
                        if c == "." || c == "!" || c == "?" || c == ";" {
                            // A full stop inside a number or abbreviation like "P.C." does not end a sentence
                            // when the next scalar is not whitespace.
                            if TextIndex.isWhitespace(next ?? " ") || c == "?" || c == "!" {
                                closeSentence(question: c == "?")
                            }
                        } else if c == ",", tokens.count - sentenceStart >= TextIndex.softSentenceTokens {
                            // A long run-on sentence breaks at its next comma.
                            closeSentence(question: false)
                        }
                    }
                }
            }
        }
    }
}

/// Slices a text by Unicode-scalar offsets, walking its UTF-8 bytes once when
/// the slices come in order (as a body's segments do) and copying only the
/// slices' bytes.
struct ScalarSlicer {
    private let utf8: String.UTF8View
    /// The byte offset and the scalar offset of the walk.
    private var cursor = 0
    private var cursorOffset = 0

    init(_ text: String) {
        var text = text
        text.makeContiguousUTF8()
        utf8 = text.utf8
    }

    /// The text between two scalar offsets, each clamped to the text.
    mutating func text(from start: Int, to end: Int) -> String {
        let lo = byte(at: max(0, start))
        let hi = byte(at: max(start, end))
        return String(Substring(utf8[utf8.index(utf8.startIndex, offsetBy: lo)..<utf8.index(utf8.startIndex, offsetBy: hi)]))
    }

    /// The byte offset of the scalar at `offset` (the end past the last).
    private mutating func byte(at offset: Int) -> Int {
        if offset < cursorOffset {
            cursor = 0
            cursorOffset = 0
        }
        if cursorOffset < offset {
            utf8.withContiguousStorageIfAvailable { bytes in
                let n = bytes.count
                while cursorOffset < offset, cursor < n {
                    let b = bytes[cursor]
                    cursor += b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
                    cursorOffset += 1
                }
            }
        }
        return cursor
    }
}
