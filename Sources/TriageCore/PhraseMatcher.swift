/// Every phrase of a rule set compiled into one token trie, matched in a
/// single pass over a text's tokens.
///
/// Built once per rule set; matching is a walk from each token, so the cost
/// grows with the text, not with the number of rules. Words are interned: each
/// stem and exact word the phrases use gets an integer id once, a text's tokens
/// are looked up in that vocabulary once each, and the trie's edges are one flat
/// hash table keyed by (node, kind, id), so a step of the walk hashes no string
/// and allocates nothing.
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

    /// Ids of the stems and exact words the phrases use.
    private var vocabulary: [String: Int32] = [:]
    /// Edges by stem, by exact word and by word class id.
    private var edges = EdgeTable()
    /// Per node: the child for `#number`, `#word`, `#cap` and `#any`, or -1.
    private var number: [Int32] = [-1]
    private var word: [Int32] = [-1]
    private var capitalised: [Int32] = [-1]
    private var any: [Int32] = [-1]
    /// Per node: which kinds of edge leave it (``EdgeKind`` bits, plus ``hasChild``).
    private var shape: [UInt8] = [0]
    /// Per node: the owners of the phrases that end there, in the order added.
    private var owners: [[Int]] = [[]]

    private static let hasChild: UInt8 = 1 << 7

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
                for w in words { at = child(of: at, .literal, id: intern(w.stem)) }
                return at
            case .exact(let word):
                var at = node
                for w in normalizer?.expand(word) ?? [word] { at = child(of: at, .exact, id: intern(w)) }
                return at
            case .lexicon(let name):
                guard let id = lexicons[name] else {
                    throw PatternError(pattern: pattern.source, problem: "unknown word class @\(name)")
                }
                return child(of: node, .lexicon, id: Int32(id))
            case .number: return child(of: node, in: \.number)
            case .word: return child(of: node, in: \.word)
            case .capitalised: return child(of: node, in: \.capitalised)
            case .any: return child(of: node, in: \.any)
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
            if !owners[node].contains(owner) { owners[node].append(owner) }
        }
    }

    /// Number of distinct phrases (trie leaves with an owner) — what the rule
    /// files spell out once normalised.
    public var phraseCount: Int { owners.reduce(0) { $0 + $1.count } }

    /// Number of trie nodes (for diagnostics and benchmarks).
    public var nodeCount: Int { shape.count }

    private mutating func intern(_ word: String) -> Int32 {
        if let id = vocabulary[word] { return id }
        let id = Int32(vocabulary.count)
        vocabulary[word] = id
        return id
    }

    private mutating func newNode() -> Int {
        number.append(-1); word.append(-1); capitalised.append(-1); any.append(-1)
        shape.append(0)
        owners.append([])
        return shape.count - 1
    }

    private mutating func child(of node: Int, _ kind: EdgeKind, id: Int32) -> Int {
        let key = EdgeTable.key(node: node, kind: kind, id: id)
        if let next = edges.value(for: key) { return Int(next) }
        let next = newNode()
        edges.insert(key, Int32(next))
        shape[node] |= kind.bit | Self.hasChild
        return next
    }

    private mutating func child(of node: Int, in slot: WritableKeyPath<PhraseMatcher, [Int32]>) -> Int {
        if self[keyPath: slot][node] >= 0 { return Int(self[keyPath: slot][node]) }
        let next = newNode()
        self[keyPath: slot][node] = Int32(next)
        shape[node] |= Self.hasChild
        return next
    }

    /// All matches in `tokens`, in order of first token then length.
    /// A phrase never spans two sentences.
    /// - Parameter classes: for each token, the word classes whose entries start
    ///   there and the last token of each (from the word-class matcher).
    public func matches(in tokens: [TextIndex.Token], classes: [[Match]] = []) -> [Match] {
        var found: [Match] = []
        guard !tokens.isEmpty else { return found }
        // Each token looked up once: its stem and exact word as vocabulary ids (-1: no phrase uses it).
        let count = tokens.count
        var stemIDs = [Int32](repeating: -1, count: count)
        var textIDs = [Int32](repeating: -1, count: count)
        var sentences = [Int](repeating: 0, count: count)
        // Bit 0: a word; 1: a number; 2: capitalised.
        var kinds = [UInt8](repeating: 0, count: count)
        for (p, token) in tokens.enumerated() {
            stemIDs[p] = vocabulary[token.stem] ?? -1
            textIDs[p] = token.text == token.stem ? stemIDs[p] : vocabulary[token.text] ?? -1
            sentences[p] = token.sentence
            kinds[p] = (token.isWord ? 1 : 0) | (token.isNumber ? 2 : 0) | (token.isCapitalised ? 4 : 0)
        }
        let hasChild = Self.hasChild
        let literalBit = EdgeKind.literal.bit, exactBit = EdgeKind.exact.bit, lexiconBit = EdgeKind.lexicon.bit
        var stack: [(node: Int, position: Int)] = []
        // The order of the walk is the order of the old one, child by child: word
        // classes first (their owners found at once), then stem, exact word,
        // #number or #word, #cap and #any.
        @inline(__always) func reach(_ next: Int32, _ start: Int, _ position: Int) {
            guard next >= 0 else { return }
            let n = Int(next)
            for owner in owners[n] { found.append(Match(owner: owner, first: start, last: position)) }
            if shape[n] & hasChild != 0 { stack.append((n, position + 1)) }
        }
        for start in 0..<count {
            stack.removeAll(keepingCapacity: true)
            stack.append((0, start))
            let sentence = sentences[start]
            while let (node, position) = stack.popLast() {
                guard position < count, sentences[position] == sentence else { continue }
                let s = shape[node]
                if s & lexiconBit != 0, position < classes.count {
                    for m in classes[position] {
                        guard let next = edges.value(for: EdgeTable.key(node: node, kind: .lexicon, id: Int32(m.owner))) else { continue }
                        let n = Int(next)
                        for owner in owners[n] { found.append(Match(owner: owner, first: start, last: m.last)) }
                        if shape[n] & hasChild != 0 { stack.append((n, m.last + 1)) }
                    }
                }
                if s & literalBit != 0, stemIDs[position] >= 0,
                   let next = edges.value(for: EdgeTable.key(node: node, kind: .literal, id: stemIDs[position])) {
                    reach(next, start, position)
                }
                if s & exactBit != 0, textIDs[position] >= 0,
                   let next = edges.value(for: EdgeTable.key(node: node, kind: .exact, id: textIDs[position])) {
                    reach(next, start, position)
                }
                let k = kinds[position]
                if k & 1 != 0 {
                    reach(k & 2 != 0 ? number[node] : word[node], start, position)
                    if k & 4 != 0 { reach(capitalised[node], start, position) }
                }
                reach(any[node], start, position)
            }
        }
        return found
    }

    /// The matches of `classes` (a matcher whose owners are word-class ids)
    /// grouped by first token, for ``matches(in:classes:)``.
    public func classMatches(in tokens: [TextIndex.Token]) -> [[Match]] {
        guard shape.count > 1 else { return [] }
        var byStart = [[Match]](repeating: [], count: tokens.count)
        for m in matches(in: tokens) { byStart[m.first].append(m) }
        return byStart
    }
}

