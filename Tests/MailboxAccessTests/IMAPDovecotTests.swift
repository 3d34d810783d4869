import Foundation
import Testing
@testable import MailboxAccess

/// Tests against a real Dovecot started by `.ci/dovecot.sh` on 127.0.0.1.
/// Skipped (with this reason) only when dovecot is not installed.
@Suite(
    "IMAP against a real Dovecot",
    .enabled(if: DovecotServer.installed, "dovecot is not installed (Debian: apt-get install dovecot-imapd)"))
struct IMAPDovecotTests {
    /// Appends the three fixtures and returns their UIDs.
    private func fill(_ mailbox: IMAPMailbox) throws -> [UInt32] {
        try TestSupport.fixtureNames.map { name in
            let uid = try mailbox.append(bytes: TestSupport.fixture(name))
            return try #require(uid, "Dovecot has UIDPLUS, so APPEND reports the UID")
        }
    }

    @Test func appendSelectSearchAndFetchExactBytes() throws {
        let server = try DovecotServer.require()
        let mailbox = try server.freshMailbox("fetch")
        let uids = try fill(mailbox)
        #expect(uids == [1, 2, 3])

        let status = try mailbox.select()
        #expect(status.exists == 3)
        #expect(status.uidNext == 4)
        #expect(status.uidValidity > 0)

        #expect(try mailbox.uids(search: "ALL") == [1, 2, 3])
        #expect(try mailbox.uids(search: "UID 2:*") == [2, 3])

        let message = try mailbox.fetch(uid: 2, uidValidity: status.uidValidity)
        #expect(message.bytes == TestSupport.fixture("02-enquiry.eml"))
        #expect(message.uid == 2)
        #expect(message.locator == "imap:\(status.uidValidity):2")
        #expect(message.source == "imap://\(server.host):\(server.imapPort)/\(mailbox.configuration.mailbox)")
        #expect(message.rawItem.locator == message.locator)

        // Without a UIDVALIDITY, fetch selects first to learn it.
        let again = try mailbox.fetch(uid: 3)
        #expect(again.bytes == TestSupport.fixture("03-compliment.eml"))
        #expect(again.locator == "imap:\(status.uidValidity):3")
    }

    @Test func fetchLeavesUnreadMessagesUnread() throws {
        let server = try DovecotServer.require()
        let mailbox = try server.freshMailbox("peek")
        _ = try fill(mailbox)
        #expect(try mailbox.uids(search: "UNSEEN") == [1, 2, 3])

        _ = try mailbox.fetch(uid: 1)
        #expect(try !mailbox.flags(uid: 1).contains("\\Seen"))
        #expect(try mailbox.uids(search: "UNSEEN") == [1, 2, 3])

        // A message already read stays read.
        try mailbox.addFlags(uid: 2, flags: ["\\Seen"])
        _ = try mailbox.fetch(uid: 2)
        #expect(try mailbox.flags(uid: 2).contains("\\Seen"))

        // libcurl's plain fetch (BODY[]) does set \Seen: the check above is needed.
        var configuration = mailbox.configuration
        configuration.keepUnseen = false
        let plain = IMAPMailbox(configuration: configuration)
        _ = try plain.fetch(uid: 3)
        #expect(try plain.flags(uid: 3).contains("\\Seen"))
    }

