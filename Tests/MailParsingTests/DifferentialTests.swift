import Foundation
import MailText
import Testing
import TriageTestSupport
@testable import MailParsing
import TriageCore

/// Differential conformance against Python 3's `email` package (policy
/// `email.policy.default`), through `Tests/oracle/python_email_oracle.py`.
///
/// Fields compared, per message: subject, from, to, date, leaf parts (content
/// type and filename) and the decoded text of text/* leaves.
///
/// Normalisation (the only one applied, on both sides):
/// - texts: CRLF and CR become LF, trailing spaces/tabs of every line and
///   trailing blank lines are removed (Python keeps transport line ends and
///   trailing QP whitespace);
/// - subject: trimmed, runs of whitespace collapsed to one space (folding);
/// - addresses: a missing display name equals ""; a name taken from a
///   comment (`addr (Name)`, which Python ignores) is compared as "".
///
/// Every difference that remains must be listed in ``knownDifferences`` with
/// its reason; an unlisted difference fails the test.
@Suite("Differential conformance with Python email")
struct DifferentialTests {
    /// Observed values for one message, in the oracle's shape.
    struct Observed: Equatable {
        var subject: String?
        var from: [[String]]
        var to: [[String]]
        var date: String?
        var parts: [[String?]]
        var texts: [String]
    }

    static func observe(_ bytes: [UInt8]) -> Observed {
        let root = MIMEParser().parse(bytes)
        var d: [String] = []
        let subject = root.header("subject").map { HeaderDecoding.decodeEncodedWords($0.rawValue, defects: &d) }
        func addresses(_ name: String) -> [[String]] {
            root.headers(named: name).flatMap { AddressParsing.parseList($0.rawValue, defects: &d) }.map { [$0.nameFromComment ? "" : ($0.name ?? ""), $0.address] }
        }
        var date: String? = nil
        if let h = root.header("date"), let parsed = MailDates.rfc5322(h.rawValue) {
            date = isoUTC(parsed.date)
        }
        let leaves = root.leafParts
        return Observed(
            subject: subject.map(normaliseSubject),
            from: addresses("from"),
            to: addresses("to"),
            date: date,
            parts: leaves.map { [$0.contentType, $0.filename] },
            texts: leaves.filter { $0.mainType == "text" }.map { normaliseText($0.decodedText) })
    }

    static func isoUTC(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(secondsFromGMT: 0)
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    static func normaliseSubject(_ s: String) -> String {
        s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).joined(separator: " ")
    }

    static func normaliseText(_ s: String) -> String {
        let unified = s.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines = unified.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            var l = line
            while let last = l.last, last == " " || last == "\t" { l.removeLast() }
            return l
        }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    static func fromOracle(_ json: [String: Any]) -> Observed {
        func addrs(_ v: Any?) -> [[String]] {
            (v as? [[Any]] ?? []).map { pair in pair.map { ($0 as? String) ?? "" } }
        }
        return Observed(
            subject: (json["subject"] as? String).map(normaliseSubject),
            from: addrs(json["from"]),
            to: addrs(json["to"]),
            date: json["date"] as? String,
            parts: (json["parts"] as? [[Any]] ?? []).map { p in p.map { $0 as? String } },
            texts: (json["texts"] as? [Any] ?? []).map { normaliseText(($0 as? String) ?? "") })
    }

    /// The messages compared: CPython's test messages, the invented fixtures and the shared MIME corpus.
    static func corpus() -> [(name: String, url: URL)] {
        var out: [(String, URL)] = []
        for url in TestPaths.files(under: TestPaths.fixtures.appendingPathComponent("cpython"), extensions: ["txt"]) {
            out.append(("cpython/" + url.lastPathComponent, url))
        }
        for url in TestPaths.files(under: TestPaths.fixtures.appendingPathComponent("mail"), extensions: ["eml"]) {
            out.append(("mail/" + url.lastPathComponent, url))
        }
        let mime = TestPaths.shared.appendingPathComponent("mime-corpus")
        for url in TestPaths.files(under: mime, extensions: ["eml"]) {
            out.append(("mime-corpus/" + url.path.dropFirst(mime.path.count + 1), url))
        }
        return out
    }

