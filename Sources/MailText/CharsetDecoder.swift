import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes bytes in a named charset to a `String`, with iconv for everything
/// that is not UTF-8, ASCII, Latin-1 or Windows-1252. The one charset decoder
/// of the package: mail, form posts and letters all read text through it, so
/// the same bytes under the same label give the same text everywhere.
///
/// Invalid sequences become U+FFFD and decoding continues; it never loops.
public enum CharsetDecoder {
    /// The result of resolving a charset label.
    public enum Resolved: Equatable, Sendable {
        case utf8
        case ascii
        case latin1
        case windows1252
        case utf16(bigEndian: Bool?)
        case utf32(bigEndian: Bool?)
        /// An iconv name that `iconv_open` accepted.
        case iconv(String)
    }

    /// Resolves a charset label (`"latin1"`, `"cp1252"`, `"Shift_JIS"`) to a decoder,
    /// or nil when the charset is unknown.
    /// - Parameter label: the label as written in the message.
    /// - Returns: the decoder, or nil for an unknown charset.
    public static func resolve(_ label: String) -> Resolved? {
        var name = ""
        for u in label.unicodeScalars {
            if u == "\"" || u == "'" || u == " " || u == "\t" { continue }
            guard u.isASCII, u != "/", u != "\\" else { return nil }
            name.unicodeScalars.append(u)
        }
        name = name.lowercased()
        guard !name.isEmpty, name.count <= 64 else { return nil }
        if let star = name.firstIndex(of: "*") { name = String(name[..<star]) } // RFC 2231 language
        switch name {
        case "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8": return .utf8
        case "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "646", "cp367", "ibm367", "iso-ir-6":
            return .ascii
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "iso-ir-100", "cp819", "ibm819", "8859-1", "iso_8859-1:1987":
            return .latin1
        case "windows-1252", "cp1252", "x-cp1252", "win-1252", "ms-ansi", "windows1252": return .windows1252
        case "utf-16": return .utf16(bigEndian: nil)
        case "utf-16be", "utf16be": return .utf16(bigEndian: true)
        case "utf-16le", "utf16le": return .utf16(bigEndian: false)
        case "utf-32": return .utf32(bigEndian: nil)
        case "utf-32be": return .utf32(bigEndian: true)
        case "utf-32le": return .utf32(bigEndian: false)
        case "unicode-1-1-utf-7", "x-unknown", "unknown", "unknown-8bit", "x-user-defined", "default", "charset", "none":
            return nil
        default: break
        }
        var iconvName = Self.aliases[name] ?? name.uppercased()
        if iconvName.hasPrefix("WIN-") { iconvName = "WINDOWS-" + iconvName.dropFirst(4) }
        if iconvName.hasPrefix("X-") { iconvName = String(iconvName.dropFirst(2)) }
        guard canOpen(iconvName) else { return nil }
        return .iconv(iconvName)
    }

    static let aliases: [String: String] = [
        "ks_c_5601-1987": "CP949", "ks_c_5601": "CP949", "ksc5601": "CP949", "euc-kr": "CP949", "euckr": "CP949",
        "x-sjis": "SHIFT_JIS", "sjis": "SHIFT_JIS", "shift-jis": "SHIFT_JIS", "x-shift_jis": "SHIFT_JIS", "ms_kanji": "SHIFT_JIS",
        "windows-31j": "CP932", "cp932": "CP932",
        "iso-8859-8-i": "ISO-8859-8", "iso-8859-6-i": "ISO-8859-6", "iso-8859-8-e": "ISO-8859-8",
        "windows-874": "CP874", "x-euc-jp": "EUC-JP", "x-euc": "EUC-JP",
        "gb2312": "GB2312", "x-gbk": "GBK", "cn-gb": "GB2312", "euc-cn": "GB2312",
        "big5-hkscs": "BIG5-HKSCS", "x-big5": "BIG5", "cn-big5": "BIG5",
        "koi8r": "KOI8-R", "koi8u": "KOI8-U", "x-mac-roman": "MACINTOSH", "macintosh": "MACINTOSH",
        "iso-2022-jp-2": "ISO-2022-JP-2", "utf-7": "UTF-7", "utf7": "UTF-7",
    ]

