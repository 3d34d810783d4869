import Foundation
import RuleFiles
import Testing
import TriageApp
import TriageCore
import TriageIngest
import TriageStore
import Yams
@testable import TriageReclassify

/// The repository, a scratch folder, and small invented archives.
enum Fixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let rules = root.appendingPathComponent("Rules")

    /// A new empty folder under the temporary directory.
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("reclassify-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A copy of Rules/ to edit.
    static func copyOfRules(in folder: URL) throws -> URL {
        let copy = folder.appendingPathComponent("Rules")
        try FileManager.default.copyItem(at: rules, to: copy)
        return copy
    }

    /// An email from an invented person.
    static func email(_ n: Int, subject: String, body: String) -> String {
        """
        From: Test Person \(n) <person\(n)@example.org>
        To: enquiries@opcc.example.org
        Subject: \(subject)
        Date: Mon, 02 Nov 2026 10:\(n < 10 ? "0" : "")\(n):00 +0000
        Message-ID: <fixture-\(n)@example.org>
        MIME-Version: 1.0
        Content-Type: text/plain; charset="utf-8"

        \(body)

        Test Person \(n)
        1 Example Road, Exampletown
        """
    }

    /// The invented archive: an FOI request, a complaint about a PC, thanks, a crime report.
    static let messages: [String] = [
        email(1, subject: "FOI request", body: "Dear Sir or Madam,\n\nI am making a Freedom of Information request for the number of complaints recorded in 2025, broken down by month.\n\nThank you."),
        email(2, subject: "PC 4471 at the roadside", body: "Dear Commissioner,\n\nI want to complain about PC 4471, who was rude and aggressive to me at a roadside stop on the A10 yesterday. He shouted at me and refused to give me his name. This is not good enough."),
        email(3, subject: "Thank you", body: "Hello,\n\nI just wanted to say a huge thank you to the officers who helped my mother when she fell in the street last week. They were kind and patient."),
        email(4, subject: "Stolen bike", body: "Hi,\n\nI would like to report a theft: my bike has been stolen from outside the library. Please can someone look into it."),
    ]

    /// Writes an mbox of `messages`, with an optional corrupt item after `corruptAfter`.
    static func mbox(_ messages: [String], at url: URL, corruptAfter: Int? = nil) throws {
        var text = ""
        for (i, m) in messages.enumerated() {
            text += "From person@example.org Mon Nov  2 10:00:00 2026\n" + m + "\n\n"
            if i == corruptAfter {
                // A message whose MIME structure is broken beyond use: no header block at all, only binary noise.
                text += "From noise@example.org Mon Nov  2 10:00:00 2026\n"
                text += "\u{0}\u{1}\u{2}garbage without headers\u{0}\n\n"
            }
        }
        try Data(text.utf8).write(to: url)
    }

    static func reclassifier(rules: URL = rules, jobs: Int) throws -> Reclassifier {
        let directory = RuleDirectory(rules)
        let compiled = try directory.compile()
        var r = Reclassifier(ingester: try Ingester(rulesDirectory: rules), classifier: Classifier(compiled),
                             force: "cambridgeshire", jobs: jobs)
        r.now = Date(timeIntervalSince1970: 1_793_000_000)
        return r
    }

    /// Runs over `paths` and returns the JSON Lines written and the summary.
    static func run(_ paths: [String], rules: URL = rules, jobs: Int, previous: PreviousDecisions? = nil) throws -> (String, ReclassifyJob.Summary, [IngestError]) {
        let folder = try scratch()
        let out = folder.appendingPathComponent("out.jsonl")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        var failures: [IngestError] = []
        var job = ReclassifyJob(reclassifier: try reclassifier(rules: rules, jobs: jobs),
                                output: DecisionOutput(handle: handle, format: .jsonl), previous: previous)
        job.onFailure = { failures.append($0) }
        let summary = try job.run(paths: paths)
        try handle.close()
        let text = String(decoding: try Data(contentsOf: out), as: UTF8.self)
        return (text, summary, failures)
    }
}

@Suite struct PipelineTests {
    @Test func keepsInputOrderWithManyJobs() throws {
        var seen: [Int] = []
        try OrderedPipeline.run(source: (0..<2000).makeIterator(), jobs: 4, window: 8, transform: { n in
            // Uneven work so that results finish out of order.
            var x = 0
            for i in 0..<((n * 7919) % 500) { x &+= i }
            return n * 2 + (x == -1 ? 1 : 0)
        }, emit: { seen.append($0) })
        #expect(seen == (0..<2000).map { $0 * 2 })
    }

