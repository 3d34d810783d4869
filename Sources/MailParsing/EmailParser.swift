import AttachmentReading
import ContentHashing
import Foundation
import MailText
import TextSegmentation
import TriageCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one RFC 5322 / MIME message into a ``Correspondence`` (channel `.email`).
public struct EmailParser: Sendable {
    /// The MIME parser used (depth and header caps).
    public var mimeParser: MIMEParser

    /// Creates a parser with the default caps.
    public init() {
        self.mimeParser = MIMEParser()
    }

    /// Header fields kept in ``Correspondence/headers``.
    public static let keptHeaders: [String] = [
        "message-id", "in-reply-to", "references", "reply-to", "auto-submitted", "x-mailer",
        "list-id", "precedence", "return-path", "content-type",
    ]

    /// Parses one message.
    /// - Parameter item: the raw bytes and their origin.
    /// - Returns: the normalised correspondence; parse problems are listed in `defects`.
    /// - Throws: ``IngestError`` when the bytes are not a message at all (empty, or no header field in the first 64 KiB).
    public func parse(_ item: RawItem) throws -> Correspondence {
        let bytes = item.bytes
        guard !bytes.isEmpty else { throw IngestError(item: item.label, problem: "empty file: not an email message") }
        var headerless = false
        if !Self.looksLikeMessage(bytes) {
            guard Self.looksLikeText(bytes) else {
                throw IngestError(item: item.label, problem: "not an email message: no header field and not text in the first 64 KiB")
            }
            headerless = true
        }
        var root = mimeParser.parse(bytes)
        if headerless { root.defects.insert("no header fields: the whole item read as body text", at: 0) }
        let provenance = Provenance(
            source: item.source, offset: item.offset, locator: item.locator,
            sha256: ContentHash.sha256Hex(bytes), size: bytes.count, format: item.formatHint ?? "eml")
        return Self.correspondence(from: root, raw: bytes, provenance: provenance)
    }

    /// True when the first 64 KiB are text with something to read: no NUL bytes,
    /// few control characters, not only whitespace.
    static func looksLikeText(_ bytes: [UInt8]) -> Bool {
        let limit = min(bytes.count, 64 * 1024)
        var controls = 0
        var visible = 0
        for k in 0..<limit {
            let b = bytes[k]
            if b == 0 { return false }
            if b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D && b != 0x0C { controls += 1 }
            else if b > 0x20 { visible += 1 }
        }
        if visible == 0 || controls * 20 > limit { return false }
        // Mostly printable ASCII or valid UTF-8.
        if CharsetDecoder.validUTF8(bytes[0..<limit]) != nil { return true }
        var high = 0
        for k in 0..<limit where bytes[k] >= 0x80 { high += 1 }
        return high * 3 < limit
    }

    /// True when the bytes begin with something header-like within the first 64 KiB.
    static func looksLikeMessage(_ bytes: [UInt8]) -> Bool {
        let limit = min(bytes.count, 64 * 1024)
        var i = (bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF) ? 3 : 0
        // Skip leading blank lines and an mbox "From " line.
        while i < limit {
            var lineEnd = i
            while lineEnd < limit, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            var start = i
            while start < lineEnd, bytes[start] == 0x0D { start += 1 }
            if start < lineEnd {
                var j = start
                while j < lineEnd, MIMEParser.isNameByte(bytes[j]) { j += 1 }
                var k = j
                while k < lineEnd, bytes[k] == 0x20 || bytes[k] == 0x09 { k += 1 }
                if j > start, k < lineEnd, bytes[k] == 58 { return true }
                // First non-blank line is not a header: only "From " lines are allowed before headers.
                let line = bytes[start..<lineEnd]
                if !line.starts(with: Array("From ".utf8)) && !line.starts(with: Array(">From ".utf8)) { return false }
            }
            i = lineEnd + 1
        }
        return false
    }

