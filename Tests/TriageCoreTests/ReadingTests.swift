import Foundation
import Testing
import SnowballStemming
@testable import TriageCore

/// The reading layer: normalisation, word classes, mentions, links back and the
/// safety property of the decision table, on small rule sets built in code.
@Suite struct NormalizationTests {
    static let table = NormalizationTable(
        words: ["im": "i am", "cant": "can not", "can't": "can not"],
        endings: ["n't": "not", "'d": "would", "'re": "are"],
        isBefore: ["it", "that"],
        spellings: ["behavior": "behaviour"],
        stems: ["officer": "officer", "office": "office"])

    static func normalizer() throws -> TextNormalizer { TextNormalizer(table: table, stemmer: try SnowballStemmer()) }

    @Test func contractionsExpandWithOffsetsOnTheWrittenWord() throws {
        let index = TextIndex("I'd say Im fine, it's ok", normalizer: try Self.normalizer())
        #expect(index.tokens.map(\.text).prefix(6) == ["i", "would", "say", "i", "am", "fine"])
        // Both words of "I'd" point at "I'd" in the original.
        #expect(index.tokens[0].start == 0 && index.tokens[0].end == 3)
        #expect(index.tokens[1].start == 0 && index.tokens[1].end == 3)
        #expect(index.tokens.map(\.text).suffix(4) == [",", "it", "is", "ok"])
    }

    @Test func possessiveIsDroppedAndSpellingMapped() throws {
        let index = TextIndex("the officer's behavior", normalizer: try Self.normalizer())
        #expect(index.tokens.map(\.text) == ["the", "officer", "behaviour"])
    }

    @Test func stemsJoinInflectionsButHandGivenStemsKeepWordsApart() throws {
        let n = try Self.normalizer()
        #expect(n.words(for: "complaining")[0].stem == n.words(for: "complained")[0].stem)
        #expect(n.words(for: "officer")[0].stem != n.words(for: "office")[0].stem)
    }

    /// `rules lint` names alternatives the normaliser makes redundant, so rule
    /// files need not spell out inflections and contractions.
    @Test func alternativesThatNormaliseAlikeAreReported() throws {
        let n = try Self.normalizer()
        let p = try PhrasePattern("(i'd|i would|we would) (request|requesting) [a|an] (review|appeal|reviews) [of (my|the) (complaint|complaints)]")
        let found = p.redundantAlternatives(normalizer: n).map { "\($0.alternative)=\($0.sameAs)" }
        #expect(Set(found) == ["i would=i'd", "requesting=request", "reviews=review", "complaints=complaint"])
        // Different words, and an alternative that differs in one expansion, are kept.
        #expect(try PhrasePattern("(officer|office) [(a|the)|a] (rude|angry)").redundantAlternatives(normalizer: n).isEmpty)
        #expect(try PhrasePattern("(can not|cant|can) go").redundantAlternatives(normalizer: n).map(\.alternative) == ["cant"])
    }

    @Test func aPhraseWrittenOnceMatchesEveryWritingOfIt() throws {
        let n = try Self.normalizer()
        var m = PhraseMatcher()
        try m.add(try PhrasePattern("i would like to complain"), owner: 0, normalizer: n)
        for text in ["I'd like to complain", "I would like to complain", "i'd LIKE to complaining"] {
            #expect(m.matches(in: TextIndex(text, normalizer: n).tokens).contains { $0.owner == 0 }, "\(text)")
        }
        #expect(!m.matches(in: TextIndex("I like to complain", normalizer: n).tokens).contains { $0.owner == 0 })
    }

    @Test func exactWordsAreNotMatchedByStem() throws {
        let n = try Self.normalizer()
        var m = PhraseMatcher()
        try m.add(try PhrasePattern("=dismissive"), owner: 0, normalizer: n)
        #expect(m.matches(in: TextIndex("very dismissive", normalizer: n).tokens).count == 1)
        #expect(m.matches(in: TextIndex("case dismissed", normalizer: n).tokens).isEmpty)
    }
}

@Suite struct WordClassTests {
    /// Rules that use word classes, mentions that widen, and words that refer back.
    static var set: RuleSet {
        var set = MiniRules.set
        set.lexicons += [
            Lexicon(id: "role", description: "police person", source: nil, entries: ["(officer|pcso|copper)"], examples: nil),
            Lexicon(id: "modifier", description: "words before a role", source: nil, entries: ["(a|the|several|very|rude|young|uniformed)"], examples: nil),
            Lexicon(id: "anaphor", description: "refers back", source: nil, entries: ["(he|she|they|them)"], examples: nil),
            Lexicon(id: "nobody", description: "a role said not to be there", source: nil,
                    entries: ["no", "not (a|an)", "(has not|never) seen (a|an|any)"], examples: nil),
        ]
        set.rules.append(Rule(id: "s.role", description: "role", cites: "t", sets: "subject_role=officer_or_staff",
                              match: RuleMatch(phrases: ["@modifier @role"]), widen: "modifier"))
        set.rules.append(MiniRules.rule("d.behaved", "dissatisfaction=explicit", ["complain about how"]))
        set.table.subject.anaphors = "anaphor"
        return set
    }

