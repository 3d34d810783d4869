import Foundation
import Testing
import SnowballStemming
@testable import TriageCore

/// A small rule set built in code, so the engine is tested apart from Rules/.
enum MiniRules {
    static func rule(_ id: String, _ sets: String, _ phrases: [String], guards: [String]? = nil,
                     requires: Proximity? = nil, segments: [String]? = nil) -> Rule {
        Rule(id: id, description: id, cites: "test", sets: sets, match: RuleMatch(phrases: phrases),
             in: segments, guards: guards, requires: requires, internal: nil, examples: nil)
    }

    static func row(_ id: String, _ when: [String: FactCondition], kind: String = "complaint", outcome: String,
                    route: String, reasons: [String]? = nil) -> DecisionRow {
        DecisionRow(id: id, cites: "test \(id)", when: when, kind: kind, subject: nil, outcome: outcome, route: route,
                    reasons: reasons, flags: nil, explain: "Row \(id) to {handler_name}.", note: id == "fallback" ? "look" : nil)
    }

    static var set: RuleSet {
        let police: [String] = ["officer_or_staff", "force"]
        return RuleSet(
            rules: [
                rule("d.rude", "dissatisfaction=conduct", ["rude", "complain"], guards: ["neg"]),
                rule("s.pc", "subject_role=officer_or_staff", ["pc #number", "the officer"]),
                rule("s.police", "subject_role=force", ["the police", "police"]),
                rule("s.housing", "subject_role=not_police", ["housing officer"]),
                rule("s.pcc", "subject_role=pcc", ["the commissioner"]),
                rule("x.assault", "serious=crime", ["punched me"], requires: Proximity(fact: "subject_role", scope: "actor", values: police)),
                rule("a.pcc", "addressee=pcc", ["dear commissioner"]),
                rule("s.you", "subject_role=pcc", ["against you"], requires: Proximity(fact: "addressee", scope: "item", values: ["pcc"])),
            ],
            guards: [Guard(id: "neg", description: "negation", before: ["not", "never"], window: 2, sentence: nil, after: nil, questionOnly: nil)],
            table: DecisionTable(
                subject: SubjectResolution(candidates: "subject_role", anchors: ["dissatisfaction", "serious"], generic: ["force"],
                                           compatible: [["officer_or_staff", "force"]], fallback: "unknown", pointers: ["about"],
                                           sentenceOnly: ["not_police"]),
                rows: [
                    row("conflict", ["subject_conflict": .present(true)], outcome: "needs_caseworker", route: "=caseworker"),
                    row("serious", ["serious": .present(true), "subject": .anyOf(police)], outcome: "routed", route: "serious"),
                    row("officer", ["dissatisfaction": .present(true), "subject": .anyOf(police)], outcome: "routed", route: "officer"),
                    row("pcc", ["dissatisfaction": .value("!service"), "subject": .value("pcc")], outcome: "routed", route: "pcc"),
                    row("other", ["subject": .value("not_police")], kind: "other", outcome: "not_recorded", route: "officer", reasons: ["not_a_complaint"]),
                    row("fallback", [:], kind: "other", outcome: "needs_caseworker", route: "=caseworker"),
                ],
                flags: nil),
            profiles: [ForceProfile(id: "test", name: "Test", cites: "t", reviewWindowDays: 28,
                                    handlers: ["crt": Handler(name: "CRT", contact: "c", cites: "t"),
                                               "psd": Handler(name: "PSD", contact: "p", cites: "t"),
                                               "panel": Handler(name: "Panel", contact: "x", cites: "t")],
                                    routes: ["officer": "crt", "serious": "psd", "pcc": "panel"],
                                    subjectFlags: nil, outcomes: nil)],
            lexicons: [Lexicon(id: "clause_break", description: "ends a clause", source: nil, entries: ["(,|and|but)"], examples: nil)],
            version: "test")
    }

    static func decide(_ text: String) throws -> Decision {
        let classifier = Classifier(try CompiledRuleSet(set, stemmer: SnowballStemmer()))
        let item = RuleExampleRunner.item(text: text, subject: nil, example: RuleExample(text: text), quotedBody: false)
        return classifier.classify(item, force: "test")
    }
}

