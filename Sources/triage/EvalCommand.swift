import ArgumentParser
import Foundation
import RuleFiles
import TriageCore
import TriageIngest
import TriageApp
import TriageStore
import Yams

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Run the labelled corpus end to end: accuracy, confusion matrices, per-rule hits, every wrong item.",
        discussion: """
            DIR holds folders with an expected.yaml each (force and, per item, kind, subject, outcome, handler, \
            reasons, flags). Thresholds and the misses kept on purpose (each with why) are read from \
            DIR/eval.yaml. Exits 3 when accuracy is below the threshold or a real complaint is marked \
            not_recorded (the worst error) beyond what eval.yaml allows.

            Examples:
              triage eval Corpus
              triage eval --format json Corpus > eval.json
              triage eval --show-correct Corpus/cambridgeshire-email
              triage eval --variants Corpus        # do decisions hold when only the wording or encoding changes?
            """
    )

    @Argument(help: "The labelled corpus folder.") var directory: String
    @OptionGroup var ruleOptions: RuleOptions
    @OptionGroup var formatOptions: FormatOptions
    var format: OutputFormat { formatOptions.format }
    @Flag(help: "Also list the items decided correctly.") var showCorrect = false
    @Flag(help: "Rewrite every item in meaning-preserving ways (encodings, wrapping, contractions, capitals, a reply line) and report the decisions that change; exits 3 when an encoding or wrapping changes one or wording changes more than 2%.")
    var variants = false
    @Flag(help: "Decide each blind batch with a second reading learned without it (its honest figure), the team's own items with the full model; prints the blind items' figures too.")
    var heldOut = false

    func run() throws {
        if variants { return try runVariants() }
        let (_, compiled) = try ruleOptions.load()
        let ingester = try makeIngester(ruleOptions)
        let classifier = Classifier(compiled)
        let corpus = try loadCorpus()
        let classifierFor = heldOut ? heldOutClassifiers(corpus, ingester: ingester, classifier: classifier) : nil
        let report = try EvalJob(ingester: ingester, classifier: classifier, ruleSet: compiled.ruleSet)
            .run(corpus, classifierFor: classifierFor)
        var out = OutputWriter()
        switch format {
        case .json: out.json(try report.json())
        case .text:
            for line in report.text(showCorrect: showCorrect) { out.line(line) }
            if heldOut {
                let blind = report.rows.filter { SecondReadingLearning.batch(of: $0.path, root: corpus.root) != "own" }
                let right = blind.filter(\.correct).count
                out.line(String(format: "held out: %d blind items, each decided with a second reading learned without its batch: %d fully right (%.1f%%), %d worst errors, %d confident wrong routes",
                                blind.count, right, blind.isEmpty ? 0 : Double(right) * 100 / Double(blind.count),
                                blind.filter(\.worst).count, blind.filter(\.isConfidentWrongRoute).count))
            }
        }
        out.flush()
        if !report.passes { throw ExitCodes.checkFailed }
    }
}

extension EvalCommand {
    /// The labelled corpus, or a usage error naming the file.
    func loadCorpus() throws -> LabelledCorpus {
        do { return try LabelledCorpus.load(directory) } catch let error as EvalCorpusError {
            throw ValidationError(error.description)
        }
    }

    /// `--held-out`: per blind batch, a classifier whose second reading was learned
    /// from every other item; the team's own items keep the full model.
    func heldOutClassifiers(_ corpus: LabelledCorpus, ingester: Ingester, classifier: Classifier) -> (String) -> Classifier {
        let learning = SecondReadingLearning(ingester: ingester, classifier: classifier)
        let items = learning.read(corpus).items
        var byBatch: [String: Classifier] = [:]
        for batch in Set(items.map(\.batch)).subtracting(["own"]).sorted() {
            Diagnostics.note("held out: learning without \(batch)")
            byBatch[batch] = classifier.replacingSecondReading(learning.learn(items.filter { $0.batch != batch }))
        }
        return { folder in byBatch[SecondReadingLearning.batch(of: folder, root: corpus.root)] ?? classifier }
    }

    /// `--variants`: every single item, rewritten each way, classified again and compared.
    func runVariants() throws {
        let (_, compiled) = try ruleOptions.load()
        let ingester = try makeIngester(ruleOptions)
        let classifier = Classifier(compiled)
        let maker = VariantMaker(ingester: ingester)
        let corpus = try loadCorpus()
        struct Tally { var tried = 0; var changed: [String] = [] }
        var tallies: [MeaningPreservingVariant: Tally] = [:]
        func key(_ d: Decision) -> String {
            [d.kind.rawValue, d.subject.rawValue, d.outcome.rawValue, d.handler, d.reasons.sorted().joined(separator: ","), d.flags.sorted().joined(separator: ",")].joined(separator: "|")
        }
        var progress = 0
        for case let (folder, label) in corpus.items {
            let path = folder + "/" + label.file
            guard let data = FileManager.default.contents(atPath: path),
                  let item = try? ingester.parse(RawItem(bytes: [UInt8](data), source: path), fileTime: nil) else { continue }
            let original = classifier.classify(item, force: label.force)
            for variant in MeaningPreservingVariant.allCases {
                let made: Correspondence?
                do { made = try maker.make(variant, of: item) } catch {
                    tallies[variant, default: Tally()].changed.append("\(path) (could not be rewritten: \(error))")
                    continue
                }
                guard let rewritten = made else { continue }
                tallies[variant, default: Tally()].tried += 1
                let decision = classifier.classify(rewritten, force: label.force)
                if key(decision) != key(original) {
                    tallies[variant, default: Tally()].changed.append("\(path): \(key(original)) → \(key(decision))")
                }
            }
            progress += 1
            if progress % 50 == 0 { Diagnostics.note("variants: \(progress) of \(corpus.items.count) items") }
        }
        var out = OutputWriter()
        var failed = false
        var wordingTried = 0, wordingChanged = 0, encodingChanged = 0
        for variant in MeaningPreservingVariant.allCases {
            let t = tallies[variant] ?? Tally()
            if variant.isWording { wordingTried += t.tried; wordingChanged += t.changed.count } else { encodingChanged += t.changed.count }
            switch format {
            case .json:
                let object: [String: Any] = ["variant": variant.rawValue, "items": t.tried, "changed": t.changed.count, "wording": variant.isWording, "changes": t.changed]
                out.json(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            case .text:
                out.line("\(variant.rawValue): \(t.changed.count) of \(t.tried) decisions changed")
                for c in t.changed { out.line("  - \(c)") }
            }
        }
        let unchanged = wordingTried == 0 ? 1 : Double(wordingTried - wordingChanged) / Double(wordingTried)
        failed = unchanged < 0.98 || encodingChanged > 0
        if format == .text {
            out.line(String(format: "wording variants: %.1f%% of decisions unchanged (at least 98%% required); encodings and wrapping: %d changed (none allowed)",
                            unchanged * 100, encodingChanged))
            out.line("variants: \(failed ? "FAIL" : "PASS")")
        }
        out.flush()
        if failed { throw ExitCodes.checkFailed }
    }
}
