import Foundation
import TriageCore
import TriageIngest
import TriageStore
import Yams

/// One labelled item.
///
/// The contract's words stay words here: a label is compared with the decision
/// word for word, so a misspelt label shows as a difference in the report.
public struct ExpectedDecision: Decodable, Sendable {
    public var file: String = ""
    public var force: String = ""
    public var kind: String
    public var subject: String?
    public var outcome: String
    public var handler: String
    public var reasons: [String]?
    public var flags: [String]?
    public var categories: [String]?
    public var row: String?
    public var trap: String?
    public var why: String?

    enum CodingKeys: String, CodingKey { case kind, subject, outcome, handler, reasons, flags, categories, row, trap, why }
}

/// Thresholds and kept misses (DIR/eval.yaml).
public struct EvalThresholds: Decodable, Sendable {
    /// Share of items whose kind, outcome, handler, reasons and flags are all right.
    public var minDecisionAccuracy: Double = 0.9
    /// Share of items whose outcome and handler are right.
    public var minRouteAccuracy: Double = 0.9
    /// Real complaints marked not_recorded allowed (the worst error).
    public var maxComplaintsNotRecorded: Int = 0
    /// Misses kept on purpose: item path (relative to DIR) → why.
    public var knownMisses: [String: String] = [:]

    enum CodingKeys: String, CodingKey {
        case minDecisionAccuracy = "min_decision_accuracy"
        case minRouteAccuracy = "min_route_accuracy"
        case maxComplaintsNotRecorded = "max_complaints_not_recorded"
        case knownMisses = "known_misses"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        minDecisionAccuracy = try c.decodeIfPresent(Double.self, forKey: .minDecisionAccuracy) ?? 0.9
        minRouteAccuracy = try c.decodeIfPresent(Double.self, forKey: .minRouteAccuracy) ?? 0.9
        maxComplaintsNotRecorded = try c.decodeIfPresent(Int.self, forKey: .maxComplaintsNotRecorded) ?? 0
        knownMisses = try c.decodeIfPresent([String: String].self, forKey: .knownMisses) ?? [:]
    }
}

/// The labelled corpus: every folder's expected.yaml.
public struct LabelledCorpus: Sendable {
    public var items: [(String, ExpectedDecision)] = []
    /// History sequences: folders whose items are ingested in name order into a fresh store.
    public var sequences: [(String, [ExpectedDecision])] = []
    public var thresholds = EvalThresholds()
    public var root: String

    /// An empty corpus rooted at `root`.
    public init(root: String) { self.root = root }

