import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// What several test suites need, written once: the repository's paths, the
/// built `triage` binary and a way to run it (swift-subprocess). The seeded
/// random generator is the core's `SplitMix64`.
public enum TestPaths {
    /// The repository root (three levels above this file).
    public static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `Rules/` directory of the repository.
    public static var rules: URL { repo.appendingPathComponent("Rules") }

    /// The built `triage` binary: beside the test bundle (in the build folder),
    /// else `.build/debug/triage`.
    public static let triage: String = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for _ in 0..<4 {
            dir.deleteLastPathComponent()
            let candidate = dir.appendingPathComponent("triage").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return repo.appendingPathComponent(".build/debug/triage").path
    }()
}

/// One run of a program: exit status and both outputs.
public struct ProcessResult: Sendable {
    /// The exit status (128 + the signal's number when a signal ended it).
    public var status: Int32
    /// Standard output, as UTF-8 (invalid bytes repaired).
    public var out: String
    /// Standard error, as UTF-8.
    public var err: String
    /// How long the program ran (from start to exit, not counting the wait for a slot).
    public var seconds: Double

    /// A result, as a program gave it.
    public init(status: Int32, out: String, err: String, seconds: Double = 0) {
        self.status = status
        self.out = out
        self.err = err
        self.seconds = seconds
    }
}

/// At most as many programs at once as there are cores: async tests free
/// their thread while a program runs, so without this every test of a suite
/// would start its program at the same moment and time limits would measure
/// the crowd, not the program.
actor ProcessSlots {
    static let shared = ProcessSlots(ProcessInfo.processInfo.activeProcessorCount)
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) { free = max(1, count) }

    func acquire() async {
        if free > 0 { free -= 1; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}

/// Runs programs for tests with swift-subprocess.
public enum TestProcess {
    /// Runs `triage` with `arguments` in the repository root.
    /// - Parameters:
    ///   - arguments: the command line after `triage`.
    ///   - environment: variables set on top of this process's environment.
    ///   - directory: the working directory (the repository root by default).
    /// - Returns: its exit status and outputs (up to 64 MiB each).
    public static func triage(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil) async throws -> ProcessResult {
        try await run(TestPaths.triage, arguments, environment: environment, directory: directory ?? TestPaths.repo)
    }

    /// Runs a program by path.
    public static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:], directory: URL) async throws -> ProcessResult {
        await ProcessSlots.shared.acquire()
        let started = ContinuousClock.now
        defer { Task { await ProcessSlots.shared.release() } }
        var overrides: [Environment.Key: String?] = [:]
        for (key, value) in environment { overrides[Environment.Key(stringLiteral: key)] = value }
        let result = try await Subprocess.run(
            .path(FilePath(path)),
            arguments: Arguments(arguments),
            environment: .inherit.updating(overrides),
            workingDirectory: FilePath(directory.path),
            output: .string(limit: 64 << 20),
            error: .string(limit: 64 << 20)
        )
        let status: Int32
        switch result.terminationStatus {
        case .exited(let code): status = Int32(code)
        case .signaled(let signal): status = 128 + Int32(signal)
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return ProcessResult(status: status, out: result.standardOutput ?? "", err: result.standardError ?? "", seconds: seconds)
    }
}

/// Limits for tests that prove a parser ends on hostile input. These are
/// watchdogs against hangs, not speed checks: speed is measured side by side
/// with a baseline in `triage bench` (`--item-scaling` proves linear time).
/// A loaded 2-core CI machine running 500 tests at once can slow one step a
/// hundredfold, so the limit is far above any honest run.
public enum HangWatchdog {
    /// Longer than any honest run of a bounded parser on a loaded machine.
    public static let limit: Duration = .seconds(300)
}
