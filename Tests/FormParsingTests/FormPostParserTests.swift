import Foundation
import Testing
@testable import FormParsing
import TriageCore

@Suite struct MappingFiles {
    @Test func shippedMappingsLoad() throws {
        let mappings = try FormMapping.loadAll(from: Paths.mappings)
        #expect(mappings.map(\.id) == ["cambridgeshire-opcc-contact", "generic-fallback", "northamptonshire-opcc-form"])
        let cambs = try #require(mappings.first { $0.id == "cambridgeshire-opcc-contact" })
        #expect(cambs.roleFields["free_text"] == ["details"])
        #expect(cambs.fieldValues == ["form_id": "opcc-complaint"])
        #expect(mappings.filter(\.fallback).map(\.id) == ["generic-fallback"])
        for m in mappings {
            #expect(Set(m.roleFields.keys).isSubset(of: Set(FormMapping.roles)))
        }
    }

    @Test func unknownRoleNamesTheFile() throws {
        let dir = Paths.fixtures.appendingPathComponent("mappings-unknown-role")
        let error = #expect(throws: FormMappingError.self) { try FormMapping.loadAll(from: dir) }
        #expect(error?.file.hasSuffix("wrong-role.yaml") == true)
        #expect(error?.problem.contains("shoe_size") == true)
    }

    @Test func brokenYAMLNamesTheFile() throws {
        let dir = Paths.fixtures.appendingPathComponent("mappings-bad-yaml")
        let error = #expect(throws: FormMappingError.self) { try FormMapping.loadAll(from: dir) }
        #expect(error?.file.hasSuffix("broken.yaml") == true)
    }

    @Test func missingFolderAndMissingRecognition() throws {
        #expect(throws: FormMappingError.self) { try FormMapping.loadAll(from: Paths.fixtures.appendingPathComponent("no-such-folder")) }
        let error = #expect(throws: FormMappingError.self) {
            try FormMapping.load(yaml: "id: x\ndescription: d\nroles:\n  name: [n]\n", file: "x.yaml")
        }
        #expect(error?.description.hasPrefix("x.yaml: mapping x: `recognise`") == true)
        #expect(throws: FormMappingError.self) {
            try FormMapping.load(yaml: "id: x\ndescription: d\nrecognise:\n  path: '(['\nroles:\n  name: [n]\n", file: "x.yaml")
        }
        let typo = #expect(throws: FormMappingError.self) {
            try FormMapping.load(yaml: "id: x\ndescription: d\nrecognize:\n  path: '^/x'\nroles:\n  name: [n]\n", file: "typo.yaml")
        }
        // Read strictly, as every file under Rules/ is: the line, the key and the nearest valid key.
        #expect(typo?.file == "typo.yaml")
        #expect(typo?.problem == "line 3: unknown key 'recognize' at the top (did you mean 'recognise'?)")
        let typo2 = #expect(throws: FormMappingError.self) {
            try FormMapping.load(yaml: "id: x\ndescription: d\nrecognise:\n  paths: '^/x'\nroles:\n  name: [n]\n", file: "typo.yaml")
        }
        #expect(typo2?.problem == "line 4: unknown key 'paths' at recognise (did you mean 'path'?)")
        // Keys that are data (field names, roles) are free; a key nowhere near a valid one lists them.
        let mapping = try FormMapping.load(yaml: "id: x\ndescription: d\nrecognise:\n  values: {any_field: yes}\nroles:\n  name: [n]\n", file: "ok.yaml")
        #expect(mapping.fieldValues == ["any_field": "yes"])
        let stray = #expect(throws: FormMappingError.self) {
            try FormMapping.load(yaml: "id: x\ndescription: d\nfallback: true\nroles:\n  name: [n]\ncolour: blue\n", file: "stray.yaml")
        }
        #expect(stray?.problem.hasPrefix("line 6: unknown key 'colour' at the top (valid keys: description, fallback, id, priority, recognise, roles, title)") == true)
    }
}

