#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TriageCore
import TriageStore
@testable import TriageReview

/// A child process on a real pseudo-terminal: the test types keys into the
/// master side and reads what the program draws.
final class PseudoTerminal {
    let master: Int32
    let process: Process
    private(set) var output: [UInt8] = []
    private var mark = 0

    /// Starts `triage args…` on a new pty of the given size, as the session
    /// leader with the pty as its controlling terminal (so it gets SIGWINCH).
    init(args: [String], columns: Int, rows: Int, environment: [String: String]) throws {
        guard let bin = TestEnv.triageBinary else { throw ReviewError("build the triage binary first (swift build)") }
        // posix_openpt and friends are not in Swift's Glibc module: look them up in libc.
        typealias OpenPT = @convention(c) (Int32) -> Int32
        typealias PTName = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
        guard let openSym = dlsym(nil, "posix_openpt"), let grantSym = dlsym(nil, "grantpt"),
              let unlockSym = dlsym(nil, "unlockpt"), let nameSym = dlsym(nil, "ptsname") else { throw ReviewError("no pty functions in libc") }
        let openpt = unsafeBitCast(openSym, to: OpenPT.self)
        let grantpt = unsafeBitCast(grantSym, to: OpenPT.self)
        let unlockpt = unsafeBitCast(unlockSym, to: OpenPT.self)
        let ptsname = unsafeBitCast(nameSym, to: PTName.self)
        let m = openpt(O_RDWR | O_NOCTTY)
        guard m >= 0, grantpt(m) == 0, unlockpt(m) == 0, let namePtr = ptsname(m) else { throw ReviewError("no pseudo-terminal") }
        master = m
        let slaveName = String(cString: namePtr)
        var ws = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &ws)
        let slave = open(slaveName, O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw ReviewError("cannot open \(slaveName)") }
        process = Process()
        let setsid = "/usr/bin/setsid"
        if FileManager.default.isExecutableFile(atPath: setsid) {
            process.executableURL = URL(fileURLWithPath: setsid)
            process.arguments = ["-w", "-c", bin.path] + args
        } else {
            process.executableURL = bin
            process.arguments = args
        }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let handle = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        process.standardInput = handle
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        close(slave)
    }

    deinit {
        if process.isRunning { process.terminate() }
        close(master)
    }

    /// Types bytes.
    func send(_ s: String) {
        let bytes = Array(s.utf8)
        _ = bytes.withUnsafeBufferPointer { p in write(master, p.baseAddress, p.count) }
    }

    /// Changes the window size (the kernel sends SIGWINCH to the program).
    func resize(columns: Int, rows: Int) {
        var ws = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &ws)
    }

    /// Reads until `text` appears in what was drawn since the last wait, or the timeout.
    /// - Returns: true when it appeared.
    @discardableResult
    func wait(for text: String, timeout: TimeInterval = 15) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        let needle = Array(text.utf8)
        while true {
            if let r = find(needle, from: mark) {
                mark = r
                return true
            }
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return false }
            var pfd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(min(left, 0.2) * 1000))
            if ready > 0 {
                var buf = [UInt8](repeating: 0, count: 4096)
                let n = read(master, &buf, buf.count)
                if n > 0 { output += buf[0..<n] } else if !process.isRunning { return find(needle, from: mark) != nil }
            } else if !process.isRunning, ready == 0 {
                return find(needle, from: mark) != nil
            }
        }
    }

    /// Everything drawn since the last successful wait, as text.
    var recent: String { String(decoding: output[min(mark, output.count)...], as: UTF8.self) }

    /// Everything drawn.
    var all: String { String(decoding: output, as: UTF8.self) }

    private func find(_ needle: [UInt8], from start: Int) -> Int? {
        guard needle.count <= output.count else { return nil }
        var i = start
        while i + needle.count <= output.count {
            if output[i] == needle[0], Array(output[i..<(i + needle.count)]) == needle { return i + needle.count }
            i += 1
        }
        return nil
    }

    /// Waits for the program to end; returns its exit status.
    func waitForExit(timeout: TimeInterval = 15) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline {
            wait(for: "\u{0}never\u{0}", timeout: 0.2)
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// The terminal's current local modes (ECHO, ICANON…).
    func localModes() -> tcflag_t {
        var t = termios()
        _ = tcgetattr(master, &t)
        return t.c_lflag
    }
}

