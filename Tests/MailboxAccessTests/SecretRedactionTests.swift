import Foundation
import Testing
@testable import MailboxAccess

/// Issue 13: a server that echoes the client's SASL response must not get the
/// credential into an error or a log, in any of the forms the protocol carries it.
struct SecretRedactionTests {
    static let password = "correct-horse-battery-42"
    static let token = "ya29.a0AfH6SMBx-example-token_0123"

    private func configuration(_ server: FakeOAuthIMAPServer, credential: IMAPConfiguration.Credential) throws -> IMAPConfiguration {
        var c = try IMAPConfiguration(url: "imap://someone%40example.org@127.0.0.1:\(server.port)/INBOX", credential: credential)
        c.requireTLS = false
        c.connectTimeout = 5
        c.operationTimeout = 15
        return c
    }

    /// Every form of `secret` that may appear in an echo of the login.
    static func forms(of secret: String, user: String = "someone@example.org") -> [String] {
        let b64 = { (s: String) in Data(s.utf8).base64EncodedString() }
        return [
            secret, b64(secret),
            b64("\u{0}\(user)\u{0}\(secret)"), b64("\(user)\u{0}\(user)\u{0}\(secret)"),
            b64("user=\(user)\u{1}auth=Bearer \(secret)\u{1}\u{1}"),
            secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? secret,
        ]
    }

    private func loginError(_ server: FakeOAuthIMAPServer, _ credential: IMAPConfiguration.Credential) throws -> MailboxError? {
        do {
            _ = try IMAPMailbox(configuration: configuration(server, credential: credential)).select()
            return nil
        } catch let e as MailboxError {
            return e
        }
    }

    @Test func anEchoedSASLPlainResponseIsNotInTheError() throws {
        let server = try FakeOAuthIMAPServer(acceptedToken: "unused", echo: true, capabilities: "IMAP4rev1 SASL-IR AUTH=PLAIN")
        defer { server.stop() }
        let error = try #require(try loginError(server, .password(Self.password)))
        let sent = server.received.joined(separator: "\n")
        #expect(sent.contains("AUTHENTICATE PLAIN"), "the client used SASL PLAIN: \(sent)")
        for form in Self.forms(of: Self.password) { #expect(!error.description.contains(form), "\(form) leaked: \(error)") }
        #expect(!error.description.contains("you said"))
        #expect(error.description.contains("NO [AUTHENTICATIONFAILED]"))
    }

    @Test func anEchoedXOAUTH2TokenIsNotInTheError() throws {
        let server = try FakeOAuthIMAPServer(acceptedToken: "unused", echo: true)
        defer { server.stop() }
        let error = try #require(try loginError(server, .bearerToken(Self.token, mechanism: .xoauth2)))
        for form in Self.forms(of: Self.token) { #expect(!error.description.contains(form), "\(form) leaked: \(error)") }
    }

    @Test func theRedactorFindsEveryForm() {
        let r = SecretRedactor(secrets: [Self.password])
        for form in Self.forms(of: Self.password) {
            let text = "A001 NO [AUTHENTICATIONFAILED] you sent \(form) (curl: login denied)"
            let out = r.redact(text)
            #expect(!out.contains(form), "\(form) survived: \(out)")
            #expect(out.contains("A001 NO [AUTHENTICATIONFAILED] you sent"))
        }
        // Base64url and a token that lost its first characters to a cut echo.
        let url = Data("user=x\u{1}auth=Bearer \(Self.password)\u{1}\u{1}".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        #expect(!r.redact("echo \(url)").contains(url))
        #expect(!r.redact("echo \(String(url.dropFirst(1)))").contains(String(url.dropFirst(1))))
        // Text without a secret is kept as it is.
        #expect(r.redact("A001 NO [AUTHENTICATIONFAILED] Invalid credentials") == "A001 NO [AUTHENTICATIONFAILED] Invalid credentials")
    }

    @Test func authenticationAnswersAreReducedToTheirStatus() {
        #expect(IMAPResponses.statusOnly("NO [AUTHENTICATIONFAILED] Invalid credentials dXNlcg==") == "NO [AUTHENTICATIONFAILED]")
        #expect(IMAPResponses.statusOnly("BAD you said something") == "BAD")
        #expect(IMAPResponses.statusOnly("NO [ALERT \u{1b}]0;x\u{7}] hi") == "NO")
    }
}
