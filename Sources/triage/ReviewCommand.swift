import ArgumentParser
import Foundation
import RuleFiles
import TriageApp
import TriageCore
import TriageReview
import TriageStore

/// `triage review`: the caseworker's queue, interactive, and its scriptable forms.
struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Accept or override decisions: the caseworker's queue (interactive) and its scriptable forms.",
        discussion: """
            With no subcommand, opens the queue in the terminal: needs_caseworker first, then unreviewed items by date received. Every accept and override is saved at once and written to the audit log with the caseworker's name (--as NAME, else the login name) and the time; an override becomes the item's effective decision, and later automatic reclassification never replaces it silently.

            Examples:
              triage review --db triage.sqlite --as "A. Caseworker"
              triage review list --outcome needs_caseworker --format json
              triage review accept 3f2a9c1b7d0e --note "checked with CRT"
              triage review override 3f2a9c1b7d0e --outcome recorded --handler opcc --reason "the CC"
              triage review letter 3f2a9c1b7d0e
              triage review stats --since 2026-11-01
            """,
        subcommands: [
            ReviewScreenCommand.self, ReviewListCommand.self, ReviewAcceptCommand.self, ReviewOverrideCommand.self,
            ReviewLetterCommand.self, ReviewStatsCommand.self,
        ],
        defaultSubcommand: ReviewScreenCommand.self
    )
}

/// Options every review command shares.
struct ReviewOptions: ParsableArguments {
    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .customLong("as"), help: ArgumentHelp("The caseworker's name for the audit log (default: the login name).", valueName: "name")) var actor: String?
    @OptionGroup var ruleOptions: RuleOptions

    /// The caseworker's name: --as, else the login name.
    var caseworker: String {
        if let actor, !actor.trimmingCharacters(in: .whitespaces).isEmpty { return actor }
        if let p = getpwuid(geteuid()), let name = p.pointee.pw_name { return String(cString: name) }
        let env = ProcessInfo.processInfo.environment
        return env["USER"] ?? env["LOGNAME"] ?? "unknown"
    }

    /// The review actions over the existing store, with the rules' force profiles.
    func desk() throws -> ReviewDesk {
        guard let directory = RuleDirectory.locate(explicit: ruleOptions.rules) else {
            throw ValidationError("No Rules/ directory found: pass --rules DIR or set TRIAGE_RULES.")
        }
        let store = try storeOptions.openExisting()
        let rules: RuleSet
        do {
            rules = try directory.load()
        } catch {
            Diagnostics.error("rules in \(directory.url.path) are unusable:\n\(error)")
            throw ExitCodes.badConfiguration
        }
        return ReviewDesk(store: store, profiles: rules.profiles)
    }
}

/// Queue filters.
struct ReviewFilterOptions: ParsableArguments {
    @Option(help: "Only this effective outcome.") var outcome: Outcome?
    @Option(help: "Only this handler (e.g. crt, opcc).") var handler: String?
    @Option(help: "Only this force profile.") var force: String?
    @Option(help: "Only items received on or after this date (YYYY-MM-DD or ISO 8601).") var since: String?
    @Option(help: "Only items received before this date (YYYY-MM-DD or ISO 8601).") var until: String?
    @Flag(help: "Include items a caseworker has already decided.") var all = false

    func validate() throws {
        if let since, ReviewDates.parse(since) == nil { throw ValidationError("--since: '\(since)' is not a date (YYYY-MM-DD).") }
        if let until, ReviewDates.parse(until) == nil { throw ValidationError("--until: '\(until)' is not a date (YYYY-MM-DD).") }
    }

    var filter: ReviewFilter {
        ReviewFilter(outcome: outcome, handler: handler, force: force, since: since.flatMap(ReviewDates.parse),
                     until: until.flatMap(ReviewDates.parse), includeReviewed: all)
    }
}

enum ReviewDates {
    /// `YYYY-MM-DD` (midnight UTC) or a full ISO 8601 time.
    static func parse(_ s: String) -> Date? {
        let t = s.trimmingCharacters(in: .whitespaces)
        if let d = try? Date.ISO8601FormatStyle().parse(t) { return d }
        if let d = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(t) { return d }
        let parts = t.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, t.count == 10 else { return nil }
        var c = DateComponents()
        c.year = parts[0]; c.month = parts[1]; c.day = parts[2]
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: 0) ?? cal.timeZone
        guard c.isValidDate(in: cal) else { return nil }
        return cal.date(from: c)
    }
}

/// Runs a review action; a review or store error is reported as a clear
/// message with exit code 2 (anything else, e.g. a usage error, as it is).
func reviewing(_ body: () throws -> Void) throws {
    do { try body() } catch { throw reviewFailure(error) }
}

/// Reports a review error as a clear message with exit code 2.
func reviewFailure(_ error: Error) -> Error {
    if let e = error as? ReviewError {
        Diagnostics.error(e.message)
        return ExitCodes.badConfiguration
    }
    if let e = error as? StoreError {
        Diagnostics.error(e.message)
        return ExitCodes.badConfiguration
    }
    return error
}

