import Foundation
import Testing
import TriageTestSupport
@testable import MailParsing
import TriageCore

/// Forwards are content: every common client's forward, inline and attached,
/// puts the forwarded message's text in the body as `forwarded`, with its author.
@Suite struct ForwardTests {
    static let forwards = TestPaths.fixtures.appendingPathComponent("forwards")

    static func parse(_ name: String) throws -> Correspondence {
        let url = forwards.appendingPathComponent(name)
        let bytes = try [UInt8](Data(contentsOf: url))
        return try EmailParser().parse(RawItem(bytes: bytes, source: url.path))
    }

    /// The forwarded text (all `forwarded` segments).
    static func forwardedText(_ c: Correspondence) -> String {
        c.body.segments(.forwarded).map { c.body.text(of: $0) }.joined()
    }

    static func newText(_ c: Correspondence) -> String {
        c.body.segments(.newText).map { c.body.text(of: $0) }.joined()
    }

    @Test(arguments: ["inline-gmail.eml", "inline-thunderbird.eml", "inline-apple.eml", "inline-outlook-desktop.eml",
                      "inline-outlook-web.eml", "inline-outlook-original.eml", "attached-rfc822.eml"])
    func eachClientsForwardIsContent(file: String) throws {
        let c = try Self.parse(file)
        let forwarded = Self.forwardedText(c)
        #expect(forwarded.contains("PC 4471 came round"), "\(file): forwarded text \(forwarded.debugDescription)")
        #expect(forwarded.contains("waste of police time"), "\(file)")
        #expect(c.body.segments(.quoted).allSatisfy { !c.body.text(of: $0).contains("PC 4471") }, "\(file): the complaint is not quoted")
        #expect(!Self.newText(c).contains("PC 4471"), "\(file): the complaint is not the sender's new text")
        let f = try #require(c.forwards.first, "\(file): no forward recorded")
        #expect(f.author?.name == "Edith Example", "\(file): author \(String(describing: f.author))")
        #expect(f.subject == "Police visit last week", "\(file): subject \(String(describing: f.subject))")
        #expect(f.date != nil, "\(file)")
        #expect(f.form == (file.hasPrefix("attached") ? .attached : .inline))
        #expect(c.sender?.address == "tom.neighbour@example.net")
        #expect(c.author?.name == "Edith Example", "\(file): the cover note hands over Edith's message")
        // The segments still cover the text exactly once, in order.
        let starts = c.body.segments.map(\.start)
        let ends = c.body.segments.map(\.end)
        #expect(starts == [0] + ends.dropLast(), "\(file): \(c.body.segments)")
        #expect(ends.last == c.body.text.unicodeScalars.count)
    }

    @Test func nestedAttachedForwardsKeepEveryAuthorAndTheDeepestWrote() throws {
        let c = try Self.parse("attached-nested.eml")
        #expect(c.forwards.map(\.depth) == [1, 2])
        #expect(c.forwards.map { $0.author?.name } == ["Ann Daughter", "Edith Example"])
        #expect(Self.forwardedText(c).contains("Mum asked me to pass this on"))
        #expect(Self.forwardedText(c).contains("PC 4471"))
        #expect(c.author?.name == "Edith Example")
        #expect(c.forwards[1].start >= c.forwards[0].start && c.forwards[1].end <= c.forwards[0].end)
    }

    @Test func attachedEmlFileIsReadAsAForward() throws {
        let c = try Self.parse("attached-eml-file.eml")
        #expect(Self.forwardedText(c).contains("PC 4471 was rude"))
        #expect(c.forwards.first?.author?.address == "edith.example@example.com")
        #expect(c.attachments.first?.filename == "visit.eml", "the file is still listed")
    }

    @Test func aReplyWithItsHistoryStaysQuoted() throws {
        let text = """
            From: Tom Neighbour <tom.neighbour@example.net>
            To: complaints@cambs-pcc.example.org
            Subject: RE: Your complaint reference 1234
            Date: Tue, 3 Nov 2026 09:12:00 +0000

            Thank you, that answers my question.

            From: Complaints Team <complaints@cambs-pcc.example.org>
            Sent: 02 November 2026 18:40
            To: Tom Neighbour <tom.neighbour@example.net>
            Subject: Your complaint reference 1234

            We have recorded your complaint about PC 4471.

            """
        let c = try EmailParser().parse(rawItem(text))
        #expect(c.forwards.isEmpty)
        #expect(c.author == nil)
        #expect(c.body.segments(.quoted).contains { c.body.text(of: $0).contains("PC 4471") })
        #expect(c.body.segments(.forwarded).isEmpty)
    }

    @Test func ownWordsAboveAForwardMakeTheSenderTheAuthor() throws {
        let text = """
            From: Edith Example <edith.example@example.com>
            To: complaints@cambs-pcc.example.org
            Subject: Fwd: Police visit last week
            Date: Tue, 3 Nov 2026 09:12:00 +0000

            I am writing to complain about how PC 4471 treated me when he came to my
            house about the break-in. He refused to take a statement, told me I was
            wasting police time, and left after five minutes. Nobody has called me
            since, even though I was promised a visit from a detective. I have had
            to chase the insurers myself and I feel let down by the whole thing. I
            have forwarded my earlier email to the station below, which was never
            answered, so you can see I raised it at the time and nothing happened
            at all since then, which is why I am now writing to the Commissioner.

            ---------- Forwarded message ---------
            From: Edith Example <edith.example@example.com>
            Date: Mon, 2 Nov 2026 at 18:40
            Subject: Police visit last week
            To: station@example.police.uk

            Why has nobody come back to me about the break-in?

            """
        let c = try EmailParser().parse(rawItem(text))
        #expect(c.forwards.count == 1)
        #expect(c.author == nil, "the sender's own long complaint: the sender is the author")
    }

