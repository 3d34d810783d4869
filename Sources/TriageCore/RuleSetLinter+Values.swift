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
            "kind": Vocabulary.kinds,
            "outcome": Vocabulary.outcomes,
        ]
        for fact in Self.historyFacts { vocabularies[fact] = ["true"] }
        for rule in rules.ruleSet.rules { vocabularies[rule.fact, default: []].insert(rule.value) }
        return vocabularies
    }

    /// One line for every condition value (`fact: value`, `fact: "!value"`,
    /// `fact: [a, b]`) that its fact can never take, naming the row or flag.
    public func conditionValueProblems() -> [String] {
        let vocabularies = factVocabularies
        var problems: [String] = []
        func check(_ conditions: [String: FactCondition], owner: String) {
            for (fact, condition) in conditions.sorted(by: { $0.key < $1.key }) {
                guard let known = vocabularies[fact] else { continue } // an unknown fact is reported on its own
                let values: [String]
                switch condition {
                case .present: continue
                case .value(let v): values = [v.hasPrefix("!") ? String(v.dropFirst()) : v]
                case .anyOf(let list): values = list
                }
                for value in values where !known.contains(value) {
                    problems.append("\(owner): fact '\(fact)' never has the value '\(value)' (it can be: \(known.sorted().joined(separator: ", ")))")
                }
            }
        }
        for row in rules.ruleSet.table.rows { check(row.when, owner: "decision row \(row.id)") }
        for flag in rules.ruleSet.table.flags ?? [] { check(flag.when, owner: "flag \(flag.flag)") }
        return problems
    }
}
