import Foundation

/// Whether the text names a person as a man or a woman ("he", "her car", "Mrs"): a "he" or "she"
/// refers to a role whose sex agrees.
enum PersonSex {
    case male, female
}

/// The hits of one required fact in one view, by sentence, and the sentences
/// around a match that a requirement may reach.
struct RequirementNeighbourhood {
    let tokens: [TextIndex.Token]
    let sentences: [Range<Int>]
    /// Sentence → indices of the required fact's hits that start in it, in text order.
    let bySentence: [Int: [Int]]

    init(index: TextIndex, bySentence: [Int: [Int]]) {
        tokens = index.tokens
        sentences = index.sentences
        self.bySentence = bySentence
    }

    /// The required fact's hits in sentence `s` (none for a sentence before the first).
    func hits(inSentence s: Int) -> [Int] { s >= 0 ? bySentence[s] ?? [] : [] }

    /// The sentences before `t`'s in its paragraph and the paragraph before it, nearest
    /// first (bounded: a paragraph holds at most ``TextIndex/maxParagraphSentences``).
    func earlierSentences(before t: TextIndex.Token) -> [Int] {
        var result: [Int] = []
        var s = t.sentence - 1
        while s >= 0, s < sentences.count, !sentences[s].isEmpty, tokens[sentences[s].lowerBound].paragraph >= t.paragraph - 1 {
            result.append(s)
            s -= 1
        }
        return result
    }

    /// The sentences of `t`'s paragraph, in order.
    func paragraphSentences(of t: TextIndex.Token) -> [Int] {
        func inParagraph(_ s: Int) -> Bool {
            s >= 0 && s < sentences.count && !sentences[s].isEmpty && tokens[sentences[s].lowerBound].paragraph == t.paragraph
        }
        var lo = t.sentence, hi = t.sentence
        while inParagraph(lo - 1) { lo -= 1 }
        while inParagraph(hi + 1) { hi += 1 }
        return Array(lo...hi)
    }
}

extension Evaluation {
    /// Whether a mention belongs to the word class that `rule` names as its bystanders
    /// (`requires.bystanders`): people who never did what the rule's words tell.
    func isBystander(_ mention: Hit, for rule: Int) -> Bool {
        guard let id = ruleSet.rules[rule].requires?.bystanders.flatMap({ rules.lexiconIndex[$0] }) else { return false }
        return views[mention.view].classMatch(id, endingAt: mention.last, reach: 3)
    }

