import ArgumentParser

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
              1  some items could not be read (they are reported and kept; the rest were processed)
              2  usage error or unusable rules/configuration
              3  a check failed (rules test, rules lint, eval below its threshold, audit verify)
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

/// Exit codes shared by the subcommands.
enum ExitCodes {
    static let unreadableItems = ExitCode(1)
    static let badConfiguration = ExitCode(2)
    static let checkFailed = ExitCode(3)
}
