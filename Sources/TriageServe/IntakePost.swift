import ContentHashing
import Foundation
import TriageCore

/// One web form post as `triage serve` received it, and the raw item it is
/// stored as: an HTTP/1.1 request (`POST /forms/ID`) with only the headers the
/// form parser reads, so the stored item reads back exactly as it was parsed
/// (`triage reclassify --stored`, `triage show`). Client addresses, cookies
/// and other headers are never kept.
public struct IntakePost: Sendable {
    /// The form's mapping id (`cambridgeshire-opcc-contact`).
    public var form: String
    /// The Content-Type header as sent, if any.
    public var contentType: String?
    /// The Content-Encoding header as sent, if any (the parser refuses encoded bodies).
    public var contentEncoding: String?
    /// The Idempotency-Key header, if any.
    public var idempotencyKey: String?
    /// The body, after any chunked transfer coding.
    public var body: [UInt8]
    /// When the server received it (the item's date: the stored `Date` header).
    public var received: Date
    /// Set when the body was cut at the size limit (quarantine keeps what arrived).
    public var truncated: Bool = false

    /// Creates a post.
    public init(form: String, contentType: String?, contentEncoding: String? = nil, idempotencyKey: String? = nil,
                body: [UInt8], received: Date) {
        self.form = form
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.idempotencyKey = idempotencyKey
        self.body = body
        self.received = received
    }

    /// The request path (`/forms/ID`).
    public var path: String { "/forms/\(form)" }

    /// The bytes stored: the request as the form parser reads it.
    public var rawBytes: [UInt8] {
        var head = "POST \(Self.clean(path)) HTTP/1.1\r\n"
        if let contentType { head += "Content-Type: \(Self.clean(contentType))\r\n" }
        if let contentEncoding { head += "Content-Encoding: \(Self.clean(contentEncoding))\r\n" }
        head += "Content-Length: \(body.count)\r\n"
        head += "Date: \(Self.httpDate(received))\r\n"
        if let idempotencyKey { head += "Idempotency-Key: \(Self.clean(idempotencyKey))\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }

    /// The raw item given to the store.
    /// - Parameter receipt: a per-process receipt number, for logs (`/forms/ID#n`).
    public func rawItem(receipt: String) -> RawItem {
        RawItem(bytes: rawBytes, source: path, locator: receipt, formatHint: "http")
    }

    /// What makes a retry the same post: its Idempotency-Key, else the hash of
    /// the form, the Content-Type and the body (the bytes the client sent).
    public var intakeKey: String {
        if let idempotencyKey { return "key:\(form):\(idempotencyKey)" }
        let identity = Array("\(form)\n\(contentType ?? "")\n\(contentEncoding ?? "")\n".utf8) + body
        return "body:" + ContentHash.sha256Hex(identity)
    }

    /// A header value with line breaks and other control characters removed,
    /// so no value can add a header line of its own.
    static func clean(_ value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
    }

    /// An IMF-fixdate (`Mon, 30 Nov 2026 07:27:26 GMT`), as HTTP's Date header.
    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
