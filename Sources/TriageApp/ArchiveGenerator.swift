import Foundation
import TriageCore

/// Builds a realistic synthetic mbox, deterministically from a seed: messages
/// made from the labelled corpus's emails (re-dated, re-identified, paragraphs
/// shuffled, quoted replies, footers and disclaimers added, re-encoded as
/// quoted-printable, base64 or 8bit in UTF-8, ISO-8859-1 or windows-1252,
/// sometimes with an HTML alternative and attachments of varied sizes), mixed
/// with the real-world and torture-test messages of `mime-corpus` (re-dated,
/// otherwise byte for byte).
public struct ArchiveGenerator {
    /// A template message: its header fields and its text, when it is a
    /// simple text message that can be varied; else its bytes, kept whole.
    struct Template {
        var from: String
        var to: String
        var subject: String
        /// Paragraphs of the decoded text (simple text messages only).
        var paragraphs: [String]?
        /// The whole message, for messages kept byte for byte.
        var raw: [UInt8]
    }

    var simple: [Template] = []
    var verbatim: [Template] = []
    /// Share of messages taken byte for byte from `mime-corpus`.
    public var verbatimShare = 0.25
    /// Share of messages with attachments.
    public var attachmentShare = 0.2

    /// Templates found.
    public var templateCount: (simple: Int, verbatim: Int) { (simple.count, verbatim.count) }

    /// Loads templates.
    /// - Parameters:
    ///   - corpus: the labelled corpus folder (its `.eml` files are used).
    ///   - mimeCorpus: `../shared/mime-corpus` (every file under it), if found.
    /// - Throws: when no template at all is found.
    public init(corpus: String, mimeCorpus: String?) throws {
        for path in Self.files(under: corpus) where path.hasSuffix(".eml") {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let bytes = [UInt8](data)
            if let t = Self.simpleTemplate(bytes) { simple.append(t) } else {
                verbatim.append(Template(from: "", to: "", subject: "", paragraphs: nil, raw: bytes))
            }
        }
        if let mimeCorpus {
            for path in Self.files(under: mimeCorpus) where !path.hasSuffix(".md") {
                guard let data = FileManager.default.contents(atPath: path), !data.isEmpty, data.count < 8 << 20 else { continue }
                verbatim.append(Template(from: "", to: "", subject: "", paragraphs: nil, raw: [UInt8](data)))
            }
        }
        if simple.isEmpty && verbatim.isEmpty {
            throw GeneratorError(problem: "no template messages found in \(corpus)\(mimeCorpus.map { " or \($0)" } ?? "")")
        }
    }

