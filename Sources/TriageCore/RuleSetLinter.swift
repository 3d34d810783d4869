/// Checks a compiled rule set for mistakes that examples cannot catch:
/// missing citations or examples, words outside the decision contract,
/// decision rows that can never fire, facts used but never set (or set but
/// never used), and routes or handlers a force profile lacks.
public struct RuleSetLinter: Sendable {
    public let rules: CompiledRuleSet

    /// Facts the engine derives itself.
    public static let derivedFacts: Set<String> = ["subject", "subject_conflict", "review_timing", "writer_force_is", "kind", "outcome", "decided_subject"]
    /// Facts the rules set that the engine reads itself, not the decision table: categories go into
    /// the decision, the outcome letter's date into `review_timing`, the writer's force into `writer_force_is`.
    public static let factsReadByEngine: Set<String> = ["category", "outcome_letter_date", "writer_force"]
    /// Facts that come from the store's history.
    public static let historyFacts: Set<String> = ["repetitious", "reopening", "excessive_contact", "history_abusive_pattern", "same_matter", "earlier_complaint"]

    public init(_ rules: CompiledRuleSet) {
        self.rules = rules
    }

    /// Every problem found, one line each, naming the rule, row or profile.
    /// Asymmetric safety, a property of the decision table: `not_recorded` rests
    /// on a specific positive reason (a fact that must be present), never on a
    /// missing match; and where the table names a criticism fact, no row that
    /// says "not a complaint" may fire while the police are criticised.
    public static func safetyProblems(_ row: DecisionRow, table: DecisionTable) -> [String] {
        guard row.outcome == "not_recorded" else { return [] }
        var problems: [String] = []
        func isPositive(_ conditions: [String: FactCondition]) -> Bool {
            conditions.contains { _, condition in
                switch condition {
                case .present(let wanted): return wanted
                case .value(let v): return !v.hasPrefix("!")
                case .anyOf: return true
                }
            }
        }
        // Positive in `when`, or in every alternative of `when_any`.
        let positive = isPositive(row.when) || (row.whenAny.map { !$0.isEmpty && $0.allSatisfy(isPositive) } ?? false)
        if !positive { problems.append("decision row \(row.id): not_recorded with no positive reason (every condition is an absence)") }
        for safety in table.safetyFacts where (row.reasons ?? []).contains("not_a_complaint") && row.when[safety] != .present(false) {
            problems.append("decision row \(row.id): says not_a_complaint without requiring \(safety): false (what reads as a complaint would be dropped)")
        }
        return problems
    }