@Suite struct ClassifierTests {
    @Test func routesAnOfficerComplaint() throws {
        let d = try MiniRules.decide("PC 1234 was rude to me.")
        #expect(d.outcome == .routed)
        #expect(d.handler == "crt")
        #expect(d.subject == .officerOrStaff)
        #expect(d.justification.contains { $0.rule == "d.rude" && $0.quote == "rude" && $0.start == 12 && $0.end == 16 })
    }

    /// "A formal complaint about X" declares the subject: a role tied only by other
    /// words no longer makes a conflict; without the declaration it does.
    @Test func aDeclaredSubjectOutranksOtherTies() throws {
        var set = MiniRules.set
        set.rules.append(MiniRules.rule("d.concern", "dissatisfaction=explicit", ["raised my concern about"]))
        set.rules.append(MiniRules.rule("d.formal", "dissatisfaction=explicit", ["formal complaint about"]))
        let text = "I raised my concern about the commissioner in May. Now I make a formal complaint about the conduct of PC 1234."
        func decide(_ set: RuleSet) throws -> Decision {
            let item = RuleExampleRunner.item(text: text, subject: nil, example: RuleExample(text: text), quotedBody: false)
            return Classifier(try CompiledRuleSet(set, stemmer: SnowballStemmer())).classify(item, force: "test")
        }
        #expect(try decide(set).decidedBy.row == "conflict")
        set.rules[set.rules.count - 1].declaresSubject = true
        let declared = try decide(set)
        #expect(declared.subject == .officerOrStaff)
        #expect(declared.outcome == .routed)
    }

    @Test func negationGuardStopsTheMatch() throws {
        let d = try MiniRules.decide("PC 1234 was not rude.")
        #expect(d.outcome == .needsCaseworker)
        #expect(d.decidedBy.row == "fallback")
    }

    @Test func subjectIsTheRoleNearestTheDissatisfaction() throws {
        let d = try MiniRules.decide("The officer was lovely, but the housing officer was rude.")
        #expect(d.subject == .notPolice)
        #expect(d.outcome == .notRecorded)
    }

    @Test func notPoliceTiesOnlyInItsSentence() throws {
        let d = try MiniRules.decide("The housing officer came round.\nPC 4 was rude.")
        #expect(d.subject == .officerOrStaff)
    }

    @Test func conflictingSubjectsGoToACaseworker() throws {
        let d = try MiniRules.decide("The commissioner was rude. PC 12 was rude.")
        #expect(d.outcome == .needsCaseworker)
        #expect(d.caseworkerNotes.contains { $0.contains("more than one subject") })
    }

    @Test func genericForceYieldsToASpecificRole() throws {
        let d = try MiniRules.decide("The police sent PC 99, who was rude.")
        #expect(d.subject == .officerOrStaff)
    }

    @Test func actorMustBePolice() throws {
        #expect(try MiniRules.decide("PC 5 punched me.").decidedBy.row == "serious")
        #expect(try MiniRules.decide("My neighbour punched me and the police were rude.").decidedBy.row == "officer")
    }

    @Test func itemScopeRequirementLooksAnywhereInTheItem() throws {
        // The addressee is named paragraphs away from the "you" it explains.
        let toThePCC = try MiniRules.decide("Dear Commissioner,\n\nI have written before.\n\nI complain against you.")
        #expect(toThePCC.subject == .pcc)
        #expect(toThePCC.decidedBy.row == "pcc")
        let toSomeoneElse = try MiniRules.decide("Dear Sir,\n\nI have written before.\n\nI complain against you.")
        #expect(toSomeoneElse.subject != .pcc)
        #expect(toSomeoneElse.decidedBy.row == "fallback")
    }

    @Test func pointerWordsPickTheFollowingRole() throws {
        let d = try MiniRules.decide("I wrote to the commissioner to complain about PC 12.")
        #expect(d.subject == .officerOrStaff)
    }

