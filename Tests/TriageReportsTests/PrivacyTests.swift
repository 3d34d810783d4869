import Foundation
import Testing
import TriageCore
import TriageReports
import TriageStore

/// The transparency publication carries no personal data, and a summary is
/// published only as a caseworker approved it.
@Suite struct PrivacyTests {
    @Test func noPersonalDataInAnyFormatOfTheTransparencyReport() throws {
        let (store, _, ids) = try ReportStore.make()
        // The data really is in the store: in the raw items, the parsed senders, and the decisions' evidence.
        let stored = try #require(try store.item(id: ids[21]!))
        #expect(stored.correspondence.sender?.name == "Harriet Quennell")
        #expect(try store.effectiveDecision(for: ids[21]!)?.decision.decision.explanation.contains("PC Ambrose Fairweather") == true)

        let report = try Reports(store: store).transparency(year: "2025-26", profile: try ReportStore.profile())
        #expect(report.entries.count == 6)
        for format in ReportOutputFormat.allCases {
            let text = try report.render(format).lowercased()
            for secret in ReportStore.personalData {
                #expect(!text.contains(secret.lowercased()), "\(format) output contains \"\(secret)\"")
            }
            for id in ids.values { #expect(!text.contains(id.prefix(12))) }
            #expect(!text.contains("case-2"), "\(format) output carries text from the correspondence")
        }
    }

    @Test func approvalRefusesPersonalDataAndIsAudited() throws {
        let (store, _, ids) = try ReportStore.make()
        let id = ids[23]!
        for bad in ["Complaint from Marisol about staff.", "Complaint; reply to marisol.t@example.net.", "Call 07700 900789 about it.",
                    "About an incident near PE19 2QQ.", "About staff at Wrenfield Road.", "Thackeray complained about OPCC staff."] {
            #expect(throws: StoreError.self, "approved: \(bad)") { try store.approveSummary(itemID: id, summary: bad, actor: "A. Caseworker") }
        }
        #expect(try store.publishedSummary(for: id) == nil)
        #expect(throws: StoreError.self) { try store.approveSummary(itemID: id, summary: "  ", actor: "A. Caseworker") }
        #expect(throws: StoreError.self) { try store.approveSummary(itemID: id, summary: "Fine text.", actor: " ") }

        let text = "Complaint about the manner of an OPCC staff member on the telephone; recorded."
        try store.approveSummary(itemID: id, summary: text, actor: "A. Caseworker")
        #expect(try store.publishedSummary(for: id)?.summary == text)
        let year = try Reports(store: store).transparency(year: "2025-26", profile: try ReportStore.profile())
        #expect(year.entries.first { $0.subject == .opccStaff }?.summary == text)

        #expect(try store.withdrawSummary(itemID: id, actor: "B. Caseworker"))
        #expect(try !store.withdrawSummary(itemID: id, actor: "B. Caseworker"))
        #expect(try store.publishedSummary(for: id) == nil)
        let actions = try store.auditEntries(item: id).map(\.action)
        #expect(actions.suffix(2) == ["summary.approved", "summary.withdrawn"])
        #expect(try store.verifyAudit().ok)
        #expect(try store.appliedMigrations().contains("v4-published-summaries"))
    }

    @Test func aSummaryThatSomehowHoldsAnAddressIsNotPrinted() throws {
        let (store, path, ids) = try ReportStore.make()
        // Written behind the store's back (as an older version or a hand edit could): never printed.
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = ["sqlite3", path, "UPDATE published_summaries SET summary = 'Write to jo@example.org' WHERE item_id = '\(ids[22]!)'"]
        try sqlite.run()
        sqlite.waitUntilExit()
        #expect(sqlite.terminationStatus == 0)
        let report = try Reports(store: store).transparency(year: "2025-26", profile: try ReportStore.profile())
        #expect(report.entries.allSatisfy { $0.summary == nil })
        #expect(!report.html().contains("jo@example.org"))
    }
}
