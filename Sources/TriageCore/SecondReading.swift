import Foundation

/// A second reading of the whole item, learned from the labelled corpus: a
/// logistic model over the item's word stems and pairs of stems that says how
/// much it reads like a complaint (or a review request).
///
/// It never decides a route. It only stops an item being set aside as "not a
/// complaint" when the rules recognised no complaint but the wording as a whole
/// reads like one (DESIGN: the worst error is a real complaint not recorded);
/// the decision table then sends it to a caseworker, saying so.
///
/// The weights are data (`Rules/second-reading.tsv`), written by
/// `triage rules learn Corpus` with ``SecondReadingTrainer``.
public struct SecondReading: Sendable, Equatable {
    /// The model's constant term (log-odds with no feature present).
    public let bias: Double
    /// Weight by feature: a stem ("rude") or two stems in a row ("the officer").
    public let weights: [String: Double]
    /// The weights by number, for scoring without building a string per pair of words.
    private let table: Table

    public init(bias: Double, weights: [String: Double]) {
        self.bias = bias
        self.weights = weights
        self.table = Table(weights)
    }

    public static func == (a: SecondReading, b: SecondReading) -> Bool {
        a.bias == b.bias && a.weights == b.weights
    }

    /// Every stem of a feature numbered; single stems' and pairs' weights by those numbers.
    private struct Table: Sendable {
        var number: [String: Int32] = [:]
        var single: [Double] = []
        var pair: [Int64: Double] = [:]

        init(_ weights: [String: Double]) {
            func id(_ stem: Substring) -> Int32 {
                let key = String(stem)
                if let n = number[key] { return n }
                let n = Int32(number.count)
                number[key] = n
                single.append(0)
                return n
            }
            for (name, weight) in weights.sorted(by: { $0.key < $1.key }) {
                let parts = name.split(separator: " ")
                if parts.count == 1 {
                    single[Int(id(parts[0]))] = weight
                } else if parts.count == 2 {
                    let a = id(parts[0]), b = id(parts[1])
                    pair[Int64(a) << 32 | Int64(b)] = weight
                }
            }
        }
    }

    /// The log-odds that the indexed texts are a complaint: the same sum as
    /// ``logit(_:)`` over ``features(of:)``, without building the features.
    public func logit(of indexes: [TextIndex], maxWords: Int = .max) -> Double {
        logit(of: indexes, maxWords: maxWords, numbering: nil)
    }

    /// The model's stems (each word of its features), sorted.
    var stems: [String] { table.number.keys.sorted() }

    /// This model's stem numbers by the ids of a compiled rule set's vocabulary, so
    /// a token carrying its ids is scored without looking its stem up by string.
    /// - Parameters:
    ///   - vocabulary: word ids, holding every one of ``stems``.
    ///   - tag: the vocabulary's tag as tokens carry it (see ``WordIDs``).
    func numbering(by vocabulary: [String: Int32], tag: Int32) -> VocabularyNumbering {
        var numbers = [Int32](repeating: -1, count: vocabulary.count)
        for (stem, n) in table.number {
            guard let id = vocabulary[stem] else { preconditionFailure("a second-reading stem outside the vocabulary") }
            numbers[Int(id)] = n
        }
        return VocabularyNumbering(tag: tag, numbers: numbers)
    }

    /// The model's stem numbers by vocabulary id (-1: a word no feature has); see ``numbering(by:tag:)``.
    struct VocabularyNumbering: Sendable {
        let tag: Int32
        let numbers: [Int32]
    }

