import Foundation
import Testing
@testable import MailboxAccess

/// A store stand-in for PollRunner: durable as soon as a closure returns.
final class RunnerStore<Key: Hashable & Sendable> {
    var epoch: UInt32?
    var keys: Set<Key> = []
    var contents: [String: Int] = [:]
    var quarantined: [Key: String] = [:]
    /// Called after an item is stored: throwing simulates a kill between store and mark.
    var afterStore: (Key) throws -> Void = { _ in }

    var state: PollStoredState<Key> { PollStoredState(epoch: epoch, storedKeys: keys) }

    func closures<S: PollSource>(for _: S.Type) -> PollRunner<S>.Store where S.Key == Key {
        PollRunner<S>.Store(
            recordEpoch: { epoch in
                self.epoch = epoch
                self.keys = []
            },
            containsContent: { hash in self.contents[hash] != nil },
            store: { _, key, hash in
                self.contents[hash, default: 0] += 1
                self.keys.insert(key)
                try self.afterStore(key)
            },
            quarantine: { key, problem in
                self.quarantined[key] = problem
                self.keys.insert(key)
            })
    }
}

struct Killed: Error {}

struct PollRunnerTests {
    @Test func maildirPollStoresEachContentOnceAndResumesAfterAKill() throws {
        let maildir = MaildirMailbox(path: try TestSupport.temporaryDirectory("runner"))
        for (index, name) in TestSupport.fixtureNames.enumerated() {
            try maildir.deliver(TestSupport.fixture(name), uniqueName: "1700000100.M\(index)P1.test")
        }
        try maildir.deliver(TestSupport.fixture("01-complaint.eml"), uniqueName: "1700000199.M9P1.test")
        let source = MaildirPollSource(maildir: maildir)
        let runner = PollRunner(source: source)
        let store = RunnerStore<String>()
        store.afterStore = { key in if key == "1700000100.M1P1.test" { throw Killed() } }

        #expect(throws: Killed.self) {
            try runner.pollOnce(stored: store.state, store: store.closures(for: MaildirPollSource.self), contentHash: MemoryStore.hash)
        }
        #expect(maildir.isMarked(uniqueName: "1700000100.M0P1.test"))
        #expect(!maildir.isMarked(uniqueName: "1700000100.M1P1.test"))

        store.afterStore = { _ in }
        let summary = try runner.pollOnce(
            stored: store.state, store: store.closures(for: MaildirPollSource.self), contentHash: MemoryStore.hash)
        #expect(summary.resumed == 1)
        #expect(summary.stored == 1)
        #expect(summary.duplicates == 1)
        #expect(summary.marked == 3)
        #expect(store.contents.count == 3)
        #expect(store.contents.values.allSatisfy { $0 == 1 })
        #expect(try maildir.list().isEmpty)

        let idle = try runner.pollOnce(
            stored: store.state, store: store.closures(for: MaildirPollSource.self), contentHash: MemoryStore.hash)
        #expect(idle == PollSummary())
    }

    @Test func stopRequestFinishesTheItemInHand() throws {
        let maildir = MaildirMailbox(path: try TestSupport.temporaryDirectory("runner-stop"))
        for name in TestSupport.fixtureNames { try maildir.deliver(TestSupport.fixture(name)) }
        let runner = PollRunner(source: MaildirPollSource(maildir: maildir))
        let store = RunnerStore<String>()
        var asked = 0
        let summary = try runner.pollOnce(
            stored: store.state, store: store.closures(for: MaildirPollSource.self), contentHash: MemoryStore.hash,
            shouldStop: {
                asked += 1
                return asked > 2  // stop requested while the first item is in hand
            })
        #expect(summary.stored == 1)
        #expect(summary.marked == 1)
        #expect(try maildir.list().count == 2)
    }
}

@Suite(
    "PollRunner against a real Dovecot",
    .enabled(if: DovecotServer.installed, "dovecot is not installed (Debian: apt-get install dovecot-imapd)"))
struct PollRunnerDovecotTests {
    @Test func movePollStoresOnceAndMovesEverything() throws {
        let server = try DovecotServer.require()
        let mailbox = try server.freshMailbox("runner-move")
        for name in TestSupport.fixtureNames { try mailbox.append(bytes: TestSupport.fixture(name)) }
        let done = mailbox.configuration.mailbox + "-done"
        let source = IMAPPollSource(mailbox: mailbox, marking: .move(keyword: "$Triaged", folder: done))
        try source.prepare()
        #expect(source.unmarkedSearch == "UNDELETED")
        let runner = PollRunner(source: source)
        let store = RunnerStore<UInt32>()

        let first = try runner.pollOnce(
            stored: store.state, store: store.closures(for: IMAPPollSource.self), contentHash: MemoryStore.hash)
        #expect(first.stored == 3)
        #expect(first.marked == 3)
        #expect(store.epoch != nil)
        #expect(try mailbox.uids(search: "ALL") == [])
        let archive = IMAPMailbox(configuration: try server.configuration(mailbox: done))
        #expect(try archive.uids(search: "KEYWORD $Triaged") == [1, 2, 3])
        #expect(try archive.uids(search: "UNSEEN") == [1, 2, 3])

        // Re-delivered content: moved, not stored again.
        try mailbox.append(bytes: TestSupport.fixture("02-enquiry.eml"))
        let second = try runner.pollOnce(
            stored: store.state, store: store.closures(for: IMAPPollSource.self), contentHash: MemoryStore.hash)
        #expect(second.duplicates == 1)
        #expect(second.stored == 0)
        #expect(store.contents.count == 3)
        let all = try archive.uids(search: "ALL")
        let inbox = try mailbox.uids(search: "ALL")
        #expect(all.count == 4, "archive: \(all), inbox: \(inbox), \(second)")
    }

    @Test func anOversizedMessageIsQuarantinedAndThePollGoesOn() throws {
        let server = try DovecotServer.require()
        let setup = try server.freshMailbox("runner-big")
        try setup.append(bytes: TestSupport.fixture("02-enquiry.eml"))
        try setup.append(bytes: Array(repeating: UInt8(ascii: "x"), count: 5000))
        try setup.append(bytes: TestSupport.fixture("03-compliment.eml"))
        var configuration = setup.configuration
        configuration.maxMessageBytes = 2000
        let source = IMAPPollSource(mailbox: IMAPMailbox(configuration: configuration))
        try source.prepare()
        let store = RunnerStore<UInt32>()
        let summary = try PollRunner(source: source).pollOnce(
            stored: store.state, store: store.closures(for: IMAPPollSource.self), contentHash: MemoryStore.hash)
        #expect(summary.stored == 3)
        #expect(summary.quarantined == 1)
        #expect(summary.marked == 3)
        let problem = try #require(store.quarantined[2])
        #expect(problem.contains("larger than 2000 bytes"))
        #expect(problem.contains("#imap:"))
        let left = try setup.uids(search: "UNKEYWORD $Triaged")
        #expect(left == [], "\(summary) \(store.quarantined)")
    }
}
