/// Why a mailbox operation failed. Messages carry the server's or system's
/// words and the mailbox or item they concern, never a password or token.
public enum MailboxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration is unusable (bad URL, missing secret, bad flag name, ...).
    case configuration(String)
    /// The server could not be reached, or the connection broke or timed out.
    case connection(String)
    /// TLS failed: certificate not trusted, handshake failed, STARTTLS refused.
    case tls(String)
    /// The server refused the login.
    case authentication(String)
    /// No message has this locator (for IMAP: no such UID in the mailbox).
    case noSuchMessage(String)
    /// The mailbox's UIDVALIDITY is not the one the caller expected: its UIDs mean other messages now.
    case uidValidityChanged(mailbox: String, expected: UInt32)
    /// The server answered NO or BAD to a command (`command` is its verb only, never its arguments' secrets).
    case refused(command: String, server: String)
    /// The message is larger than the configured limit.
    case tooLarge(String, limit: Int)
    /// A Maildir file disappeared between listing and reading or marking.
    case vanished(String)
    /// A file-system operation failed.
    case io(String)

    public var description: String {
        switch self {
        case .configuration(let text): return "mailbox configuration: \(text)"
        case .connection(let text): return "mailbox connection: \(text)"
        case .tls(let text): return "mailbox TLS: \(text)"
        case .authentication(let text): return "mailbox login refused: \(text)"
        case .noSuchMessage(let locator): return "\(locator): no such message"
        case .uidValidityChanged(let mailbox, let expected):
            return "\(mailbox): UIDVALIDITY is no longer \(expected); its UIDs now name other messages"
        case .refused(let command, let server): return "server refused \(command): \(server)"
        case .tooLarge(let locator, let limit): return "\(locator): message larger than \(limit) bytes"
        case .vanished(let locator): return "\(locator): message vanished before it could be used"
        case .io(let text): return "mailbox file error: \(text)"
        }
    }
}
