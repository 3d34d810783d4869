import Foundation
import Testing
@testable import TriageCore
import SnowballStemming

/// Issue 11: the decision contract's words as types, with the words unchanged
/// wherever they are printed, encoded or read.
struct ContractVocabularyTests {
    /// The words of DESIGN.md's decision contract, written out here so a change
    /// to a raw value is caught.
    static let contract: [String: [String]] = [
        "kind": ["complaint", "review_request", "request_for_service", "enquiry", "foi_or_sar", "compliment", "other"],
        "subject": ["officer_or_staff", "chief_constable", "chief_constable_delegated", "opcc_staff", "opcc_chief_executive",
                    "pcc", "dpcc", "force", "not_police", "unknown"],
        "outcome": ["routed", "recorded", "not_recorded", "needs_caseworker"],
        "reason": ["not_a_complaint", "anonymous", "repetitious", "vexatious", "solely_review_outcome", "difference_of_opinion", "no_standing"],
        "flag": ["anonymous", "serious", "out_of_time", "needs_written_permission", "must_be_in_writing", "excessive_contact"],
    ]

    @Test func theWordsAreTheContractsWords() {
        #expect(ItemKind.words == Self.contract["kind"]!.sorted())
        #expect(SubjectRole.words == Self.contract["subject"]!.sorted())
        #expect(Outcome.words == Self.contract["outcome"]!.sorted())
        #expect(NotRecordedReason.words == Self.contract["reason"]!.sorted())
        #expect(DecisionFlag.words == Self.contract["flag"]!.sorted())
        #expect(Vocabulary.outcomes == Set(Self.contract["outcome"]!))
    }

    @Test func aWordPrintsAsItselfNotAsTheCaseName() {
        #expect("\(ItemKind.reviewRequest)" == "review_request")
        #expect("\(SubjectRole.notPolice) \(Outcome.needsCaseworker)" == "not_police needs_caseworker")
        #expect([NotRecordedReason.notAComplaint, .noStanding].joined(separator: ", ") == "not_a_complaint, no_standing")
        #expect(String(describing: DecisionFlag.outOfTime) == "out_of_time")
    }

    @Test func wordsSortAsTheirSpelling() {
        // As the strings did: `not_recorded` before `recorded` before `routed`.
        #expect(Outcome.allCases.sorted() == [.needsCaseworker, .notRecorded, .recorded, .routed])
        #expect([DecisionFlag.serious, .anonymous, .outOfTime].sorted() == [.anonymous, .outOfTime, .serious])
    }

    @Test func jsonCarriesTheWordsAndDictionariesStayObjects() throws {
        struct Sample: Codable, Equatable {
            var kind: ItemKind
            var reasons: [NotRecordedReason]
            var counts: [Outcome: Int]
        }
        let sample = Sample(kind: .foiOrSar, reasons: [.solelyReviewOutcome], counts: [.notRecorded: 2, .routed: 1])
        let json = try StableJSON.line(sample)
        #expect(json == #"{"counts":{"not_recorded":2,"routed":1},"kind":"foi_or_sar","reasons":["solely_review_outcome"]}"#)
        #expect(try StableJSON.decoder().decode(Sample.self, from: Data(json.utf8)) == sample)
    }

    @Test func anUnknownWordIsAnErrorNamingItAndTheWordsAllowed() throws {
        let json = #"{"kind":"complaint","reasons":["vexatous"],"counts":{}}"#
        struct Sample: Decodable { var kind: ItemKind; var reasons: [NotRecordedReason] }
        let error = try #require(throws: DecodingError.self) { try StableJSON.decoder().decode(Sample.self, from: Data(json.utf8)) }
        guard case .dataCorrupted(let context) = error else { Issue.record("expected dataCorrupted, got \(error)"); return }
        #expect(context.debugDescription.contains("reason 'vexatous' is not a contract word"), "\(context.debugDescription)")
        #expect(context.debugDescription.contains("vexatious"))
        #expect(context.codingPath.map(\.stringValue).first == "reasons")

        let parsed = try #require(throws: UnknownContractWord.self) { try Outcome.parse("recordedd") }
        #expect(parsed == UnknownContractWord(vocabulary: "outcome", word: "recordedd", allowed: ["needs_caseworker", "not_recorded", "recorded", "routed"]))
        #expect(try Outcome.parse("not_recorded") == .notRecorded)
    }

    /// A rule set built without loading (so not refused there) whose row names a word
    /// outside the contract: the item goes to a caseworker, and lint names the word.
    @Test func aRowWithAWordOutsideTheContractGoesToACaseworker() throws {
        let text = "PC 1234 was rude to me."
        let item = RuleExampleRunner.item(text: text, subject: nil, example: RuleExample(text: text), quotedBody: false)
        var set = MiniRules.set
        #expect(set.table.rows[2].id == "officer")
        #expect(Classifier(try CompiledRuleSet(set, stemmer: SnowballStemmer())).classify(item, force: "test").outcome == .routed)
        let edits: [(inout DecisionRow) -> Void] = [{ $0.flags = ["serius"] }, { $0.outcome = "rooted" }, { $0.reasons = ["vexatous"] }]
        for edit in edits {
            set = MiniRules.set
            edit(&set.table.rows[2])
            let compiled = try CompiledRuleSet(set, stemmer: SnowballStemmer())
            let d = Classifier(compiled).classify(item, force: "test")
            #expect(d.outcome == .needsCaseworker)
            #expect(d.decidedBy.row == "officer")
            #expect(d.caseworkerNotes.contains { $0.contains("Row officer gives") && $0.contains("outside the decision contract") }, "\(d.caseworkerNotes)")
            #expect(RuleSetLinter(compiled).problems().contains { $0.hasPrefix("decision row officer: ") && $0.contains("is not a contract word") })
        }
    }
}
