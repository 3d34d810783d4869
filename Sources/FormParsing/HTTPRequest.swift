import Foundation
import MailText

/// A raw HTTP/1.x request as read from a file: request line, headers, body.
struct HTTPRequest {
    var method: String
    /// The request target as sent (`/contact/complaint?x=1`).
    var target: String
    /// Header fields in order (names as sent).
    var headers: [(name: String, value: String)]
    /// The body after Content-Length / chunked decoding.
    var body: [UInt8]
    /// Problems met while reading.
    var defects: [String]

    /// The path part of the target, without query or scheme/host.
    var path: String {
        var t = Substring(target)
        if let r = t.range(of: "://") {
            t = t[r.upperBound...]
            if let slash = t.firstIndex(of: "/") { t = t[slash...] } else { t = "/" }
        }
        if let q = t.firstIndex(where: { $0 == "?" || $0 == "#" }) { t = t[..<q] }
        return String(t)
    }

    /// The query string of the target, if any.
    var query: String? {
        guard let q = target.firstIndex(of: "?") else { return nil }
        var rest = target[target.index(after: q)...]
        if let h = rest.firstIndex(of: "#") { rest = rest[..<h] }
        return String(rest)
    }

    /// The first value of a header (case-insensitive name).
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    static let methods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]

    /// True when the bytes start with an HTTP request line (`POST /x HTTP/1.1`).
    static func looksLikeRequest(_ bytes: [UInt8]) -> Bool {
        let firstLine = bytes.prefix(8192).split(separator: 0x0A, maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        let line = String(decoding: firstLine, as: UTF8.self).trimmingCharacters(in: .init(charactersIn: "\r"))
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3, methods.contains(String(parts[0])) else { return false }
        return parts[2].hasPrefix("HTTP/")
    }

    /// Reads a request. Throws a message when the bytes are not a request.
    static func parse(_ bytes: [UInt8]) throws(FormSyntaxError) -> HTTPRequest {
        var defects: [String] = []
        // Split off the head at the first empty line (CRLF CRLF or LF LF).
        var headEnd: Int? = nil
        var bodyStart = bytes.count
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0A {
                if i + 1 < bytes.count, bytes[i + 1] == 0x0A { headEnd = i; bodyStart = i + 2; break }
                if i + 2 < bytes.count, bytes[i + 1] == 0x0D, bytes[i + 2] == 0x0A { headEnd = i; bodyStart = i + 3; break }
            }
            i += 1
        }
        if headEnd == nil {
            defects.append("request has no empty line after its headers; read as headers only")
            headEnd = bytes.count
        }
        // Split the head on LF bytes (a String would treat CRLF as one character).
        var lines = bytes[0..<(headEnd ?? bytes.count)].split(separator: 0x0A, omittingEmptySubsequences: false).map { line -> String in
            let trimmed = line.last == 0x0D ? line.dropLast() : line
            return String(validating: trimmed, as: UTF8.self) ?? CharsetDecoder.decodeWindows1252(Array(trimmed))
        }
        guard !lines.isEmpty else { throw FormSyntaxError("empty request") }
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: true)
        guard requestLine.count == 3, methods.contains(String(requestLine[0])) else {
            throw FormSyntaxError("first line is not an HTTP request line")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            if line.isEmpty { continue }
            if let first = line.first, first == " " || first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                defects.append("header line without a colon ignored")
                continue
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.append((name, value))
        }
        var request = HTTPRequest(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: [], defects: defects)
        let rest = bodyStart < bytes.count ? Array(bytes[bodyStart...]) : []
        if let te = request.header("Transfer-Encoding"), te.lowercased().contains("chunked") {
            let (decoded, problem) = decodeChunked(rest)
            request.body = decoded
            if let problem { request.defects.append(problem) }
        } else if let cl = request.header("Content-Length") {
            if let length = Int(cl.trimmingCharacters(in: .whitespaces)), length >= 0 {
                if length <= rest.count {
                    request.body = Array(rest[0..<length])
                    let extra = rest[length...]
                    if extra.contains(where: { ![0x0D, 0x0A, 0x20, 0x09].contains($0) }) {
                        request.defects.append("\(extra.count) bytes after Content-Length ignored")
                    }
                } else {
                    request.body = rest
                    request.defects.append("body is \(rest.count) bytes, shorter than Content-Length \(length)")
                }
            } else {
                request.body = rest
                request.defects.append("invalid Content-Length \(cl); whole remainder read as body")
            }
        } else {
            request.body = rest
        }
        return request
    }

    /// Decodes a chunked body; returns what could be read and a problem, if any.
    static func decodeChunked(_ bytes: [UInt8]) -> ([UInt8], String?) {
        var out: [UInt8] = []
        var pos = 0
        while pos < bytes.count {
            guard let lf = bytes[pos...].firstIndex(of: 0x0A) else {
                return (out, "chunked body ends inside a chunk-size line")
            }
            var line = String(decoding: bytes[pos..<lf], as: UTF8.self)
            if line.hasSuffix("\r") { line.removeLast() }
            if let semi = line.firstIndex(of: ";") { line = String(line[..<semi]) }
            line = line.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, line.count <= 15, let size = Int(line, radix: 16), size >= 0 else {
                return (out, "invalid chunk size line in chunked body")
            }
            pos = lf + 1
            if size == 0 { return (out, nil) } // trailers, if any, are ignored
            guard size <= bytes.count - pos else {
                out.append(contentsOf: bytes[pos...])
                return (out, "chunked body ends inside a chunk")
            }
            out.append(contentsOf: bytes[pos..<(pos + size)])
            pos += size
            if pos < bytes.count, bytes[pos] == 0x0D { pos += 1 }
            if pos < bytes.count, bytes[pos] == 0x0A { pos += 1 }
        }
        return (out, "chunked body has no last (zero-size) chunk")
    }
}

