import TriageCore

/// Normalises text for phrase matching: lower case, white space folded,
/// curly quotes straightened, trimmed.
func normalise(_ s: String) -> String {
    // Fast path: ASCII text, byte by byte over contiguous storage.
    var copy = s
    let ascii: String? = copy.withUTF8 { buf -> String? in
        var out = [UInt8](repeating: 0, count: buf.count)
        var n = 0
        var pendingSpace = false
        var k = 0
        let count = buf.count
        while k < count {
            let b = buf[k]
            k += 1
            if b >= 0x80 { return nil }
            if b == 0x20 || (b >= 0x09 && b <= 0x0D) {
                pendingSpace = n > 0
                continue
            }
            if b == 0 { continue }
            if pendingSpace { out[n] = 0x20; n += 1; pendingSpace = false }
            out[n] = (b >= 0x41 && b <= 0x5A) ? b + 0x20 : b
            n += 1
        }
        return out.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[0..<n]), as: UTF8.self) }
    }
    if let ascii { return ascii }
    // The same, scalar by scalar, written as UTF-8 bytes (appending to a
    // String.UnicodeScalarView one scalar at a time is several times slower).
    // Lower case as `String.lowercased()` makes it, one scalar's mapping at a
    // time (ASCII directly), without building the lower-cased copy first.
    var out: [UInt8] = []
    out.reserveCapacity(s.utf8.count)
    var pendingSpace = false
    func add(_ s: Unicode.Scalar) {
        if TextSegmenter.isSpace(s) || s == "\n" || s == "\r" {
            pendingSpace = !out.isEmpty
            return
        }
        if s.value == 0 || s.value == 0x200C || s.value == 0x200D { return }
        if pendingSpace { out.append(0x20); pendingSpace = false }
        switch s {
        case "\u{2019}", "\u{2018}", "\u{02BC}": out.append(UInt8(ascii: "'"))
        case "\u{201C}", "\u{201D}": out.append(UInt8(ascii: "\""))
        case "\u{2013}", "\u{2014}": out.append(UInt8(ascii: "-"))
        default:
            if s.isASCII { out.append(UInt8(s.value)) } else { UTF8.encode(s) { out.append($0) } }
        }
    }
    for u in s.unicodeScalars {
        if u.isASCII {
            add(u.value >= 0x41 && u.value <= 0x5A ? Unicode.Scalar(UInt8(u.value) + 0x20) : u)
        } else {
            for m in u.properties.lowercaseMapping.unicodeScalars { add(m) }
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// A vocabulary turned into lookup tables, built once per segmenter (the
/// standard one once per process).

/// Finds phrases in normalised UTF-8 text, at word starts, in one pass.
struct PhraseMatcher {
    /// Phrases grouped by their first two bytes.
    private var buckets: [[[UInt8]]] = []
    private var table: [Int32]

    init(_ phrases: [String]) {
        table = Array(repeating: -1, count: 65536)
        for phrase in phrases {
            let bytes = Array(phrase.utf8)
            guard bytes.count >= 2 else { continue }
            let key = Int(bytes[0]) << 8 | Int(bytes[1])
            if table[key] < 0 {
                table[key] = Int32(buckets.count)
                buckets.append([])
            }
            buckets[Int(table[key])].append(bytes)
        }
        for b in buckets.indices { buckets[b].sort { $0.count > $1.count } }
    }

    /// Number of non-overlapping phrase matches, counting up to `limit`.
    func matches(in text: [UInt8], upTo limit: Int) -> Int {
        let n = text.count
        var hits = 0
        var k = 0
        while k + 1 < n {
            if k > 0 && isWordByte(text[k - 1]) { k += 1; continue }
            let bucket = table[Int(text[k]) << 8 | Int(text[k + 1])]
            if bucket >= 0 {
                var matched = 0
                for phrase in buckets[Int(bucket)] where phrase.count <= n - k {
                    var equal = true
                    var j = 2
                    while j < phrase.count {
                        if text[k + j] != phrase[j] { equal = false; break }
                        j += 1
                    }
                    if equal { matched = phrase.count; break }
                }
                if matched > 0 {
                    hits += 1
                    if hits >= limit { return hits }
                    k += matched
                    continue
                }
            }
            k += 1
        }
        return hits
    }
}

/// ASCII letters and digits, and any byte of a multi-byte UTF-8 sequence.
func isWordByte(_ b: UInt8) -> Bool {
    (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b >= 0x80
}

// MARK: - Small string helpers

extension StringProtocol {
    /// Without leading and trailing white space.
    func trimmingSpaces() -> Substring {
        let s = Substring(self)
        guard let first = s.firstIndex(where: { !$0.isWhitespace }) else { return s[s.endIndex...] }
        guard let last = s.lastIndex(where: { !$0.isWhitespace }) else { return s[s.endIndex...] }
        return s[first...last]
    }

    /// Without trailing punctuation and white space (",", ".", "!", ":", ";", "-").
    func trimmingPunctuation() -> String {
        var s = String(self.trimmingSpaces())
        while let last = s.last, last == "," || last == "." || last == "!" || last == ":" || last == ";" || last == "-" || last.isWhitespace {
            s.removeLast()
        }
        return s
    }

    /// With every "*" removed (Outlook's plain-text bold: "*From:* …").
    func replacingStars() -> String {
        if !self.utf8.contains(UInt8(ascii: "*")) { return String(self) }
        return String(self.filter { $0 != "*" })
    }
}
