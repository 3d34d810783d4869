import FormParsing
import Foundation
import LetterParsing
import MailParsing
import MailText
import Testing
import TriageCore

/// Every parser reads text through MailText's one charset decoder, so the same
/// bytes under the same charset label read as the same text in an email, a
/// web form post and a letter.
@Suite struct SameTextTests {
    /// Bytes in a charset, and what they say.
    struct Case: CustomStringConvertible {
        var label: String?
        var bytes: [UInt8]
        var description: String { "\(label ?? "undeclared") \(bytes.prefix(8).map { String($0, radix: 16) })" }
    }

    static let cases: [Case] = [
        // Every byte of Windows-1252's C1 range, the five undefined ones included.
        Case(label: "windows-1252", bytes: Array(0x80...0x9F)),
        Case(label: "cp1252", bytes: Array("Caf".utf8) + [0xE9, 0x20, 0x93, 0x71, 0x94, 0x20, 0x96, 0x20, 0x80, 0x35]),
        // (0xA0, no-break space, is left out: HTML collapses it with the space before it.)
        Case(label: "iso-8859-1", bytes: Array(0xA1...0xFF)),
        Case(label: "iso-8859-15", bytes: [0xA4, 0x20, 0xA6, 0xA8, 0xB4, 0xB8, 0xBC, 0xBD, 0xBE]),
        Case(label: "koi8-r", bytes: [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4]),
        Case(label: "Shift_JIS", bytes: [0x93, 0xFA, 0x96, 0x7B]),
        Case(label: "gb2312", bytes: [0xD6, 0xD0, 0xCE, 0xC4]),
        Case(label: "utf-8", bytes: Array("Grüße, “quoted” — ok".utf8)),
        // Not labelled and not UTF-8: Windows-1252 everywhere.
        Case(label: nil, bytes: Array("Caf".utf8) + [0xE9, 0x20, 0x92, 0x81, 0x9D]),
    ]

    /// What the shared decoder makes of a case (the text every path must show).
    static func expected(_ c: Case) -> String {
        c.label.map { CharsetDecoder.decode(c.bytes, charset: $0) } ?? CharsetDecoder.decodeUndeclared(c.bytes)
    }

    static let prefix = Array("Opening words ".utf8)
    static let suffix = Array(" closing words".utf8)

    static func mail(_ c: Case) throws -> String {
        var head = "From: Ann Writer <ann@example.com>\r\nTo: office@example.org\r\nSubject: test\r\n"
        head += "Date: Tue, 06 Oct 2026 08:49:37 +0100\r\nMIME-Version: 1.0\r\n"
        head += "Content-Type: text/plain" + (c.label.map { "; charset=\"\($0)\"" } ?? "") + "\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        let bytes = Array(head.utf8) + prefix + c.bytes + suffix + Array("\r\n".utf8)
        return try EmailParser().parse(RawItem(bytes: bytes, source: "same.eml")).body.text
    }

    static func form(_ c: Case) throws -> String {
        let encoded = (prefix + c.bytes + suffix).map { String(format: "%%%02X", $0) }.joined()
        let charset = c.label.map { "_charset_=\($0)&" } ?? ""
        let parser = FormPostParser(mappings: try FormMapping.loadAll(from: repo.appendingPathComponent("Rules/forms")))
        return try parser.parse(RawItem(bytes: Array("\(charset)message=\(encoded)".utf8), source: "same.form")).body.text
    }

    static func letter(_ c: Case) throws -> String {
        if let label = c.label {
            let page = Array("<html><head><meta charset=\"\(label)\"><title>Letter</title></head><body><p>".utf8)
                + prefix + c.bytes + suffix + Array("</p></body></html>".utf8)
            return try LetterParser().parse(RawItem(bytes: page, source: "same.html")).body.text
        }
        return try LetterParser().parse(RawItem(bytes: prefix + c.bytes + suffix + [0x0A], source: "same.txt")).body.text
    }

