import Testing
@testable import TriageCore

@Suite struct PhrasePatternTests {
    @Test func expandsAlternativesAndOptionals() throws {
        let p = try PhrasePattern("(want|wish) to [formally] complain")
        #expect(p.expansions.count == 4)
        #expect(p.expansions.contains([.literal("wish"), .literal("to"), .literal("formally"), .literal("complain")]))
        #expect(p.expansions.contains([.literal("want"), .literal("to"), .literal("complain")]))
    }

    @Test func nestedGroups() throws {
        let p = try PhrasePattern("on (his|my (mum's|dad's)) behalf")
        #expect(p.expansions.count == 3)
        #expect(p.expansions.contains([.literal("on"), .literal("my"), .literal("dad's"), .literal("behalf")]))
    }

    /// The count taken from the pattern's structure is the number of listed expansions
    /// (empty ones left out), and the trie built from the structure matches exactly
    /// what one built expansion by expansion would.
    @Test(arguments: ["(want|wish) to [formally] complain", "on (his|my (mum's|dad's)) behalf", "[a] [b] c", "[a|b] ([c] d|e) [f]",
                      "(i|we) [would|do] (want|wish) to [formally|officially] (complain|make a complaint)", "#number in a #number"])
    func countsAndTrieFollowTheStructure(_ source: String) throws {
        let p = try PhrasePattern(source)
        #expect(p.expansionCount == p.expansions.count)
        var byStructure = PhraseMatcher()
        try byStructure.add(p, owner: 0)
        var byExpansion = PhraseMatcher()
        for expansion in p.expansions {
            let written = expansion.map { e -> String in
                switch e { case .literal(let w): return w; case .number: return "#number"; case .word: return "#word"
                case .capitalised: return "#cap"; case .any: return "#any"; case .exact(let w): return "=" + w; case .lexicon(let n): return "@" + n }
            }.joined(separator: " ")
            try byExpansion.add(try PhrasePattern(written), owner: 0)
        }
        #expect(byStructure.nodeCount == byExpansion.nodeCount)
        #expect(byStructure.phraseCount == byExpansion.phraseCount)
    }

    @Test func emptyExpansionsAreNotCounted() throws {
        #expect(try PhrasePattern("[a] [b]").expansionCount == 3)
        #expect(throws: PatternError.self) { try PhrasePattern("[]") }
    }

    @Test func classes() throws {
        let p = try PhrasePattern("pc #number")
        #expect(p.expansions == [[.literal("pc"), .number]])
    }

    @Test(arguments: ["(a|b", "a)", "[x", "#colour", ""])
    func rejectsBadPatterns(_ source: String) {
        #expect(throws: PatternError.self) { try PhrasePattern(source) }
    }
}

@Suite struct PhraseMatcherTests {
    func matches(_ patterns: [String], in text: String) throws -> [(Int, String)] {
        var m = PhraseMatcher()
        for (i, p) in patterns.enumerated() { try m.add(try PhrasePattern(p), owner: i) }
        let index = TextIndex(text)
        return m.matches(in: index.tokens).map { ($0.owner, index.quote(from: index.tokens[$0.first].start, to: index.tokens[$0.last].end)) }
    }

    @Test func wholeWordsCaseInsensitive() throws {
        let found = try matches(["rude"], in: "He was RUDE, not prudent.")
        #expect(found.map(\.1) == ["RUDE"])
    }

    @Test func collarNumbers() throws {
        let found = try matches(["pc #number"], in: "PC 1234 and pc abc")
        #expect(found.map(\.1) == ["PC 1234"])
    }

    @Test func typographicApostrophes() throws {
        let found = try matches(["don't care"], in: "They don’t care.")
        #expect(found.map(\.1) == ["don’t care"])
    }

    @Test func neverAcrossSentences() throws {
        let found = try matches(["nobody came"], in: "I rang for nobody. Came home.")
        #expect(found.isEmpty)
    }

    @Test func manyPatternsOnePass() throws {
        let patterns = (0..<500).map { "word\($0) (alpha|beta)" } + ["needle"]
        let found = try matches(patterns, in: String(repeating: "hay ", count: 2000) + "needle word7 beta")
        #expect(found.map(\.0) == [500, 7])
    }
}

@Suite struct TextIndexTests {
    @Test func offsetsAreUnicodeScalars() {
        let text = "🚓 Réf: PC 12 was rude."
        let index = TextIndex(text, baseOffset: 10)
        let rude = index.tokens.first { $0.text == "rude" }!
        #expect(index.quote(from: rude.start, to: rude.end) == "rude")
        #expect(rude.start == 10 + Array(text.unicodeScalars).count - 5)
    }

    @Test func sentencesAndParagraphs() {
        let index = TextIndex("First one. Second one?\n\nNew paragraph")
        #expect(index.sentences.count == 3)
        #expect(index.sentenceIsQuestion == [false, true, false])
        #expect(index.tokens.last!.paragraph == 1)
    }

    @Test func contractionsStayWhole() {
        #expect(TextIndex("I'm not").tokens.map(\.text) == ["i'm", "not"])
    }
}

@Suite struct DateReaderTests {
    let reader = DateReader()
    func date(_ text: String, reference: String? = nil) -> String? {
        let tokens = TextIndex(text).tokens
        let ref = reference.flatMap { ISO8601DateFormatterBox.parse($0) }
        guard let found = reader.date(at: 0, in: tokens, reference: ref) else { return nil }
        let c = DateReader.calendar.dateComponents([.year, .month, .day], from: found.date)
        return "\(c.year!)-\(c.month!)-\(c.day!)"
    }

    @Test func ukDayFirst() { #expect(date("02/11/2026") == "2026-11-2") }
    @Test func iso() { #expect(date("2026-10-05") == "2026-10-5") }
    @Test func written() { #expect(date("5th October 2026") == "2026-10-5") }
    @Test func monthFirst() { #expect(date("October 5th, 2026") == "2026-10-5") }
    @Test func noYearIsMostRecentBefore() {
        #expect(date("5th December", reference: "2026-11-20T10:00:00Z") == "2025-12-5")
        #expect(date("5th October", reference: "2026-11-20T10:00:00Z") == "2026-10-5")
    }
    @Test func invalid() {
        #expect(date("31/02/2026") == nil)
        #expect(date("13/13/2026") == nil)
    }
    @Test func windowArithmetic() {
        let letter = ISO8601DateFormatterBox.parse("2026-10-27T09:00:00Z")!
        #expect(DateReader.days(from: letter, to: ISO8601DateFormatterBox.parse("2026-11-24T18:00:00Z")!) == 28)
        #expect(DateReader.days(from: letter, to: ISO8601DateFormatterBox.parse("2026-11-25T08:00:00Z")!) == 29)
    }
}

import Foundation
enum ISO8601DateFormatterBox {
    static func parse(_ s: String) -> Date? { ISO8601DateFormatter().date(from: s) }
}
