import Foundation
import TriageCore

/// How a report is written.
public enum ReportOutputFormat: String, Sendable, CaseIterable {
    /// One self-contained page (inline CSS and SVG).
    case html
    /// Comma-separated values (RFC 4180), with a header line.
    case csv
    /// One JSON object, keys sorted.
    case json
}

/// Colours of the charts (each chart's own, so a rendered page can be checked for it).
enum Palette {
    static let channels = ["email": "#1f77b4", "web_form": "#ff7f0e", "letter": "#2ca02c"]
    static let otherChannel = "#9467bd"
    static let outcomes = "#6f42c1"
    static let handlers = "#17becf"
    static let categories = "#8c564b"
    static let inWindow = "#1a7f37"
    static let outOfWindow = "#cf222e"
    static let waits = "#e377c2"
    static let overrides = "#b35900"
    static let history = "#7f7f7f"
    static let subjects = "#0969da"
}

func encodeJSON<T: Encodable>(_ value: T) throws -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    return String(decoding: try e.encode(value), as: UTF8.self) + "\n"
}

/// Comma-separated values: quotes a field that holds a comma, quote or line break.
enum CSV {
    static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func line(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") + "\r\n" }
}

// MARK: - Transparency

/// A report that can be written as a page, as CSV and as JSON.
public protocol RenderableReport: Encodable {
    /// The self-contained page.
    func html() -> String
    /// Comma-separated values, with a header line.
    func csv() -> String
}

extension RenderableReport {
    /// The report in a format.
    /// - Throws: an encoding error (JSON; never expected).
    public func render(_ format: ReportOutputFormat) throws -> String {
        switch format {
        case .html: return html()
        case .csv: return csv()
        case .json: return try encodeJSON(self)
        }
    }
}

extension TransparencyReport: RenderableReport {

    /// One line per complaint: number, subject, month, handler, recorded, outcome, categories, approved summary.
    public func csv() -> String {
        var out = CSV.line(["number", "subject", "month", "handler", "recorded", "outcome", "categories", "summary"])
        for e in entries {
            out += CSV.line([String(e.number), e.subjectLabel, e.month, e.handlerLabel, e.recorded, e.outcome,
                             e.categoryLabels.joined(separator: "; "), e.summary ?? ""])
        }
        return out
    }

    /// The page to publish.
    public func html() -> String {
        let title = "Complaints against the Commissioner, OPCC and Chief Constable, \(year)"
        var b = "<h1>\(HTML.escape(title))</h1>\n"
        b += "<p class=\"lead\">\(HTML.escape(office)). Complaints received from \(HTML.escape(Self.longDate(from))) to \(HTML.escape(Self.longDate(to))) "
        b += "about the Commissioner, the Deputy, OPCC staff and volunteers, the OPCC Chief Executive and the Chief Constable "
        b += "(Complaints Policy Statement §8.1). No one is named; a summary appears only where a caseworker approved one for publication.</p>\n"
        b += "<div class=\"cards\"><div class=\"card\"><b>\(entries.count)</b>complaints</div>"
        for r in byRecorded { b += "<div class=\"card\"><b>\(r.count)</b>\(HTML.escape(r.label.prefix(1).lowercased() + r.label.dropFirst()))</div>" }
        b += "</div>\n"
        b += "<section><h2>By whom the complaint is about</h2>\n"
        b += SVGChart.bars(name: "by-subject", title: "Complaints by subject, \(year)",
                           bars: bySubject.map { SVGChart.Bar(label: $0.label, value: Double($0.count)) }, color: Palette.subjects)
        b += "</section>\n<section><h2>Each complaint</h2>\n"
        if entries.isEmpty {
            b += "<p>No complaints about these subjects were received in \(HTML.escape(year)).</p>\n"
        } else {
            b += "<table><thead><tr><th>No.</th><th>About</th><th>Received</th><th>Handled by</th><th>Outcome or stage</th><th>IOPC categories</th></tr></thead><tbody>\n"
            for e in entries {
                b += "<tr><td class=\"n\">\(e.number)</td><td>\(HTML.escape(e.subjectLabel))</td><td>\(HTML.escape(e.monthLabel))</td>"
                b += "<td>\(HTML.escape(e.handlerLabel))</td><td>\(HTML.escape(e.outcome))"
                if let s = e.summary { b += "<br><span class=\"muted\">Summary: \(HTML.escape(s))</span>" }
                b += "</td><td>\(HTML.escape(e.categoryLabels.isEmpty ? "—" : e.categoryLabels.joined(separator: "; ")))</td></tr>\n"
            }
            b += "</tbody></table>\n"
        }
        b += "</section>\n"
        return HTML.page(title: title, body: b)
    }

