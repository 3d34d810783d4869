import ArgumentParser
import Foundation
import RuleFiles
import TriageCore
import TriageIngest
import TriageStore

/// Opens (creating if needed) the store `db` names (an SQLite file, or a
/// `postgres://` URL: see `Store.open(location:)`), warning when others can
/// read a file, or exits 2 with a clear message.
func openPrivateStore(_ db: String, fsyncEveryCommit: Bool = false) throws -> Store {
    do {
        let store = try Store.open(location: db, fsyncEveryCommit: fsyncEveryCommit)
        if store.backend == .sqlite, let warning = Store.permissionWarning(path: db) { Diagnostics.note("triage: \(warning)") }
        return store
    } catch {
        Diagnostics.error("cannot open the store \(Store.displayLocation(db)): \(error)")
        throw ExitCodes.badConfiguration
    }
}

/// The `--db` option of every command that uses the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The store: an SQLite file (default: triage.sqlite in the working directory) or postgres://user@host:port/db (password from PGPASSWORD or ~/.pgpass).")
    var db: String = "triage.sqlite"

    /// Opens the store, or exits with a clear message.
    func open() throws -> Store { try openPrivateStore(db) }

    /// Exits 3 when SQLite finds the store's pages damaged: a run must not
    /// report success into a store that cannot be trusted.
    func checkSound(_ store: Store) throws {
        if let damage = store.damage() {
            Diagnostics.error("the store \(db) is damaged (\(damage)): stop writing to it and restore it from a backup")
            throw ExitCodes.checkFailed
        }
    }

    /// Opens an existing store (for commands that only read).
    func openExisting() throws -> Store {
        guard Store.isServerLocation(db) || FileManager.default.fileExists(atPath: db) else {
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
    @OptionGroup var formatOptions: FormatOptions
    var format: OutputFormat { formatOptions.format }

    func run() throws {
        let rules = try LoadedRules(ruleOptions, force: force)
        let forceId = rules.forceId
        let profile = rules.profile
        let ingester = try makeIngester(ruleOptions)
        let classifier = Classifier(rules.compiled)
        let store = try storeOptions.open()
        let thresholds = profile.history ?? .defaults
        var out = OutputWriter()
        let budget = try loadItemBudget()
        let failures = forEachItem(in: inputs, budget: budget) { raw, fileTime in
            let result = try store.ingest(
                raw, actor: "triage ingest", thresholds: thresholds,
                parse: { try ingester.parse($0, fileTime: fileTime) },
                classify: { item, facts in classifier.classify(item, force: forceId, history: facts, now: fileTime, budget: budget, rawBytes: raw.bytes.count) })
            switch result.status {
            case .stored, .duplicate:
                guard let decision = result.decision?.decision.decision else { return }
                switch format {
                case .json: out.json(try StableJSON.line(decision))
                case .text:
                    out.line(DecisionText.render(decision, profile: profile))
                    var note = "  stored: item \(result.itemID.prefix(12))"
                    if result.status == .duplicate { note += " (already stored: nothing added)" }
                    if let c = result.item?.complainantID { note += " · complainant \(c)" }
                    out.line(note)
                    out.line("")
                }
            case .quarantined, .alreadyQuarantined:
                let problem = result.quarantine?.problem ?? "unreadable"
                throw IngestError(item: raw.label, problem: "\(problem) (kept in quarantine as \(result.itemID.prefix(12)))")
            }
        }
        out.flush()
        try storeOptions.checkSound(store)
        if failures > 0 { throw ExitCodes.unreadableItems }
    }
}