    /// Apple Mail can quote the whole forwarded message ("> From: …"): its
    /// header is read with one quote level removed, so author, date and subject
    /// are known, and the cover note hands the item to that author.
    @Test func wholeQuotedForwardReadsItsHeader() throws {
        let text = """
            From: Tom Neighbour <tom.neighbour@example.net>
            To: complaints@cambs-pcc.example.org
            Subject: Fwd: Police visit
            Date: Tue, 3 Nov 2026 09:12:00 +0000

            My neighbour asked me to forward this.

            Begin forwarded message:

            > From: Edith Example <edith.example@example.com>
            > Subject: Police visit
            > Date: 2 November 2026 at 18:40:11 GMT
            > To: Tom Neighbour <tom.neighbour@example.net>
            >
            > PC 4471 was rude and refused to take a statement.

            """
        let c = try EmailParser().parse(rawItem(text))
        let f = try #require(c.forwards.first)
        #expect(f.author?.address == "edith.example@example.com")
        #expect(f.date == "2 November 2026 at 18:40:11 GMT")
        #expect(f.subject == "Police visit")
        #expect(c.author?.name == "Edith Example")
        let header = c.body.segments(.forwardHeader).map { c.body.text(of: $0) }.joined()
        #expect(header.contains("> Subject: Police visit"), "the quoted header block is header, not content")
        #expect(Self.forwardedText(c).contains("PC 4471 was rude"))
        #expect(!Self.forwardedText(c).contains("edith.example@example.com"))
    }

    /// A force's automated acknowledgement ("noreply@…") forwarded under a short
    /// note: no person wrote it, so the sender stays the author whose standing counts.
    @Test func anAutomatedMessageHasNoAuthor() throws {
        let text = """
            From: Morwen Example <morwen@example.com>
            To: complaints@cambs-pcc.example.org
            Subject: Fwd: Your report
            Date: Tue, 3 Nov 2026 09:12:00 +0000

            Five weeks and DC Example still has not rung me back. See below.

            ---------- Forwarded message ---------
            From: Example Constabulary <noreply@example.police.uk>
            Date: Mon, 28 Sep 2026 at 09:14
            Subject: Your report
            To: <morwen@example.com>

            Your report has been allocated to an officer.

            """
        let c = try EmailParser().parse(rawItem(text))
        #expect(c.forwards.first?.author?.address == "noreply@example.police.uk")
        #expect(c.author == nil, "an automated sender is nobody's author")
    }

    /// A forward nested 1,000 deep (inline markers, or message/rfc822 parts):
    /// read, bounded, no crash, in well under a second or two.
    @Test func forwardNestedAThousandDeepIsBounded() throws {
        var inline = "From: a@example.org\nSubject: Fwd: x\nDate: Tue, 3 Nov 2026 09:12:00 +0000\n\nfyi\n"
        for k in 0..<1000 {
            inline += "\n---------- Forwarded message ---------\nFrom: Writer \(k) <w\(k)@example.org>\nDate: Mon, 2 Nov 2026\nSubject: Fwd: x\nTo: a@example.org\n\nlevel \(k)\n"
        }
        let clock = ContinuousClock()
        var c: Correspondence? = nil
        let inlineTime = clock.measure { c = try? EmailParser().parse(rawItem(inline)) }
        let parsed = try #require(c)
        #expect(parsed.body.text.contains("level 999"), "all the text is kept")
        #expect(parsed.forwards.count <= 33, "forwards past the depth cap are read flat")
        #expect(Self.forwardedText(parsed).contains("level 999"))
        #expect(inlineTime < HangWatchdog.limit, "inline: \(inlineTime)")

        var mime = ""
        for k in 0..<1000 {
            mime += "From: w\(k)@example.org\nSubject: Fwd: level \(k)\nDate: Tue, 3 Nov 2026 09:12:00 +0000\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\(k)\"\n\n--b\(k)\nContent-Type: text/plain\n\nlevel \(k)\n\n--b\(k)\nContent-Type: message/rfc822\n\n"
        }
        mime += "From: deepest@example.org\nSubject: x\n\nthe deepest text\n"
        for k in stride(from: 999, through: 0, by: -1) { mime += "\n--b\(k)--\n" }
        var m: Correspondence? = nil
        let mimeTime = clock.measure { m = try? EmailParser().parse(rawItem(mime)) }
        let message = try #require(m)
        #expect(message.body.text.contains("level 0"))
        #expect(message.forwards.count <= BodyCollector.maxForwardDepth)
        #expect(message.defects.contains { $0.contains("deeper than") }, "the cut is reported: \(message.defects.prefix(3))")
        #expect(mimeTime < HangWatchdog.limit, "message/rfc822: \(mimeTime)")
    }
}
