import ContentHashing
import Foundation
import MailText
import TextSegmentation
import TriageCore

/// Reads letters — HTML pages and XML files in the letter schema
/// (`Sources/LetterParsing/LETTER-SCHEMA.md`) — into ``Correspondence`` (channel `.letter`).
///
/// XML is read without network access, without loading DTDs and without
/// substituting entities, so entity bombs and external entities do nothing.
/// Safe to call from several threads at once.
public struct LetterParser: Sendable {
    /// Creates a parser.
    public init() {}

    enum Kind { case html, xml, text }

    /// Parses one letter.
    /// - Parameter item: the raw bytes. HTML or XML is decided from
    ///   `formatHint` (`letter_html`, `html`, `letter_xml`, `xml`), else the
    ///   extension of `source` (`.html`, `.htm`, `.xml`), else the bytes.
    /// - Returns: the letter; `provenance.format` is `letter_html`,
    ///   `letter_xml` or `xml_other`; best-effort reads list their problems
    ///   in `defects`.
    /// - Throws: ``IngestError`` naming the item when the file is empty, is
    ///   binary, or has no readable text.
    public func parse(_ item: RawItem) throws -> Correspondence {
        let bytes = item.bytes
        guard !bytes.isEmpty else { throw IngestError(item: item.label, problem: "empty file") }
        if let problem = Self.binaryProblem(bytes) { throw IngestError(item: item.label, problem: problem) }
        switch Self.kind(of: item) {
        case .html: return try parseHTML(item)
        case .xml: return try parseXML(item)
        case .text: return try parseText(item)
        }
    }

