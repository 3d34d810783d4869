import Foundation
import TriageCore
import TriageReports

/// How the change report is written.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text
    case json
    case html
}

extension ChangeReport {
    /// The report in a format.
    /// - Throws: an encoding error (JSON; never expected).
    public func render(_ format: ReportFormat) throws -> String {
        switch format {
        case .text: return text()
        case .json: return String(decoding: try StableJSON.encoder(pretty: true).encode(self), as: UTF8.self) + "\n"
        case .html: return html()
        }
    }

    /// The report for a terminal or an email.
    public func text() -> String {
        var out: [String] = []
        out.append("Reclassification against \(baseline)")
        out.append("rules now: \(rulesetAfter.isEmpty ? "?" : rulesetAfter)\(rulesetsBefore.isEmpty ? "" : "; before: " + rulesetsBefore.joined(separator: ", "))")
        out.append("")
        out.append("items decided now: \(items)   unreadable: \(unreadable)")
        out.append("compared with an earlier decision: \(compared)")
        out.append("  unchanged: \(unchanged)")
        out.append("  flipped (kind, outcome or handler): \(flipped)")
        out.append("  same route, other details changed (subject, reasons, flags): \(detailsChanged)")
        out.append("  caseworker decisions the rules now disagree with: \(disagreements) (kept; never overwritten)")
        out.append("  caseworker decisions the rules agree with: \(caseworkerAgreements)")
        out.append("new (no earlier decision): \(new)")
        out.append("only in the baseline (not found now): \(onlyBefore)")
        out.append("")
        out.append("outcomes (compared items): before → after")
        for key in Set(outcomesBefore.keys).union(outcomesAfter.keys).sorted() {
            let b = outcomesBefore[key] ?? 0, a = outcomesAfter[key] ?? 0
            out.append("  \(pad(key, 18)) \(pad(String(b), 8, left: true)) → \(pad(String(a), 8, left: true))  (\(a - b >= 0 ? "+" : "")\(a - b))")
        }
        if !outcomeMatrix.isEmpty {
            out.append("")
            out.append("flip matrix, outcome (rows before, columns after; rules' decisions only):")
            out.append(contentsOf: matrixLines(outcomeMatrix))
        }
        if !flips.isEmpty {
            out.append("")
            out.append("flips (\(flipped)):")
            for g in flips {
                out.append("  \(g.count) × \(g.before)  ⇒  \(g.after)")
                let causes = g.causes.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(6)
                out.append("    because: " + causes.map { "\($0.key) (\($0.value))" }.joined(separator: ", "))
                for e in g.examples { out.append("    e.g. \(e.item)  [\(e.id.prefix(12))]\(exampleDetail(e))") }
            }
        }
        if !rules.isEmpty {
            out.append("")
            out.append("rules behind the flips (+ fires now, not before; − fired before, not now):")
            for r in rules.prefix(40) {
                let top = r.flips.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.first
                out.append("  \(pad(r.rule, 48)) +\(r.gained) −\(r.lost)\(top.map { "   mostly \($0.key) (\($0.value))" } ?? "")")
            }
        }
        if !disagreementList.isEmpty {
            out.append("")
            out.append("caseworker decisions the rules now disagree with (\(disagreements); not changed):")
            for e in disagreementList {
                out.append("  \(e.item) [\(e.id.prefix(12))]: \(e.caseworker ?? "caseworker") decided \(e.before); the rules now say \(e.after)")
            }
        }
        if !unreadableList.isEmpty {
            out.append("")
            out.append("unreadable items (\(unreadable)):")
            for u in unreadableList { out.append("  \(u.item): \(u.problem)") }
        }
        if !onlyBeforeExamples.isEmpty {
            out.append("")
            out.append("only in the baseline, e.g.:")
            for s in onlyBeforeExamples.prefix(10) { out.append("  \(s.item) [\(s.id.prefix(12))] \(Route(s))") }
        }
        return out.joined(separator: "\n") + "\n"
    }

