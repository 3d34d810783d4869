import Foundation
import Testing
@testable import TriageCore

/// Text is read as UTF-8 bytes but offsets stay Unicode-scalar offsets: quoting
/// by offset and slicing a body into its segments give what slicing the array
/// of scalars gives, for ASCII, accented, CJK and emoji text, at every offset,
/// in or out of range.
@Suite struct TextSlicingTests {
    static let samples = [
        "Plain ASCII text. The officer was rude.",
        "Café owner: the PC’s attitude — “unacceptable”, naïve.\r\nNext line",
        "日本語のテキスト and English 😀 mixed 👍🏽 with e\u{301} combining",
        "",
        "é",
        "📔 Treated unfairly by the police? You could be owed £££",
    ]

    static func slice(_ scalars: [Unicode.Scalar], _ start: Int, _ end: Int) -> String {
        let lo = max(0, min(start, scalars.count)), hi = max(lo, min(end, scalars.count))
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[lo..<hi])
        return String(view)
    }

    @Test(arguments: samples)
    func quotesAreTheScalarsBetweenTheOffsets(text: String) {
        let scalars = Array(text.unicodeScalars)
        for base in [0, 7] {
            let index = TextIndex(text, baseOffset: base)
            for start in -2...(scalars.count + 2) {
                for end in (start - 1)...(scalars.count + 3) {
                    #expect(index.quote(from: start + base, to: end + base) == Self.slice(scalars, start, end))
                }
            }
        }
    }

    @Test(arguments: samples)
    func tokenOffsetsAreScalarOffsets(text: String) {
        let scalars = Array(text.unicodeScalars)
        let index = TextIndex(text, baseOffset: 3)
        for token in index.tokens {
            let quoted = Self.slice(scalars, token.start - 3, token.end - 3)
            #expect(index.quote(from: token.start, to: token.end) == quoted)
            // Without a normaliser a word's text is its spelling in lower case.
            if token.isWord, quoted.unicodeScalars.allSatisfy(\.isASCII) {
                #expect(quoted.lowercased() == token.text)
            }
        }
    }

    @Test(arguments: samples)
    func segmentsSliceAsTheScalarArrayDoes(text: String) {
        let scalars = Array(text.unicodeScalars)
        // In order (a body's segments), then out of order and out of range.
        var slicer = ScalarSlicer(text)
        var start = 0
        while start <= scalars.count {
            let end = min(scalars.count, start + 5)
            #expect(slicer.text(from: start, to: end) == Self.slice(scalars, start, end))
            start = end + 1
        }
        for (a, b) in [(3, 1), (0, 100), (-4, 2), (100, 200), (2, 2), (1, 4)] {
            #expect(slicer.text(from: a, to: b) == Self.slice(scalars, a, b), "\(a)..<\(b)")
        }
    }
}
