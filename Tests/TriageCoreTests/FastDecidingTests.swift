import Foundation
import Testing
import SnowballStemming
@testable import TriageCore

/// The fast paths of deciding give what the plain definitions give: a party's
/// blank test against Foundation's trimming, the explanation's one-line
/// trimming on bytes against the trimming by characters, and the second
/// reading's sum by vocabulary ids against the sum by stems.
@Suite struct FastDecidingTests {
    /// Pieces of text that trimming or joining treats specially (white space of
    /// every kind, line ends, control characters, combining marks), and plain words.
    static let pieces = [" ", "\t", "\n", "\r", "\r\n", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{2028}", "\u{2029}", "\u{3000}",
                         "\u{200B}", "\u{0}", "\u{1F}", "\u{7F}", "\u{301}", "a", "Ms Tring", "é", "“quoted”", "{handler_name}", "."]

    static func randomText(_ random: inout SplitMix64) -> String {
        (0..<Int(random.next() % 9)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
    }

    @Test(arguments: [1, 2, 3, 4])
    func aPartyIsBlankExactlyWhenTrimmingLeavesNothing(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var blanks = 0
        for _ in 0..<2_000 {
            let text = Self.randomText(&random)
            let plain = text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            #expect(Party.isBlank(text) == plain, "\(text.unicodeScalars.map { $0.value })")
            if plain { blanks += 1 }
        }
        #expect(blanks > 0)
        #expect(Party(name: " \n").isEmpty)
        #expect(!Party(phone: " 0123").isEmpty)
    }

    @Test(arguments: [1, 2, 3, 4])
    func theOneLineTrimmingOnBytesIsTheTrimmingByCharacters(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var onBytes = 0
        for _ in 0..<2_000 {
            let text = Self.randomText(&random)
            if let fast = Evaluation.asciiTrimmedOneLine(text) {
                onBytes += 1
                #expect(fast == Evaluation.plainTrimmedOneLine(text), "\(text.unicodeScalars.map { $0.value })")
            } else {
                #expect(text.utf8.contains { $0 >= 0x80 || $0 == 0x0D })
            }
            #expect(Evaluation.trimmedOneLine(text) == Evaluation.plainTrimmedOneLine(text))
        }
        #expect(onBytes > 100)
        #expect(Evaluation.trimmedOneLine("  The officer\nwas rude.\n\n\t") == "The officer was rude.")
    }

    @Test func theBudgetCountsScalarsAsTheScalarViewDoes() {
        var random = SplitMix64(seed: 9)
        for _ in 0..<500 {
            let text = Self.randomText(&random) + "日本 😀 e\u{301}"
            #expect(ItemBudget.scalarCount(text) == text.unicodeScalars.count)
        }
        #expect(ItemBudget.scalarCount("") == 0)
    }

    @Test func theSecondReadingSumsTheSameByIdsAsByStems() throws {
        let examples = SecondReadingTests.examples
        let model = SecondReadingTrainer().train(examples)
        let compiled = try CompiledRuleSet(SecondReadingTests.set(threshold: 0.6, model: model), stemmer: SecondReadingTests.stemmer)
        let numbering = try #require(compiled.secondReadingNumbering)
        var numbered = 0
        for text in ["The officer was rude, rude and RUDE to me; 42 officers shouted.", "thank you officer thank you", "", "42",
                     "I want to complain: the PCSO was rude and shouted at me about my bike. Zanzibar!"] {
            // Indexed by the compiled set: the tokens carry its ids (the model's stems among them).
            let indexes = [compiled.index(text), compiled.index("Subject: " + text)]
            numbered += indexes.flatMap(\.tokens).filter { $0.ids.vocabulary == numbering.tag && $0.ids.stem >= 0 }.count
            for maxWords in [3, Int.max] {
                #expect(model.logit(of: indexes, maxWords: maxWords, numbering: numbering) == model.logit(of: indexes, maxWords: maxWords), "\(text)")
            }
        }
        // "thank", "rude" and "officer" are no rule's words: they have ids because the model has them.
        #expect(numbered > 10)
        #expect(compiled.index("thank rude officer").tokens.allSatisfy { $0.ids.stem >= 0 })
        // Another model numbers its stems otherwise: it is read by string.
        #expect(compiled.replacingSecondReading(SecondReading(bias: 0, weights: ["rude": 1])).secondReadingNumbering == nil)
    }
}
