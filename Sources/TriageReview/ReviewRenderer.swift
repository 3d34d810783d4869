import Foundation
import TriageCore

/// One drawn screen: exactly `rows` lines, none wider than the terminal.
public struct Frame: Equatable, Sendable {
    /// The lines to write (with ANSI colour codes when colour is on).
    public var lines: [String]
    /// The same lines without any escape codes.
    public var plainLines: [String]
    /// The largest useful scroll position of the document shown.
    public var maxScroll: Int
}

/// Draws a ``ReviewScreen``: colour on a terminal that wants it, `[[`…`]]`
/// markers around the evidence otherwise; text wrapped to the width; quoted
/// parts, signature and disclaimer folded away unless the full text is open.
public struct ReviewRenderer: Sendable {
    /// Colour (ANSI SGR) or markers.
    public var colour: Bool

    /// Creates a renderer.
    public init(colour: Bool) {
        self.colour = colour
    }

    // MARK: - Frame

    /// Draws the screen at its size.
    public func frame(_ screen: ReviewScreen) -> Frame {
        let width = max(1, screen.size.columns - 1)   // leave the last column: no auto-wrap surprises
        let rows = screen.size.rows
        var footer = wrap(cells(footerText(screen.mode, hasItem: screen.current != nil), .dim), width: width)
        let footerBudget = rows >= 10 ? 3 : (rows >= 6 ? 1 : 0)
        if footer.count > footerBudget {
            footer = footerBudget == 0 ? [] : Array(wrap(cells("? help  q quit", .dim), width: width).prefix(footerBudget))
        }
        var messageLines: [[Cell]] = rows >= 3 ? [messageLine(screen, width: width)] : []
        if rows >= 10, let m = screen.message, screen.mode == .item || screen.mode == .fullText {   // room for two lines
            messageLines = Array(wrap(cells(m.text, m.isError ? .error : .strong), width: width).prefix(2))
            if let last = messageLines.indices.last { messageLines[last] = truncate(messageLines[last], width: width) }
        }
        let barLines: [[Cell]] = rows >= 2 ? [bar(screen, width: width)] : []
        let bodyHeight = max(0, rows - barLines.count - messageLines.count - footer.count)

        let (document, focus) = self.document(screen, width: width)
        let maxScroll = max(0, document.count - bodyHeight)
        var scroll = min(screen.scroll, maxScroll)
        if let focus {   // keep a picked line in view
            if focus < scroll { scroll = focus }
            if focus >= scroll + bodyHeight { scroll = max(0, focus - bodyHeight + 1) }
        }
        var body = Array(document.dropFirst(scroll).prefix(bodyHeight))
        if document.count > scroll + bodyHeight, bodyHeight > 0 {
            body[bodyHeight - 1] = truncate(cells("  ↓ more (↓ j space to scroll)", .dim), width: width)
        }
        while body.count < bodyHeight { body.append([]) }

        var all = barLines + body + messageLines + footer
        if all.count > rows { all = Array(all.prefix(rows)) }
        while all.count < rows { all.append([]) }
        return Frame(lines: all.map { encode($0, colour: colour) }, plainLines: all.map { encode($0, colour: false) }, maxScroll: maxScroll)
    }

    func bar(_ screen: ReviewScreen, width: Int) -> [Cell] {
        var text = " triage review"
        if screen.items.isEmpty {
            text += " · nothing to review"
        } else {
            text += " · item \(screen.index + 1) of \(screen.items.count)"
        }
        text += " · \(screen.acceptedCount + screen.overriddenCount) done · as \(screen.actor) "
        var line = truncate(cells(text, .bar), width: width)
        let used = line.reduce(0) { $0 + $1.width }
        if used < width { line += Array(repeating: Cell(text: " ", width: 1, style: .bar), count: width - used) }
        return line
    }

    func messageLine(_ screen: ReviewScreen, width: Int) -> [Cell] {
        switch screen.mode {
        case .search(let t): return tail(cells("Search: " + t + "_", .strong), width: width)
        case .acceptNote(let t): return tail(cells("Accept — note (optional), Enter saves: " + t + "_", .strong), width: width)
        default:
            guard let m = screen.message else { return [] }
            return truncate(cells(m.text, m.isError ? .error : .strong), width: width)
        }
    }

