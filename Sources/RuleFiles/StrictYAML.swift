import Foundation
import Yams

/// Decodes YAML into a `Decodable` type and refuses keys the type does not
/// read. Generated `Codable` ignores unknown keys, so a misspelt `gaurds:`
/// would silently drop every guard; here it is an error naming the file, the
/// line and the nearest valid key.
///
/// It works for any `Decodable`: decoding goes through a decoder that records,
/// for every mapping, the keys the type asked for (present or not); then every
/// key of the YAML mapping at that place must be one of them. A mapping read as
/// a dictionary (its keys are data) accepts any key.
enum StrictYAML {
    /// One key the type does not read.
    struct UnknownKey: Equatable, Sendable {
        /// The line of the key (1-based).
        var line: Int
        /// The key as written.
        var key: String
        /// Where it sits, as `rows[3].when`.
        var path: String
        /// The valid key nearest to it, if one is near enough to be a misspelling.
        var suggestion: String?
        /// The valid keys at that place, sorted.
        var valid: [String]

        /// `line 12: unknown key 'gaurds' at the top (did you mean 'guards'?)`.
        var message: String {
            let place = path.isEmpty ? "the top" : path
            var text = "line \(line): unknown key '\(key)' at \(place)"
            if let suggestion { text += " (did you mean '\(suggestion)'?)" }
            else if !valid.isEmpty { text += " (valid keys: \(valid.joined(separator: ", ")))" }
            return text
        }
    }

    /// Decodes `text` as `T`, then checks its keys.
    /// - Returns: the value and the unknown keys (in file order), empty when there are none.
    /// - Throws: the YAML or decoding error, as `YAMLDecoder` would.
    static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> (value: T, unknown: [UnknownKey]) {
        let recorder = KeyRecorder()
        func unknownKeys() throws -> [UnknownKey] {
            guard let node = try Yams.compose(yaml: text) else { return [] }
            var unknown: [UnknownKey] = []
            check(node, path: [], recorder: recorder, into: &unknown)
            return unknown.sorted { $0.line < $1.line }
        }
        let value: T
        do {
            value = try YAMLDecoder().decode(Capture<T>.self, from: text, userInfo: [KeyRecorder.userInfoKey: recorder]).value
        } catch {
            // A misspelt required key shows first as a missing one: name the misspelling instead.
            if case DecodingError.keyNotFound = error, let unknown = try? unknownKeys(), !unknown.isEmpty {
                throw UnknownKeys(keys: unknown)
            }
            throw error
        }
        return (value, try unknownKeys())
    }

    /// Keys no type reads, found while decoding failed.
    struct UnknownKeys: Error {
        var keys: [UnknownKey]
    }

    /// Walks the YAML tree and collects keys that no type asked for.
    private static func check(_ node: Node, path: [String], recorder: KeyRecorder, into unknown: inout [UnknownKey]) {
        switch node {
        case .mapping(let mapping):
            let place = KeyRecorder.place(path)
            let asked = recorder.asked[place]
            let open = recorder.open.contains(place)
            for (keyNode, valueNode) in mapping {
                guard let key = keyNode.string else { continue }
                if let asked, !open, key != "<<", !asked.contains(key) {
                    let valid = asked.sorted()
                    unknown.append(UnknownKey(line: (keyNode.mark?.line ?? 0), key: key, path: place,
                                              suggestion: nearest(key, in: valid), valid: valid))
                }
                check(valueNode, path: path + [key], recorder: recorder, into: &unknown)
            }
        case .sequence(let sequence):
            for (i, element) in sequence.enumerated() {
                check(element, path: path + ["[\(i)]"], recorder: recorder, into: &unknown)
            }
        default:
            break
        }
    }

    /// The valid key within a small edit distance of `key` (a misspelling), if any.
    static func nearest(_ key: String, in valid: [String]) -> String? {
        let limit = max(2, key.count / 3)
        var best: (key: String, distance: Int)? = nil
        for candidate in valid {
            let d = editDistance(key.lowercased(), candidate.lowercased())
            if d <= limit, d < (best?.distance ?? Int.max) { best = (candidate, d) }
        }
        return best?.key
    }