    /// True when the charset label names something this decoder can read.
    public static func isKnown(_ label: String) -> Bool { resolve(label) != nil }

    /// Decodes `bytes` in the given charset; unknown or absent charset means
    /// "undeclared": UTF-8 if valid, else Windows-1252.
    /// - Parameters:
    ///   - bytes: the encoded text.
    ///   - charset: the declared charset label, or nil.
    /// - Returns: the text (invalid sequences as U+FFFD).
    public static func decode<C: Collection>(_ bytes: C, charset: String?) -> String where C.Element == UInt8 {
        if let charset, let r = resolve(charset) { return decode(bytes, resolved: r) }
        return decodeUndeclared(bytes)
    }

    /// Decodes bytes whose charset is not declared: ASCII/UTF-8 when valid, else Windows-1252.
    public static func decodeUndeclared<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        contiguous(bytes) { buffer in
            if let s = validUTF8(buffer) { return s }
            return decodeWindows1252(buffer)
        }
    }

    /// Runs `body` over the bytes as one contiguous buffer: the collection's own
    /// storage when it has one (arrays, slices, buffers: no copy), else a copy.
    /// The decoders loop over the buffer, a concrete type, rather than through
    /// a generic collection's iterator, which is not specialised across modules.
    @inline(__always)
    static func contiguous<C: Collection, R>(_ bytes: C, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R where C.Element == UInt8 {
        if let r = bytes.withContiguousStorageIfAvailable(body) { return r }
        return Array(bytes).withUnsafeBufferPointer(body)
    }

    /// Decodes with an already resolved charset.
    public static func decode<C: Collection>(_ bytes: C, resolved: Resolved) -> String where C.Element == UInt8 {
        switch resolved {
        case .utf8:
            var b = Array(bytes)
            if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { b.removeFirst(3) }
            return String(decoding: b, as: UTF8.self)
        case .ascii:
            // Declared ASCII that is not: read like undeclared text.
            return decodeUndeclared(bytes)
        case .latin1:
            return contiguous(bytes) { buffer in
                var out: [UInt8] = []
                out.reserveCapacity(buffer.count + buffer.count / 4)
                for b in buffer {
                    if b < 0x80 { out.append(b) } else { out.append(0xC0 | (b >> 6)); out.append(0x80 | (b & 0x3F)) }
                }
                return String(decoding: out, as: UTF8.self)
            }
        case .windows1252:
            return decodeWindows1252(bytes)
        case .utf16(let be):
            let b = Array(bytes)
            var bigEndian = be
            var start = 0
            if be == nil, b.count >= 2 {
                if b[0] == 0xFE, b[1] == 0xFF { bigEndian = true; start = 2 }
                else if b[0] == 0xFF, b[1] == 0xFE { bigEndian = false; start = 2 }
            }
            if bigEndian == nil {
                // No BOM: guess from where the zero bytes are (ASCII-heavy text).
                var evenZeros = 0, oddZeros = 0
                var i = 0
                while i + 1 < b.count && i < 4096 { if b[i] == 0 { evenZeros += 1 }; if b[i + 1] == 0 { oddZeros += 1 }; i += 2 }
                bigEndian = evenZeros > oddZeros
            }
            var units: [UInt16] = []
            units.reserveCapacity(b.count / 2)
            var i = start
            while i + 1 < b.count {
                units.append(bigEndian == true ? UInt16(b[i]) << 8 | UInt16(b[i + 1]) : UInt16(b[i + 1]) << 8 | UInt16(b[i]))
                i += 2
            }
            var s = String(decoding: units, as: UTF16.self)
            if i < b.count { s.append("\u{FFFD}") }
            return s
        case .utf32(let be):
            let b = Array(bytes)
            var bigEndian = be ?? false
            var start = 0
            if be == nil, b.count >= 4 {
                if b[0] == 0, b[1] == 0, b[2] == 0xFE, b[3] == 0xFF { bigEndian = true; start = 4 }
                else if b[0] == 0xFF, b[1] == 0xFE, b[2] == 0, b[3] == 0 { bigEndian = false; start = 4 }
                else if b[0] == 0 { bigEndian = true }
            }
            var s = String.UnicodeScalarView()
            var i = start
            while i + 3 < b.count {
                let v: UInt32 = bigEndian
                    ? UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
                    : UInt32(b[i + 3]) << 24 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i])
                s.append(Unicode.Scalar(v) ?? "\u{FFFD}")
                i += 4
            }
            if i < b.count { s.append("\u{FFFD}") }
            return String(s)
        case .iconv(let name):
            return iconvDecode(Array(bytes), from: name) ?? decodeUndeclared(bytes)
        }
    }

    /// Text decoded with a note when the bytes did not fit what was declared.
    public struct Noted: Equatable, Sendable {
        /// The text.
        public var text: String
        /// Why the text may not be what the writer meant, or nil when the bytes fitted.
        public var problem: String?

        /// Text and its note.
        public init(text: String, problem: String?) {
            self.text = text
            self.problem = problem
        }
    }

    /// Decodes like ``decode(_:charset:)`` and says when the bytes did not fit,
    /// for callers that record defects (form posts, letters). One difference:
    /// bytes labelled UTF-8 or ASCII (or not labelled) that are not valid UTF-8
    /// are read as undeclared text (Windows-1252), as browsers mislabel them.
    /// - Parameters:
    ///   - bytes: the encoded text.
    ///   - charset: the declared charset label; nil means UTF-8.
    /// - Returns: the text and, when the bytes did not fit the charset, a note.
    public static func decodeNoting<C: Collection>(_ bytes: C, charset: String?) -> Noted where C.Element == UInt8 {
        let label = charset ?? "UTF-8"
        guard let resolved = resolve(label) else {
            if let s = validUTF8(bytes) { return Noted(text: s, problem: "unknown charset \(label); read as UTF-8") }
            return Noted(text: decodeWindows1252(bytes), problem: "unknown charset \(label); read as Windows-1252")
        }
        switch resolved {
        case .utf8, .ascii:
            var b = Array(bytes)
            if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { b.removeFirst(3) }
            if let s = validUTF8(b) { return Noted(text: s, problem: nil) }
            return Noted(text: decodeWindows1252(b), problem: "bytes are not valid \(label); read as Windows-1252")
        default:
            return Noted(text: decode(bytes, resolved: resolved), problem: nil)
        }
    }

    /// The bytes as a String if they are valid UTF-8 (ASCII included), else nil.
    public static func validUTF8<C: Collection>(_ bytes: C) -> String? where C.Element == UInt8 {
        contiguous(bytes) { validUTF8($0) }
    }

    /// ``validUTF8(_:)`` over a buffer: decoding repairs every invalid
    /// sequence with U+FFFD, so the bytes were valid exactly when the decoded
    /// text's UTF-8 is the same bytes.
    static func validUTF8(_ buffer: UnsafeBufferPointer<UInt8>) -> String? {
        var text = String(decoding: buffer, as: UTF8.self)
        let same = text.withUTF8 { utf8 in
            utf8.count == buffer.count
                && (utf8.isEmpty || memcmp(utf8.baseAddress!, buffer.baseAddress!, utf8.count) == 0)
        }
        return same ? text : nil
    }

    /// Windows-1252's bytes 0x80...0x9F (the rest is Latin-1). The five bytes
    /// Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) read as
    /// U+FFFD, as Python's `cp1252` codec with `errors="replace"` reads them.
    static let cp1252High: [UInt32] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
        0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ]

    /// Decodes Windows-1252 (never fails).
    public static func decodeWindows1252<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        contiguous(bytes) { decodeWindows1252($0) }
    }

    static func decodeWindows1252(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 4)
        for b in bytes {
            if b < 0x80 {
                out.append(b)
            } else if b < 0xA0 {
                let v = cp1252High[Int(b - 0x80)] // all in U+0152...U+FFFD: two or three UTF-8 bytes
                if v < 0x800 {
                    out.append(UInt8(0xC0 | (v >> 6))); out.append(UInt8(0x80 | (v & 0x3F)))
                } else {
                    out.append(UInt8(0xE0 | (v >> 12))); out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
                }
            } else {
                out.append(0xC0 | (b >> 6)); out.append(0x80 | (b & 0x3F))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Which iconv names open, remembered (the set of names met is small).
    private final class OpenCache: @unchecked Sendable {
        private let lock = NSLock()
        private var known: [String: Bool] = [:]
        func value(_ name: String, compute: (String) -> Bool) -> Bool {
            lock.lock()
            if let v = known[name] { lock.unlock(); return v }
            lock.unlock()
            let v = compute(name)
            lock.lock()
            if known.count < 4096 { known[name] = v }
            lock.unlock()
            return v
        }
    }
    private static let openCache = OpenCache()

    private static func canOpen(_ name: String) -> Bool {
        openCache.value(name, compute: tryOpen)
    }

    private static func tryOpen(_ name: String) -> Bool {
        let cd = iconv_open("UTF-8", name)
        if cd == UnsafeMutableRawPointer(bitPattern: -1) || cd == nil { return false }
        iconv_close(cd)
        return true
    }

    /// Open iconv converters to UTF-8, kept for reuse, a few per charset: opening
    /// one loads glibc's module for the charset (`dlopen`), and closing the
    /// last one unloads it again, which cost more than the conversion itself
    /// for short parts in the rarer charsets. A converter is used by one thread
    /// at a time and put back in its initial shift state.
    private final class ConverterPool: @unchecked Sendable {
        private let lock = NSLock()
        private var idle: [String: [iconv_t]] = [:]
        private static let perName = 4
        private static let names = 64

        /// A converter from `name` to UTF-8 (a kept one, else a new one); nil when iconv cannot open it.
        func take(_ name: String) -> iconv_t? {
            lock.lock()
            if let cd = idle[name]?.popLast() { lock.unlock(); return cd }
            lock.unlock()
            let cd = iconv_open("UTF-8", name)
            if cd == iconv_t(bitPattern: -1) || cd == nil { return nil }
            return cd
        }

        /// Gives a converter back (reset), or closes it when enough are kept.
        func give(_ cd: iconv_t, _ name: String) {
            _ = iconv(cd, nil, nil, nil, nil)
            lock.lock()
            if (idle[name]?.count ?? 0) < Self.perName && (idle[name] != nil || idle.count < Self.names) {
                idle[name, default: []].append(cd)
                lock.unlock()
                return
            }
            lock.unlock()
            iconv_close(cd)
        }
    }
    private static let converters = ConverterPool()

    /// Converts with iconv to UTF-8; EILSEQ and truncated input become U+FFFD.
    static func iconvDecode(_ input: [UInt8], from name: String) -> String? {
        guard let cd = converters.take(name) else { return nil }
        defer { converters.give(cd, name) }
        if input.isEmpty { return "" }
        var out: [UInt8] = []
        out.reserveCapacity(input.count * 2 + 16)
        var chunk = [UInt8](repeating: 0, count: min(1 << 20, max(256, input.count * 3 + 16)))
        var src = input
        src.withUnsafeMutableBufferPointer { inBuf in
            guard let inBase = inBuf.baseAddress else { return }
            var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBase).assumingMemoryBound(to: CChar.self)
            var inLeft = inBuf.count
            chunk.withUnsafeMutableBufferPointer { outBuf in
                guard let outBase = outBuf.baseAddress else { return }
                var guardCount = 0
                while inLeft > 0 {
                    guardCount += 1
                    if guardCount > input.count * 4 + 64 { break } // never loop forever
                    var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBase).assumingMemoryBound(to: CChar.self)
                    var outLeft = outBuf.count
                    let rc = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                    let produced = outBuf.count - outLeft
                    if produced > 0 { out.append(contentsOf: UnsafeBufferPointer(start: outBase, count: produced)) }
                    if rc != -1 { break }
                    let err = errno
                    if err == E2BIG { continue }
                    if err == EILSEQ {
                        out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                        inPtr = inPtr.map { $0 + 1 }
                        inLeft -= 1
                        continue
                    }
                    // EINVAL (truncated sequence at the end) or anything else: stop.
                    out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    break
                }
                // Flush a stateful encoder's pending output.
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBase).assumingMemoryBound(to: CChar.self)
                var outLeft = outBuf.count
                _ = iconv(cd, nil, nil, &outPtr, &outLeft)
                let produced = outBuf.count - outLeft
                if produced > 0 { out.append(contentsOf: UnsafeBufferPointer(start: outBase, count: produced)) }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