    private func exampleDetail(_ e: ChangeExample) -> String {
        var parts: [String] = []
        if !e.rulesGained.isEmpty { parts.append("+" + e.rulesGained.joined(separator: " +")) }
        if !e.rulesLost.isEmpty { parts.append("−" + e.rulesLost.joined(separator: " −")) }
        if e.rowBefore != e.rowAfter { parts.append("row \(e.rowBefore) → \(e.rowAfter)") }
        if e.subjectBefore != e.subjectAfter { parts.append("subject \(e.subjectBefore) → \(e.subjectAfter)") }
        return parts.isEmpty ? "" : "  " + parts.joined(separator: "; ")
    }

    private func matrixLines(_ m: [String: [String: Int]]) -> [String] {
        let labels = Set(m.keys).union(m.values.flatMap(\.keys)).sorted()
        let width = max(10, (labels.map(\.count).max() ?? 0) + 2)
        var lines = [pad("", width) + labels.map { pad($0, width) }.joined()]
        for a in labels where m[a] != nil {
            lines.append(pad(a, width) + labels.map { pad(m[a]?[$0].map(String.init) ?? ".", width) }.joined())
        }
        return lines.map { "  " + $0 }
    }
}

private func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
    let n = s.count
    if n >= width { return s + (left ? "" : " ") }
    let fill = String(repeating: " ", count: width - n)
    return left ? fill + s : s + fill
}

// MARK: - HTML

