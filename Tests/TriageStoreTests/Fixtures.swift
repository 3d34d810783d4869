import Foundation
import Testing
import TriageCore
import TriagePostgres
@testable import TriageStore

/// The two backends every store test runs against. PostgreSQL needs a server:
/// TRIAGE_TEST_POSTGRES_URL (with PGPASSWORD), as `.ci/test.sh` exports it after
/// starting a private cluster (`.ci/postgres.sh`). Without it the PostgreSQL
/// cases are skipped with a note, except in CI (CI=true), where they fail.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    static var serverURL: String? {
        ProcessInfo.processInfo.environment["TRIAGE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// SQLite, and PostgreSQL when a server is given (or in CI, where its absence fails the test).
    static let all: [StoreKind] = {
        if serverURL != nil || inCI { return [.sqlite, .postgres] }
        FileHandle.standardError.write(Data("note: TRIAGE_TEST_POSTGRES_URL is not set: the store tests run on SQLite only (bash .ci/test.sh starts a PostgreSQL)\n".utf8))
        return [.sqlite]
    }()
}

/// Test fixtures: invented items (fictional people, example.org addresses,
/// 01632 960xxx numbers) whose raw bytes are their JSON, a parser that decodes
/// them, and a small hand-written classifier.
enum Fixture {
    /// A fresh temporary directory for one test's database.
    static func tempDB(_ name: String = #function) throws -> String {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-store-tests-\(safe)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("store.sqlite").path
    }

    /// A new, empty store location of this kind: a file in a fresh temporary
    /// directory, or a fresh database on the test server.
    static func location(_ kind: StoreKind, _ name: String = #function) throws -> String {
        switch kind {
        case .sqlite: return try tempDB(name)
        case .postgres:
            guard let url = StoreKind.serverURL else {
                throw StoreError("TRIAGE_TEST_POSTGRES_URL is not set: CI must start a PostgreSQL (bash .ci/postgres.sh start)")
            }
            let db = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
            return try PostgresSessionPool.createDatabase(named: db, onServerOf: url)
        }
    }

    /// A new, empty, migrated store of this kind.
    static func store(_ kind: StoreKind, _ name: String = #function) throws -> Store {
        try Store.open(location: try location(kind, name))
    }

    static func date(_ iso: String) -> Date {
        (try? Date.ISO8601FormatStyle().parse(iso + (iso.count == 10 ? "T10:00:00Z" : ""))) ?? Date(timeIntervalSince1970: 0)
    }

    /// An item of correspondence; its raw bytes are its JSON.
    static func item(
        _ text: String, subject: String? = nil, date: String, channel: Channel = .email,
        sender: Party? = Party(name: "Jo Bloggs", address: "jo.bloggs@example.org"),
        fields: [FormField] = [], attachments: [TriageCore.Attachment] = [], source: String = "test"
    ) -> Correspondence {
        Correspondence(
            channel: channel, sender: sender, date: DatedBy(value: Fixture.date(date), source: .header), subject: subject,
            body: Body(text: text, segments: [Segment(kind: .newText, start: 0, end: text.unicodeScalars.count)]),
            formFields: fields, attachments: attachments,
            provenance: Provenance(source: source, sha256: "", size: 0, format: "test_json"))
    }

    static func raw(_ c: Correspondence, source: String = "test") -> RawItem {
        RawItem(bytes: Array(((try? StableJSON.line(c)) ?? "").utf8), source: source, formatHint: "test_json")
    }

    /// Decodes the JSON bytes; anything else is an ``IngestError``.
    static func parse(_ raw: RawItem) throws -> Correspondence {
        do {
            return try StableJSON.decoder().decode(Correspondence.self, from: Data(raw.bytes))
        } catch {
            throw IngestError(item: raw.label, problem: "not a test item: \(error)")
        }
    }

    /// A tiny classifier: complaint unless thanks; history facts decide
    /// repetitious/reopening; abusive words set `abusive`; vexatious needs
    /// abusive language here AND an abusive history or excessive contact.
    static func classify(_ c: Correspondence, _ facts: [HistoryFact]) -> Decision {
        let text = c.body.text.lowercased()
        var evidence: [Evidence] = facts.map {
            Evidence(rule: $0.rule, cites: $0.cites, segment: "history", start: 0, end: 0, quote: $0.quote, fact: "\($0.fact)=\($0.value)")
        }
        let has = Set(facts.map(\.fact))
        let abusive = text.contains("idiot") || text.contains("useless morons")
        if abusive {
            evidence.append(Evidence(rule: "language.abusive", cites: "001 §7.1", segment: "new_text", start: 0, end: 5, quote: "idiot", fact: "abusive=true"))
        }
        var d = Decision(
            source: c.provenance.source, id: c.provenance.sha256, force: "cambridgeshire", kind: .complaint, subject: .officerOrStaff,
            outcome: .routed, handler: "crt", reasons: [], flags: [], categories: [], rules: evidence.map(\.rule),
            justification: evidence, explanation: "test", decidedBy: DecisionRowReference(row: "test", cites: "001 §4"),
            caseworkerNotes: [], rulesetVersion: "test-v1", received: c.date?.value)
        if text.contains("thank") {
            d.kind = .compliment; d.outcome = .notRecorded; d.handler = "opcc_enquiries"; d.reasons = [.notAComplaint]
        } else if abusive && (has.contains("history_abusive_pattern") || has.contains("excessive_contact")) {
            d.outcome = .notRecorded; d.handler = "opcc"; d.reasons = [.vexatious]
        } else if has.contains("repetitious") || has.contains("reopening") {
            d.outcome = .notRecorded; d.handler = "opcc"; d.reasons = [.repetitious]
        }
        if has.contains("excessive_contact") { d.flags.append(.excessiveContact) }
        return d
    }

    /// Ingests with the fixture parser and classifier.
    @discardableResult
    static func ingest(_ store: Store, _ c: Correspondence, thresholds: HistoryThresholds = .defaults, now: Date? = nil) throws -> IngestResult {
        try store.ingest(raw(c), now: now ?? c.date?.value ?? Date(), thresholds: thresholds, parse: parse, classify: classify)
    }

    static let sqliteScript = """
        import sqlite3, sys
        c = sqlite3.connect(sys.argv[1], isolation_level=None)
        try:
            c.executescript(sys.argv[2])
            print('ok')
        except sqlite3.DatabaseError as e:
            print('refused:', e)
        """

    /// Runs SQL on a store behind its back (python3's sqlite3, or a connection
    /// of its own to the server), as someone with the database would.
    /// - Returns: `ok`, or `refused: ` and the database's message.
    static func sql(_ kind: StoreKind, _ location: String, _ script: String) throws -> String {
        switch kind {
        case .sqlite: return try python(sqliteScript, [location, script]).1
        case .postgres:
            let server = try PostgresSessionPool(location: try PostgresLocation(url: location), maxIdle: 0)
            defer { server.close() }
            do {
                try server.withSession { try $0.execute(script: script) }
                return "ok"
            } catch {
                return "refused: \(error)"
            }
        }
    }

    /// Runs a python3 script (through /usr/bin/env) with arguments.
    static func python(_ script: String, _ args: [String]) throws -> (Int32, String) {
        try run("/usr/bin/env", ["python3", "-c", script] + args)
    }

    /// Runs a process and returns its exit status and standard output.
    static func run(_ exe: String, _ args: [String], env: [String: String] = [:]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        var e = ProcessInfo.processInfo.environment
        for (k, v) in env { e[k] = v }
        p.environment = e
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
