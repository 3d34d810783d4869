import Foundation

/// Subject resolution: which role the dissatisfaction is about.
///
/// For each anchor (words of dissatisfaction, seriousness, review), in order:
/// 1. the role a pointer word leads to ("complain *about* the PCSO");
/// 2. a role in the same sentence: the specific before the generic, the actor
///    (the role just before the anchor) before a role merely named near it, and
///    a background body (`sentence_only`, e.g. the paramedics) only when it is
///    the actor or the only role there;
/// 3. when the sentence refers back ("he", "they", "their behaviour", "this
///    visit": the `anaphors` word class), the nearest role before it in the same
///    paragraph or the one before — the link is shown as evidence;
/// 4. else the nearest role in the paragraph.
/// Then roles that yield to a more specific one tied to the item drop out
/// (`yields`, e.g. OPCC staff to the OPCC's Chief Executive), the body of the
/// message outranks its Subject: line, and a structured form answer ("who is
/// the complaint about?") decides when the text ties no role.
extension Evaluation {
    /// Content segments: what the writer sent (not quoted history, signature or subject line).
    static let contentSegments: Set<String> = ["new_text", "forwarded", "attachment_text"]
    /// Pronouns that stand for one person.
    static let singularPronouns: Set<String> = ["he", "she", "him", "her", "his", "hers", "himself", "herself"]

