extension Substring {
    /// The text without the spaces and tabs at either end: the same as
    /// Foundation's `trimmingCharacters(in: .whitespaces)` (U+0009, U+0020,
    /// U+00A0, U+1680, U+2000–U+200B, U+202F, U+205F, U+3000), without
    /// bridging to `NSString` on every header value.
    package func trimmingBlanks() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !Self.isBlank($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !Self.isBlank($0) }) ?? first
        return String(scalars[first...last])
    }

    /// True for the scalars of Foundation's `CharacterSet.whitespaces`.
    @inline(__always)
    package static func isBlank(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
}

extension String {
    /// The same as Foundation's `trimmingCharacters(in: .whitespaces)`; see ``Substring/trimmingBlanks()``.
    package func trimmingBlanks() -> String { self[...].trimmingBlanks() }
}
