import Foundation
@testable import MailParsing
@testable import MailText
import Testing
import TriageCore

/// The decoders loop over a contiguous buffer (a concrete type, specialised)
/// rather than through a generic collection: each gives, on seeded random
/// input full of edge cases, exactly what the plain version it replaced gave
/// (kept here as the reference), from arrays, slices and non-contiguous
/// collections alike.
@Suite struct FastPathTests {
    /// Random bytes drawn mostly from `alphabet`, with some of anything.
    static func bytes(_ rng: inout SplitMix64, alphabet: [UInt8], maxLength: Int = 300) -> [UInt8] {
        let n = Int(rng.next() % UInt64(maxLength))
        return (0..<n).map { _ in
            rng.next() % 10 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : alphabet[Int(rng.next() % UInt64(alphabet.count))]
        }
    }

    static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/====\r\n \t!".utf8)
    static let qpAlphabet = Array("abcXYZ09=====ABCDEFabcdef  \t\r\n\r\n?".utf8)
    /// ASCII, line ends, and pieces of valid and broken UTF-8 (truncated sequences, surrogates, overlongs, U+FFFD itself).
    static let textAlphabet: [UInt8] = Array("ab \r\n\t".utf8) + [0xC3, 0xA9, 0xE2, 0x80, 0x99, 0xF0, 0x9F, 0x98, 0x80, 0xED, 0xA0, 0xC0, 0xAF, 0xEF, 0xBF, 0xBD, 0x92, 0x81]

    // MARK: References: the code before the fast paths

    static func referenceBase64(_ input: [UInt8]) -> (bytes: [UInt8], problem: String?) {
        var out: [UInt8] = []
        let table = TransferDecoding.base64Table
        var acc: UInt32 = 0, n = 0, stray = false, pads = 0
        for b in input {
            let v = table[Int(b)]
            if v == 0xFF {
                if b == UInt8(ascii: "=") {
                    if n >= 2 { pads += 1; if n + pads >= 4 { break } }
                    continue
                }
                if b != 0x0A && b != 0x0D && b != 0x20 && b != 0x09 { stray = true }
                continue
            }
            if pads > 0 { stray = true; pads = 0 }
            acc = acc << 6 | UInt32(v)
            n += 1
            if n == 4 {
                out += [UInt8(truncatingIfNeeded: acc >> 16), UInt8(truncatingIfNeeded: acc >> 8), UInt8(truncatingIfNeeded: acc)]
                acc = 0; n = 0
            }
        }
        var problem: String? = stray ? "base64 with characters outside the alphabet" : nil
        switch n {
        case 2: out.append(UInt8(truncatingIfNeeded: acc >> 4)); if pads < 2 { problem = problem ?? "base64 with missing padding" }
        case 3:
            out += [UInt8(truncatingIfNeeded: acc >> 10), UInt8(truncatingIfNeeded: acc >> 2)]
            if pads < 1 { problem = problem ?? "base64 with missing padding" }
        case 1: problem = "base64 truncated: one stray character at the end dropped"
        default: break
        }
        return (out, problem)
    }

    static func referenceValidUTF8(_ bytes: [UInt8]) -> String? {
        var it = bytes.makeIterator()
        var decoder = UTF8()
        var s = String.UnicodeScalarView()
        while true {
            switch decoder.decode(&it) {
            case .scalarValue(let u): s.append(u)
            case .emptyInput: return String(s)
            case .error: return nil
            }
        }
    }

    static func referenceNewlines(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var prevCR = false
        for u in s.unicodeScalars {
            if u == "\r" { out.append("\n"); prevCR = true; continue }
            if u == "\n" && prevCR { prevCR = false; continue }
            prevCR = false
            out.append(u)
        }
        while let last = out.last, last == "\n" || last == " " || last == "\t" { out.removeLast() }
        return String(out)
    }

    // MARK: Tests

    @Test func base64SameAsBefore() {
        var rng = SplitMix64(seed: 18)
        for _ in 0..<3000 {
            let input = Self.bytes(&rng, alphabet: Self.base64Alphabet)
            let expected = Self.referenceBase64(input)
            for got in [TransferDecoding.base64(input), TransferDecoding.base64(input[...]), TransferDecoding.base64(input.lazy.map { $0 })] {
                #expect(got.bytes == expected.bytes && got.problem == expected.problem, "\(input)")
            }
        }
        // Stops at complete padding; a big body round-trips.
        #expect(TransferDecoding.base64(Array("QUI=QUJD".utf8)).bytes == Array("AB".utf8))
        let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        #expect(TransferDecoding.base64(Array(Data(big).base64EncodedString(options: .lineLength76Characters).utf8)).bytes == big)
    }

    @Test func quotedPrintableSameFromEveryCollection() {
        var rng = SplitMix64(seed: 19)
        for _ in 0..<3000 {
            let input = Self.bytes(&rng, alphabet: Self.qpAlphabet)
            let expected = TransferDecoding.quotedPrintable(input.lazy.map { $0 })
            let slice = ([0x41] + input)[1...]
            for got in [TransferDecoding.quotedPrintable(input), TransferDecoding.quotedPrintable(slice)] {
                #expect(got.bytes == expected.bytes && got.badEscape == expected.badEscape, "\(input)")
            }
        }
        #expect(TransferDecoding.quotedPrintable(Array("a=3D=\r\nb=zz=".utf8)).bytes == Array("a=b=zz".utf8))
    }

