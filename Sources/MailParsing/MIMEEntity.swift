import Foundation
import MailText

/// One header field as found in the message.
public struct MIMEHeaderField: Sendable, Equatable {
    /// The field name as written (case kept).
    public var name: String
    /// The unfolded value as text (raw 8-bit bytes read as UTF-8, else Windows-1252), encoded words not decoded.
    public var rawValue: String
    /// The name lower-cased, for look-ups.
    public let key: String

    public init(name: String, rawValue: String) {
        self.name = name
        self.rawValue = rawValue
        self.key = name.lowercased()
    }

    /// The value with RFC 2047 encoded words decoded and outer whitespace trimmed.
    public var decodedValue: String {
        var d: [String] = []
        return HeaderDecoding.decodeEncodedWords(rawValue, defects: &d).trimmingBlanks()
    }
}

/// A node of a parsed MIME message: a message, a multipart container or a leaf part.
public struct MIMEEntity: Sendable {
    /// The header fields in order.
    public var headers: [MIMEHeaderField]
    /// `type/subtype`, lower-cased (the default when absent or invalid).
    public var contentType: String
    /// Content-Type parameters, names lower-cased, values decoded.
    public var contentTypeParameters: [(name: String, value: String)]
    /// Content-Disposition value (`inline`, `attachment`), lower-cased, if present.
    public var disposition: String?
    /// Content-Disposition parameters.
    public var dispositionParameters: [(name: String, value: String)]
    /// Content-Transfer-Encoding, lower-cased (`7bit` when absent).
    public var transferEncoding: String
    /// The parts of a multipart (empty otherwise).
    public var children: [MIMEEntity]
    /// The message inside a `message/*` part.
    public var message: [MIMEEntity]
    /// The decoded body bytes of a leaf (empty for containers).
    public var body: [UInt8]
    /// The preamble of a multipart, raw.
    public var preamble: [UInt8]?
    /// The epilogue of a multipart, raw.
    public var epilogue: [UInt8]?
    /// Where this entity's bytes (headers and body) lie in the buffer it was
    /// parsed from: the message's bytes, or the nearest enclosing ``messageBytes``.
    public var rawRange: Range<Int>
    /// For a `message/*` part whose transfer encoding had to be undone first
    /// (base64, quoted-printable): the decoded bytes the nested message was parsed
    /// from; ranges inside that message refer to these bytes.
    public var messageBytes: [UInt8]?
    /// Problems met while parsing this entity (not its children).
    public var defects: [String]

    init(headers: [MIMEHeaderField], contentType: String, rawRange: Range<Int>) {
        self.headers = headers
        self.contentType = contentType
        self.contentTypeParameters = []
        self.disposition = nil
        self.dispositionParameters = []
        self.transferEncoding = "7bit"
        self.children = []
        self.message = []
        self.body = []
        self.preamble = nil
        self.epilogue = nil
        self.rawRange = rawRange
        self.messageBytes = nil
        self.defects = []
    }

    /// The first header field with this name (case-insensitive), raw.
    public func header(_ name: String) -> MIMEHeaderField? {
        let key = name.lowercased()
        return headers.first { $0.key == key }
    }

    /// All header fields with this name (case-insensitive).
    public func headers(named name: String) -> [MIMEHeaderField] {
        let key = name.lowercased()
        return headers.filter { $0.key == key }
    }

    /// The decoded value of the first header with this name.
    public func decodedHeader(_ name: String) -> String? { header(name)?.decodedValue }

    /// A Content-Type parameter by lower-case name.
    public func contentTypeParameter(_ name: String) -> String? {
        contentTypeParameters.first { $0.name == name }?.value
    }

    /// The charset parameter, if any.
    public var charset: String? { contentTypeParameter("charset") }

    /// The file name: Content-Disposition `filename`, else Content-Type `name`.
    public var filename: String? {
        let f = dispositionParameters.first { $0.name == "filename" }?.value ?? contentTypeParameter("name")
        return f?.trimmingBlanks()
    }

    /// True for multipart containers that were split into parts.
    public var isMultipart: Bool { !children.isEmpty || (contentType.hasPrefix("multipart/") && preamble != nil) }

    /// True for `message/*` parts parsed as a nested message.
    public var isMessage: Bool { !message.isEmpty }

    /// The main type (`text` of `text/plain`).
    public var mainType: String { String(contentType.split(separator: "/").first ?? "text") }

    /// The leaves of this tree in document order (depth first), the way
    /// Python's `Message.walk()` yields non-multipart parts.
    public var leafParts: [MIMEEntity] {
        var out: [MIMEEntity] = []
        collectLeaves(into: &out)
        return out
    }

    private func collectLeaves(into out: inout [MIMEEntity]) {
        if !children.isEmpty {
            for c in children { c.collectLeaves(into: &out) }
        } else if let m = message.first {
            m.collectLeaves(into: &out)
        } else if contentType.hasPrefix("multipart/") && preamble != nil {
            return // an empty multipart
        } else {
            out.append(self)
        }
    }

    /// The body decoded to text with its charset (undeclared or unknown: UTF-8, else Windows-1252).
    public var decodedText: String {
        CharsetDecoder.decode(body, charset: charset)
    }

    /// All defects of this entity and its descendants.
    public var allDefects: [String] {
        var out = defects
        for c in children { out += c.allDefects }
        for m in message { out += m.allDefects }
        return out
    }
}