    /// Builds a Correspondence from a parsed message (used recursively for message/rfc822 parts).
    static func correspondence(from root: MIMEEntity, raw: [UInt8], provenance: Provenance, depth: Int = 0) -> Correspondence {
        var defects: [String] = []
        var c = Correspondence(channel: .email, provenance: provenance)

        // Subject
        if let s = root.header("subject") {
            c.subject = HeaderDecoding.decodeEncodedWords(s.rawValue, defects: &defects).trimmingBlanks()
        }
        // Sender and recipients
        let from = root.header("from") ?? root.header("sender")
        if let from {
            let list = AddressParsing.parseList(from.rawValue, defects: &defects)
            if let first = list.first { c.sender = Party(name: first.name, address: first.address) }
        } else {
            defects.append("no From header")
        }
        for name in ["to", "cc"] {
            for field in root.headers(named: name) {
                c.recipients += AddressParsing.parseList(field.rawValue, defects: &defects).map { Party(name: $0.name, address: $0.address) }
            }
        }
        // Date
        if let d = root.header("date") {
            if let parsed = MailDates.rfc5322(d.rawValue) {
                c.date = DatedBy(value: parsed.date, source: .header)
                if !parsed.zoneKnown { defects.append("Date header without a known time zone: UTC assumed") }
            } else {
                defects.append("unreadable Date header")
            }
        } else {
            defects.append("no Date header")
        }
        // Kept headers
        for field in root.headers {
            if keptHeaders.contains(field.key) {
                c.headers.append(HeaderField(name: field.key, value: field.decodedValue))
            }
        }
        // Body, attachments, embedded messages
        var collector = BodyCollector(raw: raw, source: provenance, depth: depth)
        collector.visit(root, path: "1", topLevel: true)
        let text = collector.texts.joined(separator: "\n\n")
        let segmenter = TextSegmenter()
        let main = segmenter.segmentation(of: normaliseNewlines(text), subject: c.subject)
        var content = ContentAssembly(main)
        c.attachments = collector.attachments
        for piece in collector.pieces {
            switch piece {
            case .forward(let inner):
                content.appendForward(inner)
                defects += inner.defects.map { "forwarded message: " + $0 }
            case .letter(let index, let result):
                c.attachments[index].text = content.appendLetter(result, segmenter: segmenter)
                if let problem = result.problem {
                    defects.append("attachment \(c.attachments[index].filename.map { "\"\($0.prefix(80))\"" } ?? "#\(index + 1)"): \(problem)")
                }
            }
        }
        c.body = content.body
        c.forwards = content.forwards
        if !c.forwards.isEmpty, segmenter.isCoverNote(main.body) { c.author = content.forwardedAuthor(segmenter: segmenter) }
        c.embedded = collector.embedded
        // Defects of every entity (embedded messages carry their own).
        defects += collector.defects
        c.defects = defects
        return c
    }

    /// CRLF and lone CR to LF; trailing whitespace at the end trimmed.
    /// Works on the UTF-8 bytes: every byte it changes or drops is ASCII, so the
    /// rest of the text is copied as it is.
    static func normaliseNewlines(_ s: String) -> String {
        var s = s
        return s.withUTF8 { utf8 -> String? in
            var end = utf8.count
            while end > 0, utf8[end - 1] == 0x0A || utf8[end - 1] == 0x20 || utf8[end - 1] == 0x09 { end -= 1 }
            let text = UnsafeBufferPointer(rebasing: utf8[0..<end])
            guard let base = text.baseAddress, memchr(base, 0x0D, text.count) != nil else {
                return end == utf8.count ? nil : String(decoding: text, as: UTF8.self)
            }
            let out = [UInt8](unsafeUninitializedCapacity: utf8.count) { buffer, count in
                var n = 0
                var previousCR = false
                for b in utf8 {
                    if b == 0x0D { buffer[n] = 0x0A; n += 1; previousCR = true; continue }
                    if b == 0x0A && previousCR { previousCR = false; continue }
                    previousCR = false
                    buffer[n] = b
                    n += 1
                }
                while n > 0, buffer[n - 1] == 0x0A || buffer[n - 1] == 0x20 || buffer[n - 1] == 0x09 { n -= 1 }
                count = n
            }
            return String(decoding: out, as: UTF8.self)
        } ?? s
    }
}

