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
        var literal: [String: Int] = [:]
        var number: Int?
        var word: Int?
        var capitalised: Int?
        var any: Int?
        var owners: [Int] = []
    }

    private var nodes: [Node] = [Node()]

    public init() {}

    /// Adds every expansion of `pattern` for `owner`.
    public mutating func add(_ pattern: PhrasePattern, owner: Int) {
        for expansion in pattern.expansions {
            var node = 0
            for element in expansion {
                node = child(of: node, for: element)
            }
            if !nodes[node].owners.contains(owner) { nodes[node].owners.append(owner) }
        }
    }

    private mutating func child(of node: Int, for element: PhrasePattern.Element) -> Int {
        func make() -> Int {
            nodes.append(Node())
            return nodes.count - 1
        }
        switch element {
        case .literal(let s):
            if let next = nodes[node].literal[s] { return next }
            let next = make(); nodes[node].literal[s] = next; return next
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
    public func matches(in tokens: [TextIndex.Token]) -> [Match] {
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
                if let next = n.literal[token.text] { nexts.append(next) }
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
                    if !nodes[next].literal.isEmpty || nodes[next].number != nil || nodes[next].word != nil
                        || nodes[next].capitalised != nil || nodes[next].any != nil {
                        stack.append((next, position + 1))
                    }
                }
            }
        }
        return found
    }

    /// Number of trie nodes (for diagnostics and benchmarks).
    public var nodeCount: Int { nodes.count }
}
