import Foundation

/// Turns a ``Correspondence`` into a justified ``Decision`` with a compiled
/// rule set: rules set facts (with evidence), the subject is tied to the words
/// of dissatisfaction, time limits are computed, and the first decision-table
/// row whose conditions hold decides. Pure: no I/O.
public struct Classifier: Sendable {
    public let rules: CompiledRuleSet

    public init(_ rules: CompiledRuleSet) {
        self.rules = rules
    }

    /// Classifies one item.
    /// - Parameters:
    ///   - item: the item.
    ///   - force: the force profile id.
    ///   - history: facts about the item that come from the store (repetitious,
    ///     vexatious, excessive contact), with their evidence.
    ///   - now: the date to use when the item has none.
    /// - Returns: the decision; `needs_caseworker` when nothing decides.
    public func classify(_ item: Correspondence, force: String, history: [HistoryFact] = [], now: Date? = nil) -> Decision {
        let trace = self.trace(item, force: force, history: history, now: now)
        return trace.decision
    }

    /// Classifies one item and returns the whole evaluation: facts, suppressed
    /// matches, and the decision.
    public func trace(_ item: Correspondence, force: String, history: [HistoryFact] = [], now: Date? = nil) -> ClassificationTrace {
        trace(item, force: force, history: history, now: now, deadline: nil)!
    }

    /// ``trace(_:force:history:now:)`` that gives up at `deadline` (nil: never).
    /// - Returns: nil when the deadline passed before the reading was done.
    func trace(_ item: Correspondence, force: String, history: [HistoryFact], now: Date?, deadline: ContinuousClock.Instant?) -> ClassificationTrace? {
        var run = Evaluation(rules: rules, item: item, received: item.date?.value ?? now)
        run.deadline = deadline
        run.matchAll()
        for fact in history { run.add(external: fact) }
        run.resolveSubject()
        let profile = rules.ruleSet.profile(force)
        run.computeReviewTiming(windowDays: profile?.reviewWindowDays ?? 28)
        run.computeWriterForce(profileId: profile?.id)
        if run.outOfTime { return nil }
        run.readSecondTimeWhereItMatters()
        let decision = run.decide(force: force, profile: profile)
        return ClassificationTrace(decision: decision, facts: run.factSummary(), suppressed: run.suppressed)
    }

    /// The rule ids that fire on `item`, with their evidence (for rule examples).
    public func firedEvidence(_ item: Correspondence) -> [Evidence] {
        var run = Evaluation(rules: rules, item: item, received: item.date?.value)
        run.matchAll()
        return run.allEvidence()
    }
}

/// A fact established from history (the store), with its evidence.
public struct HistoryFact: Sendable, Equatable {
    public var fact: String
    public var value: String
    public var rule: String
    public var cites: String
    /// What the fact rests on, e.g. "item 3f2a… of 2026-10-02, 'PC 1234 at Ely'".
    public var quote: String

    public init(fact: String, value: String, rule: String, cites: String, quote: String) {
        self.fact = fact
        self.value = value
        self.rule = rule
        self.cites = cites
        self.quote = quote
    }
}

/// The evaluation behind a decision.
public struct ClassificationTrace: Sendable {
    public var decision: Decision
    /// Every fact with its values.
    public var facts: [String: [String]]
    /// Matches that a guard stopped, with the guard's id.
    public var suppressed: [SuppressedMatch]
}

/// A match that did not count, and why.
public struct SuppressedMatch: Codable, Sendable, Equatable {
    public var rule: String
    public var guardId: String
    public var quote: String
    public var segment: String
    public var start: Int

    enum CodingKeys: String, CodingKey {
        case rule, quote, segment, start
        case guardId = "guard"
    }
}
