import ArgumentParser
import Foundation
import RuleFiles
import TriageCore
import TriageIngest
import TriageStore

/// The `--db` option of every command that uses the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The SQLite store (default: triage.sqlite in the working directory).")
    var db: String = "triage.sqlite"

    /// Opens the store, or exits with a clear message.
    func open() throws -> Store {
        do {
            return try Store(path: db)
        } catch {
            Diagnostics.error("cannot open the store \(db): \(error)")
            throw ExitCodes.badConfiguration
        }
    }

    /// Opens an existing store (for commands that only read).
    func openExisting() throws -> Store {
        guard FileManager.default.fileExists(atPath: db) else {
            throw ValidationError("No store at \(db): run `triage ingest --db \(db) FILE…` first, or pass --db.")
        }
        return try open()
    }
}

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Classify with history and store, in the order given, printing each decision.",
        discussion: """
            Each item is stored once, by the SHA-256 of its bytes: ingesting the same bytes again prints the
            stored (effective) decision and adds nothing. Items that cannot be read are kept in the store's
            quarantine with the problem, reported on standard error, and the run goes on (exit 1).
            History facts (repetitious, reopening, excessive_contact, history_abusive_pattern; 001 §7.1)
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
    @Option(help: "text or json.") var format: OutputFormat = .text

    func run() throws {
        let (directory, compiled) = try ruleOptions.load()
        let forceId = force ?? directory.defaultForce()
        guard let profile = compiled.ruleSet.profile(forceId) else {
            throw ValidationError("No force profile '\(forceId)'. Known: \(compiled.ruleSet.profiles.map(\.id).sorted().joined(separator: ", ")).")
        }
        let ingester = try makeIngester(ruleOptions)
        let classifier = Classifier(compiled)
        let store = try storeOptions.open()
        let thresholds = profile.history ?? .defaults
        var out = OutputWriter()
        var failures = 0
        for entry in ItemSource(paths: inputs) {
            switch entry {
            case .unreadable(let error):
                failures += 1
                Diagnostics.error(error.description)
            case .item(let raw, let fileTime):
                do {
                    let result = try store.ingest(
                        raw, actor: "triage ingest", thresholds: thresholds,
                        parse: { try ingester.parse($0, fileTime: fileTime) },
                        classify: { item, facts in classifier.classify(item, force: forceId, history: facts, now: fileTime) })
                    switch result.status {
                    case .stored, .duplicate:
                        guard let decision = result.decision?.decision.decision else { continue }
                        switch format {
                        case .json: out.line(try StableJSON.line(decision))
                        case .text:
                            out.line(DecisionText.render(decision, profile: profile))
                            var note = "  stored: item \(result.itemID.prefix(12))"
                            if result.status == .duplicate { note += " (already stored: nothing added)" }
                            if let c = result.item?.complainantID { note += " · complainant \(c)" }
                            out.line(note)
                            out.line("")
                        }
                    case .quarantined, .alreadyQuarantined:
                        failures += 1
                        let problem = result.quarantine?.problem ?? "unreadable"
                        Diagnostics.error("\(raw.label): \(problem) (kept in quarantine as \(result.itemID.prefix(12)))")
                    }
                } catch {
                    failures += 1
                    Diagnostics.error("\(raw.label): \(error)")
                }
            }
        }
        out.flush()
        if failures > 0 { throw ExitCodes.unreadableItems }
    }
}