extension ChangeReport {
    /// A self-contained HTML page: inline CSS and SVG charts, no scripts, no network.
    public func html() -> String {
        var h = ""
        h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        h += "<title>Reclassification report</title>\n<style>\n"
        h += """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1100px;color:#1b1f24;padding:0 1em}
            h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
            table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #d0d7de;padding:.25em .5em;text-align:left;vertical-align:top}
            th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}
            .cards{display:flex;flex-wrap:wrap;gap:.8em}.card{border:1px solid #d0d7de;border-radius:6px;padding:.6em 1em;min-width:8em}
            .card b{display:block;font-size:1.6em}code{font-size:.92em;background:#f6f8fa;padding:0 .2em}
            .muted{color:#57606a}.gain{color:#1a7f37}.lose{color:#cf222e}svg text{font:12px system-ui,sans-serif}
            """
        h += "\n</style></head><body>\n"
        h += "<h1>Reclassification report</h1>\n"
        h += "<p class=\"muted\">Compared with \(esc(baseline)). Rules now: <code>\(esc(rulesetAfter))</code>"
        if !rulesetsBefore.isEmpty { h += "; before: " + rulesetsBefore.map { "<code>\(esc($0))</code>" }.joined(separator: ", ") }
        h += ".</p>\n<div class=\"cards\">"
        for (label, value) in [("items decided", items), ("compared", compared), ("flipped", flipped), ("details changed", detailsChanged),
                               ("unchanged", unchanged), ("caseworker disagreements", disagreements), ("new", new),
                               ("only before", onlyBefore), ("unreadable", unreadable)] {
            h += "<div class=\"card\"><b>\(value)</b>\(esc(label))</div>"
        }
        h += "</div>\n"

        h += "<h2>Outcomes before and after</h2>\n"
        h += outcomeBars()
        h += "<h2>Flip matrix (outcome)</h2>\n<p class=\"muted\">Rows: before; columns: after. Decisions made by the rules only; the diagonal is unchanged.</p>\n"
        h += matrixSVG(outcomeMatrix)
        if !handlerMatrix.isEmpty {
            h += "<h2>Flip matrix (handler)</h2>\n"
            h += matrixSVG(handlerMatrix)
        }
        h += "<h2>Rules behind the flips</h2>\n"
        h += rulesBars()

        h += "<h2>Flips, with examples</h2>\n"
        if flips.isEmpty { h += "<p>No decision flips.</p>\n" }
        for g in flips {
            h += "<h3>\(g.count) × \(esc(g.before.description)) ⇒ \(esc(g.after.description))</h3>\n<p>Because: "
            h += g.causes.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "<code>\(esc($0.key))</code> (\($0.value))" }.joined(separator: ", ")
            h += "</p>\n<table><tr><th>item</th><th>id</th><th>rules gained</th><th>rules lost</th><th>row before → after</th><th>subject</th></tr>\n"
            for e in g.examples {
                h += "<tr><td>\(esc(e.item))</td><td><code>\(esc(String(e.id.prefix(12))))</code></td>"
                h += "<td class=\"gain\">\(esc(e.rulesGained.joined(separator: ", ")))</td><td class=\"lose\">\(esc(e.rulesLost.joined(separator: ", ")))</td>"
                h += "<td>\(esc(e.rowBefore)) → \(esc(e.rowAfter))</td><td>\(esc(e.subjectBefore)) → \(esc(e.subjectAfter))</td></tr>\n"
            }
            h += "</table>\n"
        }
        h += "<h2>Caseworker decisions the rules now disagree with</h2>\n"
        h += "<p class=\"muted\">Reported only: a caseworker's decision is never overwritten.</p>\n"
        if disagreementList.isEmpty {
            h += "<p>None.</p>\n"
        } else {
            h += "<table><tr><th>item</th><th>caseworker</th><th>caseworker decided</th><th>rules now say</th><th>rules gained / lost</th></tr>\n"
            for e in disagreementList {
                h += "<tr><td>\(esc(e.item))</td><td>\(esc(e.caseworker ?? ""))</td><td>\(esc(e.before.description))</td><td>\(esc(e.after.description))</td>"
                h += "<td><span class=\"gain\">\(esc(e.rulesGained.joined(separator: ", ")))</span> <span class=\"lose\">\(esc(e.rulesLost.joined(separator: ", ")))</span></td></tr>\n"
            }
            h += "</table>\n"
        }
        if !unreadableList.isEmpty {
            h += "<h2>Unreadable items (\(unreadable))</h2>\n<table><tr><th>item</th><th>problem</th></tr>\n"
            for u in unreadableList { h += "<tr><td>\(esc(u.item))</td><td>\(esc(u.problem))</td></tr>\n" }
            h += "</table>\n"
        }
        h += "</body></html>\n"
        return h
    }

    private func outcomeBars() -> String {
        let keys = Set(outcomesBefore.keys).union(outcomesAfter.keys).sorted()
        guard !keys.isEmpty else { return "<p>No items compared.</p>\n" }
        let maxValue = max(1, keys.map { max(outcomesBefore[$0] ?? 0, outcomesAfter[$0] ?? 0) }.max() ?? 1)
        let labelWidth = 150, barWidth = 520, rowHeight = 44
        let height = keys.count * rowHeight + 30
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(labelWidth + barWidth + 120)\" height=\(q(height)) role=\"img\" aria-label=\"Outcomes before and after\">\n"
        s += "<rect x=\"\(labelWidth)\" y=\"4\" width=\"12\" height=\"10\" fill=\"#8c959f\"/><text x=\"\(labelWidth + 16)\" y=\"13\">before</text>"
        s += "<rect x=\"\(labelWidth + 80)\" y=\"4\" width=\"12\" height=\"10\" fill=\"#0969da\"/><text x=\"\(labelWidth + 96)\" y=\"13\">after</text>\n"
        for (i, key) in keys.enumerated() {
            let y = 24 + i * rowHeight
            let b = outcomesBefore[key] ?? 0, a = outcomesAfter[key] ?? 0
            let wb = b * barWidth / maxValue, wa = a * barWidth / maxValue
            s += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 22)\" text-anchor=\"end\">\(esc(key))</text>"
            s += "<rect x=\"\(labelWidth)\" y=\"\(y + 2)\" width=\"\(max(1, wb))\" height=\"16\" fill=\"#8c959f\"/><text x=\"\(labelWidth + wb + 4)\" y=\"\(y + 15)\">\(b)</text>"
            s += "<rect x=\"\(labelWidth)\" y=\"\(y + 20)\" width=\"\(max(1, wa))\" height=\"16\" fill=\"#0969da\"/><text x=\"\(labelWidth + wa + 4)\" y=\"\(y + 33)\">\(a)</text>\n"
        }
        return s + "</svg>\n"
    }

    private func matrixSVG(_ m: [String: [String: Int]]) -> String {
        let labels = Set(m.keys).union(m.values.flatMap(\.keys)).sorted()
        guard !labels.isEmpty else { return "<p>No items compared.</p>\n" }
        let cell = 64, left = 190, top = 120
        let maxOff = max(1, labels.flatMap { a in labels.filter { $0 != a }.map { m[a]?[$0] ?? 0 } }.max() ?? 1)
        let width = left + cell * labels.count + 10, height = top + cell * labels.count + 10
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\(q(width)) height=\(q(height)) role=\"img\" aria-label=\"Flip matrix\">\n"
        for (j, label) in labels.enumerated() {
            let x = left + j * cell + cell / 2
            s += "<text transform=\"translate(\(x),\(top - 8)) rotate(-40)\">\(esc(label))</text>\n"
        }
        for (i, a) in labels.enumerated() {
            let y = top + i * cell
            s += "<text x=\"\(left - 8)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"end\">\(esc(a))</text>\n"
            for (j, b) in labels.enumerated() {
                let x = left + j * cell
                let v = m[a]?[b] ?? 0
                let fill: String
                if a == b {
                    fill = v > 0 ? "#eaeef2" : "#ffffff"
                } else if v == 0 {
                    fill = "#ffffff"
                } else {
                    let t = Double(v) / Double(maxOff)
                    let light = Int(92 - 50 * t)
                    fill = "hsl(12,80%,\(light)%)"
                }
                s += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell - 2)\" height=\"\(cell - 2)\" fill=\"\(fill)\" stroke=\"#d0d7de\"><title>\(esc(a)) → \(esc(b)): \(v)</title></rect>"
                if v > 0 { s += "<text x=\"\(x + cell / 2 - 1)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"middle\">\(v)</text>" }
                s += "\n"
            }
        }
        return s + "</svg>\n"
    }

    private func rulesBars() -> String {
        let shown = Array(rules.prefix(30))
        guard !shown.isEmpty else { return "<p>No flips, so no rules behind them.</p>\n" }
        let maxValue = max(1, shown.map { max($0.gained, $0.lost) }.max() ?? 1)
        let labelWidth = 360, half = 240, rowHeight = 22
        let height = shown.count * rowHeight + 34
        let mid = labelWidth + half
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(labelWidth + 2 * half + 60)\" height=\(q(height)) role=\"img\" aria-label=\"Rules behind the flips\">\n"
        s += "<text x=\"\(mid - 8)\" y=\"14\" text-anchor=\"end\" class=\"lose\" fill=\"#cf222e\">fired before, not now</text>"
        s += "<text x=\"\(mid + 8)\" y=\"14\" fill=\"#1a7f37\">fires now, not before</text>\n"
        s += "<line x1=\"\(mid)\" y1=\"20\" x2=\"\(mid)\" y2=\"\(height)\" stroke=\"#8c959f\"/>\n"
        for (i, r) in shown.enumerated() {
            let y = 24 + i * rowHeight
            let wl = r.lost * half / maxValue, wg = r.gained * half / maxValue
            s += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 13)\" text-anchor=\"end\">\(esc(r.rule))</text>"
            if r.lost > 0 { s += "<rect x=\"\(mid - wl)\" y=\"\(y + 2)\" width=\"\(max(1, wl))\" height=\"15\" fill=\"#cf222e\"><title>\(esc(r.rule)): fired before, not now, in \(r.lost) flips</title></rect>" }
            if r.gained > 0 { s += "<rect x=\"\(mid)\" y=\"\(y + 2)\" width=\"\(max(1, wg))\" height=\"15\" fill=\"#1a7f37\"><title>\(esc(r.rule)): fires now, not before, in \(r.gained) flips</title></rect>" }
            let total = r.gained + r.lost
            s += "<text x=\"\(mid + wg + 6)\" y=\"\(y + 13)\">\(total)</text>\n"
        }
        return s + "</svg>\n"
    }
}

/// Escapes text for HTML and SVG.
func esc(_ s: String) -> String { HTML.escape(s) }

private func q(_ n: Int) -> String { "\"\(n)\"" }
