import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns bytes in a named charset into a String, never failing: unknown
/// charsets and invalid bytes fall back to Windows-1252 with a note.
enum CharsetDecoding {
    /// Decodes `bytes` as `charset` (default UTF-8).
    /// - Returns: the text and, when the bytes did not fit the charset, a note.
    static func decode(_ bytes: [UInt8], charset: String?) -> (text: String, problem: String?) {
        let name = normalised(charset ?? "utf-8")
        switch name {
        case "utf8", "usascii", "ascii", "":
            if let s = String(validating: bytes, as: UTF8.self) { return (s, nil) }
            return (windows1252(bytes), "bytes are not valid \(charset ?? "UTF-8"); read as Windows-1252")
        case "iso88591", "latin1", "l1", "iso885915":
            // ISO-8859-1 is read as its superset Windows-1252, as browsers do.
            return (windows1252(bytes), nil)
        case "windows1252", "cp1252":
            return (windows1252(bytes), nil)
        default:
            if let s = iconvDecode(bytes, from: charset ?? "UTF-8") { return (s, nil) }
            if let s = String(validating: bytes, as: UTF8.self) {
                return (s, "unknown charset \(charset ?? "") ; read as UTF-8")
            }
            return (windows1252(bytes), "unknown charset \(charset ?? ""); read as Windows-1252")
        }
    }

    /// Lower-case, letters and digits only ("ISO-8859-1" → "iso88591").
    static func normalised(_ charset: String) -> String {
        String(charset.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) && $0.isASCII }.map(Character.init))
    }

    private static let cp1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]

    /// Windows-1252 (a superset of ISO-8859-1's printable range).
    static func windows1252(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.reserveCapacity(bytes.count)
        for b in bytes {
            let value: UInt32 = (0x80...0x9F).contains(b) ? cp1252High[Int(b) - 0x80] : UInt32(b)
            if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
        }
        return String(scalars)
    }

    /// Any other charset through iconv; nil when iconv does not know it or the bytes do not fit.
    static func iconvDecode(_ bytes: [UInt8], from charset: String) -> String? {
        guard !bytes.isEmpty else { return "" }
        let cd = iconv_open("UTF-8", charset)
        if cd == iconv_t(bitPattern: -1) { return nil }
        defer { iconv_close(cd) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: bytes.count * 4 + 16)
        let capacity = output.count
        var written = -1
        input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                guard let inBase = inBuf.baseAddress, let outBase = outBuf.baseAddress else { return }
                var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBase).assumingMemoryBound(to: CChar.self)
                var inLeft = inBuf.count
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBase).assumingMemoryBound(to: CChar.self)
                var outLeft = capacity
                if iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) != -1 {
                    written = capacity - outLeft
                }
            }
        }
        guard written >= 0 else { return nil }
        return String(validating: output[0..<written], as: UTF8.self)
    }
}
