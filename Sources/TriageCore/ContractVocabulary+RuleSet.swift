/// Where the rule set's data names the contract's words: each word outside the
/// contract, one line each, naming the row, flag or profile. Loading the rules
/// refuses a file with any (naming the file); `rules lint` lists them too.
extension DecisionTable {
    /// Words in the decision rows, the flag rules and the subject resolution that are not contract words.
    public func contractWordProblems() -> [String] {
        var problems: [String] = []
        for role in subject.generic + [subject.fallback] {
            problems += check(SubjectRole.self, role, "subject resolution")
        }
        for row in rows {
            let owner = "decision row \(row.id)"
            problems += check(ItemKind.self, row.kind, owner)
            problems += check(Outcome.self, row.outcome, owner)
            if let s = row.subject, s != "$subject" { problems += check(SubjectRole.self, s, owner) }
            for r in row.reasons ?? [] { problems += check(NotRecordedReason.self, r, owner) }
            for f in row.flags ?? [] { problems += check(DecisionFlag.self, f, owner) }
        }
        for flag in flags ?? [] { problems += check(DecisionFlag.self, flag.flag, "flag rule") }
        return problems
    }
}

extension ForceProfile {
    /// Words in `subject_flags` and `outcomes` that are not contract words.
    public func contractWordProblems() -> [String] {
        var problems: [String] = []
        for (subject, flags) in (subjectFlags ?? [:]).sorted(by: { $0.key < $1.key }) {
            problems += check(SubjectRole.self, subject, "profile \(id): subject_flags")
            for f in flags { problems += check(DecisionFlag.self, f, "profile \(id): subject_flags") }
        }
        for o in outcomes ?? [] { problems += check(Outcome.self, o, "profile \(id): outcomes") }
        return problems
    }
}

/// `owner: outcome 'x' is not a contract word (one of …)`, or nothing when `word` is one.
private func check<Word: ContractWord>(_ type: Word.Type, _ word: String, _ owner: String) -> [String] {
    do {
        _ = try Word.parse(word)
        return []
    } catch {
        return ["\(owner): \(error)"]
    }
}
