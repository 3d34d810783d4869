import Foundation
import RuleFiles
import TriageCore
import TriageIngest
import TriageReports
import TriageStore

/// A real store of invented correspondence (emails, web form posts and XML
/// letters read by the real parsers) with known, labelled decisions, known
/// caseworker actions and one approved summary: every figure of both reports
/// is known in advance.
enum ReportStore {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let rulesURL = repoRoot.appendingPathComponent("Rules")

    static func profile(_ id: String = "cambridgeshire") throws -> ForceProfile {
        guard let p = try RuleDirectory(rulesURL).load().profile(id) else { throw ReportError("no profile \(id)") }
        return p
    }

    /// One item: its case number, channel, when, who wrote it, and the decision the labels give it.
    struct Case {
        var n: Int
        var channel: Channel
        var received: String
        var kind: ItemKind = .complaint
        var subject: SubjectRole = .officerOrStaff
        var outcome: Outcome = .routed
        var handler = "crt"
        var reasons: [NotRecordedReason] = []
        var flags: [DecisionFlag] = []
        var categories: [String] = []
        var rules: [String] = ["rule.a"]
        var letterDate: String? = nil
        var force = "cambridgeshire"
        var writer = Writer.all[0]
    }

    /// An invented complainant, with an officer they name.
    struct Writer {
        var name: String
        var email: String
        var phone: String
        var street: String
        var town: String
        var postcode: String
        var officer: String

        static let all = [
            Writer(name: "Harriet Quennell", email: "harriet.quennell@example.com", phone: "01632 960123", street: "14 Larkspur Close",
                   town: "Huntingdon", postcode: "PE29 3XY", officer: "PC Ambrose Fairweather"),
            Writer(name: "Desmond Ashworth-Pike", email: "d.ashworthpike@example.org", phone: "01632 960456", street: "3 Quarry Lane",
                   town: "Ramsey", postcode: "PE26 1ZZ", officer: "Sergeant Delphine Okonkwo"),
            Writer(name: "Marisol Thackeray", email: "marisol.t@example.net", phone: "07700 900789", street: "27 Wrenfield Road",
                   town: "St Neots", postcode: "PE19 2QQ", officer: "Inspector Rufus Penhaligon"),
        ]
    }

    // The caseload period: Monday 5 to Sunday 18 October 2026 (two weeks).
    static let caseload: [Case] = [
        Case(n: 1, channel: .email, received: "2026-10-05T10:00:00Z", categories: ["delivery_of_duties_and_service", "individual_behaviours"], rules: ["rule.a", "rule.b"]),
        Case(n: 2, channel: .email, received: "2026-10-06T10:00:00Z", categories: ["delivery_of_duties_and_service"], writer: Writer.all[1]),
        Case(n: 3, channel: .webForm, received: "2026-10-07T10:00:00Z", subject: .pcc, handler: "police_and_crime_panel",
             categories: ["individual_behaviours"], rules: ["rule.c"], writer: Writer.all[2]),
        Case(n: 4, channel: .letter, received: "2026-10-08T10:00:00Z", kind: .reviewRequest, handler: "review_body", rules: ["rule.review"],
             letterDate: "1 October 2026"),
        Case(n: 5, channel: .email, received: "2026-10-09T10:00:00Z", kind: .reviewRequest, handler: "review_body", flags: [.outOfTime],
             rules: ["rule.review"], letterDate: "2 August 2026", writer: Writer.all[1]),
        Case(n: 6, channel: .email, received: "2026-10-10T10:00:00Z", outcome: .notRecorded, handler: "opcc", reasons: [.repetitious]),
        Case(n: 7, channel: .webForm, received: "2026-10-12T10:00:00Z", outcome: .notRecorded, handler: "opcc", reasons: [.vexatious],
             flags: [.excessiveContact], rules: ["rule.d"], writer: Writer.all[2]),
        Case(n: 8, channel: .email, received: "2026-10-13T10:00:00Z", kind: .enquiry, outcome: .notRecorded, handler: "opcc_enquiries",
             reasons: [.notAComplaint], rules: ["rule.e"]),
        Case(n: 9, channel: .letter, received: "2026-10-14T10:00:00Z", subject: .unknown, outcome: .needsCaseworker, handler: "caseworker",
             rules: ["rule.b"], writer: Writer.all[1]),
        Case(n: 10, channel: .email, received: "2026-10-18T23:30:00Z", kind: .reviewRequest, handler: "review_body", rules: ["rule.review"]),
        // Outside the period: the day before, and the first moment after.
        Case(n: 11, channel: .email, received: "2026-10-04T23:59:00Z", writer: Writer.all[2]),
        Case(n: 12, channel: .email, received: "2026-10-19T00:00:00Z"),
    ]