@Suite struct CambridgeshireForm {
    @Test func urlencodedRawRequest() throws {
        let c = try Paths.parser().parse(try Paths.item("cambs-complaint.http"))
        #expect(c.channel == .webForm)
        #expect(c.provenance.format == "form_urlencoded")
        #expect(c.provenance.size == 580)
        #expect(c.provenance.sha256.count == 64)
        #expect(c.header(":form-mapping") == "cambridgeshire-opcc-contact")
        #expect(c.header(":path") == "/contact/complaint")
        #expect(c.header("cookie") == nil)
        #expect(c.header("host") == "opcc.example.org")
        #expect(c.sender == Party(name: "Ada Examplewood", address: "ada.examplewood@example.org", phone: "01632 960123", postalAddress: "1 Nowhere Lane\nFictionton\nZZ1 1ZZ"))
        #expect(c.field("complaint_about")?.role == "about")
        #expect(c.field("complaint_about")?.value == "The Chief Constable")
        #expect(c.field("incident_date")?.role == "incident_date")
        #expect(c.field("form_id")?.role == "form_kind")
        #expect(c.field("details")?.role == "free_text")
        // submitted_at wins over the Date header: 14:22 at +01:00 is 13:22Z.
        #expect(c.date == DatedBy(value: try #require(iso("2026-10-03T13:22:00Z")), source: .form))
        #expect(c.subject == "OPCC online complaint form")
        #expect(c.body.text == "At the public meeting on 1 October the Chief Constable was rude to me & others.\nThis is not good enough.")
        #expect(c.body.segments.first?.kind == .newText)
        #expect(c.defects.isEmpty)
    }

    @Test func bareBodyRecognisedByHiddenField() throws {
        let c = try Paths.parser().parse(try Paths.item("cambs-anonymous.form"))
        #expect(c.provenance.format == "form_urlencoded")
        #expect(c.header(":form-mapping") == "cambridgeshire-opcc-contact")
        #expect(c.field("remain_anonymous")?.role == "anonymous")
        #expect(c.field("remain_anonymous")?.value == "yes")
        #expect(c.sender == nil)
        #expect(c.date == nil)
        // Repeated fields are all kept, in order.
        #expect(c.formFields.filter { $0.name == "tags" }.map(\.value) == ["urgent", "follow-up"])
        #expect(c.body.text == "Nobody came when I called about the burglary.")
        #expect(c.field("complaint_about")?.value == "A police officer or member of police staff")
    }

    @Test func multipartWithFiles() throws {
        let c = try Paths.parser().parse(try Paths.item("cambs-multipart.http"))
        #expect(c.provenance.format == "form_multipart")
        #expect(c.header(":form-mapping") == "cambridgeshire-opcc-contact")
        #expect(c.sender?.name == "Bea Fictional")
        #expect(c.sender?.address == "bea@example.net")
        #expect(c.body.text == "The OPCC caseworker never replied to my letters.\nPhotos attached.")
        #expect(c.attachments.count == 2)
        let pdf = try #require(c.attachments.first)
        // filename* (RFC 2231, UTF-8) wins over the plain filename.
        #expect(pdf.filename == "lettre-reçu €.pdf")
        #expect(pdf.contentType == "application/pdf")
        #expect(pdf.size == 42)
        #expect(pdf.sha256 == "9f9a34f1a87135063f445aac5ebab537e712ba522cf5e37f5b36b89b3157604e")
        // A raw UTF-8 filename is read as UTF-8.
        #expect(c.attachments.last?.filename == "café.jpg")
        #expect(c.attachments.last?.contentType == "image/jpeg")
        #expect(c.attachments.last?.size == 12)
        #expect(c.field("evidence")?.value == "lettre-reçu €.pdf")
        // The empty file input is not an attachment.
        #expect(c.field("empty_upload") == nil)
        #expect(c.defects.isEmpty)
    }

    @Test func latin1CharsetAndBadPercentEscape() throws {
        let c = try Paths.parser().parse(try Paths.item("latin1.http"))
        #expect(c.sender?.name == "Renée Exemple")
        #expect(c.body.text == "Café incident 100% true")
        #expect(c.defects.contains("1 invalid percent escape(s) kept as written"))
    }
}

@Suite struct NorthamptonshireForm {
    @Test func chunkedJSONRequest() throws {
        let c = try Paths.parser().parse(try Paths.item("northants-chunked.http"))
        #expect(c.provenance.format == "form_json")
        #expect(c.header(":form-mapping") == "northamptonshire-opcc-form")
        #expect(c.sender == Party(name: "Cal Madeup", address: "cal.madeup@example.com", phone: "01632 960456", postalAddress: "2 Imaginary Road, Notown"))
        #expect(c.field("contact.name")?.role == "name")
        #expect(c.field("anonymous")?.value == "false")
        #expect(c.field("anonymous")?.role == "anonymous")
        #expect(c.field("regarding")?.role == "about")
        #expect(c.field("dateOfIncident")?.role == "incident_date")
        #expect(c.field("formType")?.value == "complaint")
        #expect(c.field("consents")?.value == "contact, data")
        #expect(c.field("meta.version")?.value == "2")
        #expect(c.date == DatedBy(value: try #require(iso("2026-10-05T09:15:00Z")), source: .form))
        #expect(c.body.text == "I want to complain about the PCC. He ignored my emails for three months.")
        #expect(c.subject == "Northamptonshire OPCC online form")
        #expect(c.defects.isEmpty)
    }