    func footerText(_ mode: ScreenMode, hasItem: Bool) -> String {
        guard hasItem else { return "? help  q quit" }
        switch mode {
        case .item: return "a accept  o override  n next  p previous  s skip  f full text  / search  ↑↓ scroll  r reload  ? help  q quit"
        case .fullText: return "f back  ↑↓ space scroll  n next  p previous  ? help  q quit"
        case .help: return "any key: back"
        case .search: return "Enter find  Esc cancel"
        case .acceptNote: return "Enter accept  Esc cancel"
        case .pickOutcome, .pickHandler, .pickReason, .pickSubject: return "↑↓ choose  1-9 jump  Enter select  Esc back"
        case .reason: return "Enter save the override  Esc back"
        }
    }

    // MARK: - Documents

    /// The scrollable part, wrapped, and the line to keep in view (pick lists).
    func document(_ screen: ReviewScreen, width: Int) -> ([[Cell]], Int?) {
        guard let item = screen.current else {
            return (wrap(cells("Nothing to review: no item matches. Press q to quit.", .plain), width: width), nil)
        }
        switch screen.mode {
        case .help: return (helpDocument(width: width), nil)
        case .fullText: return (fullTextDocument(item, width: width), nil)
        case .pickOutcome(let selected):
            guard let lists = screen.currentChoices else { return ([], nil) }
            var doc = headerLine("Override \(item.shortID): now \(outcomeWords(item.decision)). Choose the outcome (\(lists.force)):", width: width)
            let start = doc.count
            doc += optionLines(lists.outcomes, selected: selected, current: item.decision.outcome, width: width)
            return (doc, start + selected)
        case .pickHandler(let outcome, let selected):
            guard let lists = screen.currentChoices else { return ([], nil) }
            var doc = headerLine("Override \(item.shortID): outcome \(outcome). Choose who handles it (\(lists.force)):", width: width)
            let start = doc.count
            doc += optionLines(lists.handlers, selected: selected, current: item.decision.handler, width: width)
            return (doc, start + selected)
        case .pickReason(let outcome, let handler, let selected):
            guard let lists = screen.currentChoices else { return ([], nil) }
            var doc = headerLine("Override \(item.shortID): \(outcome.rawValue.uppercased()) → \(handler). Why is it not recorded?", width: width)
            let start = doc.count
            doc += optionLines(lists.reasons, selected: selected, current: item.decision.reasons.first, width: width)
            return (doc, start + selected)
        case .pickSubject(let outcome, let handler, _, let selected):
            guard let lists = screen.currentChoices else { return ([], nil) }
            var doc = headerLine("Override \(item.shortID): \(outcome.rawValue.uppercased()) → \(handler). Whom is it about? (Enter keeps \(item.decision.subject))", width: width)
            let start = doc.count
            doc += optionLines(lists.subjects, selected: selected, current: item.decision.subject, width: width)
            return (doc, start + selected)
        case .reason(let outcome, let handler, let because, let subject, let text):
            var doc = headerLine("Override \(item.shortID): \(outcomeWords(item.decision)) becomes \(outcome.rawValue.uppercased()) → \(handler)"
                                 + (because.isEmpty ? "" : " because \(because.map(\.rawValue).joined(separator: ", "))")
                                 + (subject.map { ", about \($0)." } ?? "."), width: width)
            doc += wrap(cells("Reason (required; Enter saves, Esc goes back):", .plain), width: width)
            doc += wrap(cells("> " + text + "_", .strong), width: width)
            return (doc, nil)
        case .item, .search, .acceptNote:
            return (itemDocument(item, width: width), nil)
        }
    }

    func headerLine(_ s: String, width: Int) -> [[Cell]] {
        wrap(cells(s, .label), width: width)
    }

