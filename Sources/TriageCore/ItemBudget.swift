import Foundation

/// Per-item limits, applied before an item is classified, so that one hostile
/// or enormous message cannot stall a run or the polling job for everyone.
/// An item over a limit is still stored and decided: `needs_caseworker`,
/// "too large to read automatically", with the limit it exceeded.
///
/// Settings (environment, each a whole number; 0 turns the limit off):
/// - `TRIAGE_MAX_ITEM_BYTES`: the largest raw item read into memory and
///   parsed (default 50 MiB); a larger file is refused before it is read, as
///   unreadable, with that reason.
/// - `TRIAGE_MAX_CLASSIFY_CHARS`: the most text (Unicode scalars of the
///   subject, body, form fields and embedded messages) the classifier reads
///   per item (default 64,000: about 10,000 words, well
///   past any item in the corpus; the classifier's work is linear in the text
///   (`triage bench --item-scaling`), so this bounds its time and memory too).
/// - `TRIAGE_MAX_CLASSIFY_SECONDS`: the longest the classifier reads one item
///   (default 10 seconds, about a thousand times what an ordinary item takes);
///   past it the item goes to a caseworker. A backstop against an input that
///   the other limits do not foresee: never a stalled polling job.
public struct ItemBudget: Sendable, Equatable {
    /// Largest raw item read into memory, in bytes (0: no limit).
    public var maxItemBytes: Int
    /// Most text the classifier reads per item, in Unicode scalars (0: no limit).
    public var maxClassifyCharacters: Int
    /// Longest the classifier reads one item, in seconds (0: no limit).
    public var maxClassifySeconds: Double

    /// The defaults: 50 MiB per item, 64,000 characters classified, 10 seconds.
    public static let defaults = ItemBudget(maxItemBytes: 50 << 20, maxClassifyCharacters: 64_000, maxClassifySeconds: 10)

    /// The row id and the words a caseworker sees for an item over budget.
    public static let row = "too_large_to_read_automatically"
    public static let phrase = "too large to read automatically"

    public init(maxItemBytes: Int, maxClassifyCharacters: Int, maxClassifySeconds: Double = 10) {
        self.maxItemBytes = maxItemBytes
        self.maxClassifyCharacters = maxClassifyCharacters
        self.maxClassifySeconds = maxClassifySeconds
    }

    /// The defaults, overridden by `TRIAGE_MAX_ITEM_BYTES` and `TRIAGE_MAX_CLASSIFY_CHARS`.
    /// - Throws: ``ItemBudgetError`` for a value that is not a whole number ≥ 0.
    public init(environment: [String: String]) throws {
        self = .defaults
        if let v = environment["TRIAGE_MAX_ITEM_BYTES"] { maxItemBytes = try Self.number(v, "TRIAGE_MAX_ITEM_BYTES") }
        if let v = environment["TRIAGE_MAX_CLASSIFY_CHARS"] { maxClassifyCharacters = try Self.number(v, "TRIAGE_MAX_CLASSIFY_CHARS") }
        if let v = environment["TRIAGE_MAX_CLASSIFY_SECONDS"] {
            guard let n = Double(v.trimmingCharacters(in: .whitespaces)), n >= 0, n.isFinite else {
                throw ItemBudgetError(message: "TRIAGE_MAX_CLASSIFY_SECONDS must be a number of seconds, 0 or more (0: no limit), not '\(v)'")
            }
            maxClassifySeconds = n
        }
    }

    static func number(_ text: String, _ name: String) throws -> Int {
        guard let n = Int(text.trimmingCharacters(in: .whitespaces)), n >= 0 else {
            throw ItemBudgetError(message: "\(name) must be a whole number of 0 or more (0: no limit), not '\(text)'")
        }
        return n
    }

