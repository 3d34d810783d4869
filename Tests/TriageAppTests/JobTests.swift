import Foundation
import Logging
import MailboxAccess
import RuleFiles
import Testing
import TriageApp
import TriageCore
import TriageIngest
import TriageStore
import TriageTestSupport

/// The jobs behind `triage eval` and `triage poll`, run as a library on real
/// components (the real rules and parsers, a real SQLite store, a real
/// Maildir): no binary is spawned.
@Suite struct JobTests {
    static func tempDir(_ prefix: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func parts() throws -> (Ingester, Classifier, RuleSet) {
        let directory = RuleDirectory(TestPaths.rules)
        let compiled = try directory.compile()
        return (try Ingester(rulesDirectory: TestPaths.rules), Classifier(compiled), compiled.ruleSet)
    }

    static let complaint = "Corpus/cambridgeshire-email/os-pc-rude-at-roadside.eml"

    @Test func evalComparesEachDecisionWithItsLabel() throws {
        let dir = try Self.tempDir("eval-job")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("emails")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["right.eml", "mislabelled.eml"] {
            try FileManager.default.copyItem(at: TestPaths.repo.appendingPathComponent(Self.complaint), to: folder.appendingPathComponent(name))
        }
        // The same complaint twice: labelled as it is decided, and labelled wrongly on purpose.
        try """
            force: cambridgeshire
            items:
              right.eml: {kind: complaint, subject: officer_or_staff, outcome: routed, handler: crt, reasons: [], flags: []}
              mislabelled.eml: {kind: complaint, subject: pcc, outcome: routed, handler: police_and_crime_panel}
              missing.eml: {kind: complaint, outcome: routed, handler: crt}
            """.write(to: folder.appendingPathComponent("expected.yaml"), atomically: true, encoding: .utf8)
        try "min_decision_accuracy: 0.3\nmin_route_accuracy: 0.3\n".write(to: dir.appendingPathComponent("eval.yaml"), atomically: true, encoding: .utf8)

        let corpus = try LabelledCorpus.load(dir.path)
        #expect(corpus.items.count == 3)
        #expect(corpus.thresholds.minDecisionAccuracy == 0.3)
        let (ingester, classifier, ruleSet) = try Self.parts()
        let report = try EvalJob(ingester: ingester, classifier: classifier, ruleSet: ruleSet).run(corpus)

        #expect(report.total == 3)
        #expect(report.unreadable.count == 1)
        #expect(report.unreadable.first?.0.hasSuffix("missing.eml") == true)
        let right = try #require(report.rows.first { $0.path.hasSuffix("right.eml") })
        let wrong = try #require(report.rows.first { $0.path.hasSuffix("mislabelled.eml") })
        #expect(right.correct && right.routeCorrect && right.subjectCorrect)
        #expect(!wrong.correct && !wrong.routeCorrect && !wrong.subjectCorrect)
        #expect(wrong.differences.contains("handler: expected police_and_crime_panel, got crt"))
        #expect(abs(report.decisionAccuracy - 1.0 / 3.0) < 1e-9)
        // An unreadable item fails the run whatever the accuracy.
        #expect(!report.passes)
        #expect(report.text(showCorrect: false).last == "eval: FAIL — 1 of 3 decisions right")
    }

    /// `eval --held-out`: each item is decided by the classifier given for its folder,
    /// and a folder's batch is its `blind<N>` prefix (anything else is the team's own).
    @Test func heldOutEvalUsesEachFoldersClassifier() throws {
        #expect(SecondReadingLearning.batch(of: "C/blind12-cambridgeshire", root: "C") == "blind12")
        #expect(SecondReadingLearning.batch(of: "C/blind3-history-x/01.eml", root: "C") == "blind3")
        #expect(SecondReadingLearning.batch(of: "C/cambridgeshire-email", root: "C") == "own")
        #expect(SecondReadingLearning.batch(of: "C/blindfold-letters", root: "C") == "own")

        let dir = try Self.tempDir("eval-held-out")
        defer { try? FileManager.default.removeItem(at: dir) }
        for folder in ["blind7-cambridgeshire", "cambridgeshire-email"] {
            let url = dir.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: TestPaths.repo.appendingPathComponent(Self.complaint), to: url.appendingPathComponent("a.eml"))
            try "force: cambridgeshire\nitems:\n  a.eml: {kind: complaint, outcome: routed, handler: crt}\n"
                .write(to: url.appendingPathComponent("expected.yaml"), atomically: true, encoding: .utf8)
        }
        let corpus = try LabelledCorpus.load(dir.path)
        let (ingester, classifier, ruleSet) = try Self.parts()
        final class Asked: @unchecked Sendable { var batches: [String] = [] }
        let asked = Asked()
        let report = try EvalJob(ingester: ingester, classifier: classifier, ruleSet: ruleSet).run(corpus) { folder in
            asked.batches.append(SecondReadingLearning.batch(of: folder, root: corpus.root))
            return classifier.replacingSecondReading(nil)
        }
        #expect(asked.batches.sorted() == ["blind7", "own"])
        #expect(report.rows.count == 2 && report.rows.allSatisfy(\.routeCorrect))
    }

    @Test func aBadLabelFileIsNamed() throws {
        let dir = try Self.tempDir("eval-job-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        try "force: [not, a, string]\nitems: {}\n".write(to: dir.appendingPathComponent("expected.yaml"), atomically: true, encoding: .utf8)
        let error = try #require(throws: EvalCorpusError.self) { try LabelledCorpus.load(dir.path) }
        #expect(error.description.contains("expected.yaml"))
    }

    @Test func pollStoresEachMessageOnceAndMarksIt() throws {
        let dir = try Self.tempDir("poll-job")
        defer { try? FileManager.default.removeItem(at: dir) }
        let maildir = MaildirMailbox(path: dir.appendingPathComponent("Maildir").path)
        let complaint = try Data(contentsOf: TestPaths.repo.appendingPathComponent(Self.complaint))
        try maildir.deliver([UInt8](complaint), uniqueName: "1700000000.M1P1.test")
        try maildir.deliver(Array("not a message at all".utf8), uniqueName: "1700000001.M1P1.test")

        let store = try Store(path: dir.appendingPathComponent("t.sqlite").path)
        let (ingester, classifier, _) = try Self.parts()
        let job = PollJob(store: store, ingester: ingester, classifier: classifier, force: "cambridgeshire",
                          thresholds: .defaults, limit: nil, logger: Logger(label: "test.poll"))
        let first = try job.poll(MaildirPollSource(maildir: maildir))
        #expect(first.fetched == 2)
        #expect(first.classified + first.quarantined == 2)
        #expect(first.classified >= 1)
        #expect(first.marked == 2)
        #expect(maildir.isMarked(uniqueName: "1700000000.M1P1.test"))

        // Polling again stores nothing twice.
        let second = try job.poll(MaildirPollSource(maildir: maildir))
        #expect(second.fetched == 0)
        #expect(second.classified == 0)

        // A stop asked before the first message stores nothing.
        try maildir.deliver([UInt8](complaint) + Array("\n".utf8), uniqueName: "1700000002.M1P1.test")
        let stopped = PollJob(store: store, ingester: ingester, classifier: classifier, force: "cambridgeshire",
                              thresholds: .defaults, limit: nil, logger: Logger(label: "test.poll"), shouldStop: { true })
        #expect(try stopped.poll(MaildirPollSource(maildir: maildir)).classified == 0)
    }
}
