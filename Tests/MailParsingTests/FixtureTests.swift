import Foundation
import Testing
@testable import MailParsing
import TriageCore

@Suite("Invented fixtures")
struct FixtureTests {
    static let dir = TestPaths.fixtures.appendingPathComponent("mail")

    func parse(_ name: String) throws -> Correspondence {
        let url = Self.dir.appendingPathComponent(name)
        return try EmailParser().parse(RawItem(bytes: try [UInt8](Data(contentsOf: url)), source: "Fixtures/mail/" + name))
    }

    @Test func complaintInQuotedPrintable() throws {
        let c = try parse("complaint-qp-cp1252.eml")
        #expect(c.subject == "Complaint – no response")
        #expect(c.sender == Party(name: "Pat Fictional", address: "pat.fictional@example.org"))
        #expect(c.recipients == [Party(name: "OPCC Enquiries", address: "enquiries@example.net")])
        #expect(c.date?.value == Date(timeIntervalSince1970: 1_794_319_500))
        #expect(c.body.text.hasPrefix("Dear Commissioner,\n\nI am writing"))
        #expect(c.body.text.contains("rude “and dismissive”. This is not good enough."))
        #expect(c.body.text.hasSuffix("> Thank you for contacting us."))
        #expect(!c.body.text.contains("\r"))
        #expect(c.headers.contains(HeaderField(name: "return-path", value: "<pat.fictional@example.org>")))
        #expect(c.attachments.isEmpty)
        #expect(c.defects.isEmpty)
    }

    @Test func htmlWithAttachment() throws {
        let c = try parse("review-html-attachment.eml")
        #expect(c.body.text == "Please find attached the letter about my review request.\n\nSam Example")
        #expect(c.attachments.count == 1)
        #expect(c.attachments.first?.filename == "outcome letter – ref 12.pdf")
        #expect(c.attachments.first?.contentType == "application/pdf")
        #expect(c.attachments.first?.size == 34)
        // "-0000": the zone is unknown; UTC assumed and said so.
        #expect(c.defects.contains { $0.contains("time zone") })
    }

    @Test func forwardedMessageIsEmbedded() throws {
        let c = try parse("forward-rfc822.eml")
        // The attached message is content: its text follows the cover note, as `forwarded`.
        #expect(c.body.text == "Forwarding my earlier complaint, as asked.\n\nThe PCSO at the station refused to take my report.")
        #expect(c.body.segments.map(\.kind) == [.newText, .forwarded])
        #expect(c.forwards.first?.form == .attached)
        #expect(c.author == c.forwards.first?.author, "a cover note: the forwarded message's author wrote what the item says")
        #expect(c.embedded.count == 1)
        let inner = try #require(c.embedded.first)
        #expect(inner.subject == "my complaint")
        #expect(inner.body.text == "The PCSO at the station refused to take my report.")
        #expect(inner.provenance.format == "rfc822")
        #expect(inner.provenance.locator == "part 1.2")
        #expect(c.attachments.isEmpty)
    }

    @Test func mboxFixture() throws {
        let path = Self.dir.appendingPathComponent("two.mbox").path
        let reader = try MboxReader(path: path)
        let items = Array(reader)
        #expect(reader.error == nil)
        #expect(items.map(\.offset) == [0, 190])
        let parsed = try items.map { try EmailParser().parse($0) }
        #expect(parsed.map(\.subject) == ["first", "second"])
        #expect(parsed[0].body.text == "From the start I was ignored.")
        #expect(parsed[0].provenance.format == "mbox")
        #expect(parsed[1].sender?.name == "Sam Example")
    }
}
