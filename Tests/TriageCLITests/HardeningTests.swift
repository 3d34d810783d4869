import Foundation
import Testing
import TriageTestSupport

/// Issue 13, as a user meets it: hostile correspondence cannot drive the
/// caseworker's terminal, the store is private, damage is not success, the
/// audit checkpoint works end to end, and the per-item budget holds.
@Suite struct HardeningCLITests {
    static func run(_ arguments: [String], env: [String: String] = [:]) async throws -> CLI.Result {
        try await CLI.run(arguments, env: env)
    }

    static func tempDir() async throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-harden-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// An invented complaint whose file name, sender, subject and body carry
    /// terminal escape sequences: clear screen, retitle, an OSC 8 link, CSI as
    /// a C1 control, and a bidi override.
    static let hostileMessage = """
        From: "Pat =?utf-8?q?=1B]0;pwned=07?= Example" <pat.example@example.com>
        To: complaints@example.org
        Subject: =?utf-8?q?Rude_officer_=1B[2J=1B]8;;https://example.com/x=07click=1B]8;;=07_=C2=9B31m_=E2=80=AE?=
        Date: Mon, 9 Nov 2026 10:00:00 +0000
        Content-Type: text/plain; charset=utf-8

        I want to make a complaint about PC Example \u{1B}]0;retitled\u{07}who was rude and\u{1B}[2J
        aggressive to me \u{1B}]8;;https://example.com/\u{07}at the roadside\u{1B}]8;;\u{07} last Tuesday. This is not good enough.

        """.replacingOccurrences(of: "\n", with: "\r\n")

    /// No escape sequence and no C1 control reaches the terminal.
    static func expectNoEscapes(_ r: CLI.Result, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for (stream, text) in [("stdout", r.out), ("stderr", r.err)] {
            let bad = text.unicodeScalars.filter { $0.value == 0x1B || $0.value == 0x07 || (0x80...0x9F).contains($0.value) || $0.value == 0x202E }
            #expect(bad.isEmpty, "\(what) \(stream) emits \(bad.map { String($0.value, radix: 16) })", sourceLocation: sourceLocation)
        }
    }

