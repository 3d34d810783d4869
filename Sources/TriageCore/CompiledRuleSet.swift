/// A rule set made ready for matching: every phrase of every rule and guard in
/// one ``PhraseMatcher``, patterns checked, cross-references resolved.
/// Build it once and classify many items with it.
public struct CompiledRuleSet: Sendable {
    public private(set) var ruleSet: RuleSet
    /// Normalises text and phrases alike (contractions, spellings, stems).
    public let normalizer: TextNormalizer
    let matcher: PhraseMatcher
    /// Word classes: owners are indices into ``RuleSet/lexicons``.
    let classMatcher: PhraseMatcher
    /// Word class index by name.
    let lexiconIndex: [String: Int]
    /// Owner ids at or above this are guard phrases; below are rule phrases.
    let guardOwnerBase: Int
    /// Owner ids at or above this are `dates_after` anchor phrases.
    let dateOwnerBase: Int
    /// Rule index by id.
    let ruleIndex: [String: Int]
    /// Guard index by id.
    let guardIndex: [String: Int]
    /// Each guard's `undone_by` and `not_after` word classes, resolved once.
    let guardUndoneBy: [Int?]
    let guardNotAfter: [Int?]
    /// Segment kinds that any rule reads.
    let segmentsRead: Set<String>
    /// Lower-cased match values, precomputed.
    let fieldMatchers: [Int: [String: Set<String>]]
    /// Each rule's fact, value and segments, split once (the evaluation asks per hit).
    let ruleFacts: [String]
    let ruleValues: [String]
    let ruleSegments: [Set<String>]
    /// Decision rows that ask for the second reading's fact, and the first row that asks for it to hold.
    let rowsAskingSecondReading: [Bool]
    let firstRowNeedingSecondReading: Int?
    /// The decision table's rows' and flags' conditions, compiled once (in the table's order).
    let rowConditions: [CompiledRowConditions]
    let flagConditions: [CompiledConditions]
    /// The second reading's stem numbers by vocabulary id (nil: look stems up by string).
    private(set) var secondReadingNumbering: SecondReading.VocabularyNumbering?
    /// The rules that match fields, headers, attachments, the sender or the item, in order.
    let structuralRules: [Int]
    /// Ids of the rules marked `internal` (fired, but not listed among a decision's rules).
    let internalRuleIds: Set<String>

    /// Guard phrase parts.
    /// The parts of a guard, each compiled under its own owner id (`guardOwnerBase + guard * partCount + part`).
    enum GuardPart: Int, CaseIterable { case before = 0, sentence = 1, after = 2, except = 3 }
    static let guardPartCount = GuardPart.allCases.count

