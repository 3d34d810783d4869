import ArgumentParser
import Foundation
import RuleFiles
import TriageCore

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check the rules: run every example, or lint the rule set.",
        subcommands: [RulesTestCommand.self, RulesLintCommand.self]
    )
}

struct RulesTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run every example of every rule (and its shifted and quoted variants) and of every word class.",
        discussion: """
            Exits 3 when any example fails.

            Examples:
              triage rules test
              triage rules test --only subject. --format json
              triage rules test --only @anaphor          # one word class
            """
    )

    @OptionGroup var ruleOptions: RuleOptions
    @Option(help: "Only rules whose id starts with this (word classes: @id).") var only: String?
    @OptionGroup var formatOptions: FormatOptions
    var format: OutputFormat { formatOptions.format }

    func run() throws {
        let (_, compiled) = try ruleOptions.load()
        let runner = RuleExampleRunner(Classifier(compiled))
        let results = runner.run(prefix: only)
        let failed = results.filter { !$0.passed }
        var out = OutputWriter()
        switch format {
        case .json:
            for r in results {
                let object: [String: Any] = [
                    "rule": r.rule, "example": r.example, "variant": r.variant,
                    "expected_match": r.expectedMatch, "passed": r.passed, "problem": r.problem ?? NSNull(),
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                out.json(String(decoding: data, as: UTF8.self))
            }
        case .text:
            for r in failed {
                out.line("FAIL \(r.rule) [\(r.variant)] \(r.expectedMatch ? "should match" : "should not match"): \"\(r.example)\" — \(r.problem ?? "")")
            }
            let owners = Set(results.map(\.rule))
            let classes = owners.filter { $0.hasPrefix("@") }.count
            out.line("\(results.count - failed.count) passed, \(failed.count) failed (\(owners.count - classes) rules, \(classes) word classes, \(results.count) example runs)")
        }
        out.flush()
        if !failed.isEmpty { throw ExitCodes.checkFailed }
    }
}

struct RulesLintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check the rule set: ids, citations, examples, decision rows that can never fire, facts never set, routes.",
        discussion: """
            Exits 3 when a problem is found.

            Example:
              triage rules lint
            """
    )

    @OptionGroup var ruleOptions: RuleOptions

    func run() throws {
        let (_, compiled) = try ruleOptions.load()
        let linter = RuleSetLinter(compiled)
        let problems = linter.problems() + linter.redundantAlternatives()
        for p in problems { print(p) }
        // Dead alternatives of a list condition: worth fixing, not failing for.
        for w in linter.conditionValueWarnings() { print("warning: \(w)") }
        let written = compiled.writtenAlternatives
        print("phrases: \(written) alternatives as written in rules, guards and word classes; \(compiled.phraseCount) distinct once normalised (contractions, spellings, stems); \(compiled.ruleSet.lexicons.count) word classes")
        print(problems.isEmpty ? "rules lint: no problems (\(compiled.ruleSet.rules.count) rules, \(compiled.ruleSet.table.rows.count) decision rows, \(compiled.ruleSet.profiles.count) profiles)" : "rules lint: \(problems.count) problems")
        if !problems.isEmpty { throw ExitCodes.checkFailed }
    }
}
