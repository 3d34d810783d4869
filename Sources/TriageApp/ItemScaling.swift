import Foundation
import TriageCore
import TriageIngest

/// The classifier's linear-time benchmark: hostile shapes of one item, each
/// at doubling sizes, parsed and classified in this process (no start-up in
/// the figures). Parsing the same bytes is the baseline beside it: it is
/// linear, so the classify ÷ parse ratio should stay flat as the item grows.
///
/// The growth per doubling is fitted over all sizes (least squares on
/// log time against log size: time ∝ size^k, growth = 2^k), which is steadier
/// than any one pair of sizes on a busy machine.
public enum ItemScaling {
    /// One shape of hostile item: its opening and the unit repeated to size.
    public struct Shape: Sendable {
        public var name: String
        public var what: String
        public var unit: @Sendable (Int) -> String

        public init(name: String, what: String, unit: @escaping @Sendable (Int) -> String) {
            self.name = name
            self.what = what
            self.unit = unit
        }
    }

    /// The shapes that once made the classifier quadratic, and their neighbours.
    public static let shapes: [Shape] = [
        Shape(name: "rule-hits", what: "one sentence with many rule hits, repeated") { i in
            "the officer was rude and aggressive, this is not good enough, I want to complain \(i). "
        },
        Shape(name: "one-sentence", what: "rule hits in a single sentence with no full stop") { i in
            "the officer was rude and aggressive and I want to complain about PC \(i) and "
        },
        Shape(name: "anaphors", what: "sentences that refer back (he, they) with no role of their own") { i in
            "He shouted at me again \(i). They were rude to my family. "
        },
        Shape(name: "one-paragraph", what: "roles and complaints in one paragraph of short sentences") { i in
            "A sergeant came round \(i). I want to complain about how they behaved. The PCSO laughed. "
        },
        Shape(name: "quoted-replies", what: "attribution lines and quoted text, alternating") { i in
            "On Mon, 9 Nov 2026 at 10:00, Pat Example <pat@example.com> wrote:\n> the officer was rude \(i)\n> and I want to complain\n\nStill waiting.\n\n"
        },
        Shape(name: "punctuation", what: "punctuation and symbols without words") { i in
            String(repeating: "!?.,;:-()[]\"' ", count: 4) + "\(i % 10)\n"
        },
    ]

    /// One measurement: a shape at a size.
    public struct Point: Codable, Sendable {
        public var shape: String
        public var bytes: Int
        /// Median seconds to classify (parsing excluded).
        public var classifySeconds: Double
        /// Median seconds to parse the same bytes (the linear baseline).
        public var parseSeconds: Double
        public var outcome: String

        enum CodingKeys: String, CodingKey {
            case shape, bytes, outcome
            case classifySeconds = "classify_seconds"
            case parseSeconds = "parse_seconds"
        }
    }

    /// A shape's points and its fitted growth per doubling.
    public struct Result: Codable, Sendable {
        public var shape: String
        public var what: String
        public var points: [Point]
        /// Time ratio per doubling of the input, fitted over all sizes.
        public var growthPerDoubling: Double
        /// The same for parsing (the baseline).
        public var parseGrowthPerDoubling: Double

        enum CodingKeys: String, CodingKey {
            case shape, what, points
            case growthPerDoubling = "growth_per_doubling"
            case parseGrowthPerDoubling = "parse_growth_per_doubling"
        }
    }

    /// The item's bytes: an email whose body is `shape`'s unit repeated to at least `bytes`.
    public static func item(_ shape: Shape, bytes: Int) -> [UInt8] {
        var text = "From: Pat Example <pat@example.com>\r\nTo: complaints@example.org\r\nSubject: scaling\r\n"
            + "Date: Mon, 9 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            + "I want to complain about PC Example who was rude.\n"
        var i = 0
        while text.utf8.count < bytes {
            text += shape.unit(i)
            i += 1
        }
        return Array(text.utf8)
    }

    /// Measures every shape at every size (median of `runs`).
    /// - Parameters:
    ///   - progress: called before each measurement.
    public static func measure(ingester: Ingester, classifier: Classifier, force: String, shapes: [Shape] = shapes,
                               sizes: [Int], runs: Int, progress: (String) -> Void = { _ in }) throws -> [Result] {
        let clock = ContinuousClock()
        func seconds(_ d: Duration) -> Double {
            Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        var results: [Result] = []
        for shape in shapes {
            var points: [Point] = []
            for size in sizes {
                progress("\(shape.name), \(size / 1024) KB")
                let raw = RawItem(bytes: item(shape, bytes: size), source: "scaling/\(shape.name)-\(size)")
                var parse: [Double] = [], classify: [Double] = []
                var outcome = ""
                for _ in 0..<runs {
                    var parsed: Correspondence?
                    parse.append(seconds(try clock.measure { parsed = try ingester.parse(raw) }))
                    guard let item = parsed else { continue }
                    var decision: Decision?
                    classify.append(seconds(clock.measure { decision = classifier.classify(item, force: force) }))
                    outcome = decision?.outcome.rawValue ?? ""
                }
                points.append(Point(shape: shape.name, bytes: raw.bytes.count, classifySeconds: Bench.median(classify),
                                    parseSeconds: Bench.median(parse), outcome: outcome))
            }
            results.append(Result(shape: shape.name, what: shape.what, points: points,
                                  growthPerDoubling: growth(points.map { (Double($0.bytes), $0.classifySeconds) }),
                                  parseGrowthPerDoubling: growth(points.map { (Double($0.bytes), $0.parseSeconds) })))
        }
        return results
    }

    /// 2^k where time ∝ size^k, by least squares on the logarithms.
    public static func growth(_ points: [(size: Double, seconds: Double)]) -> Double {
        let usable = points.filter { $0.size > 0 && $0.seconds > 0 }
        guard usable.count >= 2 else { return .nan }
        let xs = usable.map { log2($0.size) }, ys = usable.map { log2($0.seconds) }
        let mx = xs.reduce(0, +) / Double(xs.count), my = ys.reduce(0, +) / Double(ys.count)
        var sxy = 0.0, sxx = 0.0
        for (x, y) in zip(xs, ys) {
            sxy += (x - mx) * (y - my)
            sxx += (x - mx) * (x - mx)
        }
        return sxx > 0 ? pow(2, sxy / sxx) : .nan
    }

    /// A plain-text table of the results, with the verdict against `limit`.
    public static func text(_ results: [Result], limit: Double) -> String {
        var out = ["classifier time against item size (median per size; parse of the same bytes beside it)"]
        for r in results {
            out.append("")
            out.append("\(r.shape): \(r.what)")
            out.append("      size   classify      parse   classify÷parse  outcome")
            for p in r.points {
                let ratio = p.parseSeconds > 0 ? p.classifySeconds / p.parseSeconds : .nan
                out.append(String(format: "%7d KB %8.3f s %8.3f s %12.1f×     ", p.bytes / 1024, p.classifySeconds, p.parseSeconds, ratio) + p.outcome)
            }
            let verdict = r.growthPerDoubling <= limit ? "ok" : "OVER \(String(format: "%.1f", limit))×"
            out.append(String(format: "  growth per doubling: classify %.2f×, parse %.2f× (", r.growthPerDoubling, r.parseGrowthPerDoubling) + verdict + ")")
        }
        return out.joined(separator: "\n")
    }
}