    static func longDate(_ day: String) -> String {
        let parts = day.split(separator: "-")
        guard parts.count == 3, let d = Int(parts[2]) else { return day }
        return "\(d) " + ReportWording(profile: nil).month("\(parts[0])-\(parts[1])")
    }
}

// MARK: - Caseload

extension CaseloadReport: RenderableReport {

    /// Every figure as one `section,key,label,value` line, for other tools.
    public func csv() -> String {
        var out = CSV.line(["section", "key", "label", "value"])
        func add(_ section: String, _ key: String, _ label: String, _ value: String) { out += CSV.line([section, key, label, value]) }
        func add(_ section: String, _ counts: [LabelledCount]) { for c in counts { add(section, c.key, c.label, String(c.count)) } }
        add("period", "from", "first day", from)
        add("period", "to", "last day", to)
        add("total", "items", "items received", String(items))
        add("total", "complaints", "complaints", String(complaints))
        add("channel", byChannel)
        for w in weeks {
            for ch in w.channels.keys.sorted() { add("week_channel", "\(w.week)/\(ch)", "week of \(w.week), \(ch)", String(w.channels[ch] ?? 0)) }
            add("week_total", w.week, "week of \(w.week)", String(w.total))
        }
        add("kind", byKind)
        add("outcome", byOutcome)
        add("handler", byHandler)
        add("category", categories)
        add("review_window", "requests", "review requests", String(reviewWindow.requests))
        add("review_window", "in_time", "within \(reviewWindow.windowDays) days", String(reviewWindow.inTime))
        add("review_window", "out_of_time", "after \(reviewWindow.windowDays) days", String(reviewWindow.outOfTime))
        add("review_window", "date_unknown", "outcome letter date not found", String(reviewWindow.dateUnknown))
        add("review_days", reviewWindow.bands)
        add("time_to_decision", "decided", "decided by a caseworker", String(timeToDecision.decided))
        add("time_to_decision", "awaiting", "awaiting a caseworker", String(timeToDecision.awaiting))
        if let m = timeToDecision.medianDays { add("time_to_decision", "median_days", "median days", String(m)) }
        if let p = timeToDecision.p90Days { add("time_to_decision", "p90_days", "90th percentile days", String(p)) }
        add("time_to_decision_band", timeToDecision.bands)
        add("overrides", "reviewed", "caseworker actions", String(overrides.total.reviewed))
        add("overrides", "accepted", "accepted", String(overrides.total.accepted))
        add("overrides", "overridden", "overridden", String(overrides.total.overridden))
        for r in overrides.byRule {
            add("override_rule", r.key, "\(r.overridden) of \(r.reviewed) overridden", String(format: "%.3f", r.overrideRate))
        }
        add("history", "repetitious", "not recorded: repetitious", String(repetitious))
        add("history", "vexatious", "not recorded: vexatious or abusive", String(vexatious))
        add("history", "excessive_contact", "flagged: excessive contact", String(excessiveContact))
        return out
    }

