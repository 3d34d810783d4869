/// Transfer decoders: quoted-printable, base64, uuencode and percent-encoding
/// (URLs, form posts, RFC 2231 parameters). All are lenient, linear and never
/// fail: problems are reported as defects.
public enum TransferDecoding {
    /// The value of one hexadecimal digit (either case), or nil.
    @inline(__always) public static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    /// Decodes quoted-printable: soft line breaks, upper- or lower-case hex;
    /// a bad escape is kept as written.
    /// - Parameter input: the encoded bytes.
    /// - Returns: the decoded bytes and whether a bad escape was seen.
    public static func quotedPrintable<C: Collection>(_ input: C) -> (bytes: [UInt8], badEscape: Bool) where C.Element == UInt8, C.Index == Int {
        CharsetDecoder.contiguous(input) { quotedPrintable($0) }
    }

    /// ``quotedPrintable(_:)`` over a buffer: a concrete type, so the loop is
    /// specialised (a generic collection is not, across modules).
    public static func quotedPrintable(_ input: UnsafeBufferPointer<UInt8>) -> (bytes: [UInt8], badEscape: Bool) {
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var bad = false
        var i = input.startIndex
        let end = input.endIndex
        while i < end {
            let b = input[i]
            if b == UInt8(ascii: "=") {
                // Soft line break: "=" then optional whitespace then (CR)LF or end.
                var j = i + 1
                while j < end, input[j] == 0x20 || input[j] == 0x09 { j += 1 }
                if j >= end { i = j; continue }
                if input[j] == 0x0A { i = j + 1; continue }
                if input[j] == 0x0D { i = (j + 1 < end && input[j + 1] == 0x0A) ? j + 2 : j + 1; continue }
                if i + 2 < end, let h = hexValue(input[i + 1]), let l = hexValue(input[i + 2]) {
                    out.append(h << 4 | l)
                    i += 3
                    continue
                }
                bad = true
                out.append(b)
                i += 1
            } else {
                out.append(b)
                i += 1
            }
        }
        return (out, bad)
    }

    static let base64Table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    /// Decodes base64 leniently: skips characters outside the alphabet and
    /// line breaks, accepts missing padding, stops at complete padding.
    /// - Parameter input: the encoded bytes.
    /// - Returns: the decoded bytes and a problem description, if any.
    public static func base64<C: Collection>(_ input: C) -> (bytes: [UInt8], problem: String?) where C.Element == UInt8 {
        CharsetDecoder.contiguous(input) { base64($0) }
    }

    /// ``base64(_:)`` over a buffer: a concrete type, so the loop is
    /// specialised (a generic collection is not, across modules), and the
    /// output is written in place.
    public static func base64(_ input: UnsafeBufferPointer<UInt8>) -> (bytes: [UInt8], problem: String?) {
        var acc: UInt32 = 0
        var n = 0
        var stray = false
        var pads = 0
        var out = [UInt8](unsafeUninitializedCapacity: input.count / 4 * 3 + 3) { buffer, count in
            var used = 0
            base64Table.withUnsafeBufferPointer { table in
                let count = input.count
                var i = 0
                while i < count {
                    // Four letters of the alphabet at a quantum's start (the common case): three bytes at once,
                    // as the steps below would give them one letter at a time.
                    if n == 0, pads == 0, i + 4 <= count {
                        let a = table[Int(input[i])], b = table[Int(input[i + 1])]
                        let c = table[Int(input[i + 2])], d = table[Int(input[i + 3])]
                        if (a | b | c | d) & 0x80 == 0 {
                            let quantum = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                            buffer[used] = UInt8(truncatingIfNeeded: quantum >> 16)
                            buffer[used + 1] = UInt8(truncatingIfNeeded: quantum >> 8)
                            buffer[used + 2] = UInt8(truncatingIfNeeded: quantum)
                            used += 3
                            i += 4
                            continue
                        }
                    }
                    let b = input[i]
                    i += 1
                    let v = table[Int(b)]
                    if v == 0xFF {
                        if b == UInt8(ascii: "=") {
                            if n >= 2 {
                                pads += 1
                                if n + pads >= 4 { break }
                            }
                            continue
                        }
                        if b != 0x0A && b != 0x0D && b != 0x20 && b != 0x09 { stray = true }
                        continue
                    }
                    if pads > 0 { stray = true; pads = 0 } // data after partial padding
                    acc = acc << 6 | UInt32(v)
                    n += 1
                    if n == 4 {
                        buffer[used] = UInt8(truncatingIfNeeded: acc >> 16)
                        buffer[used + 1] = UInt8(truncatingIfNeeded: acc >> 8)
                        buffer[used + 2] = UInt8(truncatingIfNeeded: acc)
                        used += 3
                        acc = 0
                        n = 0
                    }
                }
            }
            count = used
        }
        var problem: String? = stray ? "base64 with characters outside the alphabet" : nil
        switch n {
        case 2:
            out.append(UInt8(truncatingIfNeeded: acc >> 4))
            if pads < 2 { problem = problem ?? "base64 with missing padding" }
        case 3:
            out.append(UInt8(truncatingIfNeeded: acc >> 10))
            out.append(UInt8(truncatingIfNeeded: acc >> 2))
            if pads < 1 { problem = problem ?? "base64 with missing padding" }
        case 1:
            problem = "base64 truncated: one stray character at the end dropped"
        default: break
        }
        return (out, problem)
    }

