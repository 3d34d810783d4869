import TriageCore

/// The one scan over a text: line boundaries, scalar offsets, the features of
/// each line; and the segments made from the kinds given to the lines.
extension TextSegmenter {

    /// One line: scalar offsets, and the analysed prefix normalised.
    struct Line {
        /// Offset of the first scalar.
        var start: Int
        /// Offset just past the line break (or the end of the text).
        var end: Int
        /// The first `maxAnalysedLineLength` scalars of the content, raw.
        var raw: String
        /// Content length in scalars (without the line break).
        var length: Int
        /// True when the content is only white space.
        var isBlank: Bool
        /// Number of leading `>` quote marks.
        var quoteDepth: Int
        /// True when the content starts with white space.
        var indented: Bool
        /// First and last non-space scalars of the analysed prefix.
        var first: Unicode.Scalar?
        var last: Unicode.Scalar?
        /// True when a ":" comes within the first 30 scalars (header fields).
        var earlyColon: Bool
        /// Words (runs of non-space) in the analysed prefix.
        var words: Int
        /// True when the analysed prefix has a letter (ASCII or any non-ASCII scalar).
        var hasLetter: Bool

        /// The analysed prefix with its first `>` quote mark (and one space after it) removed.
        var rawWithoutOneQuoteLevel: String {
            guard quoteDepth > 0, let mark = raw.unicodeScalars.firstIndex(of: ">") else { return raw }
            var rest = raw.unicodeScalars[raw.unicodeScalars.index(after: mark)...]
            if rest.first == " " { rest = rest.dropFirst() }
            return String(rest)
        }
    }

    /// Scans the text once: line boundaries, scalar offsets and the features
    /// of each line's analysed prefix.
    static func splitLines(_ text: String) -> [Line] {
        var scanner = LineScanner(text.unicodeScalars)
        scanner.run()
        return scanner.lines
    }

    /// The state of the one scan over the text (a struct with mutating
    /// methods, so that debug builds need no dynamic exclusivity checks).
    struct LineScanner {
        let scalars: String.UnicodeScalarView
        var lines: [Line] = []
        var offset = 0
        var lineStart = 0
        var length = 0
        var rawStart: String.UnicodeScalarView.Index
        var rawEnd: String.UnicodeScalarView.Index   // end of the analysed prefix
        // features of the current line
        var quoteDepth = 0
        var leadingSpaces = 0
        var inQuotePrefix = true
        var first: Unicode.Scalar? = nil
        var last: Unicode.Scalar? = nil
        var earlyColon = false
        var words = 0
        var inWord = false
        var hasLetter = false

        init(_ scalars: String.UnicodeScalarView) {
            self.scalars = scalars
            rawStart = scalars.startIndex
            rawEnd = scalars.startIndex
        }

        mutating func finish(_ end: Int, next: String.UnicodeScalarView.Index) {
            let raw = String(scalars[rawStart..<rawEnd])
            // An unexamined tail (very long line) counts as content.
            let isBlank = first == nil && length <= maxAnalysedLineLength
            lines.append(Line(start: lineStart, end: end, raw: raw, length: length, isBlank: isBlank,
                              quoteDepth: quoteDepth, indented: first != nil && leadingSpaces > 0,
                              first: first, last: last, earlyColon: earlyColon, words: words, hasLetter: hasLetter))
            length = 0
            lineStart = end
            rawStart = next
            rawEnd = next
            quoteDepth = 0; leadingSpaces = 0; inQuotePrefix = true; first = nil; last = nil
            earlyColon = false; words = 0; inWord = false; hasLetter = false
        }

        mutating func content(_ s: Unicode.Scalar, next: String.UnicodeScalarView.Index) {
            if length < maxAnalysedLineLength {
                rawEnd = next
                let space = isSpace(s)
                if space {
                    inWord = false
                    if first == nil { leadingSpaces += 1 }
                } else {
                    if !inWord { words += 1; inWord = true }
                    if first == nil { first = s }
                    last = s
                    if s == ":" && length < 30 { earlyColon = true }
                    if !hasLetter && (s.value >= 0x80 || (s.value | 0x20) >= 0x61 && (s.value | 0x20) <= 0x7A) { hasLetter = true }
                }
                if inQuotePrefix {
                    if s == ">" {
                        quoteDepth += 1
                    } else if !(space && (quoteDepth > 0 || leadingSpaces <= 3)) {
                        inQuotePrefix = false
                    }
                }
            }
            length += 1
        }

        mutating func run() {
            var pendingCR = false
            var index = scalars.startIndex
            let endIndex = scalars.endIndex
            while index < endIndex {
                let s = scalars[index]
                let next = scalars.index(after: index)
                if pendingCR {
                    pendingCR = false
                    if s == "\n" {
                        offset += 1
                        finish(offset, next: next)
                        index = next
                        continue
                    }
                    finish(offset, next: index)
                }
                offset += 1
                if s == "\n" {
                    finish(offset, next: next)
                } else if s == "\r" {
                    pendingCR = true
                } else {
                    content(s, next: next)
                }
                index = next
            }
            if pendingCR || offset > lineStart { finish(offset, next: endIndex) }
        }
    }

    @inline(__always)
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09, 0x0B, 0x0C, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
            return true
        default:
            return false
        }
    }

    // MARK: Output

    static func segments(lines: [Line], kinds: [SegmentKind]) -> [Segment] {
        // Blank lines take the kind of the nearest earlier non-blank line; leading
        // blank lines take the kind of the first non-blank line.
        var resolved = kinds
        var previous: SegmentKind? = nil
        for i in lines.indices {
            if lines[i].isBlank {
                if let previous { resolved[i] = previous }
            } else {
                previous = resolved[i]
            }
        }
        if let firstContent = lines.firstIndex(where: { !$0.isBlank }) {
            for i in 0..<firstContent { resolved[i] = resolved[firstContent] }
        } else {
            for i in resolved.indices { resolved[i] = .newText }
        }
        var out: [Segment] = []
        for i in lines.indices {
            let kind = resolved[i]
            if let last = out.last, last.kind == kind, last.end == lines[i].start {
                out[out.count - 1].end = lines[i].end
            } else if lines[i].end > lines[i].start {
                out.append(Segment(kind: kind, start: lines[i].start, end: lines[i].end))
            }
        }
        return out
    }
}
