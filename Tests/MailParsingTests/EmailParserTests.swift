import Crypto
import Foundation
import Testing
import TriageTestSupport
@testable import MailParsing
import TriageCore

func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}

@Suite("EmailParser")
struct EmailParserTests {
    let parser = EmailParser()

    static let nested = """
    From: =?utf-8?q?Ren=C3=A9e_Fictional?= <renee@example.org>
    To: OPCC Enquiries <enquiries@example.net>, "Smith, A." <a.smith@example.com>
    Cc: case.worker@example.net
    Subject: =?utf-8?b?Q29tcGxhaW50IGFib3V0IFBDU08=?= visit
    Date: Mon, 2 Nov 2026 09:15:00 +0000
    Message-ID: <abc123@example.org>
    X-Mailer: Fictional Mail 1.0
    X-Secret: not kept
    MIME-Version: 1.0
    Content-Type: multipart/mixed; boundary="abc"

    This is the preamble.

    --abc
    Content-Type: multipart/alternative; boundary="abcdef"

    --abcdef
    Content-Type: text/plain; charset=iso-8859-1
    Content-Transfer-Encoding: quoted-printable

    Nobody came when I called. This is not good enough =E9t=
    =E9.

    --abcdef
    Content-Type: text/html; charset=utf-8

    <p>Nobody came when I called.</p>
    --abcdef--

    --abc
    Content-Type: application/pdf; name="letter.pdf"
    Content-Disposition: attachment; filename="letter.pdf"
    Content-Transfer-Encoding: base64

    JVBERi0xLjQK
    --abc
    Content-Type: message/rfc822

    From: Old Sender <old@example.com>
    Subject: Earlier message
    Date: Sun, 1 Nov 2026 08:00:00 +0000

    The earlier text.
    --abc--
    Epilogue here.
    """

    @Test func nestedMultipartMessage() throws {
        let item = RawItem(bytes: Array(Self.nested.replacingOccurrences(of: "\n", with: "\r\n").utf8), source: "in/nested.eml")
        let c = try parser.parse(item)
        #expect(c.channel == .email)
        #expect(c.subject == "Complaint about PCSO visit")
        #expect(c.sender == Party(name: "Renée Fictional", address: "renee@example.org"))
        #expect(c.recipients.map(\.address) == ["enquiries@example.net", "a.smith@example.com", "case.worker@example.net"])
        #expect(c.recipients[1].name == "Smith, A.")
        #expect(c.date?.value == Date(timeIntervalSince1970: 1_793_610_900))
        #expect(c.date?.source == .header)
        // The attached message's text follows the body as forwarded content.
        #expect(c.body.text == "Nobody came when I called. This is not good enough été.\n\nThe earlier text.")
        #expect(c.body.segments.map(\.kind) == [.newText, .forwarded])
        // The HTML alternative and the PDF are attachments; nothing dropped.
        #expect(c.attachments.map(\.contentType) == ["text/html", "application/pdf"])
        // The HTML is another rendering of the body, the PDF a file.
        #expect(c.attachments.map(\.role) == [.alternative, .file])
        let pdf = c.attachments[1]
        #expect(pdf.filename == "letter.pdf")
        #expect(pdf.size == 9)
        #expect(pdf.sha256 == sha256Hex(Array("%PDF-1.4\n".utf8)))
        #expect(c.embedded.count == 1)
        #expect(c.embedded.first?.subject == "Earlier message")
        #expect(c.embedded.first?.body.text == "The earlier text.")
        #expect(c.embedded.first?.sender?.address == "old@example.com")
        #expect(c.headers.map(\.name) == ["message-id", "x-mailer", "content-type"])
        #expect(c.headers.first?.value == "<abc123@example.org>")
        #expect(c.provenance.sha256 == sha256Hex(item.bytes))
        #expect(c.provenance.size == item.bytes.count)
        #expect(c.provenance.format == "eml")
        #expect(c.provenance.source == "in/nested.eml")
    }

