import Foundation
import TriageCore
import TriageIngest

/// What happened to one item of an archive.
public enum ItemResult: Sendable {
    /// Parsed and classified.
    case decided(ItemDecision)
    /// Could not be read or parsed: the item's label and the problem.
    case failed(IngestError, bytes: Int)

    /// Size of the item's raw bytes (0 when not known).
    public var bytes: Int {
        switch self {
        case .decided(let d): return d.bytes
        case .failed(_, let bytes): return bytes
        }
    }
}

/// A decision with where its item was found.
public struct ItemDecision: Sendable {
    /// The item's label: `path`, `path@offset` or `path#locator`.
    public var label: String
    /// Size of the raw bytes.
    public var bytes: Int
    public var decision: Decision
    /// The decision already written out (JSON line or CSV row, without the
    /// line end), when the workers were asked to (see ``Reclassifier/preEncode``).
    public var line: String?

    public init(label: String, bytes: Int, decision: Decision, line: String? = nil) {
        self.label = label
        self.bytes = bytes
        self.decision = decision
        self.line = line
    }
}

/// What the workers do with each item.
public enum WorkMode: String, Sendable, CaseIterable {
    /// Parse only (the benchmark's first measure); no decision is made.
    case parseOnly = "parse"
    /// Parse and classify.
    case classify
}

/// Parses and classifies every item of some archives on every core, in input
/// order, with memory bounded by the pipeline window.
public struct Reclassifier: Sendable {
    public let ingester: Ingester
    public let classifier: Classifier
    public let force: String
    /// Worker threads.
    public var jobs: Int
    /// Used when an item has no date at all (deterministic runs pass a fixed date).
    public var now: Date?
    /// Facts from history (repetition, excessive contact) for an item, e.g.
    /// from the store; runs on a worker thread. None when nil.
    public var history: (@Sendable (RawItem, Correspondence) -> [HistoryFact])?
    /// When set, workers also encode each decision in this format, so that
    /// the ordered writer only copies bytes.
    public var preEncode: DecisionFormat?
    /// Per-item limits: an item over them goes to a caseworker unread (``ItemBudget``).
    public var budget: ItemBudget = .defaults

    /// - Parameters:
    ///   - ingester: the ingester (with the form mappings).
    ///   - classifier: the classifier with the current rules.
    ///   - force: the force profile id.
    ///   - jobs: worker threads (default: every core).
    public init(ingester: Ingester, classifier: Classifier, force: String, jobs: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.ingester = ingester
        self.classifier = classifier
        self.force = force
        self.jobs = max(1, jobs)
    }

    /// Processes one raw item (on the calling thread).
    public func process(_ entry: SourceEntry, mode: WorkMode = .classify) -> ItemResult {
        switch entry {
        case .unreadable(let error):
            return .failed(error, bytes: 0)
        case .item(let raw, let fileTime):
            do {
                let item = try ingester.parse(raw, fileTime: fileTime)
                let decision: Decision
                switch mode {
                case .classify:
                    decision = classifier.classify(item, force: force, history: history?(raw, item) ?? [], now: now, budget: budget, rawBytes: raw.bytes.count)
                case .parseOnly:
                    // A placeholder: no decision is made (the words are the neutral ones, the handler empty).
                    decision = Decision(
                        source: item.provenance.source, id: item.provenance.sha256, force: force, kind: .other, subject: .unknown,
                        outcome: .needsCaseworker, handler: "", reasons: [], flags: [], categories: [], rules: [], justification: [],
                        explanation: "", decidedBy: DecisionRowReference(row: "", cites: ""), caseworkerNotes: [],
                        rulesetVersion: "", received: item.date?.value)
                }
                var result = ItemDecision(label: raw.label, bytes: raw.bytes.count, decision: decision)
                switch preEncode {
                case .jsonl?: result.line = try DecisionOutput.jsonLine(result)
                case .csv?: result.line = DecisionOutput.csvRow(result)
                case nil: break
                }
                return .decided(result)
            } catch let error as IngestError {
                return .failed(error, bytes: raw.bytes.count)
            } catch {
                return .failed(IngestError(item: raw.label, problem: "\(error)"), bytes: raw.bytes.count)
            }
        }
    }

    /// Runs over `paths` (files, folders, mbox files, Maildirs), handing each
    /// result to `emit` in input order on the calling thread.
    /// - Throws: whatever `emit` throws (the run stops).
    public func run(paths: [String], mode: WorkMode = .classify, emit: (ItemResult) throws -> Void) throws {
        try run(entries: ItemSource(paths: paths, maxItemBytes: budget.maxItemBytes), mode: mode, emit: emit)
    }

    /// Runs over any sequence of source entries (e.g. the items of a store).
    public func run<S: Sequence>(entries: S, mode: WorkMode = .classify, emit: (ItemResult) throws -> Void) throws where S.Element == SourceEntry {
        let worker = self
        try OrderedPipeline.run(source: entries.makeIterator(), jobs: jobs, transform: { entry in
            worker.process(entry, mode: mode)
        }, emit: emit)
    }
}

/// Sizes of archives, for the progress bar's ETA.
public enum ArchiveSize {
    /// Total bytes of the files under `paths` (folders walked; unreadable entries count 0).
    public static func total(_ paths: [String]) -> Int64 {
        let fm = FileManager.default
        var total: Int64 = 0
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                guard let walker = fm.enumerator(at: URL(fileURLWithPath: path), includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey]) else { continue }
                for case let url as URL in walker {
                    if let values = try? url.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey]), values.isRegularFile == true {
                        total += Int64(values.fileSize ?? 0)
                    }
                }
            } else if let size = (try? fm.attributesOfItem(atPath: path))?[.size] as? NSNumber {
                total += size.int64Value
            }
        }
        return total
    }
}
