import ArgumentParser
import Foundation
import RuleFiles
import TriageApp
import TriageCore

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check the rules: run every example, lint the rule set, or learn the second reading.",
        subcommands: [RulesTestCommand.self, RulesLintCommand.self, RulesLearnCommand.self]
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

struct RulesLearnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn",
        abstract: "Learn the second reading's weights (Rules/second-reading.tsv) from the labelled corpus.",
        discussion: """
            The second reading is a logistic model over word stems and pairs of stems. It \
            never routes an item: when the rules recognise no complaint but the item reads \
            like one, it sends the item to a caseworker instead of "not a complaint". \
            The weights are written where decisions.yaml's second_reading.file says.

            --check compares the file with what the corpus gives and exits 3 when it is
            stale (CI runs it). --cross-validate leaves each blind batch out in turn and \
            shows, for several thresholds, how many of the rules' wrong "not a complaint" \
            decisions the model learned without that batch catches, and how many right \
            ones it sends to a caseworker for nothing: that is how the threshold is chosen.

            Examples:
              triage rules learn Corpus
              triage rules learn Corpus --check
              triage rules learn Corpus --cross-validate
            """
    )

    @Argument(help: "The labelled corpus folder.") var directory: String
    @OptionGroup var ruleOptions: RuleOptions
    @Flag(help: "Do not write: exit 3 when the weights file differs from what the corpus gives.") var check = false
    @Flag(help: "Leave each blind batch out in turn and report catches and false alarms per threshold.") var crossValidate = false

    func run() throws {
        let (rulesDirectory, compiled) = try ruleOptions.load()
        guard let settings = compiled.ruleSet.table.secondReading else {
            throw ValidationError("decisions.yaml has no second_reading section: nothing to learn.")
        }
        let corpus: LabelledCorpus
        do { corpus = try LabelledCorpus.load(directory) } catch let error as EvalCorpusError {
            throw ValidationError(error.description)
        }
        let learning = SecondReadingLearning(ingester: try makeIngester(ruleOptions), classifier: Classifier(compiled))
        let (items, unreadable) = learning.read(corpus)
        for (path, problem) in unreadable { Diagnostics.error("\(path): \(problem)") }
        if crossValidate {
            let thresholds = [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]
            print("leaving each blind batch out in turn (\(Set(items.map(\.batch)).subtracting(["own"]).count) batches): items the rules alone set aside as not a complaint")
            print("threshold  set aside  should not be  caught  false alarms")
            let (setAside, routed) = learning.crossValidate(items, thresholds: thresholds, below: [0.05, 0.1, 0.2, 0.3, 0.4, 0.5])
            for f in setAside {
                let mark = f.threshold == settings.threshold ? "  <- decisions.yaml" : ""
                print(String(format: "%9.2f  %9d  %13d  %6d  %12d", f.threshold, f.setAside, f.shouldNotBeSetAside, f.caught, f.falseAlarms) + mark)
            }
            print("the other direction: items the rules alone route or record as complaints, scoring below")
            print("    below     routed  no complaint  caught  false alarms")
            for f in routed {
                print(String(format: "%9.2f  %9d  %12d  %6d  %12d", f.below, f.routed, f.notComplaints, f.caught, f.falseAlarms))
            }
            return
        }
        let model = learning.learn(items)
        let complaints = items.filter(\.isComplaint).count
        let text = model.fileText(header: [
            "The second reading's weights (see decisions.yaml second_reading and Rules/README.md).",
            "Written by `triage rules learn Corpus` from \(items.count) labelled items (\(complaints) complaints or review requests); do not edit by hand.",
            "Each line: a word stem or two stems in a row, a tab, its weight towards \"complaint\".",
        ])
        let file = rulesDirectory.url.appendingPathComponent(settings.file)
        if check {
            let current = FileManager.default.contents(atPath: file.path).map { String(decoding: $0, as: UTF8.self) }
            if current != text {
                Diagnostics.error("\(file.path) is not what the corpus gives (\(items.count) items): run `triage rules learn \(directory)` and commit it.")
                throw ExitCodes.checkFailed
            }
            print("\(settings.file): up to date (\(model.weights.count) weights from \(items.count) labelled items)")
            return
        }
        try Data(text.utf8).write(to: file, options: .atomic)
        print("\(settings.file): \(model.weights.count) weights from \(items.count) labelled items (\(complaints) complaints or review requests)")
    }
}