    /// Levenshtein distance, with a swap of two neighbours counted as one edit.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[x.count][y.count]
    }

    /// Receives Yams' decoder and hands the recording one to `T`.
    private struct Capture<T: Decodable>: Decodable {
        let value: T
        init(from decoder: Decoder) throws {
            guard let recorder = decoder.userInfo[KeyRecorder.userInfoKey] as? KeyRecorder else {
                value = try T(from: decoder)
                return
            }
            value = try T(from: RecordingDecoder(inner: decoder, path: [], recorder: recorder))
        }
    }
}

/// The keys asked for at each place of the document (a place is a path such as `rows.[3].when`).
final class KeyRecorder: @unchecked Sendable {
    static let userInfoKey = CodingUserInfoKey(rawValue: "triage.keyRecorder")!
    /// Keys asked for, by place.
    var asked: [String: Set<String>] = [:]
    /// Places read as dictionaries: any key is data there.
    var open: Set<String> = []

    static func place(_ path: [String]) -> String {
        var out = ""
        for part in path {
            if part.hasPrefix("[") { out += part } else { out += out.isEmpty ? part : "." + part }
        }
        return out
    }

    func opened(_ path: [String]) {
        let p = Self.place(path)
        if asked[p] == nil { asked[p] = [] }
    }

    func ask(_ key: String, at path: [String]) {
        asked[Self.place(path), default: []].insert(key)
    }

    func listedAll(at path: [String]) {
        open.insert(Self.place(path))
    }
}

/// A decoder that passes everything to Yams' decoder and records the keys asked for.
private struct RecordingDecoder: Decoder {
    let inner: Decoder
    let path: [String]
    let recorder: KeyRecorder

