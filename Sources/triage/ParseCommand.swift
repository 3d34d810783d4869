import ArgumentParser
import Foundation
import RuleFiles
import TriageCore
import TriageIngest

struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Print the normalised Correspondence of each item, one JSON object per line (the debugging view).",
        discussion: """
            Containers (mbox files, Maildirs, folders) expand to their items. An item that cannot be read is \
            reported on standard error with the problem, and the exit code is 1; the others are still printed.

            Examples:
              triage parse message.eml
              triage parse archive.mbox | jq .subject
              triage parse --pretty Corpus/cambridgeshire-letters/some-letter.xml
            """
    )

    @Argument(help: "Files, folders, mbox files or Maildirs.") var inputs: [String]
    @OptionGroup var ruleOptions: RuleOptions
    @Flag(help: "Indent the JSON (one object spans many lines).") var pretty = false

    func run() throws {
        let ingester = try makeIngester(ruleOptions)
        let encoder = StableJSON.encoder(pretty: pretty)
        var out = OutputWriter()
        let failures = forEachItem(in: inputs) { raw, fileTime in
            let item = try ingester.parse(raw, fileTime: fileTime)
            out.json(String(decoding: try encoder.encode(item), as: UTF8.self))
        }
        out.flush()
        if failures > 0 { throw ExitCodes.unreadableItems }
    }
}

/// An ingester with the form mappings of the rules directory.
func makeIngester(_ options: RuleOptions) throws -> Ingester {
    guard let directory = RuleDirectory.locate(explicit: options.rules) else {
        throw ValidationError("No Rules/ directory found: pass --rules DIR or set TRIAGE_RULES.")
    }
    do {
        return try Ingester(rulesDirectory: directory.url)
    } catch {
        Diagnostics.error("form mappings unusable: \(error)")
        throw ExitCodes.badConfiguration
    }
}
