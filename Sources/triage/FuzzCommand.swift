import ArgumentParser
import Foundation
import TriageCore
import TriageIngest
import TriageReclassify

/// A deterministic mutation fuzzer for the parsers and the classifier
/// (issue 13). Each input is a seed file mutated as zzuf and AFL do (bit
/// flips, hostile bytes, inserted, deleted, repeated and spliced chunks,
/// deep nesting, truncation), then parsed (and classified). It checks that
/// every input ends as an item or as an error naming the item (never a crash,
/// a hang or a silent drop), and records the slowest inputs.
///
/// A crash kills the process: `.ci/fuzz.sh` supervises, saving the input
/// from `WORKDIR/current.bin` as a regression fixture and going on from the
/// next index. An input over `--hang-seconds` is saved the same way by the
/// watchdog, which then exits 124.
struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Mutation-fuzz a parser or the classifier (used by .ci/fuzz.sh).",
        discussion: """
            Targets: mime (email), form (web form posts), letter (HTML/XML letters), classify (parse any seed, \
            then classify within the item budget). Seeds are files or folders. The same --seed gives the same \
            inputs. Prints one JSON summary line; exits 3 when an input was dropped silently or took longer \
            than --slow-seconds (with --fail-on-slow), 124 when the watchdog stopped a hang.

            Examples:
              triage fuzz --target mime --runs 50000 --seeds ../shared/mime-corpus Corpus Tests/Fixtures/mail --workdir /tmp/fz
              triage fuzz --target classify --runs 2000 --seeds Corpus --workdir /tmp/fz --start 1200
            """,
        shouldDisplay: false
    )

    enum Target: String, ExpressibleByArgument, CaseIterable { case mime, form, letter, classify }

    @Option(help: "mime, form, letter or classify.") var target: Target
    @Option(help: "Inputs to run.") var runs: Int = 1000
    @Option(help: "First input index (to go on after a crash or hang).") var start: Int = 0
    @Option(help: "PRNG seed.") var seed: UInt64 = 13
    @Option(parsing: .upToNextOption, help: "Seed files or folders.") var seeds: [String]
    @Option(help: "Folder for current.bin and the saved slow inputs.") var workdir: String
    @Option(help: "An input taking longer than this (seconds) is recorded as slow.") var slowSeconds: Double = 2
    @Option(help: "The watchdog stops the run on an input taking longer than this (seconds).") var hangSeconds: Double = 60
    @Flag(help: "Exit 3 when any input was slow.") var failOnSlow = false
    @OptionGroup var ruleOptions: RuleOptions

    struct Summary: Encodable {
        var target: String
        var start: Int
        var inputs = 0
        var items = 0
        var errors = 0
        var dropped = 0
        var echoes = 0
        var slow = 0
        var slowest_seconds = 0.0
        var slowest_index = -1
        var seconds = 0.0
        var peak_rss_mb = 0.0
        var largest_input_bytes = 0
        var seeds = 0
    }

    func run() throws {
        let corpus = FuzzSeeds.load(seeds, target: target)
        guard !corpus.isEmpty else { throw ValidationError("No seed files for \(target.rawValue) under \(seeds.joined(separator: ", ")).") }
        try FileManager.default.createDirectory(atPath: workdir + "/slow", withIntermediateDirectories: true)
        let ingester = try makeIngester(ruleOptions)
        let classifier: Classifier? = target == .classify ? Classifier(try LoadedRules(ruleOptions, force: nil).compiled) : nil
        let forceId = target == .classify ? try LoadedRules(ruleOptions, force: nil).forceId : ""
        let budget = try loadItemBudget()
        let watchdog = FuzzWatchdog(limit: hangSeconds, workdir: workdir)
        var summary = Summary(target: target.rawValue, start: start, seeds: corpus.count)
        let began = Date()
        for index in start..<(start + runs) {
            var rng = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
            let base = corpus[Int(rng.next() % UInt64(corpus.count))]
            let other = corpus[Int(rng.next() % UInt64(corpus.count))]
            let bytes = FuzzMutator.mutate(base.bytes, splice: other.bytes, rng: &rng)
            summary.largest_input_bytes = max(summary.largest_input_bytes, bytes.count)
            let raw = RawItem(bytes: bytes, source: "fuzz/\(target.rawValue)/\(index).\(base.ext)")
            watchdog.begin(index: index, bytes: bytes)
            let t0 = DispatchTime.now().uptimeNanoseconds
            do {
                let item = try ingester.parse(raw)
                if let classifier {
                    // A decision always has an outcome (a contract word, by its type): nothing to count as dropped here.
                    _ = classifier.classify(item, force: forceId, budget: budget, rawBytes: bytes.count)
                }
                summary.items += 1
            } catch let e as IngestError {
                // An error must name the item; otherwise the item would be lost without a trace.
                if e.item.isEmpty || e.problem.isEmpty { summary.dropped += 1 } else { summary.errors += 1 }
                // Errors name the problem, never the item's content.
                if FuzzCommand.echoes(e.problem, of: bytes) {
                    summary.echoes += 1
                    _ = FileManager.default.createFile(atPath: "\(workdir)/slow/echo-\(target.rawValue)-\(index).\(base.ext)", contents: Data(bytes))
                    FileHandle.standardError.write(Data("fuzz: input \(index): the error echoes the input: \(TerminalSafe.inline(e.problem))\n".utf8))
                }
            } catch {
                summary.errors += 1
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            watchdog.end()
            summary.inputs += 1
            if seconds > summary.slowest_seconds { summary.slowest_seconds = seconds; summary.slowest_index = index }
            if seconds > slowSeconds {
                summary.slow += 1
                let name = "\(workdir)/slow/\(target.rawValue)-\(index)-\(Int(seconds * 1000))ms.\(base.ext)"
                _ = FileManager.default.createFile(atPath: name, contents: Data(bytes))
            }
        }
        summary.seconds = Date().timeIntervalSince(began)
        summary.peak_rss_mb = FuzzWatchdog.peakRSSMegabytes()
        print(JSONFormat.versioned(try StableJSON.line(summary)))
        if summary.dropped > 0 || (failOnSlow && summary.slow > 0) { throw ExitCodes.checkFailed }
    }
}

