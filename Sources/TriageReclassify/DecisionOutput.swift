import Foundation
import MailText
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
    /// Written directly (``DecisionJSONWriter``), byte for byte what `encoder` (a
    /// ``StableJSON`` encoder) writes; a date that is not a whole second of the
    /// years 1900–9999 is written by `encoder` (the date alone, not the decision).
    public static func jsonLine(_ item: ItemDecision, encoder: JSONEncoder? = nil) throws -> String {
        if let line = DecisionJSONWriter.line(item) { return line }
        let encoder = encoder ?? StableJSON.encoder()
        if let line = DecisionJSONWriter.line(item, encodingDate: { DecisionJSONWriter.encodedDate($0, encoder: encoder) }) { return line }
        return try encodedLine(item, encoder: encoder)
    }

    /// One decision as a JSON line, through `encoder` (what ``jsonLine(_:encoder:)`` writes).
    static func encodedLine(_ item: ItemDecision, encoder: JSONEncoder) throws -> String {
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

/// Writes a decision's JSON line without an encoder: `format_version`, then the
/// keys of ``Decision`` (and `item`), sorted by their bytes as the
/// `.sortedKeys` encoder sorts them, strings escaped as it escapes them
/// (`\"`, `\\`, `\b \t \n \f \r`, other controls as `\u00xx`, slashes as
/// they are), dates as its ISO 8601 strings.
enum DecisionJSONWriter {
    /// The line, or nil when the decision holds a date this writer leaves to the encoder.
    /// - Parameter encodingDate: writes such a date as the encoder writes it (the
    ///   string's bytes, without quotes), or gives nil.
    static func line(_ item: ItemDecision, encodingDate: ((Date) -> [UInt8]?)? = nil) -> String? {
        let d = item.decision
        var out: [UInt8] = []
        out.reserveCapacity(2048)
        var received: [UInt8]?
        if let date = d.received {
            guard let iso = iso8601(date) ?? encodingDate?(date) else { return nil }
            received = iso
        }
        out.append(contentsOf: #"{"format_version":"#.utf8)
        out.append(contentsOf: String(JSONFormat.version).utf8)
        key("caseworker_notes", &out); strings(d.caseworkerNotes, &out)
        key("categories", &out); strings(d.categories, &out)
        key("decided_by", &out)
        out.append(contentsOf: #"{"cites":"#.utf8); string(d.decidedBy.cites, &out)
        out.append(contentsOf: #","row":"#.utf8); string(d.decidedBy.row, &out)
        out.append(UInt8(ascii: "}"))
        key("explanation", &out); string(d.explanation, &out)
        key("flags", &out); strings(d.flags.map(\.rawValue), &out)
        key("force", &out); string(d.force, &out)
        key("handler", &out); string(d.handler, &out)
        key("id", &out); string(d.id, &out)
        if item.label != d.source { key("item", &out); string(item.label, &out) }
        key("justification", &out)
        out.append(UInt8(ascii: "["))
        for (n, e) in d.justification.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"cites":"#.utf8); string(e.cites, &out)
            out.append(contentsOf: #","end":"#.utf8); out.append(contentsOf: String(e.end).utf8)
            if let fact = e.fact { out.append(contentsOf: #","fact":"#.utf8); string(fact, &out) }
            out.append(contentsOf: #","quote":"#.utf8); string(e.quote, &out)
            out.append(contentsOf: #","rule":"#.utf8); string(e.rule, &out)
            out.append(contentsOf: #","segment":"#.utf8); string(e.segment, &out)
            out.append(contentsOf: #","start":"#.utf8); out.append(contentsOf: String(e.start).utf8)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        key("kind", &out); string(d.kind.rawValue, &out)
        key("outcome", &out); string(d.outcome.rawValue, &out)
        key("reasons", &out); strings(d.reasons.map(\.rawValue), &out)
        if let received {
            key("received", &out)
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: received)
            out.append(UInt8(ascii: "\""))
        }
        key("rules", &out); strings(d.rules, &out)
        key("ruleset_version", &out); string(d.rulesetVersion, &out)
        key("source", &out); string(d.source, &out)
        key("subject", &out); string(d.subject.rawValue, &out)
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `,"name":` (every key follows `format_version`).
    private static func key(_ name: StaticString, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: ","))
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
    }

    private static func strings(_ values: [String], _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (n, v) in values.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            string(v, &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// A JSON string, escaped as the encoder escapes it.
    static func string(_ value: String, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Runs of bytes written as they are (the common case) are copied at once.
        let copied = value.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            var runStart = 0
            for (i, b) in bytes.enumerated() where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                escape(b, &out)
                runStart = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
            return true
        }
        if copied == nil { for b in value.utf8 { escape(b, &out) } }
        out.append(UInt8(ascii: "\""))
    }

    /// One byte of a JSON string, escaped as the encoder escapes it.
    private static func escape(_ b: UInt8, _ out: inout [UInt8]) {
        switch b {
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(b)
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(b)
        case 0x08: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "b"))
        case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
        case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
        case 0x0C: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "f"))
        case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
        case 0..<0x20:
            out.append(contentsOf: #"\u00"#.utf8)
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0xF)])
        default: out.append(b)
        }
    }

    /// `date` as `encoder` writes it in any value: the string of its encoding of `[date]`
    /// (`["…"]`), without quotes; nil when that is not one plain string in brackets.
    static func encodedDate(_ date: Date, encoder: JSONEncoder) -> [UInt8]? {
        guard let data = try? encoder.encode([date]) else { return nil }
        let bytes = Array(data)
        guard bytes.count >= 4, bytes[0] == UInt8(ascii: "["), bytes[1] == UInt8(ascii: "\""),
              bytes[bytes.count - 2] == UInt8(ascii: "\""), bytes[bytes.count - 1] == UInt8(ascii: "]") else { return nil }
        let inner = bytes[2..<bytes.count - 2]
        guard !inner.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }) else { return nil }
        return Array(inner)
    }

    /// `yyyy-MM-ddTHH:mm:ssZ` in UTC (``MailDates/internetDateTime(_:)``), for a whole
    /// second of the years 1900–9999; else nil (earlier calendars and fractions of a
    /// second are the encoder's to write).
    static func iso8601(_ date: Date) -> [UInt8]? {
        let t = date.timeIntervalSince1970
        guard t.rounded(.down) == t, t >= -2_208_988_800, t < 253_402_300_800 else { return nil }
        return Array(MailDates.internetDateTime(date).utf8)
    }
}
