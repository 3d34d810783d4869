import Foundation
import TriageCore
import TriageIngest
import TriageReclassify

/// One measured run of one tool over one archive.
public struct BenchSample: Codable, Sendable {
    /// `triage` or `python`.
    public var tool: String
    /// `parse` or `classify`.
    public var mode: String
    public var jobs: Int
    public var messages: Int
    public var bytes: Int64
    public var seconds: Double
    /// Peak resident memory (VmHWM) of the process, in KiB.
    public var peakRSSKB: Int
    /// Items that could not be parsed.
    public var errors: Int
    /// FNV-1a 64 of the JSON Lines decisions (ours, classify mode), to compare runs.
    public var outputHash: String?

    public var messagesPerSecond: Double { seconds > 0 ? Double(messages) / seconds : 0 }
    public var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / 1_048_576 / seconds : 0 }

    enum CodingKeys: String, CodingKey {
        case tool, mode, jobs, messages, bytes, seconds, errors
        case peakRSSKB = "peak_rss_kb"
        case outputHash = "output_hash"
    }

    public init(tool: String, mode: String, jobs: Int, messages: Int, bytes: Int64, seconds: Double, peakRSSKB: Int, errors: Int, outputHash: String?) {
        self.tool = tool
        self.mode = mode
        self.jobs = jobs
        self.messages = messages
        self.bytes = bytes
        self.seconds = seconds
        self.peakRSSKB = peakRSSKB
        self.errors = errors
        self.outputHash = outputHash
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tool = try c.decode(String.self, forKey: .tool)
        mode = try c.decode(String.self, forKey: .mode)
        jobs = try c.decodeIfPresent(Int.self, forKey: .jobs) ?? 1
        messages = try c.decode(Int.self, forKey: .messages)
        bytes = try c.decode(Int64.self, forKey: .bytes)
        seconds = try c.decode(Double.self, forKey: .seconds)
        peakRSSKB = try c.decode(Int.self, forKey: .peakRSSKB)
        errors = try c.decodeIfPresent(Int.self, forKey: .errors) ?? 0
        outputHash = try c.decodeIfPresent(String.self, forKey: .outputHash)
    }
}

/// The measuring side of the benchmark.
public enum Bench {
    /// Runs our pipeline over `archive` in this process (the child side of
    /// `triage bench`): every item parsed (and classified), decisions hashed,
    /// not written.
    public static func measure(reclassifier: Reclassifier, archive: String, mode: WorkMode) throws -> BenchSample {
        var reclassifier = reclassifier
        if mode == .classify { reclassifier.preEncode = .jsonl }
        var hasher = FNV1a64()
        var messages = 0, errors = 0
        var bytes: Int64 = 0
        let encoder = StableJSON.encoder()
        let start = DispatchTime.now().uptimeNanoseconds
        try reclassifier.run(paths: [archive], mode: mode) { result in
            messages += 1
            bytes += Int64(result.bytes)
            switch result {
            case .failed(let error, _):
                errors += 1
                hasher.add(Array("unreadable \(error.item)\n".utf8))
            case .decided(let item):
                if mode == .classify {
                    hasher.add(Array((try item.line ?? DecisionOutput.jsonLine(item, encoder: encoder)).utf8))
                    hasher.add([0x0A])
                }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return BenchSample(tool: "triage", mode: mode.rawValue, jobs: reclassifier.jobs, messages: messages, bytes: bytes,
                           seconds: seconds, peakRSSKB: peakRSSKB(), errors: errors,
                           outputHash: mode == .classify ? String(hasher.value, radix: 16) : nil)
    }

    /// This process's peak resident memory (VmHWM), in KiB.
    public static func peakRSSKB() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    /// Runs a child process and decodes the one JSON sample it prints last on standard output.
    /// - Throws: ``GeneratorError`` when it cannot start, fails, or prints no sample.
    /// - Parameter environment: variables added to this process's environment.
    public static func runChild(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> BenchSample {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw GeneratorError(problem: "cannot run \(executable): \(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        guard let last = lines.last(where: { $0.hasPrefix("{") }),
              let sample = try? JSONDecoder().decode(BenchSample.self, from: Data(last.utf8)) else {
            throw GeneratorError(problem: "\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus) without a result")
        }
        return sample
    }

    /// The median of some values (0 for none).
    public static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}

/// FNV-1a, 64 bits: a quick fingerprint of a run's output.
public struct FNV1a64: Sendable {
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    public init() {}

    public mutating func add(_ bytes: [UInt8]) {
        for b in bytes {
            value ^= UInt64(b)
            value = value &* 0x0000_0100_0000_01B3
        }
    }
}

/// The medians of a set of runs of one tool, mode and job count.
public struct BenchLine: Codable, Sendable {
    public var archive: String
    public var archiveMessages: Int
    public var archiveBytes: Int64
    public var tool: String
    public var mode: String
    public var jobs: Int
    public var runs: Int
    public var messagesPerSecond: Double
    public var megabytesPerSecond: Double
    public var medianSeconds: Double
    /// The largest peak RSS of the runs, in MiB.
    public var peakRSSMB: Double
    public var errors: Int
    public var outputHash: String?

    enum CodingKeys: String, CodingKey {
        case archive, tool, mode, jobs, runs, errors
        case archiveMessages = "archive_messages"
        case archiveBytes = "archive_bytes"
        case messagesPerSecond = "messages_per_second"
        case megabytesPerSecond = "megabytes_per_second"
        case medianSeconds = "median_seconds"
        case peakRSSMB = "peak_rss_mb"
        case outputHash = "output_hash"
    }

    /// Summarises samples of one configuration.
    public init(archive: String, samples: [BenchSample]) {
        let first = samples.first
        self.archive = archive
        archiveMessages = first?.messages ?? 0
        archiveBytes = first?.bytes ?? 0
        tool = first?.tool ?? ""
        mode = first?.mode ?? ""
        jobs = first?.jobs ?? 0
        runs = samples.count
        medianSeconds = Bench.median(samples.map(\.seconds))
        messagesPerSecond = Bench.median(samples.map(\.messagesPerSecond))
        megabytesPerSecond = Bench.median(samples.map(\.megabytesPerSecond))
        peakRSSMB = Double(samples.map(\.peakRSSKB).max() ?? 0) / 1024
        errors = samples.map(\.errors).max() ?? 0
        let hashes = Set(samples.compactMap(\.outputHash))
        outputHash = hashes.count == 1 ? hashes.first : (hashes.isEmpty ? nil : "differs between runs")
    }
}