extension FuzzCommand {
    /// True when `problem` repeats 24 or more bytes of the input.
    static func echoes(_ problem: String, of input: [UInt8]) -> Bool {
        let p = Array(problem.utf8)
        guard p.count >= 24, input.count >= 24 else { return false }
        let data = Data(input)
        var i = 0
        while i + 24 <= p.count {
            if data.range(of: Data(p[i..<(i + 24)])) != nil { return true }
            i += 8
        }
        return false
    }
}

/// The seed files of a target.
enum FuzzSeeds {
    struct Seed { var bytes: [UInt8]; var ext: String }

    static let extensions: [FuzzCommand.Target: Set<String>] = [
        .mime: ["eml", "txt", "msg", ""],
        .form: ["form", "http", "json"],
        .letter: ["html", "htm", "xml"],
        .classify: ["eml", "txt", "form", "http", "json", "html", "htm", "xml"],
    ]

    static func load(_ roots: [String], target: FuzzCommand.Target) -> [Seed] {
        let wanted = extensions[target] ?? []
        var out: [Seed] = []
        for root in roots {
            var files: [String] = []
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                let walker = FileManager.default.enumerator(atPath: root)
                while let rel = walker?.nextObject() as? String { files.append(root + "/" + rel) }
            } else {
                files.append(root)
            }
            for path in files.sorted() {
                let name = (path as NSString).lastPathComponent
                if name.hasPrefix(".") || ItemSource.ignoredNames.contains(name) || name.hasSuffix(".yaml") || name.hasSuffix(".md") { continue }
                let ext = (name as NSString).pathExtension.lowercased()
                guard wanted.contains(ext) else { continue }
                guard let data = FileManager.default.contents(atPath: path), !data.isEmpty, data.count <= 4 << 20 else { continue }
                out.append(Seed(bytes: [UInt8](data), ext: ext.isEmpty ? "eml" : ext))
            }
        }
        return out
    }
}

/// Mutations of one seed, in the manner of zzuf and AFL's havoc stage, plus
/// the structural ones that hurt parsers of mail and markup.
enum FuzzMutator {
    static let hostile: [UInt8] = [0x00, 0x1B, 0x07, 0x9B, 0xFF, 0xFE, 0x0A, 0x0D, 0x2D, 0x3D, 0x3C, 0x3E, 0x22, 0x3A, 0x3B, 0x26, 0x25, 0x5C, 0x7F, 0x20]
    static let tokens: [String] = [
        "\r\n\r\n", "--", "boundary=", "Content-Type: multipart/mixed; boundary=\"b\"\r\n", "Content-Transfer-Encoding: base64\r\n",
        "=?utf-8?q?=1B]0;x=07?=", "=?utf-8?b?", "?=", "> ", ">>>>>>>>", "On Mon, 9 Nov 2026, someone wrote:\n", "-- \n",
        "<div>", "</div>", "<![CDATA[", "]]>", "&#x1b;", "&amp;", "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>", "&a;",
        "%1B", "%0D%0A", "&", "=", "\u{1B}[2J", "\u{1B}]8;;https://example.com/\u{07}", "complaint", "police officer", "PC ",
        "Chief Constable", "not good enough", "\u{202E}", "\u{FEFF}", "\\", "\"", "{", "}", "[", "]",
    ]