    /// The text the classifier would read, in Unicode scalars (stops counting past the limit).
    public func classifiedCharacters(_ item: Correspondence) -> Int {
        let cap = maxClassifyCharacters > 0 ? maxClassifyCharacters + 1 : Int.max
        var total = 0
        func add(_ s: String) {
            guard total < cap else { return }
            total += Self.scalarCount(s)
        }
        func walk(_ c: Correspondence, depth: Int) {
            add(c.subject ?? "")
            add(c.body.text)
            for f in c.formFields { add(f.value) }
            if depth < 64 { for e in c.embedded { walk(e, depth: depth + 1) } }
        }
        walk(item, depth: 0)
        return total
    }

    /// The number of Unicode scalars of `s`: its UTF-8 bytes that do not continue a scalar.
    static func scalarCount(_ s: String) -> Int {
        s.utf8.withContiguousStorageIfAvailable { bytes in
            var n = 0
            for b in bytes where b & 0xC0 != 0x80 { n += 1 }
            return n
        } ?? s.unicodeScalars.count
    }

    /// Why the item is over budget, or nil when the classifier may read it.
    public func excess(_ item: Correspondence, rawBytes: Int) -> String? {
        if maxItemBytes > 0, rawBytes > maxItemBytes {
            return "the item is \(rawBytes) bytes, over the \(maxItemBytes)-byte limit (TRIAGE_MAX_ITEM_BYTES)"
        }
        if maxClassifyCharacters > 0 {
            let n = classifiedCharacters(item)
            if n > maxClassifyCharacters {
                return "its text is over \(maxClassifyCharacters) characters, the classifier's limit (TRIAGE_MAX_CLASSIFY_CHARS)"
            }
        }
        return nil
    }

    /// The decision for an item over budget: a caseworker reads it.
    public static func tooLargeDecision(for item: Correspondence, force: String, rulesetVersion: String, now: Date?, why: String) -> Decision {
        let note = "This item is \(phrase): \(why). Read it and decide."
        return Decision(
            source: item.provenance.source, id: item.provenance.sha256, force: force, kind: .other, subject: .unknown,
            outcome: .needsCaseworker, handler: "caseworker", reasons: [], flags: [], categories: [], rules: [],
            justification: [], explanation: "This item needs a caseworker's reading: it is \(phrase).",
            decidedBy: DecisionRowReference(row: row, cites: "budget"), caseworkerNotes: [note],
            rulesetVersion: rulesetVersion, received: item.date?.value ?? now)
    }
}

/// A budget setting that cannot be used.
public struct ItemBudgetError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

extension Classifier {
    /// Classifies one item within `budget`: an item over it is not read by the
    /// rules and goes to a caseworker as "too large to read automatically".
    /// - Parameters:
    ///   - rawBytes: the size of the item's raw bytes.
    public func classify(_ item: Correspondence, force: String, history: [HistoryFact] = [], now: Date? = nil,
                         budget: ItemBudget, rawBytes: Int) -> Decision {
        trace(item, force: force, history: history, now: now, budget: budget, rawBytes: rawBytes).decision
    }

    /// ``trace(_:force:history:now:)`` within `budget` (no facts for an item over it).
    public func trace(_ item: Correspondence, force: String, history: [HistoryFact] = [], now: Date? = nil,
                      budget: ItemBudget, rawBytes: Int) -> ClassificationTrace {
        if let why = budget.excess(item, rawBytes: rawBytes) {
            let d = ItemBudget.tooLargeDecision(for: item, force: force, rulesetVersion: rules.ruleSet.version, now: now, why: why)
            return ClassificationTrace(decision: d, facts: [:], suppressed: [])
        }
        let deadline = budget.maxClassifySeconds > 0 ? ContinuousClock.now.advanced(by: .milliseconds(Int64(budget.maxClassifySeconds * 1000))) : nil
        if let done = trace(item, force: force, history: history, now: now, deadline: deadline) { return done }
        let why = "reading it took longer than \(Self.seconds(budget.maxClassifySeconds)), the classifier's limit (TRIAGE_MAX_CLASSIFY_SECONDS)"
        let d = ItemBudget.tooLargeDecision(for: item, force: force, rulesetVersion: rules.ruleSet.version, now: now, why: why)
        return ClassificationTrace(decision: d, facts: [:], suppressed: [])
    }

    static func seconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s)) s" : "\(s) s"
    }
}