    static func runOracle(_ files: [URL]) throws -> [String: [String: Any]] {
        guard let python = TestPaths.python3 else { return [:] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [TestPaths.repoRoot.appendingPathComponent("Tests/oracle/python_email_oracle.py").path] + files.map(\.path)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var out: [String: [String: Any]] = [:]
        for line in data.split(separator: UInt8(ascii: "\n")) {
            if let obj = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], let file = obj["file"] as? String {
                out[file] = obj
            }
        }
        return out
    }

    @Test("every message agrees with Python's email package, except the listed differences",
          .enabled(if: TestPaths.python3 != nil, "python3 is not on PATH: differential test skipped"))
    func differential() throws {
        let files = Self.corpus()
        #expect(files.count >= 300, "mime-corpus not found under \(TestPaths.shared.path) (set TRIAGE_SHARED to the shared folder): \(files.count) files")
        let oracle = try Self.runOracle(files.map(\.url))
        #expect(oracle.count == files.count)
        var known: [String: String] = [:]
        for k in Self.knownDifferences { known["\(k.file) \(k.field)"] = k.why }
        var unlisted: [String] = []
        var listedSeen = Set<String>()
        var agreeing = 0
        var differingByField: [String: Int] = [:]
        var report = ""
        for (name, url) in files {
            guard let json = oracle[url.path] else { unlisted.append("\(name): no oracle output"); continue }
            if json["error"] != nil { unlisted.append("\(name): oracle error \(json["error"] ?? "")"); continue }
            let bytes = try [UInt8](Data(contentsOf: url))
            let mine = Self.observe(bytes)
            let theirs = Self.fromOracle(json)
            var fieldsDiffer: [(String, String, String)] = []
            if mine.subject != theirs.subject { fieldsDiffer.append(("subject", "\(mine.subject ?? "nil")", "\(theirs.subject ?? "nil")")) }
            if mine.from != theirs.from { fieldsDiffer.append(("from", "\(mine.from)", "\(theirs.from)")) }
            if mine.to != theirs.to { fieldsDiffer.append(("to", "\(mine.to)", "\(theirs.to)")) }
            if mine.date != theirs.date { fieldsDiffer.append(("date", "\(mine.date ?? "nil")", "\(theirs.date ?? "nil")")) }
            if mine.parts != theirs.parts { fieldsDiffer.append(("parts", "\(mine.parts)", "\(theirs.parts)")) }
            if mine.texts != theirs.texts {
                var detail = "count \(mine.texts.count) vs \(theirs.texts.count)"
                for (k, (a, b)) in zip(mine.texts, theirs.texts).enumerated() where a != b {
                    let ca = Array(a.unicodeScalars), cb = Array(b.unicodeScalars)
                    var p = 0
                    while p < min(ca.count, cb.count), ca[p] == cb[p] { p += 1 }
                    let sa = String(String.UnicodeScalarView(ca[max(0, p - 20)..<min(ca.count, p + 40)]))
                    let sb = String(String.UnicodeScalarView(cb[max(0, p - 20)..<min(cb.count, p + 40)]))
                    detail += "; text \(k) at \(p): mine \(sa.debugDescription) python \(sb.debugDescription)"
                    break
                }
                fieldsDiffer.append(("texts", detail, ""))
            }
            if fieldsDiffer.isEmpty { agreeing += 1 }
            for (field, _, _) in fieldsDiffer { differingByField[field, default: 0] += 1 }
            for (field, a, b) in fieldsDiffer {
                let key = "\(name) \(field)"
                report += "\(key)\n  mine:   \(a.prefix(400))\n  python: \(b.prefix(400))\n"
                if known[key] != nil { listedSeen.insert(key) } else { unlisted.append("\(key): mine \(a.prefix(300)) | python \(b.prefix(300))") }
            }
        }
        if let out = ProcessInfo.processInfo.environment["TRIAGE_DIFF_OUT"] {
            try? report.write(toFile: out, atomically: true, encoding: .utf8)
        }
        print("differential: \(agreeing)/\(files.count) messages agree on every field; \(listedSeen.count) listed differences seen; \(unlisted.count) unlisted")
        let perField = ["subject", "from", "to", "date", "parts", "texts"].map { "\($0) \(files.count - differingByField[$0, default: 0])/\(files.count)" }
        print("differential per field (agreeing): \(perField.joined(separator: ", "))")
        for u in unlisted { Issue.record("unlisted difference: \(u)") }
        let stale = Set(known.keys).subtracting(listedSeen)
        if !stale.isEmpty { print("listed differences that no longer occur: \(stale.sorted())") }
    }

