import ArgumentParser
import Foundation
import RuleFiles
import TriageCore
import TriageStore

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "One stored item with every decision made for it and the effective one.",
        discussion: """
            ID is the item's SHA-256 or a unique prefix of at least 6 hex digits.

            Examples:
              triage show 3f2a9c1b07de
              triage show --format json 3f2a9c1b07de
            """
    )

    @Argument(help: "The item id or a unique prefix.") var id: String
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions
    var format: OutputFormat { formatOptions.format }

    struct ShowJSON: Encodable {
        struct Made: Encodable {
            var id: Int64
            var madeAt: Date
            var madeBy: String
            var reason: String?
            var note: String?
            var decision: Decision
            enum CodingKeys: String, CodingKey {
                case id, reason, note, decision
                case madeAt = "made_at"
                case madeBy = "made_by"
            }
        }
        var id: String
        var source: String
        var offset: Int?
        var locator: String?
        var format: String
        var received: Date
        var ingested: Date
        var subject: String?
        var complainant: Int64?
        var decisions: [Made]
        var effective: Int64?
        var disagreement: Int64?
        /// Who wrote what the item says, when not the sender (a forwarded message's author).
        var author: Party?
        var forwards: [ForwardedMessage]
        var attachments: [Attachment]
    }

    func run() throws {
        let store = try storeOptions.openExisting()
        guard let item = try store.item(id: id) else {
            Diagnostics.error("no item \(id) in \(storeOptions.db) (or the prefix is ambiguous)")
            throw ExitCode.failure
        }
        let decisions = try store.decisions(for: item.id)
        let effective = try store.effectiveDecision(for: item.id)
        var out = OutputWriter()
        switch format {
        case .json:
            let made = decisions.map {
                ShowJSON.Made(id: $0.id, madeAt: $0.madeAt, madeBy: $0.madeBy, reason: $0.reason, note: $0.note, decision: $0.decision)
            }
            out.json(try StableJSON.line(ShowJSON(
                id: item.id, source: item.source, offset: item.offset, locator: item.locator, format: item.format,
                received: item.receivedAt, ingested: item.ingestedAt, subject: item.subject, complainant: item.complainantID,
                decisions: made, effective: effective?.decision.id, disagreement: effective?.disagreement?.id,
                author: item.correspondence.author, forwards: item.correspondence.forwards,
                attachments: item.correspondence.attachments)))
        case .text:
            out.line("item \(item.id)")
            out.line("  source: \(TerminalSafe.inline(item.source))\(item.offset.map { "@\($0)" } ?? "")\(item.locator.map { "#\(TerminalSafe.inline($0))" } ?? "") (\(item.format), \(item.raw.count) bytes)")
            out.line("  received: \(Self.stamp(item.receivedAt)) · stored: \(Self.stamp(item.ingestedAt))")
            out.line("  subject: \(TerminalSafe.inline(item.subject ?? "(none)"))")
            out.line("  complainant: \(item.complainantID.map(String.init) ?? "none (anonymous)")")
            for line in ContentListing.lines(item.correspondence) { out.line(line) }
            out.line("  decisions (\(decisions.count)):")
            for d in decisions {
                var line = "    #\(d.id) \(Self.stamp(d.madeAt)) \(TerminalSafe.inline(d.madeBy)): \(d.decision.outcome) → \(d.decision.handler)"
                if !d.decision.reasons.isEmpty { line += " (\(d.decision.reasons.joined(separator: ", ")))" }
                line += " · rules \(d.rulesetVersion.prefix(12))"
                if d.id == effective?.decision.id { line += " · EFFECTIVE" }
                if d.id == effective?.disagreement?.id { line += " · DISAGREES with the caseworker" }
                out.line(line)
                if let r = d.reason { out.line("      reason: \(TerminalSafe.inline(r))") }
                if let n = d.note { out.line("      note: \(TerminalSafe.inline(n))") }
            }
            if let e = effective {
                out.line("")
                out.line(DecisionText.render(e.decision.decision, profile: nil))
            }
        }
        out.flush()
    }

    static func stamp(_ d: Date) -> String {
        d.formatted(Date.ISO8601FormatStyle())
    }
}
