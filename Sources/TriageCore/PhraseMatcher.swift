import Synchronization

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
    /// Per node, four slots (``Special``): the child for `#number`, `#word`, `#cap` and `#any`, or -1.
    private var special: [Int32] = [-1, -1, -1, -1]
    /// Per node: which kinds of keyed edge leave it (``EdgeKind`` bits), ``hasChild`` and ``hasOwner``.
    private var shape: [UInt8] = [0]
    /// Per node: the owners of the phrases that end there, in the order added.
    private var owners: [[Int]] = [[]]
    /// The root's keyed children, by kind (``EdgeKind`` raw value) and id, or -1: every
    /// token starts a walk at the root, so its edges are read from these dense arrays,
    /// not probed in the large edge table.
    private var rootChildren: [[Int32]] = [[], [], []]

    private static let hasChild: UInt8 = 1 << 7
    private static let hasOwner: UInt8 = 1 << 6

    /// The slots of ``special``.
    private enum Special {
        static let number = 0, word = 1, capitalised = 2, any = 3
    }

    /// What the walk needs of a token.
    private struct TokenInfo {
        var stem: Int32
        var text: Int32
        var sentence: Int
        /// Bit 0: a word; 1: a number; 2: capitalised.
        var kind: UInt8
    }

    public init() {}

    /// A matcher whose vocabulary starts as `other`'s, so a word has the same id in
    /// both (a text's tokens are then looked up once for the two).
    init(sharingVocabularyOf other: PhraseMatcher) {
        vocabulary = other.vocabulary
    }

    /// The ids of the stems and exact words the phrases use (see ``TextNormalizer``).
    var words: [String: Int32] { vocabulary }

    /// The tag of this matcher's vocabulary as tokens carry it (0: tokens' ids are not used).
    /// Tokens indexed with a normaliser remembering the same vocabulary under the same tag
    /// are matched by their ids; any other token by looking its words up.
    var vocabularyTag: Int32 = 0

    /// A new tag for a vocabulary, never 0, unique in this process.
    static func newVocabularyTag() -> Int32 {
        nextTag.add(1, ordering: .relaxed).newValue
    }
    private static let nextTag = Atomic<Int32>(0)

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
            case .number: return child(of: node, special: Special.number)
            case .word: return child(of: node, special: Special.word)
            case .capitalised: return child(of: node, special: Special.capitalised)
            case .any: return child(of: node, special: Special.any)
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
            shape[node] |= Self.hasOwner
        }
    }

    /// Number of distinct phrases (trie leaves with an owner) — what the rule
    /// files spell out once normalised.
    public var phraseCount: Int { owners.reduce(0) { $0 + $1.count } }

    /// Number of trie nodes (for diagnostics and benchmarks).
    public var nodeCount: Int { shape.count }

    /// Gives each of `words` an id in the vocabulary (words no phrase uses match
    /// nothing: they only carry ids for other readers of the tokens).
    mutating func intern(_ words: [String]) {
        for word in words { _ = intern(word) }
    }

    private mutating func intern(_ word: String) -> Int32 {
        if let id = vocabulary[word] { return id }
        let id = Int32(vocabulary.count)
        vocabulary[word] = id
        return id
    }

    private mutating func newNode() -> Int {
        special.append(contentsOf: [-1, -1, -1, -1])
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
        if node == 0 {
            let k = Int(kind.rawValue)
            if rootChildren[k].count <= Int(id) { rootChildren[k] += [Int32](repeating: -1, count: Int(id) + 1 - rootChildren[k].count) }
            rootChildren[k][Int(id)] = Int32(next)
        }
        return next
    }

    private mutating func child(of node: Int, special slot: Int) -> Int {
        if special[4 * node + slot] >= 0 { return Int(special[4 * node + slot]) }
        let next = newNode()
        special[4 * node + slot] = Int32(next)
        shape[node] |= Self.hasChild
        return next
    }

    /// All matches in `tokens`, in order of first token then length.
    /// A phrase never spans two sentences.
    /// - Parameter classes: for each token, the word classes whose entries start
    ///   there and the last token of each (from the word-class matcher).
    public func matches(in tokens: [TextIndex.Token], classes: [[Match]] = []) -> [Match] {
        let count = tokens.count
        guard count > 0 else { return [] }
        // Each token looked up once: its stem and exact word as vocabulary ids (-1: no
        // phrase uses it), its sentence and its kind. The walk then reads only plain
        // memory through pointers, which costs the same in a debug build as in a release one.
        let info = UnsafeMutablePointer<TokenInfo>.allocate(capacity: count)
        defer { info.deallocate() }
        let tag = vocabularyTag
        for (p, token) in tokens.enumerated() {
            let stem: Int32, text: Int32
            if tag != 0, token.ids.vocabulary == tag {
                stem = token.ids.stem
                text = token.ids.text
            } else {
                stem = vocabulary[token.stem] ?? -1
                text = token.text == token.stem ? stem : vocabulary[token.text] ?? -1
            }
            info[p] = TokenInfo(
                stem: stem, text: text,
                sentence: token.sentence,
                kind: (token.isWord ? 1 : 0) | (token.isNumber ? 2 : 0) | (token.isCapitalised ? 4 : 0))
        }
        // The word-class matches, flattened: those starting at token p are classFlat[classStart[p]..<classStart[p + 1]].
        let classStart = UnsafeMutablePointer<Int>.allocate(capacity: count + 1)
        defer { classStart.deallocate() }
        var classList: [(owner: Int, last: Int)] = []
        for p in 0..<count {
            classStart[p] = classList.count
            if p < classes.count { for m in classes[p] { classList.append((m.owner, m.last)) } }
        }
        classStart[count] = classList.count
        var found: [Match] = []
        let hasChild = Self.hasChild, hasOwner = Self.hasOwner
        let literalBit = EdgeKind.literal.bit, exactBit = EdgeKind.exact.bit, lexiconBit = EdgeKind.lexicon.bit
        shape.withUnsafeBufferPointer { shapeBuffer in
        special.withUnsafeBufferPointer { specialBuffer in
        edges.slots.withUnsafeBufferPointer { slotBuffer in
        classList.withUnsafeBufferPointer { classBuffer in
        rootChildren[0].withUnsafeBufferPointer { rootLiteral in
        rootChildren[1].withUnsafeBufferPointer { rootExact in
        rootChildren[2].withUnsafeBufferPointer { rootLexicon in
            let shape = shapeBuffer.baseAddress!, special = specialBuffer.baseAddress!
            let slots = slotBuffer.baseAddress!, mask = slotBuffer.count - 1, shift = edges.shift
            let classFlat = classBuffer.baseAddress
            /// The child of `node` by a keyed edge, or -1.
            func child(_ node: Int, _ kind: EdgeKind, _ id: Int32) -> Int {
                if node == 0 {
                    let root = kind == .literal ? rootLiteral : kind == .exact ? rootExact : rootLexicon
                    return Int(id) < root.count ? Int(root[Int(id)]) : -1
                }
                let key = EdgeTable.key(node: node, kind: kind, id: id)
                var i = Int(truncatingIfNeeded: (key &* EdgeTable.multiplier) >> shift)
                while true {
                    let slot = slots[i]
                    if slot.key == key { return Int(slot.value) }
                    if slot.key == 0 { return -1 }
                    i = (i + 1) & mask
                }
            }
            // The walk's stack of (node, position).
            var stackCapacity = 64
            var stack = UnsafeMutablePointer<(node: Int, position: Int)>.allocate(capacity: stackCapacity)
            defer { stack.deallocate() }
            var top = 0
            func push(_ node: Int, _ position: Int) {
                if top == stackCapacity {
                    let grown = UnsafeMutablePointer<(node: Int, position: Int)>.allocate(capacity: stackCapacity * 2)
                    grown.moveInitialize(from: stack, count: top)
                    stack.deallocate()
                    stack = grown
                    stackCapacity *= 2
                }
                stack[top] = (node, position)
                top += 1
            }
            /// A step reaches `next` (-1: none) at `last`: its owners match, and the walk goes on from it.
            func reach(_ next: Int, _ start: Int, _ last: Int) {
                guard next >= 0 else { return }
                if shape[next] & hasOwner != 0 {
                    for owner in owners[next] { found.append(Match(owner: owner, first: start, last: last)) }
                }
                if shape[next] & hasChild != 0 { push(next, last + 1) }
            }
            // The order of the walk is that of a depth-first search pushing, from each
            // node, word classes first (their owners found at once), then the children
            // by stem, by exact word, #number or #word, #cap and #any.
            for start in 0..<count {
                top = 0
                push(0, start)
                let sentence = info[start].sentence
                while top > 0 {
                    top -= 1
                    let (node, position) = stack[top]
                    guard position < count, info[position].sentence == sentence else { continue }
                    let s = shape[node]
                    if s & lexiconBit != 0, let classFlat {
                        var c = classStart[position]
                        while c < classStart[position + 1] {
                            let m = classFlat[c]
                            reach(child(node, .lexicon, Int32(m.owner)), start, m.last)
                            c += 1
                        }
                    }
                    let token = info[position]
                    if s & literalBit != 0, token.stem >= 0 { reach(child(node, .literal, token.stem), start, position) }
                    if s & exactBit != 0, token.text >= 0 { reach(child(node, .exact, token.text), start, position) }
                    let slots = special + 4 * node
                    if token.kind & 1 != 0 {
                        reach(Int(token.kind & 2 != 0 ? slots[Special.number] : slots[Special.word]), start, position)
                        if token.kind & 4 != 0 { reach(Int(slots[Special.capitalised]), start, position) }
                    }
                    reach(Int(slots[Special.any]), start, position)
                }
            }
        }
        }
        }
        }
        }
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
    struct Slot: Sendable {
        /// 0: empty (no key is 0: every key has bit 63 set).
        var key: UInt64
        var value: Int32
    }

    private(set) var slots = [Slot](repeating: Slot(key: 0, value: 0), count: 1024)
    private var count = 0
    /// 64 minus log2 of the number of slots: a key's home slot is the top bits of its product with ``multiplier``.
    private(set) var shift: UInt64 = 64 - 10
    static let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15

    static func key(node: Int, kind: EdgeKind, id: Int32) -> UInt64 {
        (1 << 63) | (UInt64(node) << 32) | (kind.rawValue << 30) | UInt64(UInt32(bitPattern: id) & 0x3FFF_FFFF)
    }

    func value(for key: UInt64) -> Int32? {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: (key &* Self.multiplier) >> shift)
        while true {
            let slot = slots[i]
            if slot.key == key { return slot.value }
            if slot.key == 0 { return nil }
            i = (i + 1) & mask
        }
    }

    /// Inserts a key that is not in the table.
    mutating func insert(_ key: UInt64, _ value: Int32) {
        if (count + 1) * 2 > slots.count { grow() }
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: (key &* Self.multiplier) >> shift)
        while slots[i].key != 0 { i = (i + 1) & mask }
        slots[i] = Slot(key: key, value: value)
        count += 1
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(key: 0, value: 0), count: old.count * 2)
        shift -= 1
        count = 0
        var i = 0
        while i < old.count {
            if old[i].key != 0 { insert(old[i].key, old[i].value) }
            i += 1
        }
    }
}
