import Foundation
import TriageCore
import TriageIngest

/// One reclassification run: every item through the pipeline, decisions
/// written in input order, compared with a baseline when there is one.
public struct ReclassifyJob {
    public var reclassifier: Reclassifier
    /// Where decisions go (nil: nowhere, e.g. only the report is wanted).
    public var output: DecisionOutput?
    /// The earlier decisions to compare with, if any.
    public var previous: PreviousDecisions?
    /// The progress bar (nil: none).
    public var progress: ProgressMeter?
    /// Told about each unreadable item as it comes (in input order).
    public var onFailure: (IngestError) -> Void = { _ in }
    /// Told about each decision, with the earlier one if any (e.g. to store it with `--apply`).
    public var onDecision: (ItemDecision, DecisionSummary?) throws -> Void = { _, _ in }

    public init(reclassifier: Reclassifier, output: DecisionOutput?, previous: PreviousDecisions?, progress: ProgressMeter? = nil) {
        self.reclassifier = reclassifier
        self.output = output
        self.previous = previous
        self.progress = progress
    }

    /// What a run did.
    public struct Summary {
        /// Items decided.
        public var decided = 0
        /// Items that could not be read.
        public var failed = 0
        /// Raw bytes of all items.
        public var bytes: Int64 = 0
        public var seconds: Double = 0
        /// The change report (when there was a baseline).
        public var report: ChangeReport?
    }

    /// Runs over archives on disk.
    /// - Throws: output errors (the run stops); unreadable items never throw.
    public func run(paths: [String]) throws -> Summary {
        try run(entries: ItemSource(paths: paths, maxItemBytes: reclassifier.budget.maxItemBytes))
    }

    /// Runs over any source of entries.
    public func run<S: Sequence>(entries: S) throws -> Summary where S.Element == SourceEntry {
        var summary = Summary()
        var reclassifier = self.reclassifier
        if let output, reclassifier.preEncode == nil { reclassifier.preEncode = output.format }
        var report = previous.map { ChangeReport(baseline: $0.name) }
        let start = Date()
        try reclassifier.run(entries: entries) { result in
            summary.bytes += Int64(result.bytes)
            switch result {
            case .failed(let error, _):
                summary.failed += 1
                report?.addUnreadable(error)
                onFailure(error)
                progress?.advance(bytes: result.bytes, failed: true)
            case .decided(let item):
                summary.decided += 1
                try output?.write(item)
                var before: DecisionSummary?
                if let previous {
                    before = previous.match(id: item.decision.id)
                    report?.add(now: DecisionSummary(item), before: before)
                }
                try onDecision(item, before)
                progress?.advance(bytes: result.bytes, failed: false)
            }
        }
        output?.flush()
        progress?.finish()
        report?.finish(previous: previous)
        summary.report = report
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }
}