    public func problems() -> [String] {
        let set = rules.ruleSet
        var problems: [String] = []
        let setFacts = Set(set.rules.map(\.fact))
        var usedFacts = Set<String>()

        for lexicon in set.lexicons {
            if (lexicon.examples?.match ?? []).isEmpty { problems.append("word class \(lexicon.id): no example that must match") }
            if (lexicon.examples?.noMatch ?? []).isEmpty { problems.append("word class \(lexicon.id): no example that must not match") }
        }
        for rule in set.rules {
            if rule.cites.trimmingCharacters(in: .whitespaces).isEmpty { problems.append("rule \(rule.id): no citation (cites)") }
            if rule.description.trimmingCharacters(in: .whitespaces).isEmpty { problems.append("rule \(rule.id): no description") }
            if (rule.examples?.match ?? []).isEmpty { problems.append("rule \(rule.id): no example that must match") }
            if (rule.examples?.noMatch ?? []).isEmpty { problems.append("rule \(rule.id): no example that must not match") }
            let m = rule.match
            if (m.phrases ?? []).isEmpty && m.fields == nil && m.headers == nil && (m.attachments ?? []).isEmpty
                && (m.senderDomains ?? []).isEmpty && (m.item ?? []).isEmpty && (m.datesAfter ?? []).isEmpty {
                problems.append("rule \(rule.id): matches nothing")
            }
            for segment in rule.segments where !(SegmentKind.allCases.map(\.rawValue) + ["subject"]).contains(segment) {
                problems.append("rule \(rule.id): unknown segment '\(segment)'")
            }
            if let r = rule.requires {
                usedFacts.insert(r.fact)
                if !["sentence", "nearby", "paragraph", "item", "actor"].contains(r.scope) {
                    problems.append("rule \(rule.id): unknown requires scope '\(r.scope)'")
                }
                if let b = r.bystanders, !set.lexicons.contains(where: { $0.id == b }) {
                    problems.append("rule \(rule.id): requires.bystanders names no word class '\(b)'")
                }
                if r.others != nil, r.scope != "nearby" {
                    problems.append("rule \(rule.id): requires.others needs scope nearby")
                }
                if r.bystanders != nil, r.scope != "actor" {
                    problems.append("rule \(rule.id): requires.bystanders needs scope actor")
                }
            }
            for property in m.item ?? [] where !["no_identity", "no_text", "written_by_another", "unread_attachment"].contains(property) {
                problems.append("rule \(rule.id): unknown item property '\(property)'")
            }
        }
        for g in set.guards where g.description.isEmpty { problems.append("guard \(g.id): no description") }

        let resolution = set.table.subject
        usedFacts.insert(resolution.candidates)
        usedFacts.formUnion(resolution.anchors)
        let roles = Set(set.rules.filter { $0.fact == resolution.candidates }.map(\.value))
        for role in roles.sorted() where !Vocabulary.subjects.contains(role) {
            problems.append("subject role '\(role)' is not a contract word")
        }

        func checkConditions(_ conditions: [String: FactCondition], owner: String) {
            for (fact, _) in conditions {
                usedFacts.insert(fact)
                if !setFacts.contains(fact) && !Self.derivedFacts.contains(fact) && !Self.historyFacts.contains(fact)
                    && !(set.table.secondReading?.facts.contains(fact) ?? false) {
                    problems.append("\(owner): fact '\(fact)' is never set by any rule")
                }
            }
        }
        if let settings = set.table.secondReading {
            if set.secondReading == nil { problems.append("second_reading: no weights loaded from \(settings.file) (run `triage rules learn Corpus`)") }
            if !(0.5..<1).contains(settings.threshold) { problems.append("second_reading: threshold \(settings.threshold) is not a probability from 0.5 to below 1") }
        }
        for (i, row) in set.table.rows.enumerated() {
            let owner = "decision row \(row.id)"
            for conditions in row.conditionSets { checkConditions(conditions, owner: owner) }
            if let any = row.whenAny, any.count < 2 { problems.append("\(owner): when_any needs at least two condition sets") }
            if row.cites.isEmpty { problems.append("\(owner): no citation") }
            if row.outcome == "not_recorded" && (row.reasons ?? []).isEmpty { problems.append("\(owner): not_recorded without a reason") }
            problems += Self.safetyProblems(row, table: set.table)
            // Shadowed: an earlier row whose conditions are all among this row's conditions always fires first.
            for earlier in set.table.rows[..<i] where earlier.whenAny == nil && earlier.when.allSatisfy({ row.when[$0.key] == $0.value }) {
                problems.append("\(owner): can never fire — row \(earlier.id) before it matches whenever it does")
                break
            }
            if row.outcome == "needs_caseworker" && row.note == nil { problems.append("\(owner): needs_caseworker without a note for the caseworker") }
            for profile in set.profiles where !row.route.hasPrefix("=") {
                if profile.routes[row.route] == nil { problems.append("\(owner): profile \(profile.id) has no route '\(row.route)'") }
            }
        }
        problems += set.table.contractWordProblems()
        if let last = set.table.rows.last, !last.when.isEmpty {
            problems.append("the last decision row must have no conditions, so nothing is ever a silent default")
        }
        for flag in set.table.flags ?? [] {
            checkConditions(flag.when, owner: "flag \(flag.flag)")
        }
        for profile in set.profiles {
            for (route, handler) in profile.routes where profile.handlers[handler] == nil {
                problems.append("profile \(profile.id): route \(route) names unknown handler '\(handler)'")
            }
            if profile.handlers["caseworker"] == nil { problems.append("profile \(profile.id): no 'caseworker' handler") }
            problems += profile.contractWordProblems()
        }
        problems += conditionValueProblems()
        for fact in setFacts.subtracting(usedFacts).subtracting(Self.factsReadByEngine).sorted() {
            problems.append("fact '\(fact)' is set by rules but used by no decision row, flag or requirement")
        }
        return problems
    }
}
