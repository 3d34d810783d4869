import Foundation
import Testing

/// Two `triage` processes creating the same store at the same moment (issue
/// 13): both succeed and the schema is complete, in every one of 100 rounds.
/// Processes, not threads: SQLite's locks are per process, so this is the
/// race the issue saw (about 1 run in 8 before the fix).
@Suite struct FirstOpenProcessTests {
    @Test func twoProcessesCreatingOneStoreBothSucceed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-first-open-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        final class Failures: @unchecked Sendable {
            let lock = NSLock()
            var list: [String] = []
            var seen: [[String]] = []
            func add(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
            func saw(_ m: [String]) { lock.lock(); seen.append(m); lock.unlock() }
        }
        let failures = Failures()
        for round in 0..<100 {
            let path = dir.appendingPathComponent("s\(round).sqlite").path
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                do {
                    let r = try CLI.run(["db", "migrate", "--db", path, "--format", "json"])
                    guard r.status == 0,
                          let object = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any],
                          let migrations = object["migrations"] as? [String], migrations.first == "v1-tables" else {
                        failures.add("round \(round): exit \(r.status) \(r.err.prefix(200))")
                        return
                    }
                    failures.saw(migrations)
                } catch {
                    failures.add("round \(round): \(error)")
                }
            }
            let check = try CLI.run(["db", "migrate", "--db", path, "--format", "json"])
            let all = (try? JSONSerialization.jsonObject(with: Data(check.out.utf8)) as? [String: Any])?["migrations"] as? [String]
            if check.status != 0 || all == nil { failures.add("round \(round): reopen exit \(check.status)") }
            // Each process saw the whole schema, not a half-made one.
            if let all, failures.seen.suffix(2).contains(where: { $0 != all }) { failures.add("round \(round): a process saw an incomplete schema") }
        }
        #expect(failures.list.isEmpty, "\(failures.list.count) failures: \(failures.list.prefix(3))")
    }
}