    func optionLines<Code>(_ options: [OverrideChoices.Option<Code>], selected: Int, current: Code?, width: Int) -> [[Cell]] {
        var out: [[Cell]] = []
        let codeWidth = min(24, options.map(\.code.description.count).max() ?? 0)
        for (i, o) in options.enumerated() {
            let mark = i == selected ? "> " : "  "
            let num = i < 9 ? "\(i + 1) " : "  "
            let now = o.code == current ? " (now)" : ""
            let code = o.code.description
            let text = mark + num + code.padding(toLength: max(codeWidth, code.count), withPad: " ", startingAt: 0) + "  " + o.label + now
            out += wrap(cells(text, i == selected ? .selected : .plain), width: width, indent: min(4, width / 3))
        }
        return out
    }

    func outcomeWords(_ d: Decision) -> String {
        "\(d.outcome.rawValue.uppercased()) → \(d.handler)"
    }

    func itemDocument(_ item: ReviewItem, width: Int) -> [[Cell]] {
        let c = item.correspondence
        let d = item.decision
        let indent = width >= 40 ? 10 : 0
        var doc: [[Cell]] = []
        func field(_ label: String, _ value: [Cell]) {
            if indent > 0 {
                let l = cells(label.padding(toLength: indent, withPad: " ", startingAt: 0), .label)
                doc += wrap(l + value, width: width, indent: indent)
            } else {
                doc += wrap(cells(label.isEmpty ? "  " : label + ": ", .label) + value, width: width, indent: 2)
            }
        }
        field("From", cells(senderText(c.sender), .plain))
        field("Received", cells("\(Self.dateTime(item.receivedAt)) · \(c.channel.rawValue.replacingOccurrences(of: "_", with: " "))"
                                + (c.date.map { " (date from \($0.source.rawValue.replacingOccurrences(of: "_", with: " ")))" } ?? " (no date: time ingested)"), .plain))
        let subjectEvidence = d.justification.filter { $0.segment == "subject" }.map { ($0.start, $0.end) }
        field("Subject", highlighted(c.subject ?? "(none)", ranges: c.subject == nil ? [] : subjectEvidence))
        let status: String
        switch item.status {
        case .unreviewed: status = "not yet reviewed"
        case .accepted:
            status = "accepted by \(item.caseworker ?? "?") \(Self.dateTime(item.madeAt))" + (item.note.map { " — “\($0)”" } ?? "")
        case .overridden:
            status = "overridden by \(item.caseworker ?? "?") \(Self.dateTime(item.madeAt)): \(item.reason ?? "")"
        }
        field("Item", cells("\(item.shortID) · \(d.force) · \(status)", .plain))
        if let dis = item.disagreement {
            field("Rules now", cells("⚠ the rules now say \(dis.outcome) → \(dis.handler) (\(dis.kind), \(dis.subject)); the caseworker's decision stands until reviewed", .error))
        }
        var decisionCells = cells(d.outcome.rawValue.uppercased().replacingOccurrences(of: "_", with: " "), .outcome)
        decisionCells += cells(" → \(d.handler)", .strong)
        if !d.reasons.isEmpty { decisionCells += cells(" because \(d.reasons.map(\.rawValue).joined(separator: ", "))", .strong) }
        field("Decision", decisionCells)
        var facts = "kind \(d.kind) · subject \(d.subject)"
        if !d.flags.isEmpty { facts += " · flags \(d.flags.map(\.rawValue).joined(separator: ", "))" }
        if !d.categories.isEmpty { facts += " · categories \(d.categories.joined(separator: ", "))" }
        facts += " · row \(d.decidedBy.row) (\(d.decidedBy.cites))"
        field("", cells(facts, .plain))
        for note in d.caseworkerNotes { field("Settle", cells(note, .error)) }
        field("Why", cells(d.explanation, .plain))
        doc.append([])
        doc += wrap(cells("── New text " + String(repeating: "─", count: max(0, min(width, 60) - 12)), .label), width: width)
        let body = c.body
        let evidence = bodyEvidence(d)
        let segments = body.segments.isEmpty && !body.text.isEmpty
            ? [Segment(kind: .newText, start: 0, end: body.text.unicodeScalars.count)] : body.segments
        var wroteNew = false
        for s in segments where s.kind == .newText {
            let text = trimBlankLines(body.text(of: s))
            if text.isEmpty { continue }
            if wroteNew { doc.append([]) }
            doc += wrap(highlighted(body.text(of: s), ranges: evidence, base: s.start, trim: true), width: width)
            wroteNew = true
        }
        if !wroteNew { doc += wrap(cells("(no new text)", .dim), width: width) }
        doc += forwardedDocument(c, evidence: evidence, segments: segments, width: width)
        doc += attachedLettersDocument(c, evidence: evidence, segments: segments, width: width)
        var folded: [String] = []
        for kind in [SegmentKind.quoted, .signature, .disclaimer] {
            let parts = segments.filter { $0.kind == kind }
            guard !parts.isEmpty else { continue }
            let lines = parts.reduce(0) { $0 + trimBlankLines(body.text(of: $1)).split(separator: "\n", omittingEmptySubsequences: false).count }
            let hasEvidence = parts.contains { p in evidence.contains { $0.0 < p.end && $0.1 > p.start } }
            let name = kind == .quoted ? "quoted text" : kind.rawValue
            folded.append("\(name) (\(lines) line\(lines == 1 ? "" : "s")\(hasEvidence ? ", holds evidence" : ""))")
        }
        if !folded.isEmpty {
            doc.append([])
            doc += wrap(cells("▸ folded: " + folded.joined(separator: ", ") + " — f shows the full text", .dim), width: width, indent: 2)
        }
        let files = c.attachments.filter { $0.role == .file }
        if !files.isEmpty {
            let names = files.map { "\($0.filename ?? "(unnamed)") (\($0.contentType), \($0.size) bytes)" }
            field("Attached", cells(names.joined(separator: "; "), .plain))
        }
        let alternatives = c.attachments.filter { $0.role == .alternative }
        if !alternatives.isEmpty {
            let names = alternatives.map { "\($0.contentType) (\($0.size) bytes)" }
            field("Also sent as", cells(names.joined(separator: "; "), .dim))
        }
        if !d.justification.isEmpty {
            doc.append([])
            doc += wrap(cells("Evidence (rule [policy] where: words)", .label), width: width)
            // The same rule on the same words once, with a count.
            var seen: [String: Int] = [:]
            var order: [Evidence] = []
            for e in d.justification {
                let key = e.rule + "\u{0}" + e.segment + "\u{0}" + e.quote
                if seen[key] == nil { order.append(e) }
                seen[key, default: 0] += 1
            }
            for (i, e) in order.enumerated() {
                let times = seen[e.rule + "\u{0}" + e.segment + "\u{0}" + e.quote] ?? 1
                let line = cells("  \(i + 1). \(e.rule) [\(e.cites)] \(e.segment): ", .plain) + evidenceQuote(e.quote)
                    + cells(times > 1 ? " ×\(times)" : "", .plain)
                doc += wrap(line, width: width, indent: min(6, width / 3))
            }
        }
        return doc
    }

