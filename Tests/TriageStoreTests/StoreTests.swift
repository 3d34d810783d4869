import Foundation
import Testing
import TriageCore
@testable import TriageStore

@Suite struct StoreBasics {
    @Test(arguments: StoreKind.all) func migrationsAndWAL(_ kind: StoreKind) throws {
        let path = try Fixture.location(kind)
        let store = try Store.open(location: path)
        #expect(store.backend.rawValue == kind.rawValue)
        #expect(try store.appliedMigrations() == ["v1-tables", "v2-indexes", "v3-audit-append-only", "v4-published-summaries", "v5-intake-keys"])
        try Fixture.ingest(store, Fixture.item("The officer was rude to me.", date: "2026-10-01"))
        guard kind == .sqlite else { return }
        let (status, out) = try Fixture.python("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('PRAGMA journal_mode').fetchone()[0])", [path])
        #expect(status == 0)
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == "wal")
    }

    @Test(arguments: StoreKind.all) func idempotentReingest(_ kind: StoreKind) throws {
        let path = try Fixture.location(kind)
        let c = Fixture.item("PC 1234 shouted at me outside the station on 5th October.", subject: "PC 1234", date: "2026-10-06")
        do {
            let store = try Store.open(location: path)
            let first = try Fixture.ingest(store, c)
            #expect(first.status == .stored)
            let second = try Fixture.ingest(store, c)
            #expect(second.status == .duplicate)
            #expect(second.itemID == first.itemID)
            #expect(second.decision?.decision.id == first.decision?.decision.id)
        }
        // A new process (a new Store on the same file) sees the same item once.
        let reopened = try Store.open(location: path)
        let third = try Fixture.ingest(reopened, c)
        #expect(third.status == .duplicate)
        let counts = try reopened.counts()
        #expect(counts.items == 1)
        #expect(counts.decisions == 1)
        #expect(counts.complainants == 1)
        let item = try #require(try reopened.item(id: third.itemID))
        #expect(item.raw == Fixture.raw(c).bytes)
        #expect(try reopened.item(id: String(third.itemID.prefix(10)))?.id == third.itemID)
        #expect(try reopened.verifyAudit().ok)
        // item.ingested, complainant.created, decision.classified: nothing for the duplicates.
        #expect(try reopened.auditEntries().map(\.action) == ["complainant.created", "item.ingested", "decision.classified"])
    }

    @Test(arguments: StoreKind.all) func quarantineKeepsBytesOnce(_ kind: StoreKind) throws {
        let store = try Fixture.store(kind)
        let bad = RawItem(bytes: Array("not json at all".utf8), source: "inbox/bad.eml")
        let r1 = try store.ingest(bad, parse: Fixture.parse, classify: Fixture.classify)
        #expect(r1.status == .quarantined)
        #expect(r1.quarantine?.label == "inbox/bad.eml")
        #expect(r1.quarantine?.problem.contains("not a test item") == true)
        let r2 = try store.ingest(bad, parse: Fixture.parse, classify: Fixture.classify)
        #expect(r2.status == .alreadyQuarantined)
        let q = try store.quarantined()
        #expect(q.count == 1)
        #expect(q.first?.raw == bad.bytes)
        #expect(try store.counts().items == 0)
        #expect(try store.auditEntries().map(\.action) == ["item.quarantined"])
        // A parser that now succeeds resolves the quarantine record.
        let good = Fixture.item("The officer was rude.", date: "2026-10-01")
        let r3 = try store.ingest(bad, parse: { _ in good }, classify: Fixture.classify)
        #expect(r3.status == .stored)
        #expect(try store.quarantined().first?.resolvedItem == r3.itemID)
        #expect(try store.counts().quarantined == 0)
    }

    @Test(arguments: StoreKind.all) func pollerStateCommitsWithTheItem(_ kind: StoreKind) throws {
        let store = try Fixture.store(kind)
        let c1 = Fixture.item("Nobody came when I called about the burglary.", date: "2026-10-01")
        try store.ingest(Fixture.raw(c1), parse: Fixture.parse, classify: Fixture.classify) { tx in
            try tx.setPollerState(mailbox: "imap://opcc", key: "last_uid", value: "41")
            try tx.setPollerState(mailbox: "imap://opcc", key: "uidvalidity", value: "777")
        }
        #expect(try store.pollerState(mailbox: "imap://opcc") == ["last_uid": "41", "uidvalidity": "777"])
        // If the extra work fails, nothing of the item is stored either.
        struct Boom: Error {}
        let c2 = Fixture.item("The call handler hung up on me.", date: "2026-10-02")
        #expect(throws: Boom.self) {
            try store.ingest(Fixture.raw(c2), parse: Fixture.parse, classify: Fixture.classify) { tx in
                try tx.setPollerState(mailbox: "imap://opcc", key: "last_uid", value: "42")
                throw Boom()
            }
        }
        #expect(try store.pollerState(mailbox: "imap://opcc")["last_uid"] == "41")
        #expect(try store.counts().items == 1)
        #expect(try store.verifyAudit().ok)
    }

    @Test(arguments: StoreKind.all) func overrideBeatsLaterReclassification(_ kind: StoreKind) throws {
        let store = try Fixture.store(kind)
        let r = try Fixture.ingest(store, Fixture.item("The officer was rude to me at the front desk.", date: "2026-10-01"))
        #expect(r.decision?.decision.madeBy == "classifier")
        #expect(throws: StoreError.self) {
            try store.recordOverride(itemID: r.itemID, actor: "A. Caseworker", outcome: .routed, handler: "psd", reason: "  ")
        }
        let o = try store.recordOverride(itemID: r.itemID, actor: "A. Caseworker", outcome: .routed, handler: "psd",
                                         reason: "Allegation of assault in the second paragraph.")
        #expect(o.decision.madeBy == "caseworker:A. Caseworker")
        #expect(o.decision.decision.handler == "psd")
        #expect(o.decision.reason == "Allegation of assault in the second paragraph.")
        // A later automatic decision (back to crt) is stored but does not replace the caseworker's.
        var auto = try #require(r.decision?.decision.decision)
        auto.rulesetVersion = "test-v2"
        let re = try store.recordReclassification(itemID: r.itemID, decision: auto)
        #expect(re.changedEffective == false)
        #expect(re.disagrees == true)
        let eff = try #require(try store.effectiveDecision(for: r.itemID))
        #expect(eff.decision.decision.handler == "psd")
        #expect(eff.disagreement?.decision.handler == "crt")
        #expect(try store.decisions(for: r.itemID).map(\.madeBy) == ["classifier", "caseworker:A. Caseworker", "classifier"])
        // The same reclassification again stores nothing new.
        #expect(try store.recordReclassification(itemID: r.itemID, decision: auto).stored == nil)
        let accepted = try store.recordAcceptance(itemID: r.itemID, actor: "B. Reviewer", note: "Agree with PSD.")
        #expect(accepted.decision.decision.handler == "psd")
        #expect(accepted.disagreement == nil)
        let actions = try store.auditEntries(item: r.itemID).map(\.action)
        #expect(actions.suffix(3) == ["decision.override", "decision.reclassified", "decision.accept"])
        #expect(try store.auditEntries(item: r.itemID).first { $0.action == "decision.override" }?.actor == "caseworker:A. Caseworker")
        #expect(try store.verifyAudit().ok)
    }

    @Test(arguments: StoreKind.all) func reclassificationReplacesAnAutomaticDecision(_ kind: StoreKind) throws {
        let store = try Fixture.store(kind)
        let r = try Fixture.ingest(store, Fixture.item("The officer was rude to me at the front desk.", date: "2026-10-01"))
        var auto = try #require(r.decision?.decision.decision)
        auto.rulesetVersion = "test-v2"
        auto.handler = "psd"
        let re = try store.recordReclassification(itemID: r.itemID, decision: auto)
        #expect(re.changedEffective)
        #expect(!re.disagrees)
        #expect(try store.effectiveDecision(for: r.itemID)?.decision.decision.handler == "psd")
    }
}

