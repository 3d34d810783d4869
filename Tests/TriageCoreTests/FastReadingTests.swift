import Foundation
import Testing
import SnowballStemming
@testable import TriageCore

/// The tokeniser's fast paths give what the plain definitions give: the scalar
/// table against Unicode's properties, and the rule set's words found by their
/// bytes against the words normalised by string.
@Suite struct FastReadingTests {
    @Test func theScalarTableIsUnicodesProperties() {
        let ranges: [ClosedRange<UInt32>] = [0x80...(ScalarClasses.tableEnd - 1), 0x4E00...0x9FFF, 0xAC00...0xD7A3]
        var letters = 0
        for range in ranges {
            for value in range {
                guard let c = Unicode.Scalar(value) else { continue }
                #expect(TextIndex.isLetter(c) == c.properties.isAlphabetic, "U+\(String(value, radix: 16))")
                #expect(TextIndex.isUppercase(c) == c.properties.isUppercase, "U+\(String(value, radix: 16))")
                if TextIndex.isLetter(c) { letters += 1 }
            }
        }
        #expect(letters > 20_000)
    }

    /// Words that the rule set knows, that it does not, and ones that equal a
    /// known word only under Unicode's canonical equivalence.
    static let pieces = ["officer", "Officer", "OFFICER", "rude", "can't", "cant", "kelvin", "\u{212A}elvin", "Kelvin", "café",
                         "cafe\u{301}", "Zanzibar", "1234", "I'd", "警察", "경찰", "полиция", "Ωmega", "ωmega", "don't", "x-ray"]

    static func set(_ phrases: [String]) -> RuleSet {
        var set = SecondReadingTests.set(threshold: 0.6, model: nil)
        set.rules.append(MiniRules.rule("d.words", "dissatisfaction=conduct", phrases))
        set.normalization = NormalizationTable(words: ["cant": "can not"], endings: ["n't": "not", "'d": "would"])
        return set
    }

    struct Plain: Equatable {
        var text, stem: String
        var start, end, sentence, paragraph: Int
        var isWord, isNumber, isCapitalised: Bool

        init(_ t: TextIndex.Token) {
            text = t.text
            stem = t.stem
            start = t.start
            end = t.end
            sentence = t.sentence
            paragraph = t.paragraph
            isWord = t.isWord
            isNumber = t.isNumber
            isCapitalised = t.isCapitalised
        }
    }

    @Test(arguments: [["officer", "rude", "café", "kelvin"], ["officer", "\u{212A}elvin", "can't"]])
    func wordsFoundByTheirBytesAreTheWordsNormalisedByString(phrases: [String]) throws {
        let stemmer = SecondReadingTests.stemmer
        let compiled = try CompiledRuleSet(Self.set(phrases), stemmer: stemmer)
        // The same normaliser without the compiled set's tables: every word by string.
        let words = Dictionary(uniqueKeysWithValues: phrases.flatMap { $0.lowercased().split(separator: " ") }.map { w in
            (String(w), compiled.normalizer.words(for: String(w)))
        })
        let plain = TextNormalizer(table: compiled.ruleSet.normalization, stemmer: stemmer).remembering(words)
        var random = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let text = (0..<12).map { _ in Self.pieces[Int(random.next() % UInt64(Self.pieces.count))] }.joined(separator: " ")
            let fast = compiled.index(text).tokens
            #expect(fast.map(Plain.init) == TextIndex(text, normalizer: plain).tokens.map(Plain.init), "\(text)")
        }
        for piece in Self.pieces {
            var bytes = Array(piece.lowercased().utf8)
            let found = bytes.withUnsafeMutableBufferPointer { compiled.normalizer.words(forUTF8: UnsafeBufferPointer($0)) }
            #expect(found == compiled.normalizer.words(for: piece.lowercased()), "\(piece)")
        }
    }
}
