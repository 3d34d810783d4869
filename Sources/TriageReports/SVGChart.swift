import Foundation

/// Charts drawn as inline SVG by the program: no script, no font or file
/// from elsewhere, so a page works offline and prints as it shows. Every chart
/// has a `data-chart` name, a title and an `aria-label`, and each bar a
/// `<title>` with its exact figure.
public enum SVGChart {
    /// One bar: its words, its value and the text printed after it.
    public struct Bar: Sendable, Equatable {
        public var label: String
        public var value: Double
        public var note: String
        public var color: String?

        /// Creates a bar; `note` defaults to the value.
        public init(label: String, value: Double, note: String? = nil, color: String? = nil) {
            self.label = label
            self.value = value
            self.note = note ?? Self.number(value)
            self.color = color
        }

        static func number(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v) }
    }

    /// One series of a stacked chart.
    public struct Series: Sendable, Equatable {
        public var key: String
        public var label: String
        public var color: String

        /// Creates a series.
        public init(key: String, label: String, color: String) {
            self.key = key
            self.label = label
            self.color = color
        }
    }

    /// Horizontal bars, longest first as given.
    /// - Parameters:
    ///   - name: the chart's `data-chart` name.
    ///   - title: what it shows, for screen readers and tooltips.
    ///   - bars: the bars, in order.
    ///   - color: the bars' colour (a bar's own colour wins).
    ///   - maxValue: the value of a full-width bar (default: the largest).
    public static func bars(name: String, title: String, bars: [Bar], color: String, maxValue: Double? = nil) -> String {
        guard !bars.isEmpty else { return empty(name: name, title: title) }
        let labelWidth = min(340, max(120, (bars.map { min(47, $0.label.count) }.max() ?? 10) * 7 + 12))
        let barWidth = 460, row = 24, width = labelWidth + barWidth + 90
        let height = bars.count * row + 8
        let top = max(maxValue ?? 0, bars.map(\.value).max() ?? 1, 0.000_001)
        var s = header(name: name, title: title, width: width, height: height)
        for (i, b) in bars.enumerated() {
            let y = 4 + i * row
            let w = b.value <= 0 ? 0 : max(2, Int((b.value / top * Double(barWidth)).rounded()))
            let shown = b.label.count > 48 ? String(b.label.prefix(46)) + "…" : b.label
            s += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 16)\" text-anchor=\"end\">\(HTML.escape(shown))</text>"
            s += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(w)\" height=\"18\" fill=\"\(b.color ?? color)\">"
            s += "<title>\(HTML.escape(b.label)): \(HTML.escape(b.note))</title></rect>"
            s += "<text x=\"\(labelWidth + w + 6)\" y=\"\(y + 16)\">\(HTML.escape(b.note))</text>\n"
        }
        return s + "</svg>\n"
    }

    /// Columns stacked by series (e.g. items per week by channel), with a legend.
    /// - Parameters:
    ///   - columns: each column's label and its value per series key.
    ///   - series: the series, bottom first.
    public static func stackedColumns(name: String, title: String, columns: [(label: String, values: [String: Int])], series: [Series]) -> String {
        guard !columns.isEmpty else { return empty(name: name, title: title) }
        let left = 40, plotHeight = 200, top = 30, bottom = 56
        let slot = max(14, min(48, 760 / columns.count))
        let width = left + slot * columns.count + 20, height = top + plotHeight + bottom
        let maxTotal = max(1, columns.map { c in series.reduce(0) { $0 + (c.values[$1.key] ?? 0) } }.max() ?? 1)
        let step = niceStep(maxTotal)
        let scaleTop = ((maxTotal + step - 1) / step) * step
        var s = header(name: name, title: title, width: width, height: height)
        var lx = left
        for se in series {
            s += "<rect x=\"\(lx)\" y=\"6\" width=\"12\" height=\"12\" fill=\"\(se.color)\"/><text x=\"\(lx + 16)\" y=\"16\">\(HTML.escape(se.label))</text>"
            lx += 24 + se.label.count * 7
        }
        s += "\n"
        var tick = 0
        while tick <= scaleTop {
            let y = top + plotHeight - tick * plotHeight / scaleTop
            s += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(width - 10)\" y2=\"\(y)\" stroke=\"#d0d7de\" stroke-width=\"1\"/>"
            s += "<text x=\"\(left - 6)\" y=\"\(y + 4)\" text-anchor=\"end\">\(tick)</text>\n"
            tick += step
        }
        let every = max(1, Int((Double(columns.count) * 40 / 760).rounded(.up)))
        for (i, c) in columns.enumerated() {
            let x = left + i * slot + 2
            var y = top + plotHeight
            for se in series {
                let v = c.values[se.key] ?? 0
                guard v > 0 else { continue }
                let h = v * plotHeight / scaleTop
                y -= h
                s += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(slot - 4)\" height=\"\(h)\" fill=\"\(se.color)\">"
                s += "<title>\(HTML.escape(c.label)): \(v) by \(HTML.escape(se.label.lowercased()))</title></rect>"
            }
            if i % every == 0 {
                let lx = x + (slot - 4) / 2
                s += "<text transform=\"translate(\(lx),\(top + plotHeight + 12)) rotate(40)\" font-size=\"11\">\(HTML.escape(c.label))</text>"
            }
            s += "\n"
        }
        return s + "</svg>\n"
    }

    /// Columns for bands of days, with a dashed line and a label after the
    /// band `markerAfter` (e.g. the 28-day review window).
    public static func bandColumns(name: String, title: String, bands: [Bar], markerAfter: Int?, markerLabel: String) -> String {
        guard !bands.isEmpty else { return empty(name: name, title: title) }
        let left = 40, slot = 76, plotHeight = 160, top = 34, bottom = 40
        let width = left + slot * bands.count + 20, height = top + plotHeight + bottom
        let maxValue = max(1, Int(bands.map(\.value).max() ?? 1))
        var s = header(name: name, title: title, width: width, height: height)
        s += "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(width - 10)\" y2=\"\(top + plotHeight)\" stroke=\"#8c959f\"/>\n"
        for (i, b) in bands.enumerated() {
            let x = left + i * slot + 6
            let h = Int(b.value) * plotHeight / maxValue
            if h > 0 {
                s += "<rect x=\"\(x)\" y=\"\(top + plotHeight - h)\" width=\"\(slot - 12)\" height=\"\(h)\" fill=\"\(b.color ?? "#57606a")\">"
                s += "<title>\(HTML.escape(b.label)): \(HTML.escape(b.note))</title></rect>"
            }
            s += "<text x=\"\(x + (slot - 12) / 2)\" y=\"\(top + plotHeight - h - 4)\" text-anchor=\"middle\">\(HTML.escape(b.note))</text>"
            s += "<text x=\"\(x + (slot - 12) / 2)\" y=\"\(top + plotHeight + 16)\" text-anchor=\"middle\" font-size=\"11\">\(HTML.escape(b.label))</text>\n"
        }
        if let m = markerAfter, m < bands.count - 1 {
            let x = left + (m + 1) * slot
            s += "<line x1=\"\(x)\" y1=\"\(top - 6)\" x2=\"\(x)\" y2=\"\(top + plotHeight)\" stroke=\"#1b1f24\" stroke-dasharray=\"5 4\" stroke-width=\"2\"/>"
            s += "<text x=\"\(x + 4)\" y=\"12\">\(HTML.escape(markerLabel))</text>\n"
        }
        return s + "</svg>\n"
    }

    static func header(name: String, title: String, width: Int, height: Int) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-chart=\"\(HTML.escape(name))\" viewBox=\"0 0 \(width) \(height)\""
            + " width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"\(HTML.escape(title))\"><title>\(HTML.escape(title))</title>\n"
    }

    static func empty(name: String, title: String) -> String {
        "<p class=\"empty\" data-chart=\"\(HTML.escape(name))\">Nothing to show for this period.</p>\n"
    }

    /// 1, 2, 5, 10, 20, 50, … so that about five grid lines cover `maxValue`.
    static func niceStep(_ maxValue: Int) -> Int {
        var magnitude = 1
        while true {
            for m in [1, 2, 5] where maxValue <= m * magnitude * 5 { return m * magnitude }
            magnitude *= 10
        }
    }
}

