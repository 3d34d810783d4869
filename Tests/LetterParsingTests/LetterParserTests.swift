import Foundation
import MailText
#if canImport(Glibc)
import Glibc
#endif
import Testing
import TriageTestSupport
@testable import LetterParsing
import TriageCore

enum LetterPaths {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repo.appendingPathComponent("Tests/Fixtures/letters")

    static func item(_ name: String, hint: String? = nil) throws -> RawItem {
        let data = try Data(contentsOf: fixtures.appendingPathComponent(name))
        return RawItem(bytes: [UInt8](data), source: "Tests/Fixtures/letters/\(name)", formatHint: hint)
    }
}

func day(_ y: Int, _ m: Int, _ d: Int) -> Date? {
    var cal = Calendar(identifier: .gregorian)
    cal.timeZone = TimeZone(secondsFromGMT: 0) ?? .current
    return cal.date(from: DateComponents(year: y, month: m, day: d))
}

func xmlItem(_ s: String, source: String = "inline.xml") -> RawItem {
    RawItem(bytes: Array(s.utf8), source: source)
}

@Suite struct HTMLLetters {
    /// Sender's block, then the office's address, then the date: the sender is the first block.
    @Test func senderBlockAboveTheAddressee() throws {
        let html = """
            <html><body><p>Pat Invented<br>8 Nowhere Road<br>St Neots<br>ZZ1 1ZZ<br>pat@example.com<br>Tel. 01632 960111</p>
            <p>Office of the Police and Crime Commissioner<br>PO Box 000<br>Huntingdon</p>
            <p>16/11/2026</p><p>Nobody looked at my dashcam footage.</p><p>Pat Invented</p></body></html>
            """
        let c = try LetterParser().parse(RawItem(bytes: Array(html.utf8), source: "two-blocks.html"))
        #expect(c.sender?.name == "Pat Invented")
        #expect(c.sender?.address == "pat@example.com")
        #expect(c.sender?.phone == "01632 960111")
        #expect(c.sender?.postalAddress == "8 Nowhere Road\nSt Neots\nZZ1 1ZZ")
        #expect(c.date == DatedBy(value: try #require(day(2026, 11, 16)), source: .letter))
    }

    @Test func britishLetterLayout() throws {
        let c = try LetterParser().parse(try LetterPaths.item("complaint-letter.html"))
        #expect(c.channel == .letter)
        #expect(c.provenance.format == "letter_html")
        #expect(c.date == DatedBy(value: try #require(day(2026, 10, 3)), source: .letter))
        #expect(c.sender == Party(name: "Gwen Fictitious", address: "gwen.fictitious@example.org", phone: "01632 960789", postalAddress: "14 Imaginary Close\nNowheresville\nZZ9 9ZZ"))
        #expect(c.recipients == [Party(name: "Commissioner", postalAddress: "Office of the Police and Crime Commissioner\nExample House")])
        // The "Re:" line beats the <title>.
        #expect(c.subject == "Conduct at the public meeting on 1 October")
        #expect(c.body.text.contains("I am writing to complain about the Chief Constable\u{2019}s behaviour at the public meeting."))
        #expect(!c.body.text.contains("tracking"))
        // Paragraphs are separated by an empty line; <br> is a line break.
        #expect(c.body.text.contains("dismissive to residents.\n\nI expect an apology.\n\nYours sincerely,\n\nGwen Fictitious\ngwen.fictitious@example.org"))
        #expect(c.body.text.hasPrefix("14 Imaginary Close\nNowheresville\nZZ9 9ZZ\n\n3 October 2026\n\n"))
        #expect(!c.body.text.contains("Complaint about the Chief Constable")) // the title is not body text
        #expect(c.body.segments.last?.end == c.body.text.unicodeScalars.count)
        #expect(c.defects.isEmpty)
    }

    @Test func ukNumericDateAndReference() throws {
        let c = try LetterParser().parse(try LetterPaths.item("uk-date-letter.htm"))
        // 03/10/2026 is 3 October (day first).
        #expect(c.date?.value == day(2026, 10, 3))
        #expect(c.recipients.isEmpty) // "Dear Sir or Madam" names nobody
        #expect(c.subject == "Ref: CT/2026/0042") // generic title ignored, reference used
        #expect(c.sender?.name == "Hugo Notreal")
        #expect(c.sender?.postalAddress == "5 Madeup Street, Fakeford FF1 2AB")
    }

