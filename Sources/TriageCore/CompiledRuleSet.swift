/// A rule set made ready for matching: every phrase of every rule and guard in
/// one ``PhraseMatcher``, patterns checked, cross-references resolved.
/// Build it once and classify many items with it.
public struct CompiledRuleSet: Sendable {
    public let ruleSet: RuleSet
    let matcher: PhraseMatcher
    /// Owner ids at or above this are guard phrases; below are rule phrases.
    let guardOwnerBase: Int
    /// Owner ids at or above this are `dates_after` anchor phrases.
    let dateOwnerBase: Int
    /// Rule index by id.
    let ruleIndex: [String: Int]
    /// Guard index by id.
    let guardIndex: [String: Int]
    /// Segment kinds that any rule reads.
    let segmentsRead: Set<String>
    /// Lower-cased match values, precomputed.
    let fieldMatchers: [Int: [String: Set<String>]]

    /// Guard phrase parts.
    enum GuardPart: Int { case before = 0, sentence = 1, after = 2 }

    /// Compiles `ruleSet`.
    /// - Throws: ``RuleSetError`` listing every bad pattern or reference.
    public init(_ ruleSet: RuleSet) throws {
        self.ruleSet = ruleSet
        var problems: [String] = []
        var matcher = PhraseMatcher()
        var ruleIndex: [String: Int] = [:]
        var segments: Set<String> = []
        var fieldMatchers: [Int: [String: Set<String>]] = [:]
        for (r, rule) in ruleSet.rules.enumerated() {
            if ruleIndex[rule.id] != nil { problems.append("rule \(rule.id): duplicate id") }
            ruleIndex[rule.id] = r
            segments.formUnion(rule.segments)
            for phrase in rule.match.phrases ?? [] {
                do { matcher.add(try PhrasePattern(phrase), owner: r) } catch { problems.append("rule \(rule.id): \(error)") }
            }
            if let fields = rule.match.fields {
                fieldMatchers[r] = fields.mapValues { Set($0.map { $0.lowercased() }) }
            }
        }
        let guardBase = ruleSet.rules.count
        var guardIndex: [String: Int] = [:]
        for (g, guardRule) in ruleSet.guards.enumerated() {
            if guardIndex[guardRule.id] != nil { problems.append("guard \(guardRule.id): duplicate id") }
            guardIndex[guardRule.id] = g
            let parts: [(GuardPart, [String]?)] = [(.before, guardRule.before), (.sentence, guardRule.sentence), (.after, guardRule.after)]
            for (part, phrases) in parts {
                for phrase in phrases ?? [] {
                    do { matcher.add(try PhrasePattern(phrase), owner: guardBase + g * 3 + part.rawValue) } catch {
                        problems.append("guard \(guardRule.id): \(error)")
                    }
                }
            }
        }
        let dateBase = guardBase + ruleSet.guards.count * 3
        for (r, rule) in ruleSet.rules.enumerated() {
            for phrase in rule.match.datesAfter ?? [] {
                do { matcher.add(try PhrasePattern(phrase), owner: dateBase + r) } catch { problems.append("rule \(rule.id): \(error)") }
            }
            for g in rule.guards ?? [] where guardIndex[g] == nil {
                problems.append("rule \(rule.id): unknown guard \(g)")
            }
        }
        if !problems.isEmpty { throw RuleSetError(problems: problems) }
        self.matcher = matcher
        self.guardOwnerBase = guardBase
        self.dateOwnerBase = dateBase
        self.ruleIndex = ruleIndex
        self.guardIndex = guardIndex
        self.segmentsRead = segments
        self.fieldMatchers = fieldMatchers
    }

    /// Number of nodes in the phrase automaton.
    public var automatonSize: Int { matcher.nodeCount }
}

/// Problems that make a rule set unusable.
public struct RuleSetError: Error, CustomStringConvertible, Sendable {
    public var problems: [String]
    public var description: String { problems.joined(separator: "\n") }
}
