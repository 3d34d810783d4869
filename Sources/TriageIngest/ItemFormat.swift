import TriageCore

/// What kind of item (or container) some bytes are.
public enum ItemFormat: String, Sendable, CaseIterable {
    case email
    case mbox
    case formPost = "form"
    case letter

    /// The format a file name suggests, if its extension is known.
    public static func fromExtension(_ path: String) -> ItemFormat? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        switch path[path.index(after: dot)...].lowercased() {
        case "eml", "msg", "email", "mime": return .email
        case "mbox", "mbx": return .mbox
        case "http", "json", "form", "urlencoded", "multipart": return .formPost
        case "html", "htm", "xhtml", "xml": return .letter
        default: return nil
        }
    }

    /// Guesses the format from the first bytes.
    public static func sniff(_ bytes: ArraySlice<UInt8>) -> ItemFormat {
        var start = bytes.startIndex
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start += 3 }
        while start < bytes.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[start]) { start += 1 }
        let head = bytes[start..<min(bytes.endIndex, start + 512)]
        let text = String(decoding: head, as: UTF8.self)
        if text.hasPrefix("From ") { return .mbox }
        if text.hasPrefix("<") { return .letter }
        if text.hasPrefix("{") { return .formPost }
        for verb in ["POST ", "PUT ", "GET "] where text.hasPrefix(verb) { return .formPost }
        return .email
    }
}