    // The financial year 2025-26.
    static let transparency: [Case] = [
        Case(n: 21, channel: .email, received: "2025-04-01T00:30:00Z", subject: .pcc, handler: "police_and_crime_panel", categories: ["individual_behaviours"]),
        Case(n: 22, channel: .webForm, received: "2025-06-15T09:00:00Z", subject: .chiefConstable, outcome: .recorded, handler: "opcc",
             categories: ["discreditable_conduct"], writer: Writer.all[1]),
        Case(n: 23, channel: .letter, received: "2025-11-03T09:00:00Z", subject: .opccStaff, outcome: .recorded, handler: "opcc_senior_management",
             categories: ["individual_behaviours"], writer: Writer.all[2]),
        Case(n: 24, channel: .email, received: "2026-01-20T09:00:00Z", subject: .dpcc, outcome: .notRecorded, handler: "opcc",
             reasons: [.differenceOfOpinion]),
        // Officer complaint that a caseworker re-reads as the Chief Constable's delegated decision.
        Case(n: 25, channel: .email, received: "2026-03-31T23:00:00Z", writer: Writer.all[1]),
        Case(n: 26, channel: .email, received: "2025-08-08T09:00:00Z", kind: .enquiry, subject: .pcc, outcome: .notRecorded,
             handler: "opcc_enquiries", reasons: [.notAComplaint]),
        Case(n: 27, channel: .email, received: "2026-04-01T00:00:00Z", subject: .pcc, handler: "police_and_crime_panel"),
        Case(n: 28, channel: .email, received: "2025-03-31T23:59:00Z", subject: .pcc, handler: "police_and_crime_panel"),
        Case(n: 29, channel: .email, received: "2025-09-09T09:00:00Z", subject: .pcc, handler: "iopc", flags: [.serious],
             categories: ["abuse_of_position_or_corruption"], writer: Writer.all[2]),
        Case(n: 30, channel: .email, received: "2025-10-10T09:00:00Z", subject: .pcc, handler: "psd", force: "northamptonshire"),
    ]

    static let summary = "Complaint about remarks the Chief Constable made at a public meeting; recorded and handled by the OPCC."

    static func date(_ iso: String) -> Date { (try? Date.ISO8601FormatStyle().parse(iso)) ?? Date(timeIntervalSince1970: 0) }

    /// The raw bytes of a case, in its channel's real format.
    static func raw(_ c: Case) -> RawItem {
        let w = c.writer
        let ref = String(format: "case-%02d", c.n)
        let body = "Reference \(ref). I am unhappy with how \(w.officer) treated me outside my home at \(w.street), \(w.town) \(w.postcode)."
            + " Please call me on \(w.phone)."
            + (c.letterDate.map { " I received the outcome letter dated \($0) and I ask for a review." } ?? "")
        let date = date(c.received)
        let text: String
        switch c.channel {
        case .email:
            text = """
                From: \(w.name) <\(w.email)>\r
                To: cambs-pcc@cambs.police.uk\r
                Subject: My complaint \(ref)\r
                Date: \(rfc822(date))\r
                Message-ID: <\(ref)@example.com>\r
                MIME-Version: 1.0\r
                Content-Type: text/plain; charset=utf-8\r
                \r
                \(body)\r

                \(w.name)\r
                \(w.street), \(w.town) \(w.postcode)\r

                """
        case .webForm:
            func enc(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s }
            let form = "form_id=opcc-complaint&full_name=\(enc(w.name))&email=\(enc(w.email))&phone=\(enc(w.phone))&address=\(enc(w.street + ", " + w.town))"
                + "&postcode=\(enc(w.postcode))&complaint_about=Other&details=\(enc(body))&submitted_at=\(enc(c.received))"
            text = "POST /contact/complaint HTTP/1.1\r\nHost: www.cambs-opcc.example.org\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: \(form.utf8.count)\r\n\r\n" + form
        case .letter:
            text = """
                <?xml version="1.0" encoding="UTF-8"?>
                <letter>
                  <sender><name>\(w.name)</name><address><line>\(w.street)</line><line>\(w.town)</line><line>\(w.postcode)</line></address><email>\(w.email)</email></sender>
                  <date>\(c.received.prefix(10))</date>
                  <subject>My complaint \(ref)</subject>
                  <body><p>Dear Commissioner,</p><p>\(body)</p><p>Yours sincerely, \(w.name)</p></body>
                </letter>

                """
        }
        let ext = c.channel == .email ? "eml" : c.channel == .webForm ? "http" : "xml"
        return RawItem(bytes: Array(text.utf8), source: "\(ref).\(ext)")
    }

