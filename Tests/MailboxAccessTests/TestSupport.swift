import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import MailboxAccess

/// Paths and fixtures for the MailboxAccess tests.
enum TestSupport {
    /// The repository root (three levels above this file).
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A fixture message from Tests/Fixtures/mailbox, with CRLF line ends.
    static func fixture(_ name: String) -> [UInt8] {
        let url = repoRoot.appendingPathComponent("Tests/Fixtures/mailbox/\(name)")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return Array(text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
    }

    static let fixtureNames = ["01-complaint.eml", "02-enquiry.eml", "03-compliment.eml"]

    /// A fresh temporary directory.
    static func temporaryDirectory(_ prefix: String) throws -> String {
        let path = NSTemporaryDirectory() + "/\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Starts a process quietly (output discarded) with extra environment variables.
    static func launch(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func uniqueFolder(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8))"
    }
}

/// The throw-away Dovecot server started by `.ci/dovecot.sh`.
struct DovecotServer: Sendable {
    var host: String
    var imapPort: Int
    var imapsPort: Int
    var user: String
    var password: String
    var caFile: String

    /// True when Debian's dovecot is installed here.
    static let installed: Bool = {
        ["/usr/sbin/dovecot", "/usr/bin/dovecot", "/usr/local/sbin/dovecot"].contains {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }()

    /// Started once per test process (the script is idempotent: an already
    /// running server is reused). nil when dovecot is not installed.
    static let shared: Result<DovecotServer, DovecotStartError>? = {
        guard installed else { return nil }
        do { return .success(try start()) } catch let error as DovecotStartError {
            return .failure(error)
        } catch {
            return .failure(DovecotStartError(description: "\(error)"))
        }
    }()

    struct DovecotStartError: Error, CustomStringConvertible {
        var description: String
    }

    /// The server, or a thrown error explaining why it did not start.
    static func require() throws -> DovecotServer {
        guard let shared else { throw DovecotStartError(description: "dovecot is not installed") }
        return try shared.get()
    }

    private static func start() throws -> DovecotServer {
        // posix_spawn and waitpid rather than Foundation's Process: with a daemon
        // started underneath, Process.waitUntilExit was seen to hang on Linux.
        let script = TestSupport.repoRoot.appendingPathComponent(".ci/dovecot.sh").path
        let outputFile = NSTemporaryDirectory() + "/triage-dovecot-start-\(getpid()).out"
        let command = "exec /bin/sh '\(script)' start >'\(outputFile)' 2>&1 </dev/null"
        let arguments = ["/bin/sh", "-c", command]
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        cArguments.append(nil)
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", nil, nil, &cArguments, environ)
        guard spawned == 0 else { throw DovecotStartError(description: "cannot run \(script): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: outputFile)
        let exitCode = (status >> 8) & 0xFF
        guard status & 0x7F == 0, exitCode == 0 else {
            throw DovecotStartError(description: "\(script) start failed (status \(status)): \(output)")
        }
        let data = Data(output.utf8)
        var values: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        guard let host = values["TRIAGE_DOVECOT_HOST"], let imap = values["TRIAGE_DOVECOT_IMAP_PORT"].flatMap(Int.init),
              let imaps = values["TRIAGE_DOVECOT_IMAPS_PORT"].flatMap(Int.init), let user = values["TRIAGE_DOVECOT_USER"],
              let password = values["TRIAGE_DOVECOT_PASSWORD"], let ca = values["TRIAGE_DOVECOT_CA"]
        else { throw DovecotStartError(description: "unexpected output from \(script)") }
        return DovecotServer(host: host, imapPort: imap, imapsPort: imaps, user: user, password: password, caFile: ca)
    }

    /// A plain-IMAP (loopback, no TLS) configuration for one mailbox.
    func configuration(mailbox: String, password: String? = nil) throws -> IMAPConfiguration {
        var configuration = try IMAPConfiguration(
            url: "imap://\(user)@\(host):\(imapPort)/\(mailbox)", credential: .password(password ?? self.password))
        configuration.requireTLS = false
        configuration.connectTimeout = 10
        configuration.operationTimeout = 30
        return configuration
    }

    /// A client on a fresh folder of its own, created on the server.
    func freshMailbox(_ prefix: String) throws -> IMAPMailbox {
        let folder = TestSupport.uniqueFolder(prefix)
        let mailbox = IMAPMailbox(configuration: try configuration(mailbox: folder))
        try mailbox.createMailbox(folder)
        return mailbox
    }
}
