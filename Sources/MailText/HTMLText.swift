import CLibXML2
import Foundation

/// Turns HTML into readable plain text with libxml2's recovering HTML parser
/// (network access off).
public enum HTMLText {
    /// Extracts text from HTML bytes.
    /// - Parameters:
    ///   - html: the HTML bytes.
    ///   - charset: the declared charset, if known (passed to libxml2 as the
    ///     encoding). When nil, a `<meta charset>` in the first 2 KB is used,
    ///     else UTF-8 if the bytes are valid UTF-8, else Windows-1252.
    /// - Returns: text with block elements on their own lines and paragraphs
    ///   (`p`, headings, lists…) separated by an empty line, as a writer's plain
    ///   text would be, `\n` line ends.
    public static func plainText(fromHTML html: [UInt8], charset: String? = nil) -> String {
        document(fromHTML: html, charset: charset, paragraphs: true)?.text ?? ""
    }

    /// The parts of an HTML page a letter reader needs.
    package struct Page {
        package var title: String?
        package var text: String
    }

    /// Parses HTML once and returns its title and text; nil when libxml2 gives no document.
    /// - Parameter paragraphs: when true, paragraph-like blocks (`p`, headings,
    ///   lists, tables, block quotes) are separated by an empty line.
    package static func document(fromHTML html: [UInt8], charset: String?, paragraphs: Bool = false) -> Page? {
        guard !html.isEmpty else { return nil }
        let encoding = charset.flatMap { $0.isEmpty ? nil : $0 } ?? sniffCharset(html)
        // The package's one charset decoder reads the bytes (an unknown charset
        // reads as UTF-8 if valid, else Windows-1252); libxml2 then gets UTF-8,
        // so HTML says the same as a mail body or a form post in that charset.
        let utf8 = Array(CharsetDecoder.decode(html, charset: encoding).utf8)
        guard let doc = LibXML.readHTML(utf8, encoding: "UTF-8") else { return nil }
        defer { xmlFreeDoc(doc) }
        var out = TextCollector(paragraphs: paragraphs)
        var title: String? = nil
        if let root = xmlDocGetRootElement(doc) {
            out.walk(root, depth: 0)
            title = findTitle(root, depth: 0)
        }
        return Page(title: title, text: out.finish())
    }

    /// The text of the first `<title>` element.
    private static func findTitle(_ node: xmlNodePtr, depth: Int) -> String? {
        guard depth < 8 else { return nil }
        for child in LibXML.elements(node) {
            if LibXML.name(child) == "title" {
                var entities = Set<String>()
                let t = LibXML.text(child, entities: &entities).collapsingWhitespace()
                return t.isEmpty ? nil : t
            }
            if LibXML.name(child) == "body" { continue }
            if let t = findTitle(child, depth: depth + 1) { return t }
        }
        return nil
    }

    /// The charset a page declares in a `<meta>` near its start, else a guess from the bytes.
    static func sniffCharset(_ html: [UInt8]) -> String {
        if html.starts(with: [0xEF, 0xBB, 0xBF]) { return "UTF-8" }
        if html.starts(with: [0xFF, 0xFE]) { return "UTF-16LE" }
        if html.starts(with: [0xFE, 0xFF]) { return "UTF-16BE" }
        let head = String(decoding: html.prefix(2048).map { $0 < 0x80 ? $0 : UInt8(ascii: " ") }, as: UTF8.self).lowercased()
        if let r = head.range(of: #"<meta[^>]*charset\s*=\s*["']?\s*([a-z0-9_.:-]+)"#, options: .regularExpression) {
            let match = String(head[r])
            if let eq = match.range(of: "charset") {
                let value = match[eq.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "'" }
                let name = String(value.prefix { $0.isLetter || $0.isNumber || "_.:-".contains($0) })
                if !name.isEmpty { return name }
            }
        }
        return String(validating: html, as: UTF8.self) != nil ? "UTF-8" : "windows-1252"
    }
}

/// Collects text from a libxml2 tree, one line per block element.
struct TextCollector {
    /// Separate paragraph-like blocks by an empty line.
    var paragraphs = false
    private var text = ""
    /// How many `<blockquote>`s enclose the current text: its lines get that many `> `
    /// marks, so quoted replies in HTML mail are recognised like plain-text ones.
    private var quoteDepth = 0
    private static let paragraphBlocks: Set<String> = [
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol", "address", "section", "article", "pre",
    ]

    init(paragraphs: Bool = false) {
        self.paragraphs = paragraphs
    }
    private static let blocks: Set<String> = [
        "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
        "pre", "table", "ul", "ol", "section", "article", "header", "footer", "address", "hr", "dt", "dd",
    ]
    private static let skipped: Set<String> = ["script", "style", "head", "title", "noscript", "template"]

    mutating func walk(_ node: xmlNodePtr, depth: Int) {
        var current: xmlNodePtr? = node
        while let n = current {
            switch n.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = n.pointee.content {
                    appendInline(String(cString: content))
                }
            case XML_ELEMENT_NODE:
                let name = n.pointee.name.map { String(cString: $0).lowercased() } ?? ""
                if !Self.skipped.contains(name) {
                    let isBlock = Self.blocks.contains(name)
                    let isParagraph = paragraphs && Self.paragraphBlocks.contains(name)
                    if isParagraph { paragraphBreak() } else if isBlock { newline() }
                    if name == "blockquote" { quoteDepth += 1 }
                    if depth < 256, let child = n.pointee.children {
                        walk(child, depth: depth + 1)
                    }
                    if name == "blockquote" { quoteDepth -= 1 }
                    if isParagraph { paragraphBreak() } else if isBlock { newline() }
                }
            default:
                break
            }
            current = n.pointee.next
        }
    }

    private mutating func appendInline(_ s: String) {
        let collapsed = s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" || $0 == "\u{A0}" || $0 == "\r\n" }).joined(separator: " ")
        if collapsed.isEmpty {
            if !s.isEmpty, let last = text.last, last != " ", last != "\n" { text.append(" ") }
            return
        }
        if let first = s.first, first.isWhitespace, let last = text.last, last != " ", last != "\n" { text.append(" ") }
        if quoteDepth > 0, text.isEmpty || text.hasSuffix("\n") {
            text.append(String(repeating: "> ", count: min(quoteDepth, 16)))
        }
        text.append(collapsed)
        if let lastChar = s.last, lastChar.isWhitespace { text.append(" ") }
    }

    private mutating func newline() {
        // "-- " alone on its line opens a signature (RFC 3676): its space is kept, as in plain text.
        let signatureDash = text.hasSuffix("\n-- ") || text == "-- "
        while !signatureDash, text.last == " " { text.removeLast() }
        if !text.isEmpty, text.last != "\n" { text.append("\n") }
    }

    private mutating func paragraphBreak() {
        newline()
        if !text.isEmpty, !text.hasSuffix("\n\n") { text.append("\n") }
    }

    mutating func finish() -> String {
        newline()
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
