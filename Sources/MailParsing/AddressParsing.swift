import Foundation
import MailText

/// One mailbox from an address header.
public struct MailAddress: Sendable, Equatable, Hashable {
    /// Display name, decoded, or nil.
    public var name: String?
    /// The address (`local@domain`), or what stands in its place.
    public var address: String
    /// True when the name comes from a comment (`addr (Name)`, the obsolete form), not a display name.
    public var nameFromComment: Bool

    public init(name: String?, address: String, nameFromComment: Bool = false) {
        self.name = name
        self.address = address
        self.nameFromComment = nameFromComment
    }
}

/// Scalars collected as UTF-8 bytes: the same string as a `String.UnicodeScalarView`
/// appended to scalar by scalar, which is several times slower.
private struct ScalarBuffer {
    private var bytes: [UInt8] = []

    var isEmpty: Bool { bytes.isEmpty }

    mutating func append(_ scalar: Unicode.Scalar) {
        if scalar.value < 0x80 { bytes.append(UInt8(scalar.value)) } else { UTF8.encode(scalar) { bytes.append($0) } }
    }

    mutating func append(contentsOf text: String) { bytes.append(contentsOf: text.utf8) }

    var string: String { String(decoding: bytes, as: UTF8.self) }
}

/// Lenient RFC 5322 address-list parsing (groups, comments, quoted names,
/// obsolete routes, encoded words).
public enum AddressParsing {
    private enum Token {
        case word(String, quoted: Bool)
        case comment(String)
        case angle(String)
        case special(Unicode.Scalar)
    }

