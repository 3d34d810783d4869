import Foundation
import MailText
import Testing
@testable import MailParsing
import TriageCore

@Suite("Encoded words, parameters, addresses, dates")
struct HeaderTests {
    func decode(_ s: String) -> (String, [String]) {
        var d: [String] = []
        let r = HeaderDecoding.decodeEncodedWords(s, defects: &d)
        return (r, d)
    }

    @Test func encodedWordsBAndQ() {
        #expect(decode("=?UTF-8?B?w6lsw6h2ZQ==?=").0 == "élève")
        #expect(decode("=?iso-8859-1?q?caf=E9_cr=E8me?=").0 == "café crème")
        // Whitespace between adjacent encoded words is dropped, kept next to plain text.
        #expect(decode("Re: =?utf-8?q?caf=C3=A9?= =?utf-8?q?_au_lait?= now").0 == "Re: café au lait now")
        // Different charsets, adjacent.
        #expect(decode("=?iso-8859-1?q?caf=E9?=   =?koi8-r?b?8NLJ18XU?=").0 == "caféПривет")
        // A multi-byte character split across two words.
        #expect(decode("=?utf-8?q?ome=C5?= =?utf-8?q?=BEje?=").0 == "omežje")
        // Lowercase encoding letter, language suffix (RFC 2231 section 5).
        #expect(decode("=?utf-8*en?b?aGVsbG8=?=").0 == "hello")
        // Not encoded words: left alone.
        #expect(decode("=?utf-8?x?abc?= and =?broken").0 == "=?utf-8?x?abc?= and =?broken")
    }

    @Test func encodedWordInUnknownCharsetIsReadAsUndeclared() {
        let (text, defects) = decode("=?x-no-such-charset?q?caf=C3=A9?=")
        #expect(text == "café")
        #expect(defects.contains { $0.contains("unknown charset") })
    }

    @Test func rfc2231Parameters() {
        var d: [String] = []
        let v = HeaderDecoding.parameterized("attachment; filename*0*=utf-8''%E2%82%AC%20rates; filename*1=\".pdf\"", defects: &d)
        #expect(v.value == "attachment")
        #expect(v["filename"] == "€ rates.pdf")
        let w = HeaderDecoding.parameterized("attachment; FILENAME*=iso-8859-1'en'caf%E9.txt", defects: &d)
        #expect(w["filename"] == "café.txt")
        let x = HeaderDecoding.parameterized("Text/Plain ; charset = \"UTF-8\" (comment); format=flowed", defects: &d)
        #expect(x.value == "text/plain")
        #expect(x["charset"] == "UTF-8")
        #expect(x["format"] == "flowed")
        // Encoded words in a parameter, leniently.
        let y = HeaderDecoding.parameterized("attachment; filename=\"=?utf-8?b?w6lsw6h2ZQ==?=.doc\"", defects: &d)
        #expect(y["filename"] == "élève.doc")
    }

    @Test func addressLists() {
        var d: [String] = []
        let list = AddressParsing.parseList(
            "Undisclosed: a.person@example.org, \"Doe, Jane\" <jane@example.org>; =?utf-8?q?Ren=C3=A9e_Fictional?= <renee@example.net>, bob@example.com (Bob Example), <@route.example:carol@example.org>",
            defects: &d)
        #expect(list.map(\.address) == ["a.person@example.org", "jane@example.org", "renee@example.net", "bob@example.com", "carol@example.org"])
        #expect(list[1].name == "Doe, Jane")
        #expect(list[2].name == "Renée Fictional")
        #expect(list[3].name == "Bob Example")
        #expect(list[3].nameFromComment)
        #expect(list[0].name == nil)
    }

    @Test func dates() throws {
        func iso(_ s: String) -> String? {
            MailDates.rfc5322(s).map { DifferentialTests.isoUTC($0.date) }
        }
        #expect(iso("Tue, 1 Jul 2003 10:52:37 +0200") == "2003-07-01T08:52:37Z")
        #expect(iso("1 Jul 2003 10:52 EST") == "2003-07-01T15:52:00Z")
        #expect(iso("Thu, 13 Feb 69 23:32:54 -0330") == "1969-02-14T03:02:54Z")
        #expect(iso("Fri, 21 Nov 97 09:55:06 GMT") == "1997-11-21T09:55:06Z")
        #expect(iso("not a date at all") == nil)
        #expect(iso("Mon, 31 Feb 2026 10:00:00 +0000") == nil)
        let noZone = try #require(MailDates.rfc5322("Fri, 7 Dec 2001 07:01:03"))
        #expect(noZone.zoneKnown == false)
    }
}