    /// Why the bytes look like binary data rather than a text document, if they do.
    static func binaryProblem(_ bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) { return nil } // UTF-16 with a BOM
        let sample = bytes.prefix(8192)
        if sample.contains(0) { return "binary data (NUL bytes), not a letter" }
        let controls = sample.filter { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D && $0 != 0x0C }.count
        if controls * 20 > sample.count { return "binary data (control bytes), not a letter" }
        return nil
    }

    /// HTML or XML, from the hint, the extension, or the first bytes.
    static func kind(of item: RawItem) -> Kind {
        switch (item.formatHint ?? "").lowercased() {
        case "letter_html", "html", "htm": return .html
        case "letter_xml", "xml", "xml_other": return .xml
        case "letter_text", "text", "txt": return .text
        default: break
        }
        switch (item.source as NSString).pathExtension.lowercased() {
        case "html", "htm", "xhtml": return .html
        case "xml": return .xml
        case "txt": return .text
        default: break
        }
        return sniff(item.bytes)
    }

    static let htmlStarts = ["html", "head", "body", "p", "div", "br", "table", "h1", "h2", "h3", "span", "meta", "title", "!doctype html", "font", "b", "i", "center"]

    /// Guesses HTML or XML from the start of the document.
    static func sniff(_ bytes: [UInt8]) -> Kind {
        var head = String(decoding: bytes.prefix(2048).map { $0 < 0x80 ? $0 : UInt8(ascii: " ") }, as: UTF8.self).lowercased()
        head = head.trimmingCharacters(in: .whitespacesAndNewlines)
        if head.hasPrefix("<?xml") {
            return head.contains("<html") || head.contains("<!doctype html") ? .html : .xml
        }
        if !head.hasPrefix("<"), head.range(of: #"<(p|br|div|html|body|table|span|b|i|font)\b[^>]*>"#, options: .regularExpression) == nil {
            return .text
        }
        if head.hasPrefix("<") {
            let tag = head.dropFirst().prefix { $0.isLetter || $0.isNumber || $0 == "!" || $0 == " " }
            let first = tag.split(separator: " ").first.map(String.init) ?? ""
            if htmlStarts.contains(first) || head.hasPrefix("<!doctype html") { return .html }
            return .xml
        }
        return .html
    }

    static func provenance(_ item: RawItem, format: String) -> Provenance {
        Provenance(source: item.source, offset: item.offset, locator: item.locator, sha256: ContentHash.sha256Hex(item.bytes), size: item.bytes.count, format: format)
    }

    // MARK: HTML letters

    func parseHTML(_ item: RawItem, defects initial: [String] = []) throws -> Correspondence {
        guard let page = HTMLText.document(fromHTML: item.bytes, charset: nil, paragraphs: true) else {
            throw IngestError(item: item.label, problem: "HTML cannot be read")
        }
        let text = page.text
        guard !text.trimmingWhitespace().isEmpty else {
            throw IngestError(item: item.label, problem: "no readable text in the HTML")
        }
        return try letter(from: text, title: page.title, item: item, format: "letter_html", defects: initial)
    }

    /// Builds a letter from its plain text with the layout heuristics.
    private func letter(from text: String, title: String?, item: RawItem, format: String, defects initial: [String]) throws -> Correspondence {
        let letter = LetterHeuristics.read(text)
        var defects = initial + letter.defects
        var subject = letter.subject
        if subject == nil, let title, !LetterHeuristics.genericTitles.contains(title.lowercased()) { subject = title }
        if subject == nil, let ref = letter.reference { subject = "Ref: \(ref)" }
        if letter.date == nil { defects.append("no date line found in the letter") }
        return Correspondence(
            channel: .letter,
            sender: letter.sender.isEmpty ? nil : letter.sender,
            recipients: letter.recipients,
            date: letter.date.map { DatedBy(value: $0, source: .letter) },
            subject: subject,
            body: TextSegmenter().body(for: text),
            provenance: Self.provenance(item, format: format),
            defects: defects
        )
    }

    // MARK: Plain-text letters

    /// A letter with no markup at all (a scanned-and-OCRed or typed text
    /// file): read as text, line breaks kept; format `letter_text`.
    func parseText(_ item: RawItem) throws -> Correspondence {
        var bytes = item.bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var defects: [String] = []
        var text: String
        if let s = String(validating: bytes, as: UTF8.self) {
            text = s
        } else {
            text = CharsetDecoder.decodeWindows1252(bytes)
            defects.append("text is not UTF-8; read as Windows-1252")
        }
        text = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n").trimmingWhitespace()
        guard !text.isEmpty else { throw IngestError(item: item.label, problem: "no readable text") }
        return try letter(from: text, title: nil, item: item, format: "letter_text", defects: defects)
    }

    // MARK: XML letters

    func parseXML(_ item: RawItem) throws -> Correspondence {
        var defects: [String] = []
        // The charset is read by MailText's one decoder (as for mail, forms and HTML),
        // not by libxml2's tables; libxml2 parses the text as UTF-8.
        let decoded = XMLCharset.utf8(item.bytes)
        if let problem = decoded.problem {
            defects.append(decoded.declaredUTF8
                ? "XML bytes do not match the declared encoding (UTF-8 by default); read as Windows-1252"
                : "XML encoding: \(problem)")
        }
        var doc = LibXML.parseXML(decoded.bytes, recover: false, encoding: "UTF-8")
        if doc == nil {
            doc = LibXML.parseXML(decoded.bytes, recover: true, encoding: "UTF-8")
            if doc != nil { defects.append("XML is not well-formed; read in recovery mode, some text may be missing") }
        }
        guard let doc else { throw IngestError(item: item.label, problem: "XML cannot be read (not well-formed, nothing recoverable)") }
        // The document lives until this function returns; its nodes are used only here.
        defer { withExtendedLifetime(doc) {} }
        guard let root = doc.root else {
            throw IngestError(item: item.label, problem: "XML cannot be read (no root element; not XML?)")
        }
        if doc.hasDocumentType {
            defects.append("document type declaration ignored (DTDs and entities are not loaded or expanded)")
        }
        let rootName = LibXML.name(root)
        if rootName == "html" {
            return try parseHTML(item, defects: defects + ["XHTML read as an HTML letter"])
        }
        var entities = Set<String>()
        let result: Correspondence
        if rootName == "letter" {
            result = try schemaLetter(root, item: item, defects: &defects, entities: &entities)
        } else {
            var lines: [String] = []
            LibXML.textLines(root, into: &lines, entities: &entities)
            let text = lines.joined(separator: "\n")
            defects.append("unknown root element <\(rootName)>; read as plain text")
            if text.isEmpty && entities.isEmpty {
                throw IngestError(item: item.label, problem: "XML with root <\(rootName)> has no readable text")
            }
            result = Correspondence(channel: .letter, body: TextSegmenter().body(for: text), provenance: Self.provenance(item, format: "xml_other"), defects: defects)
        }
        var final = result
        if !entities.isEmpty {
            let names = entities.sorted().prefix(10).joined(separator: ", ")
            final.defects.append("entity references not expanded: \(names)")
        }
        return final
    }

    /// Reads a `<letter>` in the documented schema.
    private func schemaLetter(_ root: LibXML.Node, item: RawItem, defects: inout [String], entities: inout Set<String>) throws -> Correspondence {
        func value(_ node: LibXML.Node?, _ name: String) -> String? {
            guard let node, let c = LibXML.child(node, name) else { return nil }
            let t = LibXML.text(c, entities: &entities).replacingOccurrences(of: LibXML.lineBreak, with: " ").collapsingWhitespace()
            return t.isEmpty ? nil : t
        }
        func address(_ node: LibXML.Node?) -> String? {
            guard let node, let a = LibXML.child(node, "address") else { return nil }
            let lineNodes = LibXML.elements(a).filter { LibXML.name($0) == "line" }
            let lines: [String]
            if !lineNodes.isEmpty {
                lines = lineNodes.map { LibXML.text($0, entities: &entities).replacingOccurrences(of: LibXML.lineBreak, with: " ").collapsingWhitespace() }
            } else {
                lines = LibXML.text(a, entities: &entities).replacingOccurrences(of: LibXML.lineBreak, with: "\n").split(whereSeparator: \.isNewline).map { String($0).collapsingWhitespace() }
            }
            let kept = lines.filter { !$0.isEmpty }
            return kept.isEmpty ? nil : kept.joined(separator: "\n")
        }

        let senderNode = LibXML.child(root, "sender")
        if senderNode == nil { defects.append("letter has no <sender>") }
        let sender = Party(name: value(senderNode, "name"), address: value(senderNode, "email"), phone: value(senderNode, "phone"), postalAddress: address(senderNode))

        var recipients: [Party] = []
        for r in LibXML.elements(root) where LibXML.name(r) == "recipient" {
            var name = value(r, "name")
            var postal = address(r)
            if let org = value(r, "organisation") ?? value(r, "organization") {
                if name == nil { name = org } else { postal = [org, postal].compactMap { $0 }.joined(separator: "\n") }
            }
            let party = Party(name: name, address: value(r, "email"), phone: value(r, "phone"), postalAddress: postal)
            if !party.isEmpty { recipients.append(party) }
        }

        var date: DatedBy? = nil
        if let raw = value(root, "date") {
            if let d = MailDates.isoDay(raw) ?? MailDates.ukDateLine(raw) {
                date = DatedBy(value: d, source: .letter)
                if MailDates.isoDay(raw) == nil { defects.append("<date> is not ISO 8601 (YYYY-MM-DD); read as a UK date") }
            } else {
                defects.append("<date> cannot be read as a date")
            }
        } else {
            defects.append("letter has no <date>")
        }

        let reference = value(root, "reference")
        var subject = value(root, "subject")
        if subject == nil, let reference { subject = "Ref: \(reference)" }

        var text = ""
        if let body = LibXML.child(root, "body") {
            let paragraphs = LibXML.elements(body).filter { LibXML.name($0) == "p" }
            if paragraphs.isEmpty {
                text = LibXML.text(body, entities: &entities).replacingOccurrences(of: LibXML.lineBreak, with: "\n").split(whereSeparator: \.isNewline).map { String($0).trimmingWhitespace() }.joined(separator: "\n")
            } else {
                text = paragraphs.map { LibXML.text($0, entities: &entities).paragraphText() }.filter { !$0.isEmpty }.joined(separator: "\n\n")
            }
        } else {
            defects.append("letter has no <body>")
        }
        text = text.trimmingWhitespace()
        if text.isEmpty { defects.append("letter body is empty") }

        return Correspondence(
            channel: .letter,
            sender: sender.isEmpty ? nil : sender,
            recipients: recipients,
            date: date,
            subject: subject,
            body: TextSegmenter().body(for: text),
            provenance: Self.provenance(item, format: "letter_xml"),
            defects: defects
        )
    }
}
