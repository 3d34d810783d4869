import Foundation
import TextSegmentation
import TriageCore

/// Rewrites of an item that must not change its decision (DESIGN "Measuring it
/// honestly"): the same words re-encoded, re-wrapped or sent as HTML, and the
/// same meaning with contractions expanded or contracted, in capitals, or under a
/// short reply line.
///
/// Only the writer's new text is rewritten; quoted history, signature and
/// disclaimer stay as they were. Emails are rebuilt as new RFC 5322 messages
/// and parsed again, so encodings go through the real parser; forms and letters
/// have their text rewritten and segmented again.
public enum MeaningPreservingVariant: String, CaseIterable, Sendable {
    case crlf
    case quotedPrintable = "quoted_printable"
    case base64
    case htmlOnly = "html_only"
    case wrap40 = "wrap_40"
    case wrap72 = "wrap_72"
    case unwrapped
    case contractionsExpanded = "contractions_expanded"
    case contractionsContracted = "contractions_contracted"
    case capitals
    case underReplyLine = "under_reply_line"

    /// Encodings and wrapping change nothing a reader sees: no decision may change.
    /// Wording variants may change a few (at least 98% must hold).
    public var isWording: Bool {
        switch self {
        case .contractionsExpanded, .contractionsContracted, .capitals, .underReplyLine: return true
        default: return false
        }
    }

    /// Whether this variant applies to the channel (encodings are email only).
    public func applies(to channel: Channel) -> Bool {
        switch self {
        case .crlf, .quotedPrintable, .base64, .htmlOnly: return channel == .email
        default: return true
        }
    }
}

/// Builds the variants of one parsed item.
public struct VariantMaker: Sendable {
    let ingester: Ingester
    let segmenter = TextSegmenter()

    public init(ingester: Ingester) {
        self.ingester = ingester
    }

    /// The item rewritten as `variant`, parsed again; nil when the variant does not apply.
    public func make(_ variant: MeaningPreservingVariant, of item: Correspondence) throws -> Correspondence? {
        guard variant.applies(to: item.channel) else { return nil }
        // An email carrying attached files or attached messages cannot be rebuilt from
        // its text alone (the attachment's author and bytes would be lost): not rewritten.
        if item.channel == .email, item.attachments.contains(where: { $0.role == .file }) || item.forwards.contains(where: { $0.form == .attached }) {
            return nil
        }
        let text = Self.rewriteNewText(of: item.body) { Self.rewrite($0, variant) }
        if item.channel == .email {
            let raw = Self.email(from: item, text: text, variant: variant)
            return try ingester.parse(RawItem(bytes: raw, source: item.provenance.source + "#" + variant.rawValue), fileTime: nil)
        }
        var copy = item
        copy.body = segmenter.body(for: text)
        return copy
    }

    // MARK: Text

    /// The body text with each new-text segment rewritten and everything else kept.
    static func rewriteNewText(of body: Body, _ transform: (String) -> String) -> String {
        let scalars = Array(body.text.unicodeScalars)
        func slice(_ lo: Int, _ hi: Int) -> String {
            var v = String.UnicodeScalarView()
            v.append(contentsOf: scalars[max(0, min(lo, scalars.count))..<max(0, min(hi, scalars.count))])
            return String(v)
        }
        var out = ""
        var position = 0
        for segment in body.segments.sorted(by: { $0.start < $1.start }) {
            if segment.start > position { out += slice(position, segment.start) }
            let part = slice(segment.start, segment.end)
            out += segment.kind == .newText ? transform(part) : part
            position = max(position, segment.end)
        }
        if position < scalars.count { out += slice(position, scalars.count) }
        return out
    }

    static func rewrite(_ text: String, _ variant: MeaningPreservingVariant) -> String {
        switch variant {
        case .crlf, .quotedPrintable, .base64, .htmlOnly: return text
        case .wrap40: return wrap(text, width: 40)
        case .wrap72: return wrap(text, width: 72)
        case .unwrapped: return wrap(text, width: nil)
        case .contractionsExpanded: return replacing(text, contractions.map { ($0.1, $0.0) })
        case .contractionsContracted: return replacing(text, contractions)
        case .capitals: return text.uppercased()
        case .underReplyLine: return "Please see below.\n\n" + text
        }
    }

    /// Paragraphs (blank-line separated) re-flowed to `width` columns, or onto one line each.
    static func wrap(_ text: String, width: Int?) -> String {
        let trailingNewline = text.hasSuffix("\n")
        let paragraphs = text.components(separatedBy: "\n\n")
        let flowed = paragraphs.map { paragraph -> String in
            let words = paragraph.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
            guard let width else { return words.joined(separator: " ") }
            var lines: [String] = []
            var line = ""
            for word in words {
                if !line.isEmpty, line.count + 1 + word.count > width {
                    lines.append(line)
                    line = ""
                }
                line += (line.isEmpty ? "" : " ") + word
            }
            if !line.isEmpty { lines.append(line) }
            return lines.joined(separator: "\n")
        }
        return flowed.joined(separator: "\n\n") + (trailingNewline ? "\n" : "")
    }

