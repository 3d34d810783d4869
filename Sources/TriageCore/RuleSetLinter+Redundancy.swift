/// Phrase alternatives that normalisation has made redundant.
extension RuleSetLinter {
    /// Every alternative of a rule, guard or word-class pattern that reads the
    /// same as an earlier one of its choice once normalised ("(request|requesting)"),
    /// one line each, naming where it is. The rule files need not spell out
    /// inflections and contractions: the normaliser folds them.
    public func redundantAlternatives() -> [String] {
        let set = rules.ruleSet
        var owners: [(String, [String])] = []
        for rule in set.rules { owners.append(("rule \(rule.id)", (rule.match.phrases ?? []) + (rule.match.datesAfter ?? []))) }
        for g in set.guards { owners.append(("guard \(g.id)", (g.before ?? []) + (g.sentence ?? []) + (g.after ?? []) + (g.except ?? []))) }
        for l in set.lexicons { owners.append(("word class \(l.id)", l.entries)) }
        var lines: [String] = []
        for (owner, phrases) in owners {
            for phrase in phrases {
                guard let pattern = try? PhrasePattern(phrase) else { continue }
                for r in pattern.redundantAlternatives(normalizer: rules.normalizer) { lines.append("\(owner): \(r)") }
            }
        }
        return lines
    }
}
