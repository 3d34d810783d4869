import Foundation
import Testing
import TriageCore
import TriageIngest

/// How the subject is tied to the dissatisfaction, on the repository's rules,
/// with the item delivered as mail: the behaviour each class of issue 11 asks
/// for, not a phrase list.
@Suite struct SubjectTieTests {
    static func decide(_ body: String, subject: String = "my letter") throws -> Decision {
        let mail = "From: Sam Example <sam@example.org>\nTo: enquiries@cambs-opcc.example.org\nSubject: \(subject)\nDate: Mon, 02 Nov 2026 10:00:00 +0000\n\n\(body)\n"
        let item = try Ingester(rulesDirectory: Repository.rules).parse(RawItem(bytes: Array(mail.utf8), source: "tie.eml"))
        return Classifier(try Repository.compiled).classify(item, force: "cambridgeshire")
    }

    /// A body that is not the police and is the only one named where the writer
    /// says they are unhappy is the subject; officers praised paragraphs earlier are not.
    @Test func aBodyAloneInTheSentenceOfDissatisfactionOutranksPoliceNamedFarAway() throws {
        let d = try Self.decide("""
        The roadworks on our lane have gone on since June. Two police officers came when the lights failed and were very kind.

        My daughter is staying with us and it has been hard for everyone.

        I know this isn't your department but I'm at my wits' end and you sit on the board with the council. Please can you lean on them.
        """)
        #expect(d.subject == .notPolice, "\(d.subject) via \(d.decidedBy.row)")
        #expect(d.outcome != .routed)
    }

    /// With a police role in the same paragraph, the background body does not take the tie.
    @Test func aPoliceRoleInTheParagraphStillWins() throws {
        let d = try Self.decide("The PCSO on our estate ignored me again. I'm at my wits' end with the neighbours watching.")
        #expect(d.subject == .officerOrStaff, "\(d.subject) via \(d.decidedBy.row)")
    }

    /// "He" refers to one person: not to "the PCSOs" named between, but to the Commissioner before.
    @Test func aSingularPronounSkipsAPluralMention() throws {
        let d = try Self.decide("Just wondering if the Commissioner is allowed to behave like this. After I asked him why the PCSOs were cut, he replied calling me a liar.")
        #expect(d.subject == .pcc, "\(d.subject) via \(d.decidedBy.row)")
    }

    /// "They" may refer to the PCSOs.
    @Test func aPluralPronounMayTakeThePluralMention() throws {
        let d = try Self.decide("The Commissioner cut the PCSOs on our estate. Last week the PCSOs came round and they were rude to my mum.")
        #expect(d.subject == .officerOrStaff, "\(d.subject) via \(d.decidedBy.row)")
    }
}
