import Foundation
import RuleFiles
import Testing
import TriageApp
import TriageCore
import TriageIngest
import TriageReclassify
import TriageReview
import TriageStore
import TriageTestSupport

/// The jobs behind `triage ingest`, `triage reclassify` and `triage review`'s
/// actions, run in-process on a real SQLite file with the real rules and
/// parsers: no binary is spawned.
@Suite struct StoreJobTests {
    static let history = "Corpus/history-cambridgeshire"

    /// A fresh folder and store, the ingest job over it, and the rules' profiles.
    static func setUp(_ name: String) throws -> (dir: URL, store: Store, job: IngestJob, profiles: [ForceProfile]) {
        let dir = try JobTests.tempDir(name)
        let store = try Store(path: dir.appendingPathComponent("t.sqlite").path)
        let (ingester, classifier, ruleSet) = try JobTests.parts()
        let profile = try #require(ruleSet.profile("cambridgeshire"))
        let job = IngestJob(store: store, ingester: ingester, classifier: classifier, force: "cambridgeshire",
                            thresholds: profile.history ?? .defaults)
        return (dir, store, job, ruleSet.profiles)
    }

    static func raw(_ relative: String) throws -> RawItem {
        let bytes = try Data(contentsOf: TestPaths.repo.appendingPathComponent(relative))
        return RawItem(bytes: [UInt8](bytes), source: relative, formatHint: "eml")
    }

    @Test func ingestStoresOnceWithHistoryAndQuarantinesWhatCannotBeRead() throws {
        let (dir, store, job, _) = try Self.setUp("ingest-job")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = TestPaths.repo.appendingPathComponent(Self.history).path
        var outcomes: [String] = []
        let first = job.run(paths: [folder], each: { _, result in
            outcomes.append(result.decision?.decision.decision.outcome.rawValue ?? "-")
        }, failure: { Issue.record("unexpected failure: \($0)") })
        #expect(first == { var s = IngestJob.Summary(); s.stored = 3; return s }())
        // The second letter repeats the first: the job gives the classifier the complainant's history.
        #expect(outcomes == ["routed", "not_recorded", "routed"])
        let second = try #require(try store.items().dropFirst().first)
        #expect(try store.effectiveDecision(for: second.id)?.decision.decision.reasons == [.repetitious])

        // The same bytes again add nothing; a file that is not a message is kept in quarantine, named.
        let again = try job.ingest(Self.raw(Self.history + "/01-okafor-first-complaint.eml"))
        #expect(again.status == .duplicate)
        let bad = dir.appendingPathComponent("empty.eml")
        try Data().write(to: bad)
        var failures: [String] = []
        let third = job.run(paths: [bad.path, folder], each: { _, _ in }, failure: { failures.append("\($0)") })
        #expect(third.stored == 0 && third.duplicates == 3 && third.failed == 1)
        #expect(failures.count == 1 && failures[0].contains("empty.eml"))
        #expect(try store.items().count == 3)
    }

