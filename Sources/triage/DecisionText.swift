import Foundation
import TriageCore

/// A decision as a caseworker reads it: outcome first, then the evidence.
enum DecisionText {
    static func render(_ d: Decision, profile: ForceProfile?, suppressed: [SuppressedMatch] = []) -> String {
        var lines: [String] = []
        let handlerName = profile?.handlers[d.handler]?.name ?? d.handler
        var head = "\(d.outcome.rawValue.uppercased().replacingOccurrences(of: "_", with: " ")) → \(d.handler) (\(handlerName))"
        if !d.reasons.isEmpty { head += " — because: " + d.reasons.joined(separator: ", ") }
        lines.append(TerminalSafe.inline(d.source))
        lines.append("  " + head)
        var facts = "  kind: \(d.kind) · subject: \(d.subject) · force: \(d.force)"
        if !d.flags.isEmpty { facts += " · flags: " + d.flags.joined(separator: ", ") }
        lines.append(facts)
        if !d.categories.isEmpty { lines.append("  categories: " + d.categories.joined(separator: ", ")) }
        lines.append("  decided by: \(d.decidedBy.row) (\(d.decidedBy.cites))")
        for note in d.caseworkerNotes { lines.append("  for the caseworker: \(TerminalSafe.inline(note))") }
        if !d.justification.isEmpty {
            lines.append("  evidence:")
            for e in d.justification {
                let place = e.end > e.start && (SegmentKind(rawValue: e.segment) != nil || e.segment == "subject") ? "\(e.segment) \(e.start)–\(e.end)" : e.segment
                lines.append("    \(e.rule) [\(e.cites)] \(place): \"\(TerminalSafe.inline(e.quote))\"")
            }
        }
        if !suppressed.isEmpty {
            lines.append("  not counted:")
            for s in suppressed { lines.append("    \(s.rule) stopped by \(s.guardId): \"\(TerminalSafe.inline(s.quote))\"") }
        }
        lines.append("  explanation: \(TerminalSafe.inline(d.explanation))")
        return lines.joined(separator: "\n")
    }
}
