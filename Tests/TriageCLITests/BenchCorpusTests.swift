import Foundation
import Testing
import TriageTestSupport

/// `triage bench --corpus`: the benchmark on an archive the user gives, with the
/// peers beside ours when installed. Runs the built binary on a small Maildir of
/// the corpus's invented emails (the peers' own figures are measured by hand).
@Suite struct BenchCorpusTests {
    /// A Maildir (cur/) holding copies of the corpus's Cambridgeshire emails, and its size.
    static func maildir() throws -> (path: String, count: Int) {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("triage-bench-corpus-\(UUID().uuidString)")
        for sub in ["cur", "new", "tmp"] {
            try fm.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let source = CLI.repo.appendingPathComponent("Corpus/cambridgeshire-email")
        let names = try fm.contentsOfDirectory(atPath: source.path).filter { $0.hasSuffix(".eml") }.sorted().prefix(30)
        for (k, name) in names.enumerated() {
            try fm.copyItem(at: source.appendingPathComponent(name),
                            to: root.appendingPathComponent("cur/\(1_764_000_000 + k).M\(k)P1.test:2,S"))
        }
        return (root.path, names.count)
    }

    static func which(_ name: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(name)")
        }
    }

    /// Ours at 2 jobs and 1 job, the same binary again as `--before`, and the peers that are
    /// installed: every line counts every message, and the outputs agree by hash.
    @Test func measuresAGivenMaildirWithPeersAndChecksIdentity() async throws {
        let (path, count) = try Self.maildir()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try await CLI.run(["bench", "--corpus", path, "--runs", "1", "--jobs", "2", "--no-regex-baseline",
                                   "--before", TestPaths.triage, "--format", "json"])
        #expect(r.status == 0, "exit \(r.status): \(r.err.suffix(2000))")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let lines = try #require(object["lines"] as? [[String: Any]])
        func line(_ tool: String, _ mode: String, jobs: Int? = nil) -> [String: Any]? {
            lines.first { $0["tool"] as? String == tool && $0["mode"] as? String == mode && (jobs == nil || $0["jobs"] as? Int == jobs) }
        }
        for (tool, mode, jobs) in [("triage", "parse", 2), ("triage", "classify", 2), ("triage", "classify", 1), ("before", "classify", 2)] {
            let l = try #require(line(tool, mode, jobs: jobs), "\(tool) \(mode) \(jobs) jobs")
            #expect(l["archive_messages"] as? Int == count, "\(tool) \(mode) read every message")
            #expect(l["errors"] as? Int == 0)
        }
        let identical = try #require(object["identical"] as? [String: Bool])
        #expect(identical[path] == true, "1 job and 2 jobs decide the same")
        #expect(identical[path + " before"] == true, "the same binary as --before decides the same")
        let ratios = try #require(object["ratios"] as? [String: Double])
        #expect((ratios["\(path): classify 2 jobs / 1 job"] ?? 0) > 0)
        #expect((ratios["\(path): classify / before"] ?? 0) > 0)
        if Self.which("python3") {
            #expect(line("python", "parse")?["archive_messages"] as? Int == count, "Python's email read every message")
            #expect((ratios["\(path): classify / python email parse"] ?? 0) > 0)
            #expect(line("python", "classify") == nil, "--no-regex-baseline skips the regex baseline")
        }
        if Self.which("mu") && Self.which("python3") {
            #expect(line("mu", "index")?["archive_messages"] as? Int == count)
        }
        if Self.which("rspamadm") && Self.which("python3") {
            #expect(line("rspamd", "extract")?["jobs"] as? Int == 2)
        }
    }

    @Test func aMissingCorpusIsAUsageErrorNamingIt() async throws {
        let r = try await CLI.run(["bench", "--corpus", "/nonexistent/triage-bench-archive"])
        #expect(r.status == 2, "exit \(r.status)")
        #expect(r.err.contains("/nonexistent/triage-bench-archive"))
    }
}
