import Foundation

/// Matching: phrases with their guards, structural matches (fields, headers,
/// attachments, sender, item), containment and proximity requirements.
extension Evaluation {
    // MARK: Matching

    mutating func matchAll() {
        buildViews()
        for v in views.indices where !spent() { matchPhrases(in: v) }
        matchStructural()
        applyContainment()
        applyProximity()
        rebuildFacts()
    }

    mutating func buildViews() {
        let read = rules.segmentsRead
        // Segments come in order: one walk over the scalars finds every boundary.
        var slicer = ScalarSlicer(item.body.text)
        for segment in item.body.segments where read.contains(segment.kind.rawValue) {
            views.append(View(segment: segment.kind.rawValue, index: rules.index(slicer.text(from: segment.start, to: segment.end), baseOffset: segment.start)))
        }
        if read.contains("subject"), let subject = item.subject, !subject.isEmpty {
            views.append(View(segment: "subject", index: rules.index(subject)))
        }
    }

    mutating func matchPhrases(in v: Int) {
        let index = views[v].index
        let tokens = index.tokens
        guard !tokens.isEmpty else { return }
        views[v].classes = rules.classMatcher.classMatches(in: tokens)
        let matches = rules.matcher.matches(in: tokens, classes: views[v].classes)
        var guardMatches: [PhraseMatcher.Match] = []
        var dateAnchors: [PhraseMatcher.Match] = []
        var ruleMatches: [PhraseMatcher.Match] = []
        for m in matches {
            if m.owner >= rules.dateOwnerBase { dateAnchors.append(m) }
            else if m.owner >= rules.guardOwnerBase { guardMatches.append(m) }
            else { ruleMatches.append(m) }
        }
        // Guard matches by sentence: a guard looks only in the sentence of the match.
        var guardsBySentence: [Int: [PhraseMatcher.Match]] = [:]
        for g in guardMatches { guardsBySentence[tokens[g.first].sentence, default: []].append(g) }
        let segment = views[v].segment
        for m in ruleMatches {
            if spent() { return }
            guard rules.ruleSegments[m.owner].contains(segment) else { continue }
            let rule = ruleSet.rules[m.owner]
            if let g = guardThatStops(m, rule: rule, guards: guardsBySentence[tokens[m.first].sentence] ?? [], index: index, view: views[v]) {
                suppressed.append(SuppressedMatch(
                    rule: rule.id, guardId: g, quote: index.quote(from: tokens[m.first].start, to: tokens[m.last].end),
                    segment: segment, start: tokens[m.first].start))
                continue
            }
            // A mention widens over the words before it that belong to its
            // modifier class ("several uniformed officers", "a very rude young PCSO").
            var first = m.first
            if let widen = rule.widen, let id = rules.lexiconIndex[widen] {
                while first > 0, tokens[first - 1].sentence == tokens[m.first].sentence, views[v].token(first - 1, isIn: id) { first -= 1 }
            }
            hits.append(Hit(rule: m.owner, view: v, first: first, last: m.last, segment: segment,
                            start: tokens[first].start, end: tokens[m.last].end,
                            quote: index.quote(from: tokens[first].start, to: tokens[m.last].end)))
        }
        // Dates after anchor phrases.
        let reader = DateReader()
        for m in dateAnchors {
            let r = m.owner - rules.dateOwnerBase
            guard rules.ruleSegments[r].contains(segment) else { continue }
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

    /// The guard that stops a match, if any. A `before` or `after` guard reaches
    /// the match only within its clause: a word of the `clause_break` word class
    /// (",", "and", "but", …) between them ends its reach ("I'm not satisfied and
    /// I would like to appeal" is not a negated appeal).
    func guardThatStops(_ m: PhraseMatcher.Match, rule: Rule, guards: [PhraseMatcher.Match], index: TextIndex, view: View) -> String? {
        guard let ids = rule.guards, !ids.isEmpty else { return nil }
        let tokens = index.tokens
        let sentence = tokens[m.first].sentence
        let breaks = rules.lexiconIndex["clause_break"]
        func brokenBetween(_ a: Int, _ b: Int) -> Bool {
            guard let breaks, a + 1 < b else { return false }
            return (a + 1..<b).contains { view.token($0, isIn: breaks) }
        }
        for id in ids {
            guard let g = rules.guardIndex[id] else { continue }
            let guardRule = ruleSet.guards[g]
            if guardRule.questionOnly == true, !(index.sentenceIsQuestion.indices.contains(sentence) && index.sentenceIsQuestion[sentence]) {
                continue
            }
            let window = guardRule.window ?? 4
            let reachesAcross = guardRule.acrossClauses == true
            let parts = CompiledRuleSet.guardPartCount
            func part(_ gm: PhraseMatcher.Match) -> CompiledRuleSet.GuardPart? {
                let owner = gm.owner - rules.guardOwnerBase
                guard owner / parts == g, tokens[gm.first].sentence == sentence else { return nil }
                return CompiledRuleSet.GuardPart(rawValue: owner % parts)
            }
            // Where an `except` phrase starts, the guard's words there do not guard.
            let excepted = Set(guards.filter { part($0) == .except }.map(\.first))
            // An entry of the `undone_by` class starting after the guard's phrase, in its sentence, undoes it.
            let undoing = rules.guardUndoneBy[g]
            func undone(_ gm: PhraseMatcher.Match) -> Bool {
                guard let undoing, index.sentences.indices.contains(sentence) else { return false }
                return (gm.last + 1..<index.sentences[sentence].upperBound).contains { view.classMatch(undoing, startingAt: $0) }
            }
            // A word of the `not_after` class just before the guard's phrase (an adverb may stand between:
            // "spoke privately to"): it does not guard there.
            let notAfter = rules.guardNotAfter[g]
            func preceded(_ gm: PhraseMatcher.Match) -> Bool {
                guard let notAfter else { return false }
                return (max(0, gm.first - 2)..<gm.first).contains { tokens[$0].sentence == sentence && view.token($0, isIn: notAfter) }
            }
            for gm in guards where !undone(gm) && !preceded(gm) {
                switch part(gm) {
                case .before:
                    if excepted.contains(gm.first) { continue }
                    if gm.last < m.first, m.first - gm.last <= window, reachesAcross || !brokenBetween(gm.last, m.first) { return id }
                case .sentence:
                    return id
                case .after:
                    if excepted.contains(gm.first) { continue }
                    if gm.first > m.last, gm.first - m.last <= window, reachesAcross || !brokenBetween(m.last, gm.first) { return id }
                case .except, .none:
                    break
                }
            }
        }
        return nil
    }

    mutating func matchStructural() {
        for r in rules.structuralRules {
            let rule = ruleSet.rules[r]
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
        "written_by_another": "what it says was written by someone other than the sender (a forwarded message)",
        "unread_attachment": "an attached letter could not be read (scanned attachment: no text, or unreadable)",
    ]

    func itemHas(_ property: String) -> Bool {
        switch property {
        case "no_identity":
            // No sender, and no way to reach the writer given in what they wrote (a
            // scanned letter whose sign-off and address block were not recognised).
            guard item.sender.map(\.isEmpty) ?? true else { return false }
            return !views.contains { Self.contentSegments.contains($0.segment) && Self.givesContact($0.index.text) }
        case "unread_attachment":
            return item.attachments.contains { $0.text.map { $0.status != .read } ?? false }
        case "written_by_another":
            // The item's content is a forwarded message whose author is not the sender:
            // standing and written permission are judged on the author (DESIGN "Law behind the seeds").
            guard let author = item.author?.address?.lowercased(), !author.isEmpty else { return false }
            return author != (item.sender?.address?.lowercased() ?? "")
        case "no_text":
            // Nothing written in any content segment (new text, forwarded or attached text).
            return views.filter { Self.contentSegments.contains($0.segment) }.allSatisfy { $0.index.text.unicodeScalars.allSatisfy(\.properties.isWhitespace) }
        default:
            return false
        }
    }

    /// A UK telephone number (10 or 11 digits, spaces or hyphens between), a UK
    /// postcode or an email address: a way to reach whoever wrote the text.
    static let contactPatterns: [NSRegularExpression] = [
        #"(?<![0-9])0[0-9](?:[ -]?[0-9]){8,9}(?![0-9])"#,
        #"\b[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}\b"#,
        #"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"#,
    ].compactMap { try? NSRegularExpression(pattern: $0) }

    static func givesContact(_ text: String) -> Bool {
        let range = NSRange(text.startIndex..., in: text)
        return contactPatterns.contains { $0.firstMatch(in: text, range: range) != nil }
    }

    /// Among rules setting the same fact, a match inside a longer match of a
    /// different rule is dropped ("deputy chief constable" over "chief constable").
    mutating func applyContainment() {
        guard hits.count > 1 else { return }
        var drop = Set<Int>()
        // The same rule over the same words twice (two of its phrases, or a word class and a phrase) is one hit.
        struct Span: Hashable { var rule, view, first, last: Int }
        var seen = Set<Span>()
        for (i, h) in hits.enumerated() where h.view >= 0 && h.date == nil {
            if !seen.insert(Span(rule: h.rule, view: h.view, first: h.first, last: h.last)).inserted { drop.insert(i) }
        }
        var byViewAndFact: [String: [Int]] = [:]
        for (i, h) in hits.enumerated() where h.view >= 0 && h.date == nil {
            byViewAndFact["\(h.view)|\(rules.ruleFacts[h.rule])", default: []].append(i)
        }
        for group in byViewAndFact.values where group.count > 1 {
            // Sorted by start, longest first: a hit is inside a longer one when an
            // earlier-sorted hit reaches at least as far (one sweep, no pairs).
            let sorted = group.sorted { (hits[$0].first, -hits[$0].last) < (hits[$1].first, -hits[$1].last) }
            var reach = -1, reachFirst = -1
            for i in sorted {
                let a = hits[i]
                if reach > a.last || (reach == a.last && reachFirst < a.first) { drop.insert(i) }
                if a.last > reach { reach = a.last; reachFirst = a.first }
            }
        }
        if !drop.isEmpty {
            hits = hits.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
        }
    }

    /// Keeps a match whose rule `requires` another fact only when that fact has
    /// evidence in the required scope. Hits of the required fact are bucketed by
    /// view and sentence, so the work is linear in the number of hits.
    mutating func applyProximity() {
        let needing = hits.indices.filter { ruleSet.rules[hits[$0].rule].requires != nil }
        guard !needing.isEmpty else { return }
        let anaphorClass = ruleSet.table.subject.anaphors.flatMap { rules.lexiconIndex[$0] }
        // fact → view → sentence → hit indices (in text order).
        var index: [String: [Int: [Int: [Int]]]] = [:]
        var anywhere: [String: Set<String>] = [:]
        for (i, h) in hits.enumerated() {
            let fact = rules.ruleFacts[h.rule]
            anywhere[fact, default: []].insert(rules.ruleValues[h.rule])
            guard h.view >= 0 else { continue }
            index[fact, default: [:]][h.view, default: [:]][views[h.view].index.tokens[h.first].sentence, default: []].append(i)
        }
        var drop = Set<Int>()
        for i in needing {
            if spent() { break }
            let h = hits[i]
            let req = ruleSet.rules[h.rule].requires!
            func wanted(_ j: Int) -> Bool { req.values.map { $0.contains(rules.ruleValues[hits[j].rule]) } ?? true }
            if req.scope == "item" {
                if anywhere[req.fact].map({ values in req.values.map { !values.isDisjoint(with: $0) } ?? true }) != true { drop.insert(i) }
                continue
            }
            guard h.view >= 0 else { continue }
            let here = views[h.view].index.tokens[h.first]
            let near = RequirementNeighbourhood(index: views[h.view].index, bySentence: index[req.fact]?[h.view] ?? [:])
            if req.scope == "actor" {
                if !(actingRole(for: h, near: near, anaphorClass: anaphorClass).map(wanted) ?? false) { drop.insert(i) }
                continue
            }
            let candidates: [Int]
            switch req.scope {
            case "paragraph":
                var inParagraph = near.paragraphSentences(of: here).flatMap(near.hits(inSentence:))
                if !inParagraph.contains(where: wanted), let anaphorClass, views[h.view].sentence(here.sentence, has: anaphorClass) {
                    // "I regard these messages as threats" opening the paragraph after the one naming who sent them.
                    inParagraph += near.earlierSentences(before: here).flatMap(near.hits(inSentence:))
                }
                candidates = inParagraph
            case "nearby":
                var nearby = (near.hits(inSentence: here.sentence - 1) + near.hits(inSentence: here.sentence))
                    .filter { near.tokens[hits[$0].first].paragraph == here.paragraph }
                // "a group of youths … one of them kicked my fence": "them" are the others named just
                // before (the rule's `others` fact), not a role further back.
                let othersJustBefore = req.others.map { fact in
                    [here.sentence - 1, here.sentence].contains { s in
                        (index[fact]?[h.view]?[s] ?? []).contains { hits[$0].last < h.first }
                    }
                } ?? false
                if !nearby.contains(where: wanted), !othersJustBefore, let anaphorClass, views[h.view].sentence(here.sentence, has: anaphorClass) {
                    // "My child came home upset" after "one of them shouted": the role the words refer back to.
                    nearby = near.earlierSentences(before: here).flatMap(near.hits(inSentence:))
                }
                candidates = nearby
            default: candidates = near.hits(inSentence: here.sentence)
            }
            if !candidates.contains(where: wanted) { drop.insert(i) }
        }
        hits = hits.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
    }

    mutating func rebuildFacts() {
        facts = [:]
        for (i, h) in hits.enumerated() {
            facts[rules.ruleFacts[h.rule], default: [:]][rules.ruleValues[h.rule], default: []].append(i)
        }
    }

    mutating func add(external fact: HistoryFact) {
        external.append(fact)
        derived[fact.fact, default: []].insert(fact.value)
    }
}
