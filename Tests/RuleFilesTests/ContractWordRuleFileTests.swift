import Foundation
import Testing
import TriageCore
@testable import RuleFiles

/// Issue 11: a word of the decision contract misspelt in the rule data is
/// refused when the rules load, naming the file and the word.
@Suite struct ContractWordRuleFileTests {
    /// Loads a copy of Rules/ with one edit and returns the error.
    static func loadError(editing file: String, _ edit: @escaping (String) -> String) throws -> RuleFileError {
        let dir = try StrictRuleFileTests.rulesCopy(editing: file, edit)
        defer { try? FileManager.default.removeItem(at: dir) }
        return try #require(throws: RuleFileError.self) { try RuleDirectory(dir).load() }
    }

    /// Replaces the first occurrence only.
    static func first(_ text: String, _ old: String, _ new: String) -> String {
        guard let r = text.range(of: old) else { return text }
        return text.replacingCharacters(in: r, with: new)
    }

    @Test func aMisspeltOutcomeInADecisionRow() throws {
        let error = try Self.loadError(editing: "decisions.yaml") { Self.first($0, "outcome: not_recorded", "outcome: not_recordd") }
        #expect(error.file.hasSuffix("decisions.yaml"))
        #expect(error.problem.contains("outcome 'not_recordd' is not a contract word"), "\(error.problem)")
        #expect(error.problem.contains("decision row "), "\(error.problem)")
    }

    @Test func aMisspeltReasonInADecisionRow() throws {
        let error = try Self.loadError(editing: "decisions.yaml") { Self.first($0, "reasons: [repetitious]", "reasons: [repetitous]") }
        #expect(error.file.hasSuffix("decisions.yaml"))
        #expect(error.problem.contains("reason 'repetitous' is not a contract word"), "\(error.problem)")
    }

    @Test func aMisspeltFlagRule() throws {
        let error = try Self.loadError(editing: "decisions.yaml") { Self.first($0, "- flag: serious", "- flag: serius") }
        #expect(error.file.hasSuffix("decisions.yaml"))
        #expect(error.problem.contains("flag 'serius' is not a contract word"), "\(error.problem)")
    }

    @Test func aMisspeltWordInAForceProfile() throws {
        let error = try Self.loadError(editing: "forces/northamptonshire.yaml") { Self.first($0, "pcc: [must_be_in_writing]", "pcc: [must_be_writing]") }
        #expect(error.file.hasSuffix("forces/northamptonshire.yaml"))
        #expect(error.problem.contains("flag 'must_be_writing' is not a contract word"), "\(error.problem)")
        let outcomes = try Self.loadError(editing: "forces/cambridgeshire.yaml") { Self.first($0, "outcomes: [routed,", "outcomes: [rooted,") }
        #expect(outcomes.file.hasSuffix("forces/cambridgeshire.yaml"))
        #expect(outcomes.problem.contains("outcome 'rooted' is not a contract word"), "\(outcomes.problem)")
    }

    @Test func aMisspeltSubjectRoleInARule() throws {
        let error = try Self.loadError(editing: "rules/subjects.yaml") { Self.first($0, "sets: subject_role=officer_or_staff", "sets: subject_role=officer_or_staf") }
        #expect(error.file.hasSuffix("rules/subjects.yaml"))
        #expect(error.problem.contains("subject 'officer_or_staf' is not a contract word"), "\(error.problem)")
    }
}