    /// Reads every `expected.yaml` under `root` and `root/eval.yaml`.
    /// - Throws: ``EvalCorpusError`` naming the file and the problem.
    public static func load(_ root: String) throws -> LabelledCorpus {
        var corpus = LabelledCorpus(root: root)
        let fm = FileManager.default
        let thresholdsPath = root + "/eval.yaml"
        if let text = fm.contents(atPath: thresholdsPath).map({ String(decoding: $0, as: UTF8.self) }) {
            do { corpus.thresholds = try YAMLDecoder().decode(EvalThresholds.self, from: text) } catch {
                throw EvalCorpusError("\(thresholdsPath): \(error)")
            }
        }
        guard let walker = fm.enumerator(atPath: root) else { throw EvalCorpusError("\(root): cannot read the folder") }
        var files: [String] = []
        for case let relative as String in walker where relative.hasSuffix("expected.yaml") { files.append(relative) }
        if files.isEmpty { throw EvalCorpusError("\(root): no expected.yaml found") }
        for relative in files.sorted() {
            let path = root + "/" + relative
            let folder = (path as NSString).deletingLastPathComponent
            struct File: Decodable { var force: String; var sequence: Bool?; var items: [String: ExpectedDecision] }
            let text = String(decoding: fm.contents(atPath: path) ?? Data(), as: UTF8.self)
            let file: File
            do { file = try YAMLDecoder().decode(File.self, from: text) } catch { throw EvalCorpusError("\(path): \(error)") }
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
public struct EvalReport: Sendable {
    /// One item decided, compared with its label.
    public struct Row: Sendable {
        public var path: String
        public var expected: ExpectedDecision
        public var decision: Decision
        public var correct: Bool
        public var routeCorrect: Bool
        public var subjectCorrect: Bool
        public var worst: Bool
        public var differences: [String]
        /// Sent on with confidence to the wrong place (not to a caseworker), without being a worst error.
        public var isConfidentWrongRoute: Bool { !routeCorrect && decision.outcome != .needsCaseworker && !worst }
    }

    public var thresholds: EvalThresholds
    public var rows: [Row] = []
    public var unreadable: [(String, String)] = []

    /// An empty report judged against `thresholds`.
    public init(thresholds: EvalThresholds) { self.thresholds = thresholds }

    public mutating func addUnreadable(_ path: String, problem: String) { unreadable.append((path, problem)) }

    public mutating func add(path: String, expected e: ExpectedDecision, decision d: Decision) {
        var differences: [String] = []
        func compare(_ name: String, _ want: String, _ got: String) {
            if want != got { differences.append("\(name): expected \(want), got \(got)") }
        }
        compare("kind", e.kind, d.kind.rawValue)
        compare("outcome", e.outcome, d.outcome.rawValue)
        compare("handler", e.handler, d.handler)
        compare("reasons", (e.reasons ?? []).sorted().joined(separator: ","), d.reasons.sorted().map(\.rawValue).joined(separator: ","))
        compare("flags", (e.flags ?? []).sorted().joined(separator: ","), d.flags.sorted().map(\.rawValue).joined(separator: ","))
        let subjectCorrect = e.subject == nil || e.subject == d.subject.rawValue
        if !subjectCorrect { differences.append("subject: expected \(e.subject!), got \(d.subject)") }
        let correct = differences.filter { !$0.hasPrefix("subject") }.isEmpty
        let routeCorrect = e.outcome == d.outcome.rawValue && e.handler == d.handler
        let isRealComplaint = e.kind == ItemKind.complaint.rawValue && [Outcome.routed, .recorded].map(\.rawValue).contains(e.outcome)
        let worst = isRealComplaint && d.outcome == .notRecorded
        rows.append(Row(path: path, expected: e, decision: d, correct: correct, routeCorrect: routeCorrect,
                        subjectCorrect: subjectCorrect, worst: worst, differences: differences))
    }

    public var total: Int { rows.count + unreadable.count }
    public var decisionAccuracy: Double { total == 0 ? 0 : Double(rows.filter(\.correct).count) / Double(total) }
    public var routeAccuracy: Double { total == 0 ? 0 : Double(rows.filter(\.routeCorrect).count) / Double(total) }
    public var subjectAccuracy: Double { total == 0 ? 0 : Double(rows.filter(\.subjectCorrect).count) / Double(total) }
    public var worstErrors: [Row] { rows.filter(\.worst) }
    public var confidentWrongRoutes: [Row] { rows.filter(\.isConfidentWrongRoute) }

    public var passes: Bool {
        unreadable.isEmpty && decisionAccuracy >= thresholds.minDecisionAccuracy && routeAccuracy >= thresholds.minRouteAccuracy
            && worstErrors.count <= thresholds.maxComplaintsNotRecorded
    }

    public func confusion(_ key: (ExpectedDecision) -> String, _ got: (Decision) -> String) -> (labels: [String], counts: [String: [String: Int]]) {
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
    public func ruleHits() -> [(rule: String, hits: Int, onCorrect: Int, onWrong: Int)] {
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

    public func text(showCorrect: Bool) -> [String] {
        var lines: [String] = []
        let pct = { (x: Double) in String(format: "%.1f%%", x * 100) }
        lines.append("items: \(total) (\(unreadable.count) unreadable)")
        lines.append("fully right (kind, outcome, handler, reasons and flags all right): \(pct(decisionAccuracy)) (threshold \(pct(thresholds.minDecisionAccuracy)))")
        lines.append("route accuracy (outcome and handler): \(pct(routeAccuracy)) (threshold \(pct(thresholds.minRouteAccuracy)))")
        lines.append("subject accuracy: \(pct(subjectAccuracy))")
        lines.append("real complaints marked not_recorded (worst error): \(worstErrors.count) (allowed \(thresholds.maxComplaintsNotRecorded))")
        lines.append("confident wrong routes (next worst): \(confidentWrongRoutes.count)")
        lines.append("needs_caseworker where a decision was expected: \(rows.filter { $0.decision.outcome == .needsCaseworker && $0.expected.outcome != Outcome.needsCaseworker.rawValue }.count)")
        for (title, matrix) in [("outcome", confusion({ $0.outcome }, { $0.outcome.rawValue })),
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

    public func json() throws -> String {
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
        object["confusion_outcome"] = confusion({ $0.outcome }, { $0.outcome.rawValue }).counts
        object["confusion_handler"] = confusion({ $0.handler }, { $0.handler }).counts
        object["rules"] = ruleHits().map { ["rule": $0.rule, "hits": $0.hits, "on_correct": $0.onCorrect, "on_wrong": $0.onWrong] }
        object["wrong"] = rows.filter { !$0.correct }.map { ["source": $0.path, "differences": $0.differences, "explanation": $0.decision.explanation] }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}


/// A labelled corpus that cannot be read: the file and the problem.
public struct EvalCorpusError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// `triage eval` as a job: every labelled item parsed and classified, history
/// sequences through a fresh store each, compared with the labels. No output:
/// the command prints the report.
public struct EvalJob {
    public let ingester: Ingester
    public let classifier: Classifier
    public let ruleSet: RuleSet

    public init(ingester: Ingester, classifier: Classifier, ruleSet: RuleSet) {
        self.ingester = ingester
        self.classifier = classifier
        self.ruleSet = ruleSet
    }

    /// Decides every item of `corpus` and compares it with its label.
    /// - Parameter classifierFor: the classifier for a folder's items, when not ``classifier``
    ///   (`eval --held-out` gives each blind batch one whose second reading never saw it).
    /// - Throws: a store error when a sequence's temporary store cannot be made.
    public func run(_ corpus: LabelledCorpus, classifierFor: ((String) -> Classifier)? = nil) throws -> EvalReport {
        var report = EvalReport(thresholds: corpus.thresholds)
        for case let (folder, label) in corpus.items {
            let classifier = classifierFor?(folder) ?? classifier
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
            let classifier = classifierFor?(folder) ?? classifier
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
                let thresholds = ruleSet.profile(label.force)?.history ?? .defaults
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
        return report
    }
}
