import Foundation
import Logging

/// How an IMAP mailbox is reached: server, mailbox, credentials, TLS and limits.
public struct IMAPConfiguration: Sendable {
    /// How the client logs in.
    public enum Credential: Sendable, Equatable, CustomStringConvertible {
        /// A password (LOGIN / AUTHENTICATE PLAIN).
        case password(String)
        /// An OAuth 2.0 access token (Microsoft 365, Gmail), sent with `mechanism`.
        case bearerToken(String, mechanism: BearerMechanism)

        public var description: String {
            switch self {
            case .password: return "password(<redacted>)"
            case .bearerToken(_, let mechanism): return "bearerToken(<redacted>, \(mechanism.rawValue))"
            }
        }
    }

    /// The SASL mechanism for a bearer token.
    public enum BearerMechanism: String, Sendable, Equatable {
        /// Let libcurl choose among those the server offers (OAUTHBEARER first, then XOAUTH2).
        case automatic
        /// Google's and Microsoft's XOAUTH2.
        case xoauth2 = "XOAUTH2"
        /// RFC 7628 OAUTHBEARER.
        case oauthbearer = "OAUTHBEARER"
    }

    /// `imap` or `imaps`.
    public var scheme: String
    /// Host name or address (IPv6 without brackets).
    public var host: String
    /// TCP port (143 or 993 unless the URL says).
    public var port: Int
    /// The mailbox (folder) to poll, e.g. `INBOX`.
    public var mailbox: String
    /// The login name.
    public var username: String
    /// Password or bearer token.
    public var credential: Credential
    /// Verify the server certificate and host name (on by default).
    public var verifyTLS: Bool = true
    /// A PEM file of CA certificates to trust instead of the system ones.
    public var caFile: String?
    /// For `imap://`: require STARTTLS (on by default). `imaps://` is always TLS.
    public var requireTLS: Bool = true
    /// Seconds allowed to connect.
    public var connectTimeout: Double = 30
    /// Seconds one operation may take at most.
    public var operationTimeout: Double = 300
    /// Largest message fetched; a larger one fails with ``MailboxError/tooLarge(_:limit:)``.
    public var maxMessageBytes: Int = 64 << 20
    /// Put back the "unread" state after a fetch (libcurl fetches with BODY[], which sets \Seen).
    public var keepUnseen: Bool = true
    /// Without UIDPLUS, a COPY-based move cannot expunge just one message; when this is
    /// true it runs a plain EXPUNGE (which removes every \Deleted message), else it
    /// leaves the message flagged \Deleted.
    public var expungeWithoutUIDPlus: Bool = false

    /// Reads a configuration from a URL such as `imaps://user@host:993/INBOX`.
    /// - Parameters:
    ///   - url: `imap://` or `imaps://`, with the user name and the mailbox (default `INBOX`).
    ///     A password in the URL is refused.
    ///   - username: overrides the URL's user name.
    ///   - credential: the password or bearer token (read it with ``readSecret(environmentVariable:file:environment:)``).
    /// - Throws: ``MailboxError/configuration(_:)`` when the URL is unusable.
    public init(url: String, username: String? = nil, credential: Credential) throws {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(),
              scheme == "imap" || scheme == "imaps"
        else { throw MailboxError.configuration("not an imap:// or imaps:// URL: \(url)") }
        guard let host = parts.host, !host.isEmpty else {
            throw MailboxError.configuration("no host in \(scheme) URL")
        }
        if parts.password != nil {
            throw MailboxError.configuration("a password in the URL is refused; give it by environment variable or file")
        }
        guard let user = username ?? parts.user, !user.isEmpty else {
            throw MailboxError.configuration("no user name: put it in the URL (imaps://user@host/INBOX)")
        }
        var path = parts.path
        while path.hasPrefix("/") { path.removeFirst() }
        if let semicolon = path.firstIndex(of: ";") { path = String(path[..<semicolon]) }
        self.scheme = scheme
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        self.port = parts.port ?? (scheme == "imaps" ? 993 : 143)
        self.mailbox = path.isEmpty ? "INBOX" : path
        self.username = user
        self.credential = credential
    }