    @Test func reclassifyComparesWithAnEarlierRunAndWithTheStore() throws {
        let (dir, store, job, profiles) = try Self.setUp("reclassify-job")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = TestPaths.repo.appendingPathComponent(Self.history).path
        _ = job.run(paths: [folder], each: { _, _ in }, failure: { Issue.record("\($0)") })
        let reclassifier = Reclassifier(ingester: job.ingester, classifier: job.classifier, force: "cambridgeshire", jobs: 2)

        // Archives: decisions as JSON Lines, each with its format_version; a second run compared with the first.
        let out = dir.appendingPathComponent("now.jsonl")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        var run = ReclassifyRun(reclassifier: reclassifier, source: .archives([folder]))
        run.output = DecisionOutput(handle: try FileHandle(forWritingTo: out), format: .jsonl)
        let first = try run.run()
        #expect(first.summary.decided == 3 && first.summary.report == nil && first.applied == nil)
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.hasPrefix("{\"format_version\":\(JSONFormat.version),") })
        var compared = ReclassifyRun(reclassifier: reclassifier, source: .archives([folder]))
        compared.against = out.path
        let report = try #require(try compared.run().summary.report)
        #expect(report.compared == 3 && report.flipped == 0)

        // The store: each item re-read from its raw bytes with its complainant's history
        // (the second letter stays repetitious), compared with its stored decision.
        let stored = try ReclassifyRun(reclassifier: reclassifier, source: .stored(store, location: "t.sqlite"),
                                       thresholds: profiles.first { $0.id == "cambridgeshire" }?.history ?? .defaults).run()
        #expect(stored.summary.decided == 3)
        #expect(stored.summary.report?.flipped == 0)

        // A caseworker's override is kept when the rules are applied again: a disagreement, not a change.
        let items = try store.items()
        let desk = ReviewDesk(store: store, profiles: profiles)
        _ = try desk.override(items[0].id, outcome: .recorded, handler: "opcc", reason: "test: the Chief Constable", actor: "A. Caseworker")
        var apply = ReclassifyRun(reclassifier: reclassifier, source: .stored(store, location: "t.sqlite"))
        apply.apply = true
        let applied = try #require(try apply.run().applied)
        #expect(applied.disagreements == 1 && applied.changed == 0)
        #expect(try store.effectiveDecision(for: items[0].id)?.decision.madeBy == "caseworker:A. Caseworker")

        // Settings that do not fit are refused before anything runs.
        var wrong = ReclassifyRun(reclassifier: reclassifier, source: .archives([folder]))
        wrong.apply = true
        #expect(throws: ReclassifyRunError.self) { try wrong.run() }
        var missing = ReclassifyRun(reclassifier: reclassifier, source: .archives([folder]))
        missing.against = dir.appendingPathComponent("no-such.jsonl").path
        #expect(throws: ReclassifyRunError.self) { try missing.run() }
    }

    @Test func reviewActionsAreSavedAuditedAndChecked() throws {
        let (dir, store, job, profiles) = try Self.setUp("review-job")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try job.ingest(Self.raw(Self.history + "/01-okafor-first-complaint.eml"))
        let second = try job.ingest(Self.raw(Self.history + "/03-okafor-new-incident.eml"))
        let desk = ReviewDesk(store: store, profiles: profiles)

        #expect(try desk.list(json: true).count == 2)
        let listed = try desk.list(json: true)
        #expect(listed.allSatisfy { $0.hasPrefix("{\"format_version\":") })

        let accepted = try desk.accept(first.itemID, note: "checked", actor: "A. Caseworker")
        #expect(accepted == "accepted \(first.itemID.prefix(12)): routed → crt (by A. Caseworker)")
        let overridden = try desk.override(String(second.itemID.prefix(8)), outcome: .notRecorded, handler: "opcc",
                                           because: [.repetitious], reason: "as the first", actor: "B. Caseworker")
        #expect(overridden.hasPrefix("overridden \(second.itemID.prefix(12)): now not_recorded → opcc because repetitious"))
        #expect(try store.effectiveDecision(for: second.itemID)?.decision.madeBy == "caseworker:B. Caseworker")
        let audit = try store.auditEntries().filter { $0.action.hasPrefix("decision.") && $0.actor.hasPrefix("caseworker:") }
        #expect(audit.map(\.action) == ["decision.accept", "decision.override"])
        #expect(audit.map(\.actor) == ["caseworker:A. Caseworker", "caseworker:B. Caseworker"])
        // The queue now holds neither; the letter follows the caseworker's decision.
        #expect(try desk.list(json: true).isEmpty)
        let letter = try desk.letter(second.itemID)
        #expect(letter.note == nil && !letter.text.isEmpty)
        let stats = try desk.stats(since: nil, until: nil, json: true)
        #expect(stats.hasPrefix("{") && stats.contains("\"format_version\""))

        // Codes outside the force profile's lists are refused, and nothing is written.
        let before = try store.auditEntries().count
        #expect(throws: ReviewError.self) {
            try desk.override(first.itemID, outcome: .routed, handler: "no_such_handler", reason: "x", actor: "A. Caseworker")
        }
        #expect(throws: ReviewError.self) {
            try desk.override(first.itemID, outcome: .notRecorded, handler: "opcc", reason: "no reason code", actor: "A. Caseworker")
        }
        #expect(try store.auditEntries().count == before)
    }
}
