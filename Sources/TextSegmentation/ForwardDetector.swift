import TriageCore

/// A segmented body with the messages forwarded inline in it.
public struct Segmentation: Sendable, Equatable {
    /// The text and its segments.
    public var body: Body
    /// Inline forwards, in text order (outermost first), with their authors.
    public var forwards: [ForwardedMessage]

    public init(body: Body, forwards: [ForwardedMessage]) {
        self.body = body
        self.forwards = forwards
    }
}

/// The header block of a forwarded message: who wrote it, when, about what,
/// and the line where its own text begins.
struct ForwardHeader {
    var author: Party?
    var date: String?
    var subject: String?
    /// First line of the forwarded message's text (after the header block).
    var bodyStart: Int
}

extension Analysis {
    /// Marks the forward that starts at line `f` (its marker or header block,
    /// with a rule just above) and segments the forwarded message itself.
    mutating func markForward(from f: Int, _ kinds: inout [SegmentKind], maxSignatureLines: Int, maxSigDashLines: Int,
                              depth: Int, maxDepth: Int, forwards: inout [ForwardedMessage]) {
        var start = f
        if let p = previousContent(before: f), isRule(p), f - p <= 3 { start = p }
        // Apple Mail and some clients quote the whole forwarded message ("Begin
        // forwarded message:" then "> From: …" and "> " lines): it is still what the
        // writer sent on, so it is read as forwarded text, not as quoted history.
        let after = (f + 1)..<lines.count
        if after.contains(where: { !lines[$0].isBlank }), after.allSatisfy({ lines[$0].isBlank || lines[$0].quoteDepth > 0 }) {
            for k in start...f { kinds[k] = .forwardHeader }
            for k in after { kinds[k] = .forwarded }
            // Its header block ("> From: …", "> Date: …") is read with one quote level removed.
            var unquoted = Analysis(lines: TextSegmenter.splitLines(after.map { lines[$0].rawWithoutOneQuoteLevel }.joined(separator: "\n")),
                                    compiled: compiled)
            var header = ForwardHeader(bodyStart: 0)
            if let first = unquoted.lines.firstIndex(where: { !$0.isBlank }), unquoted.headerRole(first) != nil {
                header = unquoted.forwardHeader(at: first)
                for k in 0..<header.bodyStart { kinds[f + 1 + k] = .forwardHeader }
            }
            forwards.append(ForwardedMessage(form: .inline, author: header.author, date: header.date, subject: header.subject,
                                             start: lines[start].start, end: lines[lines.count - 1].end, depth: depth + 1))
            return
        }
        let header = forwardHeader(at: f)
        for k in start..<header.bodyStart { kinds[k] = .forwardHeader }
        forwards.append(ForwardedMessage(form: .inline, author: header.author, date: header.date, subject: header.subject,
                                         start: lines[start].start, end: lines[lines.count - 1].end, depth: depth + 1))
        guard header.bodyStart < lines.count else { return }
        if depth + 1 >= maxDepth {
            for k in header.bodyStart..<lines.count { kinds[k] = .forwarded }
            return
        }
        var inner = Analysis(lines: Array(lines[header.bodyStart...]), compiled: compiled,
                             subjectIsForward: header.subject.map { compiled.isForwardSubject($0) } ?? false)
        let innerKinds = inner.classify(maxSignatureLines: maxSignatureLines, maxSigDashLines: maxSigDashLines,
                                        depth: depth + 1, maxDepth: maxDepth, forwards: &forwards)
        for (k, kind) in innerKinds.enumerated() {
            kinds[header.bodyStart + k] = kind == .newText ? .forwarded : kind
        }
    }

    /// Reads the forward that starts at line `f`: an optional marker line, then
    /// a header block of "Field: value" lines (blank lines between them allowed,
    /// at most two in a row; at most 16 lines), as Gmail, Thunderbird, Apple
    /// Mail and Outlook write them.
    mutating func forwardHeader(at f: Int) -> ForwardHeader {
        var header = ForwardHeader(bodyStart: f + 1)
        var j = headerRole(f) == nil ? f + 1 : f
        var blanks = 0
        var lastHeader = f
        var lastRole: HeaderRole? = nil
        while j < lines.count && j <= f + 16 {
            if lines[j].isBlank {
                blanks += 1
                if blanks > 2 { break }
                j += 1
                continue
            }
            if let role = headerRole(j) {
                blanks = 0
                let value = headerValue(j)
                switch role {
                case .from where header.author == nil: header.author = Self.party(value)
                case .date where header.date == nil: header.date = value
                case .subject where header.subject == nil: header.subject = value
                default: break
                }
                lastHeader = j
                lastRole = role
                j += 1
                continue
            }
            // A wrapped recipients line ("To: a@example.org;\n  b@example.org").
            if blanks == 0, lastRole == .to, lastHeader == j - 1, lines[j].indented || lastLineContinues(j - 1) {
                lastHeader = j
                j += 1
                continue
            }
            break
        }
        header.bodyStart = lastHeader + 1
        return header
    }

    /// The value of a header line, after the first colon, stars and white space trimmed.
    func headerValue(_ i: Int) -> String {
        let raw = lines[i].raw.replacingStars()
        guard let colon = raw.firstIndex(of: ":") else { return "" }
        return String(raw[raw.index(after: colon)...].trimmingSpaces())
    }

    /// "Jane Example <jane@example.org>", "jane@example.org", "Jane Example
    /// [mailto:jane@example.org]", "Jane Example".
    static func party(_ value: String) -> Party? {
        var name = value
        var address: String? = nil
        for (open, close) in [("<", ">"), ("[mailto:", "]"), ("(", ")")] {
            if let lo = value.range(of: open), let hi = value.range(of: close, range: lo.upperBound..<value.endIndex) {
                let inside = String(value[lo.upperBound..<hi.lowerBound]).trimmingSpaces()
                if inside.contains("@") {
                    address = String(inside.hasPrefix("mailto:") ? inside.dropFirst(7) : inside[...])
                    name = String(value[..<lo.lowerBound])
                    break
                }
            }
        }
        if address == nil, !value.contains(" "), value.contains("@") {
            address = value
            name = ""
        }
        var cleaned = String(name.trimmingSpaces())
        while cleaned.hasPrefix("\"") || cleaned.hasPrefix("'") { cleaned.removeFirst() }
        while cleaned.hasSuffix("\"") || cleaned.hasSuffix("'") { cleaned.removeLast() }
        let party = Party(name: cleaned.isEmpty ? nil : cleaned, address: address)
        return party.isEmpty ? nil : party
    }
}