    /// Each forwarded message (attached or inline): who wrote it, when, its
    /// subject, and its own text with the evidence in it; a forward inside a
    /// forward is indented one step further. Quoted replies inside stay folded.
    func forwardedDocument(_ c: Correspondence, evidence: [(Int, Int)], segments: [Segment], width: Int) -> [[Cell]] {
        var doc: [[Cell]] = []
        for (k, f) in c.forwards.enumerated() {
            let pad = String(repeating: "  ", count: max(0, f.depth - 1))
            let title = "── \(pad)Forwarded message (\(f.form == .attached ? "attached" : "in the text")) "
            doc.append([])
            doc += wrap(cells(title + String(repeating: "─", count: max(0, min(width, 60) - title.count)), .label), width: width)
            let author = senderText(f.author)
            let wrote = k == 0 && c.author != nil ? " — wrote what this item says; sent by \(senderText(c.sender))" : ""
            doc += wrap(cells(pad + "From    ", .label) + cells(author + wrote, .plain), width: width, indent: pad.count + 8)
            if let date = f.date { doc += wrap(cells(pad + "Date    ", .label) + cells(date, .plain), width: width, indent: pad.count + 8) }
            if let subject = f.subject { doc += wrap(cells(pad + "Subject ", .label) + cells(subject, .plain), width: width, indent: pad.count + 8) }
            // Its own text: forwarded segments in its range, not inside a deeper forward.
            let inner = c.forwards.filter { $0.depth > f.depth && $0.start >= f.start && $0.end <= f.end && $0.start > f.start }
            var shown = false
            for s in segments where s.kind == .forwarded && s.start >= f.start && s.end <= f.end {
                if inner.contains(where: { s.start >= $0.start && s.end <= $0.end }) { continue }
                let text = trimBlankLines(c.body.text(of: s))
                if text.isEmpty { continue }
                if shown { doc.append([]) }
                doc += wrap(cells(pad, .plain) + highlighted(c.body.text(of: s), ranges: evidence, base: s.start, trim: true), width: width, indent: pad.count)
                shown = true
            }
            if !shown && inner.isEmpty { doc += wrap(cells(pad + "(no text)", .dim), width: width) }
        }
        return doc
    }

