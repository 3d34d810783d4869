import Foundation
import TriageCore

/// How decisions are written.
public enum DecisionFormat: String, Sendable, CaseIterable {
    /// JSON Lines: `format_version`, the decision contract, plus `item` (the label) when it differs from `source`.
    case jsonl
    /// CSV (RFC 4180): one row per decision, lists joined with `;`.
    case csv
}

/// Writes decisions to a file handle, buffered.
public final class DecisionOutput {
    private let handle: FileHandle
    /// The format written.
    public let format: DecisionFormat
    private var buffer: [UInt8] = []
    private let encoder = StableJSON.encoder()

    /// The CSV header row.
    public static let csvColumns = [
        "item", "source", "id", "force", "kind", "subject", "outcome", "handler", "reasons", "flags",
        "categories", "rules", "decided_by", "ruleset_version", "received",
    ]

    /// - Parameters:
    ///   - handle: where to write (standard output or a file).
    ///   - format: JSON Lines or CSV (the header is written at once).
    public init(handle: FileHandle, format: DecisionFormat) {
        self.handle = handle
        self.format = format
        buffer.reserveCapacity(1 << 17)
        if format == .csv { append(Self.csvColumns.joined(separator: ",")) }
    }

    /// Writes one decision.
    /// - Throws: an encoding error (never expected for a decision).
    public func write(_ item: ItemDecision) throws {
        if let line = item.line {
            append(line)
        } else {
            switch format {
            case .jsonl: append(try Self.jsonLine(item, encoder: encoder))
            case .csv: append(Self.csvRow(item))
            }
        }
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Writes out what is buffered.
    public func flush() {
        guard !buffer.isEmpty else { return }
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    private func append(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
    }

    /// One decision as a JSON line: `format_version` first, then the contract's
    /// keys (sorted), plus `item` when the label says more than `source` (an
    /// mbox offset, a Maildir name).
    public static func jsonLine(_ item: ItemDecision, encoder: JSONEncoder = StableJSON.encoder()) throws -> String {
        JSONFormat.versioned(String(decoding: try encoder.encode(LabelledDecision(item: item)), as: UTF8.self))
    }

    /// One decision as a CSV row.
    public static func csvRow(_ item: ItemDecision) -> String {
        let d = item.decision
        let received = d.received.map { isoFormatter.string(from: $0) } ?? ""
        let fields = [
            item.label, d.source, d.id, d.force, d.kind.rawValue, d.subject.rawValue, d.outcome.rawValue, d.handler,
            d.reasons.map(\.rawValue).joined(separator: ";"), d.flags.map(\.rawValue).joined(separator: ";"), d.categories.joined(separator: ";"),
            d.rules.joined(separator: ";"), d.decidedBy.row, d.rulesetVersion, received,
        ]
        return fields.map(csvField).joined(separator: ",")
    }

    /// Quotes a CSV field when it needs it.
    public static func csvField(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
}

/// ISO 8601 dates for CSV (the formatter is thread-safe).
nonisolated(unsafe) private let isoFormatter = ISO8601DateFormatter()

/// A decision encoded with one extra key, `item`.
struct LabelledDecision: Encodable {
    var item: ItemDecision

    enum ExtraKeys: String, CodingKey { case item }

    func encode(to encoder: Encoder) throws {
        try item.decision.encode(to: encoder)
        if item.label != item.decision.source {
            var c = encoder.container(keyedBy: ExtraKeys.self)
            try c.encode(item.label, forKey: .item)
        }
    }
}