/// The kinds of keyed edge in the trie.
private enum EdgeKind: UInt64 {
    case literal = 0, exact = 1, lexicon = 2

    /// This kind's bit in a node's shape.
    var bit: UInt8 { 1 << UInt8(rawValue) }
}

/// The trie's keyed edges, (node, kind, id) → child, in one open-addressing
/// table: a look-up is a multiply and a probe or two, with no string hashed.
private struct EdgeTable: Sendable {
    /// 0 is an empty slot (no key is 0: every key has bit 63 set).
    private var keys: [UInt64] = Array(repeating: 0, count: 1024)
    private var values: [Int32] = Array(repeating: 0, count: 1024)
    private var count = 0
    private var shift: UInt64 = 64 - 10

    @inline(__always)
    static func key(node: Int, kind: EdgeKind, id: Int32) -> UInt64 {
        (1 << 63) | (UInt64(node) << 32) | (kind.rawValue << 30) | UInt64(UInt32(bitPattern: id) & 0x3FFF_FFFF)
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    @inline(__always)
    func value(for key: UInt64) -> Int32? {
        let mask = keys.count - 1
        var i = slot(key)
        while true {
            let k = keys[i]
            if k == key { return values[i] }
            if k == 0 { return nil }
            i = (i + 1) & mask
        }
    }

    /// Inserts a key that is not in the table.
    mutating func insert(_ key: UInt64, _ value: Int32) {
        if (count + 1) * 2 > keys.count { grow() }
        let mask = keys.count - 1
        var i = slot(key)
        while keys[i] != 0 { i = (i + 1) & mask }
        keys[i] = key
        values[i] = value
        count += 1
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = Array(repeating: 0, count: oldKeys.count * 2)
        values = Array(repeating: 0, count: oldKeys.count * 2)
        shift -= 1
        count = 0
        for (k, v) in zip(oldKeys, oldValues) where k != 0 { insert(k, v) }
    }
}