/// A body or request that cannot be read, with the reason.
struct FormSyntaxError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// A header value split into its main value and parameters
/// (`multipart/form-data; boundary="x"`), with RFC 2231/5987 `name*`
/// parameters decoded.
struct HeaderValue {
    var value: String
    var parameters: [String: String]

    init(_ raw: String) {
        var params: [String: String] = [:]
        var extended: [String: String] = [:]
        let chars = Array(raw)
        var i = 0
        func skipSpaces() { while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 } }
        var main = ""
        while i < chars.count, chars[i] != ";" { main.append(chars[i]); i += 1 }
        value = main.trimmingCharacters(in: .whitespaces)
        while i < chars.count {
            i += 1 // skip ';'
            skipSpaces()
            var name = ""
            while i < chars.count, chars[i] != "=", chars[i] != ";" { name.append(chars[i]); i += 1 }
            name = name.trimmingCharacters(in: .whitespaces).lowercased()
            var val = ""
            if i < chars.count, chars[i] == "=" {
                i += 1
                skipSpaces()
                if i < chars.count, chars[i] == "\"" {
                    i += 1
                    while i < chars.count, chars[i] != "\"" {
                        if chars[i] == "\\", i + 1 < chars.count { i += 1 }
                        val.append(chars[i])
                        i += 1
                    }
                    if i < chars.count { i += 1 }
                    while i < chars.count, chars[i] != ";" { i += 1 }
                } else {
                    while i < chars.count, chars[i] != ";" { val.append(chars[i]); i += 1 }
                    val = val.trimmingCharacters(in: .whitespaces)
                }
            }
            guard !name.isEmpty else { continue }
            if name.hasSuffix("*") {
                extended[String(name.dropLast())] = val
            } else if params[name] == nil {
                params[name] = val
            }
        }
        for (name, raw) in extended {
            // charset'language'percent-encoded
            let pieces = raw.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
            if pieces.count == 3 {
                let bytes = PercentDecoding.decode(String(pieces[2]), plusAsSpace: false).bytes
                params[name] = CharsetDecoder.decodeNoting(bytes, charset: pieces[0].isEmpty ? "utf-8" : String(pieces[0])).text
            } else {
                let bytes = PercentDecoding.decode(raw, plusAsSpace: false).bytes
                params[name] = CharsetDecoder.decodeNoting(bytes, charset: "utf-8").text
            }
        }
        parameters = params
    }
}

/// Percent-decoding that never fails: bad escapes are kept as written and counted.
enum PercentDecoding {
    static func decode(_ s: String, plusAsSpace: Bool) -> (bytes: [UInt8], badEscapes: Int) {
        decode(bytes: Array(s.utf8), plusAsSpace: plusAsSpace)
    }

    /// Decodes `%XX` (and `+` as space when asked) in raw bytes.
    static func decode<C: Collection>(bytes input: C, plusAsSpace: Bool) -> (bytes: [UInt8], badEscapes: Int) where C.Element == UInt8 {
        TransferDecoding.percent(input, plusAsSpace: plusAsSpace)
    }
}
