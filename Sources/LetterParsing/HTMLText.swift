import CLibXML2
import Foundation

/// Turns HTML into readable plain text with libxml2's recovering HTML parser
/// (network access off).
public enum HTMLText {
    /// Extracts text from HTML bytes.
    /// - Parameters:
    ///   - html: the HTML bytes.
    ///   - charset: the declared charset, if known (passed to libxml2 as the encoding).
    /// - Returns: text with block elements on their own lines, `\n` line ends.
    public static func plainText(fromHTML html: [UInt8], charset: String? = nil) -> String {
        guard !html.isEmpty else { return "" }
        triage_xml_silence_errors()
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_COMPACT.rawValue)
        let doc: htmlDocPtr? = html.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { pointer in
                htmlReadMemory(pointer, Int32(clamping: buffer.count), nil, charset ?? "UTF-8", options)
            }
        }
        guard let doc else { return "" }
        defer { xmlFreeDoc(doc) }
        var out = TextCollector()
        if let root = xmlDocGetRootElement(doc) {
            out.walk(root, depth: 0)
        }
        return out.finish()
    }
}

/// Collects text from a libxml2 tree, one line per block element.
struct TextCollector {
    private var text = ""
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
                    if isBlock { newline() }
                    if depth < 256, let child = n.pointee.children {
                        walk(child, depth: depth + 1)
                    }
                    if isBlock { newline() }
                }
            default:
                break
            }
            current = n.pointee.next
        }
    }

    private mutating func appendInline(_ s: String) {
        let collapsed = s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" || $0 == "\u{A0}" }).joined(separator: " ")
        if collapsed.isEmpty {
            if !s.isEmpty, let last = text.last, last != " ", last != "\n" { text.append(" ") }
            return
        }
        if let first = s.first, first.isWhitespace, let last = text.last, last != " ", last != "\n" { text.append(" ") }
        text.append(collapsed)
        if let lastChar = s.last, lastChar.isWhitespace { text.append(" ") }
    }

    private mutating func newline() {
        while text.last == " " { text.removeLast() }
        if !text.isEmpty, text.last != "\n" { text.append("\n") }
    }

    mutating func finish() -> String {
        newline()
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
