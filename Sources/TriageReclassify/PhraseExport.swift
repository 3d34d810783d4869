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
            if !parts.isEmpty { out[rule.id] = "(?i)\\b(?:" + parts.joined(separator: "|") + ")" }
        }
        return out
    }

    /// One phrase pattern (see ``PhrasePattern``) as a regular expression:
    /// words in order, separated by non-word characters; `(a|b)` a choice,
    /// `[a]` optional, `#number` digits, `#word`/`#any` a word, `#cap` a capitalised word.
    public static func regex(forPattern source: String) -> String? {
        var scalars = Array(source.unicodeScalars)[...]
        let body = sequence(&scalars, closers: [])
        return body.isEmpty ? nil : body
    }

    /// Each token is emitted followed by `(?:\W+|$)` so that optional parts compose.
    private static func sequence(_ s: inout ArraySlice<Unicode.Scalar>, closers: Set<Unicode.Scalar>) -> String {
        var out = ""
        var word = ""
        func flushWord() {
            for token in word.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "'" && $0 != "’" }) {
                out += NSRegularExpression.escapedPattern(for: String(token)) + "(?:\\W+|$)"
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
                case "number": out += "\\d+(?:\\W+|$)"
                case "cap": out += "(?-i:[A-Z])\\w*(?:\\W+|$)"
                default: out += "\\w+(?:\\W+|$)"
                }
            default:
                word.unicodeScalars.append(c)
            }
        }
        flushWord()
        return out
    }
}