    @Test func utf8ValiditySameAsAScalarDecoder() {
        var rng = SplitMix64(seed: 20)
        // A truncated four-byte sequence before ASCII repairs to as many bytes as it had.
        for fixed: [UInt8] in [[0xF0, 0x90, 0x80, 0x41], [0xEF, 0xBF, 0xBD], [], [0xED, 0xA0, 0x80], [0xC0, 0xAF]] {
            #expect(CharsetDecoder.validUTF8(fixed) == Self.referenceValidUTF8(fixed), "\(fixed)")
        }
        for _ in 0..<5000 {
            let input = Self.bytes(&rng, alphabet: Self.textAlphabet, maxLength: 40)
            let expected = Self.referenceValidUTF8(input)
            #expect(CharsetDecoder.validUTF8(input) == expected, "\(input)")
            #expect(CharsetDecoder.validUTF8(input.lazy.map { $0 }) == expected, "\(input)")
            #expect(CharsetDecoder.decodeUndeclared(input[...]) == (expected ?? CharsetDecoder.decodeWindows1252(input.lazy.map { $0 })))
            #expect(CharsetDecoder.decode(input, charset: "latin1") == String(input.map { Character(Unicode.Scalar($0)) }))
        }
    }

    @Test func blanksTrimmedAsFoundationTrimsWhitespace() {
        for v in UInt32(0)...0xFFFF {
            guard let u = Unicode.Scalar(v) else { continue }
            let s = "\(u)\(u)a\u{301} \(u)b\(u)"
            #expect(s.trimmingBlanks() == s.trimmingCharacters(in: .whitespaces), "U+\(String(v, radix: 16))")
        }
        for s in ["", " ", "\t \u{3000}", " a ", "a", "\u{1F600} x \u{1F600}", "\u{200B}x\u{200C}"] {
            #expect(s.trimmingBlanks() == s.trimmingCharacters(in: .whitespaces))
            #expect(s[...].trimmingBlanks() == s.trimmingCharacters(in: .whitespaces))
        }
    }

    @Test func internetDateTimeAsTheFormatterWritesIt() {
        var rng = SplitMix64(seed: 21)
        func formatter(_ d: Date) -> String {
            ISO8601DateFormatter.string(from: d, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime])
        }
        var dates: [Date] = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -1), Date(timeIntervalSince1970: 951_782_400),
                             Date(timeIntervalSince1970: 4_107_542_399), Date(timeIntervalSince1970: 12.75), Date(timeIntervalSince1970: -0.5),
                             Date(timeIntervalSince1970: -12_212_553_600), Date(timeIntervalSince1970: -12_212_553_601),
                             Date(timeIntervalSince1970: 253_402_300_799), Date(timeIntervalSince1970: 253_402_300_800),
                             Date(timeIntervalSince1970: -62_135_596_800)]
        for _ in 0..<20_000 {
            // Whole seconds from about 1500 to 10000, and some with a fraction.
            let t = Double(Int64(rng.next() % 268_000_000_000) - 15_000_000_000)
            dates.append(Date(timeIntervalSince1970: rng.next() % 8 == 0 ? t + Double(rng.next() % 1000) / 1000 : t))
        }
        for d in dates {
            #expect(MailDates.internetDateTime(d) == formatter(d), "\(d.timeIntervalSince1970)")
        }
    }

    @Test func keptConvertersStartFromTheInitialState() {
        // A part that ends shifted into JIS X 0208 (no ESC ( B) must not leave the
        // kept converter shifted for the next part in the same charset.
        let shifted: [UInt8] = [0x1B, 0x24, 0x42, 0x46, 0x7C, 0x4B, 0x5C]
        let first = CharsetDecoder.decode(shifted, charset: "ISO-2022-JP")
        #expect(first.hasPrefix("日本"))
        #expect(CharsetDecoder.decode(Array("plain text".utf8), charset: "ISO-2022-JP") == "plain text")
        #expect(CharsetDecoder.decode(shifted, charset: "iso-2022-jp") == first)
        // Many threads at once, each converter used by one of them at a time.
        let koi8: [UInt8] = [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4]
        final class Tally: @unchecked Sendable {
            let lock = NSLock()
            var right = 0
        }
        let tally = Tally()
        DispatchQueue.concurrentPerform(iterations: 400) { k in
            let text = k % 2 == 0 ? CharsetDecoder.decode(koi8, charset: "koi8-r") : CharsetDecoder.decode(shifted, charset: "ISO-2022-JP")
            let right = text == (k % 2 == 0 ? "Привет" : first)
            tally.lock.lock()
            if right { tally.right += 1 }
            tally.lock.unlock()
        }
        #expect(tally.right == 400)
    }

    @Test func newlinesNormalisedAsBefore() {
        var rng = SplitMix64(seed: 22)
        for fixed in ["", "\r", "a\r", "a\r\n", "a \r\n\t", "a\n\n \t", "\r\r\n\n", "é\r\nx\ry \n", "a\t\r b"] {
            #expect(EmailParser.normaliseNewlines(fixed) == Self.referenceNewlines(fixed), "\(Array(fixed.utf8))")
        }
        for _ in 0..<5000 {
            let text = CharsetDecoder.decodeUndeclared(Self.bytes(&rng, alphabet: Self.textAlphabet, maxLength: 40))
            #expect(EmailParser.normaliseNewlines(text) == Self.referenceNewlines(text), "\(Array(text.utf8))")
        }
    }
}
