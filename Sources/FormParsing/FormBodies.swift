import Foundation
import Crypto
import MultipartKit
import TriageCore

/// The kind of a form body, with what is needed to read it.
enum FormBodyKind: Equatable {
    case urlencoded(charset: String?)
    case multipart(boundary: String, charset: String?)
    case json

    /// The `provenance.format` word.
    var format: String {
        switch self {
        case .urlencoded: return "form_urlencoded"
        case .multipart: return "form_multipart"
        case .json: return "form_json"
        }
    }

    /// The kind named by a Content-Type header value, nil when it is not a form type.
    static func from(contentType: String) throws(FormSyntaxError) -> FormBodyKind? {
        let header = HeaderValue(contentType)
        let type = header.value.lowercased()
        let charset = header.parameters["charset"]
        switch type {
        case "application/x-www-form-urlencoded":
            return .urlencoded(charset: charset)
        case "multipart/form-data":
            guard let boundary = header.parameters["boundary"], !boundary.isEmpty else {
                throw FormSyntaxError("multipart/form-data without a boundary parameter")
            }
            guard boundary.utf8.count <= 200 else { throw FormSyntaxError("multipart boundary longer than 200 bytes") }
            return .multipart(boundary: boundary, charset: charset)
        case "application/json", "text/json":
            return .json
        default:
            if type.hasSuffix("+json") { return .json }
            return nil
        }
    }

    /// Guesses the kind from the body's first bytes.
    static func sniff(_ body: [UInt8]) -> FormBodyKind? {
        let start = body.firstIndex(where: { ![0x20, 0x09, 0x0D, 0x0A].contains($0) }) ?? body.count
        guard start < body.count else { return nil }
        let head = body[start...]
        if head.first == UInt8(ascii: "{") || head.first == UInt8(ascii: "[") { return .json }
        if head.starts(with: [0x2D, 0x2D]) {
            let line = head.dropFirst(2).prefix { $0 != 0x0D && $0 != 0x0A }
            if !line.isEmpty, line.count <= 200, line.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
                return .multipart(boundary: String(decoding: line, as: UTF8.self), charset: nil)
            }
        }
        let sample = head.prefix(4096)
        if sample.contains(UInt8(ascii: "=")), !sample.contains(0), !sample.contains(UInt8(ascii: "<")) {
            return .urlencoded(charset: nil)
        }
        return nil
    }
}

/// Fields and files read from a form body.
struct DecodedForm {
    var fields: [FormField] = []
    var attachments: [Attachment] = []
    var defects: [String] = []
}

enum FormBodyDecoder {
    /// Line ends in field values become `\n`.
    static func normaliseNewlines(_ s: String) -> String {
        guard s.contains("\r") else { return s }
        return s.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    /// `application/x-www-form-urlencoded`: `+` and `%XX` decoding, charset,
    /// repeated fields kept in order.
    static func urlencoded(_ body: [UInt8], charset: String?) -> DecodedForm {
        var form = DecodedForm()
        var bytes = body[...]
        while let last = bytes.last, [0x0D, 0x0A, 0x20, 0x09].contains(last) { bytes = bytes.dropLast() }
        let pairs = bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true)
        var raw: [([UInt8], [UInt8])] = []
        var badEscapes = 0
        for pair in pairs {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentDecoding.decode(bytes: parts.first ?? [], plusAsSpace: true)
            let value = PercentDecoding.decode(bytes: parts.count > 1 ? parts[1] : [], plusAsSpace: true)
            badEscapes += name.badEscapes + value.badEscapes
            raw.append((name.bytes, value.bytes))
        }
        if badEscapes > 0 {
            form.defects.append("\(badEscapes) invalid percent escape(s) kept as written")
        }
        // The charset: the Content-Type parameter, else the `_charset_` field browsers send.
        var cs = charset
        if cs == nil, let hidden = raw.first(where: { $0.0 == Array("_charset_".utf8) }) {
            cs = String(decoding: hidden.1, as: UTF8.self)
        }
        var problems: Set<String> = []
        for (n, v) in raw {
            let name = CharsetDecoding.decode(n, charset: cs)
            let value = CharsetDecoding.decode(v, charset: cs)
            if let p = name.problem { problems.insert(p) }
            if let p = value.problem { problems.insert(p) }
            form.fields.append(FormField(name: normaliseNewlines(name.text), value: normaliseNewlines(value.text)))
        }
        form.defects.append(contentsOf: problems.sorted())
        return form
    }

