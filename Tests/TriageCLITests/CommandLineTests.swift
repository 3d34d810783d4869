import Foundation
import Testing
import TriageTestSupport

/// Runs the built `triage` binary (through the shared test support).
enum CLI {
    static let repo = TestPaths.repo
    typealias Result = ProcessResult

    static func run(_ arguments: [String], env: [String: String] = [:]) async throws -> Result {
        try await TestProcess.triage(arguments, environment: env)
    }
}

@Suite struct CommandLineTests {
    @Test(arguments: [["parse"], ["classify"], ["ingest"], ["poll"], ["eval"], ["rules", "test"], ["rules", "lint"], ["audit", "verify"], ["audit", "checkpoint"], ["fuzz"], ["review", "override"], ["db", "migrate"], ["db", "copy"]])
    func helpHasExamples(command: [String]) async throws {
        let r = try await CLI.run(command + ["--help"])
        #expect(r.status == 0)
        #expect(r.out.contains("Example"), "\(command.joined(separator: " ")) --help shows examples")
    }

    @Test func topLevelHelpListsExitCodes() async throws {
        let r = try await CLI.run(["--help"])
        for code in ["0  success", "1  some items", "2  usage", "3  a check failed", "4  poll"] {
            #expect(r.out.contains(code))
        }
    }

    @Test func unknownForceIsAUsageError() async throws {
        let r = try await CLI.run(["classify", "--force", "atlantis", "Corpus/cambridgeshire-email/os-pc-rude-at-roadside.eml"])
        #expect(r.status == 2, "exit \(r.status)")
        #expect(r.err.contains("atlantis"))
    }

    /// Usage errors exit 2, as the README's table and `--help` say (never the parser's default 64).
    @Test(arguments: [["classify", "--no-such-option"], ["classify", "--format", "yaml", "x.eml"], ["eval"], ["show"], ["rules", "frobnicate"]])
    func usageErrorsExitTwo(arguments: [String]) async throws {
        let r = try await CLI.run(arguments)
        #expect(r.status == 2, "\(arguments.joined(separator: " ")): exit \(r.status)")
        #expect(r.err.contains("Usage") || r.err.contains("Error"), "\(r.err)")
    }

    /// `--format json` is JSON Lines everywhere; `jsonl` is the same; each object carries `format_version`.
    @Test func jsonlIsJSONAndCarriesAFormatVersion() async throws {
        let file = "Corpus/cambridgeshire-email/os-pc-rude-at-roadside.eml"
        let json = try await CLI.run(["classify", "--format", "json", file])
        let jsonl = try await CLI.run(["classify", "--format", "jsonl", file])
        #expect(json.status == 0 && jsonl.status == 0)
        #expect(json.out == jsonl.out)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        #expect(object["format_version"] as? Int == 1)
        #expect(json.out.hasPrefix("{\"format_version\":1,"))
        let parsed = try await CLI.run(["parse", "--pretty", file])
        let pretty = try #require(try JSONSerialization.jsonObject(with: Data(parsed.out.utf8)) as? [String: Any])
        #expect(pretty["format_version"] as? Int == 1)
    }

    @Test func unreadableItemIsNamedAndTheRunGoesOn() async throws {
        let temp = FileManager.default.temporaryDirectory.appendingPathComponent("triage-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temp) }
        try Data().write(to: temp.appendingPathComponent("a-empty.eml"))
        try FileManager.default.copyItem(at: CLI.repo.appendingPathComponent("Corpus/cambridgeshire-email/os-pc-rude-at-roadside.eml"),
                                         to: temp.appendingPathComponent("b-good.eml"))
        let r = try await CLI.run(["classify", "--format", "json", temp.path])
        #expect(r.status == 1)
        #expect(r.err.contains("a-empty.eml"))
        #expect(r.err.contains("empty"))
        let lines = r.out.split(separator: "\n")
        #expect(lines.count == 1, "the good item is still decided")
    }

    /// The decision contract of DESIGN.md: keys and words other tools read.
    @Test func jsonDecisionContract() async throws {
        let r = try await CLI.run(["classify", "--format", "json", "Corpus/cambridgeshire-email/os-pc-rude-at-roadside.eml"])
        #expect(r.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        for key in ["source", "id", "force", "kind", "subject", "outcome", "handler", "reasons", "flags", "rules", "justification", "explanation", "categories"] {
            #expect(object[key] != nil, "key \(key)")
        }
        #expect(object["outcome"] as? String == "routed")
        #expect(object["handler"] as? String == "crt")
        #expect((object["id"] as? String)?.count == 64)
        let evidence = try #require((object["justification"] as? [[String: Any]])?.first)
        for key in ["rule", "cites", "segment", "start", "end", "quote"] { #expect(evidence[key] != nil, "evidence key \(key)") }
    }

    @Test func parseExpandsAnMbox() async throws {
        let temp = FileManager.default.temporaryDirectory.appendingPathComponent("triage-cli-\(UUID().uuidString).mbox")
        defer { try? FileManager.default.removeItem(at: temp) }
        var mbox = ""
        for name in ["os-pc-rude-at-roadside.eml", "nac-claims-firm-marketing.eml"] {
            let text = try String(contentsOf: CLI.repo.appendingPathComponent("Corpus/cambridgeshire-email/\(name)"), encoding: .utf8)
            mbox += "From sender@example.org Mon Nov  2 10:00:00 2026\n" + text.replacingOccurrences(of: "\r\n", with: "\n") + "\n"
        }
        try mbox.write(to: temp, atomically: true, encoding: .utf8)
        let r = try await CLI.run(["parse", temp.path])
        #expect(r.status == 0)
        let items = r.out.split(separator: "\n")
        #expect(items.count == 2)
        #expect(items.allSatisfy { $0.contains("\"format\":\"mbox\"") })
    }
}