    @Test func mimeTreeOfNestedMessage() {
        let root = MIMEParser().parse(Array(Self.nested.utf8))
        #expect(root.contentType == "multipart/mixed")
        #expect(root.children.count == 3)
        #expect(String(decoding: root.preamble ?? [], as: UTF8.self) == "This is the preamble.\n")
        #expect(String(decoding: root.epilogue ?? [], as: UTF8.self) == "Epilogue here.")
        #expect(root.leafParts.map(\.contentType) == ["text/plain", "text/html", "application/pdf", "text/plain"])
        #expect(root.children[0].children[0].charset == "iso-8859-1")
        #expect(root.children[0].children[0].transferEncoding == "quoted-printable")
        #expect(root.children[1].disposition == "attachment")
        #expect(root.children[2].isMessage)
        #expect(root.allDefects.isEmpty)
    }

    @Test func htmlOnlyMailIsConvertedToText() throws {
        let text = """
        From: a@example.org
        Subject: html
        Date: Mon, 2 Nov 2026 09:15:00 +0000
        Content-Type: text/html; charset=windows-1252

        <html><head><style>p{}</style></head><body><p>First \u{93}quoted\u{94} para.</p><p>Second</p></body></html>
        """
        // Write the 0x93/0x94 as Windows-1252 bytes.
        var bytes = Array(text.utf8)
        bytes = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars.map { $0.value == 0x93 ? 0x93 : $0.value == 0x94 ? 0x94 : UInt8(truncatingIfNeeded: $0.value) })
        let c = try parser.parse(RawItem(bytes: bytes, source: "h.eml"))
        // Paragraphs are separated by an empty line, as in a typed plain-text body.
        #expect(c.body.text == "First “quoted” para.\n\nSecond")
        #expect(c.attachments.isEmpty)
    }

    @Test func multipleInlineTextPartsAreJoined() throws {
        let text = """
        From: a@example.org
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Type: text/plain

        Part one.
        --b
        Content-Type: image/png
        Content-Disposition: inline; filename=pic.png
        Content-Transfer-Encoding: base64

        iVBORw0KGgo=
        --b
        Content-Type: text/plain; charset=utf-8

        Part two.
        --b--
        """
        let c = try parser.parse(rawItem(text))
        #expect(c.body.text == "Part one.\n\nPart two.")
        #expect(c.attachments.map(\.filename) == ["pic.png"])
        #expect(c.attachments.first?.size == 8)
    }

    @Test func missingFinalBoundaryKeepsParts() throws {
        let text = """
        From: a@example.org
        Content-Type: multipart/mixed; boundary="zz"

        --zz
        Content-Type: text/plain

        Kept text.
        --zz
        Content-Type: application/octet-stream

        data
        """
        let c = try parser.parse(rawItem(text))
        #expect(c.body.text == "Kept text.")
        #expect(c.attachments.count == 1)
        #expect(c.defects.contains { $0.contains("final boundary") })
    }

    @Test func boundaryNotFound() throws {
        let text = """
        From: a@example.org
        Content-Type: multipart/mixed; boundary="nothere"

        Just text, no boundary.
        """
        let c = try parser.parse(rawItem(text))
        #expect(c.defects.contains { $0.contains("boundary not found") })
        #expect(c.attachments.count == 1)
        #expect(c.attachments.first?.contentType == "multipart/mixed")
    }

    @Test func digestDefaultsToMessages() {
        let text = """
        Content-Type: multipart/digest; boundary=d

        --d

        From: one@example.org
        Subject: one

        First.
        --d

        From: two@example.org
        Subject: two

        Second.
        --d--
        """
        let root = MIMEParser().parse(Array(text.utf8))
        #expect(root.children.map(\.contentType) == ["message/rfc822", "message/rfc822"])
        #expect(root.children.map { $0.message.first?.decodedHeader("subject") } == ["one", "two"])
    }

    @Test func unknownCharsetIsReadAsUndeclared() throws {
        let text = "From: a@example.org\nContent-Type: text/plain; charset=x-no-such-charset\nContent-Transfer-Encoding: 8bit\n\ncaf\u{E9}\n"
        let c = try parser.parse(rawItem(text))
        #expect(c.body.text == "café")
        #expect(c.defects.contains { $0.contains("unknown charset") })
    }

    @Test func charsetsInBodies() throws {
        func body(_ charset: String, _ cte: String, _ payload: [UInt8]) throws -> String {
            let head = "From: a@example.org\nContent-Type: text/plain; charset=\"\(charset)\"\nContent-Transfer-Encoding: \(cte)\n\n"
            return try parser.parse(RawItem(bytes: Array(head.utf8) + payload, source: "c.eml")).body.text
        }
        #expect(try body("ISO-2022-JP", "7bit", [0x1B, 0x24, 0x42, 0x24, 0x33, 0x24, 0x73, 0x24, 0x4B, 0x24, 0x41, 0x24, 0x4F, 0x1B, 0x28, 0x42]) == "こんにちは")
        #expect(try body("KOI8-R", "8bit", [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4]) == "Привет")
        #expect(try body("utf-16", "base64", Array("//5HAHIA/ADfAGUA".utf8)) == "Grüße")
    }

    @Test func rfc2231AndEncodedWordFilenames() throws {
        let text = """
        From: a@example.org
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Type: application/octet-stream
        Content-Disposition: attachment;
         filename*0*=utf-8''%C3%A9l%C3%A8ve;
         filename*1=".txt"

        x
        --b
        Content-Type: application/octet-stream; name="=?iso-8859-1?q?caf=E9?=.bin"

        y
        --b--
        """
        let c = try parser.parse(rawItem(text))
        #expect(c.attachments.map(\.filename) == ["élève.txt", "café.bin"])
    }

    @Test func formatHintAndLocator() throws {
        let item = RawItem(bytes: Array("From: a@example.org\n\nhi\n".utf8), source: "box", offset: 120, formatHint: "mbox")
        let c = try parser.parse(item)
        #expect(c.provenance.format == "mbox")
        #expect(c.provenance.offset == 120)
        #expect(c.body.text == "hi")
        #expect(c.defects.contains("no Date header"))
    }

    @Test func formatFlowedIsUnwrapped() throws {
        let text = "From: a@example.org\nContent-Type: text/plain; charset=utf-8; format=flowed\n\nThis is a long \nline that was \nwrapped.\n> quoted \n> more\n\n-- \nSig\n"
        let c = try parser.parse(rawItem(text, crlf: true))
        #expect(c.body.text == "This is a long line that was wrapped.\n> quoted more\n\n-- \nSig")
        let d = try parser.parse(rawItem("From: a@example.org\nContent-Type: text/plain; format=flowed; delsp=yes\n\nsplit-\u{20}\nword\n"))
        #expect(d.body.text == "split-word")
    }

    @Test func blankPlainAlternativeFallsBackToHTML() throws {
        let text = """
        From: a@example.org
        Content-Type: multipart/alternative; boundary=alt

        --alt
        Content-Type: text/plain

        \u{20}
        --alt
        Content-Type: text/html

        <p>The real text.</p>
        --alt--
        """
        let c = try parser.parse(rawItem(text))
        #expect(c.body.text == "The real text.")
        #expect(c.attachments.map(\.contentType) == ["text/plain"])
    }

    @Test func base64EncodedMessagePart() throws {
        let inner = "From: inner@example.org\nSubject: inside\n\nInner text.\n"
        let encoded = Data(inner.utf8).base64EncodedString(options: [.lineLength76Characters])
        let text = "From: a@example.org\nContent-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n\(encoded)\n--m--\n"
        let c = try parser.parse(rawItem(text))
        let e = try #require(c.embedded.first)
        #expect(e.subject == "inside")
        #expect(e.body.text == "Inner text.")
        #expect(e.provenance.sha256 == sha256Hex(Array(inner.utf8)))
        #expect(c.defects.contains { $0.contains("transfer encoding") })
    }

    @Test func quotedMboxFromLineAtTop() throws {
        let c = try parser.parse(rawItem(">From someone@example.org Mon Nov  2 09:00:00 2026\nSubject: quoted top\n\nbody\n"))
        #expect(c.subject == "quoted top")
        #expect(c.body.text == "body")
    }

    @Test func unreadableDateIsADefect() throws {
        let c = try parser.parse(rawItem("From: a@example.org\nDate: yesterday-ish\n\nhi\n"))
        #expect(c.date == nil)
        #expect(c.defects.contains("unreadable Date header"))
    }
}