    /// Each attached letter: its name, and its text with the evidence in it, or
    /// why there is none ("scanned attachment: no text").
    func attachedLettersDocument(_ c: Correspondence, evidence: [(Int, Int)], segments: [Segment], width: Int) -> [[Cell]] {
        var doc: [[Cell]] = []
        for a in c.attachments where a.text != nil {
            guard let t = a.text else { continue }
            let title = "── Attached letter: \(a.filename ?? "(unnamed)") (\(t.format.uppercased())) "
            doc.append([])
            doc += wrap(cells(title + String(repeating: "─", count: max(0, min(width, 60) - title.count)), .label), width: width)
            if let problem = t.problem { doc += wrap(cells("⚠ " + problem, .error), width: width, indent: 2) }
            guard t.status == .read, let start = t.start, let end = t.end else { continue }
            for s in segments where s.kind == .attachmentText && s.start >= start && s.end <= end {
                doc += wrap(highlighted(c.body.text(of: s), ranges: evidence, base: s.start, trim: true), width: width)
            }
        }
        return doc
    }

        func fullTextDocument(_ item: ReviewItem, width: Int) -> [[Cell]] {
        let body = item.correspondence.body
        let evidence = bodyEvidence(item.decision)
        var doc: [[Cell]] = wrap(cells("Full text of \(item.shortID) (f or Esc goes back)", .label), width: width)
        let segments = body.segments.isEmpty && !body.text.isEmpty
            ? [Segment(kind: .newText, start: 0, end: body.text.unicodeScalars.count)] : body.segments
        for s in segments {
            let name = s.kind == .newText ? "new text" : s.kind.rawValue.replacingOccurrences(of: "_", with: " ")
            doc.append([])
            doc += wrap(cells("── \(name) " + String(repeating: "─", count: max(0, min(width, 60) - name.count - 4)), s.kind == .newText ? .label : .dim), width: width)
            doc += wrap(highlighted(body.text(of: s), ranges: evidence, base: s.start, trim: true), width: width)
        }
        for f in item.correspondence.formFields {
            doc += wrap(cells("\(f.name)\(f.role.map { " (\($0))" } ?? ""): ", .label) + cells(f.value, .plain), width: width, indent: 2)
        }
        if segments.isEmpty && item.correspondence.formFields.isEmpty { doc += wrap(cells("(no text)", .dim), width: width) }
        return doc
    }

    func helpDocument(width: Int) -> [[Cell]] {
        let lines: [(String, String)] = [
            ("a", "accept the decision (you may add a note; Enter saves)"),
            ("o", "override: pick the outcome, then the handler, from the force's lists (for not_recorded, also why), then whom it is about (Enter keeps it), then give a reason"),
            ("r", "reload the queue: items that arrived since (from the poller) are added at the end"),
            ("n →", "next item"),
            ("p ←", "previous item"),
            ("s", "skip: put the item at the end of the queue"),
            ("f", "open the full text (quoted parts and signature unfolded); f again closes it"),
            ("/", "search sender, subject, text and decision; / then Enter repeats"),
            ("↑↓ j k", "scroll a line; space/b a page"),
            ("?", "this help"),
            ("q", "quit (Ctrl-C too)"),
        ]
        var doc = wrap(cells("Keys", .label), width: width)
        for (k, v) in lines {
            doc += wrap(cells(k.padding(toLength: 8, withPad: " ", startingAt: 0), .strong) + cells(v, .plain), width: width, indent: width >= 30 ? 8 : 0)
        }
        doc.append([])
        doc += wrap(cells("Every accept and override is saved to the store, with your name and the time in the audit log, the moment you make it; quitting or Ctrl-C never loses one. Evidence is highlighted\(colour ? "" : " between [[ and ]]").", .plain), width: width)
        return doc
    }