    @Test func stopsWhenEmitThrows() throws {
        struct Stop: Error {}
        var count = 0
        #expect(throws: Stop.self) {
            try OrderedPipeline.run(source: (0..<100_000).makeIterator(), jobs: 2, window: 4, transform: { $0 }, emit: { n in
                count += 1
                if n == 10 { throw Stop() }
            })
        }
        #expect(count == 11)
    }

    @Test func keepsOrderWhateverTheWindow() throws {
        // The reader refills the window in batches (woken when half of it has been
        // emitted): small and odd windows, one to three jobs, a slow emitter at times.
        for window in [2, 3, 5, 16] {
            for jobs in [1, 2, 3] {
                var seen: [Int] = []
                try OrderedPipeline.run(source: (0..<3000).makeIterator(), jobs: jobs, window: window, transform: { n in
                    var x = 0
                    for i in 0..<((n * 104_729) % 300) { x &+= i }
                    return n + (x == -1 ? 1 : 0)
                }, emit: { n in
                    if n % 97 == 0 { usleep(200) }
                    seen.append(n)
                })
                #expect(seen == Array(0..<3000), "window \(window), \(jobs) jobs")
            }
        }
    }

    @Test func emptySource() throws {
        var seen = 0
        try OrderedPipeline.run(source: EmptyCollection<Int>().makeIterator(), jobs: 3, transform: { $0 }, emit: { _ in seen += 1 })
        #expect(seen == 0)
    }
}

@Suite struct ReclassifyTests {
    @Test func sameOutputWithOneAndFourJobs() throws {
        let folder = try Fixture.scratch()
        let archive = folder.appendingPathComponent("a.mbox")
        // Many copies with small differences so that the order matters.
        var messages: [String] = []
        for i in 0..<40 { messages.append(Fixture.messages[i % 4].replacingOccurrences(of: "fixture-", with: "fixture-\(i)-")) }
        try Fixture.mbox(messages, at: archive)
        let corpus = Fixture.root.appendingPathComponent("Corpus/cambridgeshire-email").path
        let (one, s1, _) = try Fixture.run([archive.path, corpus], jobs: 1)
        let (four, s4, _) = try Fixture.run([archive.path, corpus], jobs: 4)
        #expect(s1.decided == s4.decided)
        #expect(s1.decided > 40)
        #expect(one == four)
        let firstLine = one.split(separator: "\n").first.map(String.init) ?? ""
        #expect(firstLine.contains("\"item\":\"\(archive.path)@0\""))
        #expect(firstLine.contains("\"kind\":\"foi_or_sar\""))
    }

    @Test func corruptMessageInTheMiddleIsNamedAndTheRunFinishes() throws {
        let folder = try Fixture.scratch()
        let archive = folder.appendingPathComponent("corrupt.mbox")
        try Fixture.mbox(Fixture.messages, at: archive, corruptAfter: 1)
        let eml = folder.appendingPathComponent("empty.eml")
        try Data().write(to: eml)
        let (text, summary, failures) = try Fixture.run([archive.path, eml.path, folder.appendingPathComponent("missing.mbox").path], jobs: 2)
        // The four good messages are decided, in order, around the bad one.
        #expect(summary.decided == 4)
        #expect(text.split(separator: "\n").count == 4)
        #expect(summary.failed == failures.count)
        // The corrupt message is the third "From " line of the mbox; it is named by its offset.
        let corruptLabel = "\(archive.path)@\(offsetOf(message: 2, in: archive))"
        #expect(failures.contains { $0.item == corruptLabel })
        #expect(failures.contains { $0.item == eml.path })
        #expect(failures.count == 3)
        #expect(failures.contains { $0.item.hasSuffix("missing.mbox") && $0.problem.contains("no such file") })
        let ids = text.split(separator: "\n").compactMap { DecisionSummary.parse(jsonLine: $0)?.item }
        #expect(ids.count == 4)
        #expect(ids == ids.sorted { offset($0) < offset($1) })
    }

    private func offset(_ label: String) -> Int { Int(label.split(separator: "@").last ?? "") ?? -1 }