@Suite("Charsets")
struct CharsetTests {
    @Test func manyCharsets() {
        #expect(CharsetDecoder.decode([0x1B, 0x24, 0x42, 0x24, 0x33, 0x24, 0x73, 0x24, 0x4B, 0x24, 0x41, 0x24, 0x4F, 0x1B, 0x28, 0x42], charset: "ISO-2022-JP") == "こんにちは")
        #expect(CharsetDecoder.decode([0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4], charset: "koi8-r") == "Привет")
        #expect(CharsetDecoder.decode([0xFF, 0xFE, 0x47, 0x00, 0x72, 0x00, 0xFC, 0x00, 0xDF, 0x00, 0x65, 0x00], charset: "utf-16") == "Grüße")
        #expect(CharsetDecoder.decode([0x00, 0x47, 0x00, 0x72, 0x00, 0xFC, 0x00, 0xDF, 0x00, 0x65], charset: "UTF-16") == "Grüße")
        #expect(CharsetDecoder.decode([0x47, 0x00, 0x72, 0x00, 0xFC, 0x00, 0xDF, 0x00, 0x65, 0x00], charset: "utf-16le") == "Grüße")
        #expect(CharsetDecoder.decode([0x93, 0xFA, 0x96, 0x7B], charset: "Shift_JIS") == "日本")
        #expect(CharsetDecoder.decode([0xD6, 0xD0, 0xCE, 0xC4], charset: "gb2312") == "中文")
        #expect(CharsetDecoder.decode([0xA4, 0xA4, 0xA4, 0xE5], charset: "big5") == "中文")
        #expect(CharsetDecoder.decode([0xC7, 0xD1, 0xB1, 0xB9], charset: "euc-kr") == "한국")
        #expect(CharsetDecoder.decode([0x80, 0x20, 0x93, 0x71, 0x94], charset: "cp1252") == "€ “q”")
        #expect(CharsetDecoder.decode([0x63, 0x61, 0x66, 0xE9], charset: "latin1") == "café")
        #expect(CharsetDecoder.decode([0xA4], charset: "ISO-8859-15") == "€")
        #expect(CharsetDecoder.decode([0xE8], charset: "windows-1250") == "č")
    }

    @Test func aliasesAndUnknowns() {
        #expect(CharsetDecoder.resolve("utf8") == .utf8)
        #expect(CharsetDecoder.resolve("\"Latin-1\"") == .latin1)
        #expect(CharsetDecoder.resolve("unicode-1-1-utf-7") == nil)
        #expect(CharsetDecoder.resolve("x-no-such-charset") == nil)
        #expect(CharsetDecoder.resolve("UTF-8//TRANSLIT") == nil)
        // Undeclared: UTF-8 if valid, else Windows-1252.
        #expect(CharsetDecoder.decode(Array("café".utf8), charset: nil) == "café")
        #expect(CharsetDecoder.decode([0x63, 0x61, 0x66, 0xE9], charset: nil) == "café")
        #expect(CharsetDecoder.decode([0x63, 0x61, 0x66, 0xE9], charset: "x-no-such-charset") == "café")
    }

    @Test func invalidSequencesBecomeReplacementCharacters() {
        // A lone lead byte in Shift_JIS, then ASCII: replaced, decoding continues.
        let s = CharsetDecoder.decode([0x41, 0x81, 0x42, 0x43], charset: "shift_jis")
        #expect(s.hasPrefix("A"))
        #expect(s.hasSuffix("C"))
        // Truncated multi-byte sequence at the end.
        let t = CharsetDecoder.decode([0x41, 0x93], charset: "shift_jis")
        #expect(t == "A\u{FFFD}")
        // Odd-length UTF-16.
        #expect(CharsetDecoder.decode([0xFF, 0xFE, 0x41, 0x00, 0x42], charset: "utf-16") == "A\u{FFFD}")
    }
}

@Suite("Transfer encodings")
struct TransferTests {
    @Test func quotedPrintable() {
        let r = TransferDecoding.quotedPrintable(Array("caf=c3=a9 =\nline=\r\n two =ZZ end=3D=".utf8))
        #expect(String(decoding: r.bytes, as: UTF8.self) == "café line two =ZZ end=")
        #expect(r.badEscape)
        let ok = TransferDecoding.quotedPrintable(Array("a=3Db".utf8))
        #expect(String(decoding: ok.bytes, as: UTF8.self) == "a=b")
        #expect(!ok.badEscape)
    }

    @Test func base64Lenient() {
        let a = TransferDecoding.base64(Array("aGVsbG8gd29y\r\nbGQ".utf8))
        #expect(String(decoding: a.bytes, as: UTF8.self) == "hello world")
        #expect(a.problem != nil)
        let b = TransferDecoding.base64(Array("aGVs*bG8=".utf8))
        #expect(String(decoding: b.bytes, as: UTF8.self) == "hello")
        #expect(b.problem?.contains("outside the alphabet") == true)
        let c = TransferDecoding.base64(Array("aGVsbG8=\nZZZZ".utf8))
        #expect(String(decoding: c.bytes, as: UTF8.self) == "hello")
        let d = TransferDecoding.base64(Array("QQ".utf8))
        #expect(d.bytes == [0x41])
    }

    @Test func uudecode() throws {
        let text = "begin 644 note.txt\n%:&5L;&\\`\n`\nend\n"
        let r = try #require(TransferDecoding.uudecode(Array(text.utf8)))
        #expect(r.filename == "note.txt")
        #expect(String(decoding: r.bytes, as: UTF8.self) == "hello")
    }
}
