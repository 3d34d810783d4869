import ArgumentParser
import Foundation
import RuleFiles
import TriageApp
import TriageCore
import TriageIngest
import TriageReclassify

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Generate a synthetic mbox and measure parse and classify throughput and memory against Python's email.",
        discussion: """
            Writes a deterministic synthetic mbox (from Corpus/ and ../shared/mime-corpus, found through \
            $TRIAGE_SHARED or beside the repository) and a smaller one for the linearity check (the first
            --small messages of the same archive), then runs, each as a child process on the same archive:
            triage parse-only and parse-and-classify (median of --runs, every core, and once on one core to \
            check the output is identical), and the baseline Benchmarks/python_baseline.py (Python's email, \
            policy default, full decoding, plus `re` patterns exported from the rules). Prints messages/s, \
            MB/s, peak memory (VmHWM) and the ratios ours/Python.

            With --corpus the archive is yours (a Maildir, a folder of messages or an mbox; repeat --corpus \
            for the linearity check, smallest first) and the peers run beside ours on it when installed:
            Python's email (full decode, the parse baseline), `mu index` (Debian maildir-utils: GMime and \
            Xapian) and `rspamadm mime extract -t` (Debian rspamd, as many processes as --jobs); the regex \
            baseline stays as a secondary line. Benchmarks/build_archive.sh builds a realistic archive.

            Examples:
              triage bench                              # 100,000 messages
              triage bench --corpus /tmp/bench/Maildir --runs 3
              triage bench --corpus small/Maildir --corpus large/Maildir --before /tmp/triage-old --format json

            Exit codes: 0 measured; 2 usage; 3 the decisions of runs that must agree (1 job and every job, \
            this build and --before) differ, or --item-scaling found a shape growing too fast.
              triage bench --messages 10000 --runs 5 --format json
              triage bench --archive /tmp/bench.mbox --reuse
              triage bench --item-scaling --item-sizes 32,64,128,256 --runs 3
            """
    )

    @OptionGroup var ruleOptions: RuleOptions
    @Option(help: "Messages in the archive.") var messages: Int = 100_000
    @Option(help: "Messages in the small archive of the linearity check (0: none).") var small: Int = 10_000
    @Option(help: "Seed of the generator.") var seed: UInt64 = 1
    @Option(help: "Worker threads (default: every core).") var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Runs of ours per measure (the median is reported).") var runs: Int = 3
    @Option(help: "Runs of the Python baseline per measure.") var baselineRuns: Int = 1
    @Option(help: "Write the archive here (default: a temporary folder, removed after).") var archive: String?
    @Flag(help: "Use --archive as it is if it exists.") var reuse = false
    @Flag(help: "Skip the Python baseline.") var noBaseline = false
    @Flag(help: "On the large archive measure only ours (no Python): the ratios are then taken on the small archive; the 1-job identity check still runs on both.") var largeOursOnly = false
    @Option(help: "The baseline script (default: Benchmarks/python_baseline.py beside Rules/).") var pythonScript: String?
    @Option(help: "The force profile.") var force: String?
    @OptionGroup var formatOptions: FormatOptions
    var format: OutputFormat { formatOptions.format }
    @Flag(help: "Measure instead how classify time grows with the size of one item (hostile shapes at doubling sizes, parse of the same bytes as the baseline); exits 3 when a shape grows faster than --max-growth per doubling.") var itemScaling = false
    @Option(help: "Item sizes for --item-scaling, in KB, comma-separated.") var itemSizes: String = "32,64,128,256"
    @Option(help: "Largest acceptable time ratio per doubling for --item-scaling.") var maxGrowth: Double = 2.5
    @Option(help: "Measure this archive instead of a generated one: a Maildir, a folder of messages or an mbox. Repeat it (smallest first) for the linearity check.") var corpus: [String] = []
    @Flag(help: "With --corpus: skip the peers (mu index, rspamadm mime extract, Python's email).") var noPeers = false
    @Flag(help: "With --corpus: skip the regex baseline (Python's email plus `re`, slow).") var noRegexBaseline = false
    @Option(help: "Another triage binary (e.g. the build before a change) measured beside this one on the same archives; its decisions are compared by hash.") var before: String?
    @Option(help: .hidden) var child: String?
    @Option(help: "Write the rules' phrases as Python regular expressions (JSON) to this file and stop.") var phrasesOut: String?

    func validate() throws {
        if messages < 1 { throw ValidationError("--messages must be at least 1.") }
        if runs < 1 || baselineRuns < 1 { throw ValidationError("--runs and --baseline-runs must be at least 1.") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
        if child != nil && archive == nil { throw ValidationError("--child needs --archive.") }
        if !corpus.isEmpty && archive != nil { throw ValidationError("--corpus and --archive cannot be used together.") }
        for path in corpus where !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("--corpus \(path): no such file or folder.")
        }
        if let before, !FileManager.default.isExecutableFile(atPath: before) {
            throw ValidationError("--before \(before): not an executable file.")
        }
    }

    func run() throws {
        let (directory, compiled) = try ruleOptions.load()
        let forceId = force ?? directory.defaultForce()
        if let phrasesOut {
            let data = try JSONSerialization.data(withJSONObject: PhraseExport.regexes(compiled.ruleSet), options: [.sortedKeys, .prettyPrinted])
            guard FileManager.default.createFile(atPath: phrasesOut, contents: data) else { throw ValidationError("Cannot write \(phrasesOut).") }
            return
        }
        if itemScaling { return try runItemScaling(compiled: compiled, force: forceId) }
        if let child {
            guard let mode = WorkMode(rawValue: child) else { throw ValidationError("--child parse|classify") }
            let reclassifier = Reclassifier(ingester: try makeIngester(ruleOptions), classifier: Classifier(compiled), force: forceId, jobs: jobs)
            let sample = try Bench.measure(reclassifier: reclassifier, archive: archive ?? "", mode: mode)
            print(try StableJSON.line(sample))
            return
        }
        let repoRoot = directory.url.deletingLastPathComponent().path
        let fm = FileManager.default
        let workDir = fm.temporaryDirectory.appendingPathComponent("triage-bench-\(getpid())").path
        try fm.createDirectory(atPath: workDir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: workDir) }

        // The archives: given (--corpus), or generated.
        var archives: [(path: String, name: String)] = []
        if corpus.isEmpty {
            let shared = ProcessInfo.processInfo.environment["TRIAGE_SHARED"] ?? (repoRoot as NSString).appendingPathComponent("../shared")
            let mimeCorpus = (shared as NSString).appendingPathComponent("mime-corpus")
            let generator = try ArchiveGenerator(corpus: (repoRoot as NSString).appendingPathComponent("Corpus"),
                                                 mimeCorpus: fm.fileExists(atPath: mimeCorpus) ? mimeCorpus : nil)
            let large = archive ?? workDir + "/bench-\(messages).mbox"
            var generated: [(path: String, count: Int)] = []
            if small > 0 && small < messages { generated.append((workDir + "/bench-\(small).mbox", small)) }
            generated.append((large, messages))
            for (path, count) in generated {
                archives.append((path, "\(count) messages"))
                if reuse && path == archive && fm.fileExists(atPath: path) { continue }
                note("generating \(count) messages (seed \(seed)) → \(path)")
                let t = Date()
                let size = try generator.write(count: count, seed: seed, to: path)
                note(String(format: "  %.1f MB in %.1f s", Double(size) / 1_048_576, Date().timeIntervalSince(t)))
            }
        } else {
            archives = corpus.map { ($0, $0) }
        }
        let phrasesPath = workDir + "/phrases.json"
        let phrases = try JSONSerialization.data(withJSONObject: PhraseExport.regexes(compiled.ruleSet), options: [.sortedKeys])
        _ = fm.createFile(atPath: phrasesPath, contents: phrases)

        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        var base = ["bench", "--force", forceId]
        if let rules = ruleOptions.rules { base += ["--rules", rules] } else { base += ["--rules", directory.url.path] }
        let script = pythonScript ?? (repoRoot as NSString).appendingPathComponent("Benchmarks/python_baseline.py")
        let peersScript = (repoRoot as NSString).appendingPathComponent("Benchmarks/peers.py")
        let python = noBaseline ? nil : Self.which("python3")
        if !noBaseline && python == nil { note("python3 not found: the baseline is skipped") }

        /// Runs of one triage binary in child processes: one line of medians.
        func ours(_ binary: String, tool: String, _ mode: String, jobs: Int, runs: Int, _ path: String, _ name: String) throws -> BenchLine {
            var samples: [BenchSample] = []
            for r in 0..<runs {
                note("\(tool) \(mode), \(jobs) jobs, \(name), run \(r + 1)/\(runs)")
                var sample = try Bench.runChild(binary, base + ["--child", mode, "--archive", path, "--jobs", String(jobs)], environment: Self.childEnvironment)
                sample.tool = tool
                samples.append(sample)
            }
            return BenchLine(archive: name, samples: samples)
        }
        /// Runs of a peer (a script printing one sample); nil, with a note, when it cannot run here.
        func peer(_ label: String, _ arguments: [String], _ name: String) -> BenchLine? {
            guard let python else { return nil }
            var samples: [BenchSample] = []
            for r in 0..<baselineRuns {
                note("\(label), \(name), run \(r + 1)/\(baselineRuns)")
                do { samples.append(try Bench.runChild(python, arguments)) } catch {
                    note("\(label) skipped: \(error)")
                    return nil
                }
            }
            return BenchLine(archive: name, samples: samples)
        }

        var lines: [BenchLine] = []
        for (path, name) in archives {
            for mode in ["parse", "classify"] {
                lines.append(try ours(me, tool: "triage", mode, jobs: jobs, runs: runs, path, name))
            }
            let quick = largeOursOnly && archives.count > 1 && path == archives.last?.path
            if jobs > 1 {
                // With --corpus the 1-job line is a figure of its own (the scaling ratio), so it gets every run.
                lines.append(try ours(me, tool: "triage", "classify", jobs: 1, runs: corpus.isEmpty ? 1 : runs, path, name))
            }
            if let before {
                lines.append(try ours(before, tool: "before", "classify", jobs: jobs, runs: runs, path, name))
            }
            if quick { continue }
            if !corpus.isEmpty && !noPeers {
                let isFolder = (try? fm.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeDirectory
                lines += [peer("python email (full decode)", [script, "parse", path], name)].compactMap { $0 }
                if isFolder {
                    lines += [peer("mu index", [peersScript, "mu", path, String(jobs)], name),
                              peer("rspamadm mime extract -t", [peersScript, "rspamd", path, String(jobs)], name)].compactMap { $0 }
                } else {
                    note("mu index and rspamadm read a Maildir or a folder of messages, not an mbox: skipped for \(path)")
                }
                if !noRegexBaseline {
                    lines += [peer("python email + re (regex baseline)", [script, "classify", path, phrasesPath], name)].compactMap { $0 }
                }
            } else if corpus.isEmpty, python != nil {
                lines += ["parse", "classify"].compactMap { mode in
                    peer("python \(mode)", [script, mode, path] + (mode == "classify" ? [phrasesPath] : []), name)
                }
            }
        }
        let result = BenchResult(lines: lines, jobs: jobs, seed: seed, large: archives.last?.name ?? "",
                                 small: archives.count > 1 ? archives.first?.name : nil, load: Self.loadAverage(),
                                 command: CommandLine.arguments.dropFirst().joined(separator: " "))
        switch format {
        case .json: print(JSONFormat.versioned(try StableJSON.encoder(pretty: true).encode(result).utf8String))
        case .text: print(result.text())
        }
        if let differing = result.identical.first(where: { !$0.value })?.key {
            Diagnostics.error("bench: the decisions differ between runs that must agree (\(differing))")
            throw ExitCodes.checkFailed
        }
    }

    private func note(_ s: String) { Diagnostics.note("bench: " + s) }

    /// Our children hash with a fixed seed: the classifier picks some explanation
    /// quotes in dictionary order, which otherwise varies from process to
    /// process, and the 1-job and N-job outputs are compared across processes.
    static let childEnvironment = ["SWIFT_DETERMINISTIC_HASHING": "1"]

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    }
}

