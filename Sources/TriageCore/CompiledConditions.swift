/// A decision-table condition set made ready for evaluation: the conditions in
/// a flat list, and a negated value ("!x") split once, so testing a row copies
/// no row and builds no string.
struct CompiledConditions: Sendable {
    /// One condition on one fact.
    enum Test: Sendable {
        case present(Bool)
        case value(String)
        /// `"!x"`: the fact must not have the value x.
        case notValue(String)
        case anyOf([String])
    }

    let tests: [(fact: String, test: Test)]

    init(_ conditions: [String: FactCondition]) {
        tests = conditions.map { fact, condition in
            switch condition {
            case .present(let wanted): return (fact, .present(wanted))
            case .value(let x): return (fact, x.hasPrefix("!") ? .notValue(String(x.dropFirst())) : .value(x))
            case .anyOf(let xs): return (fact, .anyOf(xs))
            }
        }
    }
}

/// A decision-table row's conditions: `when`, and `when_any`'s sets (at least one must hold).
struct CompiledRowConditions: Sendable {
    let when: CompiledConditions
    let whenAny: [CompiledConditions]?

    init(_ row: DecisionRow) {
        when = CompiledConditions(row.when)
        whenAny = row.whenAny.map { $0.map(CompiledConditions.init) }
    }
}
