import Foundation

/// Time limits and the decision table.
extension Evaluation {
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

    /// Compares the force the writer says they serve with (the rules' `writer_force`
    /// values, force profile ids or `other`) with the profile's own force, as the
    /// derived fact `writer_force_is` (`own` or `other`): s29(4) bars a complaint
    /// about colleagues of one's own force only. Own wins when both are named.
    mutating func computeWriterForce(profileId: String?) {
        let named = values("writer_force")
        guard !named.isEmpty, let profileId else { return }
        derived["writer_force_is"] = [named.contains(profileId) ? "own" : "other"]
    }

    // MARK: Decision

    func decide(force: String, profile: ForceProfile?) -> Decision {
        let table = ruleSet.table
        let resolvedSubject = values("subject").first ?? table.subject.fallback
        var notes = caseworkerNotes
        guard let profile else {
            return caseworkerDecision(force: force, subject: resolvedSubject, kind: .other,
                                      notes: ["No force profile named '\(force)'."], row: DecisionRowReference(row: "no_profile", cites: ""))
        }
        guard let row = (holdingRow ?? firstHoldingRow()).map({ table.rows[$0] }) else {
            return caseworkerDecision(force: force, subject: resolvedSubject, kind: .other,
                                      notes: notes + ["No row of the decision table applies."],
                                      row: DecisionRowReference(row: "no_row", cites: ""))
        }
        let subject = (row.subject == nil || row.subject == "$subject") ? resolvedSubject : row.subject!
        // The table's words are checked against the contract when the rules load (and by
        // `rules lint`); a rule set built another way with a word outside it goes to a
        // caseworker: such a word never becomes a decision, nor is it silently dropped.
        guard let kind = ItemKind(rawValue: row.kind), let outcome = Outcome(rawValue: row.outcome) else {
            return caseworkerDecision(force: force, subject: subject, kind: .other,
                                      notes: notes + ["Row \(row.id) gives a kind or outcome outside the decision contract."],
                                      row: DecisionRowReference(row: row.id, cites: row.cites))
        }
        let handler: String
        if row.route.hasPrefix("=") {
            handler = String(row.route.dropFirst())
        } else if let h = profile.routes[row.route] {
            handler = h
        } else {
            notes.append("The force profile '\(profile.id)' has no route '\(row.route)'.")
            return caseworkerDecision(force: force, subject: subject, kind: kind, notes: notes,
                                      row: DecisionRowReference(row: row.id, cites: row.cites))
        }
        if outcome == .needsCaseworker, let n = row.note { notes.append(n) }
        var flags = row.flags ?? []
        var flagSentences: [String] = []
        // Flags that depend on the decided row: evaluate with the row's kind/outcome/subject visible.
        var withRow = self
        withRow.derived["kind"] = [row.kind]
        withRow.derived["outcome"] = [row.outcome]
        withRow.derived["decided_subject"] = [subject]
        for (flagRule, conditions) in zip(table.flags ?? [], rules.flagConditions) where withRow.holds(conditions) {
            if !flags.contains(flagRule.flag) {
                flags.append(flagRule.flag)
                if let e = flagRule.explain { flagSentences.append(e) }
            }
        }
        if kind == .complaint, [.routed, .recorded].contains(outcome) {
            for f in profile.subjectFlags?[subject] ?? [] where !flags.contains(f) { flags.append(f) }
        }
        let categories = kind == .complaint ? values("category").sorted() : []
        let reasons = row.reasons ?? []
        let typedReasons = reasons.compactMap(NotRecordedReason.init(rawValue:))
        let typedFlags = flags.compactMap(DecisionFlag.init(rawValue:))
        guard let typedSubject = SubjectRole(rawValue: subject), typedReasons.count == reasons.count, typedFlags.count == flags.count else {
            return caseworkerDecision(force: force, subject: subject, kind: kind,
                                      notes: notes + ["Row \(row.id) gives a subject, reason or flag outside the decision contract."],
                                      row: DecisionRowReference(row: row.id, cites: row.cites))
        }
        let justification = evidenceList()
        let firedRules = firedRuleIds(justification)
        var explanation = fill(row.explain, profile: profile, handler: handler, subject: subject)
        for s in flagSentences { explanation += " " + fill(s, profile: profile, handler: handler, subject: subject) }
        if outcome == .needsCaseworker {
            let others = notes.filter { $0 != row.note }
            if !others.isEmpty { explanation += " " + others.joined(separator: " ") }
        }
        return Decision(
            source: item.provenance.source, id: item.provenance.sha256, force: force, kind: kind,
            subject: typedSubject, outcome: outcome, handler: handler, reasons: typedReasons, flags: typedFlags, categories: categories,
            rules: firedRules, justification: justification, explanation: explanation,
            decidedBy: DecisionRowReference(row: row.id, cites: row.cites),
            caseworkerNotes: outcome == .needsCaseworker ? notes : [],
            rulesetVersion: ruleSet.version, received: received)
    }

    func caseworkerDecision(force: String, subject: String, kind: ItemKind, notes: [String], row: DecisionRowReference) -> Decision {
        let justification = evidenceList()
        return Decision(
            source: item.provenance.source, id: item.provenance.sha256, force: force, kind: kind,
            subject: SubjectRole(rawValue: subject) ?? .unknown,
            outcome: .needsCaseworker, handler: "caseworker", reasons: [], flags: [], categories: [],
            rules: firedRuleIds(justification), justification: justification,
            explanation: "This item needs a caseworker's reading. " + notes.joined(separator: " "),
            decidedBy: row, caseworkerNotes: notes, rulesetVersion: ruleSet.version, received: received)
    }
}