    @Test func metaCharsetWindows1252() throws {
        let c = try LetterParser().parse(try LetterPaths.item("latin1-letter.html"))
        #expect(c.body.text.contains("The caf\u{E9} incident \u{2013} nobody came."))
        #expect(c.date?.value == day(2026, 10, 5))
        #expect(c.sender?.name == "Ines Unreal")
        #expect(c.subject == nil)
    }

    @Test func htmlTextKeepsItsAPI() {
        let text = HTMLText.plainText(fromHTML: Array("<p>One &amp; two</p><p>Three<br>four</p>".utf8))
        #expect(text == "One & two\n\nThree\nfour")
        #expect(HTMLText.plainText(fromHTML: []) == "")
        let latin = HTMLText.plainText(fromHTML: [0x3C, 0x70, 0x3E, 0x63, 0x61, 0x66, 0xE9], charset: "ISO-8859-1")
        #expect(latin == "caf\u{E9}")
        // Undeclared, not UTF-8: read as Windows-1252.
        #expect(HTMLText.plainText(fromHTML: [0x3C, 0x70, 0x3E, 0x93, 0x68, 0x69, 0x94]) == "\u{201C}hi\u{201D}")
        // The signature delimiter keeps its space, as in plain text (RFC 3676); other lines lose theirs.
        let signed = HTMLText.plainText(fromHTML: Array("<p>Thanks, all.  <br>\n-- <br>\nPC 1147 Storey<br>\nOFFICIAL: this email may contain sensitive information.</p>".utf8))
        #expect(signed == "Thanks, all.\n-- \nPC 1147 Storey\nOFFICIAL: this email may contain sensitive information.")
    }

    @Test func dateLines() {
        #expect(MailDates.ukDateLine("3 October 2026") == day(2026, 10, 3))
        #expect(MailDates.ukDateLine("Saturday, 3rd October 2026") == day(2026, 10, 3))
        #expect(MailDates.ukDateLine("October 3, 2026") == day(2026, 10, 3))
        #expect(MailDates.ukDateLine("3 Oct 2026") == day(2026, 10, 3))
        #expect(MailDates.ukDateLine("03/10/2026") == day(2026, 10, 3))
        #expect(MailDates.ukDateLine("2026-10-03") == day(2026, 10, 3))
        #expect(MailDates.ukDateLine("31/02/2026") == nil)
        #expect(MailDates.ukDateLine("12/10/26") == day(2026, 10, 12))
        #expect(MailDates.ukDateLine("Date: 3.11.26") == day(2026, 11, 3))
        #expect(MailDates.ukDateLine("31/02/26") == nil)
        #expect(MailDates.ukDateLine("12/10/261") == nil)
        #expect(MailDates.ukDateLine("I wrote on 3 October 2026 to you") == nil)
        #expect(MailDates.ukDateLine("3 Smarch 2026") == nil)
    }

    @Test func officeAddressFirstIsNotTheSender() throws {
        let text = "Office of the Police and Crime Commissioner\nExample House\n\n9 June 2026\n\nDear Sir or Madam,\n\nThe police never came.\n\nYours faithfully\n\nPat Unreal\n"
        let c = try LetterParser().parse(RawItem(bytes: Array(text.utf8), source: "letter.txt"))
        #expect(c.sender == Party(name: "Pat Unreal"))
        #expect(c.date?.value == day(2026, 6, 9))
        #expect(c.recipients.isEmpty)
    }

    @Test func unknownMetaCharsetStillReads() throws {
        let html = "<html><head><meta charset=\"x-no-such-charset\"></head><body><p>1 June 2026</p><p>Hello there</p></body></html>"
        let c = try LetterParser().parse(RawItem(bytes: Array(html.utf8), source: "odd.html"))
        #expect(c.body.text == "1 June 2026\n\nHello there")
    }

