import Testing
import TriageTestSupport
import TriageCore
@testable import TextSegmentation

@Suite("Offsets, line ends and robustness")
struct RobustnessTests {
    @Test func emojiAndMultiByteOffsets() {
        let new = "Thanks 👍🏽 for nothing 😡 — the café owner saw it too.\n\n"
        let quoted = "On Sat, 7 Nov 2026 at 11:11, Zoë Example <zoe@example.org> wrote:\n> Hello 👋\n"
        let body = TextSegmenter().body(for: new + quoted)
        checkTiling(body)
        #expect(body.segments.count == 2)
        #expect(body.segments.first?.end == new.unicodeScalars.count)
        #expect(body.segments.map { body.text(of: $0) } == [new, quoted])
        #expect(body.segments.map(\.kind) == [.newText, .quoted])
    }

    @Test func decomposedAccentsCountAsScalars() {
        let new = "Caf\u{65}\u{301} owner was threatened.\n"
        let sig = "-- \nRene\u{301}e\n"
        let body = TextSegmenter().body(for: new + sig)
        #expect(body.segments == [
            Segment(kind: .newText, start: 0, end: 28),
            Segment(kind: .signature, start: 28, end: 28 + sig.unicodeScalars.count),
        ])
        #expect(body.segments.map { body.text(of: $0) } == [new, sig])
    }

    @Test func blankLinesBelongToEarlierSegment() {
        let t = "\n\nHello there.\n\n\n> quoted\n\n\nAnswer.\n\n"
        expectSegments(t, [
            (.newText, "\n\nHello there.\n\n\n"),
            (.quoted, "> quoted\n\n\n"),
            (.newText, "Answer.\n\n"),
        ])
    }

    @Test func leadingBlankLinesJoinFirstSegment() {
        let t = "\n\n> quoted first\nreply\n"
        expectSegments(t, [(.quoted, "\n\n> quoted first\n"), (.newText, "reply\n")])
    }

    @Test func carriageReturnOnlyLineEnds() {
        let t = "Line one\rLine two\r> quoted\r"
        expectSegments(t, [(.newText, "Line one\rLine two\r"), (.quoted, "> quoted\r")])
    }

    @Test func crlfLineEndsAreTolerated() {
        let t = "Hello\r\n\r\n> quoted\r\n"
        expectSegments(t, [(.newText, "Hello\r\n\r\n"), (.quoted, "> quoted\r\n")])
    }

    @Test func noTrailingNewline() {
        expectSegments("abc\n> def", [(.newText, "abc\n"), (.quoted, "> def")])
    }

    @Test func nulsAndControlCharacters() {
        let t = "a\u{0}b\n\u{0}\n> \u{0}\n\u{1B}[31m\n"
        _ = segmented(t)
    }

    @Test func hugeSingleLine() {
        let line = String(repeating: "complaint 😡 ", count: 100_000)
        let t = line + "\n> quoted\n"
        let body = TextSegmenter().body(for: t)
        checkTiling(body)
        #expect(body.segments.map(\.kind) == [.newText, .quoted])
        #expect(body.segments.first?.end == line.unicodeScalars.count + 1)
    }

    @Test func customVocabularyExtendsSignOffs() {
        var vocabulary = SegmenterVocabulary.standard
        vocabulary.signOffs.append("laters")
        let t = "See you at the meeting.\n\nLaters\nSam\n"
        expectSegments(t, [(.newText, "See you at the meeting.\n\n"), (.signature, "Laters\nSam\n")],
                       segmenter: TextSegmenter(vocabulary: vocabulary))
        expectSegments(t, [(.newText, t)])
        // The same through the property setter.
        var edited = TextSegmenter()
        edited.vocabulary.signOffs.append("laters")
        expectSegments(t, [(.newText, "See you at the meeting.\n\n"), (.signature, "Laters\nSam\n")], segmenter: edited)
    }

    @Test func tilingHoldsOnRandomInputs() {
        let pieces: [String] = [
            "\n", "\n", "\n", "\r", "\r\n", " ", "  ", ">", "> ", ">>", "-- ", "--", "-----", "_____",
            "On Mon, 2 Nov 2026 at 10:15, A <a@example.org>", " wrote:", "From: A", "Sent: x", "To: b",
            "Subject: c", "Date: d", "Kind regards", "Thanks", "Sam", "Sent from my iPhone",
            "-----Original Message-----", "Begin forwarded message:", "---------- Forwarded message ---------",
            "If you are not the intended recipient", "OFFICIAL", "complaint", "😡", "👍🏽", "é", "e\u{301}",
            "\u{0}", "\t", "word", "The officer was rude.", "Le 2 nov. 2026, X a écrit :", "*", ":",
        ]
        var rng = SplitMix64(seed: 20261125)
        let segmenter = TextSegmenter()
        for _ in 0..<400 {
            let n = Int.random(in: 0...60, using: &rng)
            var t = ""
            for _ in 0..<n { t += pieces[Int.random(in: 0..<pieces.count, using: &rng)] }
            checkTiling(segmenter.body(for: t))
        }
        // And raw scalars, including lone surrogates' neighbours and odd planes.
        for _ in 0..<200 {
            let n = Int.random(in: 0...200, using: &rng)
            var view = String.UnicodeScalarView()
            for _ in 0..<n {
                let choice = Int.random(in: 0..<10, using: &rng)
                let value: UInt32
                switch choice {
                case 0: value = 0x0A
                case 1: value = 0x0D
                case 2: value = 0x3E
                case 3: value = UInt32.random(in: 0x1F300...0x1FAFF, using: &rng)
                default: value = UInt32.random(in: 0...0xD7FF, using: &rng)
                }
                if let s = Unicode.Scalar(value) { view.append(s) }
            }
            checkTiling(segmenter.body(for: String(view)))
        }
    }

    @Test func oneMegabyteIsFast() {
        var t = ""
        var i = 0
        while t.utf8.count < 1_000_000 {
            switch i % 6 {
            case 0: t += "The officer attended at \(i) o'clock and was rude to my neighbour, who was upset. 😡\n"
            case 1: t += "> Quoted line number \(i) from an earlier message.\n"
            case 2: t += "\n"
            case 3: t += "Kind regards\n"
            case 4: t += "From: Someone <someone@example.org> sent this on line \(i).\n"
            default: t += "If you are not the intended recipient, please delete this email. \(i)\n\n"
            }
            i += 1
        }
        t += "\nOn Mon, 2 Nov 2026 at 10:15, A <a@example.org> wrote:\nrest\n"
        let clock = ContinuousClock()
        var body = Body(text: "", segments: [])
        let elapsed = clock.measure { body = TextSegmenter().body(for: t) }
        checkTiling(body)
        #expect(body.segments.last?.kind == .quoted)
        #expect(elapsed < HangWatchdog.limit, "took \(elapsed)")
        print("1 MB segmentation took \(elapsed)")
    }

    @Test func oneMegabyteOfShortFooterParagraphs() {
        // Worst case for the footer scan: every paragraph is short.
        var t = "Start of my message.\n\n"
        while t.utf8.count < 1_000_000 { t += "Regards\nAll communications may be monitored.\n\n" }
        let clock = ContinuousClock()
        var body = Body(text: "", segments: [])
        let elapsed = clock.measure { body = TextSegmenter().body(for: t) }
        checkTiling(body)
        #expect(elapsed < HangWatchdog.limit, "took \(elapsed)")
        print("1 MB of footer paragraphs took \(elapsed)")
    }
}
