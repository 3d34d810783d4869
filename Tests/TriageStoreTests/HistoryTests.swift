import Foundation
import Testing
import TriageCore
@testable import TriageStore

@Suite struct HistoryFactsTests {
    static let first = """
        On 5th October PC 1234 stopped me outside the library on Example Street and searched my bag without \
        giving any reason. He was rude, refused to give his name and laughed when I asked why I was being searched. \
        I want this looked into properly.
        """

    @Test func textFeatures() {
        #expect(TextFeatures.words("It's PC-1234, isn't it?") == ["its", "pc", "1234", "isnt", "it"])
        #expect(TextFeatures.shingles("one two three four") == ["one two three", "two three four"])
        #expect(TextFeatures.jaccard(["a", "b"], ["b", "c"]) == 1.0 / 3.0)
        let a = TextFeatures.anchors(in: "PC 1234 and collar number 5678 on 05/10/2026, 12th November, ref CO/2211/26, Sgt Example")
        #expect(a.officers == ["1234", "5678", "name:example"])
        #expect(a.dates == ["05-10", "12-11"])
        #expect(a.references == ["CO/2211/26"])
    }

    @Test(arguments: StoreKind.all) func repetitiousSequenceAndNonRepetitiousOnes(_ kind: StoreKind) throws {
        let store = try Fixture.store(kind)
        let r1 = try Fixture.ingest(store, Fixture.item(Self.first, subject: "Stop and search by PC 1234", date: "2026-10-06"))
        #expect(r1.historyFacts.isEmpty)
        #expect(r1.decision?.decision.decision.outcome == .routed)

        // The same matter again, through the web form: same officer, same date, nothing new.
        let again = """
            I am writing again. On 5th October PC 1234 stopped me outside the library on Example Street and searched \
            my bag without giving any reason. He was rude and refused to give his name. I want this looked into properly.
            """
        let r2 = try Fixture.ingest(store, Fixture.item(again, subject: "Second time of asking", date: "2026-11-20", channel: .webForm,
                                                        sender: Party(name: "Jo Bloggs", address: "jo.bloggs@example.org")))
        let fact = try #require(r2.historyFacts.first { $0.fact == "repetitious" })
        #expect(fact.value == "true")
        #expect(fact.rule == "history.repetitious")
        #expect(fact.cites == "001 §7.1")
        #expect(fact.quote.contains("item \(r1.itemID.prefix(12)) of 2026-10-06, 'Stop and search by PC 1234'"))
        #expect(fact.quote.contains("same officer 1234"))
        #expect(r2.decision?.decision.decision.reasons == [.repetitious])
        let evidence = try #require(r2.decision?.decision.decision.justification.first { $0.rule == "history.repetitious" })
        #expect(evidence.quote.contains(String(r1.itemID.prefix(12))))

        // A new incident from the same person: another officer, another date.
        let newIncident = """
            On 12th November PC 5678 stopped me outside the library on Example Street and searched my bag without \
            giving any reason. He was rude and refused to give his name. I want this looked into properly.
            """
        let r3 = try Fixture.ingest(store, Fixture.item(newIncident, subject: "Another stop", date: "2026-11-21"))
        #expect(r3.item?.complainantID == r1.item?.complainantID)
        #expect(!r3.historyFacts.contains { $0.fact == "repetitious" })
        #expect(r3.decision?.decision.decision.outcome == .routed)

        // The same incident with new evidence: a video not sent before.
        let video = TriageCore.Attachment(filename: "doorbell-video.mp4", contentType: "video/mp4", size: 1_200_000, sha256: String(repeating: "ab", count: 32))
        let r4 = try Fixture.ingest(store, Fixture.item(again, subject: "New evidence", date: "2026-11-22", attachments: [video]))
        #expect(!r4.historyFacts.contains { $0.fact == "repetitious" })
        #expect(r4.decision?.decision.decision.outcome == .routed)
    }