    @Test func escapeSequencesAreShownNeverEmittedOnEveryOutputPath() async throws {
        let dir = try await Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("evil\u{1B}]0;name\u{07}.eml")
        try Data(Self.hostileMessage.utf8).write(to: file)
        let db = dir.appendingPathComponent("t.sqlite").path

        let classify = try await Self.run(["classify", file.path])
        #expect(classify.status == 0, "\(classify.err)")
        Self.expectNoEscapes(classify, "classify")
        #expect(classify.out.contains("\\x1b"), "the escape is shown visibly")

        let ingestJSON = try await Self.run(["ingest", "--db", db, "--format", "json", file.path])
        #expect(ingestJSON.status == 0, "\(ingestJSON.err)")
        Self.expectNoEscapes(ingestJSON, "ingest --format json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(ingestJSON.out.utf8)) as? [String: Any])
        let id = try #require(object["id"] as? String)

        let runs: [(String, [String])] = [
            ("ingest", ["ingest", "--db", db, file.path]),
            ("show", ["show", "--db", db, id]),
            ("history", ["history", "--db", db, "pat.example@example.com"]),
            ("review list", ["review", "list", "--db", db]),
            ("review letter", ["review", "letter", "--db", db, id]),
            ("review accept", ["review", "accept", "--db", db, "--as", "A. Case\u{1B}[2Jworker", id]),
            ("audit list", ["audit", "list", "--db", db]),
        ]
        for (name, arguments) in runs {
            let r = try await Self.run(arguments)
            #expect(r.status == 0 || name == "review accept", "\(name): \(r.err)")
            Self.expectNoEscapes(r, name)
        }
        let show = try await Self.run(["show", "--db", db, id])
        #expect(show.out.contains("Rude officer \\x1b[2J"), "the subject is shown with its escapes made visible: \(show.out)")
        let letter = try await Self.run(["review", "letter", "--db", db, id])
        #expect(!letter.out.contains("\u{1B}"))
    }

    /// Runs a command under the usual umask 022.
    static func runUnderUmask022(_ arguments: [String]) async throws -> CLI.Result {
        let old = umask(0o022)
        defer { umask(old) }
        return try await run(arguments)
    }

    static func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int) ?? -1
    }

    @Test func theStoreIsOwnerOnlyAndAWorldReadableOneIsReported() async throws {
        let dir = try await Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.sqlite").path
        let r = try await Self.runUnderUmask022(["ingest", "--db", db, "Corpus/cambridgeshire-email/os-pc-rude-at-roadside.eml"])
        #expect(r.status == 0, "\(r.err)")
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: db + suffix) {
            #expect(Self.mode(db + suffix) == 0o600, "\(db + suffix): \(String(Self.mode(db + suffix), radix: 8))")
        }
        #expect(!r.err.contains("readable by others"))
        chmod(db, 0o644)
        let show = try await Self.run(["review", "list", "--db", db])
        #expect(show.err.contains("readable by others"), "\(show.err)")
    }

    @Test func reclassifyOutputIsOwnerOnly() async throws {
        let dir = try await Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("decisions.jsonl").path
        let r = try await Self.runUnderUmask022(["reclassify", "--output", output, "Corpus/cambridgeshire-email/os-pc-rude-at-roadside.eml"])
        #expect(r.status == 0, "\(r.err)")
        #expect(Self.mode(output) == 0o600, "decisions quote personal data: mode \(String(Self.mode(output), radix: 8))")
    }

    @Test func ingestIntoADamagedStoreIsNotSuccess() async throws {
        let dir = try await Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.sqlite").path
        let first = try await Self.run(["ingest", "--db", db, "Corpus/cambridgeshire-email"])
        #expect(first.status == 0, "\(first.err)")
        // Damage pages in the middle of the file, as a failing disk would.
        let handle = try #require(FileHandle(forUpdatingAtPath: db))
        let size = try handle.seekToEnd()
        let page: UInt64 = 4096
        let middle = (size / page / 2) * page
        try handle.seek(toOffset: middle)
        handle.write(Data(repeating: 0x55, count: Int(page * 2)))
        try handle.close()
        let second = try await Self.run(["ingest", "--db", db, "Corpus/cambridgeshire-forms"])
        #expect(second.status != 0, "exit \(second.status) into a damaged store")
        #expect(second.err.contains("damaged") || second.err.contains("malformed"), "\(second.err.suffix(400))")
    }

    @Test func auditCheckpointAndVerifyEndToEnd() async throws {
        let dir = try await Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.sqlite").path
        let key = dir.appendingPathComponent("audit.key").path
        let checkpoints = dir.appendingPathComponent("audit.checkpoints").path
        try Data("an invented office key, 32 bytes long\n".utf8).write(to: URL(fileURLWithPath: key))
        #expect(try await Self.run(["ingest", "--db", db, "Corpus/cambridgeshire-email/os-pc-rude-at-roadside.eml"]).status == 0)
        let cp = try await Self.run(["audit", "checkpoint", "--db", db, "--key-file", key, "--append", checkpoints])
        #expect(cp.status == 0, "\(cp.err)")
        #expect(cp.out.hasPrefix("triage-audit-checkpoint v1 seq="))
        #expect(Self.mode(checkpoints) == 0o600)
        let ok = try await Self.run(["audit", "verify", "--db", db, "--checkpoint", checkpoints, "--key-file", key])
        #expect(ok.status == 0, "\(ok.err)")
        #expect(ok.out.contains("1 checkpoint hold"))
        // Cut the newest entry and fix the head, as someone with write access to the file could.
        let cut = """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.executescript("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log);")
            seq, h = c.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
            c.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", ("%d %s" % (seq, h),))
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", cut, db]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let anchored = try await Self.run(["audit", "verify", "--db", db, "--checkpoint", checkpoints, "--key-file", key])
        #expect(anchored.status == 3, "\(anchored.out) \(anchored.err)")
        #expect(anchored.err.contains("truncated"))
    }

    /// Every input the fuzzer or a report found (crashes, hangs, slow inputs)
    /// stays a regression fixture: each must parse, or be reported as
    /// unreadable, without a crash and in bounded time.
    @Test func fuzzAndSlowFixturesParseWithoutCrashing() async throws {
        var files: [String] = []
        for dir in ["Tests/Fixtures/fuzz", "Tests/Fixtures/slow"] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: CLI.repo.appendingPathComponent(dir).path)) ?? []
            files += names.filter { !$0.hasSuffix(".md") }.sorted().map { "\(dir)/\($0)" }
        }
        #expect(!files.isEmpty)
        for file in files {
            let r = try await Self.run(["parse", file])
            #expect(r.status == 0 || r.status == 1, "\(file): exit \(r.status) \(r.err.suffix(300))")
            #expect(Duration.seconds(r.seconds) < HangWatchdog.limit, "\(file) did not end: \(r.seconds) s")
            Self.expectNoEscapes(CLI.Result(status: r.status, out: "", err: r.err), file)
            // Errors name the item and the problem, never its content.
            let input = String(decoding: (FileManager.default.contents(atPath: CLI.repo.appendingPathComponent(file).path) ?? Data()), as: UTF8.self)
            let err = Array(r.err), window = 24
            let echoed = stride(from: 0, to: max(0, err.count - window + 1), by: 4).first { input.contains(String(err[$0..<($0 + window)])) }
            #expect(echoed == nil, "\(file): the error repeats the input: \(echoed.map { String(err[$0..<($0 + window)]) } ?? "")")
        }
    }

    @Test func anItemOverTheBudgetGoesToACaseworker() async throws {
        let file = "Corpus/cambridgeshire-email/os-pc-rude-at-roadside.eml"
        let small = try await Self.run(["classify", "--format", "json", file], env: ["TRIAGE_MAX_CLASSIFY_CHARS": "50"])
        #expect(small.status == 0, "\(small.err)")
        let d = try #require(try JSONSerialization.jsonObject(with: Data(small.out.utf8)) as? [String: Any])
        #expect(d["outcome"] as? String == "needs_caseworker")
        #expect((d["caseworker_notes"] as? [String])?.first?.contains("too large to read automatically") == true)

        let tooBig = try await Self.run(["classify", file], env: ["TRIAGE_MAX_ITEM_BYTES": "100"])
        #expect(tooBig.status == 1)
        #expect(tooBig.err.contains("over the 100-byte limit"))

        let bad = try await Self.run(["classify", file], env: ["TRIAGE_MAX_ITEM_BYTES": "lots"])
        #expect(bad.status == 2)
        #expect(bad.err.contains("TRIAGE_MAX_ITEM_BYTES"))
    }
}
