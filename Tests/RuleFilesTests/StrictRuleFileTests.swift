import Foundation
import Testing
import TriageCore
@testable import RuleFiles

/// Rule files are read strictly: a key no type reads is an error with the
/// file, the line and the nearest valid key, never silently dropped.
@Suite struct StrictRuleFileTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A copy of Rules/ in a fresh temporary folder, with one file's text changed.
    static func rulesCopy(editing relative: String, _ edit: (String) -> String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("strict-rules-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: repo.appendingPathComponent("Rules"), to: dir)
        let file = dir.appendingPathComponent(relative)
        let text = try String(contentsOf: file, encoding: .utf8)
        let changed = edit(text)
        #expect(changed != text, "the edit changed nothing")
        try changed.write(to: file, atomically: true, encoding: .utf8)
        return dir
    }

    @Test func theRulesAsTheyAreLoad() throws {
        let set = try RuleDirectory(Self.repo.appendingPathComponent("Rules")).load()
        #expect(!set.rules.isEmpty)
    }

    @Test func misspeltKeyInARuleIsAnErrorWithLineAndSuggestion() throws {
        // The first `cites:` of a rule file, misspelt.
        let dir = try Self.rulesCopy(editing: "rules/complaint.yaml") { text in
            guard let r = text.range(of: "\n    cites:") ?? text.range(of: "\n  cites:") ?? text.range(of: "\ncites:") else { return text }
            return text.replacingCharacters(in: r, with: text[r].replacingOccurrences(of: "cites:", with: "citse:"))
        }
        defer { try? FileManager.default.removeItem(at: dir) }
        let lineOfKey = try String(contentsOf: dir.appendingPathComponent("rules/complaint.yaml"), encoding: .utf8)
            .components(separatedBy: "\n").firstIndex { $0.contains("citse:") }.map { $0 + 1 }
        let error = try #require(throws: RuleFileError.self) { try RuleDirectory(dir).load() }
        #expect(error.file.hasSuffix("rules/complaint.yaml"))
        #expect(error.problem.contains("unknown key 'citse'"), "\(error.problem)")
        #expect(error.problem.contains("did you mean 'cites'?"), "\(error.problem)")
        #expect(error.problem.contains("line \(lineOfKey ?? -1):"), "\(error.problem)")
    }

    @Test func unknownKeyInTheDecisionTable() throws {
        let dir = try Self.rulesCopy(editing: "decisions.yaml") { text in
            text.replacingOccurrences(of: "criticism_fact:", with: "criticism_facts:")
        }
        defer { try? FileManager.default.removeItem(at: dir) }
        let error = try #require(throws: RuleFileError.self) { try RuleDirectory(dir).load() }
        #expect(error.file.hasSuffix("decisions.yaml"))
        #expect(error.problem.contains("unknown key 'criticism_facts' at the top (did you mean 'criticism_fact'?)"), "\(error.problem)")
    }

    @Test func dictionariesTakeAnyKey() throws {
        // Force profiles name handlers and routes by id: those keys are data, not misspellings.
        let (value, unknown) = try StrictYAML.decode([String: [String: Int]].self, from: "a:\n  x: 1\nb:\n  y: 2\n")
        #expect(value["b"]?["y"] == 2)
        #expect(unknown.isEmpty)
    }

    @Test func nearestKey() {
        #expect(StrictYAML.nearest("gaurds", in: ["guards", "id", "phrases"]) == "guards")
        #expect(StrictYAML.nearest("zzzzzz", in: ["guards", "id"]) == nil)
        #expect(StrictYAML.editDistance("gaurds", "guards") == 1)
    }

    @Test func lintReportsConditionValuesNoFactTakes() throws {
        let dir = try Self.rulesCopy(editing: "decisions.yaml") { text in
            text.replacingOccurrences(of: "kind_hint: foi_or_sar,", with: "kind_hint: foi_or_sarr,")
        }
        defer { try? FileManager.default.removeItem(at: dir) }
        let compiled = try RuleDirectory(dir).compile()
        let problems = RuleSetLinter(compiled).problems()
        #expect(problems.contains { $0.contains("fact 'kind_hint' never has the value 'foi_or_sarr'") }, "\(problems)")
        // The real rule set has no such problem.
        #expect(RuleSetLinter(try RuleDirectory(Self.repo.appendingPathComponent("Rules")).compile()).conditionValueProblems() == [])
    }

    @Test func aDeadAlternativeInAListIsAWarning() throws {
        let dir = try Self.rulesCopy(editing: "decisions.yaml") { text in
            text.replacingOccurrences(of: "kind_hint: foi_or_sar,", with: "kind_hint: [foi_or_sar, foi_or_sarr],")
        }
        defer { try? FileManager.default.removeItem(at: dir) }
        let linter = RuleSetLinter(try RuleDirectory(dir).compile())
        #expect(!linter.problems().contains { $0.contains("foi_or_sarr") })
        #expect(linter.conditionValueWarnings().contains { $0.contains("fact 'kind_hint' never has the value 'foi_or_sarr'") })
    }

    @Test func aMisspeltExceptionIsAProblem() throws {
        // `"!value"` with a value the fact never has always holds: the exception is lost.
        let dir = try Self.rulesCopy(editing: "decisions.yaml") { text in
            text.replacingOccurrences(of: "kind_hint: foi_or_sar,", with: "kind_hint: \"!foi_or_sarr\",")
        }
        defer { try? FileManager.default.removeItem(at: dir) }
        let problems = RuleSetLinter(try RuleDirectory(dir).compile()).problems()
        #expect(problems.contains { $0.contains("fact 'kind_hint' never has the value 'foi_or_sarr'") }, "\(problems)")
    }
}
