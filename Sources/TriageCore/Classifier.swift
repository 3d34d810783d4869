import Foundation

/// Turns a ``Correspondence`` into a justified ``Decision`` with a compiled
/// rule set: rules set facts (with evidence), the subject is tied to the words
/// of dissatisfaction, time limits are computed, and the first decision-table
/// row whose conditions hold decides. Pure: no I/O.
public struct Classifier: Sendable {
    public let rules: CompiledRuleSet

    public init(_ rules: CompiledRuleSet) {
        self.rules = rules
    }

    /// Classifies one item.
    /// - Parameters:
    ///   - item: the item.
    ///   - force: the force profile id.
    ///   - history: facts about the item that come from the store (repetitious,
    ///     vexatious, excessive contact), with their evidence.
    ///   - now: the date to use when the item has none.
    /// - Returns: the decision; `needs_caseworker` when nothing decides.
    public func classify(_ item: Correspondence, force: String, history: [HistoryFact] = [], now: Date? = nil) -> Decision {
        let trace = self.trace(item, force: force, history: history, now: now)
        return trace.decision
    }

    /// Classifies one item and returns the whole evaluation: facts, suppressed
    /// matches, and the decision.
    public func trace(_ item: Correspondence, force: String, history: [HistoryFact] = [], now: Date? = nil) -> ClassificationTrace {
        var run = Evaluation(rules: rules, item: item, received: item.date?.value ?? now)
        run.matchAll()
        for fact in history { run.add(external: fact) }
        run.resolveSubject()
        let profile = rules.ruleSet.profile(force)
        run.computeReviewTiming(windowDays: profile?.reviewWindowDays ?? 28)
        let decision = run.decide(force: force, profile: profile)
        return ClassificationTrace(decision: decision, facts: run.factSummary(), suppressed: run.suppressed)
    }

    /// The rule ids that fire on `item`, with their evidence (for rule examples).
    public func firedEvidence(_ item: Correspondence) -> [Evidence] {
        var run = Evaluation(rules: rules, item: item, received: item.date?.value)
        run.matchAll()
        return run.allEvidence()
    }
}

/// A fact established from history (the store), with its evidence.
public struct HistoryFact: Sendable, Equatable {
    public var fact: String
    public var value: String
    public var rule: String
    public var cites: String
    /// What the fact rests on, e.g. "item 3f2a… of 2026-10-02, 'PC 1234 at Ely'".
    public var quote: String

    public init(fact: String, value: String, rule: String, cites: String, quote: String) {
        self.fact = fact
        self.value = value
        self.rule = rule
        self.cites = cites
        self.quote = quote
    }
}

/// The evaluation behind a decision.
public struct ClassificationTrace: Sendable {
    public var decision: Decision
    /// Every fact with its values.
    public var facts: [String: [String]]
    /// Matches that a guard stopped, with the guard's id.
    public var suppressed: [SuppressedMatch]
}

/// A match that did not count, and why.
public struct SuppressedMatch: Codable, Sendable, Equatable {
    public var rule: String
    public var guardId: String
    public var quote: String
    public var segment: String
    public var start: Int

