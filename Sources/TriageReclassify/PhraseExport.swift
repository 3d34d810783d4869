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
            if !parts.isEmpty { out[rule.id] = "(?i)\\b(?:" + parts.joined(separator: "|") + ")\\b" }
        }
        return out
    }

    /// One phrase pattern (see ``PhrasePattern``) as a regular expression:
    /// words separated by `\W+`, `(a|b)` a choice, `[a]` optional,
    /// `#number` digits, `#word`/`#any` a word, `#cap` a capitalised word.
    public static func regex(forPattern source: String) -> String? {
        var scalars = Array(source.unicodeScalars)[...]
        let body = sequence(&scalars, closers: [])
        return body.isEmpty ? nil : body
    }

    private static let separator = "\\W+"

    /// A parsed element: its expression and whether it may be left out.
    private typealias Element = (regex: String, optional: Bool)

    /// Joins elements with separators that are left out with the optional ones.
    private static func join(_ elements: [Element]) -> String {
        guard let first = elements.firstIndex(where: { !$0.optional }) else {
            return elements.map { "(?:\($0.regex)\(separator))?" }.joined()
        }
        var out = ""
        for (i, e) in elements.enumerated() {
            if i < first {
                out += "(?:\(e.regex)\(separator))?"
            } else if i == first {
                out += e.regex
            } else {
                out += e.optional ? "(?:\(separator)\(e.regex))?" : separator + e.regex
            }
        }
        return out
    }

    private static func sequence(_ s: inout ArraySlice<Unicode.Scalar>, closers: Set<Unicode.Scalar>) -> String {
        var elements: [Element] = []
        var word = ""
        func flushWord() {
            for token in word.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "'" && $0 != "’" }) {
                elements.append((NSRegularExpression.escapedPattern(for: String(token)), false))
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
                let nonEmpty = alternatives.filter { !$0.isEmpty }
                guard !nonEmpty.isEmpty else { continue }
                elements.append(("(?:" + nonEmpty.joined(separator: "|") + ")", c == "[" || nonEmpty.count < alternatives.count))
            case "#":
                flushWord()
                var name = ""
                while let n = s.first, n.properties.isAlphabetic { name.unicodeScalars.append(n); s.removeFirst() }
                switch name {
                case "number": elements.append(("\\d+", false))
                case "cap": elements.append(("(?-i:[A-Z])\\w*", false))
                default: elements.append(("\\w+", false))
                }
            default:
                word.unicodeScalars.append(c)
            }
        }
        flushWord()
        return join(elements)
    }
}
