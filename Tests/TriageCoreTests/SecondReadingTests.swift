import Foundation
import Testing
import SnowballStemming
@testable import TriageCore

/// The learned second reading: features, learning, the data file, and the
/// decision table's use of its fact (a "not a complaint" row gives way).
@Suite struct SecondReadingTests {
    static let stemmer = try! SnowballStemmer()

    static func index(_ text: String) -> TextIndex {
        TextIndex(text, normalizer: TextNormalizer(table: NormalizationTable(), stemmer: stemmer))
    }

    @Test func featuresAreStemsAndPairsOfStemsWithoutNumbers() {
        let names = SecondReading.features(of: [Self.index("The officers were shouting, 42 times. Rude!")]).map(\.name)
        #expect(names.contains("offic"))
        #expect(names.contains("the offic"))
        #expect(names.contains("were shout"))
        // Punctuation does not break a pair; a number does, and is no feature.
        #expect(names.contains("shout rude") == false)
        #expect(names.contains("time rude"))
        #expect(!names.contains { $0.contains("42") })
        #expect(Set(names).count == names.count)
    }

    @Test func aFeatureQuotesTheOriginalWords() {
        let features = SecondReading.features(of: [Self.index("He was RUDE to me")])
        #expect(features.first { $0.name == "was rude" }?.quote == "was RUDE")
    }

    static let examples: [SecondReadingTrainer.Example] = {
        let complaints = ["the officer was rude to me", "rude officer shouted at me", "i want to complain the officer was rude",
                          "the pcso was rude and shouted"]
        let others = ["thank you to the officer for your help", "thank you for the help with my bike",
                      "when is the next public meeting", "thank you officer"]
        func features(_ s: String) -> [String] { SecondReading.features(of: [index(s)]).map(\.name) }
        return complaints.map { .init(features: features($0), isComplaint: true) }
            + others.map { .init(features: features($0), isComplaint: false) }
    }()

    @Test func learningSeparatesAndIsTheSameEveryTime() {
        let trainer = SecondReadingTrainer()
        let model = trainer.train(Self.examples)
        #expect(model == trainer.train(Self.examples))
        func p(_ s: String) -> Double { model.probability(SecondReading.features(of: [Self.index(s)])) }
        #expect(p("that officer was so rude") > 0.5)
        #expect(p("thank you for your help") < 0.5)
        #expect((model.weights["rude"] ?? 0) > 0)
        #expect((model.weights["thank"] ?? 0) < 0)
        // A word in only one example gets no weight.
        #expect(model.weights["bike"] == nil)
    }

    @Test func theFastSumIsTheSumOverTheFeatures() {
        let model = SecondReadingTrainer().train(Self.examples)
        for text in ["The officer was rude, rude and RUDE to me; 42 officers shouted.", "thank you officer thank you",
                     "", "42", "I want to complain: the PCSO was rude and shouted at me. The officer was rude to me!"] {
            let indexes = [Self.index(text), Self.index("Subject: " + text)]
            let slow = model.logit(SecondReading.features(of: indexes))
            #expect(abs(model.logit(of: indexes) - slow) < 1e-9, "\(text)")
        }
    }

    @Test func theDataFileReadsBackAsTheModelLearned() throws {
        let model = SecondReadingTrainer().train(Self.examples)
        let text = model.fileText(header: ["a header"])
        #expect(text.hasPrefix("# a header\nbias\t"))
        #expect(try SecondReading(fileText: text) == model)
    }

    @Test func aBadLineIsNamed() {
        #expect(throws: SecondReadingFileError.self) { try SecondReading(fileText: "bias\t1\nrude 2\n") }
        do { _ = try SecondReading(fileText: "bias\t1\nrude\tx\n") } catch let e as SecondReadingFileError {
            #expect(e.line == 2)
        } catch { Issue.record("unexpected \(error)") }
        #expect(throws: SecondReadingFileError.self) { try SecondReading(fileText: "rude\t1\n") }
        #expect(throws: SecondReadingFileError.self) { try SecondReading(fileText: "bias\t0\nrude\t1\nrude\t2\n") }
    }

    // MARK: In the decision table