    @Test func bareJSONRecognisedByFields() throws {
        let c = try Paths.parser().parse(try Paths.item("northants-enquiry.json"))
        #expect(c.header(":form-mapping") == "northamptonshire-opcc-form")
        #expect(c.field("anonymous")?.value == "true")
        #expect(c.sender?.name == "Dee Notreal")
        #expect(c.body.text == "How do I ask for a copy of my data?")
    }
}

@Suite struct GenericAndEdges {
    @Test func genericJSONNestedAndArrays() throws {
        let c = try Paths.parser().parse(try Paths.item("generic.json"))
        #expect(c.header(":form-mapping") == "generic-fallback")
        #expect(c.sender?.name == "Eve Inventa")
        #expect(c.sender?.address == "eve@example.net")
        #expect(c.body.text == "The PCSO was kind, but the housing officer was rude.")
        #expect(c.formFields.map(\.name) == ["Your Name", "E-mail", "comments", "items.0.k", "items.1.k", "tags", "n", "nothing"])
        #expect(c.field("items.1.k")?.value == "b")
        #expect(c.field("tags")?.value == "x, y")
        #expect(c.field("n")?.value == "3.5")
        #expect(c.field("nothing")?.value == "")
        #expect(c.subject == "Web form submission")
    }

    @Test func badJSONIsAnIngestError() throws {
        let item = try Paths.item("bad.json")
        let error = #expect(throws: IngestError.self) { try Paths.parser().parse(item) }
        #expect(error?.item == "Tests/Fixtures/forms/bad.json")
        #expect(error?.problem.hasPrefix("invalid JSON at byte") == true)
    }

    @Test func jsonThatIsNotAnObject() throws {
        let error = #expect(throws: IngestError.self) { try Paths.parser().parse(raw("[1, 2, 3]", source: "a.json")) }
        #expect(error?.problem == "JSON body is not an object")
        // Deep nesting is refused, not a stack overflow.
        let deep = String(repeating: "{\"a\":", count: 5000) + "1" + String(repeating: "}", count: 5000)
        let e2 = #expect(throws: IngestError.self) { try Paths.parser().parse(raw(deep, source: "deep.json")) }
        #expect(e2?.problem.contains("nesting deeper") == true)
    }