    // MARK: - Pieces

    func senderText(_ p: Party?) -> String {
        guard let p, !p.isEmpty else { return "(anonymous: no name or address)" }
        var parts: [String] = []
        if let n = p.name, !n.isEmpty { parts.append(n) }
        if let a = p.address, !a.isEmpty { parts.append(parts.isEmpty ? a : "<\(a)>") }
        if let ph = p.phone, !ph.isEmpty { parts.append("tel. \(ph)") }
        if parts.isEmpty, let post = p.postalAddress { parts.append(post.replacingOccurrences(of: "\n", with: ", ")) }
        return parts.joined(separator: " ")
    }

    func bodyEvidence(_ d: Decision) -> [(Int, Int)] {
        d.justification.filter { Self.bodySegmentNames.contains($0.segment) && $0.end > $0.start }
            .map { ($0.start, $0.end) }
    }

    /// Evidence segments that point into the body text.
    static let bodySegmentNames: Set<String> = Set(SegmentKind.allCases.map(\.rawValue))

    func evidenceQuote(_ quote: String) -> [Cell] {
        cells("“", .plain) + highlighted(quote, ranges: [(0, quote.unicodeScalars.count)]) + cells("”", .plain)
    }

    func trimBlankLines(_ s: String) -> String {
        s.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func dateTime(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_GB")
        f.timeZone = TimeZone(identifier: "Europe/London") ?? TimeZone(secondsFromGMT: 0)
        f.dateFormat = "d MMM yyyy HH:mm"
        return f.string(from: d)
    }

    // MARK: - Cells

    enum Style: Equatable, Sendable { case plain, label, strong, outcome, dim, bar, selected, error, evidence, marker }

    struct Cell: Equatable, Sendable {
        var text: String
        var width: Int
        var style: Style
    }

    /// Cells for text: control characters made harmless, tabs expanded,
    /// combining marks joined to their base, wide characters counted as 2.
    func cells(_ s: String, _ style: Style) -> [Cell] {
        var out: [Cell] = []
        for u in s.unicodeScalars { appendScalar(u, style, to: &out) }
        return out
    }

    func appendScalar(_ u: Unicode.Scalar, _ style: Style, to out: inout [Cell]) {
        let v = u.value
        if u == "\n" || v == 0x2028 || v == 0x2029 { out.append(Cell(text: "\n", width: 0, style: style)); return }
        if u == "\t" {
            for _ in 0..<4 { out.append(Cell(text: " ", width: 1, style: style)) }
            return
        }
        if u == "\r" { return }
        if v < 0x20 || (0x7F...0x9F).contains(v) { out.append(Cell(text: "�", width: 1, style: style)); return }
        switch u.properties.generalCategory {
        case .format:
            return   // invisible controls (bidi overrides, zero-width): drop
        case .nonspacingMark, .enclosingMark:
            if let last = out.indices.last, out[last].text != "\n" { out[last].text.unicodeScalars.append(u) }
            return
        default:
            out.append(Cell(text: String(Character(u)), width: Self.isWide(v) ? 2 : 1, style: style))
        }
    }

    static func isWide(_ v: UInt32) -> Bool {
        (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
    }

    /// Cells for text whose scalars in `ranges` (offsets from `base`) are evidence:
    /// highlighted in colour, or between `[[` and `]]` markers.
    func highlighted(_ s: String, ranges: [(Int, Int)], base: Int = 0, trim: Bool = false) -> [Cell] {
        var out: [Cell] = []
        var inEvidence = false
        var offset = base
        var scalars: [Unicode.Scalar] = Array(s.unicodeScalars)
        var lead = 0
        if trim {   // drop leading and trailing blank lines, keep offsets right
            var k = 0
            while k < scalars.count, [" ", "\t", "\n", "\r"].contains(scalars[k]) {
                if scalars[k] == "\n" { lead = k + 1 }
                k += 1
            }
            while let last = scalars.last, [" ", "\t", "\n", "\r"].contains(last), scalars.count > lead { scalars.removeLast() }
            offset += lead
        }
        for u in scalars.dropFirst(lead) {
            let isEv = ranges.contains { offset >= $0.0 && offset < $0.1 }
            if isEv != inEvidence {
                if !colour { out += cells(isEv ? "[[" : "]]", .marker) }
                inEvidence = isEv
            }
            appendScalar(u, isEv ? .evidence : .plain, to: &out)
            offset += 1
        }
        if inEvidence && !colour { out += cells("]]", .marker) }
        return out
    }

    /// Greedy word wrap to `width` cells; continuation lines start with `indent` spaces.
    func wrap(_ text: [Cell], width: Int, indent: Int = 0) -> [[Cell]] {
        let width = max(1, width)
        let indent = width - indent >= 10 ? indent : 0
        var lines: [[Cell]] = []
        var line: [Cell] = []
        var lineWidth = 0
        var lastSpace: Int? = nil
        let pad = Array(repeating: Cell(text: " ", width: 1, style: .plain), count: indent)
        func newLine(_ carry: [Cell]) {
            lines.append(line)
            line = pad + carry
            lineWidth = line.reduce(0) { $0 + $1.width }
            lastSpace = nil
        }
        for c in text {
            if c.text == "\n" {
                lines.append(line)
                line = []
                lineWidth = 0
                lastSpace = nil
                continue
            }
            if lineWidth + c.width > width {
                if c.text == " " { newLine([]); continue }
                if let s = lastSpace, s >= indent, s > 0 {
                    let carry = Array(line[(s + 1)...])
                    let carryWidth = carry.reduce(0) { $0 + $1.width }
                    if indent + carryWidth + c.width <= width {
                        line = Array(line[..<s])
                        newLine(carry)
                    } else {
                        newLine([])
                    }
                } else if lineWidth > 0 {
                    newLine([])
                }
                if lineWidth + c.width > width && lineWidth > 0 {   // an indent too big for a wide character
                    lines.append(line)
                    line = []
                    lineWidth = 0
                }
            }
            if c.text == " " { lastSpace = line.count }
            line.append(c)
            lineWidth += c.width
        }
        lines.append(line)
        return lines
    }

    func truncate(_ text: [Cell], width: Int) -> [Cell] {
        var out: [Cell] = []
        var w = 0
        for c in text where c.text != "\n" {
            if w + c.width > width {
                if let last = out.indices.last, width >= 2 { out[last] = Cell(text: "…", width: 1, style: out[last].style) }
                break
            }
            out.append(c)
            w += c.width
        }
        return out
    }

    /// The end of a line that is too long (a prompt being typed).
    func tail(_ text: [Cell], width: Int) -> [Cell] {
        var out: [Cell] = []
        var w = 0
        for c in text.reversed() where c.text != "\n" {
            if w + c.width > width { break }
            out.insert(c, at: 0)
            w += c.width
        }
        return out
    }

    func sgr(_ style: Style) -> String {
        switch style {
        case .plain: return "\u{1B}[0m"
        case .label: return "\u{1B}[0;1;36m"
        case .strong: return "\u{1B}[0;1m"
        case .outcome: return "\u{1B}[0;1;35m"
        case .dim: return "\u{1B}[0;2m"
        case .bar: return "\u{1B}[0;7m"
        case .selected: return "\u{1B}[0;7;1m"
        case .error: return "\u{1B}[0;1;31m"
        case .evidence: return "\u{1B}[0;1;30;43m"
        case .marker: return "\u{1B}[0;1m"
        }
    }

    func encode(_ line: [Cell], colour: Bool) -> String {
        guard colour else { return line.map(\.text).joined() }
        var s = ""
        var style: Style? = nil
        for c in line {
            if c.style != style {
                s += sgr(c.style)
                style = c.style
            }
            s += c.text
        }
        if style != nil && style != .plain { s += "\u{1B}[0m" }
        return s
    }
}