    var codingPath: [CodingKey] { inner.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { inner.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let c = try inner.container(keyedBy: type)
        recorder.opened(path)
        return KeyedDecodingContainer(RecordingKeyed(inner: c, path: path, recorder: recorder))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        RecordingUnkeyed(inner: try inner.unkeyedContainer(), path: path, recorder: recorder)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer {
        RecordingSingle(inner: try inner.singleValueContainer(), decoder: self)
    }
}

private struct RecordingKeyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let inner: KeyedDecodingContainer<Key>
    let path: [String]
    let recorder: KeyRecorder

    var codingPath: [CodingKey] { inner.codingPath }
    var allKeys: [Key] {
        recorder.listedAll(at: path)
        return inner.allKeys
    }

    func contains(_ key: Key) -> Bool {
        recorder.ask(key.stringValue, at: path)
        return inner.contains(key)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        recorder.ask(key.stringValue, at: path)
        return try inner.decodeNil(forKey: key)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { recorder.ask(key.stringValue, at: path); return try inner.decode(type, forKey: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { recorder.ask(key.stringValue, at: path); return try inner.decode(type, forKey: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { recorder.ask(key.stringValue, at: path); return try inner.decode(type, forKey: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { recorder.ask(key.stringValue, at: path); return try inner.decode(type, forKey: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { recorder.ask(key.stringValue, at: path); return try inner.decode(type, forKey: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { recorder.ask(key.stringValue, at: path); return try inner.decode(type, forKey: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { recorder.ask(key.stringValue, at: path); return try inner.decode(type, forKey: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { recorder.ask(key.stringValue, at: path); return try inner.decode(type, forKey: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { recorder.ask(key.stringValue, at: path); return try inner.decode(type, forKey: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { recorder.ask(key.stringValue, at: path); return try inner.decode(type, forKey: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { recorder.ask(key.stringValue, at: path); return try inner.decode(type, forKey: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { recorder.ask(key.stringValue, at: path); return try inner.decode(type, forKey: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { recorder.ask(key.stringValue, at: path); return try inner.decode(type, forKey: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { recorder.ask(key.stringValue, at: path); return try inner.decode(type, forKey: key) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        recorder.ask(key.stringValue, at: path)
        return try T(from: RecordingDecoder(inner: try inner.superDecoder(forKey: key), path: path + [key.stringValue], recorder: recorder))
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        recorder.ask(key.stringValue, at: path)
        guard inner.contains(key), try !inner.decodeNil(forKey: key) else { return nil }
        return try decode(type, forKey: key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        recorder.ask(key.stringValue, at: path)
        return try RecordingDecoder(inner: try inner.superDecoder(forKey: key), path: path + [key.stringValue], recorder: recorder)
            .container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        recorder.ask(key.stringValue, at: path)
        return try RecordingDecoder(inner: try inner.superDecoder(forKey: key), path: path + [key.stringValue], recorder: recorder)
            .unkeyedContainer()
    }

    func superDecoder() throws -> Decoder { try inner.superDecoder() }

    func superDecoder(forKey key: Key) throws -> Decoder {
        recorder.ask(key.stringValue, at: path)
        return RecordingDecoder(inner: try inner.superDecoder(forKey: key), path: path + [key.stringValue], recorder: recorder)
    }
}

private struct RecordingUnkeyed: UnkeyedDecodingContainer {
    var inner: UnkeyedDecodingContainer
    let path: [String]
    let recorder: KeyRecorder

    var codingPath: [CodingKey] { inner.codingPath }
    var count: Int? { inner.count }
    var isAtEnd: Bool { inner.isAtEnd }
    var currentIndex: Int { inner.currentIndex }

    mutating func decodeNil() throws -> Bool { try inner.decodeNil() }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try inner.decode(type) }
    mutating func decode(_ type: String.Type) throws -> String { try inner.decode(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try inner.decode(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try inner.decode(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try inner.decode(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try inner.decode(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try inner.decode(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try inner.decode(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try inner.decode(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try inner.decode(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try inner.decode(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try inner.decode(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try inner.decode(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try inner.decode(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let index = inner.currentIndex
        let element = try inner.superDecoder()
        return try T(from: RecordingDecoder(inner: element, path: path + ["[\(index)]"], recorder: recorder))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let index = inner.currentIndex
        return try RecordingDecoder(inner: try inner.superDecoder(), path: path + ["[\(index)]"], recorder: recorder).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
        let index = inner.currentIndex
        return try RecordingDecoder(inner: try inner.superDecoder(), path: path + ["[\(index)]"], recorder: recorder).unkeyedContainer()
    }

    mutating func superDecoder() throws -> Decoder {
        let index = inner.currentIndex
        return RecordingDecoder(inner: try inner.superDecoder(), path: path + ["[\(index)]"], recorder: recorder)
    }
}

private struct RecordingSingle: SingleValueDecodingContainer {
    let inner: SingleValueDecodingContainer
    let decoder: RecordingDecoder

    var codingPath: [CodingKey] { inner.codingPath }
    func decodeNil() -> Bool { inner.decodeNil() }
    func decode(_ type: Bool.Type) throws -> Bool { try inner.decode(type) }
    func decode(_ type: String.Type) throws -> String { try inner.decode(type) }
    func decode(_ type: Double.Type) throws -> Double { try inner.decode(type) }
    func decode(_ type: Float.Type) throws -> Float { try inner.decode(type) }
    func decode(_ type: Int.Type) throws -> Int { try inner.decode(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try inner.decode(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try inner.decode(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try inner.decode(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try inner.decode(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try inner.decode(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try inner.decode(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try inner.decode(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try inner.decode(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try inner.decode(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if let scalar = try decodeScalar(type) { return scalar }
        return try T(from: decoder)
    }

    /// Scalars go to Yams directly (its own conversions for strings, numbers and booleans).
    private func decodeScalar<T: Decodable>(_ type: T.Type) throws -> T? {
        switch type {
        case is String.Type, is Bool.Type, is Int.Type, is Double.Type: return try inner.decode(type)
        default: return nil
        }
    }
}