    /// Contracted form → full form, as writers use them.
    static let contractions: [(String, String)] = [
        ("I'd like", "I would like"), ("I'm", "I am"), ("I've", "I have"), ("I'll", "I will"),
        ("don't", "do not"), ("didn't", "did not"), ("doesn't", "does not"), ("can't", "cannot"),
        ("won't", "will not"), ("wasn't", "was not"), ("weren't", "were not"), ("isn't", "is not"),
        ("aren't", "are not"), ("haven't", "have not"), ("hasn't", "has not"), ("hadn't", "had not"),
        ("couldn't", "could not"), ("wouldn't", "would not"), ("shouldn't", "should not"),
        ("it's", "it is"), ("that's", "that is"), ("they're", "they are"), ("we're", "we are"),
        ("you're", "you are"), ("they've", "they have"), ("we've", "we have"), ("there's", "there is"),
    ]

    /// Replaces whole-word occurrences, keeping a capital first letter.
    static func replacing(_ text: String, _ pairs: [(String, String)]) -> String {
        var out = text.replacingOccurrences(of: "\u{2019}", with: "'")
        for (from, to) in pairs {
            for (f, t) in [(from, to), (capitalisedFirst(from), capitalisedFirst(to))] {
                let pattern = "(?<![A-Za-z'])" + NSRegularExpression.escapedPattern(for: f) + "(?![A-Za-z'])"
                guard let regex = try? NSRegularExpression(pattern: pattern) else { continue }
                out = regex.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out),
                                                     withTemplate: NSRegularExpression.escapedTemplate(for: t))
            }
        }
        return out
    }

    static func capitalisedFirst(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }

    // MARK: Email

    /// A new RFC 5322 message with the item's headers and `text` as its body.
    static func email(from item: Correspondence, text: String, variant: MeaningPreservingVariant) -> [UInt8] {
        var headers: [String] = []
        func address(_ p: Party) -> String {
            let a = p.address ?? ""
            guard let name = p.name, !name.isEmpty else { return a }
            let ascii = name.unicodeScalars.allSatisfy { $0.isASCII && $0 != "\"" }
            return ascii ? "\"\(name)\" <\(a)>" : "=?UTF-8?B?\(Data(name.utf8).base64EncodedString())?= <\(a)>"
        }
        if let sender = item.sender { headers.append("From: " + address(sender)) }
        if !item.recipients.isEmpty { headers.append("To: " + item.recipients.map(address).joined(separator: ", ")) }
        if let subject = item.subject {
            headers.append("Subject: =?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?=")
        }
        if let date = item.date?.value { headers.append("Date: " + rfc5322Date(date)) }
        headers.append("MIME-Version: 1.0")
        let body: String
        switch variant {
        case .htmlOnly:
            headers.append("Content-Type: text/html; charset=utf-8")
            headers.append("Content-Transfer-Encoding: base64")
            body = base64Lines(Data(html(text).utf8))
        case .base64:
            headers.append("Content-Type: text/plain; charset=utf-8")
            headers.append("Content-Transfer-Encoding: base64")
            body = base64Lines(Data(text.utf8))
        case .quotedPrintable:
            headers.append("Content-Type: text/plain; charset=utf-8")
            headers.append("Content-Transfer-Encoding: quoted-printable")
            body = quotedPrintable(text)
        default:
            headers.append("Content-Type: text/plain; charset=utf-8")
            headers.append("Content-Transfer-Encoding: 8bit")
            body = text
        }
        let eol = variant == .crlf ? "\r\n" : "\n"
        let bodyLines = body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        let message = headers.joined(separator: eol) + eol + eol + bodyLines.joined(separator: eol)
        return Array(message.utf8)
    }

    static func rfc5322Date(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return f.string(from: date)
    }

    static func base64Lines(_ data: Data) -> String {
        let encoded = data.base64EncodedString()
        var lines: [String] = []
        var rest = Substring(encoded)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(76)))
            rest = rest.dropFirst(76)
        }
        return lines.joined(separator: "\n")
    }

    /// Quoted-printable (RFC 2045 §6.7): soft line breaks at 76 columns.
    static func quotedPrintable(_ text: String) -> String {
        var out: [String] = []
        for line in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            var encoded = ""
            var width = 0
            let bytes = Array(line.utf8)
            for (i, b) in bytes.enumerated() {
                let isLast = i == bytes.count - 1
                let piece: String
                if (b >= 33 && b <= 126 && b != 61) || ((b == 32 || b == 9) && !isLast) {
                    piece = String(UnicodeScalar(b))
                } else {
                    piece = String(format: "=%02X", b)
                }
                if width + piece.count > 75 {
                    encoded += "=\n"
                    width = 0
                }
                encoded += piece
                width += piece.count
            }
            out.append(encoded)
        }
        return out.joined(separator: "\n")
    }

    /// The text as a plain HTML page: paragraphs, line breaks, characters escaped.
    static func html(_ text: String) -> String {
        func escape(_ s: Substring) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        let paragraphs = text.components(separatedBy: "\n\n").map { p in
            "<p>" + p.split(separator: "\n", omittingEmptySubsequences: false).map(escape).joined(separator: "<br>\n") + "</p>"
        }
        return "<html><head><meta charset=\"utf-8\"></head><body>\n" + paragraphs.joined(separator: "\n") + "\n</body></html>\n"
    }
}