    static func rfc822(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(secondsFromGMT: 0)
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return f.string(from: d)
    }

    /// The labelled decision for a case, with evidence that quotes the
    /// officer and an explanation that names the writer, as real decisions do.
    static func decision(_ c: Case, _ item: Correspondence) -> Decision {
        var evidence = c.rules.map { Evidence(rule: $0, cites: "001 §4.1", segment: "new_text", start: 0, end: 10, quote: c.writer.officer, fact: "x=y") }
        if let d = c.letterDate {
            evidence.append(Evidence(rule: "review.outcome_letter.date", cites: "001 §6", segment: "new_text", start: 0, end: 10, quote: "the outcome letter dated " + d,
                                     fact: "outcome_letter_date=true"))
        }
        return Decision(source: item.provenance.source, id: item.provenance.sha256, force: c.force, kind: c.kind, subject: c.subject,
                        outcome: c.outcome, handler: c.handler, reasons: c.reasons, flags: c.flags, categories: c.categories, rules: c.rules,
                        justification: evidence, explanation: "\(c.writer.name) complains that \(c.writer.officer) was rude.",
                        decidedBy: DecisionRowReference(row: "test", cites: "001 §4"), caseworkerNotes: [], rulesetVersion: "test",
                        received: item.date?.value)
    }

    /// Builds the store: every case, then the caseworker actions and the summary.
    /// - Returns: the store, its path, and the item id of each case number.
    static func make() throws -> (Store, String, [Int: String]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("report-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("triage.sqlite").path
        let store = try Store(path: path)
        let ingester = try Ingester(rulesDirectory: rulesURL)
        var ids: [Int: String] = [:]
        for c in caseload + transparency {
            let result = try store.ingest(raw(c), actor: "test", now: date(c.received), parse: { try ingester.parse($0) },
                                          classify: { item, _ in decision(c, item) })
            // A letter carries only its day: the parser dates it to that day's start.
            let slack: TimeInterval = c.channel == .letter ? 86_400 : 0
            guard result.status == .stored, let got = result.item?.receivedAt, abs(got.timeIntervalSince(date(c.received))) <= slack else {
                throw ReportError("case \(c.n) was not stored with its date: \(result.status), \(String(describing: result.item?.receivedAt))")
            }
            ids[c.n] = result.itemID
        }
        // Caseworker actions, at known times.
        try store.recordAcceptance(itemID: ids[11]!, actor: "A. Caseworker", now: date("2026-10-05T12:00:00Z"))
        try store.recordAcceptance(itemID: ids[1]!, actor: "A. Caseworker", now: date("2026-10-06T10:00:00Z"))
        try store.recordAcceptance(itemID: ids[3]!, actor: "B. Caseworker", now: date("2026-10-08T10:00:00Z"))
        guard let letter9 = try store.item(id: ids[9]!)?.receivedAt else { throw ReportError("case 9 is not stored") }
        try store.recordOverride(itemID: ids[9]!, actor: "B. Caseworker", outcome: .recorded, handler: "opcc", subject: .chiefConstable,
                                 reason: "it is about the Chief Constable himself", now: letter9.addingTimeInterval(2 * 86_400))
        try store.recordOverride(itemID: ids[2]!, actor: "A. Caseworker", outcome: .routed, handler: "psd",
                                 reason: "an injury was described", now: date("2026-10-26T10:00:00Z"))
        try store.recordOverride(itemID: ids[25]!, actor: "A. Caseworker", outcome: .routed, handler: "crt", subject: .chiefConstableDelegated,
                                 reason: "about the force's shoplifting policy", now: date("2026-04-02T10:00:00Z"))
        try store.approveSummary(itemID: ids[22]!, summary: summary, actor: "A. Caseworker", now: date("2026-04-03T10:00:00Z"))
        return (store, path, ids)
    }

    /// Every piece of personal data in the store's correspondence and decisions.
    static var personalData: [String] {
        var out: [String] = []
        for w in Writer.all {
            out += [w.name, w.email, w.phone, w.street, w.postcode, w.officer]
            out += w.name.split(whereSeparator: { $0 == " " || $0 == "-" }).map(String.init)
            out += w.officer.split(separator: " ").dropFirst().map(String.init)
            out.append(String(w.email.split(separator: "@")[0]))
            out.append(w.phone.replacingOccurrences(of: " ", with: ""))
        }
        return out
    }
}