@Suite("Bad input")
struct BadInputTests {
    let parser = EmailParser()

    @Test func emptyAndGarbageAreRefused() {
        #expect(throws: IngestError.self) { try parser.parse(RawItem(bytes: [], source: "empty.eml")) }
        var rng = SystemRandomNumberGenerator()
        let garbage = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) } + [0]
        do {
            _ = try parser.parse(RawItem(bytes: [0, 1, 2] + garbage, source: "bin.eml", locator: "x"))
            Issue.record("garbage was accepted")
        } catch let e as IngestError {
            #expect(e.item == "bin.eml#x")
            #expect(e.problem.contains("not an email message"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(throws: IngestError.self) { try parser.parse(RawItem(bytes: Array("\n\n  \n".utf8), source: "blank.eml")) }
    }

    @Test func headerlessTextIsBody() throws {
        let c = try parser.parse(rawItem("This is a note without headers.\nSecond line.\n"))
        #expect(c.body.text == "This is a note without headers.\nSecond line.")
        #expect(c.defects.contains { $0.contains("no header fields") })
    }

    @Test func truncatedMessages() throws {
        let full = Array(EmailParserTests.nested.utf8)
        // Cut at many points: every cut parses or is refused cleanly, never crashes.
        var parsed = 0
        for cut in stride(from: 1, to: full.count, by: 7) {
            if let c = try? parser.parse(RawItem(bytes: Array(full[0..<cut]), source: "t.eml")) {
                #expect(c.provenance.size == cut)
                parsed += 1
            }
        }
        #expect(parsed > 0)
        // Cut inside the base64 part: defects, attachment kept.
        let marker = Array("JVBERi0x".utf8)
        let at = try #require(full.firstRange(of: marker)).upperBound
        let c = try parser.parse(RawItem(bytes: Array(full[0..<at]), source: "t.eml"))
        #expect(c.defects.contains { $0.contains("final boundary") })
        #expect(c.attachments.contains { $0.contentType == "application/pdf" && $0.size == 6 })
    }

    @Test func brokenBase64() throws {
        let text = "From: a@example.org\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n!!!aGVs\n***bG8\n"
        let c = try parser.parse(rawItem(text))
        #expect(c.attachments.first?.size == 5)
        #expect(c.defects.contains { $0.contains("base64") })
    }

    @Test func tenThousandDeepNesting() throws {
        let depth = 10_000
        var text = "From: deep@example.org\nSubject: deep\n"
        for k in 0..<depth {
            text += "Content-Type: multipart/mixed; boundary=\"b\(k)\"\n\n--b\(k)\n"
        }
        text += "Content-Type: text/plain\n\ninnermost\n"
        for k in stride(from: depth - 1, through: 0, by: -1) { text += "--b\(k)--\n" }
        let clock = ContinuousClock()
        var result: Correspondence? = nil
        let elapsed = try clock.measure { result = try parser.parse(rawItem(text)) }
        print("10,000-deep nesting parsed in \(elapsed)")
        let c = try #require(result)
        #expect(c.subject == "deep")
        #expect(c.defects.contains { $0.contains("nesting deeper than 100") })
        #expect(c.attachments.count == 1) // the opaque leaf at the cap
        #expect(elapsed < HangWatchdog.limit)
    }

    @Test func fiftyMegabyteHeader() throws {
        let size = 50 * 1024 * 1024
        let head = Array("From: big@example.org\nX-Huge: ".utf8)
        let tail = Array("\nSubject: after the huge one\n\nbody\n".utf8)
        var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: head.count + size + tail.count)
        bytes.withUnsafeMutableBufferPointer { p in
            for (k, b) in head.enumerated() { p[k] = b }
            for (k, b) in tail.enumerated() { p[head.count + size + k] = b }
        }
        let clock = ContinuousClock()
        var result: Correspondence? = nil
        let elapsed = try clock.measure { result = try parser.parse(RawItem(bytes: bytes, source: "huge.eml")) }
        print("50 MB header parsed in \(elapsed)")
        let c = try #require(result)
        #expect(c.subject == "after the huge one")
        #expect(c.body.text == "body")
        #expect(c.defects.contains { $0.contains("X-Huge longer than 65536 bytes") })
        let root = MIMEParser().parse(bytes)
        #expect(root.header("x-huge")?.rawValue.utf8.count == 65536)
        #expect(elapsed < HangWatchdog.limit)
    }

    @Test func pathologicalHeadersStayLinear() throws {
        let n = 60_000
        let openWords = String(repeating: "=?a?q?x ", count: n / 8)
        let longAtom = String(repeating: "x", count: n)
        let text = "From: \(longAtom) <\(openWords)@example.org>\nTo: \(openWords)\nSubject: \(openWords)\n"
            + "Date: Mon, 2 Nov 2026 10:00:00 +99999999999999999999\n"
            + "Content-Type: text/plain; x*0*=\(String(repeating: "%", count: n))\n\nbody\n"
        let clock = ContinuousClock()
        var result: Correspondence? = nil
        let elapsed = try clock.measure { result = try parser.parse(rawItem(text)) }
        print("pathological headers parsed in \(elapsed)")
        let c = try #require(result)
        #expect(c.subject == String(openWords.dropLast()))
        #expect(c.body.text == "body")
        // An impossible zone: the date is read without it (UTC assumed, said so).
        #expect(c.defects.contains { $0.contains("time zone") })
        #expect(elapsed < HangWatchdog.limit)
    }

    @Test func headerLinesWithoutColon() throws {
        let text = "From: a@example.org\nthis line is broken\nSubject: still read\n\nbody\n"
        let c = try parser.parse(rawItem(text))
        #expect(c.subject == "still read")
        #expect(c.body.text == "body")
        #expect(c.defects.contains { $0.contains("without a colon") })
    }
}

