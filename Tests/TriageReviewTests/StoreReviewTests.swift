import Foundation
import Testing
import TriageCore
import TriageStore
@testable import TriageReview

/// The review operations against a real store (a temporary SQLite file).
@Suite(.serialized) struct StoreReviewTests {
    @Test func queueHasNeedsCaseworkerFirstThenByDateReceived() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, _, ids) = try TestEnv.makeStore(in: dir)
        let service = try TestEnv.service(store)
        let queue = try service.queue()
        #expect(queue.count == 4)
        #expect(Set(queue.map(\.id)) == Set(ids.values))
        let cctv = try #require(queue.first { $0.id == ids[TestEnv.caseworkerFile] })
        #expect(cctv.decision.outcome == .needsCaseworker)
        let firstOther = try #require(queue.firstIndex { $0.decision.outcome != .needsCaseworker })
        #expect(queue[..<firstOther].allSatisfy { $0.decision.outcome == .needsCaseworker })
        #expect(queue[firstOther...].allSatisfy { $0.decision.outcome != .needsCaseworker })
        let rest = queue[firstOther...].map(\.receivedAt)
        #expect(rest == rest.sorted())
        #expect(queue.allSatisfy { $0.status == .unreviewed })
        let routed = try service.queue(ReviewFilter(outcome: .routed))
        #expect(!routed.isEmpty && routed.allSatisfy { $0.decision.outcome == .routed })
        #expect(try service.queue(ReviewFilter(force: "northamptonshire")).isEmpty)
    }

    @Test func acceptAndOverrideAreOnTheRecord() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, _, ids) = try TestEnv.makeStore(in: dir)
        let service = try TestEnv.service(store)
        let routedID = try #require(ids[TestEnv.routedFile])
        let cctvID = try #require(ids[TestEnv.caseworkerFile])
        let before = try #require(try store.effectiveDecision(for: routedID))

        let accepted = try service.accept(String(routedID.prefix(10)), note: "checked", actor: "Casey Worker")
        #expect(accepted.status == .accepted)
        #expect(accepted.caseworker == "Casey Worker")
        #expect(accepted.note == "checked")
        #expect(accepted.decision.outcome == before.decision.decision.outcome)

        #expect(throws: ReviewError.self) {   // not_recorded needs the contract's reason
            try service.override(cctvID, outcome: .notRecorded, handler: "opcc_enquiries", reason: "council CCTV", actor: "Casey Worker")
        }
        let overridden = try service.override(cctvID, outcome: .notRecorded, handler: "opcc_enquiries", reasons: [.notAComplaint],
                                              reason: "council CCTV, not police", actor: "Casey Worker")
        #expect(overridden.status == .overridden)
        #expect(overridden.decision.outcome == .notRecorded)
        #expect(overridden.decision.handler == "opcc_enquiries")
        #expect(overridden.decision.reasons == [.notAComplaint])
        let effective = try #require(try store.effectiveDecision(for: cctvID))
        #expect(effective.decision.madeBy == "caseworker:Casey Worker")
        #expect(effective.decision.reason == "council CCTV, not police")

        let audit = try store.auditEntries()
        let accept = try #require(audit.first { $0.action == "decision.accept" })
        #expect(accept.actor == "caseworker:Casey Worker")
        #expect(accept.itemID == routedID)
        #expect(accept.payload.contains("\"note\":\"checked\""))
        let override = try #require(audit.first { $0.action == "decision.override" })
        #expect(override.actor == "caseworker:Casey Worker")
        #expect(override.itemID == cctvID)
        #expect(override.payload.contains("council CCTV, not police"))
        #expect(!override.at.isEmpty)
        #expect(try store.verifyAudit().ok)

        // Reviewed items leave the queue.
        let queue = try service.queue()
        #expect(!queue.contains { $0.id == routedID || $0.id == cctvID })
        #expect(try service.queue(ReviewFilter(includeReviewed: true)).count == 4)
    }

    @Test func overrideCanCorrectKindAndSubject() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, _, ids) = try TestEnv.makeStore(in: dir)
        let service = try TestEnv.service(store)
        let cctvID = try #require(ids[TestEnv.caseworkerFile])
        // "the council" is not a word of the contract: it cannot be passed at all (the type
        // has no such value; the command line refuses it, see CLITests), so nothing is written.
        #expect(SubjectRole(rawValue: "the council") == nil)
        #expect(try store.auditEntries().allSatisfy { $0.action != "decision.override" })
        let overridden = try service.override(cctvID, outcome: .routed, handler: "crt", kind: .complaint, subject: .officerOrStaff,
                                              reason: "the cameras are run by the police", actor: "Casey Worker")
        #expect(overridden.decision.subject == .officerOrStaff)
        #expect(overridden.decision.kind == .complaint)
        let override = try #require(try store.auditEntries().first { $0.action == "decision.override" })
        #expect(override.payload.contains("\"subject\":\"officer_or_staff\""))
        #expect(try store.verifyAudit().ok)
    }

    @Test func theScreensSubjectListIsTheContractsSubjects() throws {
        let lists = OverrideChoices(profile: try TestEnv.cambridgeshire())
        #expect(Set(lists.subjects.map(\.code.rawValue)) == Vocabulary.subjects)
        #expect(lists.subjects.count == Vocabulary.subjects.count)
    }

    @Test func overrideChecksCodesAndReasonBeforeWriting() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, _, ids) = try TestEnv.makeStore(in: dir, files: [TestEnv.routedFile])
        let service = try TestEnv.service(store)
        let id = try #require(ids[TestEnv.routedFile])
        let auditBefore = try store.auditEntries().count
        // A word outside the contract cannot reach the service (the type has no such value);
        // an outcome the force's profile does not list is still refused.
        #expect(Outcome(rawValue: "binned") == nil)
        var narrow = try #require(service.profiles["cambridgeshire"])
        narrow.outcomes = ["routed", "not_recorded"]
        #expect(throws: ReviewError("unknown outcome 'recorded' for cambridgeshire: choose one of routed, not_recorded")) {
            try OverrideChoices(profile: narrow).validate(outcome: .recorded, handler: "crt")
        }
        #expect(throws: ReviewError.self) { try service.override(id, outcome: .routed, handler: "opcc_chief_executive", reason: "x", actor: "C") }
        #expect(throws: ReviewError("an override needs a reason: pass --reason \"…\"")) {
            try service.override(id, outcome: .routed, handler: "psd", reason: "  ", actor: "C")
        }
        #expect(throws: ReviewError("no item ffffffffffff")) { try service.accept("ffffffffffff", note: nil, actor: "C") }
        #expect(try store.auditEntries().count == auditBefore)
        #expect(try store.effectiveDecision(for: id)?.decision.madeBy == "classifier")
    }

    @Test func aDecisionChangedElsewhereIsNotAcceptedBlindly() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, _, ids) = try TestEnv.makeStore(in: dir, files: [TestEnv.routedFile])
        let service = try TestEnv.service(store)
        let id = try #require(ids[TestEnv.routedFile])
        let shown = try service.item(id)   // caseworker A opens it …
        _ = try service.override(id, outcome: .routed, handler: "psd", reason: "alleges an assault", actor: "B")   // … B overrides it
        let before = try store.auditEntries().count
        #expect(throws: ReviewError.self) { try service.accept(id, note: nil, actor: "A", shown: shown) }
        #expect(throws: ReviewError.self) { try service.override(id, outcome: .recorded, handler: "opcc", reason: "x", actor: "A", shown: shown) }
        #expect(try store.auditEntries().count == before)
        #expect(try service.item(id).decision.handler == "psd")
        let fresh = try service.item(id)
        #expect(try service.accept(id, note: nil, actor: "A", shown: fresh).caseworker == "A")
    }

    @Test func needsCaseworkerMustBeOverriddenNotAccepted() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, _, ids) = try TestEnv.makeStore(in: dir, files: [TestEnv.caseworkerFile])
        let service = try TestEnv.service(store)
        let id = try #require(ids[TestEnv.caseworkerFile])
        #expect(throws: ReviewError.self) { try service.accept(id, note: nil, actor: "C") }
        #expect(try store.effectiveDecision(for: id)?.decision.madeBy == "classifier")
        #expect(try service.override(id, outcome: .routed, handler: "crt", reason: "the force's CCTV", actor: "C").status == .overridden)
    }

    @Test func reclassificationDoesNotReplaceACaseworkerSilently() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, _, ids) = try TestEnv.makeStore(in: dir, files: [TestEnv.routedFile])
        let service = try TestEnv.service(store)
        let id = try #require(ids[TestEnv.routedFile])
        _ = try service.override(id, outcome: .routed, handler: "psd", reason: "alleges an assault", actor: "C")
        var newer = try #require(try store.decisions(for: id).first { $0.madeBy == "classifier" }).decision
        newer.outcome = .notRecorded
        newer.handler = "opcc_enquiries"
        let result = try store.recordReclassification(itemID: id, decision: newer)
        #expect(result.disagrees)
        let item = try service.item(id)
        #expect(item.decision.handler == "psd")   // the caseworker's decision stands
        #expect(item.disagreement?.outcome == .notRecorded)
        #expect(try service.queue().map(\.id) == [id])   // back in the queue, flagged
        let text = ReviewListing.text(try service.queue())
        #expect(text.contains("overridden!"))
        #expect(text.contains("the rules now disagree"))
    }

    @Test func letterFromTheEffectiveDecision() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, _, ids) = try TestEnv.makeStore(in: dir)
        let service = try TestEnv.service(store)
        let routedID = try #require(ids[TestEnv.routedFile])
        let item = try service.item(routedID)
        #expect(item.decision.handler == "crt")
        let letter = try service.letter(routedID)
        #expect(letter.hasPrefix("Thank you for your email of "))
        #expect(letter.contains("the Cambridgeshire Constabulary Complaint Review Team (CRT)"))
        #expect(letter.contains("crtcams@cambs.police.uk"))
        #expect(letter.contains("within 28 days"))
        #expect(letter.contains("Under the Complaints Policy Statement (§4.1"))

        // After an override the letter follows the caseworker's decision.
        _ = try service.override(routedID, outcome: .recorded, handler: "opcc", reason: "about the Chief Constable", actor: "C")
        let after = try service.letter(routedID)
        #expect(after.contains("We have recorded it as a complaint"))
        #expect(after.contains("PO Box 688, Huntingdon PE29 9LA"))
        #expect(!after.contains("crtcams@"))

        // Not a complaint: no right of review, the handler's details.
        let flyID = try #require(ids[TestEnv.notComplaintFile])
        let fly = try service.letter(flyID)
        #expect(!fly.contains("28 days"))
    }

    @Test func statsCountAcceptsAndOverridesByOutcomeHandlerAndRule() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, _, ids) = try TestEnv.makeStore(in: dir)
        let service = try TestEnv.service(store)
        let routedID = try #require(ids[TestEnv.routedFile])
        let cctvID = try #require(ids[TestEnv.caseworkerFile])
        let flyID = try #require(ids[TestEnv.notComplaintFile])
        let routedRules = try service.item(routedID).decision.rules
        _ = try service.accept(routedID, note: nil, actor: "A")
        _ = try service.accept(flyID, note: nil, actor: "A")
        _ = try service.override(cctvID, outcome: .routed, handler: "crt", reason: "the force's CCTV", actor: "B")
        let stats = try service.stats(since: nil, until: nil)
        #expect(stats.total.accepted == 2)
        #expect(stats.total.overridden == 1)
        let nc = try #require(stats.byOutcome.first { $0.key == "needs_caseworker" })
        #expect(nc.overridden == 1 && nc.accepted == 0)
        #expect(nc.changedTo == ["routed/crt": 1])
        #expect(stats.byOutcome.first?.key == "needs_caseworker")   // most overridden first
        if let rule = routedRules.first {
            #expect((stats.byRule.first { $0.key == rule }?.accepted ?? 0) >= 1)
        }
        #expect(stats.text().contains("override rate 33%"))
        #expect(try stats.json().contains("\"by_rule\""))
        // A period after the actions has none.
        let later = try service.stats(since: Date().addingTimeInterval(3600), until: nil)
        #expect(later.total.reviewed == 0)
    }

    @Test func listingJSONCarriesTheContractWords() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, _, _) = try TestEnv.makeStore(in: dir, files: [TestEnv.routedFile])
        let item = try #require(try TestEnv.service(store).queue().first)
        let line = try ReviewListing.json(item)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(obj["id"] as? String == item.id)
        #expect(obj["outcome"] as? String == "routed")
        #expect(obj["handler"] as? String == "crt")
        #expect(obj["status"] as? String == "unreviewed")
        #expect(obj["channel"] as? String == "email")
        #expect(!line.contains("\n"))
    }
}
