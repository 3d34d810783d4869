import Foundation
import Testing
import TriageTestSupport

/// Forwards and attached letters end to end through `triage classify` and
/// `triage parse`: the complaint in them is read, and bad files are kept with a
/// clear reason.
@Suite struct ForwardCLITests {
    static let dir = "Tests/Fixtures/forwards/"

    static func decision(_ file: String) async throws -> [String: Any] {
        let r = try await CLI.run(["classify", "--format", "json", dir + file])
        #expect(r.status == 0, "\(file): exit \(r.status) \(r.err)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], "\(file): \(r.out)")
    }

    static func segments(_ d: [String: Any]) -> Set<String> {
        Set((d["justification"] as? [[String: Any]] ?? []).compactMap { $0["segment"] as? String })
    }

    @Test(arguments: ["inline-gmail.eml", "inline-thunderbird.eml", "inline-apple.eml", "inline-outlook-desktop.eml",
                      "inline-outlook-web.eml", "inline-outlook-original.eml", "attached-rfc822.eml", "attached-nested.eml"])
    func aForwardedComplaintIsRead(file: String) async throws {
        let d = try await Self.decision(file)
        #expect(d["kind"] as? String == "complaint", "\(file): \(d["kind"] ?? "")")
        #expect(d["outcome"] as? String != "not_recorded", "\(file): a complaint must never be not_recorded")
        #expect(d["subject"] as? String == "officer_or_staff", "\(file): \(d["subject"] ?? "")")
        #expect(Self.segments(d).contains("forwarded"), "\(file): the evidence lies in the forwarded text: \(Self.segments(d))")
    }

    @Test(arguments: ["attached-letter-pdf.eml", "attached-letter-docx.eml", "attached-letter-odt.eml"])
    func anAttachedLetterIsRead(file: String) async throws {
        let d = try await Self.decision(file)
        #expect(d["kind"] as? String == "complaint", "\(file)")
        #expect(d["outcome"] as? String != "not_recorded", "\(file)")
        #expect(Self.segments(d).contains("attachment_text"), "\(file): \(Self.segments(d))")
    }

    @Test(arguments: [
        ("attached-scanned-pdf.eml", "scanned attachment: no text"),
        ("attached-encrypted-pdf.eml", "encrypted PDF"),
        ("attached-bomb-docx.eml", "maxInflatedXMLBytes"),
        ("attached-bomb-lying-docx.eml", "DOCX"),
        ("attached-looping-pdf.eml", "damaged PDF"),
    ])
    func aBadAttachmentIsKeptAndNamed(file: String, problem: String) async throws {
        var result: CLI.Result? = nil
        result = try await CLI.run(["parse", Self.dir + file])
        let t = Duration.seconds(result?.seconds ?? 0)
        let r = try #require(result)
        #expect(r.status == 0, "\(file): the item is kept (exit \(r.status)) \(r.err)")
        let item = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let defects = item["defects"] as? [String] ?? []
        #expect(defects.contains { $0.contains(problem) }, "\(file): \(defects)")
        #expect(t < HangWatchdog.limit, "\(file): \(t)")
        let d = try await Self.decision(file)
        #expect(d["outcome"] as? String != nil)
    }

    @Test func aBodyThatBeginsWithTheStatuteIsTheRequest() async throws {
        let d = try await Self.decision("foi-statute-first.eml")
        #expect(d["kind"] as? String == "foi_or_sar", "\(d["kind"] ?? "")")
        #expect(d["handler"] as? String == "foi_team")
    }
}