    /// ``logit(of:maxWords:)``, with the stems of tokens carrying `numbering`'s tag
    /// numbered by their ids (any other token's stem is looked up by string).
    func logit(of indexes: [TextIndex], maxWords: Int, numbering: VocabularyNumbering?) -> Double {
        let tag = numbering?.tag ?? 0
        let byID = numbering?.numbers ?? []
        var z = bias
        var seenSingles = Set<Int32>()
        var seenPairs = Set<Int64>()
        var words = 0
        for index in indexes {
            // -2: no word before (start, or after a number); -1: a word no feature has.
            var previous: Int32 = -2
            for token in index.tokens {
                guard token.isWord else { continue }
                guard !token.isNumber, !token.stem.isEmpty else {
                    previous = -2
                    continue
                }
                words += 1
                if words > maxWords { return z }
                // A tagged token's stem id is -1 only for a word outside the vocabulary,
                // which holds every stem of the model: no feature has it.
                let id = tag != 0 && token.ids.vocabulary == tag
                    ? (token.ids.stem >= 0 ? byID[Int(token.ids.stem)] : -1)
                    : table.number[token.stem] ?? -1
                if id >= 0 {
                    if seenSingles.insert(id).inserted { z += table.single[Int(id)] }
                    if previous >= 0 {
                        let key = Int64(previous) << 32 | Int64(id)
                        if let w = table.pair[key], seenPairs.insert(key).inserted { z += w }
                    }
                }
                previous = id
            }
        }
        return z
    }

    /// One feature found in the text, with where it first occurs.
    public struct Feature: Sendable, Equatable {
        public var name: String
        /// The original words it was read from (for the explanation).
        public var quote: String

        public init(name: String, quote: String) {
            self.name = name
            self.quote = quote
        }
    }

    /// The features of some indexed texts: each distinct word stem and each pair
    /// of consecutive word stems (numbers and punctuation are left out), in the
    /// order they first occur.
    /// - Parameter maxWords: read at most this many words (the rest of a long item adds nothing).
    public static func features(of indexes: [TextIndex], maxWords: Int = .max) -> [Feature] {
        var seen = Set<String>()
        var result: [Feature] = []
        func note(_ name: String, _ index: TextIndex, _ from: Int, _ to: Int) {
            if seen.insert(name).inserted {
                result.append(Feature(name: name, quote: index.quote(from: index.tokens[from].start, to: index.tokens[to].end)))
            }
        }
        var words = 0
        for index in indexes {
            var previous: Int?
            for (p, token) in index.tokens.enumerated() {
                guard token.isWord, !token.isNumber, !token.stem.isEmpty else {
                    if !token.isWord { continue }
                    previous = nil
                    continue
                }
                words += 1
                if words > maxWords { return result }
                note(token.stem, index, p, p)
                if let q = previous { note(index.tokens[q].stem + " " + token.stem, index, q, p) }
                previous = p
            }
        }
        return result
    }

    /// The log-odds that text with these features is a complaint.
    public func logit(_ features: [Feature]) -> Double {
        logit(names: features.map(\.name))
    }

    /// The log-odds for features given by name (as the learner holds them).
    public func logit(names: [String]) -> Double {
        var z = bias
        for name in names { z += weights[name] ?? 0 }
        return z
    }

    /// The probability that text with these features is a complaint.
    public func probability(_ features: [Feature]) -> Double {
        Self.sigmoid(logit(features))
    }

    /// The features that weigh most towards "complaint", strongest first.
    public func strongest(_ features: [Feature], count: Int) -> [Feature] {
        let weighted = features.compactMap { f -> (Feature, Double)? in
            guard let w = weights[f.name], w > 0 else { return nil }
            return (f, w)
        }
        return weighted.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.name < $1.0.name }.prefix(count).map(\.0)
    }

    /// The logistic function: log-odds to probability.
    public static func sigmoid(_ z: Double) -> Double {
        1 / (1 + exp(-max(-30, min(30, z))))
    }

    // MARK: The data file

    /// The weights as text: comment lines, then `bias<TAB>value`, then one
    /// `feature<TAB>weight` per line, sorted by feature (stable for review and diffs).
    public func fileText(header: [String]) -> String {
        var out = header.map { "# " + $0 }.joined(separator: "\n")
        if !out.isEmpty { out += "\n" }
        out += "bias\t" + Self.format(bias) + "\n"
        for name in weights.keys.sorted() {
            out += name + "\t" + Self.format(weights[name]!) + "\n"
        }
        return out
    }

    /// Reads ``fileText(header:)``.
    /// - Throws: ``SecondReadingFileError`` naming the line and the problem.
    public init(fileText: String) throws {
        var bias: Double?
        var weights: [String: Double] = [:]
        for (n, line) in fileText.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard parts.count == 2, let value = Double(parts[1]), value.isFinite else {
                throw SecondReadingFileError(line: n + 1, problem: "expected 'feature<TAB>weight'")
            }
            let name = String(parts[0])
            if name == "bias" { bias = value; continue }
            guard weights.updateValue(value, forKey: name) == nil else {
                throw SecondReadingFileError(line: n + 1, problem: "feature '\(name)' given twice")
            }
        }
        guard let bias else { throw SecondReadingFileError(line: 0, problem: "no 'bias' line") }
        self.init(bias: bias, weights: weights)
    }

    static func format(_ x: Double) -> String {
        let rounded = (x * 10_000).rounded() / 10_000
        return rounded == 0 ? "0" : String(format: "%.4f", rounded)
    }
}

