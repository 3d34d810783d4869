import ArgumentParser
import Foundation
import RuleFiles
import TriageCore
import TriageIngest

struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Decide each item without history (no store): what it is, where it goes, and why.",
        discussion: """
            Text output is for a caseworker: the outcome first, then the evidence and the explanation. \
            JSON output is the decision contract, one object per line.

            Examples:
              triage classify Corpus/cambridgeshire-email/os-pc-rude-at-roadside.eml
              triage classify --force northamptonshire --format json Corpus/northamptonshire-letters/
            """
    )

    @Argument(help: "Files, folders, mbox files or Maildirs.") var inputs: [String]
    @OptionGroup var ruleOptions: RuleOptions
    @Option(help: "The force profile (default: Rules/config.yaml's default_force).") var force: String?
    @OptionGroup var formatOptions: FormatOptions
    var format: OutputFormat { formatOptions.format }

    func run() throws {
        let rules = try LoadedRules(ruleOptions, force: force)
        let ingester = try makeIngester(ruleOptions)
        let classifier = Classifier(rules.compiled)
        var out = OutputWriter()
        let budget = try loadItemBudget()
        let failures = forEachItem(in: inputs, budget: budget) { raw, fileTime in
            let item = try ingester.parse(raw, fileTime: fileTime)
            let trace = classifier.trace(item, force: rules.forceId, budget: budget, rawBytes: raw.bytes.count)
            switch format {
            case .json: out.json(try StableJSON.line(trace.decision))
            case .text:
                out.line(DecisionText.render(trace.decision, profile: rules.profile, suppressed: trace.suppressed))
                out.line("")
            }
        }
        out.flush()
        if failures > 0 { throw ExitCodes.unreadableItems }
    }
}