/// HTML text escaping and the shared page frame.
public enum HTML {
    /// Escapes `&`, `<`, `>`, `"` and `'`.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A complete, self-contained page: inline CSS for screen and print, no
    /// script, nothing fetched.
    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en-GB"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        body{font:15px/1.45 "DejaVu Sans","Liberation Sans",Arial,sans-serif;margin:1.5em auto;max-width:1000px;color:#1b1f24;background:#fff;padding:0 1em}
        h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
        p.lead{color:#57606a;margin-top:0}table{border-collapse:collapse;margin:.5em 0;width:100%}
        td,th{border:1px solid #d0d7de;padding:.3em .5em;text-align:left;vertical-align:top}th{background:#f6f8fa}
        td.n{text-align:right;font-variant-numeric:tabular-nums}.cards{display:flex;flex-wrap:wrap;gap:.7em;margin:.8em 0}
        .card{border:1px solid #d0d7de;border-radius:6px;padding:.5em .9em;min-width:7.5em}.card b{display:block;font-size:1.6em}
        svg.chart{max-width:100%;height:auto;display:block;margin:.4em 0}svg text{font:12px "DejaVu Sans","Liberation Sans",Arial,sans-serif;fill:#1b1f24}
        .muted,.empty{color:#57606a}section{break-inside:avoid;page-break-inside:avoid}
        @media print{body{margin:0;max-width:none;font-size:11pt}h2{break-after:avoid}tr{break-inside:avoid}a{color:inherit;text-decoration:none}}
        @page{size:A4;margin:14mm}
        </style></head><body>
        \(body)</body></html>

        """
    }
}