    /// The same matter told again in other words: few shared 3-grams, but the
    /// same content words, officer and date.
    @Test(arguments: StoreKind.all) func rewordedRepeatIsCaught(_ kind: StoreKind) throws {
        let one = """
            I went to Exampleton police station on Saturday 3 October to hand in a purse I had found. PC 4417 on the \
            front desk was rude to me from the start, said I was "wasting police time" and refused to take my details \
            or give me a receipt for the purse. I was only trying to do the right thing and I left feeling like a \
            criminal. I would like this looked into and I want to make a complaint about PC 4417's attitude.
            """
        let two = """
            I am writing again about PC 4417 at Exampleton police station on 3 October. He was rude to me, said I was \
            wasting police time and refused to take my details or give me a receipt for the purse I handed in. I felt \
            like a criminal for doing the right thing. I want to make a complaint about PC 4417's attitude.
            """
        let analyzer = HistoryAnalyzer(thresholds: HistoryThresholds(repetitionSimilarity: 0.55))
        let c = analyzer.compare(Fixture.item(two, date: "2026-10-27"), Fixture.item(one, date: "2026-10-05"))
        #expect(c.shingleJaccard < 0.4)
        #expect(c.wordOverlap > 0.7)
        #expect(c.sharedOfficers == ["4417"])
        #expect(c.sharedDates == ["03-10"])
        let store = try Fixture.store(kind)
        let limits = HistoryThresholds(repetitionSimilarity: 0.55)
        let r1 = try Fixture.ingest(store, Fixture.item(one, subject: "PC 4417 at Exampleton station", date: "2026-10-05"), thresholds: limits)
        let r2 = try Fixture.ingest(store, Fixture.item(two, subject: "Re: PC 4417 at Exampleton station", date: "2026-10-27"), thresholds: limits)
        let fact = try #require(r2.historyFacts.first { $0.fact == "repetitious" })
        #expect(fact.quote.contains("item \(r1.itemID.prefix(12)) of 2026-10-05, 'PC 4417 at Exampleton station'"))
        // A different matter from the same person is not.
        let three = """
            This is a separate matter. On Wednesday 11 November a marked police car drove through the school crossing \
            on Example Lane while children were crossing, with no lights or siren. I have dashcam footage.
            """
        let r3 = try Fixture.ingest(store, Fixture.item(three, subject: "Different matter", date: "2026-11-13"), thresholds: limits)
        // Only that the writer has complained before: not the same matter, not repetitious.
        #expect(r3.historyFacts.map(\.fact) == ["earlier_complaint"])
        #expect(analyzer.compare(Fixture.item(three, date: "2026-11-13"), Fixture.item(one, date: "2026-10-05")).similarity < 0.3)
    }

    @Test(arguments: StoreKind.all) func aRepeatWithANewCorrespondenceDateIsTheSameMatterButNotRepetitiousOnHistoryAlone(_ kind: StoreKind) throws {
        let again = """
            I am sending my complaint about PC 1234 again. Your team rang me on 3 November and said it was closed. \
            To repeat what I said: on 5th October he searched my bag outside the library on Example Street, was rude \
            and laughed at me. I have nothing to add, but I want it dealt with properly this time.
            """
        let store = try Fixture.store(kind)
        try Fixture.ingest(store, Fixture.item(Self.first, subject: "Stop", date: "2026-10-06"))
        let r2 = try Fixture.ingest(store, Fixture.item(again, subject: "Stop again", date: "2026-11-10"))
        // "3 November" is not in the first complaint: not repetitious on the history alone…
        #expect(!r2.historyFacts.contains { $0.fact == "repetitious" })
        #expect(r2.historyFacts.contains { $0.fact == "same_matter" })
        // (the decision table's repetitious_declared row combines it with the writer's own
        // words; the labelled history sequences in Corpus/ run that end to end).
        let fact = try #require(r2.historyFacts.first { $0.fact == "same_matter" })
        #expect(fact.quote.contains("same officer 1234"))
        // A different matter from the same person is not the same matter.
        let other = """
            On Wednesday 11 November a marked police car drove through the school crossing on Example Lane while \
            children were crossing, with no lights or siren.
            """
        let r3 = try Fixture.ingest(store, Fixture.item(other, subject: "Crossing", date: "2026-11-20"))
        #expect(!r3.historyFacts.contains { $0.fact == "same_matter" })
    }

    @Test(arguments: StoreKind.all) func differentPeopleAreNotRepetitious(_ kind: StoreKind) throws {
        let store = try Fixture.store(kind)
        try Fixture.ingest(store, Fixture.item(Self.first, subject: "Stop", date: "2026-10-06"))
        let other = try Fixture.ingest(store, Fixture.item(Self.first, subject: "Stop", date: "2026-10-07",
                                                           sender: Party(name: "Sam Sample", address: "sam@example.net")))
        #expect(other.historyFacts.isEmpty)
    }

    @Test(arguments: StoreKind.all) func reopeningAConcludedMatter(_ kind: StoreKind) throws {
        let store = try Fixture.store(kind)
        let r1 = try Fixture.ingest(store, Fixture.item("My complaint ref CO/2211/26 about the call handler was not upheld.",
                                                        subject: "CO/2211/26", date: "2026-09-01"))
        // Before a caseworker settles it, citing the reference is not re-opening.
        let early = try Fixture.ingest(store, Fixture.item("Any news on CO/2211/26 please?", subject: "Chasing", date: "2026-09-05"))
        #expect(!early.historyFacts.contains { $0.fact == "reopening" })
        try store.recordAcceptance(itemID: r1.itemID, actor: "A. Caseworker", note: "Concluded.")
        let r2 = try Fixture.ingest(store, Fixture.item("I want CO/2211/26 looked at again, the call handler was wrong.",
                                                        subject: "Reopen", date: "2026-10-01"))
        let fact = try #require(r2.historyFacts.first { $0.fact == "reopening" })
        #expect(fact.quote.contains("item \(r1.itemID.prefix(12)) of 2026-09-01"))
        #expect(fact.quote.contains("CO/2211/26"))
        #expect(r2.decision?.decision.decision.reasons == [.repetitious])
    }