    /// Reads a secret (password or token) from an environment variable or a file,
    /// never from the command line. The file's trailing newline is dropped.
    /// - Parameters:
    ///   - environmentVariable: the variable's name, tried first.
    ///   - file: a path, tried when the variable is absent or empty.
    ///   - environment: the environment to read (the process's by default).
    /// - Returns: the secret.
    /// - Throws: ``MailboxError/configuration(_:)`` when neither gives a secret.
    public static func readSecret(
        environmentVariable: String?, file: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> String {
        if let name = environmentVariable, let value = environment[name], !value.isEmpty {
            return value
        }
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw MailboxError.configuration("cannot read the secret file \(file)")
            }
            var text = String(decoding: data, as: UTF8.self)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            guard !text.isEmpty else { throw MailboxError.configuration("the secret file \(file) is empty") }
            return text
        }
        if let name = environmentVariable {
            throw MailboxError.configuration("environment variable \(name) is not set")
        }
        throw MailboxError.configuration("no password or token given (environment variable or file)")
    }

    /// `scheme://host:port/` (user name and secrets left out).
    var serverURL: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(hostPart):\(port)/"
    }

    /// The mailbox URL without user or parameters, for labels and logs.
    public var label: String { serverURL + mailbox }
}

/// An IMAP mailbox reached through libcurl. Each operation is one or a few
/// libcurl transfers on a reused connection. Safe to share between tasks:
/// operations run one at a time.
public final class IMAPMailbox: @unchecked Sendable {
    /// The configuration it was made with.
    public let configuration: IMAPConfiguration
    private let transfer = CurlTransfer()
    private let lock = NSLock()
    private let logger: Logger
    private var cachedCapabilities: Set<String>?

    /// Makes a mailbox client; nothing is sent until the first operation.
    /// - Parameters:
    ///   - configuration: server, mailbox, credential, TLS.
    ///   - logger: diagnostics (never message contents or secrets).
    public init(configuration: IMAPConfiguration, logger: Logger = Logger(label: "triage.mailbox.imap")) {
        self.configuration = configuration
        self.logger = logger
    }

    // MARK: Operations

    /// Selects the mailbox and reads its UIDVALIDITY, EXISTS and UIDNEXT.
    ///
    /// Uses SELECT, not EXAMINE: libcurl remembers which mailbox it selected on the
    /// connection and would otherwise later STORE into a read-only mailbox.
    /// - Returns: the mailbox status.
    /// - Throws: ``MailboxError``.
    public func select() throws -> IMAPMailboxStatus {
        let mailbox = configuration.mailbox
        let result = try run(
            command: "SELECT", request: "SELECT \(IMAPResponses.quotedMailbox(mailbox))",
            url: configuration.serverURL)
        let lines = IMAPResponses.lines(of: result.body) + result.responseLines
        guard let status = IMAPResponses.mailboxStatus(lines) else {
            throw MailboxError.refused(command: "SELECT", server: "no UIDVALIDITY in the server's answer for \(mailbox)")
        }
        logger.debug("imap select", metadata: [
            "mailbox": "\(configuration.label)", "uidvalidity": "\(status.uidValidity)",
            "exists": "\(status.exists)", "uidnext": "\(status.uidNext.map(String.init) ?? "-")",
        ])
        return status
    }

    /// Searches the mailbox by UID.
    ///
    /// A server may answer from the connection's view of the mailbox, which does not
    /// yet show what other clients changed; `refresh` sends a NOOP first so it does.
    /// - Parameters:
    ///   - criteria: IMAP search keys, e.g. `ALL`, `UNSEEN`, `UID 10:*`, `UNDELETED UNKEYWORD $Triaged`.
    ///   - uidValidity: when given, the search fails if the mailbox's UIDVALIDITY differs.
    ///   - refresh: bring the view up to date first (not needed right after ``select()``).
    /// - Returns: the matching UIDs, ascending.
    /// - Throws: ``MailboxError``.
    public func uids(search criteria: String, uidValidity: UInt32? = nil, refresh: Bool = true) throws -> [UInt32] {
        try checkArgument(criteria, what: "search criteria")
        if refresh {
            _ = try run(command: "NOOP", request: "NOOP", url: mailboxURL(uidValidity: uidValidity))
        }
        let result = try run(
            command: "UID SEARCH", request: "UID SEARCH \(criteria)",
            url: mailboxURL(uidValidity: uidValidity))
        return IMAPResponses.searchResults(IMAPResponses.lines(of: result.body)).sorted()
    }