    mutating func resolveSubject() {
        let resolution = ruleSet.table.subject
        let anchorFacts = Set(resolution.anchors)
        let generic = Set(resolution.generic)
        let sentenceOnly = Set(resolution.sentenceOnly ?? [])
        let pointers = Set(resolution.pointers ?? [])
        let anaphorClass = resolution.anaphors.flatMap { rules.lexiconIndex[$0] }
        var family: [String: Int] = [:]
        for (n, group) in (resolution.compatible ?? []).enumerated() { for role in group { family[role] = n } }
        // Groups that hold together while their fact holds: merged with any group they touch.
        var preferred: [Int: [String]] = [:]
        for (fact, group) in (resolution.compatibleWhen ?? [:]).sorted(by: { $0.key < $1.key }) where !values(fact).isEmpty {
            let target = group.lazy.compactMap { family[$0] }.first ?? (family.values.max() ?? -1) + 1
            for role in group {
                if let old = family[role], old != target {
                    for (r, f) in family where f == old { family[r] = target }
                }
                family[role] = target
            }
            preferred[target] = group
        }
        func familyKey(_ role: String) -> String { family[role].map { "group\($0)" } ?? role }
        func role(_ c: Int) -> String { rules.ruleValues[hits[c].rule] }

        var candidateHits: [Int] = []
        var formAnswers: [Int] = []
        var anchorHits: [Int] = []
        for i in hits.indices {
            let fact = rules.ruleFacts[hits[i].rule]
            if fact == resolution.candidates {
                if hits[i].view >= 0 { candidateHits.append(i) } else if hits[i].segment.hasPrefix("field:") { formAnswers.append(i) }
            } else if anchorFacts.contains(fact), hits[i].view >= 0 {
                anchorHits.append(i)
            }
        }
        // Candidates by view and sentence, and by view and paragraph (linear work per anchor).
        var bySentence: [Int: [Int: [Int]]] = [:]
        var byParagraph: [Int: [Int: [Int]]] = [:]
        for c in candidateHits {
            let t = views[hits[c].view].index.tokens[hits[c].first]
            bySentence[hits[c].view, default: [:]][t.sentence, default: []].append(c)
            byParagraph[hits[c].view, default: [:]][t.paragraph, default: []].append(c)
        }

        // Names given to a role ("The caseworker in your office who replied, Ms Tring,"): a later
        // "Ms Tring" or "Tring" refers to that role (word class `name_title` for Mr, Ms, Dr …).
        var namedRoles: [String: Int] = [:]
        if let titleClass = rules.lexiconIndex["name_title"] {
            for c in candidateHits where Self.contentSegments.contains(hits[c].segment) {
                let v = views[hits[c].view]
                let tokens = v.index.tokens
                var p = hits[c].last + 1
                let end = min(tokens.count, hits[c].last + 12)
                while p < end, tokens[p].sentence == tokens[hits[c].last].sentence {
                    if v.token(p, isIn: titleClass), p + 1 < tokens.count, tokens[p + 1].isCapitalised {
                        if namedRoles[tokens[p + 1].text] == nil { namedRoles[tokens[p + 1].text] = c }
                        break
                    }
                    p += 1
                }
            }
        }
        /// The role a name given earlier refers to, named in the anchor's sentence before it (or right after its pointer).
        func namedRole(_ a: Hit, after pointer: Int?) -> Int? {
            guard !namedRoles.isEmpty else { return nil }
            let tokens = views[a.view].index.tokens
            let sentence = tokens[a.first].sentence
            if let p = pointer {
                for q in (p + 1)..<min(tokens.count, p + 4) where tokens[q].isCapitalised {
                    if let c = namedRoles[tokens[q].text], hits[c].first < a.first || hits[c].view != a.view { return c }
                }
            }
            var q = a.first - 1
            while q >= 0, tokens[q].sentence == sentence {
                if tokens[q].isCapitalised, let c = namedRoles[tokens[q].text], !(hits[c].view == a.view && hits[c].first >= q) { return c }
                q -= 1
            }
            return nil
        }

        let nobodyClass = rules.lexiconIndex["nobody"]
        /// "no officer had attended": nobody, so neither who acted in another clause nor what a pronoun refers to.
        func isNobody(_ c: Int) -> Bool {
            guard let nobodyClass, hits[c].view >= 0 else { return false }
            return views[hits[c].view].classMatch(nobodyClass, endingAt: hits[c].first)
        }

        func distance(_ h: Hit, _ a: Hit) -> Int {
            h.last < a.first ? a.first - h.last : (h.first > a.last ? h.first - a.last : 0)
        }

        func isObject(_ c: Int) -> Bool { isObjectMention(hits[c]) }
        let topicClass = rules.lexiconIndex["topic_noun"]
        /// Rules whose mentions are things (a police vehicle), not people.
        let things = Set((resolution.things ?? []).compactMap { rules.ruleIndex[$0] })
        /// Mentions the writer names as what the complaint is about ("I wish to make a formal complaint
        /// about the conduct of the Chief Executive"): an explicit complaint pointing at them.
        var declared = Set<Int>()
        func inSentence(_ a: Hit) -> Int? {
            let tokens = views[a.view].index.tokens
            let sentence = tokens[a.first].sentence
            // "The doctor said it would have to be stitched": who treated the harm is not what it is about.
            let named = (bySentence[a.view]?[sentence] ?? []).filter { !isBystander(hits[$0], for: a.rule) }
            let pointerAt = pointers.contains(tokens[a.last].text) ? a.last
                : (a.last + 1 < tokens.count && pointers.contains(tokens[a.last + 1].text) ? a.last + 1 : nil)
            // "a joke about a female officer": after a word for something said, "about" names its topic, not the subject.
            let topic = pointerAt.map { p in p > 0 && topicClass.map { views[a.view].token(p - 1, isIn: $0) } ?? false } ?? false
            // "a complaint about him and I'd like the Commissioner to know": a pronoun right after the pointer is
            // what the words are about and refers back; only a role joined to it ("about him and the shop") is
            // named with it, not one in the clause after.
            let pronounFirst = pointerAt.map { p in
                p + 1 < tokens.count && (rules.lexiconIndex["personal_pronoun"].map { views[a.view].token(p + 1, isIn: $0) } ?? false)
            } ?? false
            let reach = pronounFirst ? 4 : Self.pointerReach
            if !topic, let p = pointerAt, let c = named.filter({ hits[$0].first > p && hits[$0].first - p <= reach }).min(by: { hits[$0].first < hits[$1].first }) {
                if ruleSet.rules[a.rule].declaresSubject == true, !sentenceOnly.contains(role(c)) {
                    declared.insert(c)
                }
                return c
            }
            if pronounFirst { return nil }
            guard !named.isEmpty else { return namedRole(a, after: pointerAt) }
            // A background body inside the anchor's own words ("taken to hospital") is not its subject.
            var here = named.filter { c in
                !((sentenceOnly.contains(role(c)) || things.contains(hits[c].rule)) && hits[c].first <= a.last && hits[c].last >= a.first)
                    && !(isNobody(c) && hits[c].last < a.first)
            }
            // "… made a joke about it to the detention officer": whom it was said or done to, after the
            // words, is not what they are about.
            here.removeAll { hits[$0].first > a.last && isMention(hits[$0], markedBy: "recipient_marker") }
            guard !here.isEmpty else { return nil }
            // "He also told an off-colour joke about a female officer", "the way he behaved was rude, …, and
            // it undermines the work Sergeant Pheby has done": the only roles come after the words, as objects
            // or in another clause, and "he" or "she" before the words acted: the link back decides.
            let breaks = rules.lexiconIndex["clause_break"]
            func laterClause(_ c: Int) -> Bool {
                guard let breaks else { return false }
                return (a.last + 1..<hits[c].first).contains { views[a.view].token($0, isIn: breaks) }
            }
            if let personClass = rules.lexiconIndex["person_pronoun"],
               here.allSatisfy({ hits[$0].first > a.last && (isObject($0) || topic || laterClause($0)) }) {
                let view = views[a.view]
                let start = view.index.sentences.indices.contains(sentence) ? view.index.sentences[sentence].lowerBound : a.first
                if (start..<a.first).contains(where: { view.token($0, isIn: personClass) }) { return nil }
            }
            // The actor: the role ending nearest before the anchor (or overlapping it). A
            // background body is not the actor when "he" or "she" stands between: a person
            // acts ("In front of my neighbours she refused to help").
            // A background body named as an object ("told our parish council that …") did not act.
            // "the Chief Constable bullies his staff officers and shouts at people": people named as someone's
            // ("his", "her", "their" just before, over at most one word) belong to a role named before them,
            // which is the one acting.
            if let possessive = rules.lexiconIndex["possessive_pronoun"] {
                let view = views[a.view]
                func possessed(_ c: Int) -> Bool {
                    let f = hits[c].first
                    return (max(0, f - 2)..<f).contains { view.token($0, isIn: possessive) && tokens[$0].sentence == sentence }
                }
                let owned = here.filter { c in
                    possessed(c) && here.contains { o in o != c && hits[o].last < hits[c].first && !sentenceOnly.contains(role(o)) && !possessed(o) }
                }
                if !owned.isEmpty, owned.count < here.count { here.removeAll { owned.contains($0) } }
            }
            var actor = here.filter { hits[$0].last <= a.last && !(sentenceOnly.contains(role($0)) && isObject($0)) }
                .max { (hits[$0].last, -hits[$0].first) < (hits[$1].last, -hits[$1].first) }
            if let found = actor, sentenceOnly.contains(role(found)), let person = rules.lexiconIndex["person_pronoun"] {
                let view = views[a.view]
                let between = (hits[found].last + 1)..<max(hits[found].last + 1, a.first)
                if between.contains(where: { (p: Int) -> Bool in view.token(p, isIn: person) }) { actor = nil }
            }
            let ranked = here.sorted { x, y in
                func key(_ c: Int) -> (Int, Int, Int) {
                    let background = sentenceOnly.contains(role(c)) && c != actor ? 1 : 0
                    return (generic.contains(role(c)) ? 1 : 0, background, distance(hits[c], a))
                }
                return key(x) < key(y)
            }
            let best = ranked[0]
            // A background body named beside a police role is not what the anchor is about.
            if sentenceOnly.contains(role(best)) && best != actor {
                // A background body ("in front of my neighbours") is the subject only as the
                // actor or where a pointer leads to it; else a police role here, or the link
                // back, or the paragraph decides.
                return ranked.first { !sentenceOnly.contains(role($0)) }
            }
            return best
        }

        let personalClass = rules.lexiconIndex["personal_pronoun"]
        let organisationClass = rules.lexiconIndex["organisation"]
        /// "He" or "she" refers to one person, not to a plural mention ("the PCSOs"): a mention
        /// whose head is in the `plural_mention` word class.
        let pluralClass = rules.lexiconIndex["plural_mention"]
        /// Whether a mention names more than one person, by its head: the word before "of" when it has
        /// one ("a member of the Commissioner's office staff", "one of the officers"), else its last word.
        func isPlural(_ c: Int) -> Bool {
            guard let pluralClass else { return false }
            let view = views[hits[c].view]
            let tokens = view.index.tokens
            let head = (hits[c].first + 1...max(hits[c].first + 1, hits[c].last)).first { $0 <= hits[c].last && tokens[$0].text == "of" }.map { $0 - 1 } ?? hits[c].last
            return view.token(head, isIn: pluralClass)
        }
        func linkedBack(_ a: Hit, person: Bool = false, singular: Bool = false, sex: PersonSex? = nil) -> Int? {
            guard let anaphorClass else { return nil }
            let view = views[a.view]
            let t = view.index.tokens[a.first]
            guard view.sentence(t.sentence, has: anaphorClass) else { return nil }
            // "her behaviour", "he said": a personal pronoun in the sentence refers to a person,
            // never to a body named by an organisation word ("the OPCC stall", "the force").
            let personal = person || (personalClass.map { view.sentence(t.sentence, has: $0) } ?? false)
            func isBody(_ c: Int) -> Bool {
                guard let organisationClass else { return false }
                let v = views[hits[c].view]
                return v.token(hits[c].last, isIn: organisationClass) || v.token(hits[c].last + 1, isIn: organisationClass)
            }
            // "No point complaining to the council again, they never come": a body named just before
            // in the same sentence is what "they" stands for, not a role in an earlier paragraph.
            if !person, !personal,
               let body = (bySentence[a.view]?[t.sentence] ?? []).filter({ hits[$0].last < a.first && sentenceOnly.contains(role($0)) && !isNobody($0) })
                .max(by: { hits[$0].last < hits[$1].last }),
               !(bySentence[a.view]?[t.sentence] ?? []).contains(where: { hits[$0].last < a.first && hits[$0].first > hits[body].last }) {
                return body
            }
            for paragraph in [t.paragraph, t.paragraph - 1] where paragraph >= 0 {
                var before = (byParagraph[a.view]?[paragraph] ?? []).filter {
                    hits[$0].last < a.first && !sentenceOnly.contains(role($0)) && !((person || personal) && things.contains(hits[$0].rule))
                        && !(personal && isBody($0)) && !isNobody($0)
                }
                // "she" refers to a person: the nearest specific role, before a generic body ("our police desk");
                // a role named as the subject of its sentence before one named after a preposition
                // ("The Commissioner kept looking at his phone" before "raise it with the Chief Constable").
                if singular, before.contains(where: { !isPlural($0) }) { before.removeAll(where: isPlural) }
                // "she" refers to a role named as a woman before one whose sex is not known, never to one named as a man.
                if let sex {
                    let agreeing = before.filter { self.sex(of: hits[$0]) == sex }
                    if !agreeing.isEmpty { before = agreeing } else { before.removeAll { self.sex(of: hits[$0]).map { $0 != sex } ?? false } }
                }
                let specific = before.filter { !generic.contains(role($0)) }
                func rank(_ c: Int) -> (Int, Int) { (isObject(c) ? 0 : 1, hits[c].last) }
                if let c = (specific.isEmpty ? before : specific).max(by: { rank($0) < rank($1) }) { return c }
            }
            return nil
        }

        func inParagraph(_ a: Hit) -> Int? {
            let t = views[a.view].index.tokens[a.first]
            let here = (byParagraph[a.view]?[t.paragraph] ?? []).filter { !sentenceOnly.contains(role($0)) && !isNobody($0) }
            return here.min { (generic.contains(role($0)) ? 1 : 0, distance(hits[$0], a)) < (generic.contains(role($1)) ? 1 : 0, distance(hits[$1], a)) }
        }

        /// The only role in the anchor's sentence is a background body ("I'm at my wits' end and
        /// you sit on the board with the council"), and nothing else ties the anchor.
        func backgroundOnly(_ a: Hit) -> Int? {
            let sentence = views[a.view].index.tokens[a.first].sentence
            let named = bySentence[a.view]?[sentence] ?? []
            guard !named.isEmpty, named.allSatisfy({ sentenceOnly.contains(role($0)) }) else { return nil }
            return named.min { distance(hits[$0], a) < distance(hits[$1], a) }
        }

        /// "After I asked him why the PCSOs were cut, he replied calling me a liar": "he" stands
        /// between a plural role and the words, so the actor is the one person named before.
        func singularPronounLink(_ a: Hit) -> Int? {
            guard let personClass else { return nil }
            let view = views[a.view]
            let tokens = view.index.tokens
            let sentence = tokens[a.first].sentence
            guard let nearest = (bySentence[a.view]?[sentence] ?? []).filter({ hits[$0].last < a.first })
                .max(by: { hits[$0].last < hits[$1].last }), isPlural(nearest) else { return nil }
            let between = (hits[nearest].last + 1)..<a.first
            guard between.contains(where: { view.token($0, isIn: personClass) && Self.singularPronouns.contains(tokens[$0].text) }) else { return nil }
            guard let c = linkedBack(a, person: true, singular: true), !isPlural(c) else { return nil }
            return c
        }

        var chosen: [Int] = []
        var backgroundTies: [Int] = []
        // Ties made in the anchor's own sentence are strong; ties through a word
        // that refers back, or through the paragraph, are weak.
        var strong = Set<Int>()
        // "… and he should set an example": "he" or "she" just before the words, with no
        // role between, is who acted: the person named before it, not a thing named beside it.
        let personClass = rules.lexiconIndex["person_pronoun"]
        /// The position of the pronoun ("he", "she") that is the anchor's actor, if any: back over at most
        /// two words of its sentence, then a pronoun opening the anchor itself ("how she spoke to me").
        func actingPronoun(_ a: Hit) -> Int? {
            guard let personClass, a.first > 0 else { return nil }
            let view = views[a.view]
            let sentence = view.index.tokens[a.first].sentence
            let opening = (a.first...min(a.first + 1, a.last)).filter { $0 < a.last }
            for p in wordsBack(from: a.first - 1, count: 2, in: view, sentence: sentence) + opening where view.token(p, isIn: personClass) {
                let between = (bySentence[a.view]?[sentence] ?? []).contains { hits[$0].first > p && hits[$0].first < a.first }
                return between ? nil : p
            }
            return nil
        }
        for a in anchorHits {
            if spent() { break }
            let h = hits[a]
            let pronoun = actingPronoun(h)
            let said = pronoun.flatMap { sexClass(at: $0, in: views[h.view]) }
            if let pronoun, let c = linkedBack(h, person: true, singular: Self.singularPronouns.contains(views[h.view].index.tokens[pronoun].text), sex: said) {
                chosen.append(c)
                strong.insert(c)
                links.append((anchor: a, mention: c))
            } else if said != nil, linkedBack(h, person: true, singular: true) != nil {
                // "he" or "she" whose only candidates are roles of the other sex: someone else acted.
                continue
            } else if let c = singularPronounLink(h) {
                chosen.append(c)
                links.append((anchor: a, mention: c))
            } else if let c = inSentence(h) {
                chosen.append(c)
                strong.insert(c)
            } else if let c = linkedBack(h) {
                chosen.append(c)
                links.append((anchor: a, mention: c))
            } else if let c = inParagraph(h) {
                chosen.append(c)
            } else if let c = backgroundOnly(h) {
                backgroundTies.append(c)
            }
        }
        // The body outranks the Subject: line.
        if chosen.contains(where: { Self.contentSegments.contains(hits[$0].segment) }) {
            chosen.removeAll { hits[$0].segment == "subject" }
        }
        if chosen.isEmpty {
            // No role tied to the dissatisfaction: a structured answer, then a background body
            // that was the only role in the dissatisfaction's sentence, then roles named anywhere.
            chosen = formAnswers
            if chosen.isEmpty { chosen = backgroundTies }
            if chosen.isEmpty { chosen = candidateHits.filter { Self.contentSegments.contains(hits[$0].segment) && !sentenceOnly.contains(role($0)) } }
            if chosen.isEmpty { chosen = candidateHits.filter { hits[$0].segment == "subject" && !sentenceOnly.contains(role($0)) } }
        }
        // A role yields to a more specific one also tied to the item; a generic
        // role ("the man who answered") takes the body it yields to when that body
        // is named in the same paragraph ("when I rang your office").
        let yields = resolution.yields ?? [:]
        chosen = chosen.map { c in
            guard generic.contains(role(c)), let targets = yields[role(c)] else { return c }
            let t = views[hits[c].view].index.tokens[hits[c].first]
            return (byParagraph[hits[c].view]?[t.paragraph] ?? []).first { targets.contains(role($0)) } ?? c
        }
        let tied = Set(chosen.map(role))
        chosen.removeAll { c in (yields[role(c)] ?? []).contains { tied.contains($0) } }
        guard !chosen.isEmpty else {
            derived["subject"] = [resolution.fallback]
            return
        }
        // Count per family; within a family prefer specific over generic, then the most frequent.
        var families: [String: [Int]] = [:]
        var order: [String] = []
        for c in chosen {
            let key = familyKey(role(c))
            if families[key] == nil { order.append(key) }
            families[key, default: []].append(c)
        }
        // Generic-only families yield to specific ones.
        let specificFamilies = order.filter { key in families[key]!.contains { !generic.contains(role($0)) } }
        let contenders = specificFamilies.isEmpty ? order : specificFamilies
        // Ranked by strong ties, then all ties, then first mention. Two subjects
        // conflict only where a caseworker would hesitate too: both strongly tied,
        // or neither (a weak tie does not outvote a strong one).
        func weight(_ key: String) -> (Int, Int, Int) {
            let members = families[key]!
            return (members.filter { strong.contains($0) }.count, members.count, -order.firstIndex(of: key)!)
        }
        let ranked = contenders.sorted { weight($0) > weight($1) }
        var top = ranked[0]
        var rivals = ranked.dropFirst().filter { weight($0).0 > 0 || weight(top).0 == 0 }
        // One subject the writer names as what the complaint is about outranks roles tied only by
        // other words ("I raised my concern about the Commissioner's handling …. I wish to make a
        // formal complaint about the conduct of the Chief Executive").
        let declaredFamilies = contenders.filter { key in families[key]!.contains { declared.contains($0) } }
        if declaredFamilies.count == 1 {
            top = declaredFamilies[0]
            rivals = []
        }
        if !rivals.isEmpty {
            derived["subject_conflict"] = ["true"]
            let names = ([top] + rivals).map { key in role(families[key]![0]) }
            caseworkerNotes.append("The dissatisfaction is tied to more than one subject: \(names.joined(separator: ", ")).")
        }
        let members = families[top]!
        let specific = members.filter { !generic.contains(role($0)) }
        let pool = specific.isEmpty ? members : specific
        var counts: [String: Int] = [:]
        for c in pool { counts[role(c), default: 0] += 1 }
        let chosenRole = preferred[family[role(members[0])] ?? -1]?.first { counts[$0] != nil }
            ?? counts.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key
        derived["subject"] = [chosenRole]
        subjectHits = Array(Set(pool.filter { role($0) == chosenRole })).sorted()
    }
}