    /// N = 3 items in D = 10 days: the 4th item in the window is excessive, the 3rd is not.
    @Test(arguments: StoreKind.all) func excessiveContactAtTheThresholdAndOneBelow(_ kind: StoreKind) throws {
        let store = try Fixture.store(kind)
        let limits = HistoryThresholds(excessiveContactItems: 3, excessiveContactDays: 10)
        let texts = ["The officer never called me back about my stolen bike.",
                     "The station front desk was closed when the website said open.",
                     "The call handler put the phone down on me.",
                     "Officers drove through the red light on Example Road with no siren."]
        // An old item, outside the window, does not count.
        let old = try Fixture.ingest(store, Fixture.item("The PCSO ignored my report about parking.", date: "2026-08-01"), thresholds: limits)
        var results: [IngestResult] = []
        for (i, t) in texts.enumerated() {
            results.append(try Fixture.ingest(store, Fixture.item(t, subject: "Item \(i + 1)", date: "2026-10-0\(i + 1)"), thresholds: limits))
        }
        #expect(old.historyFacts.isEmpty)
        #expect(!results[2].historyFacts.contains { $0.fact == "excessive_contact" })  // 3 in 10 days: at the limit
        let fact = try #require(results[3].historyFacts.first { $0.fact == "excessive_contact" })  // 4: more than 3
        #expect(fact.quote.hasPrefix("4 items from this complainant in 10 days (more than 3)"))
        for r in results.prefix(3) { #expect(fact.quote.contains("item \(r.itemID.prefix(12))")) }
        #expect(!fact.quote.contains(String(old.itemID.prefix(12))))
        // A frequent writer's new complaint is still a complaint, flagged.
        let d = try #require(results[3].decision?.decision.decision)
        #expect(d.kind == .complaint)
        #expect(d.outcome == .routed)
        #expect(d.flags == [.excessiveContact])
    }

    @Test(arguments: StoreKind.all) func abusivePatternAndAngerAlone(_ kind: StoreKind) throws {
        let store = try Fixture.store(kind)
        // Angry but a first complaint: still a complaint.
        let r1 = try Fixture.ingest(store, Fixture.item("You useless morons lost my phone at the custody suite.", date: "2026-10-01"))
        #expect(r1.decision?.decision.decision.outcome == .routed)
        #expect(!r1.historyFacts.contains { $0.fact == "history_abusive_pattern" })
        // A calm new complaint after an abusive one: the pattern is noted, but it is still a complaint.
        let r2 = try Fixture.ingest(store, Fixture.item("The officer at the desk would not take my details.", date: "2026-10-03"))
        #expect(r2.historyFacts.contains { $0.fact == "history_abusive_pattern" })
        #expect(r2.decision?.decision.decision.outcome == .routed)
        // Abusive again, with an abusive history: vexatious (in the fixture classifier's table).
        let r3 = try Fixture.ingest(store, Fixture.item("You idiot, answer my emails about the officer.", date: "2026-10-05"))
        let fact = try #require(r3.historyFacts.first { $0.fact == "history_abusive_pattern" })
        #expect(fact.quote.contains("item \(r1.itemID.prefix(12)) of 2026-10-01"))
        #expect(!fact.quote.contains(String(r2.itemID.prefix(12))))
        #expect(r3.decision?.decision.decision.reasons == [.vexatious])
    }

    @Test func analyzerIsPureAndIgnoresLaterItems() {
        let analyzer = HistoryAnalyzer()
        let text = Self.first
        let earlier = PriorItem(id: String(repeating: "1", count: 64), received: Fixture.date("2026-12-01"),
                                correspondence: Fixture.item(text, date: "2026-12-01"), decision: nil, isFinal: false)
        #expect(analyzer.facts(for: Fixture.item(text, date: "2026-10-06"), received: Fixture.date("2026-10-06"), earlier: [earlier]).isEmpty)
    }
}

@Suite struct HistoryThresholdsTests {
    @Test func decodesSnakeCaseWithDefaults() throws {
        let json = #"{"repetition_similarity": 0.55, "excessive_contact_items": 10, "excessive_contact_days": 30}"#
        let t = try JSONDecoder().decode(HistoryThresholds.self, from: Data(json.utf8))
        #expect(t.similarity == 0.55)
        #expect(t.contactItems == 10)
        #expect(t.contactDays == 30)
        #expect(t.strongSimilarity == 0.8)
        #expect(t.abusiveMinItems == 1)
        #expect(HistoryThresholds.defaults.contactItems == 5)
        let back = String(decoding: try StableJSON.encoder().encode(t), as: UTF8.self)
        #expect(back == #"{"excessive_contact_days":30,"excessive_contact_items":10,"repetition_similarity":0.55}"#)
    }
}
