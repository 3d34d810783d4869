import Foundation
import Testing
@testable import MailboxAccess
#if canImport(Glibc)
import Glibc
#endif

/// A tiny scripted IMAP server on 127.0.0.1 that offers XOAUTH2 and OAUTHBEARER,
/// accepts one bearer token, and records what the client sent. Dovecot can only
/// check bearer tokens with an OAuth2 passdb (an introspection server or JWT keys),
/// so this stands in for Microsoft 365 / Gmail in the test.
final class FakeOAuthIMAPServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let acceptedToken: String
    private let hangUpAfterSelect: Bool
    private let echo: Bool
    private let capabilities: String
    private let lock = NSLock()
    private var lines: [String] = []

    /// Every line the client sent, in order.
    var received: [String] { lock.withLock { lines } }

    /// - Parameters:
    ///   - acceptedToken: the one bearer token that logs in.
    ///   - hangUpAfterSelect: drop the connection after each SELECT (a server restart or idle timeout).
    ///   - echo: a hostile or careless server: refuse every login, echoing what the client sent.
    ///   - capabilities: what the greeting advertises.
    init(acceptedToken: String, hangUpAfterSelect: Bool = false, echo: Bool = false,
         capabilities: String = "IMAP4rev1 SASL-IR AUTH=XOAUTH2 AUTH=OAUTHBEARER") throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw MailboxError.io("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 8) == 0 else {
            close(fd)
            throw MailboxError.io("bind/listen failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.listener = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.acceptedToken = acceptedToken
        self.hangUpAfterSelect = hangUpAfterSelect
        self.echo = echo
        self.capabilities = capabilities
        let thread = Thread { [self] in self.acceptLoop() }
        thread.start()
    }

    /// Stops accepting. The accept thread closes the socket itself, so its number
    /// cannot be reused by another server while that thread might still use it.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 { return }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            serve(connection)
            close(connection)
        }
    }

    private func send(_ connection: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private func readLine(_ connection: Int32) -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while bytes.count < 100_000 {
            let n = recv(connection, &byte, 1, 0)
            if n <= 0 { return nil }
            if byte == UInt8(ascii: "\n") {
                if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
                let line = String(decoding: bytes, as: UTF8.self)
                lock.withLock { lines.append(line) }
                return line
            }
            bytes.append(byte)
        }
        return nil
    }

    private func accepts(_ base64: String) -> Bool {
        guard let data = Data(base64Encoded: base64) else { return false }
        return String(decoding: data, as: UTF8.self).contains("auth=Bearer \(acceptedToken)\u{1}")
    }

    private func serve(_ connection: Int32) {
        send(connection, "* OK [CAPABILITY \(capabilities)] fake server ready\r\n")
        while let line = readLine(connection) {
            let words = line.split(separator: " ").map(String.init)
            guard words.count >= 2 else { continue }
            let tag = words[0]
            switch words[1].uppercased() {
            case "CAPABILITY":
                send(connection, "* CAPABILITY \(capabilities)\r\n\(tag) OK done\r\n")
            case "AUTHENTICATE":
                var response = words.count >= 4 ? words[3] : ""
                if response.isEmpty {
                    send(connection, "+ \r\n")
                    response = readLine(connection) ?? ""
                }
                if echo {
                    let decoded = Data(base64Encoded: response).map { String(decoding: $0, as: UTF8.self) } ?? ""
                    send(connection, "* BAD you said \(response) which is \(decoded.replacingOccurrences(of: "\u{1}", with: " "))\r\n")
                    send(connection, "\(tag) NO [AUTHENTICATIONFAILED] Invalid credentials \(response)\r\n")
                } else if accepts(response) {
                    send(connection, "\(tag) OK Logged in\r\n")
                } else {
                    send(connection, "\(tag) NO [AUTHENTICATIONFAILED] Invalid credentials\r\n")
                }
            case "LOGIN":
                send(connection, "\(tag) NO [AUTHENTICATIONFAILED] Invalid credentials \(words.dropFirst(2).joined(separator: " "))\r\n")
            case "SELECT", "EXAMINE":
                send(connection, "* 0 EXISTS\r\n* OK [UIDVALIDITY 4242] ok\r\n* OK [UIDNEXT 1] ok\r\n\(tag) OK [READ-WRITE] done\r\n")
                if hangUpAfterSelect { return }
            case "LOGOUT":
                send(connection, "* BYE bye\r\n\(tag) OK done\r\n")
                return
            default:
                send(connection, "\(tag) BAD not in this fake\r\n")
            }
        }
    }
}