    @Test func ruleChangeReportsExactlyTheExpectedFlips() throws {
        let folder = try Fixture.scratch()
        let archive = folder.appendingPathComponent("a.mbox")
        try Fixture.mbox(Fixture.messages, at: archive)

        // Before: the repository's rules.
        let (beforeText, _, _) = try Fixture.run([archive.path], jobs: 2)
        let before = beforeText.split(separator: "\n").compactMap { DecisionSummary.parse(jsonLine: $0) }
        #expect(before.count == 4)
        // The first three are clear-cut; the fourth (a crime report) only has to stay as it is.
        #expect(Array(before.map(\.kind).prefix(3)) == ["foi_or_sar", "complaint", "compliment"])
        #expect(before[0].rules.contains("kind.foi_or_sar.request"))
        #expect(before[1].handler == "crt")
        let previousPath = folder.appendingPathComponent("before.jsonl")
        try Data(beforeText.utf8).write(to: previousPath)

        // The change: drop the FOI rule, and route complaints about officers to PSD.
        let rules = try Fixture.copyOfRules(in: folder)
        let kinds = rules.appendingPathComponent("rules/kinds.yaml")
        var kindsYAML = try #require(try Yams.load(yaml: String(contentsOf: kinds, encoding: .utf8)) as? [String: Any])
        let kindRules = try #require(kindsYAML["rules"] as? [[String: Any]])
        kindsYAML["rules"] = kindRules.filter { ($0["id"] as? String) != "kind.foi_or_sar.request" }
        try Yams.dump(object: kindsYAML).write(to: kinds, atomically: true, encoding: .utf8)
        let profile = rules.appendingPathComponent("forces/cambridgeshire.yaml")
        let profileText = try String(contentsOf: profile, encoding: .utf8)
        #expect(profileText.contains("officer_or_staff: crt"))
        try profileText.replacingOccurrences(of: "officer_or_staff: crt", with: "officer_or_staff: psd").write(to: profile, atomically: true, encoding: .utf8)

        let previous = try PreviousRun(path: previousPath.path)
        let (_, summary, _) = try Fixture.run([archive.path], rules: rules, jobs: 2, previous: previous)
        let report = try #require(summary.report)
        #expect(report.items == 4)
        #expect(report.compared == 4)
        #expect(report.flipped == 2)
        #expect(report.unchanged + report.detailsChanged == 2)
        #expect(report.new == 0 && report.onlyBefore == 0)
        #expect(report.flips.count == 2)
        let officer = try #require(report.flips.first { $0.before.handler == "crt" })
        #expect(officer.count == 1)
        #expect(officer.after == Route(kind: "complaint", outcome: "routed", handler: "psd"))
        #expect(officer.examples.map(\.item) == ["\(archive.path)@\(offsetOf(message: 1, in: archive))"])
        #expect(officer.causes == ["route (same rules, same row officer_or_staff): force profile or decision table": 1])
        let foi = try #require(report.flips.first { $0.before.kind == "foi_or_sar" })
        #expect(foi.count == 1)
        #expect(foi.after.kind != "foi_or_sar")
        #expect(foi.examples.first?.rulesLost == ["kind.foi_or_sar.request"])
        #expect(foi.causes["-kind.foi_or_sar.request"] == 1)
        #expect(report.rules.first { $0.rule == "kind.foi_or_sar.request" }?.lost == 1)
        #expect(report.outcomesBefore.values.reduce(0, +) == 4)
        #expect(report.outcomesAfter.values.reduce(0, +) == 4)

        // The three renderings carry the same facts.
        let text = report.text()
        #expect(text.contains("flipped (kind, outcome or handler): 2"))
        #expect(text.contains("kind.foi_or_sar.request"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.render(.json).utf8)) as? [String: Any])
        #expect(json["flipped"] as? Int == 2)
        let html = report.html()
        #expect(html.contains("<svg"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") || !html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http://"))
        #expect(!html.contains("https://"))
    }

