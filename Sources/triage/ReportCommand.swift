import ArgumentParser
import Foundation
import RuleFiles
import TriageCore
import TriageReports
import TriageStore

extension ReportOutputFormat: ExpressibleByArgument {}

/// `triage report`: the transparency publication and the caseload report.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reports from the store: the yearly transparency publication and the office's caseload, as pages with charts.",
        discussion: """
            Both reports count the effective decisions (a caseworker's where there is one) through the same query layer as `triage review stats`. HTML pages are self-contained: inline CSS and SVG charts, no script, nothing fetched; they work offline and print.

            The transparency report prints no personal data: no complainant, no officer or staff name, no text from the correspondence. A summary appears only when a caseworker approved it (`triage report summary`); approval refuses text holding the complainant's name or address, or any email address, phone number or postcode, and is audit-logged.

            Examples:
              triage report transparency --year 2025-26 --output transparency-2025-26.html
              triage report transparency --year 2025-26 --format csv --force northamptonshire
              triage report caseload --from 2026-10-01 --to 2026-10-31 --output caseload-october.html
              triage report caseload --from 2026-10-01 --to 2026-10-31 --format json
              triage report summary 3f2a9c1b7d0e --text "Complaint about the handling of a review; passed to the Panel." --as "A. Caseworker"
              triage report summary 3f2a9c1b7d0e --withdraw --as "A. Caseworker"

            Exit codes: 0 written; 2 usage error (a bad year or date, no store, unknown force, a summary refused).
            """,
        subcommands: [TransparencyReportCommand.self, CaseloadReportCommand.self, SummaryCommand.self]
    )
}

/// Options the report commands share.
struct ReportOptions: ParsableArguments {
    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "html, csv or json.") var format: ReportOutputFormat = .html
    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file")) var output: String?
    @OptionGroup var ruleOptions: RuleOptions

    /// The store, which must exist (a report never creates one).
    func store() throws -> Store { try Self.openStore(storeOptions.db) }

    /// Opens the store at `db`, which must exist; exit 2 otherwise.
    static func openStore(_ db: String) throws -> Store {
        guard Store.isServerLocation(db) || FileManager.default.fileExists(atPath: db) else {
            Diagnostics.error("No store at \(db): ingest items first, or pass --db PATH.")
            throw ExitCodes.badConfiguration
        }
        return try openPrivateStore(db)   // warns when others can read it
    }

    /// The rules' force profiles and the default force's id.
    func profiles() throws -> (all: [ForceProfile], defaultID: String) {
        guard let directory = RuleDirectory.locate(explicit: ruleOptions.rules) else {
            Diagnostics.error("No Rules/ directory found: pass --rules DIR or set TRIAGE_RULES.")
            throw ExitCodes.badConfiguration
        }
        do {
            return (try directory.load().profiles, directory.defaultForce())
        } catch {
            Diagnostics.error("rules in \(directory.url.path) are unusable:\n\(error)")
            throw ExitCodes.badConfiguration
        }
    }

    /// The force profile: `force`, else Rules/config.yaml's default.
    func profile(_ force: String?) throws -> ForceProfile {
        let (all, defaultID) = try profiles()
        let id = force ?? defaultID
        guard let p = all.first(where: { $0.id == id }) else {
            Diagnostics.error("No force profile '\(id)'. Known: \(all.map(\.id).sorted().joined(separator: ", ")).")
            throw ExitCodes.badConfiguration
        }
        return p
    }

    /// Writes the text to --output (atomically) or standard output. A private
    /// report (one for the office, not for publication) is created 0600
    /// whatever the umask, never readable by others even for a moment.
    /// JSON carries its format_version, as every command's JSON does.
    func write(_ rendered: String, isPrivate: Bool = false) throws {
        let text = format == .json ? JSONFormat.versioned(rendered) : rendered
        guard let output else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do {
            if isPrivate {
                try Self.writePrivately(Data(text.utf8), to: output)
            } else {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            }
        } catch {
            Diagnostics.error("cannot write \(output): \(error.localizedDescription)")
            throw ExitCodes.badConfiguration
        }
        Diagnostics.note("report written to \(output)")
    }

    /// Writes `data` to a new file beside `path` created with mode 0600, then renames it over `path`.
    static func writePrivately(_ data: Data, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary]) }
        var ok = fchmod(fd, 0o600) == 0
        data.withUnsafeBytes { buffer in
            var offset = 0
            while ok, offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { ok = false } else { offset += n }
            }
        }
        ok = (fsync(fd) == 0) && ok
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}