    /// The flags of one message.
    /// - Parameters:
    ///   - uid: the message's UID.
    ///   - uidValidity: when given, fails if the mailbox's UIDVALIDITY differs.
    /// - Returns: its flags as the server spells them (`\Seen`, `$Triaged`).
    /// - Throws: ``MailboxError/noSuchMessage(_:)`` when there is no such UID.
    public func flags(uid: UInt32, uidValidity: UInt32? = nil) throws -> [String] {
        let result = try run(
            command: "UID FETCH", request: "UID FETCH \(uid) (FLAGS)",
            url: mailboxURL(uidValidity: uidValidity))
        guard let flags = IMAPResponses.fetchedFlags(IMAPResponses.lines(of: result.body))[uid] else {
            throw MailboxError.noSuchMessage(locator(uidValidity: uidValidity, uid: uid))
        }
        return flags
    }

    /// Fetches one message's exact bytes by UID.
    ///
    /// libcurl fetches with `BODY[]` (it has no `BODY.PEEK`), which sets `\Seen`;
    /// with ``IMAPConfiguration/keepUnseen`` the flag is removed again when the
    /// message was unread before.
    /// - Parameters:
    ///   - uid: the message's UID.
    ///   - uidValidity: the UIDVALIDITY the UID belongs to; the fetch fails with
    ///     ``MailboxError/uidValidityChanged(mailbox:expected:)`` if the mailbox's differs.
    ///     When nil, the mailbox is selected first to learn it.
    /// - Returns: the message, with locator `imap:UIDVALIDITY:UID`.
    /// - Throws: ``MailboxError/noSuchMessage(_:)`` for a missing UID, or another ``MailboxError``.
    public func fetch(uid: UInt32, uidValidity: UInt32? = nil) throws -> MailboxMessage {
        let validity = try uidValidity ?? select().uidValidity
        let name = locator(uidValidity: validity, uid: uid)
        let flags = try self.flags(uid: uid, uidValidity: validity)
        let wasSeen = flags.contains { $0.caseInsensitiveCompare("\\Seen") == .orderedSame }
        let result = try run(
            command: "UID FETCH", request: nil,
            url: mailboxURL(uidValidity: validity) + ";UID=\(uid)", item: name,
            maxBody: configuration.maxMessageBytes)
        if configuration.keepUnseen && !wasSeen {
            _ = try run(
                command: "UID STORE", request: "UID STORE \(uid) -FLAGS.SILENT (\\Seen)",
                url: mailboxURL(uidValidity: validity))
        }
        logger.debug("imap fetch", metadata: ["item": "\(name)", "bytes": "\(result.body.count)"])
        return MailboxMessage(
            source: configuration.label, locator: MailboxMessage.imapLocator(uidValidity: validity, uid: uid),
            uid: uid, bytes: result.body)
    }

    /// Adds flags to one message (`UID STORE n +FLAGS.SILENT (...)`).
    /// - Parameters:
    ///   - uid: the message's UID (a missing UID is not an error: nothing is changed).
    ///   - flags: system flags (`\Seen`, `\Flagged`) or keywords (`$Triaged`).
    ///   - uidValidity: when given, fails if the mailbox's UIDVALIDITY differs.
    /// - Throws: ``MailboxError``.
    public func addFlags(uid: UInt32, flags: [String], uidValidity: UInt32? = nil) throws {
        try store(uid: uid, operation: "+FLAGS.SILENT", flags: flags, uidValidity: uidValidity)
    }

    /// Removes flags from one message (`UID STORE n -FLAGS.SILENT (...)`).
    /// - Parameters: as ``addFlags(uid:flags:uidValidity:)``.
    /// - Throws: ``MailboxError``.
    public func removeFlags(uid: UInt32, flags: [String], uidValidity: UInt32? = nil) throws {
        try store(uid: uid, operation: "-FLAGS.SILENT", flags: flags, uidValidity: uidValidity)
    }

    /// Moves one message to another mailbox: `UID MOVE` when the server has MOVE,
    /// else `UID COPY`, `\Deleted` and (with UIDPLUS) `UID EXPUNGE`.
    /// - Parameters:
    ///   - uid: the message's UID.
    ///   - destination: the target mailbox (it must exist; see ``createMailbox(_:)``).
    ///   - uidValidity: when given, fails if the mailbox's UIDVALIDITY differs.
    /// - Throws: ``MailboxError``.
    public func move(uid: UInt32, to destination: String, uidValidity: UInt32? = nil) throws {
        let target = IMAPResponses.quotedMailbox(destination)
        let url = mailboxURL(uidValidity: uidValidity)
        let capabilities = try self.capabilities()
        if capabilities.contains("MOVE") {
            _ = try run(command: "UID MOVE", request: "UID MOVE \(uid) \(target)", url: url)
        } else {
            _ = try run(command: "UID COPY", request: "UID COPY \(uid) \(target)", url: url)
            _ = try run(command: "UID STORE", request: "UID STORE \(uid) +FLAGS.SILENT (\\Deleted)", url: url)
            if capabilities.contains("UIDPLUS") {
                _ = try run(command: "UID EXPUNGE", request: "UID EXPUNGE \(uid)", url: url)
            } else if configuration.expungeWithoutUIDPlus {
                _ = try run(command: "EXPUNGE", request: "EXPUNGE", url: url)
            }
        }
        logger.debug("imap move", metadata: [
            "item": "\(locator(uidValidity: uidValidity, uid: uid))", "to": "\(destination)",
        ])
    }

