import Foundation
import TriageCore

/// The rules' phrases as regular expressions, for the Python baseline of the
/// benchmark: one case-insensitive expression per rule, the alternation of its
/// phrase patterns.
public enum PhraseExport {
    /// rule id → regular expression (Python `re` syntax), for every rule with phrases.
    public static func regexes(_ ruleSet: RuleSet) -> [String: String] {
        var out: [String: String] = [:]
        for rule in ruleSet.rules {
            let phrases = (rule.match.phrases ?? []) + (rule.match.datesAfter ?? [])
            let parts = phrases.compactMap { regex(forPattern: $0) }
            if !parts.isEmpty { out[rule.id] = "(?i)(?:" + parts.joined(separator: "|") + ")\\b" }
        }
        return out
    }

    /// One phrase pattern (see ``PhrasePattern``) as a regular expression:
    /// every word is preceded by `\W+` (the baseline searches the text with a
    /// space in front), `(a|b)` is a choice, `[a]` optional, `#number` digits,
    /// `#word`/`#any` a word, `#cap` a capitalised word; the phrase ends at a
    /// word boundary (applied by ``regexes(_:)``).
    public static func regex(forPattern source: String) -> String? {
        var scalars = Array(source.unicodeScalars)[...]
        let body = sequence(&scalars, closers: [])
        return body.isEmpty ? nil : body
    }

    private static let separator = "\\W+"

    private static func sequence(_ s: inout ArraySlice<Unicode.Scalar>, closers: Set<Unicode.Scalar>) -> String {
        var out = ""
        var word = ""
        func flushWord() {
            for token in word.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "'" && $0 != "’" }) {
                out += separator + NSRegularExpression.escapedPattern(for: String(token))
            }
            word = ""
        }
        while let c = s.first {
            if closers.contains(c) { break }
            s.removeFirst()
            switch c {
            case "(", "[":
                flushWord()
                let close: Unicode.Scalar = c == "(" ? ")" : "]"
                var alternatives: [String] = []
                while true {
                    alternatives.append(sequence(&s, closers: ["|", close]))
                    guard let d = s.first else { break }
                    s.removeFirst()
                    if d == close { break }
                }
                let group = "(?:" + alternatives.joined(separator: "|") + ")"
                out += c == "[" ? group + "?" : group
            case "#":
                flushWord()
                var name = ""
                while let n = s.first, n.properties.isAlphabetic { name.unicodeScalars.append(n); s.removeFirst() }
                switch name {
                case "number": out += separator + "\\d+"
                case "cap": out += separator + "(?-i:[A-Z])\\w*"
                default: out += separator + "\\w+"
                }
            default:
                word.unicodeScalars.append(c)
            }
        }
        flushWord()
        return out
    }
}