    @Test("every mime-corpus message goes through EmailParser without crash, quickly")
    func corpusParsesInTime() throws {
        let mime = TestPaths.shared.appendingPathComponent("mime-corpus")
        let files = TestPaths.files(under: mime, extensions: ["eml"])
        #expect(files.count >= 300, "mime-corpus not found under \(TestPaths.shared.path) (set TRIAGE_SHARED to the shared folder)")
        let parser = EmailParser()
        let clock = ContinuousClock()
        var parsed = 0, refused = 0
        let elapsed = try clock.measure {
            for url in files {
                let item = RawItem(bytes: try [UInt8](Data(contentsOf: url)), source: url.path)
                do {
                    let c = try parser.parse(item)
                    #expect(c.channel == .email)
                    #expect(c.provenance.size == item.bytes.count)
                    parsed += 1
                } catch let e as IngestError {
                    #expect(e.item == url.path)
                    refused += 1
                    print("refused: \(e)")
                }
            }
        }
        print("corpus: \(parsed) parsed, \(refused) refused, in \(elapsed)")
        // Throughput on bytes already in memory (TRIAGE_BENCH_REPEAT rounds, default 1).
        let rounds = Int(ProcessInfo.processInfo.environment["TRIAGE_BENCH_REPEAT"] ?? "") ?? 1
        let items = try files.map { RawItem(bytes: try [UInt8](Data(contentsOf: $0)), source: $0.path) }
        let bytes = items.reduce(0) { $0 + $1.bytes.count }
        var count = 0
        let parseTime = clock.measure {
            for _ in 0..<rounds { for item in items where (try? parser.parse(item)) != nil { count += 1 } }
        }
        let seconds = Double(parseTime.components.seconds) + Double(parseTime.components.attoseconds) / 1e18
        print("throughput: \(count) messages (\(bytes * rounds / 1024) KiB) in \(parseTime): \(Int(Double(count) / max(seconds, 1e-9))) messages/s")
        #expect(refused == 0)
        #expect(elapsed < HangWatchdog.limit)
    }
}