struct ReviewScreenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "screen",
        abstract: "The interactive queue (the default): one item at a time with its evidence highlighted.",
        discussion: """
            Keys: a accept, o override (outcome and handler from the force's lists, why not recorded if so, whom it is about, then a reason), n next, p previous, s skip, r reload the queue, f full text, / search, ? help, q quit (Ctrl-C too). Colour on a terminal; with --color never (or NO_COLOR set) evidence is marked [[like this]].
            """
    )

    enum ColourChoice: String, ExpressibleByArgument, CaseIterable { case auto, always, never }

    @OptionGroup var options: ReviewOptions
    @OptionGroup var filters: ReviewFilterOptions
    @Option(name: .customLong("color"), help: "auto, always or never.") var colour: ColourChoice = .auto

    func run() throws {
        let service = try options.desk().service
        let session = TerminalSession(service: service, actor: options.caseworker, filter: filters.filter,
                                      colour: colour == .auto ? nil : colour == .always)
        try reviewing {
            let summary = try session.run()
            if summary.opened {
                printText("Review ended: \(summary.accepted) accepted, \(summary.overridden) overridden (all saved); \(summary.remaining) left in the queue.")
            } else {
                printText("Nothing to review.")
            }
        }
    }
}

struct ReviewListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "The queue in order: needs_caseworker first, then unreviewed items by date received."
    )

    @OptionGroup var options: ReviewOptions
    @OptionGroup var filters: ReviewFilterOptions
    @OptionGroup var formatOptions: FormatOptions
    var format: OutputFormat { formatOptions.format }

    func run() throws {
        try reviewing {
            let lines = try options.desk().list(filters.filter, json: format == .json)
            var out = OutputWriter()
            for line in lines {
                if format == .json { out.raw(line) } else { out.line(line) }
            }
            out.flush()
        }
    }
}

struct ReviewAcceptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accept",
        abstract: "Accept an item's decision (saved and audited at once)."
    )

    @Argument(help: "The item id (or a unique prefix of at least 6 hex digits).") var id: String
    @Option(help: "A remark kept with the acceptance.") var note: String?
    @OptionGroup var options: ReviewOptions

    func run() throws {
        try reviewing {
            printText(try options.desk().accept(id, note: note, actor: options.caseworker))
        }
    }
}

struct ReviewOverrideCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "override",
        abstract: "Replace an item's decision: outcome and handler from the force profile's lists, and a reason.",
        discussion: """
            The override becomes the item's effective decision and is written to the audit log.

            Example:
              triage review override 3f2a9c1b7d0e --outcome routed --handler psd --reason "assault"
              triage review override 3f2a9c1b7d0e --outcome not_recorded --handler opcc --because repetitious --reason "as item 41c2"
              triage review override 3f2a9c1b7d0e --outcome routed --handler crt --subject officer_or_staff --reason "the warden is a PCSO"
            """
    )

    @Argument(help: "The item id (or a unique prefix of at least 6 hex digits).") var id: String
    @Option(help: "The new outcome (one of the force profile's outcomes).") var outcome: Outcome
    @Option(help: "The new handler (from the force profile's handlers).") var handler: String
    @Option(help: "A new kind; kept when absent.") var kind: ItemKind?
    @Option(help: "A new subject; kept when absent.") var subject: SubjectRole?
    @Option(help: "Why (required).") var reason: String
    @Option(name: .customLong("because"), help: ArgumentHelp("For --outcome not_recorded: why not recorded; repeatable.", valueName: "reason")) var because: [NotRecordedReason] = []
    @OptionGroup var options: ReviewOptions

    func validate() throws {
        if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("--reason must say why the decision is overridden.")
        }
    }

    func run() throws {
        try reviewing {
            printText(try options.desk().override(id, outcome: outcome, handler: handler, kind: kind, subject: subject,
                                                  because: because, reason: reason, actor: options.caseworker))
        }
    }
}

struct ReviewLetterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "letter",
        abstract: "Draft the paragraph for the complainant from the item's effective decision."
    )

    @Argument(help: "The item id (or a unique prefix of at least 6 hex digits).") var id: String
    @OptionGroup var options: ReviewOptions

    func run() throws {
        try reviewing {
            let letter = try options.desk().letter(id)
            if let note = letter.note { Diagnostics.note(note) }
            printText(letter.text)
        }
    }
}

struct ReviewStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Accept and override rates by outcome, handler and rule over a period (most overridden first)."
    )

    @Option(help: "From this date (YYYY-MM-DD or ISO 8601).") var since: String?
    @Option(help: "Before this date (YYYY-MM-DD or ISO 8601).") var until: String?
    @OptionGroup var formatOptions: FormatOptions
    var format: OutputFormat { formatOptions.format }
    @OptionGroup var options: ReviewOptions

    func validate() throws {
        if let since, ReviewDates.parse(since) == nil { throw ValidationError("--since: '\(since)' is not a date (YYYY-MM-DD).") }
        if let until, ReviewDates.parse(until) == nil { throw ValidationError("--until: '\(until)' is not a date (YYYY-MM-DD).") }
    }

    func run() throws {
        try reviewing {
            let stats = try options.desk().stats(since: since.flatMap(ReviewDates.parse), until: until.flatMap(ReviewDates.parse), json: format == .json)
            if format == .json { print(stats) } else { printText(stats) }
        }
    }
}
