/// Condition values checked against what each fact can be: a decision row or
/// flag that asks for `kind_hint: foi_or_sarr` can never hold, and nothing
/// else would say so.
extension RuleSetLinter {
    /// The values each fact can take: for a fact the rules set, the values
    /// their `sets:` give it; for a fact the engine derives or the store
    /// supplies, the values it can produce (`true` for a fact that is simply set).
    public var factVocabularies: [String: Set<String>] {
        var vocabularies: [String: Set<String>] = [
            "subject": Vocabulary.subjects,
            "decided_subject": Vocabulary.subjects,
            "subject_conflict": ["true"],
            "review_timing": ["in_time", "out_of_time", "unknown"],
            "writer_force_is": ["own", "other"],
            "kind": Vocabulary.kinds,
            "outcome": Vocabulary.outcomes,
        ]
        for fact in Self.historyFacts { vocabularies[fact] = ["true"] }
        for fact in rules.ruleSet.table.secondReading?.facts ?? [] { vocabularies[fact] = ["true"] }
        for rule in rules.ruleSet.rules { vocabularies[rule.fact, default: []].insert(rule.value) }
        return vocabularies
    }

    /// One line for every condition that can never hold, or always holds,
    /// because of a value its fact never takes: `fact: value`, `fact: "!value"`
    /// (always true: a misspelt exception), or `fact: [a, b]` where none of the
    /// values can occur. Names the row or flag.
    public func conditionValueProblems() -> [String] {
        conditionValueFindings().problems
    }

    /// One line for every alternative of a `fact: [a, b]` list that its fact
    /// never takes while another alternative can: the condition still works,
    /// but that alternative is dead (a misspelling, or a rule not written yet).
    public func conditionValueWarnings() -> [String] {
        conditionValueFindings().warnings
    }

    private func conditionValueFindings() -> (problems: [String], warnings: [String]) {
        let vocabularies = factVocabularies
        var problems: [String] = [], warnings: [String] = []
        func check(_ conditions: [String: FactCondition], owner: String) {
            for (fact, condition) in conditions.sorted(by: { $0.key < $1.key }) {
                guard let known = vocabularies[fact] else { continue } // an unknown fact is reported on its own
                let values: [String]
                switch condition {
                case .present: continue
                case .value(let v): values = [v.hasPrefix("!") ? String(v.dropFirst()) : v]
                case .anyOf(let list): values = list
                }
                let unknown = values.filter { !known.contains($0) }
                let canBe = known.sorted().joined(separator: ", ")
                let someValid = unknown.count < values.count
                for value in unknown {
                    let line = "\(owner): fact '\(fact)' never has the value '\(value)' (it can be: \(canBe))"
                    if case .anyOf = condition, someValid { warnings.append(line) } else { problems.append(line) }
                }
            }
        }
        for row in rules.ruleSet.table.rows { for conditions in row.conditionSets { check(conditions, owner: "decision row \(row.id)") } }
        for flag in rules.ruleSet.table.flags ?? [] { check(flag.when, owner: "flag \(flag.flag)") }
        return (problems, warnings)
    }
}