    @Test func plainTextFileIsReadAsText() throws {
        let c = try LetterParser().parse(RawItem(bytes: Array("12 March 2026\n\nDear PCC\n\nThe police never came.\n".utf8), source: "note.txt"))
        #expect(c.provenance.format == "letter_text")
        #expect(c.body.text == "12 March 2026\n\nDear PCC\n\nThe police never came.")
        #expect(c.date?.value == day(2026, 3, 12))
        #expect(c.recipients.first?.name == "PCC")
    }
}

@Suite struct XMLLetters {
    @Test func schemaLetter() throws {
        let c = try LetterParser().parse(try LetterPaths.item("schema-letter.xml"))
        #expect(c.provenance.format == "letter_xml")
        #expect(c.sender == Party(name: "Jack Imaginary", address: "jack.imaginary@example.com", phone: "01632 960321", postalAddress: "7 Nonexistent Row\nFabletown\nFT1 1AA"))
        #expect(c.date == DatedBy(value: try #require(day(2026, 10, 4)), source: .letter))
        #expect(c.recipients == [Party(name: "Complaints Officer", postalAddress: "Office of the Police and Crime Commissioner\nExample House\nSample Street")])
        #expect(c.subject == "Review of my complaint outcome")
        #expect(c.body.text == "I received the outcome of my complaint on 20 September 2026 and I am not satisfied with it.\n\nPlease review the decision.\nThe officer & his sergeant were never spoken to.\n\nJack Imaginary")
        #expect(c.defects.isEmpty)
    }

    @Test func referenceBecomesSubjectAndBadDate() throws {
        let c = try LetterParser().parse(try LetterPaths.item("schema-letter-ref-only.xml"))
        #expect(c.subject == "Ref: CAM/2026/555")
        #expect(c.sender?.postalAddress == "1 Dream Lane\nReverie\nRV1 2CD")
        #expect(c.date == nil)
        #expect(c.defects.contains("<date> cannot be read as a date"))
        #expect(c.body.text == "The PCSO helped me a lot. Thank you.")
        #expect(c.recipients.isEmpty)
    }

    @Test func encodings() throws {
        // Windows-1252 bytes with no declaration.
        let latin: [UInt8] = Array("<letter><body><p>caf".utf8) + [0xE9, 0x20, 0x93, 0x6F, 0x6B, 0x94] + Array("</p></body></letter>".utf8)
        let a = try LetterParser().parse(RawItem(bytes: latin, source: "a.xml"))
        #expect(a.body.text == "caf\u{E9} \u{201C}ok\u{201D}")
        #expect(a.defects.contains("XML bytes do not match the declared encoding (UTF-8 by default); read as Windows-1252"))
        // UTF-16 with a BOM and a declaration.
        var utf16: [UInt8] = [0xFF, 0xFE]
        for u in "<?xml version=\"1.0\" encoding=\"UTF-16\"?><letter><subject>Caf\u{E9}</subject><body><p>Hi</p></body></letter>".utf16 {
            utf16 += [UInt8(u & 0xFF), UInt8(u >> 8)]
        }
        let b = try LetterParser().parse(RawItem(bytes: utf16, source: "b.xml"))
        #expect(b.subject == "Caf\u{E9}")
        #expect(b.body.text == "Hi")
        // A namespace prefix does not matter.
        let c = try LetterParser().parse(RawItem(bytes: Array("<l:letter xmlns:l=\"urn:x\"><l:subject>S</l:subject><l:body><l:p>B</l:p></l:body></l:letter>".utf8), source: "c.xml"))
        #expect(c.provenance.format == "letter_xml")
        #expect(c.subject == "S")
    }

    @Test func otherXMLIsPlainText() throws {
        let c = try LetterParser().parse(try LetterPaths.item("other.xml"))
        #expect(c.provenance.format == "xml_other")
        #expect(c.body.text == "Lee Unreal\nThe custody suite was filthy.\nRaw & unescaped <text>")
        #expect(c.defects.contains("unknown root element <feedback>; read as plain text"))
        #expect(c.sender == nil)
    }

    /// Peak resident memory of the process so far, in kilobytes.
    static func peakKB() -> Int {
        #if os(Linux)
        var usage = rusage()
        _ = getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss
        #else
        return 0
        #endif
    }

