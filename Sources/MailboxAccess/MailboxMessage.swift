import TriageCore

/// One message read from a mailbox: its exact bytes and where it is.
public struct MailboxMessage: Sendable, Equatable {
    /// The mailbox it came from: `imap://host:port/INBOX` or the Maildir path.
    public var source: String
    /// Where it is inside the mailbox: `imap:UIDVALIDITY:UID` or `maildir:UNIQUE-NAME`.
    public var locator: String
    /// The IMAP UID, for IMAP messages.
    public var uid: UInt32?
    /// The message bytes, untouched.
    public var bytes: [UInt8]

    public init(source: String, locator: String, uid: UInt32? = nil, bytes: [UInt8]) {
        self.source = source
        self.locator = locator
        self.uid = uid
        self.bytes = bytes
    }

    /// The message as an ingester's raw item (format hint `eml`).
    public var rawItem: RawItem {
        RawItem(bytes: bytes, source: source, locator: locator, formatHint: "eml")
    }

    /// The locator of an IMAP message: `imap:UIDVALIDITY:UID`.
    public static func imapLocator(uidValidity: UInt32, uid: UInt32) -> String {
        "imap:\(uidValidity):\(uid)"
    }
}