    /// `application/json`: one object, nested objects flattened to dotted names.
    static func json(_ body: [UInt8]) throws(FormSyntaxError) -> DecodedForm {
        var form = DecodedForm()
        var bytes = body
        if String(validating: bytes, as: UTF8.self) == nil {
            bytes = Array(CharsetDecoding.windows1252(body).utf8)
            form.defects.append("JSON body is not valid UTF-8; read as Windows-1252")
        }
        let value: JSONValue
        do {
            value = try JSONReader.parse(bytes)
        } catch let e as JSONSyntaxError {
            throw FormSyntaxError("invalid JSON at byte \(e.offset): \(e.message)")
        } catch {
            throw FormSyntaxError("invalid JSON")
        }
        guard case .object = value else { throw FormSyntaxError("JSON body is not an object") }
        for (name, text) in value.flattened() {
            form.fields.append(FormField(name: name, value: normaliseNewlines(text)))
        }
        return form
    }

    /// `multipart/form-data` through MultipartKit: text parts become fields,
    /// file parts attachments (with a field naming the file).
    static func multipart(_ body: [UInt8], boundary: String, charset: String?) throws(FormSyntaxError) -> DecodedForm {
        var form = DecodedForm()
        guard !boundary.isEmpty else { throw FormSyntaxError("multipart/form-data with an empty boundary") }
        var input = body
        if !body.contains(0x0D), body.contains(0x0A) {
            // A file saved with bare LF line ends: MultipartKit needs CRLF.
            var fixed: [UInt8] = []
            fixed.reserveCapacity(body.count + body.count / 20)
            for b in body {
                if b == 0x0A { fixed.append(0x0D) }
                fixed.append(b)
            }
            input = fixed
            form.defects.append("multipart body uses bare LF line ends; read as CRLF")
        }
        if sanitiseHeaderNames(&input, boundary: boundary) {
            form.defects.append("multipart part header names with non-ASCII bytes were altered")
        }
        final class Collector {
            var parts: [(headers: [(String, String)], body: [UInt8])] = []
            var headers: [(String, String)] = []
            var body: [UInt8] = []
            var open = false
        }
        let c = Collector()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in
            c.open = true
            c.headers.append((name, value))
        }
        parser.onBody = { buffer in
            c.open = true
            if let bytes = buffer.readBytes(length: buffer.readableBytes) { c.body.append(contentsOf: bytes) }
        }
        parser.onPartComplete = {
            c.parts.append((c.headers, c.body))
            c.headers = []
            c.body = []
            c.open = false
        }
        var syntaxError = false
        do {
            try parser.execute(input)
        } catch {
            syntaxError = true
        }
        if c.open {
            c.parts.append((c.headers, c.body))
            form.defects.append("multipart body ends without its closing boundary; last part kept")
        }
        if syntaxError {
            if c.parts.isEmpty { throw FormSyntaxError("multipart body cannot be read (syntax error before any part)") }
            form.defects.append("multipart syntax error after \(c.parts.count) part(s); the rest was not read")
        }
        if c.parts.isEmpty {
            throw FormSyntaxError("multipart body has no part with boundary \(boundary)")
        }
        // `_charset_` field, if present, gives the charset of text parts.
        var defaultCharset = charset
        for part in c.parts {
            let disposition = HeaderValue(part.headers.first { $0.0.lowercased() == "content-disposition" }?.1 ?? "")
            if disposition.parameters["name"] == "_charset_" { defaultCharset = String(decoding: part.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        var problems: Set<String> = []
        for (index, part) in c.parts.enumerated() {
            let dispositionRaw = part.headers.first { $0.0.lowercased() == "content-disposition" }?.1
            let typeRaw = part.headers.first { $0.0.lowercased() == "content-type" }?.1
            let disposition = HeaderValue(dispositionRaw ?? "")
            let type = typeRaw.map(HeaderValue.init)
            let name = disposition.parameters["name"] ?? ""
            if dispositionRaw == nil { problems.insert("multipart part without Content-Disposition") }
            let filename = disposition.parameters["filename"]
            let isFile = filename != nil || (type.map { !$0.value.lowercased().hasPrefix("text/") } ?? false)
            if isFile {
                if (filename ?? "").isEmpty && part.body.isEmpty { continue } // an empty file input
                let digest = SHA256.hash(data: part.body).map { String(format: "%02x", $0) }.joined()
                form.attachments.append(Attachment(
                    filename: filename.flatMap { $0.isEmpty ? nil : $0 },
                    contentType: type?.value.lowercased() ?? "application/octet-stream",
                    size: part.body.count, sha256: digest))
                form.fields.append(FormField(name: name.isEmpty ? "part\(index + 1)" : name, value: filename ?? ""))
            } else {
                let decoded = CharsetDecoding.decode(part.body, charset: type?.parameters["charset"] ?? defaultCharset)
                if let p = decoded.problem { problems.insert(p) }
                form.fields.append(FormField(name: name.isEmpty ? "part\(index + 1)" : name, value: normaliseNewlines(decoded.text)))
            }
        }
        form.defects.append(contentsOf: problems.sorted())
        return form
    }

    /// MultipartKit 4.7.1 traps (index out of range) on a part header name
    /// byte of 0x80 or more. Replaces such bytes in header names — and only
    /// there — with `X`, finding the header blocks the way MultipartKit does.
    /// - Returns: true when something was replaced.
    static func sanitiseHeaderNames(_ bytes: inout [UInt8], boundary: String) -> Bool {
        let delimiter = Array("--\(boundary)".utf8)
        guard !delimiter.isEmpty, bytes.count >= delimiter.count else { return false }
        func find(_ needle: [UInt8], from start: Int) -> Int? {
            guard start >= 0, needle.count <= bytes.count - start, let first = needle.first else { return nil }
            var i = start
            let last = bytes.count - needle.count
            while i <= last {
                if bytes[i] == first {
                    var j = 1
                    while j < needle.count, bytes[i + j] == needle[j] { j += 1 }
                    if j == needle.count { return i }
                }
                i += 1
            }
            return nil
        }
        var changed = false
        var searchFrom = 0
        var firstDelimiter = true
        while true {
            let target = firstDelimiter ? delimiter : [0x0D, 0x0A] + delimiter
            guard let at = find(target, from: searchFrom) else { break }
            firstDelimiter = false
            var pos = at + target.count
            // Header block: lines until an empty line.
            while pos < bytes.count {
                if bytes[pos] == 0x2D { break } // closing "--": no headers follow
                // Skip the CRLF ending the delimiter line (or the previous header line).
                if bytes[pos] == 0x0D { pos += 1 }
                if pos < bytes.count, bytes[pos] == 0x0A { pos += 1 }
                if pos >= bytes.count || bytes[pos] == 0x0D { break } // empty line: end of headers
                // Header name up to ':' or end of line.
                while pos < bytes.count, bytes[pos] != 0x3A, bytes[pos] != 0x0D, bytes[pos] != 0x0A {
                    if bytes[pos] >= 0x80 { bytes[pos] = UInt8(ascii: "X"); changed = true }
                    pos += 1
                }
                while pos < bytes.count, bytes[pos] != 0x0D, bytes[pos] != 0x0A { pos += 1 }
            }
            searchFrom = max(pos, at + 1)
        }
        return changed
    }
}
