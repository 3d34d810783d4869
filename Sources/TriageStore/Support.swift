import ContentHashing
import Foundation
import TriageCore

/// An error from the store that is not SQLite's own.
public struct StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A caseworker's action refused because another writer changed the item's
/// effective decision after the caseworker saw it; carries the fresh state.
public struct StoreConflict: Error, CustomStringConvertible, Sendable {
    /// The item.
    public var itemID: String
    /// The effective decision now.
    public var current: EffectiveDecision

    public var description: String {
        let d = current.decision
        return "item \(itemID.prefix(12)): the decision changed while you were looking (now \(d.decision.outcome) → \(d.decision.handler), by \(d.madeBy)): nothing saved; look again"
    }

    static func check(item: String, current: EffectiveDecision, expecting: Int64?) throws {
        if let expecting, current.decision.id != expecting { throw StoreConflict(itemID: item, current: current) }
    }
}

/// A JSON value for audit payloads (encoded with sorted keys).
public enum JSONValue: Encodable, Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(Int64(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, b in b }))
    }

    /// A string, or null.
    public static func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
    /// A list of strings.
    public static func strings(_ a: [String]) -> JSONValue { .array(a.map(JSONValue.string)) }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .bool(let b): try c.encode(b)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        case .null: try c.encodeNil()
        }
    }

    /// One line of JSON with sorted keys.
    public var line: String { (try? StableJSON.line(self)) ?? "null" }
}

enum Hash {
    /// SHA-256, lower-case hex.
    static func hex(_ bytes: [UInt8]) -> String { ContentHash.sha256Hex(bytes) }
    static func hex(_ text: String) -> String { hex(Array(text.utf8)) }

    static let genesis = String(repeating: "0", count: 64)
}

enum Stamp {
    static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    static let plain = Date.ISO8601FormatStyle()

    /// `2026-11-25T18:24:04.123Z`: sorts as text in time order.
    static func string(_ date: Date) -> String { style.format(date) }

    static func date(_ text: String) -> Date? {
        (try? style.parse(text)) ?? (try? plain.parse(text))
    }
}

extension HistoryFact {
    var json: JSONValue {
        ["fact": .string(fact), "value": .string(value), "rule": .string(rule), "cites": .string(cites), "quote": .string(quote)]
    }
}

extension Store {
    /// The id the store gives an item: the SHA-256 of its bytes, lower-case hex.
    public static func contentID(of bytes: [UInt8]) -> String { Hash.hex(bytes) }
}