    /// Appends a message to the mailbox (IMAP APPEND).
    ///
    /// libcurl always appends with `(\Seen)`; unless `seen` is true the flag is
    /// removed again (when the server reports the new UID), so the message looks
    /// like newly delivered mail.
    /// - Parameters:
    ///   - bytes: the message, with CRLF line ends.
    ///   - seen: leave the message marked as read.
    /// - Returns: its UID when the server reports it (UIDPLUS `APPENDUID`).
    /// - Throws: ``MailboxError``.
    @discardableResult
    public func append(bytes: [UInt8], seen: Bool = false) throws -> UInt32? {
        let result = try run(
            command: "APPEND", request: nil, url: mailboxURL(uidValidity: nil),
            extra: [.upload(size: bytes.count)], upload: bytes)
        guard let appended = IMAPResponses.appendUID(result.responseLines) else { return nil }
        if !seen {
            try removeFlags(uid: appended.uid, flags: ["\\Seen"], uidValidity: appended.uidValidity)
        }
        return appended.uid
    }

    /// Creates a mailbox (folder), e.g. the one processed messages are moved to.
    /// - Parameters:
    ///   - name: the mailbox name.
    ///   - ifMissing: when true, an existing mailbox is not an error.
    /// - Throws: ``MailboxError``.
    public func createMailbox(_ name: String, ifMissing: Bool = true) throws {
        do {
            _ = try run(
                command: "CREATE", request: "CREATE \(IMAPResponses.quotedMailbox(name))",
                url: configuration.serverURL)
        } catch MailboxError.refused(let command, let server)
            where ifMissing && (server.uppercased().contains("ALREADYEXISTS") || server.lowercased().contains("already exists"))
        {
            _ = command
        }
    }

    /// The server's capabilities after login (cached for this client).
    /// - Returns: capability names, upper-cased (`MOVE`, `UIDPLUS`, `AUTH=PLAIN`).
    /// - Throws: ``MailboxError``.
    public func capabilities() throws -> Set<String> {
        if let cached = lock.withLock({ cachedCapabilities }) { return cached }
        let result = try run(command: "CAPABILITY", request: "CAPABILITY", url: configuration.serverURL)
        let found = IMAPResponses.capabilities(result.responseLines + IMAPResponses.lines(of: result.body))
        lock.withLock { cachedCapabilities = found }
        return found
    }

    /// Replaces the cached capabilities (tests use it to take the paths for servers without MOVE or UIDPLUS).
    func assumeCapabilities(_ capabilities: Set<String>) {
        lock.withLock { cachedCapabilities = capabilities }
    }

    // MARK: libcurl settings

    /// The libcurl settings every operation starts with: URL, login, TLS, timeouts.
    func baseSettings(url: String) -> [CurlSetting] {
        var settings: [CurlSetting] = [.url(url), .username(configuration.username)]
        switch configuration.credential {
        case .password(let password):
            settings.append(.password(password))
        case .bearerToken(let token, let mechanism):
            settings.append(.bearerToken(token))
            if mechanism != .automatic {
                settings.append(.loginOptions("AUTH=\(mechanism.rawValue)"))
            }
        }
        if configuration.scheme == "imap" {
            settings.append(.requireTLS(configuration.requireTLS))
        }
        if let caFile = configuration.caFile { settings.append(.caFile(caFile)) }
        if !configuration.verifyTLS {
            settings.append(.verifyPeer(false))
            settings.append(.verifyHost(false))
        }
        settings.append(.connectTimeoutMilliseconds(Int(configuration.connectTimeout * 1000)))
        settings.append(.timeoutMilliseconds(Int(configuration.operationTimeout * 1000)))
        settings.append(.lowSpeed(bytesPerSecond: 1, seconds: max(Int(configuration.connectTimeout), 10)))
        return settings
    }

    /// The settings of one operation.
    func settings(url: String, request: String?, extra: [CurlSetting] = []) -> [CurlSetting] {
        var settings = baseSettings(url: url)
        if let request { settings.append(.customRequest(request)) }
        return settings + extra
    }

