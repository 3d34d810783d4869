import Foundation
import Testing
import SnowballStemming
import Synchronization
@testable import TriageCore

/// The fast paths of matching give what the plain definitions give: the trie
/// walk over interned ids against every expansion tried at every token, the
/// view's word-class tables against scanning the matches, and the remembered
/// normalised words against normalising afresh.
@Suite struct FastMatchingTests {
    static let vocabulary = ["the", "officer", "pc", "was", "rude", "not", "came", "nobody", "never", "Smith", "I", "complain",
                             "1234", "101", "about", "police", "very", "and", "he", "she"]

    static func randomText(_ random: inout SplitMix64, words: Int) -> String {
        var text = ""
        for i in 0..<words {
            text += Self.vocabulary[Int(random.next() % UInt64(Self.vocabulary.count))]
            let r = random.next() % 10
            text += r == 0 ? ". " : r == 1 ? ", " : r == 2 && i % 7 == 0 ? "?\n\n" : " "
        }
        return text
    }

    static func randomPattern(_ random: inout SplitMix64) -> String {
        let parts = ["the", "officer", "pc", "rude", "not", "nobody came", "#number", "#word", "#cap", "#any", "=was", "(very|not) rude",
                     "[the] officer", "(he|she) was", "[very|not]", "complain about", "(pc|officer) #number"]
        return (0..<(1 + Int(random.next() % 3))).map { _ in parts[Int(random.next() % UInt64(parts.count))] }.joined(separator: " ")
    }

    /// Whether `element` accepts `token` (the matcher's definition, stated plainly).
    static func accepts(_ element: PhrasePattern.Element, _ token: TextIndex.Token) -> Bool {
        switch element {
        case .literal(let w): return token.stem == w
        case .exact(let w): return token.text == w
        case .number: return token.isWord && token.isNumber
        case .word: return token.isWord && !token.isNumber
        case .capitalised: return token.isWord && token.isCapitalised
        case .any: return true
        case .lexicon: return false
        }
    }

    struct Found: Hashable { var owner: Int, first: Int, last: Int }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func theTrieWalkFindsWhatEveryExpansionTriedEverywhereFinds(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var matcher = PhraseMatcher()
        var patterns: [PhrasePattern] = []
        // Enough patterns that the edge table grows several times.
        for owner in 0..<400 {
            let pattern = try PhrasePattern(Self.randomPattern(&random))
            patterns.append(pattern)
            try matcher.add(pattern, owner: owner)
        }
        let index = TextIndex(Self.randomText(&random, words: 300))
        let tokens = index.tokens
        var expected = Set<Found>()
        for (owner, pattern) in patterns.enumerated() {
            for expansion in pattern.expansions {
                for start in tokens.indices where start + expansion.count <= tokens.count {
                    let span = tokens[start..<start + expansion.count]
                    if span.allSatisfy({ $0.sentence == tokens[start].sentence }),
                       zip(expansion, span).allSatisfy({ Self.accepts($0, $1) }) {
                        expected.insert(Found(owner: owner, first: start, last: start + expansion.count - 1))
                    }
                }
            }
        }
        let found = matcher.matches(in: tokens)
        #expect(Set(found.map { Found(owner: $0.owner, first: $0.first, last: $0.last) }) == expected)
        #expect(!expected.isEmpty)
        #expect(found.map(\.first) == found.map(\.first).sorted())
    }

    @Test func wordClassEdgesCarryTheClassMatchOn() throws {
        var classes = PhraseMatcher()
        try classes.add(try PhrasePattern("(officer|pc|police officer)"), owner: 0)
        try classes.add(try PhrasePattern("(very|rude)"), owner: 1)
        var matcher = PhraseMatcher()
        try matcher.add(try PhrasePattern("the @role was @bad"), owner: 7, lexicons: ["role": 0, "bad": 1])
        try matcher.add(try PhrasePattern("@role"), owner: 8, lexicons: ["role": 0, "bad": 1])
        let index = TextIndex("The police officer was rude. The pc was very rude.")
        let found = matcher.matches(in: index.tokens, classes: classes.classMatches(in: index.tokens))
        let quoted = found.map { "\($0.owner) " + index.quote(from: index.tokens[$0.first].start, to: index.tokens[$0.last].end) }
        #expect(quoted == ["7 The police officer was rude", "8 police officer", "8 officer", "7 The pc was very", "8 pc"])
    }

    @Test(arguments: [11, 12, 13])
    func viewTablesAnswerAsAScanOfTheMatchesWould(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var classes = PhraseMatcher()
        try classes.add(try PhrasePattern("(officer|pc #number|the officer)"), owner: 0)
        try classes.add(try PhrasePattern("(very rude|rude|not)"), owner: 1)
        try classes.add(try PhrasePattern("#cap [#cap]"), owner: 2)
        let index = TextIndex(Self.randomText(&random, words: 400))
        var view = View(segment: "new_text", index: index)
        view.classes = classes.classMatches(in: index.tokens)
        let all = view.classes.flatMap { $0 }
        #expect(!all.isEmpty)
        for id in 0..<4 {
            for position in -1...index.tokens.count {
                for reach in [0, 1, 3, 8] {
                    let scan = all.contains { $0.owner == id && $0.last == position && $0.first >= position - reach }
                    #expect(view.classMatch(id, endingAt: position, reach: reach) == scan)
                }
                #expect(view.classMatch(id, startingAt: position) == all.contains { $0.owner == id && $0.first == position })
                #expect(view.token(position, isIn: id) == all.contains { $0.owner == id && $0.first == position && $0.last == position })
            }
            for sentence in -1...index.sentences.count {
                let scan = index.sentences.indices.contains(sentence)
                    && all.contains { $0.owner == id && index.sentences[sentence].contains($0.first) }
                #expect(view.sentence(sentence, has: id) == scan)
            }
        }
    }

    @Test func rememberedWordsAreTheWordsNormalisedAfresh() throws {
        let table = NormalizationTable(words: ["im": "i am", "cant": "can not"], endings: ["n't": "not", "'d": "would"],
                                       isBefore: ["it"], spellings: ["behavior": "behaviour"], stems: ["officer": "officer"])
        let fresh = TextNormalizer(table: table, stemmer: try SnowballStemmer())
        let words = ["im", "cant", "didn't", "i'd", "it's", "officer's", "behavior", "complaining", "officers", "rudely", "summat", "coppers"]
        let remembered = fresh.remembering(Dictionary(uniqueKeysWithValues: words.prefix(6).map { ($0, fresh.words(for: $0)) }))
        // Several threads at once: the learned words are shared under locks.
        let results = Mutex<[[NormalizedWord]]>(Array(repeating: [], count: words.count * 50))
        DispatchQueue.concurrentPerform(iterations: words.count * 50) { i in
            let got = remembered.words(for: words[i % words.count])
            results.withLock { $0[i] = got }
        }
        let plain = TextNormalizer(table: table, stemmer: try SnowballStemmer())
        let stemmer = try SnowballStemmer()
        for (i, got) in results.withLock({ $0 }).enumerated() {
            let word = words[i % words.count]
            #expect(got == plain.expand(word).map { NormalizedWord(text: $0, stem: table.stems[$0] ?? stemmer.stem($0)) }, "\(word)")
        }
    }
}
