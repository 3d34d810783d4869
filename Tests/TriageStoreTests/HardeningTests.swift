import Foundation
import Testing
import TriageCore
@testable import TriageStore

/// Issue 13: file modes, the concurrent first open, and an audit log that a
/// database writer cannot silently rewrite. Tampering is done as an attacker
/// would: with python3's sqlite3 on the real file.
@Suite struct StoreHardeningTests {

    /// Drops the triggers, edits audit row `seq` (actor → mallory) and
    /// recomputes the whole chain and the head after it, as the log's own code would.
    static let rewriteChain = """
        import sqlite3, sys, json, hashlib
        c = sqlite3.connect(sys.argv[1], isolation_level=None)
        c.executescript("DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;")
        edit, cut = int(sys.argv[2]), int(sys.argv[3])
        if edit > 0:
            c.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = ?", (edit,))
        if cut > 0:
            c.execute("DELETE FROM audit_log WHERE seq > (SELECT MAX(seq) FROM audit_log) - ?", (cut,))
        prev = "0" * 64
        last = None
        for seq, at, actor, action, item, payload in c.execute("SELECT seq, at, actor, action, item_id, payload FROM audit_log ORDER BY seq").fetchall():
            canon = json.dumps([seq, at, actor, action, item, payload], ensure_ascii=False, separators=(",", ":"))
            h = hashlib.sha256((prev + "\\n" + canon).encode()).hexdigest()
            c.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, h, seq))
            prev, last = h, seq
        c.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", ("%d %s" % (last, prev),))
        print("ok")
        """

    static let key = Array("an office secret kept outside the database".utf8)

    static func filled(_ kind: StoreKind = .sqlite, _ name: String = #function) throws -> (Store, String) {
        let path = try Fixture.location(kind, name)
        let store = try Store.open(location: path)
        for i in 0..<3 { try store.ingest(Numbered.raw(i), parse: Fixture.parse, classify: Fixture.classify) }
        return (store, path)
    }

