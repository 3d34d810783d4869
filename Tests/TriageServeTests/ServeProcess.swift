import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The built `triage serve` as a child process on 127.0.0.1 (a free port it
/// picks itself and logs), for the SIGTERM and SIGKILL tests.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    let logPath: String

    init(db: String, dir: URL, extra: [String] = []) throws {
        guard let bin = ServeTestEnv.triageBinary else { throw ServeTestError("build the triage binary first (swift build)") }
        logPath = dir.appendingPathComponent("serve-\(UUID().uuidString.prefix(6)).log").path
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: bin)
        process.arguments = ["serve", "--db", db, "--listen", "127.0.0.1:0", "--rules", ServeTestEnv.rulesURL.path] + extra
        process.currentDirectoryURL = dir
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: logPath)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var found: Int? = nil
        for _ in 0..<600 where found == nil {
            usleep(50_000)
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let r = log.range(of: #"address=127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                found = Int(log[r].split(separator: ":").last ?? "")
            }
            if !process.isRunning { break }
        }
        guard let found else {
            process.terminate()
            throw ServeTestError("triage serve did not start: \((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")")
        }
        port = found
    }

    func signal(_ sig: Int32) { Glibc.kill(process.processIdentifier, sig) }

    /// Waits for the process to end; its exit status, or nil after `seconds`.
    func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// SIGKILL, if still running.
    func kill() {
        if process.isRunning { signal(SIGKILL) }
        _ = waitForExit(seconds: 10)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}
