import Foundation
import TriageCore

/// What an item carries besides its own text, for `triage show`: forwarded
/// messages (who wrote them, when, about what, the first lines of their text)
/// and attached letters (read, scanned or unreadable).
enum ContentListing {
    /// Lines of text shown of each forwarded message or letter; the rest is folded.
    static let shownLines = 6

    static func lines(_ c: Correspondence) -> [String] {
        var out: [String] = []
        if let author = c.author {
            out.append("  written by: \(party(author)) (forwarded by the sender, \(party(c.sender ?? Party())))")
        }
        if !c.forwards.isEmpty {
            out.append("  forwarded messages (\(c.forwards.count)):")
            for (k, f) in c.forwards.enumerated() {
                let pad = String(repeating: "  ", count: f.depth - 1)
                var head = "    \(pad)\(k + 1). \(f.form == .attached ? "attached" : "in the text") · from \(party(f.author))"
                if let d = f.date { head += " · \(d)" }
                if let s = f.subject { head += " · \"\(s)\"" }
                out.append(head)
                let own = c.body.segments.filter { s in
                    s.kind == .forwarded && s.start >= f.start && s.end <= f.end
                        && !c.forwards.contains { $0.depth > f.depth && $0.start > f.start && s.start >= $0.start && s.end <= $0.end }
                }
                out += excerpt(own.map { c.body.text(of: $0) }.joined(separator: "\n"), pad: "       " + pad)
            }
        }
        for a in c.attachments {
            guard let t = a.text else { continue }
            let name = a.filename ?? "(unnamed)"
            switch t.status {
            case .read:
                out.append("  attached letter \(name) (\(t.format)): text read" + (t.problem.map { " (\($0))" } ?? ""))
                if let start = t.start, let end = t.end {
                    out += excerpt(c.body.text(of: Segment(kind: .attachmentText, start: start, end: end)), pad: "       ")
                }
            case .scanned, .unreadable:
                out.append("  attached letter \(name) (\(t.format)): \(t.problem ?? t.status.rawValue)")
            }
        }
        return out
    }

    static func party(_ p: Party?) -> String {
        guard let p, !p.isEmpty else { return "(unknown)" }
        return [p.name, p.address.map { "<\($0)>" }].compactMap { $0 }.joined(separator: " ")
    }

    static func excerpt(_ text: String, pad: String) -> [String] {
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var out = lines.prefix(shownLines).map { pad + "| " + $0 }
        if lines.count > shownLines { out.append(pad + "| … \(lines.count - shownLines) more lines (triage parse shows all)") }
        return out
    }
}
