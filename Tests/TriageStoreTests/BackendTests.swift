import Foundation
import Testing
import TriageCore
@testable import TriagePostgres
@testable import TriageStore

/// Issue 16: what is particular to having two backends: migrations that refuse
/// a newer schema, `db copy` from the file to the server and back, the
/// caseworkers' optimistic check, and the URL and password rules.
@Suite struct BackendTests {
    /// A store with a bit of everything: items, a merge, an override, an
    /// acceptance, a quarantined item, a summary, poller state and an intake key.
    static func filled(_ kind: StoreKind, _ name: String = #function) throws -> (Store, String) {
        let location = try Fixture.location(kind, name)
        let store = try Store.open(location: location)
        let a = try Fixture.ingest(store, Fixture.item("PC 1234 was rude to me on 5th October.", date: "2026-10-06"))
        try Fixture.ingest(store, Fixture.item("Thank you for your help.", date: "2026-10-07",
                                               sender: Party(name: "Jo Bloggs", address: "jo@example.com")))
        try Fixture.ingest(store, Fixture.item("Nobody came when I called 999.", date: "2026-10-08",
                                               sender: Party(name: "Sam Example", address: "sam@example.com", phone: "01632 960123")))
        try store.quarantine(RawItem(bytes: Array("not an item".utf8), source: "inbox/bad.eml"), problem: "not a test item")
        try store.recordOverride(itemID: a.itemID, actor: "A. Caseworker", outcome: .routed, handler: "psd", reason: "serious")
        let items = try store.items()
        try store.recordAcceptance(itemID: items[1].id, actor: "B. Caseworker")
        try store.approveSummary(itemID: a.itemID, summary: "A complaint about an officer's manner at a roadside stop.", actor: "A. Caseworker")
        try store.setPollerState(mailbox: "maildir:/srv/mail", values: ["last_uid": "42"])
        try Fixture.ingest(store, Fixture.item("A later complaint about the call handler.", date: "2026-10-09"))
        return (store, location)
    }

    @Test(arguments: StoreKind.all) func aNewerSchemaIsRefused(_ kind: StoreKind) throws {
        let location = try Fixture.location(kind)
        _ = try Store.open(location: location)
        let table = kind == .sqlite ? "grdb_migrations (identifier)" : "schema_migrations (identifier, applied_at)"
        let values = kind == .sqlite ? "('v99-from-the-future')" : "('v99-from-the-future', 'later')"
        #expect(try Fixture.sql(kind, location, "INSERT INTO \(table) VALUES \(values)").hasPrefix("ok"))
        do {
            _ = try Store.open(location: location)
            Issue.record("a store with an unknown migration was opened")
        } catch {
            #expect("\(error)".contains("newer schema"), "\(error)")
            #expect("\(error)".contains("v99-from-the-future"), "\(error)")
        }
    }

    @Test(arguments: StoreKind.all) func aCaseworkerWhoSawAnOlderDecisionIsRefusedWithTheFreshOne(_ kind: StoreKind) throws {
        let store = try Fixture.store(kind)
        let r = try Fixture.ingest(store, Fixture.item("The officer was rude.", date: "2026-10-01"))
        let seen = try #require(r.decision).decision.id
        try store.recordOverride(itemID: r.itemID, actor: "A. Caseworker", outcome: .routed, handler: "psd", reason: "serious", expecting: seen)
        do {
            try store.recordAcceptance(itemID: r.itemID, actor: "B. Caseworker", expecting: seen)
            Issue.record("the second caseworker's stale acceptance was stored")
        } catch let conflict as StoreConflict {
            #expect(conflict.current.decision.madeBy == "caseworker:A. Caseworker")
            #expect(conflict.current.decision.decision.handler == "psd")
            #expect(conflict.description.contains("changed while you were looking"))
        }
        #expect(try store.auditEntries().filter { $0.action.hasPrefix("decision.") }.map(\.action) == ["decision.classified", "decision.override"])
    }

