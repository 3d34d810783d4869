/// The charset of an XML document, read by the package's one decoder
/// (``CharsetDecoder``) rather than by libxml2's own tables, so an XML letter
/// in Windows-1252 or ISO-8859-1 reads as the same bytes do in an email, a
/// form post or an HTML letter. libxml2 then parses the text as UTF-8.
package enum XMLCharset {
    /// What the document says it is in: a byte-order mark, else the encoding
    /// of its XML declaration; nil when it says nothing (UTF-8, by XML's rule).
    package static func declared(_ bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return "utf-8" }
        if bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return "utf-32" }
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) { return "utf-16" }
        // `<?` in UTF-16 without a byte-order mark.
        if bytes.starts(with: [0x3C, 0x00, 0x3F, 0x00]) { return "utf-16le" }
        if bytes.starts(with: [0x00, 0x3C, 0x00, 0x3F]) { return "utf-16be" }
        guard bytes.starts(with: Array("<?xml".utf8)) else { return nil }
        // The declaration, read as ASCII: `encoding="…"` before `?>`.
        let head = bytes.prefix(256).prefix { $0 != 0x3E }
        let text = String(decoding: head, as: UTF8.self)
        guard let at = text.range(of: "encoding") else { return nil }
        var rest = text[at.upperBound...].drop { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard rest.first == "=" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        let name = rest.dropFirst().prefix { $0 != quote }
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._:-".contains($0)) }) else { return nil }
        // A declaration readable as ASCII cannot be in UTF-16 or UTF-32: the label is wrong.
        let lower = name.lowercased()
        if lower.hasPrefix("utf-16") || lower.hasPrefix("utf-32") || lower.hasPrefix("ucs") { return nil }
        return String(name)
    }

    /// The document as UTF-8, decoded from what it declares.
    /// - Returns: the UTF-8 bytes (no byte-order mark), and a note when the
    ///   bytes did not fit the charset (e.g. Windows-1252 bytes in a document
    ///   that declares nothing, so UTF-8) or the charset is unknown.
    package static func utf8(_ bytes: [UInt8]) -> (bytes: [UInt8], problem: String?, declaredUTF8: Bool) {
        let label = declared(bytes)
        let noted = CharsetDecoder.decodeNoting(bytes, charset: label)
        var text = noted.text
        if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
        let declaredUTF8: Bool
        switch CharsetDecoder.resolve(label ?? "utf-8") {
        case .utf8?, .ascii?: declaredUTF8 = true
        default: declaredUTF8 = false
        }
        return (Array(text.utf8), noted.problem, declaredUTF8)
    }
}