    /// Decodes a uuencoded body (`begin mode name` … `end`).
    /// - Parameter input: the encoded bytes.
    /// - Returns: the decoded bytes and the file name from the `begin` line, or nil when no `begin` line is found.
    public static func uudecode(_ input: [UInt8]) -> (bytes: [UInt8], filename: String?)? {
        var lines: [ArraySlice<UInt8>] = input.split(separator: 0x0A, omittingEmptySubsequences: false)
        lines = lines.map { $0.last == 0x0D ? $0.dropLast() : $0 }
        guard let beginIndex = lines.firstIndex(where: { $0.starts(with: Array("begin ".utf8)) }) else { return nil }
        let beginParts = lines[beginIndex].split(separator: 0x20, maxSplits: 2)
        let filename = beginParts.count == 3 ? String(decoding: beginParts[2], as: UTF8.self) : nil
        var out: [UInt8] = []
        for line in lines[(beginIndex + 1)...] {
            if line.elementsEqual(Array("end".utf8)) { break }
            guard let first = line.first else { continue }
            let count = Int((first &- 0x20) & 0x3F)
            if count == 0 { continue }
            var decoded: [UInt8] = []
            var quad: [UInt8] = []
            for c in line.dropFirst() {
                quad.append((c &- 0x20) & 0x3F)
                if quad.count == 4 {
                    decoded.append(quad[0] << 2 | quad[1] >> 4)
                    decoded.append(quad[1] << 4 | quad[2] >> 2)
                    decoded.append(quad[2] << 6 | quad[3])
                    quad.removeAll(keepingCapacity: true)
                }
            }
            if !quad.isEmpty {
                while quad.count < 4 { quad.append(0) }
                decoded.append(quad[0] << 2 | quad[1] >> 4)
                decoded.append(quad[1] << 4 | quad[2] >> 2)
                decoded.append(quad[2] << 6 | quad[3])
            }
            out.append(contentsOf: decoded.prefix(count))
        }
        return (out, filename)
    }

    /// Decodes `%XX` (either case) and, when asked, `+` as a space. A `%` not
    /// followed by two hex digits is kept as written and counted.
    /// - Parameters:
    ///   - input: the encoded bytes.
    ///   - plusAsSpace: true for `application/x-www-form-urlencoded`.
    /// - Returns: the decoded bytes and how many bad escapes were kept.
    public static func percent<C: Collection>(_ input: C, plusAsSpace: Bool = false) -> (bytes: [UInt8], badEscapes: Int) where C.Element == UInt8 {
        let input = Array(input)
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var bad = 0
        var i = 0
        while i < input.count {
            let b = input[i]
            if b == UInt8(ascii: "%") {
                if i + 2 < input.count, let h = hexValue(input[i + 1]), let l = hexValue(input[i + 2]) {
                    out.append(h << 4 | l)
                    i += 3
                    continue
                }
                bad += 1
                out.append(b)
            } else if b == UInt8(ascii: "+"), plusAsSpace {
                out.append(0x20)
            } else {
                out.append(b)
            }
            i += 1
        }
        return (out, bad)
    }
}
