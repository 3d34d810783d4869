import Foundation
import TriageCore
import TriageStore

/// The office's caseload over a period: what came in, what it was, where it
/// went, how review requests stood against the review window, how long items
/// waited for a caseworker, and how often caseworkers overrode the rules.
///
/// Items are counted by the day they were received; caseworker actions (the
/// override rates) by the day they were taken, exactly as
/// `triage review stats --since FROM --until TO+1` counts them.
public struct CaseloadReport: Sendable, Equatable, Encodable {
    /// Items received in one week (Monday to Sunday).
    public struct Week: Sendable, Equatable, Encodable {
        /// The Monday, `YYYY-MM-DD`.
        public var week: String
        /// Channel code → items.
        public var channels: [String: Int]
        public var total: Int
    }

    /// Review requests against the review window.
    public struct ReviewWindow: Sendable, Equatable, Encodable {
        /// Days allowed after the outcome letter (the profile's `review_window_days`).
        public var windowDays: Int
        public var requests: Int
        /// Asked within the window.
        public var inTime: Int
        /// Asked after it (flagged `out_of_time`).
        public var outOfTime: Int
        /// No outcome letter date could be read.
        public var dateUnknown: Int
        /// Days from the outcome letter to the request, for each request whose letter date was read.
        public var days: [Int]
        /// The same, in weekly bands (`0–7`, `8–14`, …, `over 42`).
        public var bands: [LabelledCount]

        enum CodingKeys: String, CodingKey {
            case requests, days, bands
            case windowDays = "window_days"
            case inTime = "in_time"
            case outOfTime = "out_of_time"
            case dateUnknown = "date_unknown"
        }
    }

    /// Time from receipt to a caseworker's first decision.
    public struct TimeToDecision: Sendable, Equatable, Encodable {
        /// Items received in the period that a caseworker has decided.
        public var decided: Int
        /// Items received in the period that no caseworker has decided yet.
        public var awaiting: Int
        /// Median and 90th percentile, in days (one decimal).
        public var medianDays: Double?
        public var p90Days: Double?
        /// Counts in bands: under a day, 1–2, 3–7, 8–14, 15–28, over 28 days.
        public var bands: [LabelledCount]

        enum CodingKeys: String, CodingKey {
            case decided, awaiting, bands
            case medianDays = "median_days"
            case p90Days = "p90_days"
        }
    }

    public var force: String?
    public var office: String
    /// First and last day, `YYYY-MM-DD`.
    public var from: String
    public var to: String
    /// Items received.
    public var items: Int
    public var byChannel: [LabelledCount]
    public var weeks: [Week]
    public var byKind: [LabelledCount]
    public var byOutcome: [LabelledCount]
    public var byHandler: [LabelledCount]
    /// IOPC categories over complaints (a complaint may touch several).
    public var categories: [LabelledCount]
    public var complaints: Int
    public var reviewWindow: ReviewWindow
    public var timeToDecision: TimeToDecision
    /// Caseworker actions taken in the period (``OverrideRates``: the counting `triage review stats` prints).
    public var overrides: OverrideRates
    /// Items not recorded as repetitious, and as vexatious or abusive.
    public var repetitious: Int
    public var vexatious: Int
    /// Items flagged for excessive contact.
    public var excessiveContact: Int

    enum CodingKeys: String, CodingKey {
        case force, office, from, to, items, weeks, categories, complaints, overrides, repetitious, vexatious
        case byChannel = "by_channel"
        case byKind = "by_kind"
        case byOutcome = "by_outcome"
        case byHandler = "by_handler"
        case reviewWindow = "review_window"
        case timeToDecision = "time_to_decision"
        case excessiveContact = "excessive_contact"
    }

