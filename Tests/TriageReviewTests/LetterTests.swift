import Foundation
import Testing
import TriageCore
@testable import TriageReview

/// The draft paragraph for each kind of effective decision.
struct LetterTests {
    func letter(kind: ItemKind = .complaint, subject: SubjectRole = .officerOrStaff, outcome: Outcome, handler: String,
                reasons: [NotRecordedReason] = [], flags: [DecisionFlag] = [], force: String = "cambridgeshire") throws -> String {
        var item = Sample.item(id: String(repeating: "c", count: 64))
        item.decision.kind = kind
        item.decision.subject = subject
        item.decision.outcome = outcome
        item.decision.handler = handler
        item.decision.reasons = reasons
        item.decision.flags = flags
        item.decision.force = force
        let profile = try #require(try TestEnv.ruleSet().profile(force))
        return ReviewLetter.paragraph(for: item, profile: profile)
    }

    @Test func reviewRequestOutOfTimeNamesTheWindowAndTheReviewBody() throws {
        let text = try letter(kind: .reviewRequest, outcome: .routed, handler: "review_body", flags: [.outOfTime])
        #expect(text.contains("request for a review"))
        #expect(text.contains("within 28 days"))
        #expect(text.contains("after that time"))
        #expect(text.contains("Review-CambsOPCC@cambs.police.uk"))
        #expect(text.contains("the Complaints Policy Statement, §6.2, §6.4"))
    }

    @Test func solelyAboutAReviewOutcomeIsFinal() throws {
        let text = try letter(outcome: .notRecorded, handler: "opcc", reasons: [.solelyReviewOutcome])
        #expect(text.contains("Judicial Review"))
        #expect(text.contains("§6.3"))
        #expect(!text.contains("within 28 days"))
    }

    @Test func panelComplaintHasNoReviewWindow() throws {
        let text = try letter(subject: .pcc, outcome: .routed, handler: "police_and_crime_panel")
        #expect(text.contains("the Cambridgeshire Police and Crime Panel"))
        #expect(text.contains("democratic.services@peterborough.gov.uk"))
        #expect(!text.contains("28 days"))
    }

    @Test func northamptonshireUsesItsOwnProfile() throws {
        let text = try letter(subject: .pcc, outcome: .routed, handler: "opcc_chief_executive", flags: [.mustBeInWriting], force: "northamptonshire")
        #expect(text.contains("Chief Executive (Monitoring Officer)"))
        #expect(text.contains("01604 888113"))
        #expect(text.contains("must be made in writing"))
        #expect(!text.contains("cambs.police.uk"))
    }

    @Test func notAComplaintSaysWhereItWent() throws {
        let text = try letter(kind: .requestForService, subject: .unknown, outcome: .notRecorded, handler: "force_contact", reasons: [.notAComplaint])
        #expect(text.contains("a report or a request for police help"))
        #expect(text.contains("101; 999 in an emergency"))
        #expect(!text.contains("28 days"))
    }
}

extension LetterTests {
    @Test func overriddenToNotAComplaintReadsNaturally() throws {
        let text = try letter(kind: .complaint, subject: .unknown, outcome: .notRecorded, handler: "opcc_enquiries", reasons: [.notAComplaint])
        #expect(text.contains("we do not consider it a complaint about the police"))
        #expect(text.contains("the OPCC enquiries team"))
    }
}
