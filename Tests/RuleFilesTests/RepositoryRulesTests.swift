import Foundation
import RuleFiles
import Testing
import TriageCore
import TriageIngest

/// The repository's own Rules/ directory and Corpus/.
enum Repository {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let rules = root.appendingPathComponent("Rules")

    static let loaded: Result<CompiledRuleSet, Error> = Result { try RuleDirectory(rules).compile() }

    /// The compiled rules; a test that needs them fails with the loader's message when they are broken.
    static var compiled: CompiledRuleSet {
        get throws { try loaded.get() }
    }

    static var ruleIds: [String] { ((try? loaded.get())?.ruleSet.rules.map(\.id)) ?? ["(rules did not load)"] }
}

@Suite struct RepositoryRulesTests {
    @Test func rulesLoad() throws {
        let set = try RuleDirectory(Repository.rules).load()
        #expect(set.rules.count > 20)
        #expect(Set(set.profiles.map(\.id)) == ["cambridgeshire", "northamptonshire"])
        #expect(set.version.count == 16)
    }

    @Test func lintIsClean() throws {
        #expect(RuleSetLinter(try Repository.compiled).problems() == [])
    }

    /// Every example of every rule, each rule a test case.
    @Test(arguments: Repository.ruleIds)
    func examples(rule: String) throws {
        let runner = RuleExampleRunner(Classifier(try Repository.compiled))
        let results = runner.run(prefix: rule).filter { $0.rule == rule }
        #expect(!results.isEmpty, "rule \(rule) has no examples")
        for failure in results where !failure.passed {
            Issue.record("\(rule) [\(failure.variant)] \(failure.expectedMatch ? "should match" : "should not match") \"\(failure.example)\": \(failure.problem ?? "")")
        }
    }

    @Test func defaultForceIsConfigured() {
        #expect(RuleDirectory(Repository.rules).defaultForce() == "cambridgeshire")
    }
}

/// The same examples, delivered the way real mail arrives: as quoted-printable
/// email with CRLF line ends, and as HTML-only email. A rule must behave the same.
@Suite struct RuleExamplesThroughIngestTests {
    static let cases: [(String, String)] = ((try? Repository.loaded.get())?.ruleSet.rules ?? [])
        .filter { $0.segments == ["new_text"] && $0.requires == nil }
        .flatMap { rule in (rule.examples?.match ?? []).filter { $0.subject == nil && $0.fields == nil && $0.sender == nil }.prefix(1).map { (rule.id, $0.text) } }

    static func strip(_ s: String) -> String { s.replacingOccurrences(of: "[[", with: "").replacingOccurrences(of: "]]", with: "") }

    static func quotedPrintable(_ s: String) -> String {
        var out = ""
        var lineLength = 0
        for byte in Array(s.utf8) {
            let piece: String
            if byte == 0x0A { out += "\r\n"; lineLength = 0; continue }
            if (byte >= 33 && byte <= 126 && byte != 61) || byte == 32 { piece = String(UnicodeScalar(byte)) } else { piece = String(format: "=%02X", byte) }
            if lineLength + piece.count > 72 { out += "=\r\n"; lineLength = 0 }
            out += piece
            lineLength += piece.count
        }
        return out
    }

    func fires(_ rule: String, in bytes: String, name: String) throws -> Bool {
        let ingester = try Ingester(rulesDirectory: Repository.rules)
        let item = try ingester.parse(RawItem(bytes: Array(bytes.utf8), source: name))
        return Classifier(try Repository.compiled).firedEvidence(item).contains { $0.rule == rule }
    }

    @Test(arguments: cases.map(\.0))
    func quotedPrintableAndHTML(rule: String) throws {
        let text = Self.strip(Self.cases.first { $0.0 == rule }!.1)
        let qp = "From: Sam Example <sam@example.org>\r\nTo: enquiries@cambs-opcc.example.org\r\nSubject: my letter\r\nDate: Mon, 02 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + Self.quotedPrintable("Hello,\n\n" + text + "\n")
        #expect(try fires(rule, in: qp, name: "qp.eml"), "\(rule) did not fire through quoted-printable")
        let escaped = text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        let html = "From: sam@example.org\nSubject: x\nDate: Mon, 02 Nov 2026 10:00:00 +0000\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n<html><body><p>Hello,</p><p>\(escaped)</p></body></html>\n"
        #expect(try fires(rule, in: html, name: "html.eml"), "\(rule) did not fire through HTML")
    }
}

/// A rule added as one file, with its examples, is picked up with no Swift change.
@Suite struct NewRuleFileTests {
    @Test func aNewFileIsPickedUp() throws {
        let fm = FileManager.default
        let temp = fm.temporaryDirectory.appendingPathComponent("triage-rules-\(UUID().uuidString)")
        try fm.copyItem(at: Repository.rules, to: temp)
        defer { try? fm.removeItem(at: temp) }
        let rule = """
            id: test.dissatisfaction.kerfuffle
            description: A made-up word of dissatisfaction, to show a new file is read.
            cites: "001 §2.1"
            sets: dissatisfaction=service
            guards: [negation]
            match:
              phrases: ["(utter|total) kerfuffle"]
            examples:
              match: ["The response was an [[utter kerfuffle]]."]
              no_match: ["It was not a total kerfuffle."]
            """
        try rule.write(to: temp.appendingPathComponent("rules/zz-new-rule.yaml"), atomically: true, encoding: .utf8)
        let before = try Classifier(RuleDirectory(Repository.rules).compile())
        let after = try Classifier(RuleDirectory(temp).compile())
        #expect(after.rules.ruleSet.version != before.rules.ruleSet.version)
        let results = RuleExampleRunner(after).run(prefix: "test.dissatisfaction.kerfuffle")
        #expect(results.count >= 4 && results.allSatisfy(\.passed))
        let text = "PC 4411 came round and the whole visit was a total kerfuffle."
        let item = RuleExampleRunner.item(text: text, subject: nil, example: RuleExample(text: text), quotedBody: false)
        #expect(before.classify(item, force: "cambridgeshire").rules.contains("test.dissatisfaction.kerfuffle") == false)
        let decided = after.classify(item, force: "cambridgeshire")
        #expect(decided.rules.contains("test.dissatisfaction.kerfuffle"))
        #expect(decided.outcome == .routed && decided.handler == "crt")
    }

    @Test func aBrokenFileIsNamed() throws {
        let fm = FileManager.default
        let temp = fm.temporaryDirectory.appendingPathComponent("triage-rules-\(UUID().uuidString)")
        try fm.copyItem(at: Repository.rules, to: temp)
        defer { try? fm.removeItem(at: temp) }
        try "id: broken\ndescription: x\n".write(to: temp.appendingPathComponent("rules/broken.yaml"), atomically: true, encoding: .utf8)
        do {
            _ = try RuleDirectory(temp).load()
            Issue.record("a rule without cites/sets/match loaded")
        } catch let error as RuleFileError {
            #expect(error.file.hasSuffix("rules/broken.yaml"))
            #expect(error.problem.contains("missing key"))
        }
    }
}