    static func decide(_ text: String) throws -> Decision {
        let classifier = Classifier(try CompiledRuleSet(set, stemmer: SnowballStemmer()))
        let item = RuleExampleRunner.item(text: text, subject: nil, example: RuleExample(text: text), quotedBody: false)
        return classifier.classify(item, force: "test")
    }

    @Test func aMentionWidensToTheWholeNounPhrase() throws {
        let d = try Self.decide("A very rude young PCSO shouted.")
        #expect(d.justification.contains { $0.rule == "s.role" && $0.quote == "A very rude young PCSO" })
    }

    @Test func aPronounLinksToTheRoleInTheSentenceBefore() throws {
        let d = try Self.decide("Several uniformed officers came at midnight. I want to complain about how they behaved.")
        #expect(d.subject == .officerOrStaff)
        #expect(d.outcome == .routed)
        // The evidence shows both ends of the link.
        #expect(d.justification.contains { $0.rule == "subject.refers_back" && $0.quote.hasPrefix("Several uniformed officers") && $0.quote.hasSuffix("complain about how") })
    }

    /// "hasn't seen a copper", "not a PCSO": a role said not to be there names nobody,
    /// so a word that refers back cannot link to it (the `nobody` class, several words long).
    @Test func aRoleSaidNotToBeThereIsNoAntecedent() throws {
        let d = try Self.decide("Our village has not seen a copper in a year. I want to complain about how they behaved.")
        #expect(!d.justification.contains { $0.rule == "subject.refers_back" })
        let linked = try Self.decide("Our village saw a copper last week. I want to complain about how they behaved.")
        #expect(linked.justification.contains { $0.rule == "subject.refers_back" })
    }

    @Test func withoutAWordThatRefersBackNoLinkIsMade() throws {
        let d = try Self.decide("Several uniformed officers came at midnight.\n\nI want to complain about how the bins are emptied.")
        #expect(!d.justification.contains { $0.rule == "subject.refers_back" })
    }

    /// Word classes' examples run with the rules' (`triage rules test`), and a wrong one fails.
    @Test func wordClassExamplesRunAndCanFail() throws {
        var set = Self.set
        let role = try #require(set.lexicons.firstIndex { $0.id == "role" })
        set.lexicons[role].examples = RuleExamples(match: [RuleExample(text: "then [[the copper]] came")],
                                                noMatch: [RuleExample(text: "a copper came"), RuleExample(text: "a neighbour came")])
        let results = RuleExampleRunner(Classifier(try CompiledRuleSet(set, stemmer: SnowballStemmer()))).run(prefix: "@role")
        #expect(results.count == 3)
        #expect(results.filter(\.passed).count == 2)
        #expect(results.contains { !$0.passed && $0.example == "a copper came" && $0.problem == "found: \"copper\"" })
    }

    /// Praise is undone when the sentence turns against the same person
    /// (`undone_by`), not when it turns to someone else.
    @Test func praiseIsUndoneByATurnAgainstTheSamePerson() throws {
        var set = Self.set
        set.lexicons.append(Lexicon(id: "turn_against", description: "turns", source: nil,
                                    entries: ["but [when] (he|she|they)"], examples: nil))
        set.guards.append(Guard(id: "praise", description: "praised", before: nil, window: 10, sentence: nil,
                                after: ["was (fine|polite)"], questionOnly: nil, acrossClauses: true, undoneBy: "turn_against"))
        set.rules[set.rules.count - 2].guards = ["praise"]
        let classifier = Classifier(try CompiledRuleSet(set, stemmer: SnowballStemmer()))
        func mentioned(_ text: String) -> Bool {
            let item = RuleExampleRunner.item(text: text, subject: nil, example: RuleExample(text: text), quotedBody: false)
            return classifier.classify(item, force: "test").justification.contains { $0.rule == "s.role" }
        }
        #expect(!mentioned("The officer was fine with everyone."))
        #expect(mentioned("The officer was fine with the man in front but when he got to me he shouted."))
        #expect(!mentioned("The officer was polite, but my neighbour shouted."))
        set.guards[set.guards.count - 1].undoneBy = "no_such_class"
        #expect(throws: RuleSetError.self) { _ = try CompiledRuleSet(set, stemmer: SnowballStemmer()) }
    }