    @Test func jsonEscapes() throws {
        let c = try Paths.parser().parse(raw(#"{"message":"caf\u00e9 \"quoted\"\n\ud83d\ude00 line","name":"Gil"}"#, source: "e.json"))
        #expect(c.body.text == "café \"quoted\"\n😀 line")
    }

    @Test func missingContentTypeIsSniffed() throws {
        let c = try Paths.parser().parse(try Paths.item("no-content-type.http"))
        #expect(c.provenance.format == "form_urlencoded")
        #expect(c.defects.contains("no Content-Type; body read as form_urlencoded"))
        #expect(c.sender?.address == "finn@example.org")
        #expect(c.body.text == "Please call me back.")
        #expect(c.header(":form-mapping") == "generic-fallback")
    }

    @Test func multipartWithoutBoundary() throws {
        let item = try Paths.item("multipart-no-boundary.http")
        let error = #expect(throws: IngestError.self) { try Paths.parser().parse(item) }
        #expect(error?.problem == "multipart/form-data without a boundary parameter")
        #expect(error?.item == item.label)
    }

    @Test func multipartWithLFLineEndsAndNoClosingBoundary() throws {
        let body = "--XyZ\nContent-Disposition: form-data; name=\"message\"\n\nHello there\n--XyZ\nContent-Disposition: form-data; name=\"name\"\n\nHal Madeup\n"
        let c = try Paths.parser().parse(raw(body, source: "lf.multipart"))
        #expect(c.provenance.format == "form_multipart")
        #expect(c.body.text == "Hello there")
        #expect(c.sender?.name == "Hal Madeup")
        #expect(c.defects.contains("multipart body uses bare LF line ends; read as CRLF"))
        #expect(c.defects.contains("multipart body ends without its closing boundary; last part kept"))
    }

    @Test func multipartGarbageIsAnError() throws {
        let req = "POST /x HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=abc\r\n\r\nno parts here at all"
        let error = #expect(throws: IngestError.self) { try Paths.parser().parse(raw(req)) }
        #expect(error?.problem.contains("no part") == true)
    }

    @Test func contentLengthShorterAndLonger() throws {
        let longer = "POST /x HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 12\r\n\r\nmessage=Hi&name=Ignored"
        let c = try Paths.parser().parse(raw(longer))
        #expect(c.formFields.map(\.name) == ["message", "n"])
        #expect(c.field("n")?.value == "")
        #expect(c.defects.contains { $0.contains("after Content-Length ignored") })
        let shorter = "POST /x HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 99\r\n\r\nmessage=Hi"
        let d = try Paths.parser().parse(raw(shorter))
        #expect(d.body.text == "Hi")
        #expect(d.defects.contains("body is 10 bytes, shorter than Content-Length 99"))
    }

    @Test func brokenChunkedBodyIsBestEffort() throws {
        let req = "POST /x HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nmessa\r\nzz\r\nmore"
        let c = try Paths.parser().parse(raw(req))
        #expect(c.field("messa")?.value == "")
        #expect(c.defects.contains("invalid chunk size line in chunked body"))
    }

    @Test func httpDateHeaderWhenNoSubmittedAt() throws {
        let req = "POST /x HTTP/1.1\r\nDate: Tue, 06 Oct 2026 08:49:37 GMT\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\n\r\nmessage=Hello+world%21"
        let c = try Paths.parser().parse(raw(req))
        #expect(c.date == DatedBy(value: try #require(iso("2026-10-06T08:49:37Z")), source: .header))
        #expect(c.body.text == "Hello world!")
    }

    @Test func ukSubmittedAtIsLondonTime() throws {
        let c = try Paths.parser().parse(raw("message=x&submitted_at=05%2F10%2F2026+09%3A30", source: "a.form"))
        // 5 October is in British Summer Time: 09:30 local is 08:30Z.
        #expect(c.date == DatedBy(value: try #require(iso("2026-10-05T08:30:00Z")), source: .form))
        let d = try Paths.parser().parse(raw("message=x&submitted_at=not+a+date", source: "a.form"))
        #expect(d.date == nil)
        #expect(d.defects.contains("submitted-at value is not a date I can read"))
    }

    @Test func severalFreeTextFieldsAreLabelled() throws {
        let c = try Paths.parser().parse(raw("message=First+part&comments=Second+part", source: "a.form"))
        #expect(c.body.text == "message:\nFirst part\n\ncomments:\nSecond part")
    }

    @Test func noFreeTextFieldListsTheRest() throws {
        let c = try Paths.parser().parse(raw("name=Ivy+Unreal&colour=blue&size=large", source: "a.form"))
        #expect(c.body.text == "colour: blue\nsize: large")
        #expect(c.defects.contains("no free-text field; the body lists the unmapped fields"))
    }

    @Test func noMappingsAtAll() throws {
        let c = try FormPostParser(mappings: []).parse(raw("message=hello", source: "a.form"))
        #expect(c.formFields == [FormField(name: "message", value: "hello", role: nil)])
        #expect(c.defects.contains("no form mapping recognises this post; fields have no roles"))
    }

    @Test func pathAloneRecognisesAMapping() throws {
        // No form_id; the path is enough.
        let req = "POST /contact/complaint/ HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nfull_name=Jo+Fictitious&details=Text"
        let c = try Paths.parser().parse(raw(req))
        #expect(c.header(":form-mapping") == "cambridgeshire-opcc-contact")
        #expect(c.sender?.name == "Jo Fictitious")
    }

    @Test func leadingEmptyLinesBeforeRequestLine() throws {
        let c = try Paths.parser().parse(raw("\r\n\r\nPOST /x HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{\"message\":\"Hi\"}"))
        #expect(c.provenance.format == "form_json")
        #expect(c.body.text == "Hi")
    }

    @Test func requestDetection() throws {
        #expect(FormPostParser.isHTTPRequest(try Paths.item("cambs-complaint.http").bytes))
        #expect(FormPostParser.isHTTPRequest(Array("\nPUT /a?b HTTP/1.0\n\n".utf8)))
        #expect(!FormPostParser.isHTTPRequest(try Paths.item("generic.json").bytes))
        #expect(!FormPostParser.isHTTPRequest(Array("From: someone@example.org\r\n".utf8)))
        #expect(!FormPostParser.isHTTPRequest([]))
    }

    @Test func getQueryString() throws {
        let c = try Paths.parser().parse(raw("GET /contact?message=Hi+there&email=kim%40example.org HTTP/1.1\r\nHost: example.org\r\n\r\n"))
        #expect(c.body.text == "Hi there")
        #expect(c.sender?.address == "kim@example.org")
    }

    @Test func emptyGarbageAndUnknownTypes() throws {
        let parser = try Paths.parser()
        let e1 = #expect(throws: IngestError.self) { try parser.parse(RawItem(bytes: [], source: "empty.form")) }
        #expect(e1?.problem == "empty file")
        var noise = [UInt8]()
        var x: UInt32 = 12345
        for _ in 0..<4096 { x = x &* 1103515245 &+ 12345; noise.append(UInt8(truncatingIfNeeded: x >> 16)) }
        noise[0] = 0x00
        #expect(throws: IngestError.self) { try parser.parse(RawItem(bytes: noise, source: "noise.bin")) }
        let xml = "POST /x HTTP/1.1\r\nContent-Type: text/xml\r\n\r\n<a>b</a>"
        let e3 = #expect(throws: IngestError.self) { try parser.parse(raw(xml)) }
        #expect(e3?.problem == "Content-Type text/xml is not a form body")
        let gz = "POST /x HTTP/1.1\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n\r\n{}"
        #expect(throws: IngestError.self) { try parser.parse(raw(gz)) }
    }

    @Test func invalidUTF8FallsBackWithDefect() throws {
        var bytes = Array("message=".utf8)
        bytes += [0x43, 0x61, 0x66, 0xE9] // "Caf" + raw 0xE9 (Latin-1 é), not UTF-8
        let c = try Paths.parser().parse(RawItem(bytes: bytes, source: "a.form"))
        #expect(c.body.text == "Café")
        #expect(c.defects.contains("bytes are not valid UTF-8; read as Windows-1252"))
    }

    @Test func charsetFieldAndIconv() throws {
        // `_charset_` names the charset; KOI8-R goes through iconv.
        let c = try Paths.parser().parse(raw("_charset_=KOI8-R&message=%F0%D2%C9%D7%C5%D4", source: "a.form"))
        #expect(c.body.text == "Привет")
    }

    /// Mutated and cut copies of the fixtures: every one is parsed or
    /// refused with an IngestError, never a trap (this found a trap in
    /// MultipartKit on non-ASCII header names).
    @Test func fuzzNeverCrashes() throws {
        let parser = try Paths.parser()
        let seeds = try ["cambs-multipart.http", "cambs-complaint.http", "northants-chunked.http", "generic.json", "latin1.http"].map { try Paths.item($0).bytes }
        var x: UInt64 = 42
        func next() -> Int { x = x &* 6364136223846793005 &+ 1442695040888963407; return Int(x >> 33) }
        var parsed = 0, refused = 0
        for round in 0..<2000 {
            var bytes = seeds[round % seeds.count]
            if round % 5 == 0 { bytes = Array(bytes.prefix(next() % bytes.count)) }
            for _ in 0..<(1 + next() % 8) where !bytes.isEmpty {
                let pos = next() % bytes.count
                switch next() % 4 {
                case 0: bytes[pos] = UInt8(truncatingIfNeeded: next())
                case 1: bytes.insert(UInt8(truncatingIfNeeded: next()), at: pos)
                case 2: if bytes.count > 10 { bytes.remove(at: pos) }
                default: bytes[pos] = [0x0D, 0x0A, 0x2D, 0x3A, 0x22, 0x3B, 0x3D, 0x25, 0x80, 0xFF][next() % 10]
                }
            }
            do { _ = try parser.parse(RawItem(bytes: bytes, source: "fuzz\(round)")); parsed += 1 } catch is IngestError { refused += 1 }
        }
        #expect(parsed + refused == 2000)
        #expect(parsed > 500)
    }

    @Test func nonASCIIMultipartHeaderNameDoesNotTrap() throws {
        let body = "--b1\r\nContent-Disposition: form-data; name=\"message\"\r\nX-\u{E9}t\u{E9}: 1\r\n\r\nHello\r\n--b1--\r\n"
        let c = try Paths.parser().parse(raw(body, source: "a.multipart"))
        #expect(c.body.text == "Hello")
        #expect(c.defects.contains("multipart part header names with non-ASCII bytes were altered"))
    }
}