extension DifferentialTests {
    /// Deliberate differences: (file, field, why). See the suite's doc comment
    /// for the normalisation applied before comparing.
    static let knownDifferences: [(file: String, field: String, why: String)] = [
        ("cpython/msg_16.txt", "parts", "message/delivery-status is kept as one leaf part; Python splits it into header blocks that it reports as text/plain parts"),
        ("cpython/msg_16.txt", "texts", "message/delivery-status is kept as one leaf part; Python splits it into header blocks that it reports as text/plain parts"),
        ("cpython/msg_43.txt", "from", "'<>' (null sender) gives an empty address; Python reports the literal '<>'"),
        ("cpython/msg_43.txt", "parts", "message/delivery-status is kept as one leaf part; Python splits it into header blocks that it reports as text/plain parts"),
        ("cpython/msg_43.txt", "texts", "message/delivery-status is kept as one leaf part; Python splits it into header blocks that it reports as text/plain parts"),
        ("mime-corpus/mime4j/0017_mimetools-testmsgs_infinite.msg.eml", "texts", "8-bit text declared US-ASCII or undeclared is read as UTF-8, else Windows-1252; Python decodes it as ASCII with U+FFFD"),
        ("mime-corpus/mime4j/0022_mimetools-testmsgs_multi-2evil.msg.eml", "parts", "encoded words inside parameter values are decoded leniently, as mail clients do (the brief asks for it); Python keeps them or drops the parameter"),
        ("mime-corpus/mime4j/0023_mimetools-testmsgs_multi-2gifs-base64.msg.eml", "parts", "message/rfc822 with base64/quoted-printable transfer encoding is decoded and parsed as a message; Python keeps the encoded text"),
        ("mime-corpus/mime4j/0023_mimetools-testmsgs_multi-2gifs-base64.msg.eml", "texts", "message/rfc822 with base64/quoted-printable transfer encoding is decoded and parsed as a message; Python keeps the encoded text"),
        ("mime-corpus/mime4j/0039_mimetools-testmsgs_russian.msg.eml", "parts", "encoded words inside parameter values are decoded leniently, as mail clients do (the brief asks for it); Python keeps them or drops the parameter"),
        ("mime-corpus/mime4j/0048_testmsgs_bad-newlines-multiple-parts-base64.msg.eml", "texts", "message/rfc822 with base64/quoted-printable transfer encoding is decoded and parsed as a message; Python keeps the encoded text"),
        ("mime-corpus/mime4j/0051_testmsgs_base64encoded-rfc822message-nested.msg.eml", "texts", "message/rfc822 with base64/quoted-printable transfer encoding is decoded and parsed as a message; Python keeps the encoded text"),
        ("mime-corpus/mime4j/0052_testmsgs_base64encoded-rfc822message.msg.eml", "texts", "message/rfc822 with base64/quoted-printable transfer encoding is decoded and parsed as a message; Python keeps the encoded text"),
        ("mime-corpus/mime4j/0060_testmsgs_malformedHeader-nocrlfcrlf.msg.eml", "texts", "a line without a colon inside the header block is skipped when header fields follow; Python ends the headers there and reads the rest as body"),
        ("mime-corpus/mime4j/0062_testmsgs_malformedHeaderStartsBody-nocrlfcrlf.msg.eml", "texts", "a line without a colon inside the header block is skipped when header fields follow; Python ends the headers there and reads the rest as body"),
        ("mime-corpus/mime4j/0069_testmsgs_multipartemptypart.msg.eml", "texts", "a multipart whose only part is empty: the part's text is empty; Python gives that part the epilogue text"),
        ("mime-corpus/mime4j/0073_testmsgs_obsolete.msg.eml", "subject", "obsolete 'Name :' header syntax (RFC 5322 4.5, space before the colon) is accepted; Python does not take it as a header"),
        ("mime-corpus/mime4j/0073_testmsgs_obsolete.msg.eml", "texts", "obsolete 'Name :' header syntax (RFC 5322 4.5, space before the colon) is accepted; Python does not take it as a header"),
        ("mime-corpus/mime4j/0075_testmsgs_russian-headers.msg.eml", "parts", "encoded words inside parameter values are decoded leniently, as mail clients do (the brief asks for it); Python keeps them or drops the parameter"),
        ("mime-corpus/mime4j/0077_testmsgs_very-long-boundary.msg.eml", "parts", "a boundary parameter ending in spaces is used exactly as declared (the mime4j test wants the near-miss line kept in the body); Python strips the spaces and splits there"),
        ("mime-corpus/mime4j/0077_testmsgs_very-long-boundary.msg.eml", "texts", "a boundary parameter ending in spaces is used exactly as declared (the mime4j test wants the near-miss line kept in the body); Python strips the spaces and splits there"),
        ("mime-corpus/mime4j/0078_testmsgs_very-very-long-boundary.msg.eml", "parts", "a boundary parameter ending in spaces is used exactly as declared (the mime4j test wants the near-miss line kept in the body); Python strips the spaces and splits there"),
        ("mime-corpus/mime4j/0078_testmsgs_very-very-long-boundary.msg.eml", "texts", "a boundary parameter ending in spaces is used exactly as declared (the mime4j test wants the near-miss line kept in the body); Python strips the spaces and splits there"),
        ("mime-corpus/mime4j/0079_testmsgs_weird-boundary.msg.eml", "parts", "a boundary parameter ending in spaces is used exactly as declared (the mime4j test wants the near-miss line kept in the body); Python strips the spaces and splits there"),
        ("mime-corpus/mime4j/0079_testmsgs_weird-boundary.msg.eml", "texts", "a boundary parameter ending in spaces is used exactly as declared (the mime4j test wants the near-miss line kept in the body); Python strips the spaces and splits there"),
        ("mime-corpus/mime4j/0080_resources_mime4j-219-new-date-time-format.msg.eml", "date", "Date with fractional seconds and an unsigned zone ('22:23:35.882 0000') is read; Python gives up"),
        ("mime-corpus/mime4j/0080_resources_mime4j-219-new-date-time-format.msg.eml", "texts", "8-bit text declared US-ASCII or undeclared is read as UTF-8, else Windows-1252; Python decodes it as ASCII with U+FFFD"),
        ("mime-corpus/mimekit/0000_bounce.txt.eml", "parts", "message/delivery-status is kept as one leaf part; Python splits it into header blocks that it reports as text/plain parts"),
        ("mime-corpus/mimekit/0000_bounce.txt.eml", "texts", "message/delivery-status is kept as one leaf part; Python splits it into header blocks that it reports as text/plain parts"),
        ("mime-corpus/mimekit/0001_delivery-status-multiple-blank-lines.txt.eml", "parts", "message/delivery-status is kept as one leaf part; Python splits it into header blocks that it reports as text/plain parts"),
        ("mime-corpus/mimekit/0001_delivery-status-multiple-blank-lines.txt.eml", "texts", "message/delivery-status is kept as one leaf part; Python splits it into header blocks that it reports as text/plain parts"),
        ("mime-corpus/mimekit/0002_delivery-status-no-blank-line.txt.eml", "parts", "message/delivery-status is kept as one leaf part; Python splits it into header blocks that it reports as text/plain parts"),
        ("mime-corpus/mimekit/0002_delivery-status-no-blank-line.txt.eml", "texts", "message/delivery-status is kept as one leaf part; Python splits it into header blocks that it reports as text/plain parts"),
        ("mime-corpus/mimekit/0003_delivery-status.anonymized.eml.eml", "parts", "message/delivery-status is kept as one leaf part; Python splits it into header blocks that it reports as text/plain parts"),
        ("mime-corpus/mimekit/0003_delivery-status.anonymized.eml.eml", "texts", "message/delivery-status is kept as one leaf part; Python splits it into header blocks that it reports as text/plain parts"),
        ("mime-corpus/mimekit/0004_delivery-status.txt.eml", "parts", "message/delivery-status is kept as one leaf part; Python splits it into header blocks that it reports as text/plain parts"),
        ("mime-corpus/mimekit/0004_delivery-status.txt.eml", "texts", "message/delivery-status is kept as one leaf part; Python splits it into header blocks that it reports as text/plain parts"),
        ("mime-corpus/mimekit/0005_delivery-status2.txt.eml", "parts", "message/delivery-status is kept as one leaf part; Python splits it into header blocks that it reports as text/plain parts"),
        ("mime-corpus/mimekit/0005_delivery-status2.txt.eml", "texts", "message/delivery-status is kept as one leaf part; Python splits it into header blocks that it reports as text/plain parts"),
        ("mime-corpus/mimekit/0011_issue358.txt.eml", "from", "an unquoted display name containing '@' before an angle address: the angle address is the address, as mail clients read it; Python takes the name"),
        ("mime-corpus/mimekit/0011_issue358.txt.eml", "parts", "a line without a colon inside the header block is skipped when header fields follow; Python ends the headers there and reads the rest as body"),
        ("mime-corpus/mimekit/0011_issue358.txt.eml", "texts", "a line without a colon inside the header block is skipped when header fields follow; Python ends the headers there and reads the rest as body"),
        ("mime-corpus/mimekit/0021_stack-overflow.txt.eml", "to", "pathological To: of glued encoded words (a stack-overflow test) is kept as one unparsed address; Python yields the fragment 'date'"),
        ("mime-corpus/mimekit/0035_simple.msg.eml", "texts", "8-bit text declared US-ASCII or undeclared is read as UTF-8, else Windows-1252; Python decodes it as ASCII with U+FFFD"),
        ("mime-corpus/mimekit/0043_content-length.mbox.txt_6.eml", "from", "obsolete UUCP-style addresses (bang paths, routes) are kept as written; Python gives '<>'"),
        ("mime-corpus/mimekit/0043_content-length.mbox.txt_6.eml", "to", "obsolete UUCP-style addresses (bang paths, routes) are kept as written; Python gives '<>'"),
        ("mime-corpus/mimekit/0064_content-length.mbox.txt_27.eml", "parts", "message/delivery-status is kept as one leaf part; Python splits it into header blocks that it reports as text/plain parts"),
        ("mime-corpus/mimekit/0064_content-length.mbox.txt_27.eml", "texts", "message/delivery-status is kept as one leaf part; Python splits it into header blocks that it reports as text/plain parts"),
        ("mime-corpus/mimekit/0071_jwz-summary.txt.eml", "texts", "8-bit text declared US-ASCII or undeclared is read as UTF-8, else Windows-1252; Python decodes it as ASCII with U+FFFD"),
        ("mime-corpus/mimekit/0075_unmunged.mbox.txt_0.eml", "subject", "a UTF-8 byte order mark before the first header is skipped and the headers read; Python takes the BOM line as the start of the body"),
        ("mime-corpus/mimekit/0075_unmunged.mbox.txt_0.eml", "from", "a UTF-8 byte order mark before the first header is skipped and the headers read; Python takes the BOM line as the start of the body"),
        ("mime-corpus/mimekit/0075_unmunged.mbox.txt_0.eml", "texts", "a UTF-8 byte order mark before the first header is skipped and the headers read; Python takes the BOM line as the start of the body"),
        ("mime-corpus/mimekit/0084_invalid-content-transfer-encoding-rfc822.eml.eml", "texts", "message/rfc822 with base64/quoted-printable transfer encoding is decoded and parsed as a message; Python keeps the encoded text"),
        ("mime-corpus/mimekit/0094_raw-koi8r-header.eml.eml", "subject", "raw 8-bit header bytes that are not UTF-8 are read as Windows-1252; Python replaces them with U+FFFD"),
        ("mime-corpus/sa_ham/0018_cjk_big5-base64.1.eml", "subject", "raw 8-bit header bytes that are not UTF-8 are read as Windows-1252; Python replaces them with U+FFFD"),
        ("mime-corpus/sa_ham/0019_cjk_gb2312.1.eml", "subject", "raw 8-bit header bytes that are not UTF-8 are read as Windows-1252; Python replaces them with U+FFFD"),
        ("mime-corpus/sa_ham/0019_cjk_gb2312.1.eml", "from", "raw 8-bit header bytes that are not UTF-8 are read as Windows-1252; Python replaces them with U+FFFD"),
        ("mime-corpus/sa_ham/0060_unicode2.eml", "from", "a From with only a display name: the decoded phrase stands as the address; Python quotes it"),
        ("mime-corpus/sa_spam/0007_008.eml", "from", "'From  :' (spaces before the colon) is accepted as a From header; Python takes it for a misplaced mbox From_ line"),
        ("mime-corpus/sa_spam/0007_008.eml", "texts", "8-bit text declared US-ASCII or undeclared is read as UTF-8, else Windows-1252; Python decodes it as ASCII with U+FFFD"),
        ("mime-corpus/sa_spam/0008_009.eml", "texts", "8-bit text declared US-ASCII or undeclared is read as UTF-8, else Windows-1252; Python decodes it as ASCII with U+FFFD"),
        ("mime-corpus/sa_spam/0070_utf16.eml.eml", "parts", "unquoted boundary containing '=' (boundary=----=_NextPart...) is read in full and the multipart split; Python keeps it as one leaf"),
        ("mime-corpus/sa_spam/0070_utf16.eml.eml", "texts", "unquoted boundary containing '=' (boundary=----=_NextPart...) is read in full and the multipart split; Python keeps it as one leaf"),
    ]
}
