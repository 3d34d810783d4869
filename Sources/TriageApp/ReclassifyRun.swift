import Foundation
import TriageCore
import TriageIngest
import TriageReclassify
import TriageStore

/// `triage reclassify` as a library: what is re-read (archives, or every item
/// in a store), what the new decisions are compared with (an earlier run's
/// JSON Lines, or the store's effective decisions) and, with `apply`, the new
/// decisions stored (a caseworker's decision stays effective; a different new
/// decision is recorded beside it as a disagreement).
public struct ReclassifyRun {
    /// Where the items come from.
    public enum Source {
        /// Archives on disk: mbox files, Maildirs, folders or files.
        case archives([String])
        /// Every item in the store, re-read from its raw bytes and classified
        /// with its complainant's history; `location` names the store in the report.
        case stored(Store, location: String)
    }

    /// What `apply` did.
    public struct Applied: Sendable, Equatable {
        /// New decisions stored.
        public var stored = 0
        /// Items whose effective decision changed.
        public var changed = 0
        /// Caseworker decisions kept although the rules now disagree.
        public var disagreements = 0
        public init() {}
    }

    /// What a run did.
    public struct Result {
        public var summary: ReclassifyJob.Summary
        /// What `apply` did (nil without it).
        public var applied: Applied?
    }

    public var reclassifier: Reclassifier
    public var source: Source
    /// An earlier run's JSON Lines to compare with (archives only).
    public var against: String?
    /// Store the new decisions (stored items only).
    public var apply = false
    /// Where decisions go (nil: nowhere).
    public var output: DecisionOutput?
    /// The progress bar (nil: none).
    public var progress: ProgressMeter?
    /// Told about each unreadable item as it comes.
    public var onFailure: (IngestError) -> Void = { _ in }
    /// The name written to the audit log for `apply`.
    public var actor = "triage reclassify"

    /// - Parameters:
    ///   - reclassifier: the parsers, classifier, force and workers.
    ///   - source: archives or the store; for the store, the reclassifier is given the
    ///     complainant's history with `thresholds`.
    ///   - thresholds: the profile's history thresholds.
    public init(reclassifier: Reclassifier, source: Source, thresholds: HistoryThresholds = .defaults) {
        self.reclassifier = reclassifier
        self.source = source
        if case .stored(let store, _) = source {
            self.reclassifier.history = StoreHistory.hook(store: store, thresholds: thresholds)
        }
    }

    /// Checks that the settings fit together, before anything is opened (the command's own check too).
    /// - Parameters:
    ///   - archives: the archives given (none with `stored`).
    ///   - stored: reclassify the items in the store.
    /// - Throws: ``ReclassifyRunError`` saying what does not fit.
    public static func check(archives: [String], stored: Bool, against: String?, apply: Bool) throws {
        if archives.isEmpty && !stored { throw ReclassifyRunError("Give archives to reclassify, or --stored.") }
        if !archives.isEmpty && stored { throw ReclassifyRunError("Give archives or --stored, not both.") }
        if stored && against != nil { throw ReclassifyRunError("--stored compares with the store; --against is for archives.") }
        if apply && !stored { throw ReclassifyRunError("--apply stores new decisions for the items in the store: use it with --stored.") }
    }

    /// Checks this run's settings (``check(archives:stored:against:apply:)``).
    public func validate() throws {
        switch source {
        case .archives(let paths): try Self.check(archives: paths, stored: false, against: against, apply: apply)
        case .stored: try Self.check(archives: [], stored: true, against: against, apply: apply)
        }
    }

    /// Runs: every item decided, in input order, written to `output`, compared with the baseline.
    /// - Throws: ``ReclassifyRunError`` for settings that do not fit or an unreadable `against` file;
    ///   output and store errors (the run stops). Unreadable items never throw.
    public func run() throws -> Result {
        try validate()
        var previous: PreviousDecisions?
        if let against {
            do { previous = try PreviousRun(path: against) } catch { throw ReclassifyRunError("\(error)") }
        } else if case .stored(let store, let location) = source {
            previous = StoredDecisions(store: store, path: location)
        }
        var job = ReclassifyJob(reclassifier: reclassifier, output: output, previous: previous, progress: progress)
        job.onFailure = onFailure
        let counts = ApplyCounts()
        if apply, case .stored(let store, _) = source {
            let actor = self.actor
            job.onDecision = { item, _ in
                let result = try store.recordReclassification(itemID: item.decision.id, decision: item.decision, actor: actor)
                if result.changedEffective { counts.value.changed += 1 }
                if result.disagrees { counts.value.disagreements += 1 }
                if result.stored != nil { counts.value.stored += 1 }
            }
        }
        let summary: ReclassifyJob.Summary
        switch source {
        case .archives(let paths): summary = try job.run(paths: paths)
        case .stored(let store, _): summary = try job.run(entries: StoredItems(store: store))
        }
        return Result(summary: summary, applied: apply ? counts.value : nil)
    }
}

/// Settings of a reclassification that do not fit together, or a baseline that cannot be read.
public struct ReclassifyRunError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Counts of what `apply` did, shared with the decision callback.
private final class ApplyCounts {
    var value = ReclassifyRun.Applied()
}
