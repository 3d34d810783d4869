import Foundation
import Testing
import TriageCore

/// The classifier's time budget and its bound on sentence length, with the
/// repository's own rules.
struct ClassifyBudgetTests {
    static func item(_ text: String) -> Correspondence {
        Correspondence(
            channel: .email, sender: nil, date: nil, subject: "complaint",
            body: Body(text: text, segments: [Segment(kind: .newText, start: 0, end: text.unicodeScalars.count)]),
            formFields: [], attachments: [], provenance: Provenance(source: "budget.eml", sha256: "abc", size: 0, format: "eml"))
    }

    /// A long run-on item (no full stop) with many rule hits: once quadratic.
    static let runOn = String(repeating: "the officer was rude and aggressive and I want to complain about PC 12 and ", count: 400)

    @Test func anItemOverTheTimeBudgetGoesToACaseworker() throws {
        let classifier = Classifier(try Repository.compiled)
        let budget = ItemBudget(maxItemBytes: 0, maxClassifyCharacters: 0, maxClassifySeconds: 0.000_001)
        let d = classifier.classify(Self.item(Self.runOn), force: "cambridgeshire", budget: budget, rawBytes: 0)
        #expect(d.outcome == .needsCaseworker)
        #expect(d.decidedBy.row == ItemBudget.row)
        #expect(d.caseworkerNotes.first?.contains("TRIAGE_MAX_CLASSIFY_SECONDS") == true)
    }

    @Test func withinTheTimeBudgetTheItemIsRead() throws {
        let classifier = Classifier(try Repository.compiled)
        let budget = ItemBudget(maxItemBytes: 0, maxClassifyCharacters: 0, maxClassifySeconds: 600)
        let d = classifier.classify(Self.item(Self.runOn), force: "cambridgeshire", budget: budget, rawBytes: 0)
        #expect(d.decidedBy.row != ItemBudget.row)
        #expect(d.outcome == classifier.classify(Self.item(Self.runOn), force: "cambridgeshire").outcome)
    }

    @Test func theTimeBudgetComesFromTheEnvironment() throws {
        #expect(try ItemBudget(environment: ["TRIAGE_MAX_CLASSIFY_SECONDS": "2.5"]).maxClassifySeconds == 2.5)
        #expect(try ItemBudget(environment: ["TRIAGE_MAX_CLASSIFY_SECONDS": "0"]).maxClassifySeconds == 0)
        #expect(throws: ItemBudgetError.self) { try ItemBudget(environment: ["TRIAGE_MAX_CLASSIFY_SECONDS": "-3"]) }
        #expect(throws: ItemBudgetError.self) { try ItemBudget(environment: ["TRIAGE_MAX_CLASSIFY_SECONDS": "soon"]) }
    }

    @Test func runOnTextIsReadInBoundedSentences() {
        let index = TextIndex(Self.runOn)
        #expect(index.sentences.count > 1)
        #expect(index.sentences.allSatisfy { $0.count <= TextIndex.maxSentenceTokens })
        let paragraph = String(repeating: "He came round. ", count: 200)
        let p = TextIndex(paragraph)
        #expect(Set(p.tokens.map(\.paragraph)).count >= 200 / TextIndex.maxParagraphSentences)
    }
}
