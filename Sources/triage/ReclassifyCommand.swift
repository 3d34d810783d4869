import ArgumentParser
import Foundation
import RuleFiles
import TriageCore
import TriageIngest
import TriageReclassify

extension DecisionFormat: ExpressibleByArgument {}
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

            Unreadable items are reported with their label and the problem; the run goes on and exits 1.

            Examples:
              triage reclassify archive.mbox --output now.jsonl
              triage reclassify archive.mbox --against last-month.jsonl --report html --report-file changes.html
              triage reclassify Maildir/ --format csv --jobs 2 > decisions.csv
            """
    )

    @Argument(help: "mbox files, Maildirs, folders or files.") var archives: [String] = []
    @OptionGroup var ruleOptions: RuleOptions
    @Flag(help: "Reclassify every item in the store and compare with the stored decisions.") var stored = false
    @Option(help: "The store (with --stored or --apply).") var db: String = "triage.sqlite"
    @Option(help: "Decisions as jsonl or csv.") var format: DecisionFormat = .jsonl
    @Option(help: "Write decisions to this file (default: standard output).") var output: String?
    @Flag(help: "Do not write the decisions (only the report).") var noDecisions = false
    @Option(help: "A previous run's JSON Lines to compare with.") var against: String?
    @Option(help: "The change report as text, json or html.") var report: ReportFormat = .text
    @Option(help: "Write the change report to this file.") var reportFile: String?
    @Option(help: "Worker threads (default: every core).") var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "The force profile (default: Rules/config.yaml's default_force).") var force: String?
    @Flag(help: "Store the new decisions (audit-logged; caseworker decisions are kept). Needs the store.") var apply = false

    func validate() throws {
        if archives.isEmpty && !stored { throw ValidationError("Give archives to reclassify, or --stored.") }
        if !archives.isEmpty && stored { throw ValidationError("Give archives or --stored, not both.") }
        if stored && against != nil { throw ValidationError("--stored compares with the store; --against is for archives.") }
        if jobs < 1 || jobs > 256 { throw ValidationError("--jobs must be between 1 and 256.") }
    }

    func run() throws {
        if stored || apply {
            // The store's reclassification API is not merged yet (branch `store`).
            Diagnostics.error("--stored and --apply need the store (TriageStore), which this build does not have yet; reclassify archives with --against PREVIOUS.jsonl instead.")
            throw ExitCodes.badConfiguration
        }
        let (directory, compiled) = try ruleOptions.load()
        let forceId = force ?? directory.defaultForce()
        guard compiled.ruleSet.profile(forceId) != nil else {
            throw ValidationError("No force profile '\(forceId)'. Known: \(compiled.ruleSet.profiles.map(\.id).sorted().joined(separator: ", ")).")
        }
        let reclassifier = Reclassifier(ingester: try makeIngester(ruleOptions), classifier: Classifier(compiled), force: forceId, jobs: jobs)

        var decisionHandle: FileHandle?
        if !noDecisions {
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: nil), let handle = FileHandle(forWritingAtPath: output) else {
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
        }
        let interactive = Diagnostics.isTerminal
        var job = ReclassifyJob(
            reclassifier: reclassifier, output: decisionHandle.map { DecisionOutput(handle: $0, format: format) },
            previous: previous,
            progress: interactive ? ProgressMeter(totalBytes: ArchiveSize.total(archives), enabled: true) : nil)
        job.onFailure = { error in
            if interactive { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            Diagnostics.error("unreadable: \(error.description)")
        }
        let summary = try job.run(paths: archives)
        if let output { _ = output; try decisionHandle?.close() }

        if let report = summary.report {
            let text = try report.render(self.report)
            if let reportFile {
                guard FileManager.default.createFile(atPath: reportFile, contents: Data(text.utf8)) else {
                    throw ValidationError("Cannot write \(reportFile).")
                }
            } else if output != nil || noDecisions {
                FileHandle.standardOutput.write(Data(text.utf8))
            } else {
                FileHandle.standardError.write(Data(text.utf8))
            }
        }
        let rate = summary.seconds > 0 ? Double(summary.decided + summary.failed) / summary.seconds : 0
        Diagnostics.note(String(format: "reclassify: %d items decided, %d unreadable, %.1f s (%.0f items/s, %d jobs)",
                                summary.decided, summary.failed, summary.seconds, rate, jobs))
        if summary.failed > 0 { throw ExitCodes.unreadableItems }
    }
}