    /// A set where "my bike" alone makes a request for service, unless the second reading says complaint.
    static func set(threshold: Double, model: SecondReading?, guarded: Bool = true) -> RuleSet {
        let settings = SecondReadingSettings(file: "second-reading.tsv", fact: "reads_as_complaint", threshold: threshold, segments: ["new_text"])
        var notComplaint: [String: FactCondition] = ["kind_hint": .value("request_for_service")]
        if guarded { notComplaint["reads_as_complaint"] = .present(false) }
        return RuleSet(
            rules: [MiniRules.rule("k.bike", "kind_hint=request_for_service", ["my bike"])],
            guards: [],
            table: DecisionTable(
                subject: SubjectResolution(candidates: "subject_role", anchors: ["dissatisfaction"], generic: [], fallback: "unknown"),
                rows: [
                    MiniRules.row("request", notComplaint, kind: "request_for_service", outcome: "not_recorded", route: "=force_contact",
                                  reasons: ["not_a_complaint"]),
                    MiniRules.row("reads_as_complaint", ["reads_as_complaint": .present(true)], outcome: "needs_caseworker", route: "=caseworker"),
                    MiniRules.row("fallback", [:], kind: "other", outcome: "needs_caseworker", route: "=caseworker"),
                ],
                flags: nil, secondReading: settings),
            profiles: [ForceProfile(id: "test", name: "Test", cites: "t", reviewWindowDays: 28, handlers: [:], routes: [:],
                                    subjectFlags: nil, outcomes: nil)],
            version: "test", secondReading: model)
    }

    static func decide(_ text: String, _ set: RuleSet) throws -> Decision {
        let classifier = Classifier(try CompiledRuleSet(set, stemmer: stemmer))
        let item = RuleExampleRunner.item(text: text, subject: nil, example: RuleExample(text: text), quotedBody: false)
        return classifier.classify(item, force: "test")
    }

    @Test func aNotAComplaintRowGivesWayWhenTheItemReadsLikeAComplaint() throws {
        let model = SecondReadingTrainer().train(Self.examples)
        let rude = try Self.decide("The officer was rude to me about my bike and shouted.", Self.set(threshold: 0.6, model: model))
        #expect(rude.outcome == .needsCaseworker)
        #expect(rude.decidedBy.row == "reads_as_complaint")
        #expect(rude.explanation.contains("reads like a complaint"))
        #expect(rude.explanation.contains("\"rude\"") || rude.explanation.contains("\"was rude\""))

        let thanks = try Self.decide("Thank you for your help with my bike.", Self.set(threshold: 0.6, model: model))
        #expect(thanks.outcome == .notRecorded)
        #expect(thanks.decidedBy.row == "request")
        // Without weights the rules alone decide.
        let alone = try Self.decide("The officer was rude to me about my bike and shouted.", Self.set(threshold: 0.6, model: nil))
        #expect(alone.decidedBy.row == "request")
    }

    @Test func aRouteTheReadingDoubtsGoesToACaseworker() throws {
        var set = Self.set(threshold: 0.85, model: SecondReading(bias: 0, weights: ["thank": -5, "rude": 1]))
        set.rules.append(MiniRules.rule("d.rude", "dissatisfaction=conduct", ["rude"]))
        set.table.rows.insert(MiniRules.row("doubted", ["reads_as_no_complaint": .present(true)], kind: "other",
                                            outcome: "needs_caseworker", route: "=caseworker"), at: 0)
        set.table.rows.insert(MiniRules.row("routed", ["dissatisfaction": .present(true)], outcome: "routed", route: "=crt"), at: 1)
        set.table.secondReading?.doubt = SecondReadingDoubt(below: 0.2, fact: "reads_as_no_complaint", outcomes: ["routed", "recorded"])
        let doubted = try Self.decide("Thank you, the rude one was caught.", set)
        #expect(doubted.decidedBy.row == "doubted")
        #expect(doubted.outcome == .needsCaseworker)
        #expect(doubted.explanation.contains("does not read like a complaint"))
        let routed = try Self.decide("He was rude.", set)
        #expect(routed.decidedBy.row == "routed")
        #expect(routed.outcome == .routed)
    }

    @Test func lintRefusesANotAComplaintRowThatIgnoresTheFact() throws {
        let model = SecondReadingTrainer().train(Self.examples)
        let unguarded = RuleSetLinter(try CompiledRuleSet(Self.set(threshold: 0.85, model: model, guarded: false), stemmer: Self.stemmer))
        #expect(unguarded.problems().contains { $0.contains("decision row request") && $0.contains("reads_as_complaint: false") })
        let noWeights = RuleSetLinter(try CompiledRuleSet(Self.set(threshold: 0.85, model: nil), stemmer: Self.stemmer))
        #expect(noWeights.problems().contains { $0.contains("no weights loaded") })
        let badThreshold = RuleSetLinter(try CompiledRuleSet(Self.set(threshold: 1.5, model: model), stemmer: Self.stemmer))
        #expect(badThreshold.problems().contains { $0.contains("threshold 1.5") })
    }
}
