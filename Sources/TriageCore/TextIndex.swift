/// A tokenised, normalised view of one stretch of text, with sentence and
/// paragraph boundaries and Unicode-scalar offsets back into the original.
///
/// Normalisation: lower case, typographic apostrophes and quotes made plain,
/// letters with diacritics kept as they are; with a ``TextNormalizer``, also
/// contractions expanded ("I'd" → "i", "would", both pointing at "I'd"),
/// spelling variants mapped and every word stemmed. Tokens are words (letters,
/// digits, inner apostrophes and hyphens) and single punctuation marks.
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
    /// The text's Unicode scalars, for quoting by offset in constant time.
    private let scalars: [Unicode.Scalar]

    /// Indexes `text`.
    /// - Parameters:
    ///   - text: the text to index.
    ///   - baseOffset: added to every offset, so evidence points into the whole body.
    ///   - normalizer: expands contractions and stems words; without one, tokens are the lower-cased words.
    public init(_ text: String, baseOffset: Int = 0, normalizer: TextNormalizer? = nil) {
        self.text = text
        self.baseOffset = baseOffset
        var tokens: [Token] = []
        var sentences: [Range<Int>] = []
        var questions: [Bool] = []
        var sentence = 0
        var paragraph = 0
        var sentenceStart = 0
        // The current word, lower-cased, as UTF-8 (ASCII is the common case: no property lookups).
        var word: [UInt8] = []
        word.reserveCapacity(32)
        var wordStart = 0
        var wordCapitalised = false
        // A word written all in capitals (longer than an initial) is not taken for a
        // name: in a text typed in capitals every word would be.
        var wordAllCaps = false
        var wordHasLetter = false
        var newlineRun = 0
        var offset = 0

        var sentencesInParagraph = 0
        func closeSentence(question: Bool) {
            if tokens.count > sentenceStart {
                sentences.append(sentenceStart..<tokens.count)
                questions.append(question)
                sentence += 1
                sentenceStart = tokens.count
                sentencesInParagraph += 1
                // An endless paragraph is read as several (see ``maxParagraphSentences``).
                if sentencesInParagraph >= Self.maxParagraphSentences { newParagraph() }
            }
        }
        func newParagraph() {
            if let last = tokens.last, last.paragraph == paragraph { paragraph += 1 }
            sentencesInParagraph = 0
        }
        func flushWord(at end: Int) {
            guard !word.isEmpty else { return }
            // Trailing apostrophes/hyphens are not part of the word.
            var wordEnd = end
            var count = word.count
            while count > 0, word[count - 1] == 0x27 || word[count - 1] == 0x2D {
                count -= 1
                wordEnd -= 1
            }
            if count > 0 {
                let s = word.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[0..<count]), as: UTF8.self) }
                if let normalizer, wordHasLetter {
                    for w in normalizer.words(for: s) {
                        tokens.append(Token(
                            text: w.text, stem: w.stem, start: wordStart + baseOffset, end: wordEnd + baseOffset,
                            sentence: sentence, paragraph: paragraph, isWord: true,
                            isNumber: false, isCapitalised: wordCapitalised && !(wordAllCaps && count > 1)))
                    }
                } else {
                    tokens.append(Token(
                        text: s, stem: s, start: wordStart + baseOffset, end: wordEnd + baseOffset,
                        sentence: sentence, paragraph: paragraph, isWord: true,
                        isNumber: !wordHasLetter, isCapitalised: wordCapitalised && !(wordAllCaps && count > 1)))
                }
            }
            word.removeAll(keepingCapacity: true)
            wordHasLetter = false
            // A run-on "sentence" is read in pieces of at most ``maxSentenceTokens``.
            if tokens.count - sentenceStart >= Self.maxSentenceTokens { closeSentence(question: false) }
        }
        func appendUTF8(_ scalar: Unicode.Scalar) {
            if scalar.value < 0x80 {
                word.append(UInt8(scalar.value))
            } else {
                word.append(contentsOf: String(scalar).utf8)
            }
        }

        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            let isLetter = Self.isLetter(c)
            if isLetter || (c.value >= 48 && c.value <= 57) {
                let isUpper = c.value < 0x80 ? (c.value >= 65 && c.value <= 90) : c.properties.isUppercase
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
            } else if (c == "'" || c == "\u{2019}" || c == "\u{2018}" || c == "-") && !word.isEmpty
                        && i + 1 < scalars.count && Self.isLetter(scalars[i + 1]) {
                word.append(c == "-" ? 0x2D : 0x27)
            } else {
                flushWord(at: offset)
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
                    if !Self.isWhitespace(c) {
                        let mark: String
                        switch c {
                        case "\u{201C}", "\u{201D}", "\u{201E}": mark = "\""
                        case "\u{2018}", "\u{2019}": mark = "'"
                        default: mark = String(c)
                        }
                        tokens.append(Token(
                            text: mark, stem: mark, start: offset + baseOffset, end: offset + 1 + baseOffset,
                            sentence: sentence, paragraph: paragraph, isWord: false,
                            isNumber: false, isCapitalised: false))
                        if c == "." || c == "!" || c == "?" || c == ";" {
                            // A full stop inside a number or abbreviation like "P.C." does not end a sentence
                            // when the next scalar is not whitespace.
                            let next = i + 1 < scalars.count ? scalars[i + 1] : " "
                            if Self.isWhitespace(next) || c == "?" || c == "!" {
                                closeSentence(question: c == "?")
                            }
                        } else if c == ",", tokens.count - sentenceStart >= Self.softSentenceTokens {
                            // A long run-on sentence breaks at its next comma.
                            closeSentence(question: false)
                        }
                    }
                }
            }
            offset += 1
            i += 1
        }
        flushWord(at: offset)
        closeSentence(question: false)
        self.tokens = tokens
        self.sentences = sentences
        self.sentenceIsQuestion = questions
        self.scalars = scalars
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
        return c.properties.isAlphabetic
    }

    /// Unicode `White_Space`, with ASCII answered without a property lookup.
    @inline(__always)
    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return c.value == 0x20 || (c.value >= 0x09 && c.value <= 0x0D) }
        return c.properties.isWhitespace
    }

    /// The original text between two scalar offsets (offsets include ``baseOffset``).
    public func quote(from start: Int, to end: Int) -> String {
        let lo = max(0, min(start - baseOffset, scalars.count))
        let hi = max(lo, min(end - baseOffset, scalars.count))
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[lo..<hi])
        return String(view)
    }
}
