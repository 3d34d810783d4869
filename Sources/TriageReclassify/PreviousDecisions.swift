import Foundation
import TriageCore

/// The parts of a decision the change report compares. The contract's words
/// stay words here: a previous run's output may come from an older rule set or
/// tool whose words are not today's, and the report shows them as they were.
public struct DecisionSummary: Sendable, Equatable, Codable {
    /// SHA-256 of the item's raw bytes (the key that ties two runs together).
    public var id: String
    /// The item's label (`path@offset` for mbox) or its source.
    public var item: String
    public var kind: String
    public var subject: String
    public var outcome: String
    public var handler: String
    public var reasons: [String]
    public var flags: [String]
    public var rules: [String]
    /// The decision-table row that decided.
    public var row: String
    public var rulesetVersion: String
    /// Who decided, when a caseworker did (`caseworker:NAME`); nil for the rules.
    public var caseworker: String?

    public init(id: String, item: String, kind: String, subject: String, outcome: String, handler: String,
                reasons: [String], flags: [String], rules: [String], row: String, rulesetVersion: String, caseworker: String? = nil) {
        self.id = id
        self.item = item
        self.kind = kind
        self.subject = subject
        self.outcome = outcome
        self.handler = handler
        self.reasons = reasons
        self.flags = flags
        self.rules = rules
        self.row = row
        self.rulesetVersion = rulesetVersion
        self.caseworker = caseworker
    }

    /// The summary of a decision made now.
    public init(_ d: ItemDecision) {
        self.init(d.decision, item: d.label, caseworker: nil)
    }

    /// The summary of a stored or exported decision.
    /// - Parameters:
    ///   - decision: the decision.
    ///   - item: the item's label.
    ///   - caseworker: who decided, when a caseworker did.
    public init(_ decision: Decision, item: String, caseworker: String?) {
        self.init(id: decision.id, item: item, kind: decision.kind.rawValue, subject: decision.subject.rawValue,
                  outcome: decision.outcome.rawValue, handler: decision.handler, reasons: decision.reasons.map(\.rawValue),
                  flags: decision.flags.map(\.rawValue), rules: decision.rules,
                  row: decision.decidedBy.row, rulesetVersion: decision.rulesetVersion, caseworker: caseworker)
    }

    /// Reads one line of a previous run's JSON Lines output. Besides the
    /// contract's keys it understands `item` (the label) and, for exports that
    /// carry overrides, `made_by` (`caseworker:NAME`) or `caseworker` (a name).
    /// - Returns: nil when the line is not a decision object (blank, or without `id`).
    public static func parse(jsonLine line: Substring) -> DecisionSummary? {
        guard line.contains(where: { !$0.isWhitespace }),
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let id = object["id"] as? String else { return nil }
        func string(_ key: String) -> String { object[key] as? String ?? "" }
        func list(_ key: String) -> [String] { (object[key] as? [Any])?.compactMap { $0 as? String } ?? [] }
        var caseworker: String?
        if let madeBy = object["made_by"] as? String, madeBy.hasPrefix("caseworker") { caseworker = madeBy }
        if let name = object["caseworker"] as? String, !name.isEmpty { caseworker = "caseworker:" + name }
        let row = (object["decided_by"] as? [String: Any])?["row"] as? String ?? ""
        let item = (object["item"] as? String) ?? string("source")
        return DecisionSummary(id: id, item: item, kind: string("kind"), subject: string("subject"), outcome: string("outcome"),
                               handler: string("handler"), reasons: list("reasons"), flags: list("flags"), rules: list("rules"),
                               row: row, rulesetVersion: string("ruleset_version"), caseworker: caseworker)
    }
}

/// Reads a file line by line in chunks (memory: one chunk and one line).
public final class LineReader: Sequence, IteratorProtocol {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var eof = false
    /// Lines read so far.
    public private(set) var lineNumber = 0

    /// Opens `path`.
    /// - Throws: when the file cannot be opened.
    public init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw IngestError(item: path, problem: "cannot open the file")
        }
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// The next line without its line end, or nil at the end of the file.
    public func next() -> Substring? {
        while true {
            if let lf = buffer[position...].firstIndex(of: 0x0A) {
                var end = lf
                if end > position, buffer[end - 1] == 0x0D { end -= 1 }
                let line = String(decoding: buffer[position..<end], as: UTF8.self)
                position = lf + 1
                lineNumber += 1
                return Substring(line)
            }
            if eof {
                guard position < buffer.count else { return nil }
                let line = String(decoding: buffer[position...], as: UTF8.self)
                position = buffer.count
                lineNumber += 1
                return Substring(line)
            }
            if position > 0 {
                buffer.removeFirst(position)
                position = 0
            }
            let chunk = (try? handle.read(upToCount: 1 << 20)) ?? nil
            if let chunk, !chunk.isEmpty { buffer.append(contentsOf: chunk) } else { eof = true }
        }
    }
}

