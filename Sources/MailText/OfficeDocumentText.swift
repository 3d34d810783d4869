import CLibXML2

/// The text of a word-processor document's main XML part: WordprocessingML
/// (`word/document.xml` of a DOCX) or OpenDocument (`content.xml` of an ODT).
///
/// libxml2 reads it with network access, DTD loading and entity substitution
/// off (``LibXML/xmlOptions(recover:)``), so an external entity or an entity
/// bomb reads as nothing. Paragraphs become lines separated by a blank line.
public enum OfficeDocumentText {
    /// Which vocabulary the XML uses.
    public enum Vocabulary: Sendable {
        /// DOCX: text in `w:t`, paragraphs `w:p`, `w:tab`, `w:br`.
        case wordprocessingML
        /// ODT: paragraphs `text:p` and `text:h`, `text:s`, `text:tab`, `text:line-break`.
        case openDocument
    }

    /// Elements nested deeper than this are not read.
    public static let maxDepth = 200

    /// The paragraphs of the document, at most `maxScalars` Unicode scalars in all.
    /// - Parameters:
    ///   - xml: the XML part's bytes.
    ///   - vocabulary: DOCX or ODT.
    ///   - maxScalars: a cap on the text kept; the rest is left out.
    /// - Returns: the text (paragraphs separated by blank lines), whether it was
    ///   cut at the cap, or nil when the XML is not readable at all.
    public static func text(fromXML xml: [UInt8], vocabulary: Vocabulary, maxScalars: Int) -> (text: String, truncated: Bool)? {
        guard let doc = LibXML.readXML(xml, recover: true) else { return nil }
        defer { xmlFreeDoc(doc) }
        guard let root = xmlDocGetRootElement(doc) else { return nil }
        var walker = Walker(vocabulary: vocabulary, maxScalars: maxScalars)
        walker.walk(root, depth: 0)
        walker.endParagraph()
        return (walker.paragraphs.joined(separator: "\n\n"), walker.truncated)
    }

    struct Walker {
        let vocabulary: Vocabulary
        let maxScalars: Int
        var paragraphs: [String] = []
        var current = ""
        var count = 0
        var truncated = false

        init(vocabulary: Vocabulary, maxScalars: Int) {
            self.vocabulary = vocabulary
            self.maxScalars = maxScalars
        }

        mutating func append(_ s: String) {
            guard !truncated else { return }
            let n = s.unicodeScalars.count
            if count + n > maxScalars {
                current += String(String.UnicodeScalarView(s.unicodeScalars.prefix(max(0, maxScalars - count))))
                count = maxScalars
                truncated = true
                return
            }
            current += s
            count += n
        }

        mutating func endParagraph() {
            let trimmed = current.trimmingWhitespace()
            if !trimmed.isEmpty { paragraphs.append(trimmed) }
            current = ""
        }

        /// An attribute's value by local name.
        static func attribute(_ e: xmlNodePtr, _ name: String) -> String? {
            var a = e.pointee.properties
            while let p = a {
                if let n = p.pointee.name, String(cString: n) == name, let v = p.pointee.children?.pointee.content {
                    return String(cString: v)
                }
                a = p.pointee.next
            }
            return nil
        }

        mutating func walk(_ node: xmlNodePtr, depth: Int) {
            var child = node.pointee.children
            while let c = child, !truncated {
                switch c.pointee.type {
                case XML_ELEMENT_NODE:
                    element(c, depth: depth + 1)
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    if vocabulary == .openDocument, let content = c.pointee.content { append(String(cString: content)) }
                default:
                    break
                }
                child = c.pointee.next
            }
        }

        mutating func element(_ e: xmlNodePtr, depth: Int) {
            guard depth < OfficeDocumentText.maxDepth else { return }
            let name = LibXML.name(e)
            switch vocabulary {
            case .wordprocessingML:
                switch name {
                case "t":
                    var entities = Set<String>()
                    append(LibXML.text(e, entities: &entities))
                case "tab": append("\t")
                case "br", "cr": append("\n")
                case "p":
                    walk(e, depth: depth)
                    endParagraph()
                case "deltext", "instrtext", "rpr", "ppr", "sectpr": break // deleted text, field codes, formatting
                default: walk(e, depth: depth)
                }
            case .openDocument:
                switch name {
                case "s":
                    let n = Self.attribute(e, "c").flatMap { Int($0) } ?? 1
                    append(String(repeating: " ", count: min(max(n, 1), 100)))
                case "tab": append("\t")
                case "line-break": append("\n")
                case "p", "h":
                    walk(e, depth: depth)
                    endParagraph()
                case "annotation", "note-citation", "tracked-changes", "automatic-styles", "font-face-decls": break
                default: walk(e, depth: depth)
                }
            }
        }
    }
}
