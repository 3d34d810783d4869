/// Alternatives that the normaliser makes redundant: once contractions,
/// spellings and stems are folded, "(request|requesting)" is one word, so the
/// second alternative adds nothing but length to the rule files.
extension PhrasePattern {
    /// An alternative of a choice that matches exactly what an earlier
    /// alternative of the same choice matches.
    public struct RedundantAlternative: Sendable, Equatable, CustomStringConvertible {
        /// The whole pattern, as written.
        public var pattern: String
        /// The alternative that adds nothing, as written.
        public var alternative: String
        /// The earlier alternative it reads the same as.
        public var sameAs: String

        public var description: String {
            "pattern \"\(pattern)\": alternative \"\(alternative)\" reads the same as \"\(sameAs)\" once normalised"
        }
    }

    /// Alternatives too broad to compare (more expansions than this) are skipped.
    static let comparableExpansions = 256

    /// The alternatives of each choice (`(…|…)` or `[…|…]`) that match the same
    /// token sequences as an earlier alternative of that choice, after the
    /// normaliser's contractions, spellings and stems.
    /// - Parameter normalizer: the normaliser rules are compiled with.
    public func redundantAlternatives(normalizer: TextNormalizer) -> [RedundantAlternative] {
        var found: [RedundantAlternative] = []
        for choice in Self.choiceAlternatives(in: source) {
            var seen: [[[String]]: String] = [:]
            for alternative in choice {
                guard let key = Self.normalisedExpansions(of: alternative, normalizer: normalizer) else { continue }
                if let earlier = seen[key] {
                    found.append(RedundantAlternative(pattern: source, alternative: alternative, sameAs: earlier))
                } else {
                    seen[key] = alternative
                }
            }
        }
        return found
    }

    /// The sorted, normalised expansions of a pattern, or nil when it is empty,
    /// unparsable or too broad to compare.
    static func normalisedExpansions(of text: String, normalizer: TextNormalizer) -> [[String]]? {
        guard let pattern = try? PhrasePattern(text), pattern.expansionCount <= comparableExpansions else { return nil }
        let keys = Set(pattern.expansions.map { expansion in
            expansion.flatMap { element -> [String] in
                switch element {
                case .literal(let word): return normalizer.words(for: word).map(\.stem)
                case .exact(let word): return normalizer.expand(word).map { "=" + $0 }
                case .lexicon(let name): return ["@" + name]
                case .number: return ["#number"]
                case .word: return ["#word"]
                case .capitalised: return ["#cap"]
                case .any: return ["#any"]
                }
            }
        })
        return keys.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// The alternatives of every choice in a pattern's source, as written
    /// (whitespace trimmed), innermost choices included.
    static func choiceAlternatives(in source: String) -> [[String]] {
        var result: [[String]] = []
        // Per open choice: the alternatives closed so far and where the current one starts.
        var stack: [(alternatives: [String], start: String.Index)] = []
        var i = source.startIndex
        while i < source.endIndex {
            let c = source[i]
            let next = source.index(after: i)
            switch c {
            case "(", "[":
                stack.append((alternatives: [], start: next))
            case "|" where !stack.isEmpty:
                stack[stack.count - 1].alternatives.append(String(source[stack[stack.count - 1].start..<i]).trimmingSpaces())
                stack[stack.count - 1].start = next
            case ")", "]":
                guard var open = stack.popLast() else { break }
                open.alternatives.append(String(source[open.start..<i]).trimmingSpaces())
                result.append(open.alternatives)
            default:
                break
            }
            i = next
        }
        return result
    }
}

private extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