    /// Parses an address list.
    /// - Parameters:
    ///   - text: the unfolded header value (raw, encoded words not yet decoded).
    ///   - defects: problems met are appended here.
    /// - Returns: the mailboxes in order (group names are dropped, their members kept).
    public static func parseList(_ text: String, defects: inout [String]) -> [MailAddress] {
        let s = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var i = 0
        let n = s.count
        while i < n {
            let c = s[i]
            switch c {
            case " ", "\t", "\r", "\n":
                i += 1
            case "\"":
                var v = ScalarBuffer()
                i += 1
                var closed = false
                while i < n {
                    if s[i] == "\\", i + 1 < n { v.append(s[i + 1]); i += 2; continue }
                    if s[i] == "\"" { i += 1; closed = true; break }
                    v.append(s[i]); i += 1
                }
                if !closed { defects.append("address: unterminated quoted string") }
                tokens.append(.word(v.string, quoted: true))
            case "(":
                var depth = 0
                var v = ScalarBuffer()
                while i < n {
                    if s[i] == "\\", i + 1 < n { v.append(s[i + 1]); i += 2; continue }
                    if s[i] == "(" { depth += 1; if depth > 1 { v.append(s[i]) } ; i += 1; continue }
                    if s[i] == ")" { depth -= 1; i += 1; if depth == 0 { break }; v.append(")"); continue }
                    v.append(s[i]); i += 1
                }
                if depth > 0 { defects.append("address: unterminated comment") }
                tokens.append(.comment(v.string))
            case "<":
                var v = ScalarBuffer()
                i += 1
                var closed = false
                while i < n {
                    if s[i] == ">" { i += 1; closed = true; break }
                    if s[i] == "\"" {
                        // quoted local part inside an angle address
                        v.append(s[i]); i += 1
                        while i < n, s[i] != "\"" { if s[i] == "\\", i + 1 < n { v.append(s[i]); i += 1 }; v.append(s[i]); i += 1 }
                        if i < n { v.append(s[i]); i += 1 }
                        continue
                    }
                    if s[i] != " " && s[i] != "\t" && s[i] != "\r" && s[i] != "\n" { v.append(s[i]) }
                    i += 1
                }
                if !closed { defects.append("address: unterminated angle address") }
                tokens.append(.angle(v.string))
            case ",", ":", ";", "@", ".", ">":
                tokens.append(.special(c)); i += 1
            default:
                var v = ScalarBuffer()
                // An encoded word may contain ':' and '.'; an atom may not.
                let encodedWord = c == "=" && i + 1 < n && s[i + 1] == "?"
                while i < n {
                    let d = s[i]
                    if d == " " || d == "\t" || d == "\r" || d == "\n" || d == "\"" || d == "(" || d == "<" || d == "," || d == ";" || d == "@" || d == ">" { break }
                    if (d == ":" || d == ".") && !encodedWord { break }
                    v.append(d); i += 1
                }
                if v.isEmpty { i += 1; continue }
                tokens.append(.word(v.string, quoted: false))
            }
        }

        var result: [MailAddress] = []
        // Current mailbox under construction.
        var phrase: [(String, Bool, Bool)] = [] // (text, quoted, spaceBefore)
        var addrSpec = ScalarBuffer()
        var angle: String? = nil
        var comments: [String] = []
        var sawAt = false
        var spaceBefore = false

        func decodedPhrase() -> String {
            var out = ""
            var lastEncoded = false
            for (k, w) in phrase.enumerated() {
                let isEncoded = !w.1 && w.0.hasPrefix("=?") && w.0.hasSuffix("?=")
                var dummy: [String] = []
                let text = w.1 ? (HeaderDecoding.mayContainEncodedWord(w.0) ? HeaderDecoding.decodeEncodedWords(w.0, defects: &dummy) : w.0)
                    : (HeaderDecoding.mayContainEncodedWord(w.0) ? HeaderDecoding.decodeEncodedWords(w.0, defects: &dummy) : w.0)
                if k > 0 && !(isEncoded && lastEncoded) && w.2 { out += " " }
                out += text
                lastEncoded = isEncoded
            }
            return out
        }
        func finish() {
            defer {
                phrase = []; addrSpec = ScalarBuffer(); angle = nil; comments = []; sawAt = false
            }
            if let a = angle {
                var address = a
                // Obsolete route: <@a,@b:user@host>
                if address.hasPrefix("@"), let colon = address.firstIndex(of: ":") { address = String(address[address.index(after: colon)...]) }
                let name = decodedPhrase()
                if name.isEmpty, let comment = comments.last.map({ decodeComment($0) }), !comment.isEmpty {
                    result.append(MailAddress(name: comment, address: address, nameFromComment: true))
                } else {
                    result.append(MailAddress(name: name.isEmpty ? nil : name, address: address))
                }
                return
            }
            if !addrSpec.isEmpty, !sawAt, phrase.count > 1 {
                // Only a display name, no address: keep the decoded phrase.
                defects.append("address: no address in \"\(String(decodedPhrase().prefix(40)))\"")
                result.append(MailAddress(name: nil, address: decodedPhrase()))
                return
            }
            if !addrSpec.isEmpty {
                let name = comments.first.map { decodeComment($0) }
                let hasName = !(name?.isEmpty ?? true)
                result.append(MailAddress(name: hasName ? name : nil, address: addrSpec.string, nameFromComment: hasName))
                return
            }
            if !phrase.isEmpty {
                defects.append("address: no address in \"\(String(decodedPhrase().prefix(40)))\"")
                result.append(MailAddress(name: nil, address: decodedPhrase()))
            }
        }
        func decodeComment(_ c: String) -> String {
            var dummy: [String] = []
            return HeaderDecoding.decodeEncodedWords(c, defects: &dummy).trimmingBlanks()
        }

        // Rebuild spacing: we need to know whether tokens were separated by whitespace
        // for addr-spec assembly; approximate by treating words and specials as an addr-spec
        // once an '@' appears.
        var k = 0
        while k < tokens.count {
            let t = tokens[k]
            switch t {
            case .word(let w, let q):
                phrase.append((w, q, true))
                if q { addrSpec.append(contentsOf: "\"" + w + "\"") } else { addrSpec.append(contentsOf: w) }
            case .comment(let c):
                comments.append(c)
            case .angle(let a):
                if angle != nil { defects.append("address: two angle addresses in one mailbox") }
                angle = a
            case .special(let c):
                switch c {
                case ",":
                    finish()
                case ";":
                    finish()
                case ":":
                    if angle == nil && !sawAt {
                        // Group name: drop it.
                        phrase = []; addrSpec = ScalarBuffer(); comments = []
                    } else {
                        addrSpec.append(c)
                    }
                case "@":
                    sawAt = true
                    addrSpec.append(c)
                    if var last = phrase.popLast() { last.0 += "@"; phrase.append(last) }
                    // glue the next word to this one
                    if k + 1 < tokens.count, case .word(let w, let q) = tokens[k + 1] {
                        addrSpec.append(contentsOf: w)
                        if var last = phrase.popLast() { last.0 += w; phrase.append(last) } else { phrase.append((w, q, true)) }
                        k += 1
                    }
                case ".":
                    addrSpec.append(c)
                    if var last = phrase.popLast() { last.0 += "."; phrase.append(last) }
                    if k + 1 < tokens.count, case .word(let w, _) = tokens[k + 1] {
                        addrSpec.append(contentsOf: w)
                        if var last = phrase.popLast() { last.0 += w; phrase.append(last) }
                        k += 1
                    }
                default:
                    break
                }
            }
            k += 1
        }
        finish()
        _ = spaceBefore
        spaceBefore = false
        return result
    }
}
