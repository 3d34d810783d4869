import Foundation
import MailText

/// RFC 2047 encoded words, RFC 2045/2231 parameters and header text decoding.
public enum HeaderDecoding {
    /// Turns raw header bytes into text: UTF-8 when valid (RFC 6532), else Windows-1252.
    public static func rawText<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        CharsetDecoder.decodeUndeclared(bytes)
    }

    /// True when `text` contains `=?` (a byte scan, no Foundation string search).
    @inline(__always)
    static func mayContainEncodedWord(_ text: String) -> Bool {
        var previousEquals = false
        for b in text.utf8 {
            if b == 0x3F && previousEquals { return true }
            previousEquals = b == 0x3D
        }
        return false
    }

    /// Decodes RFC 2047 encoded words in unstructured text (Subject and the like),
    /// leniently: encoded words inside words are decoded too, and whitespace
    /// between adjacent encoded words is dropped.
    /// - Parameters:
    ///   - text: the unfolded header value.
    ///   - defects: problems met are appended here.
    /// - Returns: the decoded text.
    public static func decodeEncodedWords(_ text: String, defects: inout [String]) -> String {
        guard text.utf8.count >= 8, mayContainEncodedWord(text) else { return text }
        let scalars = Array(text.unicodeScalars)
        // The output as UTF-8 bytes (appending to a String.UnicodeScalarView one
        // scalar at a time is several times slower); pending white space is ASCII.
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var pendingWhitespace: [UInt8] = []
        // Adjacent encoded words in the same charset are joined before decoding
        // (a multi-byte character may be split between them).
        var pendingCharset: String? = nil
        var pendingBytes: [UInt8] = []
        var lastWasEncoded = false
        func flush() {
            if let cs = pendingCharset {
                out.append(contentsOf: decodeWordBytes(pendingBytes, charset: cs, defects: &defects).utf8)
            }
            pendingCharset = nil
            pendingBytes = []
        }
        var i = 0
        let n = scalars.count
        var noTerminatorFrom = Int.max
        while i < n {
            let c = scalars[i]
            if c == "=", i + 1 < n, scalars[i + 1] == "?", i < noTerminatorFrom,
               let (charset, bytes, next) = encodedWord(scalars, at: i, noTerminatorFrom: &noTerminatorFrom, defects: &defects) {
                if let pc = pendingCharset, pc.lowercased() == charset.lowercased() {
                    pendingBytes += bytes
                } else {
                    flush()
                    if !lastWasEncoded { out.append(contentsOf: pendingWhitespace) }
                    pendingCharset = charset
                    pendingBytes = bytes
                }
                pendingWhitespace.removeAll(keepingCapacity: true)
                lastWasEncoded = true
                i = next
                continue
            }
            if c == " " || c == "\t" {
                pendingWhitespace.append(UInt8(c.value))
                i += 1
                continue
            }
            flush()
            out.append(contentsOf: pendingWhitespace)
            pendingWhitespace.removeAll(keepingCapacity: true)
            if c.value < 0x80 {
                out.append(UInt8(c.value))
            } else {
                UTF8.encode(c) { out.append($0) }
            }
            lastWasEncoded = false
            i += 1
        }
        flush()
        out.append(contentsOf: pendingWhitespace)
        return String(decoding: out, as: UTF8.self)
    }

    static func decodeWordBytes(_ bytes: [UInt8], charset cs: String, defects: inout [String]) -> String {
        if CharsetDecoder.resolve(cs) == nil {
            defects.append("encoded word in unknown charset \"\(cs.prefix(40))\"")
            return CharsetDecoder.decodeUndeclared(bytes)
        }
        return CharsetDecoder.decode(bytes, charset: cs)
    }

    /// Parses one encoded word starting at `start` (`=?charset?X?text?=`).
    /// Returns its charset, decoded bytes and the index after it, or nil if it is not one.
    static func encodedWord(_ s: [Unicode.Scalar], at start: Int, noTerminatorFrom: inout Int, defects: inout [String]) -> (String, [UInt8], Int)? {
        let n = s.count
        var i = start + 2
        var charset = String.UnicodeScalarView()
        while i < n, s[i] != "?" {
            if s[i] == " " || s[i] == "\t" || charset.count > 60 { return nil }
            charset.append(s[i]); i += 1
        }
        guard i + 2 < n, s[i + 2] == "?", !charset.isEmpty else { return nil }
        let enc = s[i + 1]
        guard enc == "B" || enc == "b" || enc == "Q" || enc == "q" else { return nil }
        i += 3
        let textStart = i
        // The encoded text ends at "?=" (no "?=" after a point already searched: stop, so this stays linear).
        var end = -1
        var j = i
        while j + 1 < n, j < noTerminatorFrom {
            if s[j] == "?", s[j + 1] == "=" { end = j; break }
            j += 1
        }
        guard end >= 0 else { noTerminatorFrom = min(noTerminatorFrom, i); return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(end - textStart)
        for k in textStart..<end {
            let v = s[k].value
            if v < 0x80 { bytes.append(UInt8(v)) } else { bytes.append(contentsOf: Array(String(s[k]).utf8)) }
        }
        var decodedBytes: [UInt8]
        if enc == "B" || enc == "b" {
            let stripped = bytes.filter { $0 != 0x20 && $0 != 0x09 }
            let r = TransferDecoding.base64(stripped)
            decodedBytes = r.bytes
            if let p = r.problem { defects.append("encoded word: \(p)") }
        } else {
            decodedBytes = []
            var k = 0
            while k < bytes.count {
                let b = bytes[k]
                if b == UInt8(ascii: "_") { decodedBytes.append(0x20); k += 1; continue }
                if b == UInt8(ascii: "="), k + 2 < bytes.count,
                   let h = TransferDecoding.hexValue(bytes[k + 1]), let l = TransferDecoding.hexValue(bytes[k + 2]) {
                    decodedBytes.append(h << 4 | l); k += 3; continue
                }
                decodedBytes.append(b); k += 1
            }
        }
        var cs = String(charset)
        if let star = cs.firstIndex(of: "*") { cs = String(cs[..<star]) } // RFC 2231 language suffix
        return (cs, decodedBytes, end + 2)
    }

    // MARK: - Parameters (RFC 2045, RFC 2231)

    /// A parsed `type/subtype; name=value` header (Content-Type, Content-Disposition).
    public struct ParameterizedValue: Sendable, Equatable {
        /// The value before the first `;`, lower-cased and trimmed.
        public var value: String
        /// Parameters, names lower-cased, values decoded (RFC 2231 and, leniently, RFC 2047).
        public var parameters: [(name: String, value: String)]

        public static func == (a: Self, b: Self) -> Bool {
            a.value == b.value && a.parameters.map(\.name) == b.parameters.map(\.name) && a.parameters.map(\.value) == b.parameters.map(\.value)
        }

        /// The value of a parameter by (lower-case) name, or nil.
        public subscript(_ name: String) -> String? {
            parameters.first(where: { $0.name == name })?.value
        }
    }

    /// Parses a parameterized header value.
    /// - Parameters:
    ///   - text: the unfolded value.
    ///   - defects: problems met are appended here.
    /// - Returns: the main value and its parameters.
    public static func parameterized(_ text: String, defects: inout [String]) -> ParameterizedValue {
        let s = Array(text.unicodeScalars)
        var i = 0
        let n = s.count
        func skipCFWS() {
            while i < n {
                if s[i] == " " || s[i] == "\t" || s[i] == "\r" || s[i] == "\n" { i += 1; continue }
                if s[i] == "(" {
                    var depth = 0
                    while i < n {
                        if s[i] == "\\" { i += 2; continue }
                        if s[i] == "(" { depth += 1 } else if s[i] == ")" { depth -= 1; if depth == 0 { i += 1; break } }
                        i += 1
                    }
                    continue
                }
                break
            }
        }
        skipCFWS()
        var main = String.UnicodeScalarView()
        while i < n, s[i] != ";" {
            if s[i] == "(" { skipCFWS(); continue }
            if s[i] != " " && s[i] != "\t" && s[i] != "\"" { main.append(s[i]) }
            i += 1
        }
        var raw: [(name: String, value: String, quoted: Bool)] = []
        while i < n {
            // at ';' or garbage
            i += 1
            skipCFWS()
            var name = String.UnicodeScalarView()
            while i < n, s[i] != "=", s[i] != ";" {
                if s[i] != " " && s[i] != "\t" { name.append(s[i]) }
                i += 1
            }
            if i >= n || s[i] == ";" {
                if !name.isEmpty { defects.append("parameter without value: \(String(String(name).prefix(40)))") }
                continue
            }
            i += 1 // '='
            skipCFWS()
            var value = String.UnicodeScalarView()
            var quoted = false
            if i < n, s[i] == "\"" {
                quoted = true
                i += 1
                var closed = false
                while i < n {
                    if s[i] == "\\", i + 1 < n { value.append(s[i + 1]); i += 2; continue }
                    if s[i] == "\"" { i += 1; closed = true; break }
                    value.append(s[i]); i += 1
                }
                if !closed { defects.append("unterminated quoted parameter value") }
                // Anything up to the next ';' after the quote is junk.
                while i < n, s[i] != ";" { i += 1 }
            } else {
                while i < n, s[i] != ";" { value.append(s[i]); i += 1 }
                while let last = value.last, last == " " || last == "\t" { value.removeLast() }
            }
            raw.append((String(name).lowercased(), String(value), quoted))
        }
        return ParameterizedValue(value: String(main).lowercased(), parameters: combine2231(raw, defects: &defects))
    }

    /// Joins RFC 2231 continuations and decodes charset'lang'%XX values.
    static func combine2231(_ raw: [(name: String, value: String, quoted: Bool)], defects: inout [String]) -> [(name: String, value: String)] {
        var order: [String] = []
        var simple: [String: String] = [:]
        var pieces: [String: [(index: Int, value: String, encoded: Bool)]] = [:]
        for p in raw {
            var name = p.name
            var encoded = false
            if name.hasSuffix("*") { encoded = true; name.removeLast() }
            var index: Int? = nil
            if let star = name.lastIndex(of: "*"), let k = Int(name[name.index(after: star)...]) {
                index = k
                name = String(name[..<star])
            }
            if !order.contains(name) { order.append(name) }
            if index == nil && !encoded {
                if simple[name] == nil { simple[name] = p.value }
                continue
            }
            pieces[name, default: []].append((index ?? 0, p.value, encoded))
        }
        var result: [(name: String, value: String)] = []
        for name in order {
            if let parts = pieces[name] {
                let sorted = parts.sorted { $0.index < $1.index }
                var charset: String? = nil
                var bytes: [UInt8] = []
                for (k, part) in sorted.enumerated() {
                    var v = part.value
                    if part.encoded {
                        if k == 0 || part.index == 0 {
                            let fields = v.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                            if fields.count == 3 {
                                charset = fields[0].isEmpty ? nil : String(fields[0])
                                v = String(fields[2])
                            }
                        }
                        bytes.append(contentsOf: percentDecode(v))
                    } else {
                        bytes.append(contentsOf: Array(v.utf8))
                    }
                }
                var value: String
                if let charset, CharsetDecoder.resolve(charset) != nil {
                    value = CharsetDecoder.decode(bytes, charset: charset)
                } else {
                    if let charset { defects.append("RFC 2231 parameter in unknown charset \"\(charset.prefix(40))\"") }
                    value = CharsetDecoder.decodeUndeclared(bytes)
                }
                if mayContainEncodedWord(value) { value = decodeEncodedWords(value, defects: &defects) }
                result.append((name, value))
            } else if let v = simple[name] {
                // Lenient: mail clients put RFC 2047 encoded words in parameters.
                result.append((name, mayContainEncodedWord(v) ? decodeEncodedWords(v, defects: &defects) : v))
            }
        }
        return result
    }

    static func percentDecode(_ s: String) -> [UInt8] {
        TransferDecoding.percent(Array(s.utf8)).bytes
    }
}
