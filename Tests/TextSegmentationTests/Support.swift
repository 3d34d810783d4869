import Testing
import TriageCore
@testable import TextSegmentation

/// Segments `text` and returns (kind, text) pairs, after checking that the
/// segments tile the text exactly.
func segmented(_ text: String, segmenter: TextSegmenter = TextSegmenter(),
               sourceLocation: SourceLocation = #_sourceLocation) -> [(SegmentKind, String)] {
    let body = segmenter.body(for: text)
    checkTiling(body, sourceLocation: sourceLocation)
    return body.segments.map { ($0.kind, body.text(of: $0)) }
}

/// The coverage invariant: ordered, non-empty, non-overlapping segments
/// covering every scalar once, adjacent kinds different.
func checkTiling(_ body: Body, sourceLocation: SourceLocation = #_sourceLocation) {
    let count = body.text.unicodeScalars.count
    if count == 0 {
        #expect(body.segments.isEmpty, sourceLocation: sourceLocation)
        return
    }
    #expect(body.segments.first?.start == 0, sourceLocation: sourceLocation)
    #expect(body.segments.last?.end == count, sourceLocation: sourceLocation)
    var previous: Segment? = nil
    for s in body.segments {
        #expect(s.start < s.end, "empty segment \(s)", sourceLocation: sourceLocation)
        if let p = previous {
            #expect(p.end == s.start, "gap or overlap between \(p) and \(s)", sourceLocation: sourceLocation)
            #expect(p.kind != s.kind, "unmerged neighbours \(p) and \(s)", sourceLocation: sourceLocation)
        }
        previous = s
    }
    // Slice once (Body.text(of:) walks from the start each time, which is
    // quadratic over thousands of segments).
    let scalars = Array(body.text.unicodeScalars)
    var joined = String.UnicodeScalarView()
    for s in body.segments where s.start >= 0 && s.start <= s.end && s.end <= scalars.count {
        joined.append(contentsOf: scalars[s.start..<s.end])
    }
    #expect(String(joined) == body.text, sourceLocation: sourceLocation)
}

/// Compares segmentation to the expected (kind, text) list.
func expectSegments(_ text: String, _ expected: [(SegmentKind, String)],
                    segmenter: TextSegmenter = TextSegmenter(),
                    sourceLocation: SourceLocation = #_sourceLocation) {
    let got = segmented(text, segmenter: segmenter, sourceLocation: sourceLocation)
    let gotText = got.map { "[\($0.0.rawValue)]\n\($0.1)" }
    let wantText = expected.map { "[\($0.0.rawValue)]\n\($0.1)" }
    #expect(gotText == wantText, sourceLocation: sourceLocation)
}

/// The text of all segments of one kind, concatenated.
func text(_ kind: SegmentKind, in text: String) -> String {
    let body = TextSegmenter().body(for: text)
    return body.segments(kind).map { body.text(of: $0) }.joined()
}