@Suite struct ComplainantIdentityTests {
    @Test func normalisation() {
        #expect(ComplainantIdentity.normaliseEmail(" Jo Bloggs <Jo.Bloggs+opcc@Example.ORG> ") == "jo.bloggs@example.org")
        #expect(ComplainantIdentity.normaliseEmail("noreply@example.org") == nil)
        #expect(ComplainantIdentity.normaliseEmail("not an address") == nil)
        #expect(ComplainantIdentity.normalisePhone("+44 1632 960 123") == "01632960123")
        #expect(ComplainantIdentity.normalisePhone("(01632) 960123") == "01632960123")
        #expect(ComplainantIdentity.normalisePhone("123") == nil)
        #expect(ComplainantIdentity.normaliseName("Mrs. Jo  Bloggs") == "jo bloggs")
        #expect(ComplainantIdentity.postcode(in: "1 Example Road\nExampleton\nzz9 9zz") == "ZZ9 9ZZ")
    }

    @Test(arguments: StoreKind.all) func samePersonAcrossChannelsIsMergedWithAnExplanation(_ kind: StoreKind) throws {
        let store = try Fixture.store(kind)
        // A letter: name and postal address only.
        let letter = Fixture.item("I wish to complain about the officer who attended.", date: "2026-09-01", channel: .letter,
                                  sender: Party(name: "Mrs Jo Bloggs", postalAddress: "1 Example Road\nExampleton\nZZ9 9ZZ"))
        // An email: address only.
        let email = Fixture.item("Still nobody has called me back.", date: "2026-09-10",
                                 sender: Party(name: "jo", address: "jo.bloggs@example.org"))
        let a = try Fixture.ingest(store, letter)
        let b = try Fixture.ingest(store, email)
        let ca = try #require(a.item?.complainantID), cb = try #require(b.item?.complainantID)
        #expect(ca != cb)
        // A web form with name, email and postcode links them.
        let form = Fixture.item("Complaint about the officer at my door.", date: "2026-09-20", channel: .webForm,
                                sender: Party(name: "Jo Bloggs", address: "jo.bloggs@example.org", phone: "01632 960123",
                                              postalAddress: "1 Example Road, Exampleton ZZ9 9ZZ"))
        let c = try Fixture.ingest(store, form)
        #expect(c.item?.complainantID == ca)
        let merges = try store.merges()
        #expect(merges.count == 1)
        let m = try #require(merges.first)
        #expect(m.survivor == ca && m.merged == cb)
        #expect(m.explanation.contains("email:jo.bloggs@example.org"))
        #expect(m.explanation.contains("name_postcode:jo bloggs|ZZ9 9ZZ"))
        let h = try #require(try store.history(complainant: cb))
        #expect(h.complainant.id == ca)
        #expect(h.items.map(\.item.id) == [a.itemID, b.itemID, c.itemID])
        #expect(Set(h.complainant.keys.map(\.kind)) == ["email", "phone", "name_postcode"])
        #expect(try store.findComplainant("01632 960123") == ca)
        #expect(try store.findComplainant("JO.BLOGGS@example.org") == ca)
        #expect(try store.findComplainant(String(cb)) == ca)
        #expect(try store.counts().complainants == 1)
        #expect(try store.verifyAudit().ok)
    }

    @Test(arguments: StoreKind.all) func anonymousItemsHaveNoComplainant(_ kind: StoreKind) throws {
        let store = try Fixture.store(kind)
        let r = try Fixture.ingest(store, Fixture.item("Officers parked across the disabled bays.", date: "2026-11-04", sender: nil))
        #expect(r.item?.complainantID == nil)
        #expect(r.historyFacts.isEmpty)
    }
}
