import Foundation
import TriageTestSupport
import RuleFiles
import TriageCore
import TriageIngest
import TriageReview
import TriageStore

/// Paths and a real store filled from corpus items, for the tests.
enum TestEnv {
    /// The repository root (three levels above this file).
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let rulesURL = repoRoot.appendingPathComponent("Rules")
    static let corpus = repoRoot.appendingPathComponent("Corpus/cambridgeshire-email")

    static func ruleSet() throws -> RuleSet { try RuleDirectory(rulesURL).load() }

    static func cambridgeshire() throws -> ForceProfile {
        guard let p = try ruleSet().profile("cambridgeshire") else { throw ReviewError("no cambridgeshire profile") }
        return p
    }

    /// A fresh temporary directory.
    static func tempDir() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("review-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Items of the test store: corpus file names.
    static let routedFile = "os-pc-rude-at-roadside.eml"
    static let caseworkerFile = "nc-police-or-council-cctv.eml"
    static let notComplaintFile = "nac-council-fly-tipping.eml"
    static let quotedFile = "cc-reply-clarifies-chief-constable-himself.eml"

    /// Ingests the given corpus files (or raw texts) into a new store at `dir/triage.sqlite`.
    /// - Returns: the store, its path and the item id of each file name.
    static func makeStore(in dir: URL, files: [String] = [routedFile, caseworkerFile, notComplaintFile, quotedFile],
                          extra: [(name: String, text: String)] = []) throws -> (Store, String, [String: String]) {
        let path = dir.appendingPathComponent("triage.sqlite").path
        let store = try Store(path: path)
        let pipeline = try Pipeline()
        var ids: [String: String] = [:]
        for f in files {
            ids[f] = try pipeline.ingest(try corpusItem(f), into: store)
        }
        for (name, text) in extra {
            ids[name] = try pipeline.ingest(RawItem(bytes: Array(text.utf8), source: name), into: store)
        }
        return (store, path, ids)
    }

    /// Ingests one more corpus file into a store (as the poller would); returns its item id.
    static func ingest(_ file: String, into store: Store) throws -> String {
        try Pipeline().ingest(try corpusItem(file), into: store)
    }

    static func corpusItem(_ file: String) throws -> RawItem {
        let url = corpus.appendingPathComponent(file)
        return RawItem(bytes: [UInt8](try Data(contentsOf: url)), source: url.path)
    }

    /// The real parser and classifier, as `triage ingest` uses them (Cambridgeshire).
    struct Pipeline {
        let classifier: Classifier
        let ingester: Ingester

        init() throws {
            classifier = Classifier(try CompiledRuleSet(try TestEnv.ruleSet(), stemmer: RuleDirectory.stemmer()))
            ingester = try Ingester(rulesDirectory: TestEnv.rulesURL)
        }

        func ingest(_ raw: RawItem, into store: Store) throws -> String {
            try store.ingest(raw, actor: "test", parse: { try ingester.parse($0) },
                             classify: { c, h in classifier.classify(c, force: "cambridgeshire", history: h) }).itemID
        }
    }

    static func service(_ store: Store) throws -> ReviewService {
        ReviewService(backend: StoreReviewBackend(store: store), profiles: try ruleSet().profiles)
    }

    /// The built `triage` binary (built by `swift build` or `swift build --build-tests`).
    static var triageBinary: URL? {
        let url = URL(fileURLWithPath: TestPaths.triage)
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }

    /// Runs the binary with arguments; returns exit status, stdout, stderr.
    static func run(_ args: [String], cwd: URL? = nil) throws -> (Int32, String, String) {
        guard let bin = triageBinary else { throw ReviewError("build the triage binary first (swift build)") }
        let p = Process()
        p.executableURL = bin
        p.arguments = args
        if let cwd { p.currentDirectoryURL = cwd }
        var env = ProcessInfo.processInfo.environment
        env["TRIAGE_RULES"] = rulesURL.path
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}

/// Invented items for pure tests (no store).
enum Sample {
    static let received = Date(timeIntervalSince1970: 1_795_000_000)

    static func decision(outcome: Outcome = .routed, handler: String = "crt", evidence: [Evidence] = [], force: String = "cambridgeshire") -> Decision {
        Decision(source: "test", id: "x", force: force, kind: .complaint, subject: .officerOrStaff, outcome: outcome,
                 handler: handler, reasons: [], flags: [], categories: [], rules: evidence.map(\.rule), justification: evidence,
                 explanation: "A complaint about an officer goes to the CRT.", decidedBy: DecisionRowReference(row: "officer_or_staff", cites: "001 §4.1"),
                 caseworkerNotes: [], rulesetVersion: "v", received: received)
    }

    /// An item whose body is new text, a quoted reply and a signature.
    static func item(id: String, seq: Int64 = 1, outcome: Outcome = .routed, received: Date = received, subject: String = "Rude officer") -> ReviewItem {
        let newText = "PC Example was very rude to me at the roadside and I want this looked at.\n"
        let quoted = "> On Monday you wrote:\n> Thank you for contacting us.\n"
        let signature = "-- \nAlex Sample\n"
        let text = newText + quoted + signature
        let n = newText.unicodeScalars.count, q = quoted.unicodeScalars.count, s = signature.unicodeScalars.count
        let body = Body(text: text, segments: [Segment(kind: .newText, start: 0, end: n), Segment(kind: .quoted, start: n, end: n + q),
                                               Segment(kind: .signature, start: n + q, end: n + q + s)])
        let start = (newText as NSString).range(of: "very rude").location
        let ev = Evidence(rule: "complaint.dissatisfaction.rude", cites: "001 §2.1", segment: "new_text", start: start, end: start + 9, quote: "very rude")
        let c = Correspondence(channel: .email, sender: Party(name: "Alex Sample", address: "alex@example.org"), subject: subject,
                               body: body, provenance: Provenance(source: "test", sha256: id, size: text.utf8.count, format: "eml"))
        return ReviewItem(id: id, seq: seq, receivedAt: received, correspondence: c, decision: decision(outcome: outcome, evidence: [ev]),
                          madeBy: "classifier", madeAt: received)
    }

    static func choices() throws -> [String: OverrideChoices] {
        ["cambridgeshire": OverrideChoices(profile: try TestEnv.cambridgeshire())]
    }
}
