import Foundation
import Testing

/// `triage db migrate` and `triage db copy` as a user meets them (issue 16).
@Suite struct DbCommandTests {
    static func temp() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-db-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func migratePrintsTheMigrationsAsJSON() async throws {
        let dir = try Self.temp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await CLI.run(["db", "migrate", "--db", dir.appendingPathComponent("s.sqlite").path, "--format", "json"])
        #expect(r.status == 0, "\(r.err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(object["backend"] as? String == "sqlite")
        #expect((object["migrations"] as? [String])?.first == "v1-tables")
    }

    @Test func aPasswordInTheURLIsRefusedAndNotRepeated() async throws {
        let r = try await CLI.run(["db", "migrate", "--db", "postgres://triage:hunter2@127.0.0.1:1/opcc"])
        #expect(r.status == 2)
        #expect(r.err.contains("PGPASSWORD"))
        #expect(!r.err.contains("hunter2") && !r.out.contains("hunter2"))
    }

    /// File to file here (the server is covered by the store's tests): counts and
    /// the audit head are checked; a second copy into the filled store exits 3.
    @Test func copyChecksAndRefusesAFilledDestination() async throws {
        let dir = try Self.temp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let from = dir.appendingPathComponent("from.sqlite").path, to = dir.appendingPathComponent("to.sqlite").path
        let ingest = try await CLI.run(["ingest", "--db", from, "Corpus/cambridgeshire-email/os-pc-rude-at-roadside.eml"])
        #expect(ingest.status == 0, "\(ingest.err)")
        let r = try await CLI.run(["db", "copy", "--from", from, "--to", to, "--format", "json"])
        #expect(r.status == 0, "\(r.err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect((object["tables"] as? [String: Int])?["items"] == 1)
        #expect(object["audit_ok"] as? Bool == true)
        let verify = try await CLI.run(["audit", "verify", "--db", to])
        #expect(verify.status == 0)
        let again = try await CLI.run(["db", "copy", "--from", from, "--to", to])
        #expect(again.status == 3)
        #expect(again.err.contains("not empty"))
        let missing = try await CLI.run(["db", "copy", "--from", dir.appendingPathComponent("none.sqlite").path, "--to", to])
        #expect(missing.status == 2, "exit \(missing.status)")
    }
}
