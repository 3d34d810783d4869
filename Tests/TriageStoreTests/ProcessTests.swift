import Foundation
import Testing
import TriageCore
@testable import TriageStore
#if canImport(Glibc)
import Glibc
#endif

/// Items for the multi-process tests: deterministic, one per index.
enum Numbered {
    static func item(_ i: Int) -> Correspondence {
        Fixture.item("Item \(i): the officer did not call me back about crime report \(10_000 + i).", subject: "Item \(i)",
                     date: "2026-10-01", sender: Party(name: "Writer \(i % 4)", address: "writer\(i % 4)@example.org"))
    }

    static func raw(_ i: Int) -> RawItem { Fixture.raw(item(i), source: "numbered/\(i).json") }

    /// The test binary re-run as a child process that runs only `filter`.
    static func child(filter: String, env: [String: String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        p.arguments = ["--testing-library", "swift-testing", "--filter", filter]
        var e = ProcessInfo.processInfo.environment
        for (k, v) in env { e[k] = v }
        p.environment = e
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }
}

@Suite struct ProcessTests {
    /// Not a test on its own: does nothing unless started by another test as a
    /// child process (TRIAGE_STORE_CHILD set), then ingests into the given store.
    @Test func childWorker() throws {
        let env = ProcessInfo.processInfo.environment
        guard let mode = env["TRIAGE_STORE_CHILD"], let db = env["TRIAGE_STORE_CHILD_DB"] else { return }
        let store = try Store.open(location: db)
        let from = Int(env["TRIAGE_STORE_CHILD_FROM"] ?? "") ?? 0, to = Int(env["TRIAGE_STORE_CHILD_TO"] ?? "") ?? 500
        let marker = env["TRIAGE_STORE_CHILD_MARKER"]
        for i in from..<to {
            try store.ingest(Numbered.raw(i), parse: { raw in
                if mode == "slow", let marker {
                    // Inside the write transaction: say which item, then take our time.
                    try? "\(i)".write(toFile: marker, atomically: true, encoding: .utf8)
                    usleep(50_000)
                }
                return try Fixture.parse(raw)
            }, classify: Fixture.classify)
        }
    }

    @Test(arguments: StoreKind.all) func sigkillMidIngestLeavesAConsistentStore(_ kind: StoreKind) throws {
        let path = try Fixture.location(kind)
        let marker = URL(fileURLWithPath: try Fixture.tempDB()).deletingLastPathComponent().appendingPathComponent("marker").path
        _ = try Store.open(location: path)
        let child = try Numbered.child(filter: "childWorker", env: [
            "TRIAGE_STORE_CHILD": "slow", "TRIAGE_STORE_CHILD_DB": path, "TRIAGE_STORE_CHILD_MARKER": marker,
        ])
        var started = -1
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let s = try? String(contentsOfFile: marker, encoding: .utf8), let n = Int(s), n >= 3 { started = n; break }
            usleep(5_000)
        }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(child.terminationReason == .uncaughtSignal)
        try #require(started >= 3, "the child never got going")

        let store = try Store.open(location: path)
        #expect(try store.integrityCheck() == ["ok"])
        #expect(try store.verifyAudit().ok)
        let committed = try store.counts().items
        #expect(committed == started || committed == started + 1)
        #expect(try store.counts().decisions == committed)
        // The next run ingests the interrupted item once; the rest are duplicates.
        for i in 0...(started + 1) {
            let r = try store.ingest(Numbered.raw(i), parse: Fixture.parse, classify: Fixture.classify)
            #expect(r.status == (i < committed ? .duplicate : .stored), "item \(i)")
        }
        let counts = try store.counts()
        #expect(counts.items == started + 2)
        #expect(counts.decisions == started + 2)
        #expect(try store.verifyAudit().ok)
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test(arguments: StoreKind.all) func twoSwiftProcessesIngestingOverlappingItems(_ kind: StoreKind) throws {
        let path = try Fixture.location(kind)
        let store = try Store.open(location: path)
        let child = try Numbered.child(filter: "childWorker", env: [
            "TRIAGE_STORE_CHILD": "fast", "TRIAGE_STORE_CHILD_DB": path, "TRIAGE_STORE_CHILD_FROM": "0", "TRIAGE_STORE_CHILD_TO": "40",
        ])
        for i in stride(from: 59, through: 20, by: -1) {
            _ = try store.ingest(Numbered.raw(i), parse: Fixture.parse, classify: Fixture.classify)
        }
        child.waitUntilExit()
        #expect(child.terminationStatus == 0)
        let counts = try store.counts()
        #expect(counts.items == 60)
        #expect(counts.decisions == 60)
        #expect(try store.auditEntries().filter { $0.action == "item.ingested" }.count == 60)
        #expect(try store.verifyAudit().ok)
        #expect(try store.integrityCheck() == ["ok"])
    }

