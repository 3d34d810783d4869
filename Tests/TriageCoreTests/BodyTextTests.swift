import Foundation
import Testing
import TriageCore

/// `Body.text(of:)` finds a segment's text through checkpoints, not by walking
/// from the start (classification of items with thousands of quote segments
/// was quadratic): same answers as a walk, for any offsets, any scalars.
@Suite struct BodyTextTests {
    static func walk(_ text: String, _ s: Segment) -> String {
        let scalars = Array(text.unicodeScalars)
        let lo = max(0, min(s.start, scalars.count)), hi = max(lo, min(s.end, scalars.count))
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[lo..<hi])
        return String(out)
    }

    @Test func segmentTextMatchesAWalkAcrossCheckpoints() {
        let pieces = ["a", "é", "😡", "👍🏽", "\n", "e\u{301}", "漢", " "]
        var text = ""
        for k in 0..<3000 { text += pieces[(k * 7 + k / 13) % pieces.count] }
        let count = text.unicodeScalars.count
        var body = Body(text: text, segments: [])
        var starts = [0, 1, 255, 256, 257, 511, 512, count - 1, count, count + 5, -3]
        for k in stride(from: 0, to: count, by: 97) { starts.append(k) }
        for a in starts {
            for len in [0, 1, 2, 255, 256, 300, 5000] {
                let s = Segment(kind: .newText, start: a, end: a + len)
                #expect(body.text(of: s) == Self.walk(text, s), "\(a)+\(len)")
            }
        }
        // A new text invalidates the checkpoints.
        body.text = "short 😡 text"
        #expect(body.text(of: Segment(kind: .newText, start: 6, end: 7)) == "😡")
    }

    @Test func copiesAndCodingIgnoreTheCheckpoints() throws {
        let a = Body(text: "one\ntwo", segments: [Segment(kind: .newText, start: 0, end: 7)])
        _ = a.text(of: a.segments[0])
        let b = Body(text: "one\ntwo", segments: [Segment(kind: .newText, start: 0, end: 7)])
        #expect(a == b)
        let json = try JSONEncoder().encode(a)
        #expect(String(decoding: json, as: UTF8.self).contains("\"text\""))
        #expect(!String(decoding: json, as: UTF8.self).contains("scalarIndex"))
        #expect(try JSONDecoder().decode(Body.self, from: json) == a)
    }
}