    static func mutate(_ seed: [UInt8], splice: [UInt8], rng: inout SplitMix64) -> [UInt8] {
        var b = seed
        let rounds = 1 + Int(rng.next() % 8)
        for _ in 0..<rounds { apply(&b, splice: splice, rng: &rng) }
        if b.count > 8 << 20 { b.removeLast(b.count - (8 << 20)) }
        return b
    }

    static func pick(_ n: Int, _ rng: inout SplitMix64) -> Int { n <= 0 ? 0 : Int(rng.next() % UInt64(n)) }

    static func apply(_ b: inout [UInt8], splice: [UInt8], rng: inout SplitMix64) {
        let kind = rng.next() % 12
        let at = pick(b.count + 1, &rng)
        switch kind {
        case 0 where !b.isEmpty:   // bit flips (zzuf's default)
            for _ in 0..<(1 + pick(16, &rng)) { let i = pick(b.count, &rng); b[i] ^= UInt8(1 << pick(8, &rng)) }
        case 1 where !b.isEmpty:   // hostile bytes
            for _ in 0..<(1 + pick(8, &rng)) { b[pick(b.count, &rng)] = hostile[pick(hostile.count, &rng)] }
        case 2:   // insert a token
            b.insert(contentsOf: Array(tokens[pick(tokens.count, &rng)].utf8), at: at)
        case 3 where !b.isEmpty:   // delete a chunk
            let n = min(b.count - min(at, b.count), 1 + pick(256, &rng))
            if at < b.count { b.removeSubrange(at..<(at + n)) }
        case 4 where !b.isEmpty:   // repeat a chunk many times (quadratic paths)
            let from = pick(b.count, &rng), n = min(b.count - from, 1 + pick(80, &rng))
            let chunk = Array(b[from..<(from + n)])
            let many = rng.next() % 8 == 0
            let times = 2 + pick(many ? 2000 : 40, &rng)
            var grown: [UInt8] = []
            grown.reserveCapacity(chunk.count * times)
            for _ in 0..<times { grown.append(contentsOf: chunk) }
            b.insert(contentsOf: grown, at: at)
        case 5:   // splice in part of another seed
            guard !splice.isEmpty else { return }
            let from = pick(splice.count, &rng), n = min(splice.count - from, 1 + pick(4096, &rng))
            b.insert(contentsOf: splice[from..<(from + n)], at: at)
        case 6 where !b.isEmpty:   // truncate
            b.removeSubrange(pick(b.count, &rng)..<b.count)
        case 7:   // deep nesting
            let open = ["<div>", "> ", "(", "[", "{\"a\":"][pick(5, &rng)]
            let depth = 10 + pick(3000, &rng)
            b.insert(contentsOf: Array(String(repeating: open, count: depth).utf8), at: at)
        case 8 where !b.isEmpty:   // overwrite with one byte (long runs)
            let n = min(b.count - min(at, b.count), 1 + pick(1024, &rng))
            if at < b.count { for i in at..<(at + n) { b[i] = hostile[pick(hostile.count, &rng)] } }
        case 9:   // many short lines of quoting (attribution segments)
            let lines = 10 + pick(400, &rng)
            var text = ""
            for i in 0..<lines { text += (i % 3 == 0 ? "On Tue, someone wrote:\n" : "> complaint \(i)\n") }
            b.insert(contentsOf: Array(text.utf8), at: at)
        case 10 where !b.isEmpty:   // swap two bytes
            let i = pick(b.count, &rng), j = pick(b.count, &rng)
            b.swapAt(i, j)
        default:   // CRLF ↔ LF at random places
            b.insert(contentsOf: rng.next() % 2 == 0 ? [0x0D, 0x0A] : [0x0A], at: at)
        }
    }
}

/// Stops the run when one input takes longer than the limit, after saving it.
final class FuzzWatchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var index = -1
    private var startedAt: UInt64 = 0
    private let limit: Double
    private let workdir: String

    init(limit: Double, workdir: String) {
        self.limit = limit
        self.workdir = workdir
        let thread = Thread { [self] in self.watch() }
        thread.start()
    }

    /// Records the input in hand (`current.bin`, `current.idx`) for the supervisor.
    func begin(index: Int, bytes: [UInt8]) {
        _ = FileManager.default.createFile(atPath: workdir + "/current.bin", contents: Data(bytes))
        _ = FileManager.default.createFile(atPath: workdir + "/current.idx", contents: Data("\(index)\n".utf8))
        lock.withLock { self.index = index; startedAt = DispatchTime.now().uptimeNanoseconds }
    }

    func end() { lock.withLock { index = -1 } }

    private func watch() {
        while true {
            usleep(200_000)
            let (i, t) = lock.withLock { (index, startedAt) }
            guard i >= 0 else { continue }
            if Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9 > limit {
                FileHandle.standardError.write(Data("fuzz: input \(i) took over \(limit) s: hang\n".utf8))
                exit(124)
            }
        }
    }

    /// The process's peak resident memory (ru_maxrss), in MB.
    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        _ = getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