extension Data {
    var utf8String: String { String(decoding: self, as: UTF8.self) }
}

/// Everything one `triage bench` measured, with the checks the issue asks for.
struct BenchResult: Encodable {
    var lines: [BenchLine]
    var jobs: Int
    var seed: UInt64
    var large: String
    var small: String?
    /// The 1-, 5- and 15-minute load averages at the end.
    var load: String
    var command: String

    func line(_ archive: String, _ tool: String, _ mode: String, jobs: Int? = nil) -> BenchLine? {
        lines.first { $0.archive == archive && $0.tool == tool && $0.mode == mode && (jobs == nil || $0.jobs == jobs) }
    }

    /// Our rate over each other's, per archive: Python (parse; classify with `re`), the peers
    /// (`mu index`, `rspamadm mime extract`: against our parse and classify), all jobs over 1 job,
    /// and this build over `--before`.
    var ratios: [String: Double] {
        var out: [String: Double] = [:]
        func ratio(_ key: String, _ a: BenchLine?, _ b: BenchLine?) {
            if let a, let b, b.messagesPerSecond > 0 { out[key] = a.messagesPerSecond / b.messagesPerSecond }
        }
        for archive in [small, large].compactMap({ $0 }) {
            let classify = line(archive, "triage", "classify", jobs: jobs)
            for mode in ["parse", "classify"] {
                ratio("\(archive): \(mode)", line(archive, "triage", mode, jobs: jobs), line(archive, "python", mode))
            }
            ratio("\(archive): classify / python email parse", classify, line(archive, "python", "parse"))
            ratio("\(archive): classify / mu index", classify, line(archive, "mu", "index"))
            ratio("\(archive): parse / mu index", line(archive, "triage", "parse", jobs: jobs), line(archive, "mu", "index"))
            ratio("\(archive): classify / rspamadm mime extract", classify, line(archive, "rspamd", "extract"))
            if jobs > 1 { ratio("\(archive): classify \(jobs) jobs / 1 job", classify, line(archive, "triage", "classify", jobs: 1)) }
            ratio("\(archive): classify / before", classify, line(archive, "before", "classify", jobs: jobs))
        }
        return out
    }

