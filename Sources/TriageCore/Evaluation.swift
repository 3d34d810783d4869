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
    /// For a word class and the token a match of it ends at: the latest token such a match starts at.
    private var latestStart: [ClassAt: Int] = [:]
    /// Word classes by the sentences their matches start in.
    private var inSentence: Set<ClassAt> = []
    /// Word classes by the tokens their matches start at.
    private var startsAt: Set<ClassAt> = []

    init(segment: String, index: TextIndex) {
        self.segment = segment
        self.index = index
    }

    /// A word class at a token or in a sentence.
    private struct ClassAt: Hashable {
        var id: Int
        var at: Int
    }

    private mutating func indexClasses() {
        latestStart = [:]
        inSentence = []
        startsAt = []
        let tokens = index.tokens
        for (first, matches) in classes.enumerated() {
            for m in matches {
                // Tokens come in order, so the last start written is the latest.
                latestStart[ClassAt(id: m.owner, at: m.last)] = first
                startsAt.insert(ClassAt(id: m.owner, at: first))
                if first < tokens.count { inSentence.insert(ClassAt(id: m.owner, at: tokens[first].sentence)) }
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
        guard position >= 0, position < classes.count, let start = latestStart[ClassAt(id: id, at: position)] else { return false }
        return start >= position - reach
    }

    /// Whether a match of word class `id` starts at token `position`.
    func classMatch(_ id: Int, startingAt position: Int) -> Bool {
        startsAt.contains(ClassAt(id: id, at: position))
    }

    /// Whether some match of word class `id` lies in `sentence`.
    func sentence(_ sentence: Int, has id: Int) -> Bool {
        // Sentence numbers are indices into `sentences` (each closed sentence holds
        // tokens), and every token of sentence k says k.
        inSentence.contains(ClassAt(id: id, at: sentence))
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

    func holds(_ conditions: [String: FactCondition]) -> Bool {
        for (fact, condition) in conditions {
            let v = values(fact)
            switch condition {
            case .present(let wanted): if v.isEmpty == wanted { return false }
            case .value(let x):
                if x.hasPrefix("!") {
                    if v.contains(String(x.dropFirst())) { return false }
                } else if !v.contains(x) {
                    return false
                }
            case .anyOf(let xs): if v.isDisjoint(with: xs) { return false }
            }
        }
        return true
    }
}
