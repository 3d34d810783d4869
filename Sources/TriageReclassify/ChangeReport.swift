import Foundation
import TriageCore

/// kind, outcome and handler: the three words that make a decision "flip".
public struct Route: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var kind: String
    public var outcome: String
    public var handler: String

    public init(kind: String, outcome: String, handler: String) {
        self.kind = kind
        self.outcome = outcome
        self.handler = handler
    }

    init(_ s: DecisionSummary) { self.init(kind: s.kind, outcome: s.outcome, handler: s.handler) }

    public var description: String { "\(kind) · \(outcome) → \(handler)" }

    public static func < (a: Route, b: Route) -> Bool { a.description < b.description }
}

/// One item in the report: before, after, and the rules that changed.
public struct ChangeExample: Codable, Sendable, Equatable {
    /// The item's label.
    public var item: String
    public var id: String
    public var before: Route
    public var after: Route
    public var subjectBefore: String
    public var subjectAfter: String
    /// Rules that fire now and did not before.
    public var rulesGained: [String]
    /// Rules that fired before and do not now.
    public var rulesLost: [String]
    public var rowBefore: String
    public var rowAfter: String
    /// Who decided before, when a caseworker did.
    public var caseworker: String?

    enum CodingKeys: String, CodingKey {
        case item, id, before, after, caseworker
        case subjectBefore = "subject_before"
        case subjectAfter = "subject_after"
        case rulesGained = "rules_gained"
        case rulesLost = "rules_lost"
        case rowBefore = "row_before"
        case rowAfter = "row_after"
    }
}

/// All flips from one route to another.
public struct FlipGroup: Codable, Sendable, Equatable {
    public var before: Route
    public var after: Route
    public var count: Int
    /// The rules behind these flips: rule (or `row: A → B` when only the
    /// decision table differs) → number of these flips it explains.
    public var causes: [String: Int]
    /// Up to ``ChangeReport/examplesPerGroup`` items.
    public var examples: [ChangeExample]
}

/// One rule behind flips.
public struct RuleCause: Codable, Sendable, Equatable {
    public var rule: String
    /// Flipped items where it fires now and did not before.
    public var gained: Int
    /// Flipped items where it fired before and does not now.
    public var lost: Int
    /// The flips it is behind, as `before ⇒ after` → count (largest first, at most 5).
    public var flips: [String: Int]
}

/// What the current rules decide differently from a baseline (a previous
/// run's output or the store), built one item at a time with bounded memory:
/// counts, matrices and a few examples per group.
public struct ChangeReport: Codable, Sendable {
    /// Examples kept per flip group.
    public static let examplesPerGroup = 5
    /// Disagreements and unreadable items listed at most.
    public static let listLimit = 100

    /// What the decisions are compared with.
    public var baseline: String
    /// Rule-set versions seen in the baseline (at most 10).
    public var rulesetsBefore: [String] = []
    public var rulesetAfter: String = ""
    /// Items decided now.
    public var items = 0
    /// Items that could not be read.
    public var unreadable = 0
    /// Items decided now and before.
    public var compared = 0
    public var unchanged = 0
    /// kind, outcome or handler differ.
    public var flipped = 0
    /// Same route, but subject, reasons or flags differ.
    public var detailsChanged = 0
    /// Decided now, not before.
    public var new = 0
    /// Decided before, not found now.
    public var onlyBefore = 0
    /// A caseworker decided before and the rules now say otherwise (never overwritten).
    public var disagreements = 0
    /// A caseworker decided before and the rules now agree.
    public var caseworkerAgreements = 0
    /// Outcomes of the compared items, before and after (caseworker decisions included).
    public var outcomesBefore: [String: Int] = [:]
    public var outcomesAfter: [String: Int] = [:]
    /// Outcomes of new items.
    public var outcomesNew: [String: Int] = [:]
    /// before → after → count, for outcome, handler and kind (compared items, rules only).
    public var outcomeMatrix: [String: [String: Int]] = [:]
    public var handlerMatrix: [String: [String: Int]] = [:]
    public var kindMatrix: [String: [String: Int]] = [:]
    /// Flip groups, largest first (after ``finish(previous:)``).
    public var flips: [FlipGroup] = []
    /// Rules behind flips, most flips first (after ``finish(previous:)``).
    public var rules: [RuleCause] = []
    /// Caseworker decisions the rules now disagree with (at most ``listLimit``).
    public var disagreementList: [ChangeExample] = []
    /// Items that could not be read: label and problem (at most ``listLimit``).
    public var unreadableList: [UnreadableItem] = []
    /// Examples of decisions found only before.
    public var onlyBeforeExamples: [DecisionSummary] = []

    private var groupIndex: [Route: [Route: Int]] = [:]
    private var ruleTable: [String: RuleCauseAccumulator] = [:]

    struct RuleCauseAccumulator: Codable, Sendable {
        var gained = 0
        var lost = 0
        var flips: [String: Int] = [:]
    }

    public struct UnreadableItem: Codable, Sendable, Equatable {
        public var item: String
        public var problem: String
    }

    enum CodingKeys: String, CodingKey {
        case baseline, items, unreadable, compared, unchanged, flipped, new, disagreements, flips, rules
        case rulesetsBefore = "rulesets_before"
        case rulesetAfter = "ruleset_after"
        case detailsChanged = "details_changed"
        case onlyBefore = "only_before"
        case caseworkerAgreements = "caseworker_agreements"
        case outcomesBefore = "outcomes_before"
        case outcomesAfter = "outcomes_after"
        case outcomesNew = "outcomes_new"
        case outcomeMatrix = "outcome_matrix"
        case handlerMatrix = "handler_matrix"
        case kindMatrix = "kind_matrix"
        case disagreementList = "disagreement_list"
        case unreadableList = "unreadable_list"
        case onlyBeforeExamples = "only_before_examples"
    }