    @Test func billionLaughsDoesNotExpand() throws {
        let peakBefore = Self.peakKB()
        var parsed: Correspondence? = nil
        let elapsed = try ContinuousClock().measure { parsed = try LetterParser().parse(try LetterPaths.item("billion-laughs.xml")) }
        let c = try #require(parsed)
        // Expanded, lol9 is 3 GB of text; the peak must not move by more than 100 MB.
        #expect(Self.peakKB() - peakBefore < 100_000)
        #expect(elapsed < HangWatchdog.limit)
        #expect(c.body.text.count < 100)
        #expect(!c.body.text.contains("lollol"))
        #expect(c.body.text.hasPrefix("Start"))
        #expect(c.sender?.name == "Mo Laughs")
    }

    @Test func billionLaughsManyReferencesStaysBounded() throws {
        // Ten thousand references to the top entity, in one document.
        let decl = (1...9).map { i in "<!ENTITY l\(i) \"" + String(repeating: "&l\(i - 1);", count: 10) + "\">" }.joined(separator: "\n")
        let doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY l0 \"lol\">\n\(decl)\n]>\n<x>" + String(repeating: "&l9;", count: 10_000) + "</x>"
        let start = Date()
        let parsed = try? LetterParser().parse(xmlItem(doc))
        #expect(Date().timeIntervalSince(start) < 5)
        #expect((parsed?.body.text.count ?? 0) < 1000)
    }

    @Test func externalEntityIsNotRead() throws {
        let c = try LetterParser().parse(try LetterPaths.item("xxe.xml"))
        #expect(!c.body.text.contains("root:"))
        #expect(!(c.subject ?? "").contains("root:"))
        #expect(c.body.text == "Before after")
        #expect(c.defects.contains { $0.hasPrefix("entity references not expanded: xxe") })

        // And with a file we made, holding a token that must never appear.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xxe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let secret = dir.appendingPathComponent("secret.txt")
        try "TOKEN-5f3a9c-must-not-leak".write(to: secret, atomically: true, encoding: .utf8)
        let dtd = dir.appendingPathComponent("evil.dtd")
        try "<!ENTITY leak SYSTEM \"file://\(secret.path)\">".write(to: dtd, atomically: true, encoding: .utf8)
        let variants = [
            "<?xml version=\"1.0\"?><!DOCTYPE letter [<!ENTITY x SYSTEM \"file://\(secret.path)\">]><letter><body><p>a &x; b</p></body></letter>",
            "<?xml version=\"1.0\"?><!DOCTYPE letter SYSTEM \"file://\(dtd.path)\"><letter><body><p>a &leak; b</p></body></letter>",
            "<?xml version=\"1.0\"?><!DOCTYPE letter [<!ENTITY % p SYSTEM \"file://\(dtd.path)\"> %p;]><letter><body><p>a &leak; b</p></body></letter>",
            "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY x SYSTEM \"file://\(secret.path)\">]><x>a &x; b</x>",
            "<?xml version=\"1.0\"?><letter xmlns:xi=\"http://www.w3.org/2001/XInclude\"><body><p><xi:include href=\"file://\(secret.path)\" parse=\"text\"/></p></body></letter>",
        ]
        for v in variants {
            let parsed = try LetterParser().parse(xmlItem(v))
            let all = try String(decoding: JSONEncoder().encode(parsed), as: UTF8.self)
            #expect(!all.contains("TOKEN-5f3a9c"), "leaked: \(v)")
        }
    }

    @Test func malformedXMLIsBestEffort() throws {
        let c = try LetterParser().parse(try LetterPaths.item("malformed.xml"))
        #expect(c.provenance.format == "letter_xml")
        #expect(c.defects.contains("XML is not well-formed; read in recovery mode, some text may be missing"))
        #expect(c.sender?.name == "Olive Broken")
        #expect(c.body.text.contains("The officer shouted at me"))
    }

