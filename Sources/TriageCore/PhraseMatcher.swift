/// Every phrase of a rule set compiled into one token trie, matched in a
/// single pass over a text's tokens.
///
/// Built once per rule set; matching is a walk from each token, so the cost
/// grows with the text, not with the number of rules.
public struct PhraseMatcher: Sendable {
    /// One match: which phrase owner matched, over which tokens.
    public struct Match: Sendable, Equatable {
        /// The owner id given when the phrase was added (e.g. a rule index).
        public var owner: Int
        /// First token index, inclusive.
        public var first: Int
        /// Last token index, inclusive.
        public var last: Int
    }

    private struct Node: Sendable {
        /// Children by word stem.
        var literal: [String: Int] = [:]
        /// Children by exact word (``PhrasePattern/Element/exact(_:)``).
        var exact: [String: Int] = [:]
        /// Children by word class id.
        var lexicon: [Int: Int] = [:]
        var number: Int?
        var word: Int?
        var capitalised: Int?
        var any: Int?
        var owners: [Int] = []

        var hasChildren: Bool {
            !literal.isEmpty || !exact.isEmpty || !lexicon.isEmpty || number != nil || word != nil || capitalised != nil || any != nil
        }
    }

    private var nodes: [Node] = [Node()]

    public init() {}

    /// Adds every expansion of `pattern` for `owner`.
    /// - Parameters:
    ///   - normalizer: normalises and stems literal words as the text is (contractions expand to several words).
    ///   - lexicons: word class ids by name, for `@name` elements.
    /// - Throws: ``PatternError`` for an unknown word class.
    public mutating func add(_ pattern: PhrasePattern, owner: Int, normalizer: TextNormalizer? = nil, lexicons: [String: Int] = [:]) throws {
        var cache: [String: [NormalizedWord]] = [:]
        try add(pattern, owner: owner, normalizer: normalizer, lexicons: lexicons, cache: &cache)
    }

    /// As ``add(_:owner:normalizer:lexicons:)``, with the normalised words kept in
    /// `cache` across calls (a rule set repeats the same words many thousand times).
    public mutating func add(_ pattern: PhrasePattern, owner: Int, normalizer: TextNormalizer?, lexicons: [String: Int],
                             cache: inout [String: [NormalizedWord]]) throws {
        // The trie is built from the pattern's structure: each part is added once from
        // the set of trie nodes the parts before it reach, so a pattern with many
        // alternatives costs the nodes it creates, not its expansions times their length.
        func step(_ node: Int, _ element: PhrasePattern.Element) throws -> Int {
            switch element {
            case .literal(let word):
                let words: [NormalizedWord]
                if let known = cache[word] {
                    words = known
                } else {
                    words = normalizer?.words(for: word) ?? [NormalizedWord(text: word, stem: word)]
                    cache[word] = words
                }
                var at = node
                for w in words { at = child(of: at, for: .literal(w.stem)) }
                return at
            case .exact(let word):
                var at = node
                for w in normalizer?.expand(word) ?? [word] { at = child(of: at, for: .exact(w)) }
                return at
            case .lexicon(let name):
                guard let id = lexicons[name] else {
                    throw PatternError(pattern: pattern.source, problem: "unknown word class @\(name)")
                }
                return lexiconChild(of: node, id: id)
            default:
                return child(of: node, for: element)
            }
        }
        func insert(_ part: PatternNode, from starts: [Int]) throws -> [Int] {
            switch part {
            case .element(let element):
                var seen = Set<Int>()
                var out: [Int] = []
                for s in starts { let n = try step(s, element); if seen.insert(n).inserted { out.append(n) } }
                return out
            case .sequence(let parts):
                var current = starts
                for p in parts where !current.isEmpty { current = try insert(p, from: current) }
                return current
            case .choice(let alternatives, let optional):
                var seen = Set<Int>()
                var out: [Int] = []
                if optional { for s in starts where seen.insert(s).inserted { out.append(s) } }
                for alternative in alternatives {
                    for n in try insert(alternative, from: starts) where seen.insert(n).inserted { out.append(n) }
                }
                return out
            }
        }
        // The root stands for the empty expansion, which matches nothing.
        for node in try insert(pattern.tree, from: [0]) where node != 0 {
            if !nodes[node].owners.contains(owner) { nodes[node].owners.append(owner) }
        }
    }

