import Foundation
import MailboxAccess
import Testing
import TriageCore
import TriageTestSupport
import TriageStore

/// The poller killed with SIGKILL at many random points while polling a few
/// hundred messages, restarted each time: at the end every message is in the
/// store exactly once, and every message is marked in the mailbox.
@Suite(.serialized) struct PollCrashSafetyTests {
    /// The built `triage` binary.
    static let triage = TestPaths.triage

    /// A deterministic, varied message: unique bytes per index.
    static func message(_ i: Int) -> [UInt8] {
        let officers = ["PC 1204", "PCSO 3310", "Sgt 0456", "DC 2231", "the call handler"]
        let what = ["was rude to me and laughed", "never called me back about my burglary", "parked across my drive and swore at me",
                    "did nothing when I reported the threats", "refused to take my statement"]
        let text = """
            From: "Writer \(i)" <writer\(i % 37)@example.org>
            To: enquiries@cambs-opcc.example.org
            Subject: Message \(i)
            Date: Mon, 02 Nov 2026 \(String(format: "%02d", 8 + i % 10)):\(String(format: "%02d", i % 60)):00 +0000
            Message-ID: <crash-\(i)@example.org>
            MIME-Version: 1.0
            Content-Type: text/plain; charset=utf-8

            Hello,

            On \(1 + i % 28) October \(officers[i % officers.count]) \(what[(i / 5) % what.count]). This is message \(i).

            Writer \(i)
            """
        return Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
    }

    /// Runs the poller again and again, killing it after a random delay, until a run
    /// finishes by itself; then once more, unkilled, to finish anything left.
    static func pollUntilDone(arguments: [String], environment: [String: String] = [:], seed: UInt64) throws -> (kills: Int, runs: Int) {
        var generator = SplitMix64(seed: seed)
        var kills = 0
        var runs = 0
        func launch() throws -> Process {
            let process = try TestSupport.launch(triage, arguments, environment: environment)
            runs += 1
            return process
        }
        for _ in 0..<60 {
            let process = try launch()
            let deadline = Date().addingTimeInterval(Double.random(in: 0.05...0.8, using: &generator))
            while process.isRunning && Date() < deadline { usleep(2_000) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                kills += 1
            } else {
                process.waitUntilExit()
                break
            }
        }
        let last = try launch()
        last.waitUntilExit()
        #expect(last.terminationReason == .exit && last.terminationStatus == 0, "the final poll exits 0")
        return (kills, runs)
    }

    func checkStore(_ path: String, expected: Int) throws {
        let store = try Store(path: path)
        let counts = try store.counts()
        #expect(counts.items == expected, "items in the store")
        #expect(counts.decisions == expected, "one decision per item")
        #expect(try store.integrityCheck() == ["ok"])
        #expect(try store.verifyAudit().ok)
    }

    @Test func maildirSurvivesSIGKILL() throws {
        let root = try TestSupport.temporaryDirectory("poll-crash-maildir")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let maildir = root + "/Maildir"
        for sub in ["new", "cur", "tmp"] { try FileManager.default.createDirectory(atPath: "\(maildir)/\(sub)", withIntermediateDirectories: true) }
        let count = 300
        for i in 0..<count {
            try Data(Self.message(i)).write(to: URL(fileURLWithPath: "\(maildir)/new/17000\(String(format: "%05d", i)).M\(i)P1.test"))
        }
        let db = root + "/store.sqlite"
        let result = try Self.pollUntilDone(arguments: ["poll", "--maildir", maildir, "--once", "--db", db,
                                                        "--rules", TestSupport.repoRoot.appendingPathComponent("Rules").path],
                                            seed: 7)
        #expect(result.kills >= 10, "the poller was killed \(result.kills) times")
        try checkStore(db, expected: count)
        #expect(try FileManager.default.contentsOfDirectory(atPath: maildir + "/new").isEmpty, "nothing left unmarked")
        let cur = try FileManager.default.contentsOfDirectory(atPath: maildir + "/cur")
        #expect(cur.count == count, "nothing lost")
        #expect(cur.allSatisfy { $0.hasSuffix(":2,S") })
    }

    /// One malformed message among good ones: the poll finishes the rest and
    /// quarantines that one with a clear error naming it.
    @Test func malformedMessageIsQuarantinedAndThePollGoesOn() throws {
        let root = try TestSupport.temporaryDirectory("poll-malformed")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let maildir = root + "/Maildir"
        for sub in ["new", "cur", "tmp"] { try FileManager.default.createDirectory(atPath: "\(maildir)/\(sub)", withIntermediateDirectories: true) }
        for i in 0..<4 { try Data(Self.message(500 + i)).write(to: URL(fileURLWithPath: "\(maildir)/new/1700000\(i).M\(i)P2.test")) }
        var garbage = [UInt8](repeating: 0, count: 4096)
        for i in garbage.indices { garbage[i] = UInt8((i * 7919 + 13) % 256) }
        try Data(garbage).write(to: URL(fileURLWithPath: "\(maildir)/new/17000002.M99P2.bad"))
        let db = root + "/store.sqlite"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.triage)
        process.arguments = ["poll", "--maildir", maildir, "--once", "--db", db, "--rules", TestSupport.repoRoot.appendingPathComponent("Rules").path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1, "exit 1: an item was quarantined")
        #expect(log.contains("17000002.M99P2.bad"), "the log names the bad message")
        #expect(log.contains("quarantined=1") && log.contains("classified=4"))
        let store = try Store(path: db)
        #expect(try store.counts().items == 4)
        let quarantined = try store.quarantined()
        #expect(quarantined.count == 1)
        #expect(quarantined.first?.label.contains("17000002.M99P2.bad") == true)
        #expect(quarantined.first?.raw == garbage, "the bytes are kept")
        #expect(try FileManager.default.contentsOfDirectory(atPath: maildir + "/new").isEmpty, "all five marked, the bad one too")
    }

    @Test(.enabled(if: DovecotServer.installed, "dovecot is not installed (Debian dovecot-imapd); .ci/test.sh installs it"))
    func imapSurvivesSIGKILL() throws {
        let server = try DovecotServer.require()
        let mailbox = try server.freshMailbox("crash")
        let count = 200
        for i in 0..<count { _ = try mailbox.append(bytes: Self.message(1000 + i)) }
        let root = try TestSupport.temporaryDirectory("poll-crash-imap")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let db = root + "/store.sqlite"
        let folder = mailbox.configuration.mailbox
        let url = "imaps://\(server.user)@\(server.host):\(server.imapsPort)/\(folder)"
        let config = root + "/poll.yaml"
        try "imap: \(url)\npassword_env: TRIAGE_TEST_IMAP_PASSWORD\nca_file: \(server.caFile)\n".write(toFile: config, atomically: true, encoding: .utf8)
        let result = try Self.pollUntilDone(
            arguments: ["poll", "--config", config, "--once", "--db", db,
                        "--rules", TestSupport.repoRoot.appendingPathComponent("Rules").path],
            environment: ["TRIAGE_TEST_IMAP_PASSWORD": server.password], seed: 11)
        #expect(result.kills >= 10, "the poller was killed \(result.kills) times")
        try checkStore(db, expected: count)
        // A new connection: the old one has missed every flag change the poller made.
        let check = IMAPMailbox(configuration: mailbox.configuration)
        let unmarked = try check.uids(search: "UNKEYWORD $Triaged")
        #expect(unmarked.isEmpty, "\(unmarked.count) messages left unmarked")
        #expect(try check.uids(search: "ALL").count == count, "nothing lost from the mailbox")
    }
}

