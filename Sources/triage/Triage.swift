import ArgumentParser
import Foundation

/// The `triage` command: reads OPCC correspondence and decides, by the rules
/// in `Rules/`, what each item is and where it must go.
@main
struct Triage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Read OPCC correspondence and decide what each item is and where it must go.",
        discussion: """
            Every decision names the rules that fired, the words they rest on, and the policy they cite.

            Exit codes:
              0  success
              1  some items could not be read (reported and kept; the rest were processed)
              2  usage error or unusable rules/configuration
              3  a check failed (rules test or lint, eval below threshold, audit verify)
              4  poll: the mailbox could not be reached

            Examples:
              triage parse Corpus/cambridgeshire-email/os-pc-rude-at-roadside.eml
              triage classify --force northamptonshire --format json letter.xml
              triage rules test
              triage eval Corpus
            """,
        version: "0.1.0",
        subcommands: [
            ParseCommand.self,
            ClassifyCommand.self,
            RulesCommand.self,
            EvalCommand.self,
            IngestCommand.self,
            ShowCommand.self,
            HistoryCommand.self,
            AuditCommand.self,
            PollCommand.self,
            ReviewCommand.self,
            ReclassifyCommand.self,
            ReportCommand.self,
            BenchCommand.self,
            ServeCommand.self,
            FuzzCommand.self,
            DbCommand.self,
        ]
    )
}

extension Triage {
    /// Runs the command. Usage errors (a bad option, a missing argument, a
    /// failed validation) exit 2 as `--help` and the README say, not the
    /// argument parser's default 64; everything else exits as the command chose.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ExitCodes.usage.rawValue)
            }
            exit(withError: error)
        }
    }
}

/// Exit codes shared by the subcommands: the table in the README and in `triage --help`.
enum ExitCodes {
    /// 0: success.
    static let success = ExitCode(0)
    /// 1: some items could not be read (each reported and kept; the rest processed),
    /// or the item or complainant asked for is not in the store.
    static let unreadableItems = ExitCode(1)
    /// 1: the item or complainant asked for is not in the store.
    static let notFound = ExitCode(1)
    /// 2: a usage error (options, arguments, settings).
    static let usage = ExitCode(2)
    /// 2: the rules or the configuration are unusable.
    static let badConfiguration = ExitCode(2)
    /// 3: a check failed (`rules test`, `rules lint`, `eval` below its threshold, `audit verify`).
    static let checkFailed = ExitCode(3)
    /// 4: `poll`: the mailbox could not be reached.
    static let mailboxUnreachable = ExitCode(4)
}
