import ArgumentParser
import Foundation
import RuleFiles
import TriageApp
import TriageCore
import TriageIngest
import TriageStore

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Classify with history and store, in the order given, printing each decision.",
        discussion: """
            Each item is stored once, by the SHA-256 of its bytes: ingesting the same bytes again prints the \
            stored (effective) decision and adds nothing. Items that cannot be read are kept in the store's \
            quarantine with the problem, reported on standard error, and the run goes on (exit 1). \
            History facts (repetitious, reopening, excessive_contact, history_abusive_pattern; 001 §7.1) \
            come from the complainant's earlier items in the store, with the profile's `history:` thresholds.

            Examples:
              triage ingest Corpus/history-cambridgeshire/
              triage ingest --db opcc.sqlite --format json inbox.mbox
            """
    )

    @Argument(help: "Files, folders, mbox files or Maildirs, ingested in the order given.") var inputs: [String]
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var ruleOptions: RuleOptions
    @Option(help: "The force profile (default: Rules/config.yaml's default_force).") var force: String?
    @OptionGroup var formatOptions: FormatOptions
    var format: OutputFormat { formatOptions.format }

    func run() throws {
        let rules = try LoadedRules(ruleOptions, force: force)
        let store = try storeOptions.open()
        let job = IngestJob(store: store, ingester: try makeIngester(ruleOptions), classifier: Classifier(rules.compiled),
                            force: rules.forceId, thresholds: rules.profile.history ?? .defaults, budget: try loadItemBudget())
        var out = OutputWriter()
        let summary = job.run(paths: inputs, each: { _, result in
            guard let decision = result.decision?.decision.decision else { return }
            switch format {
            case .json: out.json(try StableJSON.line(decision))
            case .text:
                out.line(DecisionText.render(decision, profile: rules.profile))
                var note = "  stored: item \(result.itemID.prefix(12))"
                if result.status == .duplicate { note += " (already stored: nothing added)" }
                if let c = result.item?.complainantID { note += " · complainant \(c)" }
                out.line(note)
                out.line("")
            }
        }, failure: reportFailure)
        out.flush()
        try storeOptions.checkSound(store)
        if summary.failed > 0 { throw ExitCodes.unreadableItems }
    }
}
