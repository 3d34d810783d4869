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

    /// One misspelling each: the file edited, the word replaced, and what the error must say.
    static let misspellings: [(file: String, old: String, new: String, problem: String)] = [
        ("decisions.yaml", "outcome: not_recorded", "outcome: not_recordd", "outcome 'not_recordd' is not a contract word"),
        ("decisions.yaml", "reasons: [repetitious]", "reasons: [repetitous]", "reason 'repetitous' is not a contract word"),
        ("decisions.yaml", "- flag: serious", "- flag: serius", "flag 'serius' is not a contract word"),
        ("forces/northamptonshire.yaml", "pcc: [must_be_in_writing]", "pcc: [must_be_writing]", "flag 'must_be_writing' is not a contract word"),
        ("forces/cambridgeshire.yaml", "outcomes: [routed,", "outcomes: [rooted,", "outcome 'rooted' is not a contract word"),
        ("rules/subjects.yaml", "sets: subject_role=officer_or_staff", "sets: subject_role=officer_or_staf", "subject 'officer_or_staf' is not a contract word"),
    ]

    @Test(arguments: misspellings.indices) func aMisspeltWordIsRefusedNamingTheFileAndTheWord(_ i: Int) throws {
        let m = Self.misspellings[i]
        let error = try Self.loadError(editing: m.file) { Self.first($0, m.old, m.new) }
        #expect(error.file.hasSuffix(m.file))
        #expect(error.problem.contains(m.problem), "\(error.problem)")
    }

    @Test func theRowIsNamedToo() throws {
        let error = try Self.loadError(editing: "decisions.yaml") { Self.first($0, "outcome: not_recorded", "outcome: not_recordd") }
        #expect(error.problem.contains("decision row "), "\(error.problem)")
        #expect(error.problem.contains("(one of needs_caseworker, not_recorded, recorded, routed)"), "\(error.problem)")
    }
}