    /// Compiles `ruleSet`.
    /// - Parameter stemmer: the stemmer for text and phrases (Snowball English in
    ///   production, from the `SnowballStemming` module).
    /// - Throws: ``RuleSetError`` listing every bad pattern or reference.
    public init(_ ruleSet: RuleSet, stemmer: any WordStemmer) throws {
        self.ruleSet = ruleSet
        let secondFact = ruleSet.table.secondReading?.fact
        rowsAskingSecondReading = ruleSet.table.rows.map { row in
            secondFact.map { fact in row.conditionSets.contains { $0[fact] != nil } } ?? false
        }
        firstRowNeedingSecondReading = secondFact.flatMap { fact in
            ruleSet.table.rows.firstIndex { row in row.conditionSets.contains { $0[fact] == .present(true) || $0[fact] == .value("true") } }
        }
        rowConditions = ruleSet.table.rows.map(CompiledRowConditions.init)
        flagConditions = (ruleSet.table.flags ?? []).map { CompiledConditions($0.when) }
        structuralRules = ruleSet.rules.indices.filter { r in
            let match = ruleSet.rules[r].match
            return match.fields != nil || match.headers != nil || match.attachments != nil || match.senderDomains != nil
                || !(match.item ?? []).isEmpty
        }
        internalRuleIds = Set(ruleSet.rules.filter { $0.internal == true }.map(\.id))
        let normalizer = TextNormalizer(table: ruleSet.normalization, stemmer: stemmer)
        var problems: [String] = []
        var words: [String: [NormalizedWord]] = [:]
        var classMatcher = PhraseMatcher()
        var lexiconIndex: [String: Int] = [:]
        for (l, lexicon) in ruleSet.lexicons.enumerated() {
            if lexiconIndex[lexicon.id] != nil { problems.append("word class \(lexicon.id): duplicate id") }
            lexiconIndex[lexicon.id] = l
            for entry in lexicon.entries {
                do { try classMatcher.add(try PhrasePattern(entry), owner: l, normalizer: normalizer, lexicons: [:], cache: &words) } catch {
                    problems.append("word class \(lexicon.id): \(error)")
                }
            }
        }
        // One vocabulary for both matchers: a token's ids serve the two.
        var matcher = PhraseMatcher(sharingVocabularyOf: classMatcher)
        func add(_ phrase: String, owner: Int, _ what: String) {
            do { try matcher.add(try PhrasePattern(phrase), owner: owner, normalizer: normalizer, lexicons: lexiconIndex, cache: &words) } catch {
                problems.append("\(what): \(error)")
            }
        }
        var ruleIndex: [String: Int] = [:]
        var segments: Set<String> = []
        var fieldMatchers: [Int: [String: Set<String>]] = [:]
        for (r, rule) in ruleSet.rules.enumerated() {
            if ruleIndex[rule.id] != nil { problems.append("rule \(rule.id): duplicate id") }
            ruleIndex[rule.id] = r
            segments.formUnion(rule.segments)
            for phrase in rule.match.phrases ?? [] { add(phrase, owner: r, "rule \(rule.id)") }
            if let fields = rule.match.fields {
                fieldMatchers[r] = fields.mapValues { Set($0.map { $0.lowercased() }) }
            }
        }
        let guardBase = ruleSet.rules.count
        var guardIndex: [String: Int] = [:]
        for (g, guardRule) in ruleSet.guards.enumerated() {
            if guardIndex[guardRule.id] != nil { problems.append("guard \(guardRule.id): duplicate id") }
            guardIndex[guardRule.id] = g
            for (key, name) in [("undone_by", guardRule.undoneBy), ("not_after", guardRule.notAfter)] {
                if let name, lexiconIndex[name] == nil { problems.append("guard \(guardRule.id): unknown word class \(name) in \(key)") }
            }
            let parts: [(GuardPart, [String]?)] = [(.before, guardRule.before), (.sentence, guardRule.sentence),
                                                   (.after, guardRule.after), (.except, guardRule.except)]
            for (part, phrases) in parts {
                for phrase in phrases ?? [] { add(phrase, owner: guardBase + g * Self.guardPartCount + part.rawValue, "guard \(guardRule.id)") }
            }
        }
        let dateBase = guardBase + ruleSet.guards.count * Self.guardPartCount
        for (r, rule) in ruleSet.rules.enumerated() {
            for phrase in rule.match.datesAfter ?? [] { add(phrase, owner: dateBase + r, "rule \(rule.id)") }
            if let widen = rule.widen, lexiconIndex[widen] == nil { problems.append("rule \(rule.id): unknown word class \(widen) in widen") }
            for g in rule.guards ?? [] where guardIndex[g] == nil {
                problems.append("rule \(rule.id): unknown guard \(g)")
            }
        }
        if !problems.isEmpty { throw RuleSetError(problems: problems) }
        // The phrases' words, normalised once above, are the words text uses most.
        // Tokens carry their words' ids in the shared vocabulary (the class matcher's is its beginning).
        let tag = PhraseMatcher.newVocabularyTag()
        matcher.vocabularyTag = tag
        classMatcher.vocabularyTag = tag
        // The second reading's stems get ids too, so it scores tokens by their ids.
        if let model = ruleSet.secondReading { matcher.intern(model.stems) }
        self.normalizer = normalizer.remembering(words, vocabulary: matcher.words, tag: tag)
        self.secondReadingNumbering = ruleSet.secondReading?.numbering(by: matcher.words, tag: tag)
        self.matcher = matcher
        self.classMatcher = classMatcher
        self.lexiconIndex = lexiconIndex
        self.guardOwnerBase = guardBase
        self.dateOwnerBase = dateBase
        self.ruleIndex = ruleIndex
        self.guardIndex = guardIndex
        self.guardUndoneBy = ruleSet.guards.map { $0.undoneBy.flatMap { lexiconIndex[$0] } }
        self.guardNotAfter = ruleSet.guards.map { $0.notAfter.flatMap { lexiconIndex[$0] } }
        self.segmentsRead = segments
        self.fieldMatchers = fieldMatchers
        self.ruleFacts = ruleSet.rules.map(\.fact)
        self.ruleValues = ruleSet.rules.map(\.value)
        self.ruleSegments = ruleSet.rules.map { Set($0.segments) }
    }

    /// Number of nodes in the phrase automaton.
    public var automatonSize: Int { matcher.nodeCount }

    /// Distinct normalised phrases of rules and guards (what the files spell
    /// out once contractions, spellings and stems are folded together).
    public var phraseCount: Int { matcher.phraseCount }

    /// Phrase alternatives as the files write them: every expansion of every
    /// rule, guard and word-class pattern (a word class used by name counts once).
    public var writtenAlternatives: Int {
        writtenPhrases.flatMap(\.phrases).reduce(0) { $0 + ((try? PhrasePattern($1).expansionCount) ?? 0) }
    }

    /// Every phrase pattern the files write, by where it stands ("rule x", "guard y", "word class z").
    public var writtenPhrases: [(owner: String, phrases: [String])] {
        ruleSet.rules.map { ("rule \($0.id)", ($0.match.phrases ?? []) + ($0.match.datesAfter ?? [])) }
            + ruleSet.guards.map { ("guard \($0.id)", ($0.before ?? []) + ($0.sentence ?? []) + ($0.after ?? []) + ($0.except ?? [])) }
            + ruleSet.lexicons.map { ("word class \($0.id)", $0.entries) }
    }

    /// Indexes a stretch of text the way rules read it.
    public func index(_ text: String, baseOffset: Int = 0) -> TextIndex {
        TextIndex(text, baseOffset: baseOffset, normalizer: normalizer)
    }

    /// The same compiled rules with another learned second reading (nothing is recompiled).
    public func replacingSecondReading(_ model: SecondReading?) -> CompiledRuleSet {
        var copy = self
        copy.ruleSet.secondReading = model
        // Another model numbers its stems otherwise, and some may have no id: by string.
        copy.secondReadingNumbering = nil
        return copy
    }


}

/// Problems that make a rule set unusable.
public struct RuleSetError: Error, CustomStringConvertible, Sendable {
    public var problems: [String]
    public var description: String { problems.joined(separator: "\n") }
}
