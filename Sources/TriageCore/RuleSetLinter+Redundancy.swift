/// Phrase alternatives that normalisation has made redundant.
extension RuleSetLinter {
    /// Every alternative of a rule, guard or word-class pattern that reads the
    /// same as an earlier one of its choice once normalised ("(request|requesting)"),
    /// one line each, naming where it is. The rule files need not spell out
    /// inflections and contractions: the normaliser folds them.
    public func redundantAlternatives() -> [String] {
        var lines: [String] = []
        for (owner, phrases) in rules.writtenPhrases {
            for phrase in phrases {
                guard let pattern = try? PhrasePattern(phrase) else { continue }
                for r in pattern.redundantAlternatives(normalizer: rules.normalizer) { lines.append("\(owner): \(r)") }
            }
        }
        return lines
    }
}