    /// Who did what hit `h` tells, for a rule that requires its actor: the index of the
    /// role hit (among `near`'s) taken as the one who acted, or nil when no role did.
    /// The nearest role named before the match (same or previous sentence, same
    /// paragraph) acts; with a word that refers back ("he", "they"), the paragraph
    /// before counts too; the exceptions below narrow or widen that.
    func actingRole(for h: Hit, near: RequirementNeighbourhood, anaphorClass: Int?) -> Int? {
        let req = ruleSet.rules[h.rule].requires!
        func wanted(_ j: Int) -> Bool { req.values.map { $0.contains(rules.ruleValues[hits[j].rule]) } ?? true }
        let tokens = near.tokens
        let here = tokens[h.first]
        // The nearest role named before the match (same or previous sentence,
        // same paragraph) must be one of the wanted values; with a word that
        // refers back ("he", "they"), the paragraph before counts too.
        var before = (near.hits(inSentence: here.sentence - 1) + near.hits(inSentence: here.sentence)).filter {
            hits[$0].last < h.first && tokens[hits[$0].first].paragraph == here.paragraph
        }
        if before.isEmpty, let anaphorClass, views[h.view].sentence(here.sentence, has: anaphorClass) {
            before = near.earlierSentences(before: here).flatMap(near.hits(inSentence:))
        }
        // "… the GP sent us to A&E where they found his shoulder had been dislocated": the rule's
        // bystanders (who treated or examined the harm) did not cause it; the role named before them did.
        before = before.filter { wanted($0) || !isBystander(hits[$0], for: h.rule) }
        if before.isEmpty {
            // No role in this sentence or the one before ("… a marked police car overtook within a
            // foot. Dolly bolted. I came off and my left wrist is broken"): the role named last
            // before it in the paragraph.
            before = near.paragraphSentences(of: here).filter { $0 < here.sentence }.flatMap(near.hits(inSentence:)).filter { hits[$0].last < h.first }
        }
        // A body that is not wanted, named as the object ("looked straight at my neighbour, got back
        // in and drove off"), did not do what follows (who is told by "by" or "from" did). A wanted
        // role stays the actor even as an object: missing a real allegation is the worse error.
        var nearest = before.filter { wanted($0) || !isObjectMention(hits[$0], agents: false) }.max { hits[$0].last < hits[$1].last }
        // "… not to prosecute the driver who hit my husband's bike": "who" right before the words
        // makes the noun just before it the actor; when that noun is not the role, no role did it.
        if nearest != nil, h.first >= 2, let who = rules.lexiconIndex["relative_who"], views[h.view].token(h.first - 1, isIn: who),
           let others = rules.lexiconIndex["other_person"] {
            var noun = h.first - 2
            if noun > 0, tokens[noun].text == "," { noun -= 1 }
            if views[h.view].classMatch(others, endingAt: noun) { nearest = nil }
        }
        // "… the deputy commissioner reversed her car into my wall … My neighbour saw it too. I think she
        // was drunk driving": "he" or "she" at the words acts, and is the role before whose sex agrees
        // when the nearest one's sex is not known or differs.
        // With no role of that sex, a "he" after a role named as a woman is someone else ("PCSO Achebe … put
        // her own coat round him … he was laughing"): no role did it.
        if let said = actingSex(at: h) {
            let agreeing = (near.paragraphSentences(of: here).filter { $0 <= here.sentence } + near.earlierSentences(before: here))
                .flatMap(near.hits(inSentence:))
                .filter { hits[$0].last < h.first && sex(of: hits[$0]) == said }.max { hits[$0].last < hits[$1].last }
            if let agreeing, nearest.map({ sex(of: hits[$0]) != said }) ?? true {
                nearest = agreeing
            } else if agreeing == nil, let found = nearest, let other = sex(of: hits[found]), other != said {
                nearest = nil
            }
        }
        // "The driver got out, looked at my neighbour, got back in and drove off": a person who is not a
        // role opens the sentence, after any role named before it, so that person acted.
        if let others = rules.lexiconIndex["other_person"], views[h.view].index.sentences.indices.contains(here.sentence) {
            let start = views[h.view].index.sentences[here.sentence].lowerBound
            let roles = near.hits(inSentence: here.sentence)
            let opener = (start..<min(start + 3, h.first)).first { q in
                views[h.view].classMatch(others, endingAt: q, reach: 0)
                    && !roles.contains { hits[$0].first <= q && hits[$0].last >= q }
            }
            if let opener, nearest.map({ hits[$0].last < opener }) ?? true { nearest = nil }
        }
        if nearest == nil {
            // No role before it ("Useless police!", "why do I bother ringing you lot"): a role
            // right after it, in the same clause.
            let breaks = rules.lexiconIndex["clause_break"]
            nearest = near.hits(inSentence: here.sentence).filter { j in
                hits[j].first > h.last && hits[j].first - h.last <= 3
                    && !(h.last + 1..<hits[j].first).contains { p in breaks.map { views[h.view].token(p, isIn: $0) } ?? false }
            }.min { hits[$0].first < hits[$1].first }
        }
        if nearest == nil, let agent = rules.lexiconIndex["agent_marker"] {
            // "a remark about Jews and money, made by a uniformed officer": "by" a little after the words
            // names who did it ("nobody from the police has rung" names nobody).
            let view = views[h.view]
            let sentence = tokens[h.last].sentence
            let nobody = rules.lexiconIndex["nobody"]
            if let marker = (h.last + 1..<min(tokens.count, h.last + 7)).first(where: { tokens[$0].sentence == sentence && view.token($0, isIn: agent) }),
               !(h.last + 1..<marker).contains(where: { p in nobody.map { view.token(p, isIn: $0) } ?? false }) {
                nearest = near.hits(inSentence: sentence).filter { hits[$0].first > marker && hits[$0].first - marker <= 3 }
                    .min { hits[$0].first < hits[$1].first }
            }
        }
        if nearest == nil, let identity = rules.lexiconIndex["identity_statement"] {
            // "… reversed into my van and drove off without stopping. I recognised the driver:
            // she is the Deputy Commissioner": the role given as who the person in the account
            // is, later in the paragraph or in the next.
            nearest = near.bySentence.values.joined().filter { j in
                let p = tokens[hits[j].first].paragraph
                return hits[j].first > h.last && (p == here.paragraph || p == here.paragraph + 1)
                    && views[h.view].classMatch(identity, endingAt: hits[j].first - 1)
            }.min { hits[$0].first < hits[$1].first }
        }
        if let agent = rules.lexiconIndex["agent_marker"], views[h.view].token(h.last, isIn: agent) {
            // "an assault by the Deputy Commissioner": the actor follows; "taken by someone
            // he thought was a friend": no role follows, so no police role did it.
            let after = near.hits(inSentence: tokens[h.last].sentence).filter { hits[$0].first > h.last && hits[$0].first - h.last <= 5 }
            nearest = after.min(by: { hits[$0].first < hits[$1].first })
        }
        return nearest
    }