struct TransparencyReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transparency",
        abstract: "Complaints against the PCC, the Deputy, OPCC staff and volunteers, the Chief Executive and the Chief Constable in a financial year, ready to publish."
    )

    @Option(help: ArgumentHelp("The financial year, e.g. 2025-26 (1 April 2025 to 31 March 2026).", valueName: "YYYY-YY")) var year: String
    @Option(help: "The force profile (its decisions and its wording; default: Rules/config.yaml's).") var force: String?
    @OptionGroup var options: ReportOptions

    func run() throws {
        _ = try usage { try ReportPeriod.financialYear(year) }
        let profile = try options.profile(force)
        let report = try Reports(store: try options.store()).transparency(year: year, profile: profile)
        try options.write(try report.render(options.format))
    }
}

struct CaseloadReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caseload",
        abstract: "What came in, what it was, where it went, review requests against the window, time to a caseworker's decision, override rate by rule.",
        discussion: "The caseload report is for the office: with --output it is written private (mode 0600, whatever the umask)."
    )

    @Option(help: ArgumentHelp("The first day (YYYY-MM-DD).", valueName: "date")) var from: String
    @Option(help: ArgumentHelp("The last day, included (YYYY-MM-DD).", valueName: "date")) var to: String
    @Option(help: "Only this force profile's decisions (default: every force, in neutral wording).") var force: String?
    @OptionGroup var options: ReportOptions

    func run() throws {
        let period = try usage { try ReportPeriod(first: from, last: to) }
        let profile = try force.map { try options.profile($0) }
        let all = profile == nil ? try options.profiles().all : []
        let report = try Reports(store: try options.store()).caseload(period: period, profile: profile, allProfiles: all)
        // The caseload report is for the office (item ids, caseworkers' actions): private, 0600.
        try options.write(try report.render(options.format), isPrivate: true)
    }
}

struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Approve (or withdraw) a summary of an item for the transparency publication; audit-logged."
    )

    @Argument(help: "The item (id or a 6+ character prefix).") var id: String
    @Option(help: "The summary to publish (no names, addresses, emails, phone numbers or postcodes).") var text: String?
    @Flag(help: "Withdraw the item's approved summary.") var withdraw = false
    @OptionGroup var options: ReviewOptions

    func run() throws {
        try usage { if withdraw == (text != nil) { throw ReportError("give either --text \"…\" or --withdraw") } }
        let store = try ReportOptions.openStore(options.storeOptions.db)
        let name = options.caseworker
        do {
            if let text {
                let s = try store.approveSummary(itemID: id, summary: text, actor: name)
                print("Approved for publication: summary of \(s.itemID.prefix(12)) by \(s.approvedBy).")
            } else if try store.withdrawSummary(itemID: id, actor: name) {
                print("Withdrawn: the summary of \(id) is no longer published.")
            } else {
                print("Item \(id) had no approved summary.")
            }
        } catch let e as StoreError {
            Diagnostics.error(e.message)
            throw ExitCodes.badConfiguration
        }
    }
}

/// Runs `body`; a ``ReportError`` (a bad year, date or combination of
/// options) is printed and exits 2, the README's usage error.
func usage<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as ReportError {
        Diagnostics.error(e.message)
        throw ExitCodes.badConfiguration
    }
}
