// Module TriageReports: the transparency publication and the caseload report,
// built from the store's one query layer (Store.decidedItems and
// Store.caseworkerActions, which `triage review stats` also reads), written as
// a self-contained HTML page with SVG charts drawn here, as CSV, or as JSON.
import Foundation
import TriageCore
import TriageStore

/// Makes the reports from a store.
public struct Reports: Sendable {
    /// The store read.
    public let store: Store

    /// Creates a report maker over a store.
    public init(store: Store) {
        self.store = store
    }

    /// The transparency publication for a financial year.
    /// - Parameters:
    ///   - year: `2025-26` (1 April 2025 to 31 March 2026).
    ///   - profile: the force profile: only its decisions are reported, in its words.
    /// - Throws: ``ReportError`` for a malformed year; store errors.
    public func transparency(year: String, profile: ForceProfile) throws -> TransparencyReport {
        let period = try ReportPeriod.financialYear(year)
        let items = try store.decidedItems(receivedFrom: period.start, until: period.end, force: profile.id)
        return TransparencyReport(items: items, year: year, period: period, force: profile.id, wording: ReportWording(profile: profile))
    }

    /// The caseload report for a period.
    /// - Parameters:
    ///   - period: the days reported.
    ///   - profile: the force profile reported on; nil reports every force together.
    ///   - allProfiles: the profiles whose words are used when `profile` is nil.
    public func caseload(period: ReportPeriod, profile: ForceProfile?, allProfiles: [ForceProfile] = []) throws -> CaseloadReport {
        let items = try store.decidedItems(receivedFrom: period.start, until: period.end, force: profile?.id)
        var actions = try store.caseworkerActions(since: period.start, until: period.end)
        if let id = profile?.id { actions = actions.filter { $0.before.force == id } }
        let wording = profile.map { ReportWording(profile: $0) } ?? ReportWording(profiles: allProfiles)
        let window = profile?.reviewWindowDays ?? allProfiles.map(\.reviewWindowDays).max() ?? 28
        return CaseloadReport(items: items, actions: actions, period: period, force: profile?.id, windowDays: window, wording: wording)
    }
}