    static func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int) ?? -1
    }

    // MARK: file modes

    @Test func storeAndItsWALAreOwnerOnlyUnderUmask022() throws {
        let old = umask(0o022)
        defer { umask(old) }
        let (store, path) = try Self.filled()
        try store.recordAcceptance(itemID: try #require(store.items().first?.id), actor: "A. Caseworker")
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            #expect(Self.mode(path + suffix) == 0o600, "\(suffix.isEmpty ? "store" : suffix) is \(String(Self.mode(path + suffix), radix: 8))")
        }
        #expect(FileManager.default.fileExists(atPath: path + "-wal"), "the WAL exists while the store is open")
        #expect(Store.othersCanRead(path: path) == false)
    }

    @Test func aStoreOthersCanReadIsNoticed() throws {
        let (_, path) = try Self.filled()
        chmod(path, 0o644)
        #expect(Store.othersCanRead(path: path) == true)
        #expect(Store.permissionWarning(path: path)?.contains("0644") == true)
    }

    // MARK: concurrent first open

    @Test func concurrentFirstOpensAllSucceed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-first-open-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        final class Failures: @unchecked Sendable {
            let lock = NSLock()
            var list: [String] = []
            func add(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
        }
        let failures = Failures()
        for round in 0..<100 {
            let path = dir.appendingPathComponent("s\(round).sqlite").path
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                do {
                    let s = try Store(path: path)
                    if try s.appliedMigrations() != Schema.migrator.migrations { failures.add("round \(round): migrations incomplete") }
                } catch {
                    failures.add("round \(round): \(error)")
                }
            }
        }
        #expect(failures.list.isEmpty, "\(failures.list.count) of 100 rounds failed: \(failures.list.prefix(3))")
    }

    // MARK: tampering

    /// A row edited with the whole chain recomputed after it, and the newest
    /// rows cut with the head fixed: the chain alone looks intact after the
    /// first; a checkpoint taken before catches both.
    @Test(arguments: [("5", "0", "checkpoint"), ("0", "2", "missing")])
    func tamperingIsCaughtByTheCheckpoint(edit: String, cut: String, expected: String) throws {
        let (store, path) = try Self.filled()
        let checkpoint = try store.auditCheckpoint(key: Self.key)
        #expect(try store.verifyAudit(checkpoints: [checkpoint], key: Self.key).ok)
        let (_, out) = try Fixture.python(Self.rewriteChain, [path, edit, cut])
        #expect(out.hasPrefix("ok"))
        if cut == "0" { #expect(try store.verifyAudit().ok, "the recomputed chain alone looks intact") }
        let v = try store.verifyAudit(checkpoints: [checkpoint], key: Self.key)
        #expect(!v.ok)
        #expect(v.problem?.contains(expected) == true, "\(v.problem ?? "")")
    }

    @Test(arguments: StoreKind.all) func aForgedCheckpointIsRefused(_ kind: StoreKind) throws {
        let (store, _) = try Self.filled(kind)
        let good = try store.auditCheckpoint(key: Self.key)
        let forged = try store.auditCheckpoint(key: Array("not the office's key".utf8))
        #expect(try store.verifyAudit(checkpoints: [good], key: Self.key).ok)
        let v = try store.verifyAudit(checkpoints: [forged], key: Self.key)
        #expect(!v.ok)
        #expect(v.problem?.contains("signature") == true, "\(v.problem ?? "")")
    }

    @Test(arguments: StoreKind.all) func aDecisionChangedWithoutAnAuditRowIsCaught(_ kind: StoreKind) throws {
        let (store, path) = try Self.filled(kind)
        #expect(try store.verifyAudit().ok)
        let out = try Fixture.sql(kind, path, """
            UPDATE decisions SET outcome = 'not_recorded', decision = replace(decision, '"outcome":"routed"', '"outcome":"not_recorded"') WHERE id = 2
            """)
        #expect(out.hasPrefix("ok"))
        let v = try store.verifyAudit()
        #expect(!v.ok)
        #expect(v.problem?.contains("decision 2") == true, "\(v.problem ?? "")")
    }

    @Test(arguments: StoreKind.all) func anEffectiveDecisionRepointedWithoutAuditIsCaught(_ kind: StoreKind) throws {
        let (store, path) = try Self.filled(kind)
        let id = try #require(store.items().first?.id)
        try store.recordOverride(itemID: id, actor: "A. Caseworker", outcome: .recorded, handler: "opcc", reason: "test")
        #expect(try store.verifyAudit().ok)
        // Point the item back at the classifier's decision, as if the override never counted.
        _ = try Fixture.sql(kind, path, "UPDATE effective_decisions SET decision_id = (SELECT MIN(id) FROM decisions WHERE item_id = '\(id)') WHERE item_id = '\(id)'")
        let v = try store.verifyAudit()
        #expect(!v.ok)
        #expect(v.problem?.contains("effective") == true, "\(v.problem ?? "")")
    }

    @Test(arguments: StoreKind.all) func alteredRawBytesAreCaught(_ kind: StoreKind) throws {
        let (store, path) = try Self.filled(kind)
        let id = try #require(store.items().dropFirst().first?.id)
        let bytes = kind == .sqlite ? "CAST('tampered' AS BLOB)" : "convert_to('tampered', 'UTF8')"
        _ = try Fixture.sql(kind, path, "UPDATE items SET raw = \(bytes) WHERE id = '\(id)'")
        let v = try store.verifyAudit()
        #expect(!v.ok)
        #expect(v.problem?.contains(String(id.prefix(12))) == true, "\(v.problem ?? "")")
        #expect(v.problem?.contains("SHA-256") == true, "\(v.problem ?? "")")
    }

    @Test func anItemInsertedWithoutAnAuditRowIsCaught() throws {
        let (store, path) = try Self.filled()
        let script = """
            import sqlite3, sys, hashlib
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            raw = b'{"planted": true}'
            sha = hashlib.sha256(raw).hexdigest()
            c.execute("INSERT INTO items (id, seq, raw, size, source, format, received_at, ingested_at, correspondence) SELECT ?, MAX(seq)+1, ?, ?, 'x', 'test_json', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', correspondence FROM items", (sha, raw, len(raw)))
            print(sha)
            """
        let (_, sha) = try Fixture.python(script, [path])
        let v = try store.verifyAudit()
        #expect(!v.ok)
        #expect(v.problem?.contains(String(sha.prefix(12))) == true, "\(v.problem ?? "")")
    }

    @Test func anItemInsertedWithoutAnAuditRowIsCaughtOnTheServer() throws {
        guard StoreKind.all.contains(.postgres) else { return }
        let (store, path) = try Self.filled(.postgres)
        let raw = #"{"planted": true}"#
        let sha = Store.contentID(of: Array(raw.utf8))
        let out = try Fixture.sql(.postgres, path, """
            INSERT INTO items (id, seq, raw, size, source, format, received_at, ingested_at, correspondence)
            SELECT '\(sha)', MAX(seq)+1, convert_to('\(raw)', 'UTF8'), \(raw.utf8.count), 'x', 'test_json', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', MIN(correspondence) FROM items
            """)
        #expect(out == "ok")
        let v = try store.verifyAudit()
        #expect(!v.ok)
        #expect(v.problem?.contains(String(sha.prefix(12))) == true, "\(v.problem ?? "")")
    }

    /// Several processes opening a new database on the server at once migrate it once.
    @Test func concurrentFirstOpensOnTheServerAllSucceed() throws {
        guard StoreKind.all.contains(.postgres) else { return }
        for round in 0..<5 {
            let location = try Fixture.location(.postgres, "firstopen\(round)")
            final class Failures: @unchecked Sendable {
                let lock = NSLock()
                var count = 0
                func add() { lock.lock(); count += 1; lock.unlock() }
            }
            let failures = Failures()
            DispatchQueue.concurrentPerform(iterations: 3) { _ in
                if (try? Store.open(location: location).appliedMigrations()) != Schema.migrator.migrations { failures.add() }
            }
            #expect(failures.count == 0, "round \(round): \(failures.count) of 3 opens failed")
        }
    }

    @Test(arguments: StoreKind.all) func checkpointLineFormat(_ kind: StoreKind) throws {
        let (store, _) = try Self.filled(kind)
        let line = try store.auditCheckpoint(key: Self.key, now: Date(timeIntervalSince1970: 0))
        let c = try #require(AuditCheckpoint(line: line))
        #expect(c.seq == 9)
        #expect(line.hasPrefix("triage-audit-checkpoint v1 seq=9 head="))
        #expect(c.isSigned(by: Self.key))
        #expect(!c.isSigned(by: Array("other".utf8)))
        #expect(AuditCheckpoint(line: "garbage") == nil)
    }
}
