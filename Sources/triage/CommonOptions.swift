import ArgumentParser
import Foundation
import RuleFiles
import TextSegmentation
import TriageCore
import TriageIngest

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

/// The version of the JSON output's shape, in every JSON object a command
/// prints as `format_version`; raised when a field changes meaning or goes.
enum JSONFormat {
    static let version = 1

    /// The JSON object with `format_version` first (any other JSON unchanged).
    static func versioned(_ json: String) -> String {
        if json.hasPrefix("{\n") {
            let rest = json.dropFirst(2)
            return "{\n  \"format_version\" : \(version)" + (rest.hasPrefix("}") ? "\n" : ",\n") + rest
        }
        guard json.hasPrefix("{") else { return json }
        let rest = json.dropFirst()
        return "{\"format_version\":\(version)" + (rest.hasPrefix("}") ? "" : ",") + rest
    }
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

    private mutating func raw(_ s: String) {
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

/// Walks the inputs in order, reporting each unreadable one on standard
/// error, and calls `body` for every item. An error thrown by `body` is
/// reported with the item's label and counted; the walk goes on.
/// - Returns: how many inputs or items failed.
func forEachItem(in inputs: [String], budget: ItemBudget = .defaults, _ body: (RawItem, Date?) throws -> Void) -> Int {
    var failures = 0
    for entry in ItemSource(paths: inputs, maxItemBytes: budget.maxItemBytes) {
        switch entry {
        case .unreadable(let error):
            failures += 1
            Diagnostics.error(error.description)
        case .item(let raw, let fileTime):
            do {
                try body(raw, fileTime)
            } catch {
                failures += 1
                Diagnostics.error("\(error)")
            }
        }
    }
    return failures
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
