import CLibXML2

/// One-time libxml2 set-up and small tree helpers shared by the HTML and
/// XML readers. Package-visible only: no libxml2 type is public API.
package enum LibXML {
    /// An element or other node of a parsed document.
    package typealias Node = xmlNodePtr

    /// A parsed XML document, freed when released.
    package final class Document {
        let doc: xmlDocPtr
        init(_ doc: xmlDocPtr) { self.doc = doc }
        deinit { xmlFreeDoc(doc) }
        /// The root element, if any.
        package var root: Node? { xmlDocGetRootElement(doc) }
        /// True when the document carries a document type declaration (never loaded).
        package var hasDocumentType: Bool { doc.pointee.intSubset != nil || doc.pointee.extSubset != nil }
    }

    /// Parses XML bytes into a ``Document``; nil when libxml2 gives no document.
    /// - Parameter encoding: overrides the document's own declaration when given.
    package static func parseXML(_ bytes: [UInt8], recover: Bool, encoding: String? = nil) -> Document? {
        readXML(bytes, recover: recover, encoding: encoding).map(Document.init)
    }

    /// Initialises libxml2 once (Swift runs a static's initialiser exactly
    /// once, thread-safely) and installs an external-entity loader that
    /// refuses every URL, so no document can make libxml2 read a file or
    /// the network.
    package static let ready: Bool = {
        xmlInitParser()
        xmlSetExternalEntityLoader { _, _, _ in nil }
        return true
    }()

    /// Call before any parse on any thread.
    package static func prepare() {
        _ = ready
        triage_xml_silence_errors()
    }

    /// Options for XML: no network, no DTD loading, no entity substitution,
    /// no error printing, default size limits (never XML_PARSE_HUGE).
    package static func xmlOptions(recover: Bool) -> Int32 {
        var options = XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
        if recover { options |= XML_PARSE_RECOVER.rawValue }
        return Int32(bitPattern: options)
    }

    /// Parses XML bytes; nil when libxml2 gives no document.
    /// - Parameter encoding: overrides the document's own declaration when given
    ///   (the declaration is then ignored: ``XMLCharset`` has already decoded it).
    package static func readXML(_ bytes: [UInt8], recover: Bool, encoding: String? = nil) -> xmlDocPtr? {
        prepare()
        guard !bytes.isEmpty else { return nil }
        var options = xmlOptions(recover: recover)
        if encoding != nil { options |= Int32(bitPattern: XML_PARSE_IGNORE_ENC.rawValue) }
        return bytes.withUnsafeBufferPointer { buffer -> xmlDocPtr? in
            guard let base = buffer.baseAddress else { return nil }
            return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { pointer in
                xmlReadMemory(pointer, Int32(clamping: buffer.count), nil, encoding, options)
            }
        }
    }

    /// Parses HTML bytes with the recovering HTML parser.
    package static func readHTML(_ bytes: [UInt8], encoding: String?) -> htmlDocPtr? {
        prepare()
        guard !bytes.isEmpty else { return nil }
        let options = Int32(bitPattern: HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_COMPACT.rawValue)
        return bytes.withUnsafeBufferPointer { buffer -> htmlDocPtr? in
            guard let base = buffer.baseAddress else { return nil }
            return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { pointer in
                htmlReadMemory(pointer, Int32(clamping: buffer.count), nil, encoding, options)
            }
        }
    }

    /// Stands for `<br/>` in ``text(_:entities:depth:)`` output, so callers can
    /// tell a real line break from wrapped source text.
    package static let lineBreak = "\u{E000}"

    /// The local name of an element (no prefix), lower-cased.
    package static func name(_ node: xmlNodePtr) -> String {
        node.pointee.name.map { String(cString: $0).lowercased() } ?? ""
    }

    /// The element children of a node.
    package static func elements(_ node: xmlNodePtr) -> [xmlNodePtr] {
        var out: [xmlNodePtr] = []
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_ELEMENT_NODE { out.append(c) }
            child = c.pointee.next
        }
        return out
    }

    /// The first element child with a local name.
    package static func child(_ node: xmlNodePtr, _ name: String) -> xmlNodePtr? {
        elements(node).first { Self.name($0) == name }
    }

    /// The text of a node's descendants. Entity references are NOT followed
    /// (their names are reported through `entities`), so an entity bomb
    /// cannot expand here.
    package static func text(_ node: xmlNodePtr, entities: inout Set<String>, depth: Int = 0) -> String {
        var out = ""
        var child = node.pointee.children
        while let c = child {
            switch c.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = c.pointee.content { out += String(cString: content) }
            case XML_ELEMENT_NODE:
                if depth < 200 {
                    if name(c) == "br" { out += LibXML.lineBreak } else { out += text(c, entities: &entities, depth: depth + 1) }
                }
            case XML_ENTITY_REF_NODE:
                entities.insert(c.pointee.name.map { String(cString: $0) } ?? "?")
            default:
                break
            }
            child = c.pointee.next
        }
        return out
    }

    /// Every text node of a subtree on its own line (trimmed, empty ones left out).
    package static func textLines(_ node: xmlNodePtr, into lines: inout [String], entities: inout Set<String>, depth: Int = 0) {
        var child: xmlNodePtr? = node
        while let c = child {
            switch c.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = c.pointee.content {
                    let t = String(cString: content).trimmingWhitespace()
                    if !t.isEmpty { lines.append(t) }
                }
            case XML_ELEMENT_NODE:
                if depth < 200, let first = c.pointee.children { textLines(first, into: &lines, entities: &entities, depth: depth + 1) }
            case XML_ENTITY_REF_NODE:
                entities.insert(c.pointee.name.map { String(cString: $0) } ?? "?")
            default:
                break
            }
            child = c.pointee.next
        }
    }
}

extension String {
    /// Trims spaces, tabs and line breaks (including NBSP) from both ends.
    package func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        guard let end = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[start...end])
    }

    /// Paragraph text: source whitespace collapsed, `<br/>` kept as `\n`.
    package func paragraphText() -> String {
        components(separatedBy: LibXML.lineBreak).map { $0.collapsingWhitespace() }.joined(separator: "\n").trimmingWhitespace()
    }

    /// Collapses every run of whitespace to one space and trims.
    package func collapsingWhitespace() -> String {
        split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