    @Test func flagAndSearchByKeyword() throws {
        let server = try DovecotServer.require()
        let mailbox = try server.freshMailbox("flag")
        _ = try fill(mailbox)
        try mailbox.addFlags(uid: 1, flags: ["$Triaged", "\\Flagged"])
        #expect(try mailbox.uids(search: "UNDELETED UNKEYWORD $Triaged") == [2, 3])
        #expect(try mailbox.uids(search: "KEYWORD $Triaged") == [1])
        let flags = try mailbox.flags(uid: 1)
        #expect(flags.contains("$Triaged"))
        #expect(flags.contains("\\Flagged"))
        try mailbox.removeFlags(uid: 1, flags: ["\\Flagged"])
        #expect(try !mailbox.flags(uid: 1).contains("\\Flagged"))

        #expect(throws: MailboxError.configuration("not a valid IMAP flag: bad flag)")) {
            try mailbox.addFlags(uid: 1, flags: ["bad flag)"])
        }
    }

    @Test func moveToAnotherFolder() throws {
        let server = try DovecotServer.require()
        let mailbox = try server.freshMailbox("move")
        _ = try fill(mailbox)
        let done = mailbox.configuration.mailbox + "-done"
        try mailbox.createMailbox(done)
        try mailbox.createMailbox(done)  // already there: not an error with ifMissing

        #expect(try mailbox.capabilities().contains("MOVE"))
        try mailbox.move(uid: 2, to: done)
        #expect(try mailbox.uids(search: "ALL") == [1, 3])

        let target = IMAPMailbox(configuration: try server.configuration(mailbox: done))
        #expect(try target.select().exists == 1)
        #expect(try target.fetch(uid: 1).bytes == TestSupport.fixture("02-enquiry.eml"))

        #expect(throws: MailboxError.self) {
            try mailbox.createMailbox(done, ifMissing: false)
        }
    }

    @Test(arguments: [true, false])
    func moveWithoutTheMOVEExtensionCopiesAndExpunges(uidPlus: Bool) throws {
        let server = try DovecotServer.require()
        let mailbox = try server.freshMailbox("copy")
        _ = try fill(mailbox)
        let done = mailbox.configuration.mailbox + "-done"
        try mailbox.createMailbox(done)
        mailbox.assumeCapabilities(uidPlus ? ["IMAP4REV1", "UIDPLUS"] : ["IMAP4REV1"])
        try mailbox.move(uid: 1, to: done)
        if uidPlus {
            #expect(try mailbox.uids(search: "ALL") == [2, 3])
        } else {
            // Without UIDPLUS only this message is flagged \Deleted; nothing else is expunged.
            #expect(try mailbox.uids(search: "ALL") == [1, 2, 3])
            #expect(try mailbox.uids(search: "UNDELETED") == [2, 3])
        }
        let target = IMAPMailbox(configuration: try server.configuration(mailbox: done))
        #expect(try target.fetch(uid: 1).bytes == TestSupport.fixture("01-complaint.eml"))
    }

    @Test func missingUIDIsAClearError() throws {
        let server = try DovecotServer.require()
        let mailbox = try server.freshMailbox("missing")
        _ = try fill(mailbox)
        let validity = try mailbox.select().uidValidity
        let label = mailbox.configuration.label
        #expect(throws: MailboxError.noSuchMessage("\(label)#imap:\(validity):99")) {
            try mailbox.fetch(uid: 99, uidValidity: validity)
        }
        let error = MailboxError.noSuchMessage("\(label)#imap:\(validity):99")
        #expect(error.description.hasSuffix(":99: no such message"))
    }

    @Test func changedUIDValidityIsRefused() throws {
        let server = try DovecotServer.require()
        let mailbox = try server.freshMailbox("validity")
        _ = try fill(mailbox)
        let validity = try mailbox.select().uidValidity
        let wrong = validity &+ 1
        #expect(throws: MailboxError.uidValidityChanged(mailbox: mailbox.configuration.label, expected: wrong)) {
            try mailbox.fetch(uid: 1, uidValidity: wrong)
        }
        #expect(throws: MailboxError.uidValidityChanged(mailbox: mailbox.configuration.label, expected: wrong)) {
            try mailbox.addFlags(uid: 1, flags: ["$Triaged"], uidValidity: wrong)
        }
        #expect(try mailbox.uids(search: "KEYWORD $Triaged", uidValidity: validity) == [])
    }

    @Test func missingMailboxIsAClearError() throws {
        let server = try DovecotServer.require()
        let mailbox = IMAPMailbox(configuration: try server.configuration(mailbox: "NoSuchFolder-\(UUID().uuidString.prefix(6))"))
        do {
            _ = try mailbox.uids(search: "ALL")
            Issue.record("search of a missing mailbox succeeded")
        } catch let error as MailboxError {
            guard case .refused(let command, let words) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(command.hasPrefix("SELECT"))
            #expect(words.contains("Mailbox doesn't exist"))
        }
    }

    @Test func wrongPasswordIsAClearErrorWithoutThePassword() throws {
        let server = try DovecotServer.require()
        let wrong = "not-the-password-4711"
        let mailbox = IMAPMailbox(configuration: try server.configuration(mailbox: "INBOX", password: wrong))
        do {
            _ = try mailbox.select()
            Issue.record("login with a wrong password succeeded")
        } catch let error as MailboxError {
            guard case .authentication = error else {
                Issue.record("expected an authentication error, got \(error)")
                return
            }
            // During authentication only the server's status is kept (issue 13: a server may echo the SASL response).
            #expect(error.description.contains("NO [AUTHENTICATIONFAILED]"))
            #expect(error.description.contains(server.user))
            #expect(!error.description.contains(wrong))
            #expect(!String(reflecting: error).contains(wrong))
        }
    }

    @Test func imapsWithTheSelfSignedCAFile() throws {
        let server = try DovecotServer.require()
        var configuration = try IMAPConfiguration(
            url: "imaps://\(server.user)@127.0.0.1:\(server.imapsPort)/INBOX", credential: .password(server.password))
        configuration.caFile = server.caFile
        configuration.connectTimeout = 10
        let status = try IMAPMailbox(configuration: configuration).select()
        #expect(status.uidValidity > 0)

        // Without the CA file the self-signed certificate is not trusted.
        configuration.caFile = nil
        do {
            _ = try IMAPMailbox(configuration: configuration).select()
            Issue.record("an untrusted certificate was accepted")
        } catch let error as MailboxError {
            guard case .tls = error else {
                Issue.record("expected a TLS error, got \(error)")
                return
            }
        }

        // The insecure switch (tests only) accepts it.
        configuration.verifyTLS = false
        #expect(try IMAPMailbox(configuration: configuration).select().uidValidity == status.uidValidity)
    }

    @Test func startTLSOnPlainIMAPIsRequiredByDefault() throws {
        let server = try DovecotServer.require()
        var configuration = try IMAPConfiguration(
            url: "imap://\(server.user)@localhost:\(server.imapPort)/INBOX", credential: .password(server.password))
        #expect(configuration.requireTLS)
        configuration.caFile = server.caFile
        configuration.connectTimeout = 10
        #expect(try IMAPMailbox(configuration: configuration).select().uidValidity > 0)
    }

    @Test func bearerTokenIsNotAcceptedByAPasswordOnlyServerAndNotLeaked() throws {
        let server = try DovecotServer.require()
        let token = "ya29.fake-token-for-tests-0123456789"
        var configuration = try IMAPConfiguration(
            url: "imap://\(server.user)@127.0.0.1:\(server.imapPort)/INBOX",
            credential: .bearerToken(token, mechanism: .xoauth2))
        configuration.requireTLS = false
        configuration.connectTimeout = 10
        do {
            _ = try IMAPMailbox(configuration: configuration).select()
            Issue.record("a bearer token was accepted by a server without XOAUTH2")
        } catch let error as MailboxError {
            #expect(!error.description.contains(token))
        }
    }

    /// A full poll through PollPlan against Dovecot with an in-memory store,
    /// interrupted after storing and before marking, then resumed: every message
    /// is stored once and marked.
    @Test func pollInterruptedBetweenStoreAndMarkResumesExactlyOnce() throws {
        let server = try DovecotServer.require()
        let mailbox = try server.freshMailbox("poll")
        _ = try fill(mailbox)
        var store = MemoryStore()

        func poll(stopAfterStoring: UInt32?) throws {
            let status = try mailbox.select()
            let unmarked = try mailbox.uids(search: "UNDELETED UNKEYWORD $Triaged", uidValidity: status.uidValidity)
            var plan = PollPlan(
                stored: PollStoredState(epoch: store.epoch, storedKeys: store.keys),
                snapshot: PollSnapshot(epoch: status.uidValidity, unmarked: unmarked))
            while let action = plan.next() {
                switch action {
                case .recordEpoch(let epoch):
                    store.epoch = epoch
                    store.keys = []
                    plan.handle(.epochRecorded)
                case .fetch(let uid):
                    let message = try mailbox.fetch(uid: uid, uidValidity: status.uidValidity)
                    let hash = MemoryStore.hash(message.bytes)
                    plan.handle(.fetched(uid, contentHash: hash, alreadyStored: store.items[hash] != nil))
                case .store(let uid, let hash):
                    store.items[hash, default: 0] += 1
                    store.keys.insert(uid)
                    if uid == stopAfterStoring { return }  // "killed" before marking
                    plan.handle(.stored(uid))
                case .quarantine(let uid, _):
                    store.keys.insert(uid)
                    plan.handle(.stored(uid))
                case .mark(let uid):
                    try mailbox.addFlags(uid: uid, flags: ["$Triaged"], uidValidity: status.uidValidity)
                    plan.handle(.marked(uid))
                }
            }
        }

        try poll(stopAfterStoring: 2)
        #expect(try mailbox.uids(search: "KEYWORD $Triaged") == [1])
        try poll(stopAfterStoring: nil)
        #expect(try mailbox.uids(search: "KEYWORD $Triaged") == [1, 2, 3])
        #expect(store.items.count == 3)
        #expect(store.items.values.allSatisfy { $0 == 1 })

        // The same content delivered again (new UID) is only marked, never stored twice.
        try mailbox.append(bytes: TestSupport.fixture("01-complaint.eml"))
        try poll(stopAfterStoring: nil)
        #expect(try mailbox.uids(search: "UNKEYWORD $Triaged") == [])
        #expect(store.items.count == 3)
        #expect(store.items.values.allSatisfy { $0 == 1 })
    }
}

/// A stand-in for the store: content hashes with how often each was stored.
struct MemoryStore {
    var epoch: UInt32?
    var keys: Set<UInt32> = []
    var items: [String: Int] = [:]

    /// A cheap content key for tests (FNV-1a, 64-bit).
    static func hash(_ bytes: [UInt8]) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x100_0000_01b3
        }
        return String(value, radix: 16)
    }
}