    /// Classify rate on the large archive over the rate on the small one (1 = linear).
    var linearity: Double? {
        guard let small, let a = line(small, "triage", "classify", jobs: jobs), let b = line(large, "triage", "classify", jobs: jobs),
              a.messagesPerSecond > 0 else { return nil }
        return b.messagesPerSecond / a.messagesPerSecond
    }

    /// True when 1 job and all jobs gave the same decisions, per archive; and (key `… before`)
    /// when this build and `--before` did.
    var identical: [String: Bool] {
        var out: [String: Bool] = [:]
        for archive in [small, large].compactMap({ $0 }) {
            guard let all = line(archive, "triage", "classify", jobs: jobs) else { continue }
            if jobs > 1, let one = line(archive, "triage", "classify", jobs: 1) {
                out[archive] = all.outputHash != nil && all.outputHash == one.outputHash
            }
            if let before = line(archive, "before", "classify") {
                out[archive + " before"] = all.outputHash != nil && all.outputHash == before.outputHash
            }
        }
        return out
    }

    enum CodingKeys: String, CodingKey { case lines, jobs, seed, large, small, load, command, ratios, linearity, identical }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lines, forKey: .lines)
        try c.encode(jobs, forKey: .jobs)
        try c.encode(seed, forKey: .seed)
        try c.encode(large, forKey: .large)
        try c.encodeIfPresent(small, forKey: .small)
        try c.encode(load, forKey: .load)
        try c.encode(command, forKey: .command)
        try c.encode(ratios, forKey: .ratios)
        try c.encodeIfPresent(linearity, forKey: .linearity)
        try c.encode(identical, forKey: .identical)
    }

    func text() -> String {
        var out: [String] = []
        func pad(_ s: String, _ n: Int, left: Bool = false) -> String {
            s.count >= n ? s : (left ? String(repeating: " ", count: n - s.count) + s : s + String(repeating: " ", count: n - s.count))
        }
        out.append(pad("archive", 18) + " " + pad("tool", 8) + pad("mode", 10) + pad("jobs", 6, left: true) + pad("runs", 6, left: true)
                   + pad("msg/s", 11, left: true) + pad("MB/s", 9, left: true) + pad("median s", 10, left: true) + pad("peak MB", 9, left: true) + pad("errors", 8, left: true))
        for l in lines {
            let size = String(format: " (%.0f MB)", Double(l.archiveBytes) / 1_048_576)
            out.append(pad(l.archive + (l.tool == "triage" && l.mode == "parse" ? size : ""), 18) + " " + pad(l.tool, 8) + pad(l.mode, 10)
                       + pad(String(l.jobs), 6, left: true) + pad(String(l.runs), 6, left: true)
                       + pad(String(format: "%.0f", l.messagesPerSecond), 11, left: true) + pad(String(format: "%.1f", l.megabytesPerSecond), 9, left: true)
                       + pad(String(format: "%.2f", l.medianSeconds), 10, left: true) + pad(String(format: "%.0f", l.peakRSSMB), 9, left: true)
                       + pad(String(l.errors), 8, left: true))
        }
        out.append("")
        for (key, value) in ratios.sorted(by: { $0.key < $1.key }) {
            let named = key.contains(" / ") ? key : key + " / python"
            out.append("ratio \(named): " + String(format: "%.2f", value) + "×")
        }
        if let linearity {
            out.append("linearity (classify msg/s at \(large) ÷ at \(small ?? "")): " + String(format: "%.2f", linearity))
        }
        for (archive, same) in identical.sorted(by: { $0.key < $1.key }) {
            if archive.hasSuffix(" before") {
                out.append("output identical with --before, \(archive.dropLast(7)): \(same ? "yes" : "NO")")
            } else {
                out.append("output identical with 1 job and \(jobs) jobs, \(archive): \(same ? "yes" : "NO")")
            }
        }
        if let l = line(large, "triage", "classify", jobs: jobs) {
            out.append("peak memory, classify, \(large): " + String(format: "%.0f", l.peakRSSMB) + " MB (target < 200 MB)")
        }
        out.append("load average at the end: \(load)")
        out.append("command: triage \(command)")
        return out.joined(separator: "\n")
    }
}

extension BenchCommand {
    /// `--item-scaling`: the classifier's linear-time benchmark (``ItemScaling``).
    func runItemScaling(compiled: CompiledRuleSet, force: String) throws {
        let sizes = itemSizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.map { $0 * 1024 }
        guard sizes.count >= 2, sizes.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--item-sizes needs at least two sizes in KB, e.g. 32,64,128.")
        }
        let results = try ItemScaling.measure(ingester: try makeIngester(ruleOptions), classifier: Classifier(compiled), force: force,
                                              sizes: sizes, runs: runs, progress: { note("measuring \($0)") })
        switch format {
        case .json:
            for r in results { print(JSONFormat.versioned(try StableJSON.line(r))) }
        case .text:
            print(ItemScaling.text(results, limit: maxGrowth))
        }
        if results.contains(where: { !($0.growthPerDoubling <= maxGrowth) }) {
            Diagnostics.error("classify time grows faster than \(maxGrowth)× per doubling of the item on some shape")
            throw ExitCodes.checkFailed
        }
    }
}
