import ArgumentParser
import Foundation
import TriageCore
import TriageStore

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "One person's items in date order, with their effective decisions and how the record was merged.",
        discussion: """
            COMPLAINANT is a complainant number, an email address, a phone number or an item id.

            Examples:
              triage history jo.bloggs@example.org
              triage history --format json 12
            """
    )

    @Argument(help: "Complainant number, email address, phone number or item id.") var complainant: String
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions
    var format: OutputFormat { formatOptions.format }

    struct Line: Encodable {
        var complainant: Int64
        var id: String
        var received: Date
        var source: String
        var subject: String?
        var kind: ItemKind?
        var outcome: Outcome?
        var handler: String?
        var reasons: [NotRecordedReason]
        var flags: [DecisionFlag]
        var madeBy: String?
        enum CodingKeys: String, CodingKey {
            case complainant, id, received, source, subject, kind, outcome, handler, reasons, flags
            case madeBy = "made_by"
        }
    }

    func run() throws {
        let store = try storeOptions.openExisting()
        guard let cid = try store.findComplainant(complainant), let h = try store.history(complainant: cid) else {
            Diagnostics.error("no complainant matches \(complainant) in \(storeOptions.db)")
            throw ExitCodes.notFound
        }
        var out = OutputWriter()
        switch format {
        case .json:
            for e in h.items {
                let d = e.decision?.decision
                out.json(try StableJSON.line(Line(
                    complainant: h.complainant.id, id: e.item.id, received: e.item.receivedAt, source: e.item.source,
                    subject: e.item.subject, kind: d?.decision.kind, outcome: d?.decision.outcome, handler: d?.decision.handler,
                    reasons: d?.decision.reasons ?? [], flags: d?.decision.flags ?? [], madeBy: d?.madeBy)))
            }
        case .text:
            out.line("complainant \(h.complainant.id): \(TerminalSafe.inline(h.complainant.displayName ?? "(no name)"))")
            out.line("  known by: " + h.complainant.keys.map { TerminalSafe.inline($0.key) }.joined(separator: ", "))
            for m in h.merges { out.line("  merged: \(TerminalSafe.inline(m.explanation))") }
            out.line("  items (\(h.items.count)):")
            for e in h.items {
                let day = e.item.receivedAt.formatted(Date.ISO8601FormatStyle().year().month().day())
                var line = "    \(day) \(e.item.id.prefix(12)) '\(TerminalSafe.inline(e.item.subject ?? "(no subject)"))'"
                if let d = e.decision?.decision {
                    line += ": \(d.decision.kind), \(d.decision.outcome) → \(d.decision.handler)"
                    if !d.decision.reasons.isEmpty { line += " (\(d.decision.reasons.joined(separator: ", ")))" }
                    if !d.decision.flags.isEmpty { line += " [\(d.decision.flags.joined(separator: ", "))]" }
                    if d.isCaseworker { line += " · \(TerminalSafe.inline(d.madeBy))" }
                }
                out.line(line)
            }
        }
        out.flush()
    }
}
