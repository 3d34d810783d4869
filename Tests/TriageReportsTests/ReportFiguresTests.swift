import Foundation
import Testing
import TriageCore
import TriageReports
import TriageStore

/// Every figure of both reports, on a real SQLite store of known items.
@Suite struct ReportFiguresTests {
    static func counts(_ list: [LabelledCount]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: list.map { ($0.key, $0.count) })
    }

    @Test func caseloadFigures() throws {
        let (store, _, _) = try ReportStore.make()
        let period = try ReportPeriod(first: "2026-10-05", last: "2026-10-18")
        let r = try Reports(store: store).caseload(period: period, profile: try ReportStore.profile())

        #expect(r.from == "2026-10-05" && r.to == "2026-10-18")
        #expect(r.items == 10)   // cases 11 and 12 fall just outside
        #expect(Self.counts(r.byChannel) == ["email": 6, "web_form": 2, "letter": 2])
        #expect(r.weeks.map(\.week) == ["2026-10-05", "2026-10-12"])
        #expect(r.weeks[0].channels == ["email": 4, "web_form": 1, "letter": 1] && r.weeks[0].total == 6)
        #expect(r.weeks[1].channels == ["email": 2, "web_form": 1, "letter": 1] && r.weeks[1].total == 4)

        // Effective decisions: case 9 was overridden to recorded → opcc, case 2 to routed → psd.
        #expect(Self.counts(r.byKind) == ["complaint": 6, "review_request": 3, "enquiry": 1])
        #expect(Self.counts(r.byOutcome) == ["routed": 6, "not_recorded": 3, "recorded": 1])
        #expect(Self.counts(r.byHandler) == ["crt": 1, "psd": 1, "review_body": 3, "police_and_crime_panel": 1, "opcc": 3, "opcc_enquiries": 1])
        #expect(r.byOutcome.first?.key == "routed")   // most first
        #expect(r.complaints == 6)
        #expect(Self.counts(r.categories) == ["delivery_of_duties_and_service": 2, "individual_behaviours": 2])

        // Review requests: case 4 asked 7 days after its letter, case 5 after 68 (flagged), case 10 gave no date.
        let w = r.reviewWindow
        #expect(w.windowDays == 28)
        #expect(w.requests == 3 && w.inTime == 1 && w.outOfTime == 1 && w.dateUnknown == 1)
        #expect(w.days == [7, 68])
        #expect(Self.counts(w.bands) == ["0–7": 1, "8–14": 0, "15–21": 0, "22–28": 0, "29–35": 0, "36–42": 0, "over 42": 1])

        // Receipt to a caseworker's first decision: cases 1 and 3 after 1 day, 9 after 2, 2 after 20.
        let t = r.timeToDecision
        #expect(t.decided == 4 && t.awaiting == 6)
        #expect(t.medianDays == 1.5)
        #expect(t.p90Days == 14.6)
        #expect(Self.counts(t.bands) == ["under_1": 0, "1_2": 3, "3_7": 0, "8_14": 0, "15_28": 1, "over_28": 0])

        // Caseworker actions taken in the period: the acceptance of case 11 (received before it) counts,
        // the override of case 2 (on 26 October) does not.
        #expect(r.overrides.total.accepted == 3 && r.overrides.total.overridden == 1)
        #expect(r.overrides.byRule.map(\.key) == ["rule.b", "rule.a", "rule.c"])
        let ruleB = try #require(r.overrides.byRule.first)
        #expect(ruleB.accepted == 1 && ruleB.overridden == 1 && ruleB.changedTo == ["recorded/opcc": 1])
        #expect(r.overrides.byRule[1].accepted == 2 && r.overrides.byRule[1].overridden == 0)

        #expect(r.repetitious == 1 && r.vexatious == 1 && r.excessiveContact == 1)
    }

    @Test func caseloadOverridesAreReviewStatsForTheSamePeriod() throws {
        let (store, _, _) = try ReportStore.make()
        let period = try ReportPeriod(first: "2026-10-05", last: "2026-10-18")
        let r = try Reports(store: store).caseload(period: period, profile: nil)
        let stats = OverrideRates(actions: try store.caseworkerActions(since: period.start, until: period.end), since: period.start, until: period.end)
        #expect(r.overrides == stats)
        // All time, the override of case 2 and of case 25 count too.
        let all = OverrideRates(actions: try store.caseworkerActions())
        #expect(all.total.accepted == 3 && all.total.overridden == 3)
    }

    @Test func caseloadOutputsCarryTheFigures() throws {
        let (store, _, _) = try ReportStore.make()
        let r = try Reports(store: store).caseload(period: try ReportPeriod(first: "2026-10-05", last: "2026-10-18"), profile: try ReportStore.profile())
        let csv = r.csv()
        for line in ["total,items,items received,10", "channel,email,Email,6", "week_total,2026-10-05,week of 2026-10-05,6",
                     "week_channel,2026-10-12/letter,\"week of 2026-10-12, letter\",1", "review_window,out_of_time,after 28 days,1",
                     "time_to_decision,median_days,median days,1.5", "override_rule,rule.b,1 of 2 overridden,0.500", "history,vexatious,not recorded: vexatious or abusive,1"] {
            #expect(csv.contains(line + "\r\n"), "missing CSV line \(line)")
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.render(.json).utf8)) as? [String: Any])
        #expect(json["items"] as? Int == 10)
        #expect((json["review_window"] as? [String: Any])?["days"] as? [Int] == [7, 68])
        #expect(((json["overrides"] as? [String: Any])?["total"] as? [String: Any])?["overridden"] as? Int == 1)

        let html = r.html()
        for chart in ["weekly-channels", "outcomes", "handlers", "categories", "review-window", "time-to-decision", "override-rate", "history"] {
            #expect(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-chart=\"\(chart)\""), "no \(chart) chart")
        }
        #expect(html.contains("<title>2026-10-05: 4 by email</title>"))
        #expect(html.contains("<title>rule.b: 50% (1 of 2)</title>"))
        #expect(html.contains("28 days"))
        #expect(!html.lowercased().contains("<script") && !html.contains("https://") && !html.contains("src="))
    }

    @Test func transparencyFigures() throws {
        let (store, _, _) = try ReportStore.make()
        let r = try Reports(store: store).transparency(year: "2025-26", profile: try ReportStore.profile())
        #expect(r.from == "2025-04-01" && r.to == "2026-03-31")
        #expect(r.office == "Cambridgeshire and Peterborough Police and Crime Commissioner")
        #expect(r.entries.map(\.subject) == [.pcc, .chiefConstable, .pcc, .opccStaff, .dpcc, .chiefConstableDelegated])
        #expect(r.entries.map(\.month) == ["2025-04", "2025-06", "2025-09", "2025-11", "2026-01", "2026-03"])
        #expect(r.entries.map(\.number) == [1, 2, 3, 4, 5, 6])
        #expect(r.entries.map(\.recorded) == ["passed_on", "yes", "passed_on", "yes", "no", "passed_on"])
        #expect(r.entries.map(\.handler) == ["police_and_crime_panel", "opcc", "iopc", "opcc_senior_management", "opcc", "crt"])
        #expect(r.entries[0].handlerLabel == "Cambridgeshire Police and Crime Panel")
        #expect(r.entries[0].subjectLabel == "Police and Crime Commissioner")
        #expect(r.entries[2].outcome.hasSuffix("(a serious allegation)"))
        #expect(r.entries[4].outcome == "Not recorded: a difference of opinion")
        #expect(r.entries[1].categories == ["discreditable_conduct"] && r.entries[1].categoryLabels == ["Discreditable conduct"])
        #expect(r.entries[1].summary == ReportStore.summary)
        #expect(r.entries.filter { $0.summary != nil }.count == 1)
        #expect(Self.counts(r.bySubject) == ["pcc": 2, "dpcc": 1, "opcc_staff": 1, "chief_constable": 1, "chief_constable_delegated": 1])
        #expect(r.bySubject.map(\.key) == ["pcc", "dpcc", "opcc_staff", "chief_constable", "chief_constable_delegated"])
        #expect(Self.counts(r.byRecorded) == ["yes": 2, "passed_on": 3, "no": 1])

        let csv = r.csv()
        #expect(csv.hasPrefix("number,subject,month,handler,recorded,outcome,categories,summary\r\n"))
        #expect(csv.split(separator: "\r\n").count == 7)
        #expect(csv.contains("2,Chief Constable,2025-06,\"Office of the Police and Crime Commissioner (Review, Compliance and Governance Officer)\",yes,"))
        let html = r.html()
        #expect(html.contains("data-chart=\"by-subject\""))
        #expect(html.contains("Summary: Complaint about remarks the Chief Constable made at a public meeting"))
        #expect(html.contains("<td>June 2025</td>"))
    }

    @Test func northamptonshireWording() throws {
        let (store, _, _) = try ReportStore.make()
        let r = try Reports(store: store).transparency(year: "2025-26", profile: try ReportStore.profile("northamptonshire"))
        #expect(r.entries.count == 1)
        #expect(r.entries[0].subjectLabel == "Police, Fire and Crime Commissioner")
        #expect(r.office.hasPrefix("Northamptonshire"))
    }

    @Test func periodsAndYears() throws {
        let y = try ReportPeriod.financialYear("2025-26")
        #expect(y.firstDay == "2025-04-01" && y.lastDay == "2026-03-31")
        #expect(try ReportPeriod.financialYear("1999-2000").lastDay == "2000-03-31")
        for bad in ["2025-27", "2025", "25-26", "2025-2a", "abcd-ef", ""] {
            #expect(throws: ReportError.self) { try ReportPeriod.financialYear(bad) }
        }
        #expect(throws: ReportError.self) { try ReportPeriod(first: "2026-10-05", last: "2026-10-04") }
        #expect(throws: ReportError.self) { try ReportPeriod(first: "2026-02-30", last: "2026-03-04") }
        let week = try ReportPeriod(first: "2026-11-04", last: "2026-11-04")   // a Wednesday
        #expect(ReportPeriod(start: week.start, end: week.end).lastDay == "2026-11-04")
    }
}