extension Evaluation {
    /// How many words after "about" or "against" the role it points at may start ("a complaint about
    /// the conduct of the Chief Executive").
    static let pointerReach = 6

    /// Whether a mention is named after a preposition or a verb of telling ("with the Chief Constable",
    /// "told our parish council"), over the words of its noun phrase: an object, not who acted.
    /// - Parameter agents: when false, "by" and "from" do not make an object ("stopped by PC Jones",
    ///   "a call from the sergeant": who acted).
    func isObjectMention(_ hit: Hit, agents: Bool = true) -> Bool {
        isMention(hit, markedBy: "object_marker", agents: agents)
    }

    /// Whether a word of class `marker` stands right before the mention (over its own
    /// words): "to the detention officer" is marked by `recipient_marker`.
    func isMention(_ hit: Hit, markedBy marker: String, agents: Bool = true) -> Bool {
        guard let prepositionClass = rules.lexiconIndex[marker], hit.view >= 0 else { return false }
        let modifierClass = rules.lexiconIndex["mention_modifier"]
        let agentClass = rules.lexiconIndex["agent_marker"]
        let v = views[hit.view]
        let tokens = v.index.tokens
        var p = hit.first - 1
        var skipped = 0
        while p >= 0, tokens[p].sentence == tokens[hit.first].sentence {
            // A marker of several words ("wrote to", "a laugh from") ends right before the mention.
            if v.classMatch(prepositionClass, endingAt: p, reach: 3) { return agents || !(agentClass.map { v.token(p, isIn: $0) } ?? false) }
            // Step back over the noun phrase's own words ("our parish council").
            let modifier = modifierClass.map { v.token(p, isIn: $0) } ?? false
            guard skipped < 2, modifier || tokens[p].isWord && !tokens[p].isCapitalised && skipped == 0 && p == hit.first - 1 else { return false }
            skipped += 1
            p -= 1
        }
        return false
    }
}
