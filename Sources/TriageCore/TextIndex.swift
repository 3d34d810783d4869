/// A tokenised, normalised view of one stretch of text, with sentence and
/// paragraph boundaries and Unicode-scalar offsets back into the original.
///
/// Normalisation: lower case, typographic apostrophes and quotes made plain,
/// letters with diacritics kept as they are. Tokens are words (letters, digits,
/// inner apostrophes and hyphens) and single punctuation marks.
public struct TextIndex: Sendable {
    /// One token.
    public struct Token: Sendable, Equatable {
        /// Normalised text of the token ("don't", "1234", "?").
        public var text: String
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

    /// Indexes `text`.
    /// - Parameters:
    ///   - text: the text to index.
    ///   - baseOffset: added to every offset, so evidence points into the whole body.
    public init(_ text: String, baseOffset: Int = 0) {
        self.text = text
        self.baseOffset = baseOffset
        var tokens: [Token] = []
        var sentences: [Range<Int>] = []
        var questions: [Bool] = []
        var sentence = 0
        var paragraph = 0
        var sentenceStart = 0
        var word = String.UnicodeScalarView()
        var wordStart = 0
        var wordCapitalised = false
        var wordHasLetter = false
        var newlineRun = 0
        var offset = 0

        func closeSentence(question: Bool) {
            if tokens.count > sentenceStart {
                sentences.append(sentenceStart..<tokens.count)
                questions.append(question)
                sentence += 1
                sentenceStart = tokens.count
            }
        }
        func flushWord(at end: Int) {
            guard !word.isEmpty else { return }
            // Trailing apostrophes/hyphens are not part of the word.
            var scalars = word
            var wordEnd = end
            while let last = scalars.last, last == "'" || last == "-" {
                scalars.removeLast()
                wordEnd -= 1
            }
            if !scalars.isEmpty {
                let s = String(scalars)
                tokens.append(Token(
                    text: s, start: wordStart + baseOffset, end: wordEnd + baseOffset,
                    sentence: sentence, paragraph: paragraph, isWord: true,
                    isNumber: !wordHasLetter, isCapitalised: wordCapitalised))
            }
            word = String.UnicodeScalarView()
            wordHasLetter = false
        }

        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            let props = c.properties
            if props.isAlphabetic || (c.value >= 48 && c.value <= 57) {
                if word.isEmpty {
                    wordStart = offset
                    wordCapitalised = props.isUppercase
                }
                if newlineRun >= 2 {
                    closeSentence(question: false)
                    if !tokens.isEmpty { paragraph += 1 }
                }
                newlineRun = 0
                if props.isAlphabetic { wordHasLetter = true }
                word.append(contentsOf: props.isUppercase ? c.properties.lowercaseMapping.unicodeScalars : String.UnicodeScalarView([c]))
            } else if (c == "'" || c == "\u{2019}" || c == "\u{2018}" || c == "-") && !word.isEmpty
                        && i + 1 < scalars.count && (scalars[i + 1].properties.isAlphabetic) {
                word.append(c == "-" ? "-" : "'")
            } else {
                flushWord(at: offset)
                if c == "\n" {
                    newlineRun += 1
                    if newlineRun == 2 {
                        // Blank line: paragraph (and sentence) boundary, applied when the next word starts.
                    }
                } else if c == " " || c == "\t" || c == "\r" || c == "\u{A0}" {
                    // whitespace inside a line
                } else {
                    if newlineRun >= 2 {
                        closeSentence(question: false)
                        if !tokens.isEmpty { paragraph += 1 }
                    }
                    newlineRun = 0
                    if !props.isWhitespace {
                        let mark: String
                        switch c {
                        case "\u{201C}", "\u{201D}", "\u{201E}": mark = "\""
                        case "\u{2018}", "\u{2019}": mark = "'"
                        default: mark = String(c)
                        }
                        tokens.append(Token(
                            text: mark, start: offset + baseOffset, end: offset + 1 + baseOffset,
                            sentence: sentence, paragraph: paragraph, isWord: false,
                            isNumber: false, isCapitalised: false))
                        if c == "." || c == "!" || c == "?" || c == ";" {
                            // A full stop inside a number or abbreviation like "P.C." does not end a sentence
                            // when the next scalar is not whitespace.
                            let next = i + 1 < scalars.count ? scalars[i + 1] : " "
                            if next.properties.isWhitespace || c == "?" || c == "!" {
                                closeSentence(question: c == "?")
                            }
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
    }

    /// The original text between two scalar offsets (offsets include ``baseOffset``).
    public func quote(from start: Int, to end: Int) -> String {
        let scalars = text.unicodeScalars
        let lo = max(0, min(start - baseOffset, scalars.count))
        let hi = max(lo, min(end - baseOffset, scalars.count))
        let a = scalars.index(scalars.startIndex, offsetBy: lo)
        let b = scalars.index(a, offsetBy: hi - lo)
        return String(scalars[a..<b])
    }
}
