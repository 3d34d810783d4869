import ArgumentParser
import Foundation
import RuleFiles
import TriageApp
import TriageCore
import TriageIngest
import TriageReclassify
import TriageStore

extension DecisionFormat: ExpressibleByArgument {
    /// `jsonl` or `csv`; `json` is accepted as `jsonl`, as `--format json` means JSON Lines everywhere.
    public init?(argument: String) {
        switch argument.lowercased() {
        case "jsonl", "json": self = .jsonl
        case "csv": self = .csv
        default: return nil
        }
    }
}
extension ReportFormat: ExpressibleByArgument {}

struct ReclassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reclassify",
        abstract: "Re-run the current rules over archives and report which decisions change and why.",
        discussion: """
            Streams the archives (mbox files, Maildirs, folders of .eml/.html/.xml/form files) through every \
            core and writes the decisions in input order, as JSON Lines (the decision contract, plus `item`, \
            the mbox offset or Maildir name) or CSV. The output is the same whatever --jobs is. On a terminal a \
            progress bar (count, rate, ETA) is drawn on standard error; nothing when piped.

            With --against PREVIOUS.jsonl (an earlier run's output) or --stored, a change report says how many \
            decisions flip, from what to what, because of which rules, with examples. Decisions a caseworker \
            made are reported as disagreements, never changed. The report goes to --report-file, else to \
            standard output when decisions go to --output, else to standard error.

            With --stored, every item in the store (--db) is re-read from its raw bytes, classified with its \
            complainant's history, and compared with its effective decision; nothing in the store changes unless
            --apply is given, which stores the new decisions (audit-logged). A caseworker's decision stays
            effective; a different new decision is recorded beside it as a disagreement.

            Unreadable items are reported with their label and the problem; the run goes on and exits 1.

            Examples:
              triage reclassify archive.mbox --output now.jsonl
              triage reclassify archive.mbox --against last-month.jsonl --report html --report-file changes.html
              triage reclassify Maildir/ --format csv --jobs 2 > decisions.csv
              triage reclassify --stored --db triage.sqlite --report html --report-file changes.html
              triage reclassify --stored --apply
            """
    )

    @Argument(help: "mbox files, Maildirs, folders or files.") var archives: [String] = []
    @OptionGroup var ruleOptions: RuleOptions
    @Flag(help: "Reclassify every item in the store and compare with the stored decisions.") var stored = false
    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "Decisions as jsonl (json is the same) or csv.") var format: DecisionFormat = .jsonl
    @Option(help: "Write decisions to this file (default: standard output).") var output: String?
    @Flag(help: "Do not write the decisions (only the report).") var noDecisions = false
    @Option(help: "A previous run's JSON Lines to compare with.") var against: String?
    @Option(help: "The change report as text, json or html.") var report: ReportFormat = .text
    @Option(help: "Write the change report to this file.") var reportFile: String?
    @Option(help: "Worker threads (default: every core).") var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "The force profile (default: Rules/config.yaml's default_force).") var force: String?
    @Flag(help: "With --stored: store the new decisions (audit-logged; caseworker decisions are kept, disagreements recorded).") var apply = false

    func validate() throws {
        do { try ReclassifyRun.check(archives: archives, stored: stored, against: against, apply: apply) } catch let error as ReclassifyRunError {
            throw ValidationError(error.description)
        }
        if jobs < 1 || jobs > 256 { throw ValidationError("--jobs must be between 1 and 256.") }
    }

    func run() throws {
        let rules = try LoadedRules(ruleOptions, force: force)
        var reclassifier = Reclassifier(ingester: try makeIngester(ruleOptions), classifier: Classifier(rules.compiled), force: rules.forceId, jobs: jobs)
        reclassifier.budget = try loadItemBudget()
        var run: ReclassifyRun
        if stored {
            let store = try storeOptions.openExisting()
            run = ReclassifyRun(reclassifier: reclassifier, source: .stored(store, location: storeOptions.db),
                                thresholds: rules.profile.history ?? .defaults)
        } else {
            run = ReclassifyRun(reclassifier: reclassifier, source: .archives(archives))
        }
        run.against = against
        run.apply = apply

        var decisionHandle: FileHandle?
        if !noDecisions {
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: nil, attributes: [.posixPermissions: 0o600]), let handle = FileHandle(forWritingAtPath: output) else {
                    throw ValidationError("Cannot write \(output).")
                }
                decisionHandle = handle
            } else {
                decisionHandle = FileHandle.standardOutput
            }
        }
        run.output = decisionHandle.map { DecisionOutput(handle: $0, format: format) }
        let interactive = Diagnostics.isTerminal
        run.progress = interactive ? ProgressMeter(totalBytes: stored ? 0 : ArchiveSize.total(archives), enabled: true) : nil
        run.onFailure = { error in
            if interactive { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            Diagnostics.error("unreadable: \(error.description)")
        }
        let result: ReclassifyRun.Result
        do { result = try run.run() } catch let error as ReclassifyRunError { throw ValidationError(error.description) }
        let summary = result.summary
        if output != nil { try decisionHandle?.close() }

        if let report = summary.report {
            let rendered = try report.render(self.report)
            let text = self.report == .text ? TerminalSafe.block(rendered) : self.report == .json ? JSONFormat.versioned(rendered) : rendered
            if let reportFile {
                guard FileManager.default.createFile(atPath: reportFile, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw ValidationError("Cannot write \(reportFile).")
                }
            } else if output != nil || noDecisions {
                FileHandle.standardOutput.write(Data(text.utf8))
            } else {
                FileHandle.standardError.write(Data(text.utf8))
            }
        }
        let rate = summary.seconds > 0 ? Double(summary.decided + summary.failed) / summary.seconds : 0
        Diagnostics.note(String(format: "reclassify: %ld items decided, %ld unreadable, %.1f s (%.0f items/s, %ld jobs)",
                                summary.decided, summary.failed, summary.seconds, rate, jobs))
        if let applied = result.applied {
            Diagnostics.note("reclassify --apply: \(applied.stored) decisions stored, \(applied.changed) effective decisions changed, \(applied.disagreements) caseworker decisions kept (the rules disagree)")
        } else if stored {
            Diagnostics.note("reclassify: nothing in the store was changed (use --apply to store the new decisions)")
        }
        if summary.failed > 0 { throw ExitCodes.unreadableItems }
    }
}
