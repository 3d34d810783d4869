/// A phrase pattern as written in a rule file, expanded into plain token
/// sequences.
///
/// Syntax (words are matched whole, case-insensitively, on normalised text):
/// - `make a complaint` — the words in order;
/// - `(want|wish|would like) to complain` — one of the alternatives;
/// - `[formal] complaint` — optional words (`[a|an]` works too);
/// - `#number` any number ("1234"), `#word` any one word, `#cap` a word written
///   with a capital letter in the original (names), `#any` any token;
/// - `@police_role` — any entry of a named word class (`Rules/lexicons/`);
/// - `=dismissive` — this word exactly, not any word with the same stem.
///
/// Literal words are matched by stem after contractions and spelling variants
/// are normalised (``TextNormalizer``), so `complain` matches "complained" and
/// "complaining", and `i would` matches "I'd".
public struct PhrasePattern: Sendable, Equatable {
    /// One element of an expanded phrase.
    public enum Element: Sendable, Hashable {
        case literal(String)
        case number
        case word
        case capitalised
        case any
        /// An entry of the named word class.
        case lexicon(String)
        /// The word exactly (after contractions and spelling), not by stem.
        case exact(String)
    }

    /// The pattern as written.
    public let source: String
    /// The parsed pattern: sequences, choices and elements. The matcher builds its
    /// trie from this directly, without listing every expansion.
    let tree: PatternNode
    /// How many non-empty token sequences the pattern stands for.
    public let expansionCount: Int

    /// Every token sequence the pattern stands for (listed on demand, for tests
    /// and diagnostics; matching never needs the list).
    public var expansions: [[Element]] {
        tree.expand().filter { !$0.isEmpty }
    }

    /// The most expansions one pattern may produce.
    public static let expansionLimit = 50_000

    /// Parses a pattern and counts its expansions.
    /// - Throws: ``PatternError`` for unbalanced brackets, an empty pattern or too many expansions.
    public init(_ source: String) throws {
        self.source = source
        var parser = Parser(Array(source.unicodeScalars))
        let node = try parser.parseSequence(until: nil)
        if parser.position < parser.scalars.count {
            throw PatternError(pattern: source, problem: "unexpected '\(parser.scalars[parser.position])' at \(parser.position)")
        }
        let (all, empty) = node.counts(limit: Self.expansionLimit)
        if all > Self.expansionLimit { throw PatternError(pattern: source, problem: "more than \(Self.expansionLimit) expansions") }
        if all - empty == 0 { throw PatternError(pattern: source, problem: "the pattern matches nothing") }
        self.tree = node
        self.expansionCount = all - empty
    }
}

/// A pattern that cannot be used, with the reason.
public struct PatternError: Error, CustomStringConvertible, Sendable {
    public var pattern: String
    public var problem: String
    public var description: String { "pattern \"\(pattern)\": \(problem)" }
}

/// A parsed pattern: a sequence of parts, a choice between alternatives
/// (optional for `[…]`), or one element.
indirect enum PatternNode: Sendable, Equatable {
    case sequence([PatternNode])
    case choice([PatternNode], optional: Bool)
    case element(PhrasePattern.Element)

    /// The number of expansions and how many of them are empty, without listing
    /// them (capped just above `limit`, so a huge pattern costs nothing).
    func counts(limit: Int) -> (all: Int, empty: Int) {
        switch self {
        case .element:
            return (1, 0)
        case .sequence(let parts):
            var all = 1, empty = 1
            for part in parts {
                let c = part.counts(limit: limit)
                all = min(all * c.all, limit + 1)  // both at most limit + 1: no overflow
                empty = min(empty * c.empty, limit + 1)
            }
            return (all, empty)
        case .choice(let alternatives, let optional):
            var all = optional ? 1 : 0, empty = optional ? 1 : 0
            for alternative in alternatives {
                let c = alternative.counts(limit: limit)
                all = min(all + c.all, limit + 1)
                empty = min(empty + c.empty, limit + 1)
            }
            return (all, empty)
        }
    }

    /// Every expansion, listed (for tests and diagnostics; the count comes from ``counts(limit:)``).
    func expand() -> [[PhrasePattern.Element]] {
        switch self {
        case .element(let e):
            return [[e]]
        case .sequence(let parts):
            var result: [[PhrasePattern.Element]] = [[]]
            for part in parts {
                let options = part.expand()
                result = result.flatMap { prefix in options.map { prefix + $0 } }
            }
            return result
        case .choice(let alternatives, let optional):
            return (optional ? [[]] : []) + alternatives.flatMap { $0.expand() }
        }
    }
}

private struct Parser {
    let scalars: [Unicode.Scalar]
    var position = 0

    init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    mutating func parseSequence(until closers: Set<Unicode.Scalar>?) throws -> PatternNode {
        var parts: [PatternNode] = []
        var chunk = String.UnicodeScalarView()
        func flush() {
            guard !chunk.isEmpty else { return }
            for token in TextIndex(String(chunk)).tokens {
                parts.append(.element(Self.element(for: token.text)))
            }
            chunk = String.UnicodeScalarView()
        }
        while position < scalars.count {
            let c = scalars[position]
            if let closers, closers.contains(c) { break }
            if c == "(" || c == "[" {
                flush()
                position += 1
                let close: Unicode.Scalar = c == "(" ? ")" : "]"
                var alternatives: [PatternNode] = []
                while true {
                    alternatives.append(try parseSequence(until: ["|", close]))
                    guard position < scalars.count else {
                        throw PatternError(pattern: String(String.UnicodeScalarView(scalars)), problem: "missing '\(close)'")
                    }
                    let d = scalars[position]
                    position += 1
                    if d == close { break }
                }
                parts.append(.choice(alternatives, optional: c == "["))
                continue
            } else if c == ")" || c == "]" || c == "|" {
                throw PatternError(pattern: String(String.UnicodeScalarView(scalars)), problem: "unexpected '\(c)'")
            } else if c == "@" || c == "=" {
                flush()
                var name = ""
                position += 1
                while position < scalars.count, scalars[position].properties.isAlphabetic || scalars[position] == "_"
                        || scalars[position] == "'" || scalars[position] == "-" || (c == "@" && scalars[position].properties.numericType != nil) {
                    name.unicodeScalars.append(scalars[position])
                    position += 1
                }
                if name.isEmpty {
                    throw PatternError(pattern: String(String.UnicodeScalarView(scalars)), problem: "'\(c)' needs a name after it")
                }
                parts.append(.element(c == "@" ? .lexicon(name) : .exact(name.lowercased())))
                continue
            } else if c == "#" {
                flush()
                var name = ""
                position += 1
                while position < scalars.count, scalars[position].properties.isAlphabetic {
                    name.unicodeScalars.append(scalars[position])
                    position += 1
                }
                switch name {
                case "number": parts.append(.element(.number))
                case "word": parts.append(.element(.word))
                case "cap": parts.append(.element(.capitalised))
                case "any": parts.append(.element(.any))
                default:
                    throw PatternError(pattern: String(String.UnicodeScalarView(scalars)), problem: "unknown class #\(name)")
                }
                continue
            } else {
                chunk.append(c)
            }
            position += 1
        }
        flush()
        return .sequence(parts)
    }

    static func element(for token: String) -> PhrasePattern.Element { .literal(token) }
}