/// Decisions of an earlier run (or of the store), matched to the items of this
/// run by item id.
public protocol PreviousDecisions: AnyObject {
    /// A human name for the baseline ("previous run out.jsonl", "the store").
    var name: String { get }
    /// The earlier decision for the item with this id, if any (each earlier
    /// decision is handed out once; duplicates match in order).
    func match(id: String) -> DecisionSummary?
    /// Earlier decisions never matched; called once, at the end.
    func unmatched() -> (count: Int, examples: [DecisionSummary])
}

/// A previous run's JSON Lines output, read as a stream alongside this run.
///
/// When both runs cover the same archives in the same order (the usual case)
/// each line is read once and nothing is kept. Items out of order are found by
/// reading ahead; earlier decisions read ahead and not yet matched are kept in
/// a window of `lookahead` entries (oldest dropped and counted as "only
/// before"), so memory stays bounded whatever the archive's size.
public final class PreviousRun: PreviousDecisions {
    public let name: String
    private let reader: LineReader
    private var pending: [String: [DecisionSummary]] = [:]
    private var pendingOrder: [String] = []
    private var pendingOrderHead = 0
    private var pendingCount = 0
    private let lookahead: Int
    private var dropped = 0
    private var droppedExamples: [DecisionSummary] = []
    private var exhausted = false
    /// Lines that were not decisions.
    public private(set) var badLines = 0

    /// Opens a previous run's JSON Lines.
    /// - Parameters:
    ///   - path: the file.
    ///   - lookahead: how many out-of-order earlier decisions to keep at most.
    /// - Throws: when the file cannot be opened.
    public init(path: String, lookahead: Int = 50_000) throws {
        self.reader = try LineReader(path: path)
        self.name = "previous run \(path)"
        self.lookahead = max(1, lookahead)
    }

    public func match(id: String) -> DecisionSummary? {
        if let found = takePending(id) { return found }
        while !exhausted {
            guard let line = reader.next() else { exhausted = true; break }
            guard let summary = DecisionSummary.parse(jsonLine: line) else {
                if line.contains(where: { !$0.isWhitespace }) { badLines += 1 }
                continue
            }
            if summary.id == id { return summary }
            addPending(summary)
        }
        return nil
    }

    public func unmatched() -> (count: Int, examples: [DecisionSummary]) {
        var examples = droppedExamples
        var count = dropped + pendingCount
        for key in pendingOrder[pendingOrderHead...] {
            guard let list = pending[key] else { continue }
            for s in list where examples.count < 20 { examples.append(s) }
        }
        while let line = reader.next() {
            guard let summary = DecisionSummary.parse(jsonLine: line) else { continue }
            count += 1
            if examples.count < 20 { examples.append(summary) }
        }
        exhausted = true
        return (count, examples)
    }

    private func takePending(_ id: String) -> DecisionSummary? {
        guard var list = pending[id], !list.isEmpty else { return nil }
        let first = list.removeFirst()
        pending[id] = list.isEmpty ? nil : list
        pendingCount -= 1
        return first
    }

    private func addPending(_ s: DecisionSummary) {
        pending[s.id, default: []].append(s)
        pendingOrder.append(s.id)
        pendingCount += 1
        while pendingCount > lookahead, pendingOrderHead < pendingOrder.count {
            let oldest = pendingOrder[pendingOrderHead]
            pendingOrderHead += 1
            if let dropped = takePending(oldest) {
                self.dropped += 1
                if droppedExamples.count < 20 { droppedExamples.append(dropped) }
            }
        }
        if pendingOrder.count - pendingOrderHead > 2 * lookahead + 1024 {
            // Ids matched since they were read ahead linger here: drop them.
            pendingOrder = pendingOrder[pendingOrderHead...].filter { pending[$0] != nil }
            pendingOrderHead = 0
        } else if pendingOrderHead > 4096 && pendingOrderHead * 2 > pendingOrder.count {
            pendingOrder.removeFirst(pendingOrderHead)
            pendingOrderHead = 0
        }
    }
}
