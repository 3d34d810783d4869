import Foundation
import TriageCore
import TriageIngest

/// `triage rules learn` as a job: the labelled corpus read, each item's second
/// reading features taken, the model learned (``SecondReadingTrainer``); and,
/// to choose and check the threshold honestly, each blind batch left out in
/// turn and scored by a model learned without it.
public struct SecondReadingLearning {
    public let ingester: Ingester
    public let classifier: Classifier

    public init(ingester: Ingester, classifier: Classifier) {
        self.ingester = ingester
        self.classifier = classifier
    }

    /// One labelled item as the learner sees it.
    public struct LabelledFeatures: Sendable {
        public var path: String
        /// The corpus folder's batch: `blind12` for `blind12-cambridgeshire`; `own` for the team's own items.
        public var batch: String
        public var label: ExpectedDecision
        public var features: [String]
        public var isComplaint: Bool { ["complaint", "review_request"].contains(label.kind) }
    }

    /// Every readable labelled item (items in history sequences too), in path order.
    /// - Returns: the items, and the paths that could not be read with the problem.
    public func read(_ corpus: LabelledCorpus) -> (items: [LabelledFeatures], unreadable: [(String, String)]) {
        var all: [(String, ExpectedDecision)] = corpus.items
        for (folder, labels) in corpus.sequences { all += labels.map { (folder, $0) } }
        var items: [LabelledFeatures] = []
        var unreadable: [(String, String)] = []
        for (folder, label) in all {
            let path = folder + "/" + label.file
            guard let data = FileManager.default.contents(atPath: path) else {
                unreadable.append((path, "cannot read the file"))
                continue
            }
            do {
                let item = try ingester.parse(RawItem(bytes: [UInt8](data), source: path), fileTime: nil)
                let features = classifier.secondReadingFeatures(item).map(\.name)
                items.append(LabelledFeatures(path: path, batch: Self.batch(of: folder, root: corpus.root), label: label, features: features))
            } catch {
                unreadable.append((path, "\(error)"))
            }
        }
        return (items.sorted { $0.path < $1.path }, unreadable)
    }

    /// The batch a folder belongs to: the first part of its name under the root, up to the first "-",
    /// when that is `blind<N>`; otherwise `own`.
    public static func batch(of folder: String, root: String) -> String {
        let relative = folder.hasPrefix(root + "/") ? String(folder.dropFirst(root.count + 1)) : folder
        let top = relative.split(separator: "/").first.map(String.init) ?? relative
        let head = top.split(separator: "-").first.map(String.init) ?? top
        return head.hasPrefix("blind") && head.dropFirst(5).allSatisfy(\.isNumber) && head.count > 5 ? head : "own"
    }

    /// The model learned from `items`.
    public func learn(_ items: [LabelledFeatures], trainer: SecondReadingTrainer = SecondReadingTrainer()) -> SecondReading {
        trainer.train(items.map { SecondReadingTrainer.Example(features: $0.features, isComplaint: $0.isComplaint) })
    }

    /// What leaving one blind batch out shows about a threshold.
    public struct HeldOutFigures: Sendable, Equatable {
        public var threshold: Double
        /// Items the rules alone set aside as "not a complaint".
        public var setAside = 0
        /// Of those, items whose label is a complaint, a review request or a caseworker's question: the errors to catch.
        public var shouldNotBeSetAside = 0
        /// Of those errors, how many reach the threshold.
        public var caught = 0
        /// Items rightly set aside that reach the threshold (sent to a caseworker for nothing).
        public var falseAlarms = 0
    }

    /// What leaving one blind batch out shows about the other direction: items the
    /// rules route or record as complaints that the model reads as something else.
    public struct RoutedFigures: Sendable, Equatable {
        public var below: Double
        /// Complaints the rules alone routed or recorded.
        public var routed = 0
        /// Of those, items labelled as no complaint at all (a confident wrong route).
        public var notComplaints = 0
        /// Items scoring under `below`: labelled no complaint (caught), or a complaint (a false alarm).
        public var caught = 0
        public var falseAlarms = 0
    }

    /// Leaves each blind batch out in turn: a model learned from everything else
    /// scores the batch's items that the rules alone set aside as "not a complaint"
    /// (and, for the figures of the other direction, those they route or record).
    /// - Returns: per threshold, the totals over all blind batches.
    public func crossValidate(_ items: [LabelledFeatures], thresholds: [Double], below: [Double] = [],
                              trainer: SecondReadingTrainer = SecondReadingTrainer()) -> (setAside: [HeldOutFigures], routed: [RoutedFigures]) {
        let rulesAlone = classifier.replacingSecondReading(nil)
        var figures = thresholds.map { HeldOutFigures(threshold: $0) }
        var routed = below.map { RoutedFigures(below: $0) }
        let batches = Set(items.map(\.batch)).subtracting(["own"]).sorted()
        for batch in batches {
            let model = learn(items.filter { $0.batch != batch }, trainer: trainer)
            for item in items where item.batch == batch {
                guard let data = FileManager.default.contents(atPath: item.path),
                      let parsed = try? ingester.parse(RawItem(bytes: [UInt8](data), source: item.path), fileTime: nil) else { continue }
                let decision = rulesAlone.classify(parsed, force: item.label.force)
                let p = SecondReading.sigmoid(model.logit(names: item.features))
                if [.complaint, .reviewRequest].contains(decision.kind), [.routed, .recorded].contains(decision.outcome) {
                    let wrong = !item.isComplaint && item.label.outcome != "needs_caseworker"
                    for i in routed.indices {
                        routed[i].routed += 1
                        if wrong { routed[i].notComplaints += 1 }
                        if p < routed[i].below {
                            if wrong { routed[i].caught += 1 } else { routed[i].falseAlarms += 1 }
                        }
                    }
                }
                guard decision.outcome == .notRecorded, decision.reasons.contains(.notAComplaint) else { continue }
                let error = item.isComplaint || item.label.outcome == "needs_caseworker"
                for i in figures.indices {
                    figures[i].setAside += 1
                    if error { figures[i].shouldNotBeSetAside += 1 }
                    if p >= figures[i].threshold {
                        if error { figures[i].caught += 1 } else { figures[i].falseAlarms += 1 }
                    }
                }
            }
        }
        return (figures, routed)
    }
}