/// Bearer-token login (Microsoft 365, Gmail) through libcurl's CURLOPT_XOAUTH2_BEARER.
struct BearerTokenTests {
    private func decodedAuthentication(_ server: FakeOAuthIMAPServer) -> (mechanism: String, response: String)? {
        for line in server.received {
            let words = line.split(separator: " ").map(String.init)
            guard words.count >= 3, words[1].uppercased() == "AUTHENTICATE" else { continue }
            let response = words.count >= 4 ? words[3] : ""
            let decoded = Data(base64Encoded: response).map { String(decoding: $0, as: UTF8.self) } ?? ""
            return (words[2].uppercased(), decoded)
        }
        return nil
    }

    private func configuration(_ server: FakeOAuthIMAPServer, token: String, mechanism: IMAPConfiguration.BearerMechanism) throws -> IMAPConfiguration {
        var configuration = try IMAPConfiguration(
            url: "imap://someone%40example.org@127.0.0.1:\(server.port)/INBOX",
            credential: .bearerToken(token, mechanism: mechanism))
        configuration.requireTLS = false
        configuration.connectTimeout = 5
        configuration.operationTimeout = 15
        return configuration
    }

    @Test func xoauth2SendsTheTokenAndLogsIn() throws {
        let server = try FakeOAuthIMAPServer(acceptedToken: "good-token-1")
        defer { server.stop() }
        let status = try IMAPMailbox(configuration: configuration(server, token: "good-token-1", mechanism: .xoauth2)).select()
        #expect(status.uidValidity == 4242)
        let authentication = try #require(decodedAuthentication(server))
        #expect(authentication.mechanism == "XOAUTH2")
        #expect(authentication.response == "user=someone@example.org\u{1}auth=Bearer good-token-1\u{1}\u{1}")
        #expect(!server.received.contains { $0.uppercased().hasPrefix("A") && $0.uppercased().contains(" LOGIN ") })
    }

    @Test func oauthbearerSendsTheTokenAndLogsIn() throws {
        let server = try FakeOAuthIMAPServer(acceptedToken: "good-token-2")
        defer { server.stop() }
        let status = try IMAPMailbox(configuration: configuration(server, token: "good-token-2", mechanism: .oauthbearer)).select()
        #expect(status.uidValidity == 4242)
        let authentication = try #require(decodedAuthentication(server))
        #expect(authentication.mechanism == "OAUTHBEARER")
        #expect(authentication.response.hasPrefix("n,a=someone@example.org,"))
        #expect(authentication.response.contains("auth=Bearer good-token-2\u{1}\u{1}"))
    }

    @Test func aRejectedTokenIsAnAuthenticationErrorWithoutTheToken() throws {
        let server = try FakeOAuthIMAPServer(acceptedToken: "good-token-3")
        defer { server.stop() }
        let token = "expired-token-9876"
        do {
            _ = try IMAPMailbox(configuration: configuration(server, token: token, mechanism: .xoauth2)).select()
            Issue.record("a rejected token logged in")
        } catch let error as MailboxError {
            guard case .authentication = error else {
                Issue.record("expected an authentication error, got \(error)")
                return
            }
            #expect(error.description.contains("NO [AUTHENTICATIONFAILED]"), "the server's status is kept: \(error)")
            #expect(!error.description.contains(token))
        }
    }

    @Test func aDroppedConnectionIsReopenedOnTheNextOperation() throws {
        let server = try FakeOAuthIMAPServer(acceptedToken: "good-token-4", hangUpAfterSelect: true)
        defer { server.stop() }
        let mailbox = IMAPMailbox(configuration: try configuration(server, token: "good-token-4", mechanism: .xoauth2))
        #expect(try mailbox.select().uidValidity == 4242)
        Thread.sleep(forTimeInterval: 0.2)
        #expect(try mailbox.select().uidValidity == 4242)
        let logins = server.received.filter { $0.uppercased().contains(" AUTHENTICATE ") }
        #expect(logins.count == 2)
    }
}
