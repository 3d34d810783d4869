/// Text from correspondence made safe to show on a terminal or in a letter.
///
/// Every control character (C0, DEL, C1) and every invisible formatting
/// control that can reorder or hide text (bidi overrides and isolates,
/// zero-width characters, the byte order mark) is shown as a visible escape
/// (`\x1b`, `\x9b`, `\u{202e}`) instead of being emitted, so a message cannot
/// clear a caseworker's screen, retitle the terminal, plant an OSC 8 link or
/// reorder what is read. Everything else is left as it is.
public enum TerminalSafe {
    /// One line of text: newlines, carriage returns and tabs are escaped too,
    /// so a field cannot forge extra lines of output.
    public static func inline(_ s: String) -> String { render(s, keepLayout: false) }

    /// A block of text: newlines and tabs are kept, every other control is escaped.
    public static func block(_ s: String) -> String { render(s, keepLayout: true) }

    /// True when `s` holds nothing that ``inline(_:)`` would change.
    public static func isInlineSafe(_ s: String) -> Bool { s.unicodeScalars.allSatisfy { !needsEscape($0, keepLayout: false) } }

    static func render(_ s: String, keepLayout: Bool) -> String {
        guard s.unicodeScalars.contains(where: { needsEscape($0, keepLayout: keepLayout) }) else { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if needsEscape(u, keepLayout: keepLayout) {
                out.append(contentsOf: visible(u).unicodeScalars)
            } else {
                out.append(u)
            }
        }
        return String(out)
    }

    static func needsEscape(_ u: Unicode.Scalar, keepLayout: Bool) -> Bool {
        let v = u.value
        if v < 0x20 { return !(keepLayout && (v == 0x0A || v == 0x09)) }
        if v < 0x7F { return false }
        if v <= 0x9F { return true }   // DEL and the C1 controls (0x9B is CSI, 0x9D OSC)
        if v < 0x200B { return false }
        return (0x200B...0x200F).contains(v) || (0x202A...0x202E).contains(v) || (0x2060...0x2069).contains(v)
            || v == 0xFEFF || v == 0x2028 || v == 0x2029 || (0xFFF9...0xFFFB).contains(v)
    }

    static func visible(_ u: Unicode.Scalar) -> String {
        let v = u.value
        let hex = String(v, radix: 16)
        if v <= 0xFF { return "\\x" + (hex.count < 2 ? "0" + hex : hex) }
        return "\\u{" + hex + "}"
    }
}