    /// An XML letter in the documented schema, its charset in the XML declaration
    /// (an undeclared one is UTF-8 by XML's rule, else read as Windows-1252).
    static func xmlLetter(_ c: Case) throws -> String {
        let declaration = c.label.map { "<?xml version=\"1.0\" encoding=\"\($0)\"?>" } ?? "<?xml version=\"1.0\"?>"
        let xml = Array("\(declaration)\n<letter><sender><name>Ann Writer</name></sender><date>2026-10-06</date><body><p>".utf8)
            + prefix + c.bytes + suffix + Array("</p></body></letter>\n".utf8)
        return try LetterParser().parse(RawItem(bytes: xml, source: "same.xml")).body.text
    }

    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: cases)
    func sameBytesSameText(_ c: Case) throws {
        let want = "Opening words " + Self.expected(c) + " closing words"
        #expect(!Self.expected(c).isEmpty)
        let mail = try Self.mail(c), form = try Self.form(c), letter = try Self.letter(c)
        #expect(mail.trimmingCharacters(in: .whitespacesAndNewlines) == want, "mail")
        #expect(form.trimmingCharacters(in: .whitespacesAndNewlines) == want, "form")
        #expect(letter.contains(want), "letter: \(letter)")
        let xml = try Self.xmlLetter(c)
        #expect(xml.contains(want), "xml letter: \(xml)")
    }

    /// An XML letter's charset is read by the one decoder, not by libxml2's
    /// own tables: the bytes libxml2 reads differently (Windows-1252's five
    /// undefined bytes, which its iconv refuses) read as in a mail body.
    @Test func xmlLettersDeclaredInOtherCharsetsReadAsMailDoes() throws {
        for label in ["windows-1252", "WINDOWS-1252", "cp1252", "iso-8859-1", "ISO-8859-1", "latin1"] {
            // Windows-1252's C1 range (the five undefined bytes included) and the Latin-1 letters.
            let c = Case(label: label, bytes: (label.lowercased().contains("1252") ? Array(0x80...0x9F) : []) + Array(0xA1...0xFF))
            let want = "Opening words " + Self.expected(c) + " closing words"
            #expect(try Self.xmlLetter(c).contains(want), "\(label)")
            #expect(try Self.mail(c).trimmingCharacters(in: .whitespacesAndNewlines) == want, "\(label)")
        }
        // Bytes that are not what the declaration says: read as Windows-1252, with the defect named.
        let mislabelled = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?><letter><body><p>Caf".utf8) + [0xE9] + Array(" ok</p></body></letter>".utf8)
        let item = try LetterParser().parse(RawItem(bytes: mislabelled, source: "bad.xml"))
        #expect(item.body.text.contains("Café"))
        #expect(item.defects.contains { $0.contains("read as Windows-1252") })
        // UTF-16 with a byte-order mark, as Windows Notepad saves it.
        let utf16: [UInt8] = [0xFF, 0xFE] + "<?xml version=\"1.0\" encoding=\"UTF-16\"?><letter><body><p>Grüße “ok”</p></body></letter>".utf16.flatMap { (u: UInt16) -> [UInt8] in [UInt8(u & 0xFF), UInt8(u >> 8)] }
        #expect(try LetterParser().parse(RawItem(bytes: utf16, source: "utf16.xml")).body.text.contains("Grüße “ok”"))
    }

    @Test func windows1252HasOneTable() {
        // The five bytes Windows-1252 leaves undefined read as U+FFFD; the rest as Microsoft's table.
        let text = CharsetDecoder.decode([0x80, 0x81, 0x8D, 0x8F, 0x90, 0x9D, 0x9F], charset: "windows-1252")
        #expect(Array(text.unicodeScalars.map(\.value)) == [0x20AC, 0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD, 0x0178])
        #expect(CharsetDecoder.decodeUndeclared([0x93, 0x68, 0x69, 0x94]) == "“hi”")
    }

    @Test func notedDecodingSaysWhatItDid() {
        #expect(CharsetDecoder.decodeNoting(Array("plain".utf8), charset: nil) == .init(text: "plain", problem: nil))
        let bad = CharsetDecoder.decodeNoting([0x43, 0x61, 0x66, 0xE9], charset: "utf-8")
        #expect(bad.text == "Café")
        #expect(bad.problem == "bytes are not valid utf-8; read as Windows-1252")
        let unknown = CharsetDecoder.decodeNoting(Array("abc".utf8), charset: "x-no-such-charset")
        #expect(unknown.text == "abc")
        #expect(unknown.problem == "unknown charset x-no-such-charset; read as UTF-8")
    }

    @Test func percentDecoding() {
        let r = TransferDecoding.percent(Array("a%41+b%zz%4".utf8), plusAsSpace: true)
        #expect(String(decoding: r.bytes, as: UTF8.self) == "aA b%zz%4")
        #expect(r.badEscapes == 2)
        #expect(TransferDecoding.percent(Array("a+b".utf8)).bytes == Array("a+b".utf8))
    }

    @Test func dates() {
        let utc = TimeZone(secondsFromGMT: 0)!
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = utc
        let oct3 = cal.date(from: DateComponents(year: 2026, month: 10, day: 3))
        #expect(MailDates.ukDateLine("03/10/2026") == oct3)
        #expect(MailDates.ukDateLine("Saturday, 3rd October 2026") == oct3)
        #expect(MailDates.isoDay("2026-10-03") == oct3)
        #expect(MailDates.submitted("03/10/2026") == oct3)
        #expect(MailDates.http("Sat, 03 Oct 2026 00:00:00 GMT") == oct3)
        #expect(MailDates.rfc5322("Sat, 03 Oct 2026 00:00:00 +0000")?.date == oct3)
        #expect(MailDates.ukDateLine("31/02/2026") == nil)
    }
}