    /// Builds the report.
    /// - Parameters:
    ///   - items: items received in the period (``Store/decidedItems(receivedFrom:until:force:)``).
    ///   - actions: caseworker actions taken in the period (``Store/caseworkerActions(since:until:)``).
    ///   - period: the days reported.
    ///   - force: the profile reported on (nil: all).
    ///   - windowDays: the review window.
    public init(items all: [DecidedItem], actions: [CaseworkerAction], period: ReportPeriod, force: String?,
                windowDays: Int, wording: ReportWording) {
        let items = all.filter { $0.receivedAt >= period.start && $0.receivedAt < period.end }
        self.force = force
        office = wording.office
        from = period.firstDay
        to = period.lastDay
        self.items = items.count
        byChannel = LabelledCount.tally(items.map(\.channel), label: wording.channel)

        var weeks: [Week] = []
        var monday = ReportPeriod.weekStart(period.start)
        while monday < period.end {
            let next = monday.addingTimeInterval(7 * 86_400)
            var channels: [String: Int] = [:]
            for i in items where i.receivedAt >= monday && i.receivedAt < next { channels[i.channel, default: 0] += 1 }
            weeks.append(Week(week: ReportPeriod.text(monday), channels: channels, total: channels.values.reduce(0, +)))
            monday = next
        }
        self.weeks = weeks

        let decisions = items.map(\.decision)
        byKind = LabelledCount.tally(decisions.map(\.kind), label: wording.kind)
        byOutcome = LabelledCount.tally(decisions.map(\.outcome), label: wording.outcome)
        byHandler = LabelledCount.tally(decisions.map(\.handler), label: wording.handler)
        let complaintDecisions = decisions.filter { $0.kind == .complaint }
        complaints = complaintDecisions.count
        categories = LabelledCount.tally(complaintDecisions.flatMap { Array(Set($0.categories)) }, label: wording.category)
        repetitious = decisions.filter { $0.reasons.contains(.repetitious) }.count
        vexatious = decisions.filter { $0.reasons.contains(.vexatious) }.count
        excessiveContact = decisions.filter { $0.flags.contains(.excessiveContact) }.count

        reviewWindow = Self.reviewWindow(items.filter { $0.decision.kind == .reviewRequest }, windowDays: windowDays)
        timeToDecision = Self.timeToDecision(items)
        overrides = OverrideRates(actions: actions, since: period.start, until: period.end)
    }

    static let reviewBands = ["0–7", "8–14", "15–21", "22–28", "29–35", "36–42", "over 42"]

    static func reviewWindow(_ requests: [DecidedItem], windowDays: Int) -> ReviewWindow {
        var days: [Int] = [], inTime = 0, outOfTime = 0, unknown = 0
        for r in requests {
            let d = OutcomeLetter.daysToRequest(r.decision, received: r.receivedAt)
            if r.decision.flags.contains(.outOfTime) {
                outOfTime += 1
            } else if d != nil {
                inTime += 1
            } else {
                unknown += 1
            }
            if let d { days.append(d) }
        }
        var counts = Array(repeating: 0, count: reviewBands.count)
        for d in days { counts[min(reviewBands.count - 1, max(0, (d - 1) / 7))] += 1 }
        return ReviewWindow(windowDays: windowDays, requests: requests.count, inTime: inTime, outOfTime: outOfTime, dateUnknown: unknown,
                            days: days.sorted(), bands: zip(reviewBands, counts).map { LabelledCount(key: $0, label: $0 + " days", count: $1) })
    }

    static let decisionBands: [(key: String, label: String, upTo: Double)] = [
        ("under_1", "under a day", 1), ("1_2", "1–2 days", 3), ("3_7", "3–7 days", 8), ("8_14", "8–14 days", 15),
        ("15_28", "15–28 days", 29), ("over_28", "over 28 days", .infinity),
    ]

    static func timeToDecision(_ items: [DecidedItem]) -> TimeToDecision {
        let waits = items.compactMap { i in i.firstCaseworkerDecisionAt.map { max(0, $0.timeIntervalSince(i.receivedAt) / 86_400) } }.sorted()
        var counts = Array(repeating: 0, count: decisionBands.count)
        for w in waits { counts[decisionBands.firstIndex { w < $0.upTo } ?? decisionBands.count - 1] += 1 }
        func quantile(_ q: Double) -> Double? {
            guard !waits.isEmpty else { return nil }
            let pos = q * Double(waits.count - 1)
            let lo = Int(pos.rounded(.down)), hi = Int(pos.rounded(.up))
            let v = waits[lo] + (waits[hi] - waits[lo]) * (pos - Double(lo))
            return (v * 10).rounded() / 10
        }
        return TimeToDecision(decided: waits.count, awaiting: items.count - waits.count, medianDays: quantile(0.5), p90Days: quantile(0.9),
                              bands: zip(decisionBands, counts).map { LabelledCount(key: $0.key, label: $0.label, count: $1) })
    }
}

/// Reads the outcome letter's date back from a review request's evidence.
enum OutcomeLetter {
    /// Days from the outcome letter (the latest date the rule
    /// `review.outcome_letter.date` quoted, not after receipt) to the
    /// request, counted as the classifier counts them; nil when none was read.
    static func daysToRequest(_ d: Decision, received: Date) -> Int? {
        let reader = DateReader()
        // The quote is the anchor and the date after it ("letter dated 14/10/2026"): the last date in it.
        let dates = d.justification.filter { $0.fact?.hasPrefix("outcome_letter_date") == true }.compactMap { e -> Date? in
            let tokens = TextIndex(e.quote).tokens
            return tokens.indices.reversed().lazy.compactMap { reader.date(at: $0, in: tokens, reference: received)?.date }.first
        }
        guard let letter = dates.filter({ $0 <= received.addingTimeInterval(86_400) }).max() else { return nil }
        return DateReader.days(from: letter, to: received)
    }
}