    // MARK: Internals

    private func mailboxURL(uidValidity: UInt32?) -> String {
        let encoded = IMAPResponses.modifiedUTF7(configuration.mailbox)
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        let path = encoded.addingPercentEncoding(withAllowedCharacters: allowed) ?? encoded
        var url = configuration.serverURL + path
        if let uidValidity { url += ";UIDVALIDITY=\(uidValidity)" }
        return url
    }

    private func locator(uidValidity: UInt32?, uid: UInt32) -> String {
        if let uidValidity { return configuration.label + "#" + MailboxMessage.imapLocator(uidValidity: uidValidity, uid: uid) }
        return configuration.label + "#uid:\(uid)"
    }

    private func store(uid: UInt32, operation: String, flags: [String], uidValidity: UInt32?) throws {
        guard !flags.isEmpty else { return }
        for flag in flags where !IMAPResponses.isValidFlag(flag) {
            throw MailboxError.configuration("not a valid IMAP flag: \(flag)")
        }
        _ = try run(
            command: "UID STORE", request: "UID STORE \(uid) \(operation) (\(flags.joined(separator: " ")))",
            url: mailboxURL(uidValidity: uidValidity))
    }

    private func checkArgument(_ text: String, what: String) throws {
        if text.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            throw MailboxError.configuration("\(what) must be one line")
        }
    }

    /// Runs one transfer and turns a failure into a ``MailboxError``.
    private func run(
        command: String, request: String?, url: String, item: String? = nil,
        extra: [CurlSetting] = [], upload: [UInt8] = [], maxBody: Int = 64 << 20
    ) throws -> CurlResult {
        let settings = settings(url: url, request: request, extra: extra)
        let limit = maxBody
        let result = lock.withLock { transfer.perform(settings, upload: upload, maxBody: limit) }
        if result.succeeded { return result }
        let error = classify(result, command: command, item: item, url: url)
        logger.debug("imap failure", metadata: ["command": "\(command)", "error": "\(error)"])
        throw error
    }

    private func classify(_ result: CurlResult, command: String, item: String?, url: String) -> MailboxError {
        let server = IMAPResponses.serverRefusal(result.responseLines).map(redact)
        let curlText = redact(result.errorText)
        let words = server.map { "\($0) (\(curlText))" } ?? curlText
        // During authentication the server's free text may echo the client's SASL
        // response: keep only its status and response code.
        let authWords = redact(server.map { "\(IMAPResponses.statusOnly($0)) (\(curlText))" } ?? curlText)
        let where_ = configuration.label
        switch result.code {
        case CurlCode.loginDenied where curlText.lowercased().contains("select failed"):
            // libcurl reports a refused SELECT of the URL's mailbox as "login denied".
            return .refused(command: "SELECT \(configuration.mailbox)", server: words)
        case CurlCode.loginDenied:
            return .authentication("\(where_) as \(configuration.username): \(authWords)")
        case CurlCode.couldNotResolveHost, CurlCode.couldNotConnect, CurlCode.timedOut:
            return .connection("\(where_): \(words)")
        case CurlCode.sslConnectError, CurlCode.peerFailedVerification, CurlCode.useSSLFailed, CurlCode.sslCACertBadFile:
            return .tls("\(where_): \(words)")
        case CurlCode.writeError where result.bodyTooLarge:
            return .tooLarge(item ?? where_, limit: configuration.maxMessageBytes)
        case CurlCode.remoteFileNotFound:
            if curlText.uppercased().contains("UIDVALIDITY"),
               let expected = Self.uidValidity(inURL: url)
            {
                return .uidValidityChanged(mailbox: where_, expected: expected)
            }
            if let item { return .noSuchMessage(item) }
            return .refused(command: command, server: words)
        default:
            if let server { return .refused(command: command, server: "\(server) (\(curlText))") }
            return .connection("\(where_): \(command): \(curlText)")
        }
    }

    private static func uidValidity(inURL url: String) -> UInt32? {
        guard let range = url.range(of: ";UIDVALIDITY=") else { return nil }
        return UInt32(url[range.upperBound...].prefix { $0.isNumber })
    }

    /// Removes the secret from any text that might echo it.
    private func redact(_ text: String) -> String {
        let secret: String
        switch configuration.credential {
        case .password(let value): secret = value
        case .bearerToken(let value, _): secret = value
        }
        return SecretRedactor(secrets: [secret]).redact(text)
    }
}