    @Test func garbageEmptyAndUnreadable() throws {
        let parser = LetterParser()
        let e1 = #expect(throws: IngestError.self) { try parser.parse(try LetterPaths.item("garbage.xml")) }
        #expect(e1?.item == "Tests/Fixtures/letters/garbage.xml")
        #expect(e1?.problem.contains("binary") == true)
        let e2 = #expect(throws: IngestError.self) { try parser.parse(try LetterPaths.item("empty.html")) }
        #expect(e2?.problem == "empty file")
        let e3 = #expect(throws: IngestError.self) { try parser.parse(xmlItem("not xml at all, just words", source: "x.xml")) }
        #expect(e3?.problem.hasPrefix("XML cannot be read") == true)
        let e4 = #expect(throws: IngestError.self) { try parser.parse(RawItem(bytes: Array("<html><body>   </body></html>".utf8), source: "blank.html")) }
        #expect(e4?.problem == "no readable text in the HTML")
    }

    @Test func formatDecision() {
        #expect(LetterParser.kind(of: RawItem(bytes: Array("<letter/>".utf8), source: "a.html")) == .html)
        #expect(LetterParser.kind(of: RawItem(bytes: Array("<html/>".utf8), source: "a", formatHint: "letter_xml")) == .xml)
        #expect(LetterParser.kind(of: RawItem(bytes: Array("  <?xml version=\"1.0\"?><letter/>".utf8), source: "a")) == .xml)
        #expect(LetterParser.kind(of: RawItem(bytes: Array("<!DOCTYPE html><html></html>".utf8), source: "a")) == .html)
        #expect(LetterParser.kind(of: RawItem(bytes: Array("<p>Dear PCC</p>".utf8), source: "a")) == .html)
        #expect(LetterParser.kind(of: RawItem(bytes: Array("<letter><body/></letter>".utf8), source: "a")) == .xml)
        #expect(LetterParser.kind(of: RawItem(bytes: Array("Dear PCC,\nthanks".utf8), source: "a")) == .text)
        #expect(LetterParser.kind(of: RawItem(bytes: Array("Dear PCC,<br>thanks".utf8), source: "a")) == .html)
    }

    @Test func xhtmlInAnXMLFileIsAnHTMLLetter() throws {
        let c = try LetterParser().parse(xmlItem("<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>1 May 2026</p><p>Dear PCC,</p><p>Thanks.</p></body></html>"))
        #expect(c.provenance.format == "letter_html")
        #expect(c.date?.value == day(2026, 5, 1))
    }

    @Test func parallelParsingIsSafe() async throws {
        let items = try ["complaint-letter.html", "schema-letter.xml", "other.xml", "billion-laughs.xml", "xxe.xml", "malformed.xml"].map { try LetterPaths.item($0) }
        let expected = try items.map { try LetterParser().parse($0) }
        let results = try await withThrowingTaskGroup(of: (Int, Correspondence).self) { group in
            for round in 0..<60 {
                let index = round % items.count
                let item = items[index]
                group.addTask { (index, try LetterParser().parse(item)) }
            }
            var out: [(Int, Correspondence)] = []
            for try await r in group { out.append(r) }
            return out
        }
        #expect(results.count == 60)
        for (index, c) in results { #expect(c == expected[index]) }
    }

    @Test func fuzzNeverCrashes() throws {
        let seeds = try ["complaint-letter.html", "schema-letter.xml", "other.xml", "xxe.xml", "billion-laughs.xml", "uk-date-letter.htm", "malformed.xml"].map { try LetterPaths.item($0) }
        var x: UInt64 = 7
        func next() -> Int { x = x &* 6364136223846793005 &+ 1442695040888963407; return Int(x >> 33) }
        var parsed = 0, refused = 0
        for round in 0..<1000 {
            var item = seeds[round % seeds.count]
            if round % 5 == 0 { item.bytes = Array(item.bytes.prefix(next() % item.bytes.count)) }
            for _ in 0..<(1 + next() % 8) where !item.bytes.isEmpty {
                let pos = next() % item.bytes.count
                switch next() % 4 {
                case 0: item.bytes[pos] = UInt8(truncatingIfNeeded: next())
                case 1: item.bytes.insert(UInt8(truncatingIfNeeded: next()), at: pos)
                case 2: if item.bytes.count > 10 { item.bytes.remove(at: pos) }
                default: item.bytes[pos] = Array("<>&;/!\"'\n".utf8)[next() % 9]
                }
            }
            do { _ = try LetterParser().parse(item); parsed += 1 } catch is IngestError { refused += 1 }
        }
        #expect(parsed + refused == 1000)
        #expect(parsed > 300)
    }
}