    /// The file to the server, then the server back to a file: every row, the same ids, the same audit head.
    @Test func copyFromTheFileToTheServerAndBack() throws {
        guard StoreKind.all.contains(.postgres) else { return }
        let (source, _) = try Self.filled(.sqlite)
        let server = try Store.open(location: try Fixture.location(.postgres))
        let report = try Store.copy(from: source, to: server)
        #expect(report.audit.ok)
        #expect(report.tables.first { $0.name == "items" }?.rows == 4)
        #expect(report.tables.first { $0.name == "quarantine" }?.rows == 1)
        #expect(try server.counts() == source.counts())
        #expect(try server.auditEntries() == source.auditEntries())
        let first = try #require(try source.items().first)
        #expect(try server.decisions(for: first.id) == source.decisions(for: first.id))
        #expect(try server.publishedSummary(for: first.id) == source.publishedSummary(for: first.id))
        #expect(try server.pollerState(mailbox: "maildir:/srv/mail") == ["last_uid": "42"])
        // The server's ids go on after the copied ones, and the chain goes on.
        let next = try Fixture.ingest(server, Fixture.item("Another complaint, after the move.", date: "2026-10-20"))
        #expect(next.decision!.decision.id > (try source.decisions(for: first.id).map(\.id).max() ?? 0))
        #expect(try server.verifyAudit().ok)
        // A second copy into a store that is no longer empty is refused, and changes nothing.
        #expect(throws: StoreError.self) { try Store.copy(from: source, to: server) }
        #expect(try server.counts().items == 5)
        // And back to a file.
        let file = try Store.open(location: try Fixture.tempDB("copyback"))
        let back = try Store.copy(from: server, to: file)
        #expect(back.audit.entries == (try server.auditEntries().count))
        #expect(try file.counts() == server.counts())
    }

    @Test func urlsAndPasswords() throws {
        let env = ["USER": "caseworker", "PGPASSWORD": "s3cret-value", "HOME": "/nonexistent"]
        let l = try PostgresLocation(url: "postgres://triage@db.example.org:6543/opcc?sslmode=require", environment: env)
        #expect(l.host == "db.example.org" && l.port == 6543 && l.user == "triage" && l.database == "opcc" && l.tls == .require)
        #expect(l.hasPassword)
        #expect(!l.description.contains("s3cret"))
        let d = try PostgresLocation(url: "postgresql://", environment: ["USER": "caseworker", "HOME": "/nonexistent"])
        #expect(d.user == "caseworker" && d.database == "caseworker" && d.port == 5432 && !d.hasPassword)
        // A password in the URL is refused, and the message does not repeat it.
        do {
            _ = try PostgresLocation(url: "postgres://triage:hunter2@db.example.org/opcc", environment: env)
            Issue.record("a password in the URL was accepted")
        } catch {
            #expect("\(error)".contains("PGPASSWORD"))
            #expect(!"\(error)".contains("hunter2"))
        }
        #expect(Store.displayLocation("postgres://triage:hunter2@db.example.org/opcc") == "postgres://triage:***@db.example.org/opcc")
        #expect(throws: PostgresError.self) { try PostgresLocation(url: "postgres://h/db?sslmode=sometimes", environment: env) }
    }

    @Test func thePasswordFileIsReadAsLibpqReadsIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pgpass-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("pgpass").path
        try """
            # comment
            other.example.org:5432:*:triage:not-this-one
            db.example.org:*:opcc:triage:pass\\:word
            """.write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        let l = try PostgresLocation(url: "postgres://triage@db.example.org/opcc", environment: ["PGPASSFILE": file])
        #expect(l.password == "pass:word")
        chmod(file, 0o644)  // others can read it: ignored, as libpq does
        #expect(try PostgresLocation(url: "postgres://triage@db.example.org/opcc", environment: ["PGPASSFILE": file]).password == nil)
    }

    @Test func placeholdersAreNumberedOutsideQuotes() {
        #expect(PostgresConnectionAdapter.numbered("SELECT ? WHERE a = '?' AND \"b?\" = ? AND c LIKE 'x%'") == "SELECT $1 WHERE a = '?' AND \"b?\" = $2 AND c LIKE 'x%'")
        #expect(PostgresSession.statements(in: "CREATE FUNCTION f() AS $$ BEGIN x; END $$; SELECT ';';") == ["CREATE FUNCTION f() AS $$ BEGIN x; END $$", "SELECT ';'"])
    }
}