    private mutating func lexiconChild(of node: Int, id: Int) -> Int {
        if let next = nodes[node].lexicon[id] { return next }
        nodes.append(Node())
        nodes[node].lexicon[id] = nodes.count - 1
        return nodes.count - 1
    }

    /// Number of distinct phrases (trie leaves with an owner) — what the rule
    /// files spell out once normalised.
    public var phraseCount: Int { nodes.reduce(0) { $0 + $1.owners.count } }

    private mutating func child(of node: Int, for element: PhrasePattern.Element) -> Int {
        func make() -> Int {
            nodes.append(Node())
            return nodes.count - 1
        }
        switch element {
        case .literal(let s):
            if let next = nodes[node].literal[s] { return next }
            let next = make(); nodes[node].literal[s] = next; return next
        case .exact(let s):
            if let next = nodes[node].exact[s] { return next }
            let next = make(); nodes[node].exact[s] = next; return next
        case .lexicon:
            preconditionFailure("word classes are added through add(_:owner:normalizer:lexicons:)")
        case .number:
            if let next = nodes[node].number { return next }
            let next = make(); nodes[node].number = next; return next
        case .word:
            if let next = nodes[node].word { return next }
            let next = make(); nodes[node].word = next; return next
        case .capitalised:
            if let next = nodes[node].capitalised { return next }
            let next = make(); nodes[node].capitalised = next; return next
        case .any:
            if let next = nodes[node].any { return next }
            let next = make(); nodes[node].any = next; return next
        }
    }

    /// All matches in `tokens`, in order of first token then length.
    /// A phrase never spans two sentences.
    /// - Parameter classes: for each token, the word classes whose entries start
    ///   there and the last token of each (from the word-class matcher).
    public func matches(in tokens: [TextIndex.Token], classes: [[Match]] = []) -> [Match] {
        var found: [Match] = []
        var stack: [(node: Int, position: Int)] = []
        for start in tokens.indices {
            stack.removeAll(keepingCapacity: true)
            stack.append((0, start))
            let sentence = tokens[start].sentence
            while let (node, position) = stack.popLast() {
                guard position < tokens.count, tokens[position].sentence == sentence else { continue }
                let token = tokens[position]
                let n = nodes[node]
                var nexts: [Int] = []
                if let next = n.literal[token.stem] { nexts.append(next) }
                if !n.exact.isEmpty, let next = n.exact[token.text] { nexts.append(next) }
                if !n.lexicon.isEmpty, position < classes.count {
                    for m in classes[position] {
                        guard let next = n.lexicon[m.owner] else { continue }
                        for owner in nodes[next].owners { found.append(Match(owner: owner, first: start, last: m.last)) }
                        if nodes[next].hasChildren { stack.append((next, m.last + 1)) }
                    }
                }
                if token.isWord {
                    if token.isNumber, let next = n.number { nexts.append(next) }
                    if !token.isNumber, let next = n.word { nexts.append(next) }
                    if token.isCapitalised, let next = n.capitalised { nexts.append(next) }
                }
                if let next = n.any { nexts.append(next) }
                for next in nexts {
                    for owner in nodes[next].owners {
                        found.append(Match(owner: owner, first: start, last: position))
                    }
                    if nodes[next].hasChildren { stack.append((next, position + 1)) }
                }
            }
        }
        return found
    }

    /// The matches of `classes` (a matcher whose owners are word-class ids)
    /// grouped by first token, for ``matches(in:classes:)``.
    public func classMatches(in tokens: [TextIndex.Token]) -> [[Match]] {
        guard nodes.count > 1 else { return [] }
        var byStart = [[Match]](repeating: [], count: tokens.count)
        for m in matches(in: tokens) { byStart[m.first].append(m) }
        return byStart
    }

    /// Number of trie nodes (for diagnostics and benchmarks).
    public var nodeCount: Int { nodes.count }
}
