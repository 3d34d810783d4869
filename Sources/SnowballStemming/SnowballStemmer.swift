import CStemmer
import Foundation
import Synchronization
import TriageCore

/// The Snowball English ("Porter2") stemmer from libstemmer, the stemmer
/// Xapian, PostgreSQL and Lucene use: "complaining", "complained" and
/// "complaints" all become "complain"/"complaint".
///
/// libstemmer's stemmer objects are not thread-safe, so each of a few
/// stripes has its own stemmer and cache under its own lock, and a word
/// always goes to the same stripe (by its hash): parallel jobs rarely wait on
/// each other, and the lock is held for a dictionary look-up on almost every
/// call (the vocabulary of correspondence is small).
public final class SnowballStemmer: WordStemmer, Sendable {
    private struct State: ~Copyable {
        var stemmer: OpaquePointer
        var cache: [String: String] = [:]
    }

    /// One stemmer and its cache under a lock.
    private final class Stripe: Sendable {
        let state: Mutex<State>
        init() throws {
            guard let stemmer = sb_stemmer_new("english", "UTF_8") else { throw StemmerError() }
            state = Mutex(State(stemmer: stemmer))
        }
        deinit { state.withLock { sb_stemmer_delete($0.stemmer) } }
    }

    private let stripes: [Stripe]

    /// The most words kept in each stripe's cache before it is cleared.
    public static let cacheLimit = 50_000
    /// Stripes of stemmer and cache.
    public static let stripeCount = 8

    /// Creates an English stemmer.
    /// - Throws: ``StemmerError`` when libstemmer has no English algorithm.
    public init() throws {
        stripes = try (0..<Self.stripeCount).map { _ in try Stripe() }
    }

    /// The stem of a lower-case word.
    public func stem(_ word: String) -> String {
        // Numbers and very short words are their own stems.
        if word.utf8.count < 3 { return word }
        var hash: UInt32 = 2_166_136_261
        for byte in word.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return stripes[Int(hash % UInt32(stripes.count))].state.withLock { state -> String in
            if let known = state.cache[word] { return known }
            var utf8 = Array(word.utf8)
            let stemmed: String = utf8.withUnsafeMutableBufferPointer { buffer -> String in
                guard let out = sb_stemmer_stem(state.stemmer, buffer.baseAddress, Int32(buffer.count)) else { return word }
                let length = Int(sb_stemmer_length(state.stemmer))
                return String(decoding: UnsafeBufferPointer(start: out, count: length), as: UTF8.self)
            }
            if state.cache.count >= Self.cacheLimit { state.cache.removeAll(keepingCapacity: true) }
            state.cache[word] = stemmed
            return stemmed
        }
    }
}

/// libstemmer could not create an English stemmer.
public struct StemmerError: Error, CustomStringConvertible, Sendable {
    public init() {}
    public var description: String { "libstemmer has no English stemmer (is libstemmer-dev installed?)" }
}
