import ArgumentParser
import Foundation
import RuleFiles
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
            Streams the archives (mbox files, Maildirs, folders of .eml/.html/.xml/form files) through every
            core and writes the decisions in input order, as JSON Lines (the decision contract, plus `item`,
            the mbox offset or Maildir name) or CSV. The output is the same whatever --jobs is. On a terminal a
            progress bar (count, rate, ETA) is drawn on standard error; nothing when piped.

            With --against PREVIOUS.jsonl (an earlier run's output) or --stored, a change report says how many
            decisions flip, from what to what, because of which rules, with examples. Decisions a caseworker
            made are reported as disagreements, never changed. The report goes to --report-file, else to
            standard output when decisions go to --output, else to standard error.

            With --stored, every item in the store (--db) is re-read from its raw bytes, classified with its
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
    @Option(help: "The store (with --stored or --apply).") var db: String = "triage.sqlite"
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
        if archives.isEmpty && !stored { throw ValidationError("Give archives to reclassify, or --stored.") }
        if !archives.isEmpty && stored { throw ValidationError("Give archives or --stored, not both.") }
        if stored && against != nil { throw ValidationError("--stored compares with the store; --against is for archives.") }
        if apply && !stored { throw ValidationError("--apply stores new decisions for the items in the store: use it with --stored.") }
        if jobs < 1 || jobs > 256 { throw ValidationError("--jobs must be between 1 and 256.") }
    }

    func run() throws {
        let (directory, compiled) = try ruleOptions.load()
        let forceId = force ?? directory.defaultForce()
        guard let profile = compiled.ruleSet.profile(forceId) else {
            throw ValidationError("No force profile '\(forceId)'. Known: \(compiled.ruleSet.profiles.map(\.id).sorted().joined(separator: ", ")).")
        }
        var reclassifier = Reclassifier(ingester: try makeIngester(ruleOptions), classifier: Classifier(compiled), force: forceId, jobs: jobs)
        reclassifier.budget = try loadItemBudget()

        var store: Store?
        if stored {
            guard Store.isServerLocation(db) || FileManager.default.fileExists(atPath: db) else { throw ValidationError("No store at \(db) (pass --db PATH).") }
            store = try openPrivateStore(db)
            reclassifier.history = StoreHistory.hook(store: store!, thresholds: profile.history ?? .defaults)
        }

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
        var previous: PreviousDecisions?
        if let against {
            do { previous = try PreviousRun(path: against) } catch { throw ValidationError("\(error)") }
        } else if let store {
            previous = StoredDecisions(store: store, path: db)
        }
        let interactive = Diagnostics.isTerminal
        var job = ReclassifyJob(
            reclassifier: reclassifier, output: decisionHandle.map { DecisionOutput(handle: $0, format: format) },
            previous: previous,
            progress: interactive ? ProgressMeter(totalBytes: stored ? 0 : ArchiveSize.total(archives), enabled: true) : nil)
        job.onFailure = { error in
            if interactive { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            Diagnostics.error("unreadable: \(error.description)")
        }
        let applied = ApplyCounts()
        if apply, let store {
            job.onDecision = { item, _ in
                let result = try store.recordReclassification(itemID: item.decision.id, decision: item.decision, actor: "triage reclassify")
                if result.changedEffective { applied.changed += 1 }
                if result.disagrees { applied.disagreements += 1 }
                if result.stored != nil { applied.stored += 1 }
            }
        }
        let summary: ReclassifyJob.Summary
        if let store { summary = try job.run(entries: StoredItems(store: store)) } else { summary = try job.run(paths: archives) }
        if output != nil { try decisionHandle?.close() }

        if let report = summary.report {
            let rendered = try report.render(self.report)
            let text = self.report == .text ? TerminalSafe.block(rendered) : rendered
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
        if apply {
            Diagnostics.note("reclassify --apply: \(applied.stored) decisions stored, \(applied.changed) effective decisions changed, \(applied.disagreements) caseworker decisions kept (the rules disagree)")
        } else if stored {
            Diagnostics.note("reclassify: nothing in the store was changed (use --apply to store the new decisions)")
        }
        if summary.failed > 0 { throw ExitCodes.unreadableItems }
    }
}

/// Counts of what --apply did.
private final class ApplyCounts {
    var stored = 0
    var changed = 0
    var disagreements = 0
}
