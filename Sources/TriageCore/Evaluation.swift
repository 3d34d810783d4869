import Foundation

// MARK: - Evaluation

/// One match of a rule, with where it is.
struct Hit {
    var rule: Int
    var view: Int
    var first: Int
    var last: Int
    var segment: String
    var start: Int
    var end: Int
    var quote: String
    var date: Date?
}

/// One indexed stretch of text: a body segment, the subject line or a form field.
struct View {
    var segment: String
    var index: TextIndex
    /// Word-class matches by first token (see ``PhraseMatcher/classMatches(in:)``).
    /// Setting them indexes them for the look-ups below.
    var classes: [[PhraseMatcher.Match]] = [] {
        didSet { indexClasses() }
    }
    /// The word-class matches by the token they end at: those ending at token p are
    /// `endings[endingStart[p]..<endingStart[p + 1]]`, as (class id, first token).
    private var endingStart: [Int32] = []
    private var endings: [(id: Int32, first: Int32)] = []
    /// Per sentence, a bit per word class with a match starting in it (``classWords`` words each).
    private var sentenceClasses: [UInt64] = []
    private var classWords = 0

    init(segment: String, index: TextIndex) {
        self.segment = segment
        self.index = index
    }

    private mutating func indexClasses() {
        let tokens = index.tokens
        var counts = [Int32](repeating: 0, count: classes.count + 1)
        var maxOwner = -1
        var maxSentence = -1
        for (first, matches) in classes.enumerated() {
            for m in matches {
                counts[m.last + 1] += 1
                maxOwner = max(maxOwner, m.owner)
                if first < tokens.count { maxSentence = max(maxSentence, tokens[first].sentence) }
            }
        }
        for p in counts.indices.dropFirst() { counts[p] += counts[p - 1] }
        endingStart = counts
        endings = Array(repeating: (0, 0), count: Int(counts.last ?? 0))
        var fill = counts
        classWords = maxOwner < 0 ? 0 : maxOwner / 64 + 1
        sentenceClasses = Array(repeating: 0, count: classWords * (maxSentence + 1))
        for (first, matches) in classes.enumerated() {
            for m in matches {
                endings[Int(fill[m.last])] = (Int32(m.owner), Int32(first))
                fill[m.last] += 1
                if first < tokens.count {
                    sentenceClasses[tokens[first].sentence * classWords + m.owner / 64] |= 1 << UInt64(m.owner % 64)
                }
            }
        }
    }

    /// Whether a match of word class `id` covers exactly token `position`.
    func token(_ position: Int, isIn id: Int) -> Bool {
        classMatch(id, endingAt: position, reach: 0)
    }

    /// Whether a match of word class `id` ends exactly at token `position`
    /// (started at most `reach` tokens before it).
    func classMatch(_ id: Int, endingAt position: Int, reach: Int = 8) -> Bool {
        guard position >= 0, position < classes.count, position + 1 < endingStart.count else { return false }
        var e = Int(endingStart[position])
        let end = Int(endingStart[position + 1])
        while e < end {
            if endings[e].id == id, Int(endings[e].first) >= position - reach { return true }
            e += 1
        }
        return false
    }

    /// Whether a match of word class `id` starts at token `position`.
    func classMatch(_ id: Int, startingAt position: Int) -> Bool {
        guard position >= 0, position < classes.count else { return false }
        return classes[position].contains { $0.owner == id }
    }

    /// Whether some match of word class `id` lies in `sentence`.
    func sentence(_ sentence: Int, has id: Int) -> Bool {
        // Sentence numbers are indices into `sentences` (each closed sentence holds
        // tokens), and every token of sentence k says k.
        guard id >= 0, id / 64 < classWords, sentence >= 0 else { return false }
        let word = sentence * classWords + id / 64
        return word < sentenceClasses.count && sentenceClasses[word] & (1 << UInt64(id % 64)) != 0
    }
}

struct Evaluation {
    let rules: CompiledRuleSet
    let item: Correspondence
    let received: Date?
    var views: [View] = []
    var hits: [Hit] = []
    var external: [HistoryFact] = []
    /// fact → value → hit indices.
    var facts: [String: [String: [Int]]] = [:]
    /// Facts the engine derives (subject, subject_conflict, review_timing, …).
    var derived: [String: Set<String>] = [:]
    var suppressed: [SuppressedMatch] = []
    var subjectHits: [Int] = []
    /// Anchors tied to a role through a word that refers back: (anchor hit, mention hit).
    var links: [(anchor: Int, mention: Int)] = []
    var reviewDays: Int?
    var letterDate: Date?
    var caseworkerNotes: [String] = []
    /// The decision-table row found while deciding whether to read a second time,
    /// kept so the table is not searched twice (nil: search it).
    var holdingRow: Int?
    /// When reading must stop (``ItemBudget/maxClassifySeconds``); nil: no limit.
    var deadline: ContinuousClock.Instant?
    /// Set when the deadline passed: the rest of the reading was skipped.
    var outOfTime = false
    private var steps = 0

    init(rules: CompiledRuleSet, item: Correspondence, received: Date?) {
        self.rules = rules
        self.item = item
        self.received = received
    }

    var ruleSet: RuleSet { rules.ruleSet }

    /// Whether the time budget is spent (the clock is read every 64 steps).
    mutating func spent() -> Bool {
        if outOfTime { return true }
        guard let deadline else { return false }
        steps &+= 1
        if steps & 63 == 0, ContinuousClock.now >= deadline { outOfTime = true }
        return outOfTime
    }

    // MARK: Facts

    func values(_ fact: String) -> Set<String> {
        var result = Set(facts[fact]?.keys.map { $0 } ?? [])
        if let d = derived[fact] { result.formUnion(d) }
        return result
    }

    /// Whether `fact` has any value (without building the set of its values).
    func isSet(_ fact: String) -> Bool {
        !(facts[fact]?.isEmpty ?? true) || !(derived[fact]?.isEmpty ?? true)
    }

    /// Whether `fact` has the value `value`.
    func has(_ fact: String, _ value: String) -> Bool {
        facts[fact]?[value] != nil || derived[fact]?.contains(value) == true
    }

    /// Whether every condition holds.
    func holds(_ conditions: CompiledConditions) -> Bool {
        for (fact, test) in conditions.tests {
            switch test {
            case .present(let wanted): if isSet(fact) != wanted { return false }
            case .value(let x): if !has(fact, x) { return false }
            case .notValue(let x): if has(fact, x) { return false }
            case .anyOf(let xs): if !xs.contains(where: { has(fact, $0) }) { return false }
            }
        }
        return true
    }
}