/// Walks a MIME tree choosing the body text and listing every other part.
struct BodyCollector {
    let raw: [UInt8]
    let source: Provenance
    /// How many messages this one is inside (0 for the item itself).
    let depth: Int
    var texts: [String] = []
    var attachments: [Attachment] = []
    var embedded: [Correspondence] = []
    var defects: [String] = []
    /// What the writer sent besides the body text, in MIME order.
    var pieces: [ContentPiece] = []

    /// Attached messages nested deeper than this are kept as attachments, not read.
    static let maxForwardDepth = 32

    init(raw: [UInt8], source: Provenance, depth: Int = 0) {
        self.raw = raw
        self.source = source
        self.depth = depth
    }

    static func isInlineText(_ e: MIMEEntity) -> Bool {
        guard e.contentType == "text/plain" || e.contentType == "text/html" else { return false }
        if e.disposition == "attachment" { return false }
        if e.filename != nil && e.disposition != "inline" { return false }
        return true
    }

    mutating func addDefects(_ e: MIMEEntity, path: String) {
        for d in e.defects { defects.append(path == "1" ? d : "part \(path): \(d)") }
    }

    mutating func visit(_ e: MIMEEntity, path: String, topLevel: Bool = false) {
        addDefects(e, path: path)
        if e.isMessage, let inner = e.message.first {
            if topLevel {
                // Should not happen: the root is the message itself.
                visit(inner, path: path + ".1")
                return
            }
            if ["message/rfc822", "message/global", "message/news"].contains(e.contentType) {
                let buffer = e.messageBytes ?? raw
                let r = inner.rawRange
                let innerRaw = (r.lowerBound >= 0 && r.upperBound <= buffer.count) ? Array(buffer[r]) : []
                let prov = Provenance(source: source.source, offset: source.offset, locator: (source.locator.map { $0 + "/" } ?? "") + "part " + path,
                                      sha256: ContentHash.sha256Hex(innerRaw), size: innerRaw.count, format: "rfc822")
                let message = EmailParser.correspondence(from: inner, raw: buffer, provenance: prov, depth: depth + 1)
                embedded.append(message)
                if depth + 1 <= Self.maxForwardDepth {
                    pieces.append(.forward(message))
                } else {
                    defects.append("part \(path): attached message nested deeper than \(Self.maxForwardDepth) levels: kept, its text not read")
                }
            } else {
                let innerRaw = Array(raw[e.rawRange.clamped(to: 0..<raw.count)])
                attachments.append(Attachment(filename: e.filename, contentType: e.contentType, size: innerRaw.count, sha256: ContentHash.sha256Hex(innerRaw)))
            }
            return
        }
        if e.isMultipart {
            if e.contentType == "multipart/alternative" {
                // Prefer text/plain; else the first part that yields text; the rest are attachments.
                // A blank text/plain (some senders add one to HTML mail) does not count.
                var chosen: Int? = e.children.firstIndex {
                    Self.isInlineText($0) && $0.contentType == "text/plain"
                        && !$0.decodedText.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
                }
                if chosen == nil { chosen = e.children.firstIndex { $0.isMultipart && Self.containsText($0) } }
                if chosen == nil { chosen = e.children.firstIndex { Self.isInlineText($0) && $0.contentType == "text/html" } }
                if chosen == nil { chosen = e.children.firstIndex { Self.isInlineText($0) } }
                for (k, child) in e.children.enumerated() {
                    let childPath = "\(path).\(k + 1)"
                    if k == chosen {
                        visit(child, path: childPath)
                    } else {
                        addAsAttachments(child, path: childPath)
                    }
                }
                return
            }
            for (k, child) in e.children.enumerated() {
                visit(child, path: "\(path).\(k + 1)")
            }
            return
        }
        // Leaf
        if Self.isInlineText(e) {
            if let cs = e.charset, !CharsetDecoder.isKnown(cs) {
                defects.append("part \(path): unknown charset \"\(cs.prefix(40))\", read as undeclared")
            }
            if e.contentType == "text/html" {
                // Decode with our charset rules, then hand libxml2 UTF-8.
                texts.append(HTMLText.plainText(fromHTML: Array(e.decodedText.utf8), charset: "UTF-8"))
            } else if e.contentTypeParameter("format")?.lowercased() == "flowed" {
                texts.append(Self.unflow(e.decodedText, delsp: e.contentTypeParameter("delsp")?.lowercased() == "yes"))
            } else {
                texts.append(e.decodedText)
            }
            return
        }
        attachments.append(Attachment(filename: e.filename, contentType: e.contentType, size: e.body.count, sha256: ContentHash.sha256Hex(e.body)))
        readAttachment(e, path: path, index: attachments.count - 1)
    }

