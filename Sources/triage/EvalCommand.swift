import ArgumentParser
import Foundation
import RuleFiles
import TriageCore
import TriageIngest
import TriageStore
import Yams

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Run the labelled corpus end to end: accuracy, confusion matrices, per-rule hits, every wrong item.",
        discussion: """
            DIR holds folders with an expected.yaml each (force and, per item, kind, subject, outcome, handler,
            reasons, flags). Thresholds and the misses kept on purpose (each with why) are read from
            DIR/eval.yaml. Exits 3 when accuracy is below the threshold or a real complaint is marked
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

    func run() throws {
        if variants { return try runVariants() }
        let (_, compiled) = try ruleOptions.load()
        let ingester = try makeIngester(ruleOptions)
        let classifier = Classifier(compiled)
        let corpus = try LabelledCorpus.load(directory)
        var report = EvalReport(thresholds: corpus.thresholds)
        for case let (folder, label) in corpus.items {
            let path = folder + "/" + label.file
            guard let data = FileManager.default.contents(atPath: path) else {
                report.addUnreadable(path, problem: "cannot read the file")
                continue
            }
            do {
                let item = try ingester.parse(RawItem(bytes: [UInt8](data), source: path), fileTime: nil)
                let trace = classifier.trace(item, force: label.force)
                report.add(path: path, expected: label, decision: trace.decision)
            } catch {
                report.addUnreadable(path, problem: "\(error)")
            }
        }
        // History sequences: each folder in name order through a fresh store.
        for (folder, labels) in corpus.sequences {
            let temp = FileManager.default.temporaryDirectory.appendingPathComponent("triage-eval-\(UUID().uuidString).sqlite").path
            defer {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: temp + suffix) }
            }
            let store = try Store(path: temp)
            for label in labels {
                let path = folder + "/" + label.file
                guard let data = FileManager.default.contents(atPath: path) else {
                    report.addUnreadable(path, problem: "cannot read the file")
                    continue
                }
                let thresholds = compiled.ruleSet.profile(label.force)?.history ?? .defaults
                do {
                    let result = try store.ingest(
                        RawItem(bytes: [UInt8](data), source: path), actor: "triage eval", thresholds: thresholds,
                        parse: { try ingester.parse($0) },
                        classify: { item, facts in classifier.classify(item, force: label.force, history: facts) })
                    if let decision = result.decision?.decision.decision {
                        report.add(path: path, expected: label, decision: decision)
                    } else {
                        report.addUnreadable(path, problem: result.quarantine?.problem ?? "not stored")
                    }
                } catch {
                    report.addUnreadable(path, problem: "\(error)")
                }
            }
        }
        var out = OutputWriter()
        switch format {
        case .json: out.json(try report.json())
        case .text: for line in report.text(showCorrect: showCorrect) { out.line(line) }
        }
        out.flush()
        if !report.passes { throw ExitCodes.checkFailed }
    }
}

extension EvalCommand {
    /// `--variants`: every single item, rewritten each way, classified again and compared.
    func runVariants() throws {
        let (_, compiled) = try ruleOptions.load()
        let ingester = try makeIngester(ruleOptions)
        let classifier = Classifier(compiled)
        let maker = VariantMaker(ingester: ingester)
        let corpus = try LabelledCorpus.load(directory)
        struct Tally { var tried = 0; var changed: [String] = [] }
        var tallies: [MeaningPreservingVariant: Tally] = [:]
        func key(_ d: Decision) -> String {
            [d.kind, d.subject, d.outcome, d.handler, d.reasons.sorted().joined(separator: ","), d.flags.sorted().joined(separator: ",")].joined(separator: "|")
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

/// One labelled item.
struct ExpectedDecision: Decodable {
    var file: String = ""
    var force: String = ""
    var kind: String
    var subject: String?
    var outcome: String
    var handler: String
    var reasons: [String]?
    var flags: [String]?
    var categories: [String]?
    var row: String?
    var trap: String?
    var why: String?

    enum CodingKeys: String, CodingKey { case kind, subject, outcome, handler, reasons, flags, categories, row, trap, why }
}

/// Thresholds and kept misses (DIR/eval.yaml).
struct EvalThresholds: Decodable {
    /// Share of items whose kind, outcome, handler, reasons and flags are all right.
    var minDecisionAccuracy: Double = 0.9
    /// Share of items whose outcome and handler are right.
    var minRouteAccuracy: Double = 0.9
    /// Real complaints marked not_recorded allowed (the worst error).
    var maxComplaintsNotRecorded: Int = 0
    /// Misses kept on purpose: item path (relative to DIR) → why.
    var knownMisses: [String: String] = [:]

    enum CodingKeys: String, CodingKey {
        case minDecisionAccuracy = "min_decision_accuracy"
        case minRouteAccuracy = "min_route_accuracy"
        case maxComplaintsNotRecorded = "max_complaints_not_recorded"
        case knownMisses = "known_misses"
    }

    init() {}

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        minDecisionAccuracy = try c.decodeIfPresent(Double.self, forKey: .minDecisionAccuracy) ?? 0.9
        minRouteAccuracy = try c.decodeIfPresent(Double.self, forKey: .minRouteAccuracy) ?? 0.9
        maxComplaintsNotRecorded = try c.decodeIfPresent(Int.self, forKey: .maxComplaintsNotRecorded) ?? 0
        knownMisses = try c.decodeIfPresent([String: String].self, forKey: .knownMisses) ?? [:]
    }
}

/// The labelled corpus: every folder's expected.yaml.
struct LabelledCorpus {
    var items: [(String, ExpectedDecision)] = []
    /// History sequences: folders whose items are ingested in name order into a fresh store.
    var sequences: [(String, [ExpectedDecision])] = []
    var thresholds = EvalThresholds()
    var root: String

    static func load(_ root: String) throws -> LabelledCorpus {
        var corpus = LabelledCorpus(root: root)
        let fm = FileManager.default
        let thresholdsPath = root + "/eval.yaml"
        if let text = fm.contents(atPath: thresholdsPath).map({ String(decoding: $0, as: UTF8.self) }) {
            do { corpus.thresholds = try YAMLDecoder().decode(EvalThresholds.self, from: text) } catch {
                throw ValidationError("\(thresholdsPath): \(error)")
            }
        }
        guard let walker = fm.enumerator(atPath: root) else { throw ValidationError("\(root): cannot read the folder") }
        var files: [String] = []
        for case let relative as String in walker where relative.hasSuffix("expected.yaml") { files.append(relative) }
        if files.isEmpty { throw ValidationError("\(root): no expected.yaml found") }
        for relative in files.sorted() {
            let path = root + "/" + relative
            let folder = (path as NSString).deletingLastPathComponent
            struct File: Decodable { var force: String; var sequence: Bool?; var items: [String: ExpectedDecision] }
            let text = String(decoding: fm.contents(atPath: path) ?? Data(), as: UTF8.self)
            let file: File
            do { file = try YAMLDecoder().decode(File.self, from: text) } catch { throw ValidationError("\(path): \(error)") }
            let labelled = file.items.sorted(by: { $0.key < $1.key }).map { name, label -> ExpectedDecision in
                var label = label
                label.file = name
                label.force = file.force
                return label
            }
            if file.sequence == true {
                corpus.sequences.append((folder, labelled))
            } else {
                for label in labelled { corpus.items.append((folder, label)) }
            }
        }
        return corpus
    }
}

/// Accuracy, confusion matrices, per-rule hits and every wrong item.
struct EvalReport {
    struct Row {
        var path: String
        var expected: ExpectedDecision
        var decision: Decision
        var correct: Bool
        var routeCorrect: Bool
        var subjectCorrect: Bool
        var worst: Bool
        var differences: [String]
    }

    var thresholds: EvalThresholds
    var rows: [Row] = []
    var unreadable: [(String, String)] = []

    mutating func addUnreadable(_ path: String, problem: String) { unreadable.append((path, problem)) }

    mutating func add(path: String, expected e: ExpectedDecision, decision d: Decision) {
        var differences: [String] = []
        func compare(_ name: String, _ want: String, _ got: String) {
            if want != got { differences.append("\(name): expected \(want), got \(got)") }
        }
        compare("kind", e.kind, d.kind)
        compare("outcome", e.outcome, d.outcome)
        compare("handler", e.handler, d.handler)
        compare("reasons", (e.reasons ?? []).sorted().joined(separator: ","), d.reasons.sorted().joined(separator: ","))
        compare("flags", (e.flags ?? []).sorted().joined(separator: ","), d.flags.sorted().joined(separator: ","))
        let subjectCorrect = e.subject == nil || e.subject == d.subject
        if !subjectCorrect { differences.append("subject: expected \(e.subject!), got \(d.subject)") }
        let correct = differences.filter { !$0.hasPrefix("subject") }.isEmpty
        let routeCorrect = e.outcome == d.outcome && e.handler == d.handler
        let isRealComplaint = e.kind == "complaint" && ["routed", "recorded"].contains(e.outcome)
        let worst = isRealComplaint && d.outcome == "not_recorded"
        rows.append(Row(path: path, expected: e, decision: d, correct: correct, routeCorrect: routeCorrect,
                        subjectCorrect: subjectCorrect, worst: worst, differences: differences))
    }

    var total: Int { rows.count + unreadable.count }
    var decisionAccuracy: Double { total == 0 ? 0 : Double(rows.filter(\.correct).count) / Double(total) }
    var routeAccuracy: Double { total == 0 ? 0 : Double(rows.filter(\.routeCorrect).count) / Double(total) }
    var subjectAccuracy: Double { total == 0 ? 0 : Double(rows.filter(\.subjectCorrect).count) / Double(total) }
    var worstErrors: [Row] { rows.filter(\.worst) }
    var confidentWrongRoutes: [Row] { rows.filter { !$0.routeCorrect && $0.decision.outcome != "needs_caseworker" && !$0.worst } }

    var passes: Bool {
        unreadable.isEmpty && decisionAccuracy >= thresholds.minDecisionAccuracy && routeAccuracy >= thresholds.minRouteAccuracy
            && worstErrors.count <= thresholds.maxComplaintsNotRecorded
    }

    func confusion(_ key: (ExpectedDecision) -> String, _ got: (Decision) -> String) -> (labels: [String], counts: [String: [String: Int]]) {
        var counts: [String: [String: Int]] = [:]
        var labels = Set<String>()
        for r in rows {
            let a = key(r.expected), b = got(r.decision)
            labels.insert(a); labels.insert(b)
            counts[a, default: [:]][b, default: 0] += 1
        }
        return (labels.sorted(), counts)
    }

    /// Per rule: items it fired on, of which decided right and wrong.
    func ruleHits() -> [(rule: String, hits: Int, onCorrect: Int, onWrong: Int)] {
        var table: [String: (Int, Int, Int)] = [:]
        for r in rows {
            for rule in Set(r.decision.justification.map(\.rule)) {
                var t = table[rule] ?? (0, 0, 0)
                t.0 += 1
                if r.correct { t.1 += 1 } else { t.2 += 1 }
                table[rule] = t
            }
        }
        return table.map { ($0.key, $0.value.0, $0.value.1, $0.value.2) }.sorted { $0.rule < $1.rule }
    }

    func text(showCorrect: Bool) -> [String] {
        var lines: [String] = []
        let pct = { (x: Double) in String(format: "%.1f%%", x * 100) }
        lines.append("items: \(total) (\(unreadable.count) unreadable)")
        lines.append("fully right (kind, outcome, handler, reasons and flags all right): \(pct(decisionAccuracy)) (threshold \(pct(thresholds.minDecisionAccuracy)))")
        lines.append("route accuracy (outcome and handler): \(pct(routeAccuracy)) (threshold \(pct(thresholds.minRouteAccuracy)))")
        lines.append("subject accuracy: \(pct(subjectAccuracy))")
        lines.append("real complaints marked not_recorded (worst error): \(worstErrors.count) (allowed \(thresholds.maxComplaintsNotRecorded))")
        lines.append("confident wrong routes (next worst): \(confidentWrongRoutes.count)")
        lines.append("needs_caseworker where a decision was expected: \(rows.filter { $0.decision.outcome == "needs_caseworker" && $0.expected.outcome != "needs_caseworker" }.count)")
        for (title, matrix) in [("outcome", confusion({ $0.outcome }, { $0.outcome })),
                                ("handler", confusion({ $0.handler }, { $0.handler }))] {
            lines.append("")
            lines.append("confusion matrix, \(title) (rows expected, columns decided):")
            let width = max(12, (matrix.labels.map(\.count).max() ?? 0) + 1)
            func pad(_ s: String) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
            lines.append(pad("") + matrix.labels.map { pad(String($0.prefix(width - 1))) }.joined())
            for a in matrix.labels where matrix.counts[a] != nil {
                lines.append(pad(a) + matrix.labels.map { pad(matrix.counts[a]?[$0].map(String.init) ?? ".") }.joined())
            }
        }
        lines.append("")
        lines.append("per-rule hits (items fired on: decided right / wrong):")
        for h in ruleHits() { lines.append("  \(h.rule): \(h.hits) (\(h.onCorrect) / \(h.onWrong))") }
        let wrong = rows.filter { !$0.correct }
        lines.append("")
        lines.append("wrong items: \(wrong.count)")
        for r in wrong {
            let relative = r.path
            let known = thresholds.knownMisses.first { relative.hasSuffix($0.key) }
            lines.append("- \(relative)\(r.worst ? "  [WORST ERROR: complaint not recorded]" : "")\(known.map { "  [known miss: \($0.value)]" } ?? "")")
            for d in r.differences { lines.append("    \(d)") }
            if let trap = r.expected.trap { lines.append("    trap: \(trap)") }
            lines.append("    decided by \(r.decision.decidedBy.row); rules: \(r.decision.rules.joined(separator: ", "))")
            lines.append("    explanation: \(r.decision.explanation)")
        }
        for (path, problem) in unreadable { lines.append("- \(path): UNREADABLE: \(problem)") }
        if showCorrect {
            lines.append("")
            lines.append("correct items:")
            for r in rows where r.correct { lines.append("  \(r.path): \(r.decision.outcome) → \(r.decision.handler)") }
        }
        lines.append("")
        let correct = rows.filter(\.correct).count
        lines.append("eval: \(passes ? "PASS" : "FAIL") — \(correct) of \(total) decisions right")
        return lines
    }

    func json() throws -> String {
        var object: [String: Any] = [
            "items": total,
            "unreadable": unreadable.map { ["source": $0.0, "problem": $0.1] },
            "decision_accuracy": decisionAccuracy,
            "route_accuracy": routeAccuracy,
            "subject_accuracy": subjectAccuracy,
            "worst_errors": worstErrors.map(\.path),
            "confident_wrong_routes": confidentWrongRoutes.map(\.path),
            "passes": passes,
        ]
        object["confusion_outcome"] = confusion({ $0.outcome }, { $0.outcome }).counts
        object["confusion_handler"] = confusion({ $0.handler }, { $0.handler }).counts
        object["rules"] = ruleHits().map { ["rule": $0.rule, "hits": $0.hits, "on_correct": $0.onCorrect, "on_wrong": $0.onWrong] }
        object["wrong"] = rows.filter { !$0.correct }.map { ["source": $0.path, "differences": $0.differences, "explanation": $0.decision.explanation] }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