    static let pythonWriter = """
        import sqlite3, sys, time
        db, n = sys.argv[1], int(sys.argv[2])
        c = sqlite3.connect(db, timeout=30, isolation_level=None)
        seen = 0
        for i in range(n):
            c.execute('BEGIN IMMEDIATE')
            c.execute("INSERT INTO poller_state (mailbox, key, value, updated_at) VALUES ('py', ?, ?, 'x') "
                      "ON CONFLICT(mailbox, key) DO UPDATE SET value = excluded.value", ('k%d' % i, str(i)))
            seen = max(seen, c.execute('SELECT COUNT(*) FROM items').fetchone()[0])
            c.execute('COMMIT')
            time.sleep(0.002)
        print('ok', n, seen)
        """

    @Test func pythonWriterAlongsideAnIngest() throws {
        let path = try Fixture.tempDB()
        let store = try Store(path: path)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", Self.pythonWriter, path, "300"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        for i in 0..<40 {
            let r = try store.ingest(Numbered.raw(i), parse: Fixture.parse, classify: Fixture.classify)
            #expect(r.status == .stored)
        }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(text.hasPrefix("ok 300 "))
        #expect(try store.pollerState(mailbox: "py").count == 300)
        #expect(try store.counts().items == 40)
        #expect(try store.integrityCheck() == ["ok"])
        #expect(try store.verifyAudit().ok)
    }
}

@Suite struct AuditTests {
    static func filledStore(_ kind: StoreKind, _ name: String = #function) throws -> (Store, String) {
        let location = try Fixture.location(kind, name)
        let store = try Store.open(location: location)
        for i in 0..<3 { try store.ingest(Numbered.raw(i), parse: Fixture.parse, classify: Fixture.classify) }
        return (store, location)
    }

    /// Drops the trigger that refuses updates (or deletes) of the audit log, as an attacker with the database would.
    static func dropTrigger(_ kind: StoreKind, _ location: String, _ what: String) throws {
        switch kind {
        case .sqlite: _ = try Fixture.sql(kind, location, "DROP TRIGGER audit_log_no_\(what)")
        case .postgres: _ = try Fixture.sql(kind, location, "DROP TRIGGER audit_log_no_update ON audit_log")
        }
    }

    @Test(arguments: StoreKind.all) func appendOnlyAndTamperDetection(_ kind: StoreKind) throws {
        let (store, path) = try Self.filledStore(kind)
        let entries = try store.auditEntries()
        #expect(entries.count == 9)  // per item: complainant.created, item.ingested, decision.classified
        #expect(entries.first?.prevHash == String(repeating: "0", count: 64))
        #expect(try store.verifyAudit() == AuditVerification(ok: true, entries: 9, firstBrokenSeq: nil, problem: nil))
        // The triggers refuse an ordinary update.
        let refused = try Fixture.sql(kind, path, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 5")
        #expect(refused.hasPrefix("refused:") && refused.contains("audit_log is append-only"))
        // Someone who drops the trigger and edits a row is caught at that row.
        try Self.dropTrigger(kind, path, "update")
        let tampered = try Fixture.sql(kind, path, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 5")
        #expect(tampered.hasPrefix("ok"))
        let v = try store.verifyAudit()
        #expect(!v.ok)
        #expect(v.firstBrokenSeq == 5)
        #expect(v.problem?.contains("changed") == true)
    }

    @Test(arguments: StoreKind.all) func deletedAndReorderedRowsAreDetected(_ kind: StoreKind) throws {
        let (store, path) = try Self.filledStore(kind, "deleted1")
        try Self.dropTrigger(kind, path, "delete")
        _ = try Fixture.sql(kind, path, "DELETE FROM audit_log WHERE seq = 4")
        let v = try store.verifyAudit()
        #expect(v.firstBrokenSeq == 4)
        #expect(v.problem?.contains("missing") == true)

        let (store2, path2) = try Self.filledStore(kind, "deleted2")
        try Self.dropTrigger(kind, path2, "delete")
        _ = try Fixture.sql(kind, path2, "DELETE FROM audit_log WHERE seq = 9")
        #expect(try store2.verifyAudit().firstBrokenSeq == 9)

        let (store3, path3) = try Self.filledStore(kind, "reordered")
        try Self.dropTrigger(kind, path3, "update")
        // Swap entries 2 and 3 (seq numbers exchanged, contents kept).
        _ = try Fixture.sql(kind, path3, "UPDATE audit_log SET seq = 100 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 100;")
        let v3 = try store3.verifyAudit()
        #expect(!v3.ok)
        #expect(v3.firstBrokenSeq == 2)
    }
}