    /// Up to `count` word positions from `start` backwards within `sentence` (by default `start`'s),
    /// over quote marks and other punctuation (`she "had better things to do"`).
    func wordsBack(from start: Int, count: Int, in view: View, sentence: Int? = nil) -> [Int] {
        let tokens = view.index.tokens
        guard start >= 0, start < tokens.count else { return [] }
        let sentence = sentence ?? tokens[start].sentence
        var positions: [Int] = []
        var p = start
        while p >= 0, positions.count < count, tokens[p].sentence == sentence {
            if tokens[p].isWord { positions.append(p) }
            p -= 1
        }
        return positions
    }

    /// A person's sex as a word at `position` gives it (word classes `male_word`, `female_word`).
    func sexClass(at position: Int, in view: View) -> PersonSex? {
        if let m = rules.lexiconIndex["male_word"], view.token(position, isIn: m) { return .male }
        if let f = rules.lexiconIndex["female_word"], view.token(position, isIn: f) { return .female }
        return nil
    }

    /// The sex of the person a mention names: a word inside it ("Mrs", "policewoman"), else the first
    /// pronoun after it in its sentence before any other mention ("the deputy commissioner … her car").
    func sex(of mention: Hit) -> PersonSex? {
        guard mention.view >= 0 else { return nil }
        let view = views[mention.view]
        let tokens = view.index.tokens
        for p in mention.first...mention.last { if let s = sexClass(at: p, in: view) { return s } }
        // Another mention of someone between ends the search ("the officer told my mother she …").
        let reach = mention.last + 12
        let next = hits.lazy.filter {
            $0.view == mention.view && $0.first > mention.last && $0.first <= reach && self.rules.ruleFacts[$0.rule] == self.ruleSet.table.subject.candidates
        }.map(\.first).min() ?? reach + 1
        var p = mention.last + 1
        while p < tokens.count, p <= reach, p < next, tokens[p].sentence == tokens[mention.first].sentence {
            if let s = sexClass(at: p, in: view) { return s }
            p += 1
        }
        return nil
    }

    /// "He" or "she" acting at a match: the match's first word or one of the two words before it.
    func actingSex(at h: Hit) -> PersonSex? {
        guard h.view >= 0, let person = rules.lexiconIndex["person_pronoun"] else { return nil }
        let view = views[h.view]
        guard let p = wordsBack(from: h.first, count: 3, in: view).first(where: { view.token($0, isIn: person) }) else { return nil }
        return sexClass(at: p, in: view)
    }
}