@Suite("Mutated input")
struct MutationTests {

    @Test func mutatedMessagesNeverCrash() throws {
        var rng = SplitMix64(seed: 0x5EED_1234_ABCD_0001)
        let seeds: [[UInt8]] = [
            Array(EmailParserTests.nested.utf8),
            Array(EmailParserTests.nested.replacingOccurrences(of: "\n", with: "\r\n").utf8),
        ]
        let parser = EmailParser()
        let interesting: [UInt8] = Array("=?-:;\"<>()\r\n\t\\%*'B".utf8) + [0x00, 0xFF, 0x80]
        var parsed = 0, refused = 0
        for round in 0..<300 {
            var bytes = seeds[round % seeds.count]
            let edits = Int.random(in: 1...12, using: &rng)
            for _ in 0..<edits where !bytes.isEmpty {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes[at] = interesting.randomElement(using: &rng) ?? 0
                case 1: bytes.insert(interesting.randomElement(using: &rng) ?? 0, at: at)
                case 2: bytes.remove(at: at)
                default: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...40, using: &rng)))
                }
            }
            do {
                let c = try parser.parse(RawItem(bytes: bytes, source: "m\(round).eml"))
                #expect(c.provenance.size == bytes.count)
                parsed += 1
            } catch let e as IngestError {
                #expect(e.item == "m\(round).eml")
                refused += 1
            }
            let root = MIMEParser().parse(bytes)
            _ = root.leafParts.map(\.decodedText)
        }
        #expect(parsed + refused == 300)
        #expect(parsed > 250)
    }
}