    /// The page, with its charts.
    public func html() -> String {
        let wording = ReportWording(profile: nil)
        let title = "Caseload, \(from) to \(to)"
        var b = "<h1>\(HTML.escape(title))</h1>\n<p class=\"lead\">\(HTML.escape(office))\(force.map { " (\(HTML.escape($0)))" } ?? ""). "
        b += "Items counted by the day received; caseworker actions by the day taken. Figures are the effective decisions: a caseworker's where there is one.</p>\n"
        b += "<div class=\"cards\">"
        for (value, label) in [(String(items), "items received"), (String(complaints), "complaints"),
                               (String(reviewWindow.requests), "review requests"),
                               (Self.percent(overrides.total.overrideRate), "override rate (\(overrides.total.overridden) of \(overrides.total.reviewed))"),
                               (timeToDecision.medianDays.map { SVGChart.Bar.number($0) + " d" } ?? "—", "median days to a caseworker's decision"),
                               (String(repetitious + vexatious), "repetitious or vexatious")] {
            b += "<div class=\"card\"><b>\(HTML.escape(value))</b>\(HTML.escape(label))</div>"
        }
        b += "</div>\n"

        let present = Set(weeks.flatMap(\.channels.keys))
        let order = ["email", "web_form", "letter"] + present.subtracting(["email", "web_form", "letter"]).sorted()
        let series = order.filter(present.contains).map { SVGChart.Series(key: $0, label: wording.channel($0), color: Palette.channels[$0] ?? Palette.otherChannel) }
        b += section("Items received per week, by channel", SVGChart.stackedColumns(
            name: "weekly-channels", title: "Items received per week, by channel",
            columns: weeks.map { (label: $0.week, values: $0.channels) }, series: series))
        b += section("Outcomes", SVGChart.bars(name: "outcomes", title: "Items by outcome",
                                               bars: byOutcome.map { SVGChart.Bar(label: $0.label, value: Double($0.count)) }, color: Palette.outcomes))
        b += section("Where items went (handler)", SVGChart.bars(name: "handlers", title: "Items by handler",
                                                                bars: byHandler.map { SVGChart.Bar(label: $0.label, value: Double($0.count)) }, color: Palette.handlers))
        b += section("IOPC complaint categories (\(complaints) complaints; one may touch several)", SVGChart.bars(
            name: "categories", title: "Complaints by IOPC category",
            bars: categories.map { SVGChart.Bar(label: $0.label, value: Double($0.count)) }, color: Palette.categories))

        let w = reviewWindow
        let bandBars = w.bands.enumerated().map { i, c in
            SVGChart.Bar(label: c.label, value: Double(c.count), color: (i + 1) * 7 <= w.windowDays ? Palette.inWindow : Palette.outOfWindow)
        }
        b += section("Review requests against the \(w.windowDays)-day window", """
            <p>\(w.requests) review requests: \(w.inTime) within \(w.windowDays) days of the outcome letter, \(w.outOfTime) after it, \
            \(w.dateUnknown) with no outcome letter date found. Days from the outcome letter to the request:</p>

            """ + (w.days.isEmpty ? SVGChart.empty(name: "review-window", title: "") : SVGChart.bandColumns(
                name: "review-window", title: "Review requests by days after the outcome letter", bands: bandBars,
                markerAfter: w.windowDays / 7 - 1, markerLabel: "\(w.windowDays) days")))

        let t = timeToDecision
        b += section("Time from receipt to a caseworker's decision", """
            <p>\(t.decided) items decided by a caseworker, \(t.awaiting) not yet; median \(t.medianDays.map { SVGChart.Bar.number($0) } ?? "—") days, \
            90th percentile \(t.p90Days.map { SVGChart.Bar.number($0) } ?? "—") days.</p>

            """ + (t.decided == 0 ? SVGChart.empty(name: "time-to-decision", title: "") : SVGChart.bars(
                name: "time-to-decision", title: "Items by days from receipt to a caseworker's decision",
                bars: t.bands.map { SVGChart.Bar(label: $0.label, value: Double($0.count)) }, color: Palette.waits)))

        let rules = overrides.byRule.prefix(20)
        var o = "<p>What rule authors should read first: the rules behind the decisions caseworkers changed, most overrides first. "
        o += "\(overrides.total.reviewed) actions: \(overrides.total.accepted) accepted, \(overrides.total.overridden) overridden.</p>\n"
        o += SVGChart.bars(name: "override-rate", title: "Override rate by rule", bars: rules.map { r in
            SVGChart.Bar(label: r.key, value: r.overrideRate * 100, note: "\(Self.percent(r.overrideRate)) (\(r.overridden) of \(r.reviewed))")
        }, color: Palette.overrides, maxValue: 100)
        if !rules.isEmpty {
            o += "<table><thead><tr><th>rule</th><th>reviewed</th><th>overridden</th><th>changed to</th></tr></thead><tbody>\n"
            for r in rules {
                let changes = r.changedTo.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }
                o += "<tr><td><code>\(HTML.escape(r.key))</code></td><td class=\"n\">\(r.reviewed)</td><td class=\"n\">\(r.overridden)</td>"
                o += "<td>\(HTML.escape(changes.joined(separator: ", ")))</td></tr>\n"
            }
            o += "</tbody></table>\n"
        }
        b += section("Override rate by rule", o)
        b += section("Repetitious and vexatious", SVGChart.bars(name: "history", title: "Repetitious, vexatious and excessive contact", bars: [
            SVGChart.Bar(label: "Not recorded: repetitious", value: Double(repetitious)),
            SVGChart.Bar(label: "Not recorded: vexatious or abusive", value: Double(vexatious)),
            SVGChart.Bar(label: "Flagged: excessive contact", value: Double(excessiveContact)),
        ], color: Palette.history, maxValue: 1))
        return HTML.page(title: title, body: b)
    }

    private func section(_ heading: String, _ content: String) -> String {
        "<section><h2>\(HTML.escape(heading))</h2>\n\(content)</section>\n"
    }

    static func percent(_ x: Double) -> String { String(format: "%.0f%%", x * 100) }
}
