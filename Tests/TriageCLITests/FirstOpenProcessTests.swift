import Foundation
import Testing

/// Two `triage` processes creating the same store at the same moment (issue
/// 13): both succeed and each sees the whole schema, in every one of 100
/// rounds. Processes, not threads: SQLite's locks are per process, so this is
/// the race the issue saw (about 1 run in 8 before the fix).
@Suite struct FirstOpenProcessTests {
    static func migrations(_ r: CLI.Result) -> [String]? {
        guard r.status == 0, let object = try? JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any] else { return nil }
        return object["migrations"] as? [String]
    }

    @Test func twoProcessesCreatingOneStoreBothSucceed() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-first-open-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var failures: [String] = []
        for round in 0..<100 {
            let path = dir.appendingPathComponent("s\(round).sqlite").path
            let results = try await withThrowingTaskGroup(of: CLI.Result.self) { group in
                for _ in 0..<2 { group.addTask { try await CLI.run(["db", "migrate", "--db", path, "--format", "json"]) } }
                var all: [CLI.Result] = []
                for try await r in group { all.append(r) }
                return all
            }
            let reopened = try await CLI.run(["db", "migrate", "--db", path, "--format", "json"])
            guard let complete = Self.migrations(reopened), complete.first == "v1-tables" else {
                failures.append("round \(round): reopen exit \(reopened.status)")
                continue
            }
            for r in results where Self.migrations(r) != complete {
                failures.append("round \(round): exit \(r.status), \(r.err.prefix(200))")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures: \(failures.prefix(3))")
    }
}