    /// The mini set with the word classes that say who acted: sex, possessives, personal pronouns.
    static func withPersonClasses() throws -> Classifier {
        var set = Self.set
        set.lexicons += [
            Lexicon(id: "male_word", description: "a man", source: nil, entries: ["(he|his)"], examples: nil),
            Lexicon(id: "female_word", description: "a woman", source: nil, entries: ["(she|her)"], examples: nil),
            Lexicon(id: "person_pronoun", description: "he or she", source: nil, entries: ["(he|she)"], examples: nil),
            Lexicon(id: "personal_pronoun", description: "a person", source: nil, entries: ["(he|she|him|her|his)"], examples: nil),
            Lexicon(id: "possessive_pronoun", description: "whose", source: nil, entries: ["(his|her|their)"], examples: nil),
        ]
        set.rules.append(MiniRules.rule("s.neighbour", "subject_role=not_police", ["my neighbour"]))
        let anaphor = try #require(set.lexicons.firstIndex { $0.id == "anaphor" })
        set.lexicons[anaphor].entries = ["(he|she|they|them|him)"]
        return Classifier(try CompiledRuleSet(set, stemmer: SnowballStemmer()))
    }

    static func decide(_ text: String, with classifier: Classifier) -> Decision {
        classifier.classify(RuleExampleRunner.item(text: text, subject: nil, example: RuleExample(text: text), quotedBody: false), force: "test")
    }

    /// "she" at the words acts, and is the role before whose sex agrees, over a nearer one
    /// whose sex is not known; with no role of that sex, someone else acted.
    @Test func theActingPronounAgreesInSexWithTheRole() throws {
        let c = try Self.withPersonClasses()
        let agreeing = Self.decide("The officer put her radio down. My neighbour saw it. Then she punched me.", with: c)
        #expect(agreeing.justification.contains { $0.rule == "x.assault" })
        let otherSex = Self.decide("The officer put her radio down. Then he punched me.", with: c)
        #expect(!otherSex.justification.contains { $0.rule == "x.assault" })
    }

    /// "The commissioner shouted at his officer and was rude": the people named as someone's
    /// belong to the role before them, which acts.
    @Test func peopleNamedAsSomeonesAreNotTheActor() throws {
        let d = Self.decide("The commissioner shouted at his officer and was rude.", with: try Self.withPersonClasses())
        #expect(d.subject == .pcc)
    }

    /// "I complain about him and I told the commissioner": a pronoun right after "about" is what the
    /// words are about, so the role named later in the sentence is not the subject.
    @Test func aPronounAfterThePointerRefersBack() throws {
        let d = Self.decide("The officer came round. I complain about him and I told the commissioner.", with: try Self.withPersonClasses())
        #expect(d.subject == .officerOrStaff)
    }

    @Test func anUnknownWordClassIsAnError() throws {
        var set = Self.set
        set.rules.append(MiniRules.rule("bad", "x", ["@nope"]))
        #expect(throws: RuleSetError.self) { _ = try CompiledRuleSet(set, stemmer: SnowballStemmer()) }
    }
}

@Suite struct SafetyPropertyTests {
    @Test func notRecordedNeedsAPositiveReason() {
        let row = MiniRules.row("weak", ["dissatisfaction": .present(false)], kind: "enquiry", outcome: "not_recorded", route: "x", reasons: ["not_a_complaint"])
        var table = MiniRules.set.table
        #expect(RuleSetLinter.safetyProblems(row, table: table).contains { $0.contains("no positive reason") })
        table.criticismFact = "police_criticism"
        let enquiry = MiniRules.row("enquiry", ["kind_hint": .value("enquiry")], kind: "enquiry", outcome: "not_recorded", route: "x", reasons: ["not_a_complaint"])
        #expect(RuleSetLinter.safetyProblems(enquiry, table: table).contains { $0.contains("police_criticism: false") })
        let safe = MiniRules.row("enquiry", ["kind_hint": .value("enquiry"), "police_criticism": .present(false)], kind: "enquiry",
                                 outcome: "not_recorded", route: "x", reasons: ["not_a_complaint"])
        #expect(RuleSetLinter.safetyProblems(safe, table: table).isEmpty)
    }
}

/// "No identity" means no sender and no way to reach the writer in what they wrote.
@Suite struct ContactInTextTests {
    @Test(arguments: ["ring me on 01632 961322", "07 phone 01632-961322 any time", "Flat 3 Regent St, Wellingborough NN8 9ZZ", "write to kelly.shaw@example.com"])
    func aContactInTheTextIsAWayToReachTheWriter(text: String) {
        #expect(Evaluation.givesContact(text), "\(text)")
    }

    @Test(arguments: ["I am not giving my name.", "It happened on 24/10/2026 at 10:15.", "Ring 101 or 999.", "Crime ref 35/61234/26"])
    func otherNumbersAreNot(text: String) {
        #expect(!Evaluation.givesContact(text), "\(text)")
    }
}