    /// The byte offset of message `n` in the fixture mbox.
    private func offsetOf(message n: Int, in archive: URL) -> Int {
        let text = (try? String(contentsOf: archive, encoding: .utf8)) ?? ""
        var offset = 0
        var seen = -1
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("From ") {
                seen += 1
                if seen == n { return offset }
            }
            offset += line.utf8.count + 1
        }
        return -1
    }

    @Test func caseworkerDecisionsAreReportedNotCounted() throws {
        var report = ChangeReport(baseline: "test")
        let now = DecisionSummary(id: "a", item: "x.eml", kind: "complaint", subject: "officer_or_staff", outcome: "routed", handler: "crt",
                                  reasons: [], flags: [], rules: ["r1"], row: "officer_or_staff", rulesetVersion: "v2")
        var byCaseworker = now
        byCaseworker.outcome = "not_recorded"
        byCaseworker.handler = "not_recorded"
        byCaseworker.caseworker = "caseworker:Alex Example"
        report.add(now: now, before: byCaseworker)
        var agrees = now
        agrees.caseworker = "caseworker:Alex Example"
        report.add(now: now, before: agrees)
        report.finish(previous: nil)
        #expect(report.disagreements == 1)
        #expect(report.caseworkerAgreements == 1)
        #expect(report.flipped == 0)
        #expect(report.disagreementList.first?.caseworker == "caseworker:Alex Example")
        #expect(report.text().contains("never overwritten"))
    }

    @Test func previousRunMatchesOutOfOrderAndCountsLeftovers() throws {
        let folder = try Fixture.scratch()
        let path = folder.appendingPathComponent("p.jsonl")
        let lines = ["c", "a", "b", "z"].map { "{\"id\":\"\($0)\",\"kind\":\"complaint\",\"outcome\":\"routed\",\"handler\":\"crt\",\"source\":\"\($0).eml\"}" }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: path)
        let previous = try PreviousRun(path: path.path, lookahead: 10)
        #expect(previous.match(id: "a")?.item == "a.eml")
        #expect(previous.match(id: "b")?.item == "b.eml")
        #expect(previous.match(id: "c")?.item == "c.eml")
        #expect(previous.match(id: "new") == nil)
        let rest = previous.unmatched()
        #expect(rest.count == 1)
        #expect(rest.examples.first?.id == "z")
    }

    @Test func csvQuotesFields() {
        #expect(DecisionOutput.csvField("plain") == "plain")
        #expect(DecisionOutput.csvField("a,b") == "\"a,b\"")
        #expect(DecisionOutput.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
    }

    @Test func progressLine() {
        let line = ProgressMeter.line(items: 500, failed: 2, bytes: 50 << 20, totalBytes: 100 << 20, elapsed: 10)
        #expect(line.contains("50%"))
        #expect(line.contains("500 items (2 unreadable)"))
        #expect(line.contains("50/s"))
        #expect(line.contains("ETA 0:10"))
    }
}

@Suite struct GeneratorTests {
    @Test func deterministicAndParseable() throws {
        let folder = try Fixture.scratch()
        let shared = ProcessInfo.processInfo.environment["TRIAGE_SHARED"] ?? Fixture.root.deletingLastPathComponent().appendingPathComponent("shared").path
        let mime = shared + "/mime-corpus"
        let generator = try ArchiveGenerator(corpus: Fixture.root.appendingPathComponent("Corpus").path,
                                             mimeCorpus: FileManager.default.fileExists(atPath: mime) ? mime : nil)
        #expect(generator.templateCount.simple > 20)
        let a = folder.appendingPathComponent("a.mbox"), b = folder.appendingPathComponent("b.mbox")
        let sizeA = try generator.write(count: 200, seed: 7, to: a.path)
        let sizeB = try generator.write(count: 200, seed: 7, to: b.path)
        #expect(sizeA == sizeB)
        #expect(try Data(contentsOf: a) == Data(contentsOf: b))
        let c = folder.appendingPathComponent("c.mbox")
        try generator.write(count: 200, seed: 8, to: c.path)
        #expect(try Data(contentsOf: a) != Data(contentsOf: c))
        // The first messages of a bigger archive with the same seed are the small one's.
        let d = folder.appendingPathComponent("d.mbox")
        try generator.write(count: 300, seed: 7, to: d.path)
        #expect(try Data(contentsOf: d).prefix(Int(sizeA)) == Data(contentsOf: a))

        let r = try Fixture.reclassifier(jobs: 2)
        var decided = 0, failed = 0
        try r.run(paths: [a.path]) { result in
            if case .decided = result { decided += 1 } else { failed += 1 }
        }
        #expect(decided + failed == 200)
        #expect(decided >= 190)
        let text = String(decoding: try Data(contentsOf: a), as: UTF8.self)
        #expect(text.contains("Content-Transfer-Encoding: base64"))
        #expect(text.contains("Content-Transfer-Encoding: quoted-printable"))
        #expect(text.contains("charset=\"iso-8859-1\"") || text.contains("charset=\"windows-1252\""))
        #expect(text.contains("multipart/mixed"))
    }

