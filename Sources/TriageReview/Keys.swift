/// A key press, decoded from the terminal's bytes.
public enum Key: Equatable, Sendable {
    case char(Character)
    case enter
    case escape
    case backspace
    case tab
    case up, down, left, right
    case pageUp, pageDown, home, end
    /// Ctrl-C (raw mode delivers it as a byte, not a signal).
    case interrupt
    /// Ctrl-D.
    case endOfInput
}

/// Turns terminal input bytes into keys. Bytes may arrive in any chunks: an
/// incomplete escape sequence or UTF-8 character waits for the rest.
public struct KeyDecoder: Sendable {
    private var pending: [UInt8] = []

    /// Creates a decoder with nothing pending.
    public init() {}

    /// True when bytes are waiting for the rest of a sequence (a lone ESC
    /// waits: call ``flush()`` when no more bytes come soon).
    public var hasPending: Bool { !pending.isEmpty }

    /// Decodes what it can of `bytes` (plus what was pending).
    /// - Returns: the complete keys, in order.
    public mutating func feed<S: Sequence>(_ bytes: S) -> [Key] where S.Element == UInt8 {
        pending.append(contentsOf: bytes)
        var keys: [Key] = []
        var i = 0
        let b = pending
        loop: while i < b.count {
            let c = b[i]
            switch c {
            case 0x03: keys.append(.interrupt); i += 1
            case 0x04: keys.append(.endOfInput); i += 1
            case 0x0D, 0x0A: keys.append(.enter); i += 1
            case 0x7F, 0x08: keys.append(.backspace); i += 1
            case 0x09: keys.append(.tab); i += 1
            case 0x1B:
                guard i + 1 < b.count else { break loop }   // lone ESC: wait
                let next = b[i + 1]
                if next == UInt8(ascii: "[") || next == UInt8(ascii: "O") {
                    var j = i + 2
                    while j < b.count, !(0x40...0x7E).contains(b[j]) { j += 1 }
                    guard j < b.count else {
                        if j - i > 16 { i = j; continue loop }  // runaway sequence: drop it
                        break loop
                    }
                    let params = String(decoding: b[(i + 2)..<j], as: UTF8.self)
                    if let k = Self.csi(final: b[j], params: params) { keys.append(k) }
                    i = j + 1
                } else {
                    keys.append(.escape)
                    i += 1
                }
            case 0x00..<0x20:
                i += 1   // other control bytes mean nothing here
            default:
                let length: Int
                switch c {
                case 0x20..<0x80: length = 1
                case 0xC2..<0xE0: length = 2
                case 0xE0..<0xF0: length = 3
                case 0xF0..<0xF5: length = 4
                default: i += 1; continue loop   // not a UTF-8 lead byte
                }
                guard i + length <= b.count else { break loop }
                let bytes = b[i..<(i + length)]
                if bytes.dropFirst().allSatisfy({ $0 & 0xC0 == 0x80 }),
                   let s = String(validating: bytes, as: UTF8.self), let ch = s.first {
                    keys.append(.char(ch))
                    i += length
                } else {
                    i += 1
                }
            }
        }
        pending = Array(b[i...])
        return keys
    }

    /// Gives up waiting: a pending lone ESC is the Escape key; any other
    /// incomplete sequence is dropped.
    public mutating func flush() -> [Key] {
        defer { pending = [] }
        return pending.first == 0x1B ? [.escape] : []
    }

    static func csi(final: UInt8, params: String) -> Key? {
        switch final {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return .right
        case UInt8(ascii: "D"): return .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        case UInt8(ascii: "~"):
            switch params {
            case "5": return .pageUp
            case "6": return .pageDown
            case "1", "7": return .home
            case "4", "8": return .end
            case "3": return .backspace
            default: return nil
            }
        default: return nil
        }
    }
}