    /// Writes `count` messages to an mbox at `path`.
    /// - Returns: the file's size in bytes.
    /// - Throws: when the file cannot be written.
    @discardableResult
    public func write(count: Int, seed: UInt64, to path: String) throws -> Int64 {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw GeneratorError(problem: "cannot write \(path)")
        }
        defer { try? handle.close() }
        var rng = SplitMix64(seed: seed)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(4 << 20)
        var total: Int64 = 0
        for i in 0..<count {
            let message = makeMessage(index: i, total: count, seed: seed, rng: &rng)
            buffer.append(contentsOf: message)
            if buffer.count >= 4 << 20 {
                handle.write(Data(buffer))
                total += Int64(buffer.count)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(Data(buffer))
        total += Int64(buffer.count)
        return total
    }

    /// One message with its mbox `From ` line, ending with a blank line.
    func makeMessage(index: Int, total: Int, seed: UInt64, rng: inout SplitMix64) -> [UInt8] {
        // Dates from 2020, in order, about 30 minutes apart (100,000 messages
        // span about six years), with jitter; independent of `total`, so a
        // smaller archive with the same seed is a prefix of a larger one.
        let base = 1_577_836_800.0 + 1_800 * Double(index)
        let date = Date(timeIntervalSince1970: base + Double(rng.next() % 3600))
        let messageId = "<gen-\(seed)-\(index)-\(String(rng.next() & 0xFFFF_FFFF, radix: 16))@archive.example.org>"
        let useVerbatim = simple.isEmpty || (!verbatim.isEmpty && Double(rng.next() % 1000) / 1000 < verbatimShare)
        var body: [UInt8]
        if useVerbatim {
            let t = verbatim[Int(rng.next() % UInt64(verbatim.count))]
            body = Self.redate(t.raw, date: date, messageId: messageId)
        } else {
            body = makeVaried(date: date, messageId: messageId, rng: &rng)
        }
        var out = Array("From archive@example.org \(Self.asctime(date))\n".utf8)
        out.reserveCapacity(body.count + 64)
        Self.appendEscaped(body, to: &out)
        if out.last != 0x0A { out.append(0x0A) }
        out.append(0x0A)
        body.removeAll()
        return out
    }

    // MARK: Varied messages

    static let footers = [
        "Sent from my phone",
        "--\nJo Example\nFlat 2, 1 Example Road, Exampletown EX1 2AB\nTel 01632 960123",
        "This email and any attachments are confidential and intended solely for the addressee. If you have received it in error please notify the sender and delete it. Views expressed are those of the author and not necessarily those of the organisation.",
        "Please consider the environment before printing this email.",
        "Kind regards,\nSam Sample",
        "--\nA. N. Other | Community Volunteer | example.net",
    ]

    static let attachmentKinds: [(name: String, type: String)] = [
        ("statement.pdf", "application/pdf"), ("photo-0012.jpg", "image/jpeg"), ("letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("dashcam-clip.mp4", "video/mp4"), ("screenshot.png", "image/png"), ("notes.txt", "text/plain"),
    ]

    func makeVaried(date: Date, messageId: String, rng: inout SplitMix64) -> [UInt8] {
        let t = simple[Int(rng.next() % UInt64(simple.count))]
        var paragraphs = t.paragraphs ?? []
        // Shuffle the middle paragraphs (keep the greeting and the sign-off).
        if paragraphs.count > 3, rng.next() % 2 == 0 {
            var middle = Array(paragraphs[1..<(paragraphs.count - 1)])
            middle.shuffle(using: &rng)
            paragraphs = [paragraphs[0]] + middle + [paragraphs[paragraphs.count - 1]]
        }
        var subject = t.subject
        let roll = rng.next() % 100
        if roll < 30 {
            // A quoted earlier message (another template's text).
            let other = simple[Int(rng.next() % UInt64(simple.count))]
            let quoted = (other.paragraphs ?? []).joined(separator: "\n\n").split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? ">" : "> " + $0 }.joined(separator: "\n")
            paragraphs.append("On \(Self.rfc2822(date.addingTimeInterval(-86_400 * Double(1 + rng.next() % 40)))), \(other.from) wrote:\n" + quoted)
            if !subject.lowercased().hasPrefix("re:") { subject = "Re: " + subject }
        }
        if rng.next() % 100 < 45 { paragraphs.append(Self.footers[Int(rng.next() % UInt64(Self.footers.count))]) }
        let text = paragraphs.joined(separator: "\n\n") + "\n"

        let charsets = ["utf-8", "iso-8859-1", "windows-1252"]
        var charset = charsets[Int(rng.next() % 3)]
        var textBytes = Self.encode(text, charset: charset)
        if textBytes == nil { charset = "utf-8"; textBytes = Array(text.utf8) }
        let encodings = ["quoted-printable", "base64", "8bit"]
        var cte = encodings[Int(rng.next() % 3)]
        if cte == "8bit", textBytes!.allSatisfy({ $0 < 0x80 }) { cte = "7bit" }
        let textPart = Self.part(contentType: "text/plain; charset=\"\(charset)\"", cte: cte, bytes: textBytes!)

        var headers = "From: \(t.from)\nTo: \(t.to)\nSubject: \(subject)\nDate: \(Self.rfc2822(date))\nMessage-ID: \(messageId)\nMIME-Version: 1.0\n"
        var partsOut: [UInt8]
        let withHTML = rng.next() % 100 < 25
        let attachments = Double(rng.next() % 1000) / 1000 < attachmentShare ? 1 + Int(rng.next() % 3 == 0 ? 1 : 0) : 0
        var content = textPart
        if withHTML {
            let html = "<html><body>" + paragraphs.map { "<p>" + Self.htmlEscape($0).replacingOccurrences(of: "\n", with: "<br>\n") + "</p>\n" }.joined() + "</body></html>\n"
            let htmlPart = Self.part(contentType: "text/html; charset=\"utf-8\"", cte: "quoted-printable", bytes: Array(html.utf8))
            content = Self.multipart("alternative", boundary: "alt-\(String(rng.next(), radix: 36))", parts: [textPart, htmlPart])
        }
        if attachments > 0 {
            var parts = [content]
            for _ in 0..<attachments {
                let kind = Self.attachmentKinds[Int(rng.next() % UInt64(Self.attachmentKinds.count))]
                // Log-uniform between 2 KB and 300 KB.
                let size = Int(2048 * exp(Double(rng.next() % 10_000) / 10_000 * log(150.0)))
                var data = [UInt8](repeating: 0, count: size)
                var k = 0
                while k < size {
                    var word = rng.next()
                    for _ in 0..<8 where k < size { data[k] = UInt8(truncatingIfNeeded: word); word >>= 8; k += 1 }
                }
                var head = Array("Content-Type: \(kind.type); name=\"\(kind.name)\"\nContent-Disposition: attachment; filename=\"\(kind.name)\"\nContent-Transfer-Encoding: base64\n\n".utf8)
                head.append(contentsOf: Self.base64Lines(data))
                parts.append(head)
            }
            partsOut = Self.multipart("mixed", boundary: "mix-\(String(rng.next(), radix: 36))", parts: parts)
        } else {
            partsOut = content
        }
        if rng.next() % 100 < 30 { headers += "In-Reply-To: <earlier-\(rng.next() % 100_000)@example.net>\n" }
        var out = Array(headers.utf8)
        out.append(contentsOf: partsOut)
        return out
    }

    /// A body part: its headers, a blank line, the encoded bytes.
    static func part(contentType: String, cte: String, bytes: [UInt8]) -> [UInt8] {
        var out = Array("Content-Type: \(contentType)\nContent-Transfer-Encoding: \(cte)\n\n".utf8)
        switch cte {
        case "quoted-printable": out.append(contentsOf: quotedPrintable(bytes))
        case "base64": out.append(contentsOf: base64Lines(bytes))
        default: out.append(contentsOf: bytes)
        }
        if out.last != 0x0A { out.append(0x0A) }
        return out
    }

    /// A multipart entity from parts that each start with their own headers.
    static func multipart(_ subtype: String, boundary: String, parts: [[UInt8]]) -> [UInt8] {
        var out = Array("Content-Type: multipart/\(subtype); boundary=\"\(boundary)\"\n\nThis is a multi-part message in MIME format.\n".utf8)
        for p in parts {
            out.append(contentsOf: Array("\n--\(boundary)\n".utf8))
            out.append(contentsOf: p)
        }
        out.append(contentsOf: Array("\n--\(boundary)--\n".utf8))
        return out
    }

    static func quotedPrintable(_ bytes: [UInt8]) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        var lineLength = 0
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A {
                // Encode trailing white space before a line break.
                if let last = out.last, last == 0x20 || last == 0x09 {
                    out.removeLast()
                    out.append(contentsOf: [0x3D, hex[Int(last >> 4)], hex[Int(last & 15)]])
                }
                out.append(0x0A)
                lineLength = 0
                i += 1
                continue
            }
            let literal = (b >= 33 && b <= 126 && b != 0x3D) || b == 0x20 || b == 0x09
            let width = literal ? 1 : 3
            if lineLength + width > 75 {
                out.append(contentsOf: [0x3D, 0x0A])
                lineLength = 0
            }
            if literal { out.append(b) } else { out.append(contentsOf: [0x3D, hex[Int(b >> 4)], hex[Int(b & 15)]]) }
            lineLength += width
            i += 1
        }
        return out
    }

    static func base64Lines(_ bytes: [UInt8]) -> [UInt8] {
        let encoded = Data(bytes).base64EncodedData(options: [.lineLength76Characters, .endLineWithLineFeed])
        var out = [UInt8](encoded)
        out.append(0x0A)
        return out
    }

    /// Encodes text in a charset, or nil when it cannot be represented.
    static func encode(_ text: String, charset: String) -> [UInt8]? {
        if charset == "utf-8" { return Array(text.utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for s in text.unicodeScalars {
            if s.value < 0x80 || (s.value >= 0xA0 && s.value < 0x100) { out.append(UInt8(s.value)); continue }
            if charset == "windows-1252", let b = cp1252Reverse[s.value] { out.append(b); continue }
            return nil
        }
        return out
    }

    static let cp1252: [UInt8: UInt32] = [
        0x80: 0x20AC, 0x82: 0x201A, 0x84: 0x201E, 0x85: 0x2026, 0x91: 0x2018, 0x92: 0x2019, 0x93: 0x201C, 0x94: 0x201D,
        0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x99: 0x2122,
    ]
    static let cp1252Reverse: [UInt32: UInt8] = Dictionary(uniqueKeysWithValues: cp1252.map { ($0.value, $0.key) })

    static func htmlEscape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    // MARK: Templates

    static func files(under root: String) -> [String] {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        for case let relative as String in walker {
            let path = root + "/" + relative
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
               !(relative as NSString).lastPathComponent.hasPrefix(".") {
                out.append(path)
            }
        }
        return out.sorted()
    }

    /// Splits a message into unfolded header fields and the body.
    static func split(_ bytes: [UInt8]) -> (headers: [(String, String)], body: [UInt8]) {
        var headers: [(String, String)] = []
        var i = 0
        var bodyStart = bytes.count
        var current: String?
        while i < bytes.count {
            var end = i
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            var lineEnd = end
            if lineEnd > i, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let line = String(decoding: bytes[i..<lineEnd], as: UTF8.self)
            let next = min(bytes.count, end + 1)
            if line.isEmpty { bodyStart = next; break }
            if line.first == " " || line.first == "\t" {
                if let c = current { current = c + " " + line.trimmingCharacters(in: .whitespaces) }
            } else {
                if let c = current, let colon = c.firstIndex(of: ":") {
                    headers.append((c[..<colon].lowercased(), c[c.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
                }
                current = line
            }
            i = next
        }
        if let c = current, let colon = c.firstIndex(of: ":") {
            headers.append((c[..<colon].lowercased(), c[c.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return (headers, bodyStart < bytes.count ? Array(bytes[bodyStart...]) : [])
    }

    /// A template that can be varied: a single text/plain part in a charset we can decode.
    static func simpleTemplate(_ bytes: [UInt8]) -> Template? {
        let (headers, body) = split(bytes)
        func header(_ name: String) -> String? { headers.first { $0.0 == name }?.1 }
        let type = (header("content-type") ?? "text/plain").lowercased()
        guard type.hasPrefix("text/plain") else { return nil }
        let cte = (header("content-transfer-encoding") ?? "7bit").lowercased()
        var decoded: [UInt8]
        switch cte {
        case "quoted-printable": decoded = decodeQP(body)
        case "base64":
            let clean = body.filter { $0 != 0x0A && $0 != 0x0D && $0 != 0x20 }
            guard let data = Data(base64Encoded: Data(clean), options: .ignoreUnknownCharacters) else { return nil }
            decoded = [UInt8](data)
        default: decoded = body
        }
        let charset = type.range(of: "charset=").map { String(type[$0.upperBound...]).trimmingCharacters(in: CharacterSet(charactersIn: "\"' ;")).components(separatedBy: CharacterSet(charactersIn: "\"; ")).first ?? "" } ?? "us-ascii"
        let text: String
        switch charset {
        case "utf-8", "us-ascii", "utf8", "": text = String(decoding: decoded, as: UTF8.self)
        case "iso-8859-1", "latin1", "iso-8859-15", "windows-1252", "cp1252":
            var s = String.UnicodeScalarView()
            for b in decoded { s.append(Unicode.Scalar(cp1252[b] ?? UInt32(b)) ?? " ") }
            text = String(s)
        default: return nil
        }
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n")
        let paragraphs = normalised.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .newlines) }.filter { !$0.isEmpty }
        guard !paragraphs.isEmpty, let from = header("from") else { return nil }
        return Template(from: from, to: header("to") ?? "enquiries@opcc.example.org", subject: header("subject") ?? "(no subject)",
                        paragraphs: paragraphs, raw: [])
    }

    static func decodeQP(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        func hexValue(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: return b - 0x30
            case 0x41...0x46: return b - 0x37
            case 0x61...0x66: return b - 0x57
            default: return nil
            }
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x3D {
                if i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 2; continue }
                if i + 2 < bytes.count, bytes[i + 1] == 0x0D, bytes[i + 2] == 0x0A { i += 3; continue }
                if i + 2 < bytes.count, let h = hexValue(bytes[i + 1]), let l = hexValue(bytes[i + 2]) {
                    out.append(h << 4 | l)
                    i += 3
                    continue
                }
            }
            out.append(b)
            i += 1
        }
        return out
    }

    /// The message with its Date and Message-ID replaced (added when missing).
    static func redate(_ raw: [UInt8], date: Date, messageId: String) -> [UInt8] {
        // Find the end of the header block.
        var i = 0
        var headerEnd = raw.count
        var lineStart = 0
        while i < raw.count {
            if raw[i] == 0x0A {
                let line = raw[lineStart..<i]
                if line.isEmpty || (line.count == 1 && line.first == 0x0D) { headerEnd = lineStart; break }
                lineStart = i + 1
            }
            i += 1
        }
        var out = Array("Date: \(rfc2822(date))\nMessage-ID: \(messageId)\n".utf8)
        out.reserveCapacity(raw.count + 100)
        // Copy header lines except Date and Message-ID (and their continuations).
        var skipping = false
        var start = 0
        var j = 0
        let head = raw[0..<headerEnd]
        while start < head.count {
            j = start
            while j < head.count, head[head.startIndex + j] != 0x0A { j += 1 }
            let line = raw[start..<min(raw.count, j + 1)]
            let first = line.first ?? 0
            if first == 0x20 || first == 0x09 {
                if !skipping { out.append(contentsOf: line) }
            } else {
                let lower = String(decoding: line.prefix(12), as: UTF8.self).lowercased()
                skipping = lower.hasPrefix("date:") || lower.hasPrefix("message-id:") || lower.hasPrefix("from ")
                if !skipping { out.append(contentsOf: line) }
            }
            start = j + 1
        }
        if headerEnd < raw.count {
            out.append(contentsOf: raw[headerEnd...])
        } else {
            out.append(0x0A)
        }
        return out
    }

    /// Appends a message, escaping body lines that start with (`>`*)`From ` (mboxrd).
    static func appendEscaped(_ message: [UInt8], to out: inout [UInt8]) {
        var lineStart = true
        var i = 0
        let from: [UInt8] = Array("From ".utf8)
        while i < message.count {
            if lineStart {
                var k = i
                while k < message.count, message[k] == 0x3E { k += 1 }
                if k + 5 <= message.count, Array(message[k..<(k + 5)]) == from { out.append(0x3E) }
            }
            let b = message[i]
            out.append(b)
            lineStart = b == 0x0A
            i += 1
        }
    }

    static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The date's UTC calendar fields.
    static func utc(_ date: Date) -> tm {
        var t = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&t, &parts)
        return parts
    }

    static func rfc2822(_ date: Date) -> String {
        let p = utc(date)
        return "\(dayNames[Int(p.tm_wday)]), \(two(p.tm_mday)) \(monthNames[Int(p.tm_mon)]) \(Int(p.tm_year) + 1900) \(two(p.tm_hour)):\(two(p.tm_min)):\(two(p.tm_sec)) +0000"
    }

    static func asctime(_ date: Date) -> String {
        let p = utc(date)
        let day = p.tm_mday < 10 ? " \(p.tm_mday)" : "\(p.tm_mday)"
        return "\(dayNames[Int(p.tm_wday)]) \(monthNames[Int(p.tm_mon)]) \(day) \(two(p.tm_hour)):\(two(p.tm_min)):\(two(p.tm_sec)) \(Int(p.tm_year) + 1900)"
    }
}

private func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }

/// The generator could not do its work.
public struct GeneratorError: Error, CustomStringConvertible {
    public var problem: String
    public var description: String { problem }
}