    enum CodingKeys: String, CodingKey {
        case rule, quote, segment, start
        case guardId = "guard"
    }
}

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
    var reviewDays: Int?
    var letterDate: Date?
    var caseworkerNotes: [String] = []

    init(rules: CompiledRuleSet, item: Correspondence, received: Date?) {
        self.rules = rules
        self.item = item
        self.received = received
    }

    private var ruleSet: RuleSet { rules.ruleSet }

    // MARK: Matching

    mutating func matchAll() {
        buildViews()
        for v in views.indices { matchPhrases(in: v) }
        matchStructural()
        applyContainment()
        applyProximity()
        rebuildFacts()
    }

    private mutating func buildViews() {
        let read = rules.segmentsRead
        for segment in item.body.segments where read.contains(segment.kind.rawValue) {
            let text = item.body.text(of: segment)
            views.append(View(segment: segment.kind.rawValue, index: TextIndex(text, baseOffset: segment.start)))
        }
        if read.contains("subject"), let subject = item.subject, !subject.isEmpty {
            views.append(View(segment: "subject", index: TextIndex(subject)))
        }
    }

    private mutating func matchPhrases(in v: Int) {
        let index = views[v].index
        let tokens = index.tokens
        guard !tokens.isEmpty else { return }
        let matches = rules.matcher.matches(in: tokens)
        var guardMatches: [PhraseMatcher.Match] = []
        var dateAnchors: [PhraseMatcher.Match] = []
        var ruleMatches: [PhraseMatcher.Match] = []
        for m in matches {
            if m.owner >= rules.dateOwnerBase { dateAnchors.append(m) }
            else if m.owner >= rules.guardOwnerBase { guardMatches.append(m) }
            else { ruleMatches.append(m) }
        }
        let segment = views[v].segment
        for m in ruleMatches {
            let rule = ruleSet.rules[m.owner]
            guard rule.segments.contains(segment) else { continue }
            if let g = guardThatStops(m, rule: rule, guards: guardMatches, index: index) {
                suppressed.append(SuppressedMatch(
                    rule: rule.id, guardId: g, quote: index.quote(from: tokens[m.first].start, to: tokens[m.last].end),
                    segment: segment, start: tokens[m.first].start))
                continue
            }
            hits.append(Hit(rule: m.owner, view: v, first: m.first, last: m.last, segment: segment,
                            start: tokens[m.first].start, end: tokens[m.last].end,
                            quote: index.quote(from: tokens[m.first].start, to: tokens[m.last].end)))
        }
        // Dates after anchor phrases.
        let reader = DateReader()
        for m in dateAnchors {
            let r = m.owner - rules.dateOwnerBase
            let rule = ruleSet.rules[r]
            guard rule.segments.contains(segment) else { continue }
            var position = m.last + 1
            let limit = min(tokens.count, m.last + 8)
            while position < limit, tokens[position].sentence == tokens[m.last].sentence {
                if let found = reader.date(at: position, in: tokens, reference: received) {
                    hits.append(Hit(rule: r, view: v, first: m.first, last: found.last, segment: segment,
                                    start: tokens[found.first].start, end: tokens[found.last].end,
                                    quote: index.quote(from: tokens[m.first].start, to: tokens[found.last].end),
                                    date: found.date))
                    break
                }
                position += 1
            }
        }
    }

    private func guardThatStops(_ m: PhraseMatcher.Match, rule: Rule, guards: [PhraseMatcher.Match], index: TextIndex) -> String? {
        guard let ids = rule.guards, !ids.isEmpty else { return nil }
        let tokens = index.tokens
        let sentence = tokens[m.first].sentence
        for id in ids {
            guard let g = rules.guardIndex[id] else { continue }
            let guardRule = ruleSet.guards[g]
            if guardRule.questionOnly == true, !(index.sentenceIsQuestion.indices.contains(sentence) && index.sentenceIsQuestion[sentence]) {
                continue
            }
            let window = guardRule.window ?? 4
            for gm in guards {
                let owner = gm.owner - rules.guardOwnerBase
                guard owner / 3 == g, tokens[gm.first].sentence == sentence else { continue }
                switch CompiledRuleSet.GuardPart(rawValue: owner % 3) {
                case .before:
                    if gm.last < m.first, m.first - gm.last <= window { return id }
                case .sentence:
                    return id
                case .after:
                    if gm.first > m.last, gm.first - m.last <= window { return id }
                case .none:
                    break
                }
            }
        }
        return nil
    }

    private mutating func matchStructural() {
        for (r, rule) in ruleSet.rules.enumerated() {
            let match = rule.match
            if let fields = rules.fieldMatchers[r] {
                for field in item.formFields {
                    guard let role = field.role, let wanted = fields[role] else { continue }
                    let value = field.value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
                    if (wanted.contains("*") && !value.isEmpty) || wanted.contains(value) {
                        hits.append(Hit(rule: r, view: -1, first: 0, last: 0, segment: "field:\(field.name)",
                                        start: 0, end: field.value.unicodeScalars.count, quote: "\(field.name)=\(field.value)"))
                    }
                }
            }
            if let headers = match.headers {
                for header in item.headers {
                    guard let wanted = headers[header.name.lowercased()] else { continue }
                    let value = header.value.lowercased()
                    if let w = wanted.first(where: { value.contains($0.lowercased()) }) {
                        hits.append(Hit(rule: r, view: -1, first: 0, last: 0, segment: "header:\(header.name)",
                                        start: 0, end: header.value.unicodeScalars.count, quote: "\(header.name): \(w)"))
                    }
                }
            }
            if let names = match.attachments {
                for attachment in item.attachments {
                    let name = (attachment.filename ?? "").lowercased()
                    if let w = names.first(where: { !name.isEmpty && name.contains($0.lowercased()) }) {
                        hits.append(Hit(rule: r, view: -1, first: 0, last: 0, segment: "attachment",
                                        start: 0, end: 0, quote: "\(attachment.filename ?? ""): \(w)"))
                    }
                }
            }
            if let domains = match.senderDomains, let address = item.sender?.address?.lowercased() {
                if let d = domains.first(where: { address.hasSuffix("@" + $0.lowercased()) || address.hasSuffix("." + $0.lowercased()) }) {
                    hits.append(Hit(rule: r, view: -1, first: 0, last: 0, segment: "sender",
                                    start: 0, end: 0, quote: "sender address at \(d)"))
                }
            }
            for property in match.item ?? [] where itemHas(property) {
                hits.append(Hit(rule: r, view: -1, first: 0, last: 0, segment: "item",
                                start: 0, end: 0, quote: Self.itemPropertyDescription[property] ?? property))
            }
        }
    }

    static let itemPropertyDescription: [String: String] = [
        "no_identity": "no name and no reachable contact given",
        "no_text": "nothing written",
    ]

    private func itemHas(_ property: String) -> Bool {
        switch property {
        case "no_identity":
            return item.sender.map(\.isEmpty) ?? true
        case "no_text":
            return item.body.segments(.newText).allSatisfy { item.body.text(of: $0).unicodeScalars.allSatisfy(\.properties.isWhitespace) }
        default:
            return false
        }
    }

    /// Among rules setting the same fact, a match inside a longer match of a
    /// different rule is dropped ("deputy chief constable" over "chief constable").
    private mutating func applyContainment() {
        guard hits.count > 1 else { return }
        var drop = Set<Int>()
        var byViewAndFact: [String: [Int]] = [:]
        for (i, h) in hits.enumerated() where h.view >= 0 && h.date == nil {
            byViewAndFact["\(h.view)|\(ruleSet.rules[h.rule].fact)", default: []].append(i)
        }
        for group in byViewAndFact.values where group.count > 1 {
            for i in group {
                let a = hits[i]
                for j in group where j != i {
                    let b = hits[j]
                    if b.first <= a.first, b.last >= a.last, (b.last - b.first) > (a.last - a.first) {
                        drop.insert(i)
                        break
                    }
                }
            }
        }
        if !drop.isEmpty {
            hits = hits.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
        }
    }

    private mutating func applyProximity() {
        let needing = hits.indices.filter { ruleSet.rules[hits[$0].rule].requires != nil }
        guard !needing.isEmpty else { return }
        var drop = Set<Int>()
        for i in needing {
            let h = hits[i]
            let req = ruleSet.rules[h.rule].requires!
            guard h.view >= 0 else { continue }
            let tokens = views[h.view].index.tokens
            if req.scope == "actor" {
                // The nearest role named before the match (same or previous sentence,
                // same paragraph) must be one of the wanted values.
                let here = tokens[h.first]
                let before = hits.filter { other in
                    other.view == h.view && ruleSet.rules[other.rule].fact == req.fact && other.last < h.first
                        && tokens[other.first].paragraph == here.paragraph
                        && tokens[other.first].sentence + 1 >= here.sentence
                }
                var nearest = before.max { $0.last < $1.last }
                if ["by", "from"].contains(tokens[h.last].text) {
                    // "an assault by the Deputy Commissioner": the actor follows.
                    let after = hits.filter { other in
                        other.view == h.view && ruleSet.rules[other.rule].fact == req.fact && other.first > h.last
                            && other.first - h.last <= 5 && tokens[other.first].sentence == tokens[h.last].sentence
                    }
                    if let first = after.min(by: { $0.first < $1.first }) { nearest = first }
                }
                let ok = nearest.map { n in req.values.map { $0.contains(ruleSet.rules[n.rule].value) } ?? true } ?? false
                if !ok { drop.insert(i) }
                continue
            }
            let ok = hits.contains { other in
                let otherRule = ruleSet.rules[other.rule]
                guard otherRule.fact == req.fact else { return false }
                if let wanted = req.values, !wanted.contains(otherRule.value) { return false }
                if req.scope == "item" { return true }
                guard other.view == h.view else { return false }
                let a = tokens[other.first], b = tokens[h.first]
                switch req.scope {
                case "paragraph": return a.paragraph == b.paragraph
                case "nearby": return a.paragraph == b.paragraph && (a.sentence == b.sentence || a.sentence + 1 == b.sentence)
                default: return a.sentence == b.sentence
                }
            }
            if !ok { drop.insert(i) }
        }
        hits = hits.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
    }

    private mutating func rebuildFacts() {
        facts = [:]
        for (i, h) in hits.enumerated() {
            let rule = ruleSet.rules[h.rule]
            facts[rule.fact, default: [:]][rule.value, default: []].append(i)
        }
    }

    mutating func add(external fact: HistoryFact) {
        external.append(fact)
        derived[fact.fact, default: []].insert(fact.value)
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

    // MARK: Subject

    /// Ties the subject to the words of dissatisfaction: for each anchor, the
    /// nearest role in its sentence, else its paragraph; generic roles yield to
    /// specific ones; different roles that are not compatible are a conflict.
    mutating func resolveSubject() {
        let resolution = ruleSet.table.subject
        let anchorFacts = Set(resolution.anchors)
        let generic = Set(resolution.generic)
        var family: [String: Int] = [:]
        for (n, group) in (resolution.compatible ?? []).enumerated() { for role in group { family[role] = n } }
        func familyKey(_ role: String) -> String { family[role].map { "group\($0)" } ?? role }

        let candidateHits = hits.indices.filter { ruleSet.rules[hits[$0].rule].fact == resolution.candidates && hits[$0].view >= 0 }
        let anchorHits = hits.indices.filter { anchorFacts.contains(ruleSet.rules[hits[$0].rule].fact) && hits[$0].view >= 0 }

        let pointers = Set(resolution.pointers ?? [])
        let sentenceOnly = Set(resolution.sentenceOnly ?? [])
        func nearest(to a: Hit, sameSentence: Bool) -> Int? {
            let tokens = views[a.view].index.tokens
            let pointerAt = pointers.contains(tokens[a.last].text) ? a.last
                : (a.last + 1 < tokens.count && pointers.contains(tokens[a.last + 1].text) ? a.last + 1 : nil)
            if let p = pointerAt {
                // "complain about …": the role that follows within four words.
                for c in candidateHits where hits[c].view == a.view && hits[c].first > p && hits[c].first - p <= 4
                    && tokens[hits[c].first].sentence == tokens[p].sentence {
                    return c
                }
            }
            var best: (Int, Int, Bool)? // (hit, distance, generic)
            for c in candidateHits {
                let h = hits[c]
                guard h.view == a.view else { continue }
                let same = sameSentence ? tokens[h.first].sentence == tokens[a.first].sentence
                                        : tokens[h.first].paragraph == tokens[a.first].paragraph
                guard same else { continue }
                if !sameSentence && sentenceOnly.contains(ruleSet.rules[h.rule].value) { continue }
                let distance = h.last < a.first ? a.first - h.last : (h.first > a.last ? h.first - a.last : 0)
                let isGeneric = generic.contains(ruleSet.rules[h.rule].value)
                if let b = best {
                    if b.2 && !isGeneric { best = (c, distance, isGeneric); continue }
                    if !b.2 && isGeneric { continue }
                    if distance < b.1 { best = (c, distance, isGeneric) }
                } else {
                    best = (c, distance, isGeneric)
                }
            }
            return best?.0
        }

        var chosen: [Int] = []
        for a in anchorHits {
            if let c = nearest(to: hits[a], sameSentence: true) ?? nearest(to: hits[a], sameSentence: false) {
                chosen.append(c)
            }
        }
        if chosen.isEmpty {
            // No role next to the dissatisfaction: take the roles named anywhere in the new text.
            chosen = candidateHits.filter { hits[$0].segment == "new_text" && !sentenceOnly.contains(ruleSet.rules[hits[$0].rule].value) }
            if chosen.isEmpty { chosen = candidateHits.filter { hits[$0].segment == "subject" && !sentenceOnly.contains(ruleSet.rules[hits[$0].rule].value) } }
        }
        guard !chosen.isEmpty else {
            derived["subject"] = [resolution.fallback]
            return
        }
        // Count per family; within a family prefer specific over generic, then the most frequent.
        var families: [String: [Int]] = [:]
        var order: [String] = []
        for c in chosen {
            let key = familyKey(ruleSet.rules[hits[c].rule].value)
            if families[key] == nil { order.append(key) }
            families[key, default: []].append(c)
        }
        // Generic-only families yield to specific ones.
        let specificFamilies = order.filter { key in families[key]!.contains { !generic.contains(ruleSet.rules[hits[$0].rule].value) } }
        let contenders = specificFamilies.isEmpty ? order : specificFamilies
        let ranked = contenders.sorted { (families[$0]!.count, -order.firstIndex(of: $0)!) > (families[$1]!.count, -order.firstIndex(of: $1)!) }
        let top = ranked[0]
        if ranked.count > 1 {
            derived["subject_conflict"] = ["true"]
            let names = ranked.map { key in ruleSet.rules[hits[families[key]![0]].rule].value }
            caseworkerNotes.append("The dissatisfaction is tied to more than one subject: \(names.joined(separator: ", ")).")
        }
        let members = families[top]!
        let specific = members.filter { !generic.contains(ruleSet.rules[hits[$0].rule].value) }
        let pool = specific.isEmpty ? members : specific
        var counts: [String: Int] = [:]
        for c in pool { counts[ruleSet.rules[hits[c].rule].value, default: 0] += 1 }
        let role = counts.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key
        derived["subject"] = [role]
        subjectHits = Array(Set(pool.filter { ruleSet.rules[hits[$0].rule].value == role })).sorted()
    }

    // MARK: Time limits

    /// Compares the outcome letter's date with the date received.
    mutating func computeReviewTiming(windowDays: Int) {
        let dated = (facts["outcome_letter_date"]?.values.flatMap { $0 } ?? []).compactMap { i -> Date? in hits[i].date }
        guard let received else {
            derived["review_timing"] = ["unknown"]
            return
        }
        let candidates = dated.filter { $0 <= received.addingTimeInterval(86_400) }
        guard let letter = candidates.max() else {
            derived["review_timing"] = ["unknown"]
            return
        }
        letterDate = letter
        let days = DateReader.days(from: letter, to: received)
        reviewDays = days
        derived["review_timing"] = [days > windowDays ? "out_of_time" : "in_time"]
    }

    // MARK: Decision

    func decide(force: String, profile: ForceProfile?) -> Decision {
        let table = ruleSet.table
        let resolvedSubject = values("subject").first ?? table.subject.fallback
        var notes = caseworkerNotes
        guard let profile else {
            return caseworkerDecision(force: force, subject: resolvedSubject, kind: "other",
                                      notes: ["No force profile named '\(force)'."], row: DecisionRowReference(row: "no_profile", cites: ""))
        }
        guard let row = table.rows.first(where: { holds($0.when) }) else {
            return caseworkerDecision(force: force, subject: resolvedSubject, kind: "other",
                                      notes: notes + ["No row of the decision table applies."],
                                      row: DecisionRowReference(row: "no_row", cites: ""))
        }
        let subject = (row.subject == nil || row.subject == "$subject") ? resolvedSubject : row.subject!
        var handler: String
        if row.route.hasPrefix("=") {
            handler = String(row.route.dropFirst())
        } else if let h = profile.routes[row.route] {
            handler = h
        } else {
            notes.append("The force profile '\(profile.id)' has no route '\(row.route)'.")
            return caseworkerDecision(force: force, subject: subject, kind: row.kind, notes: notes,
                                      row: DecisionRowReference(row: row.id, cites: row.cites))
        }
        if row.outcome == "needs_caseworker" {
            handler = row.route.hasPrefix("=") ? handler : handler
            if let n = row.note { notes.append(n) }
        }
        var flags = row.flags ?? []
        var flagSentences: [String] = []
        // Flags that depend on the decided row: evaluate with the row's kind/outcome/subject visible.
        var withRow = self
        withRow.derived["kind"] = [row.kind]
        withRow.derived["outcome"] = [row.outcome]
        withRow.derived["decided_subject"] = [subject]
        for flagRule in table.flags ?? [] where withRow.holds(flagRule.when) {
            if !flags.contains(flagRule.flag) {
                flags.append(flagRule.flag)
                if let e = flagRule.explain { flagSentences.append(e) }
            }
        }
        if row.kind == "complaint", ["routed", "recorded"].contains(row.outcome) {
            for f in profile.subjectFlags?[subject] ?? [] where !flags.contains(f) { flags.append(f) }
        }
        let categories = row.kind == "complaint" ? values("category").sorted() : []
        let reasons = row.reasons ?? []
        let justification = evidenceList()
        let firedRules = firedRuleIds(justification)
        var explanation = fill(row.explain, profile: profile, handler: handler, subject: subject)
        for s in flagSentences { explanation += " " + fill(s, profile: profile, handler: handler, subject: subject) }
        if row.outcome == "needs_caseworker" {
            let others = notes.filter { $0 != row.note }
            if !others.isEmpty { explanation += " " + others.joined(separator: " ") }
        }
        return Decision(
            source: item.provenance.source, id: item.provenance.sha256, force: force, kind: row.kind, subject: subject,
            outcome: row.outcome, handler: handler, reasons: reasons, flags: flags, categories: categories,
            rules: firedRules, justification: justification, explanation: explanation,
            decidedBy: DecisionRowReference(row: row.id, cites: row.cites),
            caseworkerNotes: row.outcome == "needs_caseworker" ? notes : [],
            rulesetVersion: ruleSet.version, received: received)
    }

    private func caseworkerDecision(force: String, subject: String, kind: String, notes: [String], row: DecisionRowReference) -> Decision {
        let justification = evidenceList()
        return Decision(
            source: item.provenance.source, id: item.provenance.sha256, force: force, kind: kind, subject: subject,
            outcome: "needs_caseworker", handler: "caseworker", reasons: [], flags: [], categories: [],
            rules: firedRuleIds(justification), justification: justification,
            explanation: "This item needs a caseworker's reading. " + notes.joined(separator: " "),
            decidedBy: row, caseworkerNotes: notes, rulesetVersion: ruleSet.version, received: received)
    }

    /// Evidence of every fired rule, in text order, internal rules included
    /// (they are what the decision rests on), at most five per rule.
    func evidenceList() -> [Evidence] {
        var perRule: [Int: Int] = [:]
        var list: [Evidence] = []
        let ordered = hits.indices.sorted { (hits[$0].view < 0 ? Int.max : hits[$0].start, $0) < (hits[$1].view < 0 ? Int.max : hits[$1].start, $1) }
        for i in ordered {
            let h = hits[i]
            let count = perRule[h.rule, default: 0]
            guard count < 5 else { continue }
            perRule[h.rule] = count + 1
            let rule = ruleSet.rules[h.rule]
            list.append(Evidence(rule: rule.id, cites: rule.cites, segment: h.segment, start: h.start, end: h.end,
                                 quote: h.quote, fact: "\(rule.fact)=\(rule.value)"))
        }
        for e in external {
            list.append(Evidence(rule: e.rule, cites: e.cites, segment: "history", start: 0, end: 0, quote: e.quote,
                                 fact: "\(e.fact)=\(e.value)"))
        }
        return list
    }

    func allEvidence() -> [Evidence] { evidenceList() }

    private func firedRuleIds(_ evidence: [Evidence]) -> [String] {
        var seen = Set<String>()
        var ids: [String] = []
        let internalIds = Set(ruleSet.rules.filter { $0.internal == true }.map(\.id))
        for e in evidence where !internalIds.contains(e.rule) && seen.insert(e.rule).inserted { ids.append(e.rule) }
        return ids
    }

    /// Fills a template's `{placeholders}` in one pass (a value is never scanned
    /// again, so text quoted from a letter cannot expand), joins its lines and trims it.
    /// An unknown placeholder is left as it is.
    private func fill(_ template: String, profile: ForceProfile, handler: String, subject: String) -> String {
        func value(_ key: Substring) -> String? {
            switch key {
            case "handler_name": return profile.handlers[handler]?.name ?? handler
            case "handler_contact": return profile.handlers[handler]?.contact ?? ""
            case "handler_cites": return profile.handlers[handler]?.cites ?? ""
            case "force_name": return profile.name
            case "subject_words":
                return subjectHits.first.map { hits[$0].quote } ?? subject.replacingOccurrences(of: "_", with: " ")
            case "window": return String(profile.reviewWindowDays)
            case "letter_date": return letterDate.map { Self.letterDateStyle.format($0) }
            case "received": return received.map { Self.letterDateStyle.format($0) }
            case "days": return reviewDays.map { String($0) }
            case "serious_words":
                // The earliest serious evidence in the text (not dictionary order, which varies run to run).
                return (facts["serious"]?.values.flatMap { $0 } ?? []).min { (hits[$0].start, $0) < (hits[$1].start, $1) }
                    .map { hits[$0].quote } ?? ""
            default: return nil
            }
        }
        var out = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "}"), let filled = value(after[..<close]) {
                out += filled
                rest = after[after.index(after: close)...]
            } else {
                out.append("{")
                rest = after
            }
        }
        out += rest
        return Self.trimmedOneLine(out)
    }

    /// Lines joined by single spaces where they break; spaces and tabs trimmed from both ends.
    static func trimmedOneLine(_ text: String) -> String {
        let joined = text.contains("\n") ? text.split(whereSeparator: { $0 == "\n" }).joined(separator: " ") : text
        func isBlank(_ c: Character) -> Bool {
            c.unicodeScalars.allSatisfy { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
        }
        guard let first = joined.firstIndex(where: { !isBlank($0) }), let last = joined.lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(joined[first...last])
    }

    /// "5 October 2026", in the London calendar: a value type, safe on every thread.
    static let letterDateStyle = Date.FormatStyle(
        date: .long, time: .omitted, locale: Locale(identifier: "en_GB"),
        calendar: DateReader.calendar, timeZone: DateReader.calendar.timeZone)

    func factSummary() -> [String: [String]] {
        var summary: [String: [String]] = [:]
        for (fact, vs) in facts { summary[fact] = vs.keys.sorted() }
        for (fact, vs) in derived { summary[fact] = Array(Set(summary[fact, default: []]).union(vs)).sorted() }
        return summary
    }
}
