import Foundation
import Testing
import TriagePostgres
import TriageStore
#if canImport(Glibc)
import Glibc
#endif

/// Issue 16: a team at once on one store. Two `triage poll` processes on one
/// Maildir and two caseworker processes accepting decisions, each on its own
/// connection, over a few hundred messages, on SQLite and on PostgreSQL: every
/// message is stored once, every item is accepted once (the second caseworker
/// is refused with the fresh state), every action is audited and the chain verifies.
@Suite(.serialized) struct TeamConcurrencyTests {
    static let count = 300

    /// The store kinds: SQLite, and PostgreSQL when TRIAGE_TEST_POSTGRES_URL
    /// names a server (always in CI, where a missing server fails the test).
    static let kinds: [String] = {
        let env = ProcessInfo.processInfo.environment
        return (env["TRIAGE_TEST_POSTGRES_URL"] ?? "").isEmpty && env["CI"] != "true" ? ["sqlite"] : ["sqlite", "postgres"]
    }()

    /// A new store location of the kind, under `root` for SQLite.
    static func location(_ kind: String, root: String) throws -> String {
        guard kind == "postgres" else { return root + "/store.sqlite" }
        guard let url = ProcessInfo.processInfo.environment["TRIAGE_TEST_POSTGRES_URL"], !url.isEmpty else {
            throw StoreError("TRIAGE_TEST_POSTGRES_URL is not set: CI must start a PostgreSQL (bash .ci/postgres.sh start)")
        }
        let name = "team_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        return try PostgresSessionPool.createDatabase(named: name, onServerOf: url)
    }

    /// Not a test on its own: does nothing unless started by another test as a
    /// child process (TRIAGE_TEAM_REVIEWER set). A caseworker who accepts every
    /// item no caseworker has decided yet, naming the decision seen, until
    /// TRIAGE_TEAM_EXPECT items are all decided by caseworkers; writes
    /// "accepted refused" to TRIAGE_TEAM_OUT.
    @Test func reviewerWorker() throws {
        let env = ProcessInfo.processInfo.environment
        guard let name = env["TRIAGE_TEAM_REVIEWER"], let db = env["TRIAGE_TEAM_DB"], let out = env["TRIAGE_TEAM_OUT"],
              let expected = Int(env["TRIAGE_TEAM_EXPECT"] ?? "") else { return }
        let store = try Store.open(location: db)
        var accepted = 0, refused = 0, wrongRefusals = 0
        let deadline = Date().addingTimeInterval(240)
        while Date() < deadline {
            var seen = 0, pending = 0, after: Int64 = 0
            while true {
                let page = try store.items(after: after, limit: 500)
                guard let last = page.last else { break }
                after = last.seq
                for item in page {
                    seen += 1
                    guard let e = try store.effectiveDecision(for: item.id), !e.decision.isCaseworker else { continue }
                    pending += 1
                    do {
                        try store.recordAcceptance(itemID: item.id, actor: name, note: "team test", expecting: e.decision.id)
                        accepted += 1
                    } catch let conflict as StoreConflict {
                        refused += 1
                        if !conflict.current.decision.isCaseworker { wrongRefusals += 1 }
                    }
                }
            }
            if seen >= expected && pending == 0 { break }
            usleep(20_000)
        }
        try "\(accepted) \(refused) \(wrongRefusals)".write(toFile: out, atomically: true, encoding: .utf8)
    }

    @Test(arguments: kinds) func twoPollersAndTwoCaseworkersAtOnce(kind: String) throws {
        let root = try TestSupport.temporaryDirectory("team-\(kind)")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let maildir = root + "/Maildir"
        for sub in ["new", "cur", "tmp"] { try FileManager.default.createDirectory(atPath: "\(maildir)/\(sub)", withIntermediateDirectories: true) }
        for i in 0..<Self.count {
            try Data(PollCrashSafetyTests.message(2_000 + i)).write(to: URL(fileURLWithPath: "\(maildir)/new/17100\(String(format: "%05d", i)).M\(i)P3.test"))
        }
        let db = try Self.location(kind, root: root)
        let rules = TestSupport.repoRoot.appendingPathComponent("Rules").path
        let triage = PollCrashSafetyTests.triage

        let migrate = try TestSupport.launch(triage, ["db", "migrate", "--db", db])
        migrate.waitUntilExit()
        try #require(migrate.terminationStatus == 0, "triage db migrate exits 0")

        let reviewers = try ["A. Caseworker", "B. Caseworker"].enumerated().map { n, name in
            try TestSupport.launch(CommandLine.arguments[0], ["--testing-library", "swift-testing", "--filter", "reviewerWorker"], environment: [
                "TRIAGE_TEAM_REVIEWER": name, "TRIAGE_TEAM_DB": db, "TRIAGE_TEAM_EXPECT": "\(Self.count)",
                "TRIAGE_TEAM_OUT": "\(root)/reviewer\(n)",
            ])
        }
        let started = Date()
        let pollers = try (0..<2).map { _ in try TestSupport.launch(triage, ["poll", "--maildir", maildir, "--once", "--db", db, "--rules", rules]) }
        for p in pollers { p.waitUntilExit() }
        let seconds = Date().timeIntervalSince(started)
        for r in reviewers { r.waitUntilExit() }
        for p in pollers { #expect(p.terminationReason == .exit && p.terminationStatus == 0, "each poller exits 0") }
        print("team figure: \(kind): \(Self.count) messages ingested by two pollers in \(String(format: "%.1f", seconds)) s "
              + "(\(String(format: "%.1f", Double(Self.count) / seconds)) items/s) with two caseworkers accepting at the same time")

        let store = try Store.open(location: db)
        let counts = try store.counts()
        #expect(counts.items == Self.count, "every message stored once")
        let audit = try store.auditEntries()
        #expect(audit.filter { $0.action == "item.ingested" }.count == Self.count, "one item.ingested entry per message")
        let accepts = audit.filter { $0.action == "decision.accept" }
        #expect(accepts.count == Self.count, "one acceptance per item")
        #expect(Set(accepts.compactMap(\.itemID)).count == Self.count, "no item accepted twice")
        #expect(counts.decisions == 2 * Self.count, "a classifier decision and one caseworker decision per item")
        let results = try (0..<2).map { n -> [Int] in
            try String(contentsOfFile: "\(root)/reviewer\(n)", encoding: .utf8).split(separator: " ").compactMap { Int($0) }
        }
        #expect(results.map { $0[0] }.reduce(0, +) == Self.count, "the caseworkers' acceptances add up: \(results)")
        #expect(results.allSatisfy { $0[2] == 0 }, "a refusal always carries the other caseworker's decision")
        let v = try store.verifyAudit()
        #expect(v.ok, "\(v.description)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: maildir + "/new").isEmpty, "every message marked")
        #expect(try FileManager.default.contentsOfDirectory(atPath: maildir + "/cur").count == Self.count, "nothing lost")
    }
}