    /// Reads an attached letter (PDF, DOCX, ODT) or an attached .eml file as content.
    mutating func readAttachment(_ e: MIMEEntity, path: String, index: Int) {
        if let format = AttachmentReader.format(contentType: e.contentType, filename: e.filename) {
            pieces.append(.letter(index: index, AttachmentReader().read(e.body, format: format)))
            return
        }
        let name = (e.filename ?? "").lowercased()
        guard name.hasSuffix(".eml"), EmailParser.looksLikeMessage(e.body) else { return }
        guard depth + 1 <= Self.maxForwardDepth else {
            defects.append("part \(path): attached message nested deeper than \(Self.maxForwardDepth) levels: kept, its text not read")
            return
        }
        let root = MIMEParser().parse(e.body)
        let prov = Provenance(source: source.source, offset: source.offset, locator: (source.locator.map { $0 + "/" } ?? "") + "part " + path,
                              sha256: ContentHash.sha256Hex(e.body), size: e.body.count, format: "rfc822")
        let message = EmailParser.correspondence(from: root, raw: e.body, provenance: prov, depth: depth + 1)
        embedded.append(message)
        pieces.append(.forward(message))
    }

    /// Joins the soft-broken lines of `format=flowed` text (RFC 3676): a line
    /// ending in a space continues on the next line of the same quote depth.
    static func unflow(_ text: String, delsp: Bool) -> String {
        let normalised = EmailParser.normaliseNewlines(text)
        var out: [String] = []
        var current: String? = nil
        var currentDepth = 0
        for raw in normalised.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = Substring(raw)
            var depth = 0
            while line.first == ">" { depth += 1; line = line.dropFirst() }
            if depth > 0 || line.hasPrefix("From ") { if line.first == " " { line = line.dropFirst() } } // space-stuffing
            else if line.first == " " { line = line.dropFirst() }
            let isSignatureSeparator = line == "-- "
            var content = String(line)
            let soft = content.hasSuffix(" ") && !isSignatureSeparator
            if soft && delsp { content.removeLast() }
            if var c = current, depth == currentDepth {
                c += content
                current = c
            } else {
                if let c = current { out.append(String(repeating: ">", count: currentDepth) + (currentDepth > 0 ? " " : "") + c) }
                current = content
                currentDepth = depth
            }
            if !soft {
                out.append(String(repeating: ">", count: currentDepth) + (currentDepth > 0 ? " " : "") + (current ?? ""))
                current = nil
            }
        }
        if let c = current { out.append(String(repeating: ">", count: currentDepth) + (currentDepth > 0 ? " " : "") + c) }
        return out.joined(separator: "\n")
    }

    /// Records every leaf of a non-chosen alternative as an attachment (nothing is
    /// dropped): inline text parts with the role `alternative`, the rest as files.
    mutating func addAsAttachments(_ e: MIMEEntity, path: String) {
        if e.isMessage { visit(e, path: path); return }
        addDefects(e, path: path)
        if e.isMultipart {
            for (k, child) in e.children.enumerated() { addAsAttachments(child, path: "\(path).\(k + 1)") }
            return
        }
        // An inline text part of an alternative is another rendering of the body; anything else is a file.
        let role: Attachment.Role = Self.isInlineText(e) ? .alternative : .file
        attachments.append(Attachment(filename: e.filename, contentType: e.contentType, size: e.body.count,
                                      sha256: ContentHash.sha256Hex(e.body), role: role))
    }

    static func containsText(_ e: MIMEEntity) -> Bool {
        if isInlineText(e) { return true }
        return e.children.contains { containsText($0) }
    }
}
