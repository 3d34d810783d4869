import Foundation
import RuleFiles
import Testing
@testable import TriageCore
import TriageIngest

/// Tokens indexed with the compiled rules' normaliser carry their words'
/// vocabulary ids, and matching by those ids finds exactly what looking each
/// token's words up finds, for the rule matcher and the word-class matcher
/// alike (they share one vocabulary), on every item of the corpus.
@Suite struct TokenIdsTests {
    /// Every body segment and subject of the corpus, as the classifier reads them.
    static func corpusTexts() throws -> [String] {
        let ingester = try Ingester(rulesDirectory: Repository.rules)
        let source = ItemSource(paths: [Repository.root.appendingPathComponent("Corpus").path])
        var texts: [String] = []
        while let entry = source.next() {
            guard case .item(let raw, let fileTime) = entry, let item = try? ingester.parse(raw, fileTime: fileTime) else { continue }
            texts.append(item.body.text)
            if let subject = item.subject { texts.append(subject) }
        }
        return texts
    }

    @Test func matchingByIdsFindsWhatMatchingByWordsFinds() throws {
        let rules = try Repository.compiled
        let texts = try Self.corpusTexts()
        #expect(texts.count > 100)
        var withIds = 0, known = 0, matched = 0
        for text in texts {
            let tokens = rules.index(text).tokens
            withIds += tokens.filter { $0.ids.vocabulary != 0 }.count
            known += tokens.filter { $0.ids.stem >= 0 }.count
            // The same tokens without ids: the matchers look every word up.
            let plain = tokens.map { var t = $0; t.ids = .none; return t }
            let classes = rules.classMatcher.classMatches(in: tokens)
            #expect(classes == rules.classMatcher.classMatches(in: plain))
            let found = rules.matcher.matches(in: tokens, classes: classes)
            #expect(found == rules.matcher.matches(in: plain, classes: classes))
            matched += found.count
        }
        // The fast path was taken, and found something to compare.
        #expect(withIds > 10_000)
        #expect(known > 1_000)
        #expect(matched > 1_000)
    }

    @Test func idsFromAnotherRuleSetAreNotUsed() throws {
        let rules = try Repository.compiled
        let other = try RuleDirectory(Repository.rules).compile()
        let text = "The officer was very rude to me and nobody came when I called 101. I wish to complain."
        let tokens = other.index(text).tokens
        // Another compilation has its own tag: its tokens are looked up by their words.
        #expect(tokens.allSatisfy { $0.ids.vocabulary != rules.matcher.vocabularyTag })
        let classes = rules.classMatcher.classMatches(in: tokens)
        #expect(!rules.matcher.matches(in: tokens, classes: classes).isEmpty)
        #expect(rules.matcher.matches(in: tokens, classes: classes)
                == rules.matcher.matches(in: rules.index(text).tokens, classes: rules.classMatcher.classMatches(in: rules.index(text).tokens)))
    }
}