    @Test func phraseRegexes() throws {
        #expect(PhraseExport.regex(forPattern: "make a complaint") == "make\\W+a\\W+complaint")
        #expect(PhraseExport.regex(forPattern: "[formal] complaint") == "(?:(?:formal)\\W+)?complaint")
        #expect(PhraseExport.regex(forPattern: "complaint [formally]") == "complaint(?:\\W+(?:formally))?")
        #expect(PhraseExport.regex(forPattern: "(want|wish) to complain") == "(?:want|wish)\\W+to\\W+complain")
        #expect(PhraseExport.regex(forPattern: "PC #number") == "PC\\W+\\d+")
        let set = try RuleDirectory(Fixture.rules).load()
        let all = PhraseExport.regexes(set)
        #expect(all.count > 20)
        for (_, rx) in all { #expect((try? NSRegularExpression(pattern: rx.replacingOccurrences(of: "(?-i:[A-Z])", with: "[A-Z]"))) != nil) }
    }
}

@Suite struct StoredReclassifyTests {
    @Test func overriddenItemIsReportedNotChanged() throws {
        let folder = try Fixture.scratch()
        let store = try Store(path: folder.appendingPathComponent("t.sqlite").path)
        let before = try Fixture.reclassifier(jobs: 1)
        let now = Date(timeIntervalSince1970: 1_793_000_000)
        var ids: [String] = []
        for (i, message) in Fixture.messages.enumerated() {
            let raw = RawItem(bytes: Array(message.utf8), source: "fixture-\(i).eml", formatHint: "eml")
            let result = try store.ingest(raw, now: now, parse: { try before.ingester.parse($0) },
                                          classify: { item, facts in before.classifier.classify(item, force: "cambridgeshire", history: facts, now: now) })
            ids.append(result.itemID)
        }
        // A caseworker decided item 2 (the PC) goes to PSD; item 0 is left to the rules.
        try store.recordOverride(itemID: ids[1], actor: "Alex Example", outcome: .routed, handler: "psd", reason: "Assault alleged on the phone.")

        // New rules: officer complaints to PSD, FOI rule gone, as in the archive test.
        let rules = try Fixture.copyOfRules(in: folder)
        let profile = rules.appendingPathComponent("forces/cambridgeshire.yaml")
        try String(contentsOf: profile, encoding: .utf8).replacingOccurrences(of: "officer_or_staff: crt", with: "officer_or_staff: iopc")
            .write(to: profile, atomically: true, encoding: .utf8)
        let kinds = rules.appendingPathComponent("rules/kinds.yaml")
        var kindsYAML = try #require(try Yams.load(yaml: String(contentsOf: kinds, encoding: .utf8)) as? [String: Any])
        kindsYAML["rules"] = (kindsYAML["rules"] as? [[String: Any]] ?? []).filter { ($0["id"] as? String) != "kind.foi_or_sar.request" }
        try Yams.dump(object: kindsYAML).write(to: kinds, atomically: true, encoding: .utf8)

        var r = try Fixture.reclassifier(rules: rules, jobs: 2)
        r.history = StoreHistory.hook(store: store, thresholds: .defaults)

        // Without --apply: reported, nothing stored.
        let decisionsBefore = try ids.map { try store.decisions(for: $0).count }
        var job = ReclassifyJob(reclassifier: r, output: nil, previous: StoredDecisions(store: store, path: "t.sqlite"))
        let report = try #require(try job.run(entries: StoredItems(store: store, pageSize: 3)).report)
        #expect(report.items == 4)
        #expect(report.disagreements == 1)
        #expect(report.disagreementList.first?.id == ids[1])
        #expect(report.disagreementList.first?.caseworker == "caseworker:Alex Example")
        #expect(report.disagreementList.first?.after.handler == "iopc")
        #expect(report.flipped == 1)
        #expect(report.flips.first?.before.kind == "foi_or_sar")
        #expect(try ids.map { try store.decisions(for: $0).count } == decisionsBefore)

        // With --apply: the new decisions are stored; the caseworker's stays effective.
        job.onDecision = { item, _ in _ = try store.recordReclassification(itemID: item.decision.id, decision: item.decision, actor: "triage reclassify") }
        _ = try job.run(entries: StoredItems(store: store))
        let overridden = try #require(try store.effectiveDecision(for: ids[1]))
        #expect(overridden.decision.isCaseworker)
        #expect(overridden.decision.decision.handler == "psd")
        #expect(overridden.disagreement?.decision.handler == "iopc")
        let foi = try #require(try store.effectiveDecision(for: ids[0]))
        #expect(!foi.decision.isCaseworker)
        #expect(foi.decision.decision.kind != .foiOrSar)
        #expect(try store.verifyAudit().ok)
        #expect(try store.auditEntries(item: ids[0]).contains { $0.action == "decision.reclassified" })
    }
}
