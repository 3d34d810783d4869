import Foundation
import TriageCore

/// Accept and override rates over a period, by the outcome, the handler and
/// the rules of the decision the caseworker saw: what rule authors should look
/// at first (most overrides first). The one way of counting caseworker
/// actions: `triage review stats` and `triage report caseload` both use it
/// (`ReviewStats` is its name in TriageReview).
public struct OverrideRates: Sendable, Equatable, Encodable {
    /// One line of the table.
    public struct Row: Sendable, Equatable, Codable {
        /// The outcome, handler or rule id.
        public var key: String
        public var accepted: Int
        public var overridden: Int
        /// What overrides changed it to (`outcome/handler` → count).
        public var changedTo: [String: Int]

        /// Actions counted.
        public var reviewed: Int { accepted + overridden }
        /// Share of actions that were overrides (0…1).
        public var overrideRate: Double { reviewed == 0 ? 0 : Double(overridden) / Double(reviewed) }
        /// Share of actions that were acceptances (0…1).
        public var acceptRate: Double { reviewed == 0 ? 0 : Double(accepted) / Double(reviewed) }

        enum CodingKeys: String, CodingKey {
            case key, accepted, overridden, reviewed
            case changedTo = "changed_to"
            case overrideRate = "override_rate"
            case acceptRate = "accept_rate"
        }

        /// Creates a row.
        public init(key: String, accepted: Int = 0, overridden: Int = 0, changedTo: [String: Int] = [:]) {
            self.key = key
            self.accepted = accepted
            self.overridden = overridden
            self.changedTo = changedTo
        }

        /// Reads a row written by ``encode(to:)`` (the rates are derived, not read).
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            key = try c.decode(String.self, forKey: .key)
            accepted = try c.decode(Int.self, forKey: .accepted)
            overridden = try c.decode(Int.self, forKey: .overridden)
            changedTo = try c.decode([String: Int].self, forKey: .changedTo)
        }

        /// Writes the counts and the rates (rounded to 3 places).
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(key, forKey: .key)
            try c.encode(accepted, forKey: .accepted)
            try c.encode(overridden, forKey: .overridden)
            try c.encode(reviewed, forKey: .reviewed)
            try c.encode(changedTo, forKey: .changedTo)
            try c.encode((overrideRate * 1000).rounded() / 1000, forKey: .overrideRate)
            try c.encode((acceptRate * 1000).rounded() / 1000, forKey: .acceptRate)
        }
    }

    /// The period: from (inclusive) …
    public var since: Date?
    /// … to (exclusive); nil is open.
    public var until: Date?
    /// All actions together.
    public var total: Row
    /// By the outcome the caseworker saw.
    public var byOutcome: [Row]
    /// By the handler the caseworker saw.
    public var byHandler: [Row]
    /// By each rule that fired in the decision the caseworker saw.
    public var byRule: [Row]

    /// Counts the actions.
    /// - Parameters:
    ///   - actions: caseworker actions in the period.
    ///   - since, until: the period, for the report.
    public init(actions: [CaseworkerAction], since: Date? = nil, until: Date? = nil) {
        self.since = since
        self.until = until
        var total = Row(key: "all")
        var outcome: [String: Row] = [:], handler: [String: Row] = [:], rule: [String: Row] = [:]
        func add(_ table: inout [String: Row], _ key: String, _ a: CaseworkerAction) {
            var r = table[key] ?? Row(key: key)
            Self.count(&r, a)
            table[key] = r
        }
        for a in actions {
            Self.count(&total, a)
            add(&outcome, a.before.outcome.rawValue, a)
            add(&handler, a.before.handler, a)
            for r in Set(a.before.rules) { add(&rule, r, a) }
        }
        self.total = total
        byOutcome = Self.sorted(outcome)
        byHandler = Self.sorted(handler)
        byRule = Self.sorted(rule)
    }

    static func count(_ r: inout Row, _ a: CaseworkerAction) {
        switch a.kind {
        case .accept: r.accepted += 1
        case .override:
            r.overridden += 1
            r.changedTo["\(a.after.outcome)/\(a.after.handler)", default: 0] += 1
        }
    }

    /// Most overrides first, then highest override rate, then by key.
    static func sorted(_ table: [String: Row]) -> [Row] {
        table.values.sorted { a, b in
            if a.overridden != b.overridden { return a.overridden > b.overridden }
            if a.overrideRate != b.overrideRate { return a.overrideRate > b.overrideRate }
            return a.key < b.key
        }
    }

    /// The report as text tables.
    public func text() -> String {
        var lines: [String] = []
        let period: String
        switch (since, until) {
        case (nil, nil): period = "all time"
        case (let s?, nil): period = "since \(Self.day(s))"
        case (nil, let u?): period = "before \(Self.day(u))"
        case (let s?, let u?): period = "\(Self.day(s)) to \(Self.day(u))"
        }
        lines.append("Caseworker actions, \(period): \(total.reviewed) (\(total.accepted) accepted, \(total.overridden) overridden; override rate \(Self.percent(total.overrideRate)))")
        if total.reviewed == 0 { return lines.joined(separator: "\n") }
        for (title, rows) in sections {
            lines.append("")
            lines.append(title)
            let width = max(8, rows.map(\.key.count).max() ?? 8)
            lines.append("  " + "".padding(toLength: width, withPad: " ", startingAt: 0) + "  reviewed  accepted  overridden  override%  changed to")
            for r in rows {
                let changes = r.changedTo.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                    .map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
                lines.append("  " + r.key.padding(toLength: width, withPad: " ", startingAt: 0)
                    + Self.pad(r.reviewed, 10) + Self.pad(r.accepted, 10) + Self.pad(r.overridden, 12)
                    + Self.pad(Self.percent(r.overrideRate), 11) + (changes.isEmpty ? "" : "  " + changes))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The report as one JSON object.
    public func json() throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(self), as: UTF8.self)
    }

    enum CodingKeys: String, CodingKey {
        case since, until, total
        case byOutcome = "by_outcome"
        case byHandler = "by_handler"
        case byRule = "by_rule"
    }

    /// Writes the period as days (`YYYY-MM-DD`) and the rows.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(since.map(Self.day), forKey: .since)
        try c.encodeIfPresent(until.map(Self.day), forKey: .until)
        try c.encode(total, forKey: .total)
        try c.encode(byOutcome, forKey: .byOutcome)
        try c.encode(byHandler, forKey: .byHandler)
        try c.encode(byRule, forKey: .byRule)
    }

    /// The rows as `(title, rows)` sections, in the order reports show them.
    public var sections: [(title: String, rows: [Row])] {
        [("by outcome", byOutcome), ("by handler", byHandler), ("by rule (most overridden first: look at these first)", byRule)]
    }

    static func pad(_ n: Int, _ w: Int) -> String { pad(String(n), w) }
    static func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
    static func percent(_ x: Double) -> String { String(format: "%.0f%%", x * 100) }
    static func day(_ d: Date) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: 0) ?? cal.timeZone
        let c = cal.dateComponents([.year, .month, .day], from: d)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }
}
