import Testing
@testable import TextSegmentation
import TriageCore

/// The line normaliser writes non-ASCII text as UTF-8 bytes: it gives what the
/// scalar-by-scalar version it replaced gave (kept here as the reference).
@Suite struct NormaliseTests {
    static func reference(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for s in s.lowercased().unicodeScalars {
            if TextSegmenter.isSpace(s) || s == "\n" || s == "\r" {
                pendingSpace = !out.isEmpty
                continue
            }
            if s.value == 0 || s.value == 0x200C || s.value == 0x200D { continue }
            if pendingSpace { out.append(" "); pendingSpace = false }
            switch s {
            case "\u{2019}", "\u{2018}", "\u{02BC}": out.append("'")
            case "\u{201C}", "\u{201D}": out.append("\"")
            case "\u{2013}", "\u{2014}": out.append("-")
            default: out.append(s)
            }
        }
        return String(out)
    }

    @Test func nonASCIILinesAsBefore() {
        let pieces: [String] = ["A", "b", " ", "\t", "\r\n", "\u{A0}", "\u{3000}", "\u{200B}", "\u{200C}", "\u{200D}", "\0", "’", "‘", "ʼ",
                                "“", "”", "–", "—", "É", "ß", "İ", "Σ", "ΣΑ", "ǅ", "Ǆ", "ﬁ", "\u{1F600}", "e\u{301}", "Ж", "\u{FEFF}",
                                "\u{212B}", "\u{212A}", "ẞ", "Ⅻ", "\u{10400}", "Z", "@", "["]
        var rng = SplitMix64(seed: 23)
        for _ in 0..<5000 {
            let n = Int(rng.next() % 12)
            var s = ""
            for _ in 0..<n { s += pieces[Int(rng.next() % UInt64(pieces.count))] }
            #expect(normalise(s) == Self.reference(s), "\(s.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }
}