    @Test func negatedValueCondition() throws {
        let d = try MiniRules.decide("The commissioner was rude.")
        #expect(d.decidedBy.row == "pcc")
    }

    @Test func lastRowCatchesEverything() throws {
        let d = try MiniRules.decide("Lovely weather.")
        #expect(d.outcome == .needsCaseworker)
        #expect(d.handler == "caseworker")
    }
}

@Suite struct LinterTests {
    @Test func findsShadowedRowsUnknownFactsAndMissingRoutes() throws {
        var set = MiniRules.set
        set.table.rows.insert(MiniRules.row("shadowed", ["dissatisfaction": .present(true), "subject": .anyOf(["officer_or_staff", "force"]), "serious": .present(false)], outcome: "routed", route: "officer"), at: 3)
        set.table.rows.insert(MiniRules.row("ghost", ["no_such_fact": .present(true)], outcome: "routed", route: "nowhere"), at: 0)
        let problems = RuleSetLinter(try CompiledRuleSet(set, stemmer: SnowballStemmer())).problems()
        #expect(problems.contains { $0.contains("decision row shadowed: can never fire") })
        #expect(problems.contains { $0.contains("'no_such_fact' is never set") })
        #expect(problems.contains { $0.contains("no route 'nowhere'") })
        #expect(problems.contains { $0.contains("rule d.rude: no example that must match") })
    }
}

@Suite struct AttachmentCodingTests {
    @Test func attachmentStoredBeforeRolesDecodesAsAFile() throws {
        let old = Data(#"{"filename":"a.pdf","contentType":"application/pdf","size":3,"sha256":"00"}"#.utf8)
        let a = try JSONDecoder().decode(Attachment.self, from: old)
        #expect(a.role == .file)
        let again = try JSONDecoder().decode(Attachment.self, from: try JSONEncoder().encode(
            Attachment(filename: nil, contentType: "text/html", size: 9, sha256: "01", role: .alternative)))
        #expect(again.role == .alternative)
    }
}

/// `when_any`: a row holds when `when` holds and at least one alternative set does.
@Suite struct DecisionRowAlternativesTests {
    static func decide(_ text: String) throws -> Decision {
        var set = MiniRules.set
        set.rules += [
            MiniRules.rule("k.report", "kind_hint=request_for_service", ["please send someone"]),
            MiniRules.rule("k.act", "action_requested", ["come and look"]),
            MiniRules.rule("k.offenders", "complaint_about_offenders", ["the vandals"]),
        ]
        var row = MiniRules.row("offenders", ["complaint_about_offenders": .present(true)], kind: "request_for_service",
                                outcome: "not_recorded", route: "officer", reasons: ["not_a_complaint"])
        row.whenAny = [["kind_hint": .value("request_for_service")], ["action_requested": .present(true)]]
        set.table.rows.insert(row, at: 0)
        let classifier = Classifier(try CompiledRuleSet(set, stemmer: SnowballStemmer()))
        let item = RuleExampleRunner.item(text: text, subject: nil, example: RuleExample(text: text), quotedBody: false)
        return classifier.classify(item, force: "test")
    }

    @Test func eitherAlternativeMakesTheRowHold() throws {
        #expect(try Self.decide("I complain about the vandals. Please send someone.").decidedBy.row == "offenders")
        #expect(try Self.decide("I complain about the vandals. Can you come and look?").decidedBy.row == "offenders")
    }

    @Test func withNoAlternativeTheRowDoesNotHold() throws {
        #expect(try Self.decide("I complain about the vandals.").decidedBy.row != "offenders")
    }

    @Test func theRowDecodesFromWhenAny() throws {
        let json = """
            {"id": "r", "cites": "c", "when": {"a": true}, "when_any": [{"b": true}, {"c": "x"}],
             "kind": "other", "outcome": "needs_caseworker", "route": "=caseworker", "explain": "e"}
            """
        let row = try JSONDecoder().decode(DecisionRow.self, from: Data(json.utf8))
        #expect(row.whenAny?.count == 2)
        #expect(row.conditionSets.count == 3)
    }
}
