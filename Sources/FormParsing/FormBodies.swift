import Foundation
import MailText
import ContentHashing
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
            let name = CharsetDecoder.decodeNoting(n, charset: cs)
            let value = CharsetDecoder.decodeNoting(v, charset: cs)
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
            bytes = Array(CharsetDecoder.decodeWindows1252(body).utf8)
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
            throw FormSyntaxError("multipart body has no part with the boundary its Content-Type declares (\(boundary.utf8.count) bytes)")
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
                let digest = ContentHash.sha256Hex(part.body)
                form.attachments.append(Attachment(
                    filename: filename.flatMap { $0.isEmpty ? nil : $0 },
                    contentType: type?.value.lowercased() ?? "application/octet-stream",
                    size: part.body.count, sha256: digest))
                form.fields.append(FormField(name: name.isEmpty ? "part\(index + 1)" : name, value: filename ?? ""))
            } else {
                let decoded = CharsetDecoder.decodeNoting(part.body, charset: type?.parameters["charset"] ?? defaultCharset)
                if let p = decoded.problem { problems.insert(p) }
                form.fields.append(FormField(name: name.isEmpty ? "part\(index + 1)" : name, value: normaliseNewlines(decoded.text)))
            }
        }
        form.defects.append(contentsOf: problems.sorted())
        return form
    }

    /// MultipartKit 4.7.1 traps (index out of range) on a part header name
    /// byte of 0x80 or more. This runs the same state machine as
    /// `MultipartParser` over the bytes and replaces each such byte — only
    /// where MultipartKit would read it as part of a header name — with `X`,
    /// which MultipartKit accepts, so its run over the result never traps.
    /// - Returns: true when something was replaced.
    static func sanitiseHeaderNames(_ bytes: inout [UInt8], boundary: String) -> Bool {
        let b = Array("\r\n--\(boundary)".utf8)
        let length = b.count
        enum State { case preamble(Int), preHeaders(lf: Bool), headerName(empty: Bool), headerValue(empty: Bool), postHeaderValue, postHeaders, body, boundary(Int) }
        let cr: UInt8 = 0x0D, lf: UInt8 = 0x0A, colon: UInt8 = 0x3A, hyphen: UInt8 = 0x2D
        var state = State.preamble(0)
        var changed = false
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            i += 1
            switch state {
            case let .preamble(index):
                var next: Int
                if index == 0, byte == b[2] { next = 3 } else if byte == b[index] { next = index + 1 } else if index > 0, byte == b[0] { next = 1 } else { next = 0 }
                if next >= length { next = 0; state = .preHeaders(lf: false) } else { state = .preamble(next) }
            case let .preHeaders(wantLF):
                if !wantLF, byte == cr { state = .preHeaders(lf: true) } else if wantLF, byte == lf { state = .headerName(empty: true) } else { return changed } // MultipartKit stops: syntax error
            case let .headerName(empty):
                if byte == colon, !empty { state = .headerValue(empty: true) } else if byte == cr, empty { state = .postHeaders } else if byte >= 0x80 {
                    bytes[i - 1] = UInt8(ascii: "X")
                    changed = true
                    state = .headerName(empty: false)
                } else if allowedInHeaderName(byte) { state = .headerName(empty: false) } else { return changed }
            case let .headerValue(empty):
                if byte == cr { state = .postHeaderValue } else if empty, byte == 9 || byte == 32 { state = .headerValue(empty: true) } else { state = .headerValue(empty: false) }
            case .postHeaderValue:
                if byte == lf { state = .headerName(empty: true) } else { return changed }
            case .postHeaders:
                if byte == lf { state = .body } else { return changed }
            case .body:
                if byte == b[0] { state = .boundary(1) }
            case let .boundary(index):
                if index >= length {
                    if byte == cr { state = .preHeaders(lf: true) } else if byte == hyphen { return changed } else { return changed }
                } else if byte != b[index] {
                    state = byte == b[0] ? .boundary(1) : .body
                } else {
                    state = .boundary(index + 1)
                }
            }
        }
        return changed
    }

    /// MultipartKit's table of header-name bytes (RFC 822 token characters).
    static func allowedInHeaderName(_ byte: UInt8) -> Bool {
        guard byte > 32, byte < 127 else { return false }
        return !"()<>@,;:\\\"/[]?={}".utf8.contains(byte)
    }
}