/// Drives `triage review` through a real pseudo-terminal: override one item,
/// resize, accept another, quit with Ctrl-C; then checks the store and the audit log.
@Suite(.serialized) struct PTYTests {
    @Test func reviewSessionThroughAPseudoTerminal() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, db, ids) = try TestEnv.makeStore(in: dir, files: [TestEnv.routedFile, TestEnv.caseworkerFile])
        let routedID = try #require(ids[TestEnv.routedFile])
        let cctvID = try #require(ids[TestEnv.caseworkerFile])
        let handlers = OverrideChoices(profile: try TestEnv.cambridgeshire()).handlers
        let target = try #require(handlers.firstIndex { $0.code == "opcc_enquiries" })

        let pty = try PseudoTerminal(args: ["review", "--db", db, "--as", "Pat Tester", "--rules", TestEnv.rulesURL.path],
                                     columns: 80, rows: 30, environment: ["NO_COLOR": "1", "TERM": "xterm"])
        #expect(pty.wait(for: "item 1 of 2"), "no first screen: \(pty.all)")
        #expect(pty.wait(for: "NEEDS CASEWORKER"), "the needs_caseworker item is not first: \(pty.all)")
        #expect(pty.wait(for: "a accept  o override"))
        #expect((pty.localModes() & tcflag_t(ECHO | ICANON)) == 0, "not in raw mode")

        // Override the needs_caseworker item: outcome 3 (not_recorded), handler from the list, a reason.
        pty.send("o")
        #expect(pty.wait(for: "Choose the outcome"))
        pty.send("3\r")
        #expect(pty.wait(for: "Choose who handles it"))
        pty.send("\u{1B}[H" + String(repeating: "\u{1B}[B", count: target) + "\r")
        #expect(pty.wait(for: "Why is it not recorded?"), "\(pty.recent)")
        pty.send("1\r")   // not_a_complaint
        #expect(pty.wait(for: "Whom is it about?"), "\(pty.recent)")
        pty.send("\r")     // keep the subject
        #expect(pty.wait(for: "Reason (required"), "\(pty.recent)")
        pty.send("\r")
        #expect(pty.wait(for: "A reason is required"))
        pty.send("council CCTV, not the police\r")
        #expect(pty.wait(for: "item 2 of 2"))
        #expect(pty.wait(for: "Saved: overrode \(cctvID.prefix(12)) to not_recorded → opcc_enquiries"), "\(pty.recent)")

        // The override is in the store before the session ends.
        let mid = try #require(try store.effectiveDecision(for: cctvID))
        #expect(mid.decision.madeBy == "caseworker:Pat Tester")

        // Resize to a narrow terminal: the screen is redrawn at the new size.
        let before = pty.output.count
        pty.resize(columns: 34, rows: 20)
        #expect(pty.wait(for: "item 2 of 2", timeout: 10), "no redraw after resize: \(pty.recent)")
        #expect(pty.wait(for: "? help  q quit", timeout: 10))
        let narrow = String(decoding: pty.output[before...], as: UTF8.self)
        #expect(!narrow.contains("a accept  o override  n next  p previous  s skip"), "footer not re-wrapped for 34 columns")
        for line in narrow.components(separatedBy: "\r\n") {
            let visible = line.replacingOccurrences(of: "\u{1B}[0m", with: "").replacingOccurrences(of: "\u{1B}[K", with: "")
                .replacingOccurrences(of: "\u{1B}[H", with: "")
            #expect(visible.count <= 34, "line wider than the terminal: \(visible)")
        }

        // Accept the routed item with a note.
        pty.send("a")
        #expect(pty.wait(for: "note"))
        pty.send("checked\r")
        #expect(pty.wait(for: "Saved: accepted"), "\(pty.recent)")

        // An item arrives while the screen is open (as from the poller); r fetches it.
        _ = try TestEnv.ingest(TestEnv.notComplaintFile, into: store)
        pty.send("r")
        #expect(pty.wait(for: "of 3"), "\(pty.recent)")   // the header, then the message
        #expect(pty.wait(for: "Queue reloaded: 1 new item"), "\(pty.recent)")   // wrapped at 34 columns

        // Ctrl-C: the program ends, the terminal is restored, nothing is lost.
        pty.send("\u{03}")
        let status = pty.waitForExit()
        #expect(status == 0)
        #expect(pty.all.contains("Review ended: 1 accepted, 1 overridden"))
        #expect((pty.localModes() & tcflag_t(ECHO | ICANON)) == tcflag_t(ECHO | ICANON), "terminal left in raw mode")

        let cctv = try #require(try store.effectiveDecision(for: cctvID))
        #expect(cctv.decision.decision.outcome == .notRecorded)
        #expect(cctv.decision.decision.handler == "opcc_enquiries")
        #expect(cctv.decision.decision.reasons == [.notAComplaint])
        #expect(cctv.decision.reason == "council CCTV, not the police")
        let routed = try #require(try store.effectiveDecision(for: routedID))
        #expect(routed.decision.madeBy == "caseworker:Pat Tester")
        #expect(routed.decision.note == "checked")
        let audit = try store.auditEntries().filter { $0.actor == "caseworker:Pat Tester" }
        #expect(audit.map(\.action) == ["decision.override", "decision.accept"])
        #expect(audit.map(\.itemID) == [cctvID, routedID])
        #expect(try store.verifyAudit().ok)
    }

    @Test func ctrlCMidOverrideKeepsEarlierActionsOnly() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, db, ids) = try TestEnv.makeStore(in: dir, files: [TestEnv.routedFile, TestEnv.caseworkerFile])
        let cctvID = try #require(ids[TestEnv.caseworkerFile])
        let routedID = try #require(ids[TestEnv.routedFile])
        let pty = try PseudoTerminal(args: ["review", "--db", db, "--as", "Pat Tester", "--rules", TestEnv.rulesURL.path, "--color", "always"],
                                     columns: 100, rows: 40, environment: ["TERM": "xterm-256color"])
        #expect(pty.wait(for: "item 1 of 2"))
        #expect(pty.all.contains("\u{1B}[0;1;30;43m"), "no colour highlight with --color always")
        pty.send("a")   // the needs_caseworker item cannot be accepted as it stands
        #expect(pty.wait(for: "needs your decision"))
        pty.send("na\r")   // the next one can
        #expect(pty.wait(for: "Saved: accepted"))
        pty.send("o1\r")   // half-way through an override of the needs_caseworker item (the next open one)
        #expect(pty.wait(for: "Choose who handles it"))
        pty.send("\u{03}")
        #expect(pty.waitForExit() == 0)
        #expect(try store.effectiveDecision(for: routedID)?.decision.madeBy == "caseworker:Pat Tester")
        #expect(try store.effectiveDecision(for: cctvID)?.decision.madeBy == "classifier")
        #expect(try store.auditEntries().filter { $0.action == "decision.override" }.isEmpty)
    }

    @Test func sigtermRestoresTheTerminalAndAnEmptyQueueSaysSo() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, db, _) = try TestEnv.makeStore(in: dir, files: [TestEnv.routedFile])
        let empty = try PseudoTerminal(args: ["review", "--db", db, "--outcome", "recorded", "--rules", TestEnv.rulesURL.path],
                                       columns: 80, rows: 24, environment: ["NO_COLOR": "1"])
        #expect(empty.wait(for: "Nothing to review."))
        #expect(empty.waitForExit() == 0)

        // The screen needs a session of its own (util-linux's setsid, on every Debian).
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/setsid"), "setsid is missing: the review screen cannot be tested")
        let pty = try PseudoTerminal(args: ["review", "--db", db, "--as", "Pat Tester", "--rules", TestEnv.rulesURL.path],
                                     columns: 80, rows: 24, environment: ["NO_COLOR": "1"])
        #expect(pty.wait(for: "item 1 of 1"))
        #expect((pty.localModes() & tcflag_t(ECHO | ICANON)) == 0, "not in raw mode")
        let group = tcgetpgrp(pty.master)
        #expect(group > 0)
        if group > 0 { kill(group, SIGTERM) }
        #expect(pty.waitForExit() == 128 + SIGTERM)
        #expect((pty.localModes() & tcflag_t(ECHO | ICANON)) == tcflag_t(ECHO | ICANON), "terminal left in raw mode after SIGTERM")
    }
}