/// A line of `second-reading.tsv` that cannot be read.
public struct SecondReadingFileError: Error, CustomStringConvertible, Sendable {
    public var line: Int
    public var problem: String
    public var description: String { line > 0 ? "line \(line): \(problem)" : problem }
}

/// Learns a ``SecondReading`` from labelled examples: L2-regularised logistic
/// regression by stochastic gradient descent, in an order fixed by a seeded
/// generator, so the same examples always give the same weights.
public struct SecondReadingTrainer: Sendable {
    /// Passes over the examples.
    public var epochs = 30
    /// Strength of the pull of every weight towards zero.
    public var l2 = 1.0
    /// Step size of the first pass (it shrinks pass by pass).
    public var learningRate = 0.5
    /// A feature must occur in at least this many examples to get a weight.
    public var minimumExamples = 2

    public init() {}

    /// One labelled example: its features and whether it is a complaint or a review request.
    public struct Example: Sendable {
        public var features: [String]
        public var isComplaint: Bool
        public init(features: [String], isComplaint: Bool) {
            self.features = features
            self.isComplaint = isComplaint
        }
    }

    /// Learns weights from `examples` (their order is part of the input).
    public func train(_ examples: [Example]) -> SecondReading {
        var documents: [String: Int] = [:]
        for e in examples { for f in Set(e.features) { documents[f, default: 0] += 1 } }
        let kept = documents.filter { $0.value >= minimumExamples }.keys.sorted()
        var number: [String: Int] = [:]
        for (i, f) in kept.enumerated() { number[f] = i }
        let rows: [(features: [Int], y: Double)] = examples.map { e in
            (Set(e.features).compactMap { number[$0] }.sorted(), e.isComplaint ? 1 : 0)
        }
        var w = [Double](repeating: 0, count: kept.count)
        var b = 0.0
        let n = Double(max(1, rows.count))
        var order = Array(rows.indices)
        var random = SplitMix64(seed: 1)
        for epoch in 0..<epochs {
            // Fisher–Yates with the package's own generator: the order is the same everywhere.
            if order.count > 1 {
                for i in stride(from: order.count - 1, to: 0, by: -1) {
                    let j = Int(random.next() % UInt64(i + 1))
                    order.swapAt(i, j)
                }
            }
            let eta = learningRate / (1 + Double(epoch) * 0.2)
            for r in order {
                let row = rows[r]
                var z = b
                for f in row.features { z += w[f] }
                let g = SecondReading.sigmoid(z) - row.y
                b -= eta * g
                let scale = 1 / Double(max(1, row.features.count)).squareRoot()
                for f in row.features { w[f] -= eta * (g * scale + l2 / n * w[f]) }
            }
        }
        var weights: [String: Double] = [:]
        for (i, f) in kept.enumerated() where abs(w[i]) >= 0.00005 { weights[f] = w[i] }
        // Rounded as the data file holds them, so a model read back is the model learned.
        return SecondReading(bias: Double(SecondReading.format(b))!, weights: weights.mapValues { Double(SecondReading.format($0))! })
    }
}