    /// - Parameter baseline: what the decisions are compared with, for people.
    public init(baseline: String) {
        self.baseline = baseline
    }

    /// Adds an item that could not be read.
    public mutating func addUnreadable(_ error: IngestError) {
        unreadable += 1
        if unreadableList.count < Self.listLimit { unreadableList.append(UnreadableItem(item: error.item, problem: error.problem)) }
    }

    /// Adds one item decided now, with its earlier decision if there was one.
    public mutating func add(now: DecisionSummary, before: DecisionSummary?) {
        items += 1
        if rulesetAfter.isEmpty { rulesetAfter = now.rulesetVersion }
        guard let before else {
            new += 1
            outcomesNew[now.outcome, default: 0] += 1
            return
        }
        compared += 1
        if !before.rulesetVersion.isEmpty, !rulesetsBefore.contains(before.rulesetVersion), rulesetsBefore.count < 10 {
            rulesetsBefore.append(before.rulesetVersion)
        }
        outcomesBefore[before.outcome, default: 0] += 1
        outcomesAfter[now.outcome, default: 0] += 1
        let from = Route(before), to = Route(now)
        let example = Self.example(before: before, now: now)
        if let caseworker = before.caseworker {
            if from == to {
                caseworkerAgreements += 1
            } else {
                disagreements += 1
                if disagreementList.count < Self.listLimit {
                    var e = example
                    e.caseworker = caseworker
                    disagreementList.append(e)
                }
            }
            return
        }
        outcomeMatrix[before.outcome, default: [:]][now.outcome, default: 0] += 1
        handlerMatrix[before.handler, default: [:]][now.handler, default: 0] += 1
        kindMatrix[before.kind, default: [:]][now.kind, default: 0] += 1
        guard from != to else {
            if before.subject != now.subject || Set(before.reasons) != Set(now.reasons) || Set(before.flags) != Set(now.flags) {
                detailsChanged += 1
            } else {
                unchanged += 1
            }
            return
        }
        flipped += 1
        let causes = Self.causes(example)
        let index: Int
        if let existing = groupIndex[from]?[to] {
            index = existing
        } else {
            index = flips.count
            groupIndex[from, default: [:]][to] = index
            flips.append(FlipGroup(before: from, after: to, count: 0, causes: [:], examples: []))
        }
        flips[index].count += 1
        for cause in causes { flips[index].causes[cause, default: 0] += 1 }
        if flips[index].examples.count < Self.examplesPerGroup { flips[index].examples.append(example) }
        let transition = "\(from) ⇒ \(to)"
        for rule in example.rulesGained {
            ruleTable[rule, default: RuleCauseAccumulator()].gained += 1
            ruleTable[rule, default: RuleCauseAccumulator()].flips[transition, default: 0] += 1
        }
        for rule in example.rulesLost {
            ruleTable[rule, default: RuleCauseAccumulator()].lost += 1
            ruleTable[rule, default: RuleCauseAccumulator()].flips[transition, default: 0] += 1
        }
        if example.rulesGained.isEmpty && example.rulesLost.isEmpty {
            let rowCause = causes.first ?? "decision table"
            ruleTable[rowCause, default: RuleCauseAccumulator()].gained += 1
            ruleTable[rowCause, default: RuleCauseAccumulator()].flips[transition, default: 0] += 1
        }
    }

    /// Completes the report: earlier decisions never matched, groups and rules sorted.
    public mutating func finish(previous: PreviousDecisions?) {
        if let previous {
            let rest = previous.unmatched()
            onlyBefore = rest.count
            onlyBeforeExamples = Array(rest.examples.prefix(20))
        }
        flips.sort { ($0.count, $1.before.description, $1.after.description) > ($1.count, $0.before.description, $0.after.description) }
        rules = ruleTable.map { rule, acc in
            let top = acc.flips.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(5)
            return RuleCause(rule: rule, gained: acc.gained, lost: acc.lost, flips: Dictionary(uniqueKeysWithValues: top.map { ($0.key, $0.value) }))
        }.sorted { ($0.gained + $0.lost, $1.rule) > ($1.gained + $1.lost, $0.rule) }
        groupIndex = [:]
        ruleTable = [:]
    }

    static func example(before: DecisionSummary, now: DecisionSummary) -> ChangeExample {
        let beforeRules = Set(before.rules), nowRules = Set(now.rules)
        return ChangeExample(
            item: now.item, id: now.id, before: Route(before), after: Route(now),
            subjectBefore: before.subject, subjectAfter: now.subject,
            rulesGained: now.rules.filter { !beforeRules.contains($0) },
            rulesLost: before.rules.filter { !nowRules.contains($0) },
            rowBefore: before.row, rowAfter: now.row, caseworker: nil)
    }

    /// What explains one flip: the rules gained (`+rule`) and lost (`-rule`),
    /// else the decision-table row that changed.
    static func causes(_ e: ChangeExample) -> [String] {
        let fromRules = e.rulesGained.map { "+" + $0 } + e.rulesLost.map { "-" + $0 }
        if !fromRules.isEmpty { return fromRules }
        if e.rowBefore != e.rowAfter { return ["row: \(e.rowBefore) → \(e.rowAfter)"] }
        return ["route (same rules, same row \(e.rowAfter)): force profile or decision table"]
    }

    /// True when anything differs from the baseline.
    public var hasChanges: Bool { flipped > 0 || detailsChanged > 0 || disagreements > 0 || new > 0 || onlyBefore > 0 }
}
