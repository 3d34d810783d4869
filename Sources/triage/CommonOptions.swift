import ArgumentParser
import Foundation
import RuleFiles
import TextSegmentation
import TriageApp
import TriageCore
import TriageIngest
import TriageStore

/// Output formats. `json` is JSON Lines (one object per line) everywhere;
/// `jsonl` is accepted as the same.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json

    init?(argument: String) {
        switch argument.lowercased() {
        case "text": self = .text
        case "json", "jsonl": self = .json
        default: return nil
        }
    }
}

/// `--format`, declared once for every command that prints text or JSON Lines.
struct FormatOptions: ParsableArguments {
    @Option(help: "text or json (JSON Lines, one object per line; jsonl is the same).")
    var format: OutputFormat = .text
}

/// Options for commands that use the rules.
struct RuleOptions: ParsableArguments {
    @Option(name: .long, help: "The Rules/ directory (default: $TRIAGE_RULES, else ./Rules or a parent's).")
    var rules: String?

    /// Loads and compiles the rule set, or exits with a clear message.
    func load() throws -> (RuleDirectory, CompiledRuleSet) {
        guard let directory = RuleDirectory.locate(explicit: rules) else {
            throw ValidationError("No Rules/ directory found: pass --rules DIR or set TRIAGE_RULES.")
        }
        do {
            let set = try directory.load()
            // The segmenter's word lists come from the same Rules/ directory.
            try SegmenterVocabulary.install(rulesDirectory: directory.url)
            return (directory, try CompiledRuleSet(set, stemmer: RuleDirectory.stemmer()))
        } catch {
            Diagnostics.error("rules in \(directory.url.path) are unusable:\n\(error)")
            throw ExitCodes.badConfiguration
        }
    }
}

/// Messages for people, on standard error.
enum Diagnostics {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("triage: \(TerminalSafe.block(message))\n".utf8))
    }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data("\(TerminalSafe.block(message))\n".utf8))
    }

    /// True when standard error is a terminal (progress is shown only then).
    static var isTerminal: Bool { isatty(2) == 1 }
}

/// Writes lines to standard output, buffered.
struct OutputWriter {
    private var buffer = Data()

    /// A line (or lines) of text for people: controls and escape sequences are shown, never emitted.
    mutating func line(_ s: String) { raw(TerminalSafe.block(s)) }

    /// A line of JSON, as encoded (JSON already escapes every control character),
    /// with its `format_version`.
    mutating func json(_ s: String) { raw(JSONFormat.versioned(s)) }

    /// A line exactly as given (JSON that already carries its `format_version`).
    mutating func raw(_ s: String) {
        buffer.append(contentsOf: Array(s.utf8))
        buffer.append(0x0A)
        if buffer.count > 1 << 16 { flush() }
    }

    mutating func flush() {
        FileHandle.standardOutput.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// The rules, compiled, with the chosen force profile.
struct LoadedRules {
    let directory: RuleDirectory
    let compiled: CompiledRuleSet
    let forceId: String
    let profile: ForceProfile

    /// Loads the rules and picks the profile: `force`, else Rules/config.yaml's default.
    init(_ options: RuleOptions, force: String?) throws {
        (directory, compiled) = try options.load()
        forceId = force ?? directory.defaultForce()
        guard let profile = compiled.ruleSet.profile(forceId) else {
            throw ValidationError("No force profile '\(forceId)'. Known: \(compiled.ruleSet.profiles.map(\.id).sorted().joined(separator: ", ")).")
        }
        self.profile = profile
    }
}

/// Walks the inputs in order (``ItemWalk``), reporting each unreadable input or
/// item, and each error thrown by `body`, on standard error with its label.
/// - Returns: how many inputs or items failed.
func forEachItem(in inputs: [String], budget: ItemBudget = .defaults, _ body: (RawItem, Date?) throws -> Void) -> Int {
    ItemWalk.forEach(in: inputs, budget: budget, failure: reportFailure, body)
}

/// Reports an unreadable input or item on standard error (its label and the problem, never its content).
func reportFailure(_ error: Error) {
    Diagnostics.error("\(error)")
}

/// Prints text for people on standard output: controls and escape sequences
/// from correspondence are shown (`\x1b`), never emitted.
func printText(_ s: String) {
    print(TerminalSafe.block(s))
}

/// The per-item budget from the environment (`TRIAGE_MAX_ITEM_BYTES`,
/// `TRIAGE_MAX_CLASSIFY_CHARS`), or a usage error naming the bad setting.
func loadItemBudget() throws -> ItemBudget {
    do {
        return try ItemBudget(environment: ProcessInfo.processInfo.environment)
    } catch {
        throw ValidationError("\(error)")
    }
}

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
