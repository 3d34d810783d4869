import Foundation
import Testing
@testable import MailboxAccess

/// URL parsing, secrets, libcurl settings and response parsing: no network.
struct IMAPConfigurationTests {
    @Test func urlGivesServerMailboxAndUser() throws {
        let configuration = try IMAPConfiguration(
            url: "imaps://complaints%40example.net@mail.example.net:993/INBOX", credential: .password("pw"))
        #expect(configuration.scheme == "imaps")
        #expect(configuration.host == "mail.example.net")
        #expect(configuration.port == 993)
        #expect(configuration.mailbox == "INBOX")
        #expect(configuration.username == "complaints@example.net")
        #expect(configuration.label == "imaps://mail.example.net:993/INBOX")
        #expect(configuration.verifyTLS)

        let plain = try IMAPConfiguration(url: "imap://u@[::1]/Complaints/New", credential: .password("pw"))
        #expect(plain.port == 143)
        #expect(plain.host == "::1")
        #expect(plain.mailbox == "Complaints/New")
        #expect(plain.serverURL == "imap://[::1]:143/")

        let defaulted = try IMAPConfiguration(url: "imaps://u@example.net", credential: .password("pw"))
        #expect(defaulted.mailbox == "INBOX")
    }

    @Test func badURLsAreRefusedClearly() {
        #expect(throws: MailboxError.configuration("a password in the URL is refused; give it by environment variable or file")) {
            try IMAPConfiguration(url: "imaps://u:secret@example.net/INBOX", credential: .password("x"))
        }
        #expect(throws: MailboxError.configuration("not an imap:// or imaps:// URL: https://example.net/")) {
            try IMAPConfiguration(url: "https://example.net/", credential: .password("x"))
        }
        #expect(throws: MailboxError.configuration("no user name: put it in the URL (imaps://user@host/INBOX)")) {
            try IMAPConfiguration(url: "imaps://example.net/INBOX", credential: .password("x"))
        }
    }

    @Test func secretsComeFromTheEnvironmentOrAFile() throws {
        #expect(try IMAPConfiguration.readSecret(
            environmentVariable: "TRIAGE_IMAP_PASSWORD", file: nil,
            environment: ["TRIAGE_IMAP_PASSWORD": "s3cret"]) == "s3cret")
        let file = try TestSupport.temporaryDirectory("secret") + "/pw"
        try Data("from-file\n".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try IMAPConfiguration.readSecret(environmentVariable: "UNSET_VAR", file: file, environment: [:]) == "from-file")
        #expect(throws: MailboxError.configuration("environment variable UNSET_VAR is not set")) {
            try IMAPConfiguration.readSecret(environmentVariable: "UNSET_VAR", file: nil, environment: [:])
        }
    }

    @Test func passwordSettingsAndRedaction() throws {
        var configuration = try IMAPConfiguration(url: "imap://u@example.net/INBOX", credential: .password("hunter2"))
        let mailbox = IMAPMailbox(configuration: configuration)
        let settings = mailbox.settings(url: "imap://example.net:143/INBOX", request: "UID SEARCH ALL")
        #expect(settings.contains(.username("u")))
        #expect(settings.contains(.password("hunter2")))
        #expect(settings.contains(.requireTLS(true)))
        #expect(settings.contains(.customRequest("UID SEARCH ALL")))
        #expect(!settings.contains(.verifyPeer(false)))
        #expect(!settings.description.contains("hunter2"))
        #expect(!configuration.credential.description.contains("hunter2"))

        configuration.verifyTLS = false
        configuration.caFile = "/tmp/ca.pem"
        let insecure = IMAPMailbox(configuration: configuration).settings(url: "x", request: nil)
        #expect(insecure.contains(.verifyPeer(false)))
        #expect(insecure.contains(.verifyHost(false)))
        #expect(insecure.contains(.caFile("/tmp/ca.pem")))
    }

    @Test func bearerTokenSetsXOAuth2BearerAndTheMechanism() throws {
        let token = "ya29.token"
        let configuration = try IMAPConfiguration(
            url: "imaps://someone@outlook.example.com/INBOX", credential: .bearerToken(token, mechanism: .xoauth2))
        let settings = IMAPMailbox(configuration: configuration).baseSettings(url: "imaps://outlook.example.com:993/INBOX")
        #expect(settings.contains(.bearerToken(token)))
        #expect(settings.contains(.loginOptions("AUTH=XOAUTH2")))
        #expect(!settings.contains { if case .password = $0 { return true } else { return false } })
        #expect(!settings.contains(.requireTLS(true)))  // imaps is TLS from the start
        #expect(!"\(settings)".contains(token))

        let automatic = try IMAPConfiguration(
            url: "imaps://someone@gmail.example.com/INBOX", credential: .bearerToken(token, mechanism: .automatic))
        let automaticSettings = IMAPMailbox(configuration: automatic).baseSettings(url: "x")
        #expect(automaticSettings.contains(.bearerToken(token)))
        #expect(!automaticSettings.contains { if case .loginOptions = $0 { return true } else { return false } })
        let oauthbearer = try IMAPConfiguration(
            url: "imaps://someone@gmail.example.com/INBOX", credential: .bearerToken(token, mechanism: .oauthbearer))
        #expect(IMAPMailbox(configuration: oauthbearer).baseSettings(url: "x").contains(.loginOptions("AUTH=OAUTHBEARER")))
    }

    @Test func selectResponsesAreParsed() {
        let lines = [
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
            "* OK [PERMANENTFLAGS ()] Read-only mailbox.",
            "* 17 EXISTS",
            "* 0 RECENT",
            "* OK [UIDVALIDITY 1795631218] UIDs valid",
            "* OK [UIDNEXT 42] Predicted next UID",
            "A003 OK [READ-ONLY] Examine completed (0.001 + 0.000 secs).",
        ]
        #expect(IMAPResponses.mailboxStatus(lines) == IMAPMailboxStatus(uidValidity: 1_795_631_218, exists: 17, uidNext: 42, permanentFlags: []))
        #expect(IMAPResponses.mailboxStatus(["* 3 EXISTS"]) == nil)
        let status = IMAPResponses.mailboxStatus(lines)
        #expect(status?.permanentFlags == [])
        #expect(status?.allowsFlag("$Triaged") == false)
        let open = IMAPResponses.mailboxStatus([
            "* OK [UIDVALIDITY 5] ok", "* OK [PERMANENTFLAGS (\\Seen \\Deleted \\*)] Flags permitted.",
        ])
        #expect(open?.permanentFlags == ["\\Seen", "\\Deleted", "\\*"])
        #expect(open?.allowsFlag("$Triaged") == true)
        #expect(open?.allowsFlag("\\Seen") == true)
        #expect(open?.allowsFlag("\\Flagged") == false)
        let exchange = IMAPResponses.mailboxStatus([
            "* OK [UIDVALIDITY 5] ok", "* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent)] ok",
        ])
        #expect(exchange?.allowsFlag("$Triaged") == false)
        #expect(exchange?.allowsFlag("$MDNSent") == true)
    }

    @Test func searchFetchCapabilityAppendAndRefusalsAreParsed() {
        #expect(IMAPResponses.searchResults(["* SEARCH 4 2 9", "* SEARCH 2 11", "* SEARCH"]) == [4, 2, 9, 11])
        #expect(IMAPResponses.searchResults(["* OK still here"]) == [])
        let flags = IMAPResponses.fetchedFlags([
            "* 1 FETCH (UID 7 FLAGS (\\Seen $Triaged))",
            "* 2 FETCH (FLAGS () UID 8)",
        ])
        #expect(flags[7] == ["\\Seen", "$Triaged"])
        #expect(flags[8] == [])
        #expect(IMAPResponses.capabilities([
            "* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] ready.",
            "* CAPABILITY IMAP4rev1 UIDPLUS MOVE",
        ]) == ["IMAP4REV1", "UIDPLUS", "MOVE"])
        #expect(IMAPResponses.appendUID(["A003 OK [APPENDUID 1795631218 12] Append completed."])! == (1_795_631_218, 12))
        #expect(IMAPResponses.serverRefusal([
            "A002 NO [AUTHENTICATIONFAILED] Authentication failed.",
            "* BYE Logging out",
        ]) == "NO [AUTHENTICATIONFAILED] Authentication failed.")
        #expect(IMAPResponses.serverRefusal(["A001 OK fine"]) == nil)
        #expect(IMAPResponses.lines(of: Array("* SEARCH 1\r\n* SEARCH 2\r\n".utf8)) == ["* SEARCH 1", "* SEARCH 2"])
    }

    @Test func mailboxNamesAreQuotedAndEncoded() {
        #expect(IMAPResponses.quotedMailbox("INBOX") == "\"INBOX\"")
        #expect(IMAPResponses.quotedMailbox("Say \"hi\"\\") == "\"Say \\\"hi\\\"\\\\\"")
        // RFC 3501 §5.1.3 example.
        #expect(IMAPResponses.modifiedUTF7("~peter/mail/日本語/台北") == "~peter/mail/&ZeVnLIqe-/&U,BTFw-")
        #expect(IMAPResponses.modifiedUTF7("Tom & Jerry") == "Tom &- Jerry")
        #expect(IMAPResponses.isValidFlag("\\Seen"))
        #expect(IMAPResponses.isValidFlag("$Triaged"))
        #expect(!IMAPResponses.isValidFlag("a b"))
        #expect(!IMAPResponses.isValidFlag("x)"))
        #expect(!IMAPResponses.isValidFlag(""))
    }
}
