import Foundation
import TriageCore
import TriageStore

/// The yearly publication of complaints against the Commissioner, the Deputy,
/// OPCC staff and volunteers, the Chief Executive and the Chief Constable
/// (seed 001 §8.1), from the effective decisions.
///
/// No personal data: each row is built only from the decision's coded fields
/// (subject role, handler, outcome, reasons, categories) and the month
/// received. No name, address, quote, explanation or caseworker note is read;
/// the only free text is a summary a caseworker approved for publication.
public struct TransparencyReport: Sendable, Equatable, Codable {
    /// One complaint.
    public struct Entry: Sendable, Equatable, Codable {
        /// 1, 2, … in the order printed (month, then subject).
        public var number: Int
        /// The subject (`pcc`, `chief_constable`, …).
        public var subject: SubjectRole
        public var subjectLabel: String
        /// `YYYY-MM`.
        public var month: String
        public var monthLabel: String
        public var handler: String
        public var handlerLabel: String
        /// `yes` (recorded by the OPCC), `passed_on` (to the body that records
        /// and handles it), `no` (not recorded), or `pending` (being assessed).
        public var recorded: String
        /// The outcome or stage in words.
        public var outcome: String
        /// Why not recorded.
        public var reasons: [NotRecordedReason]
        /// IOPC categories (codes) and their words.
        public var categories: [String]
        public var categoryLabels: [String]
        /// The summary a caseworker approved for publication, if any.
        public var summary: String?

        enum CodingKeys: String, CodingKey {
            case number, subject, month, handler, recorded, outcome, reasons, categories, summary
            case subjectLabel = "subject_label"
            case monthLabel = "month_label"
            case handlerLabel = "handler_label"
            case categoryLabels = "category_labels"
        }
    }

    /// The force profile the decisions were made under.
    public var force: String
    /// The office, as the profile names it.
    public var office: String
    /// `2025-26`.
    public var year: String
    /// First and last day, `YYYY-MM-DD`.
    public var from: String
    public var to: String
    public var entries: [Entry]
    /// Complaints by subject.
    public var bySubject: [LabelledCount]
    /// Complaints by whether they were recorded.
    public var byRecorded: [LabelledCount]

    enum CodingKeys: String, CodingKey {
        case force, office, year, from, to, entries
        case bySubject = "by_subject"
        case byRecorded = "by_recorded"
    }

    /// An approved summary, unless it has since been found to hold an email
    /// address, phone number or postcode (checked again at every printing).
    static func publishable(_ s: PublishedSummary?) -> String? {
        guard let s, PersonalData.findings(in: s.summary, sender: nil).isEmpty else { return nil }
        return s.summary
    }

    /// The subjects published (seed 001 §8.1), in the order printed.
    public static let subjects: [SubjectRole] = [.pcc, .dpcc, .opccChiefExecutive, .opccStaff, .chiefConstable, .chiefConstableDelegated]

    /// Builds the report.
    /// - Parameters:
    ///   - items: the items received in the year (from ``Store/decidedItems(receivedFrom:until:force:)``).
    ///   - year: the financial year's name (`2025-26`) and its period.
    ///   - force: the profile's id; `wording` its words.
    public init(items: [DecidedItem], year: String, period: ReportPeriod, force: String, wording: ReportWording) {
        self.force = force
        office = wording.office
        self.year = year
        from = period.firstDay
        to = period.lastDay
        let order = Dictionary(uniqueKeysWithValues: Self.subjects.enumerated().map { ($0.element, $0.offset) })
        let chosen = items.filter { item in
            let d = item.decision
            return d.kind == .complaint && order[d.subject] != nil && item.receivedAt >= period.start && item.receivedAt < period.end
        }
        let sorted = chosen.enumerated().sorted { a, b in
            let ma = ReportPeriod.month(a.element.receivedAt), mb = ReportPeriod.month(b.element.receivedAt)
            if ma != mb { return ma < mb }
            let sa = order[a.element.decision.subject] ?? 99, sb = order[b.element.decision.subject] ?? 99
            return sa != sb ? sa < sb : a.offset < b.offset
        }.map(\.element)
        let list = sorted.enumerated().map { n, item in
            let d = item.decision
            let month = ReportPeriod.month(item.receivedAt)
            let recorded: String
            var outcome: String
            switch d.outcome {
            case .recorded:
                recorded = "yes"
                outcome = "Recorded"
            case .routed:
                recorded = "passed_on"
                outcome = "Passed on, to be recorded and handled there"
            case .notRecorded:
                recorded = "no"
                outcome = "Not recorded" + (d.reasons.isEmpty ? "" : ": " + d.reasons.map(wording.reason).joined(separator: "; "))
            case .needsCaseworker:
                recorded = "pending"
                outcome = "Being assessed"
            }
            if d.flags.contains(.serious) && d.outcome != .notRecorded { outcome += " (a serious allegation)" }
            return Entry(number: n + 1, subject: d.subject, subjectLabel: wording.subject(d.subject), month: month,
                         monthLabel: wording.month(month), handler: d.handler, handlerLabel: wording.handler(d.handler),
                         recorded: recorded, outcome: outcome, reasons: d.reasons, categories: d.categories,
                         categoryLabels: d.categories.map(wording.category), summary: Self.publishable(item.publishedSummary))
        }
        entries = list
        bySubject = Self.subjects.compactMap { code in
            let n = sorted.filter { $0.decision.subject == code }.count
            return n == 0 ? nil : LabelledCount(key: code.rawValue, label: wording.subject(code), count: n)
        }
        let recordedWords = ["yes": "Recorded by the OPCC", "passed_on": "Passed to the body that handles it", "no": "Not recorded", "pending": "Being assessed"]
        byRecorded = ["yes", "passed_on", "no", "pending"].compactMap { code in
            let n = list.filter { $0.recorded == code }.count
            return n == 0 ? nil : LabelledCount(key: code, label: recordedWords[code] ?? code, count: n)
        }
    }
}
