import Foundation

/// The numbers an IMAP SELECT or EXAMINE reports about a mailbox.
public struct IMAPMailboxStatus: Sendable, Equatable {
    /// UIDVALIDITY: UIDs are only comparable while this stays the same.
    public var uidValidity: UInt32
    /// EXISTS: how many messages the mailbox holds.
    public var exists: Int
    /// UIDNEXT: the UID the next message will get, when the server says.
    public var uidNext: UInt32?
    /// PERMANENTFLAGS: the flags a client may store (`\*` means any new keyword), when the server says.
    public var permanentFlags: [String]?

    public init(uidValidity: UInt32, exists: Int, uidNext: UInt32?, permanentFlags: [String]? = nil) {
        self.uidValidity = uidValidity
        self.exists = exists
        self.uidNext = uidNext
        self.permanentFlags = permanentFlags
    }

    /// True when the server lets clients store this flag or keyword permanently
    /// (unknown when it did not say: then true).
    public func allowsFlag(_ flag: String) -> Bool {
        guard let permanentFlags else { return true }
        if permanentFlags.contains(where: { $0.caseInsensitiveCompare(flag) == .orderedSame }) { return true }
        return !flag.hasPrefix("\\") && permanentFlags.contains("\\*")
    }
}

/// Pure parsers for the IMAP response lines libcurl hands over. No I/O.
enum IMAPResponses {
    /// Splits a body of untagged lines (libcurl's output for a custom command) into lines.
    static func lines(of body: [UInt8]) -> [String] {
        String(decoding: body, as: UTF8.self)
            .split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .map { String($0) }
    }

    /// UIDVALIDITY, EXISTS and UIDNEXT from SELECT/EXAMINE responses; nil without UIDVALIDITY.
    static func mailboxStatus(_ lines: [String]) -> IMAPMailboxStatus? {
        var validity: UInt32?
        var exists: Int?
        var next: UInt32?
        var permanent: [String]?
        for line in lines {
            if let range = line.range(of: "[PERMANENTFLAGS (", options: .caseInsensitive) {
                let inside = line[range.upperBound...].prefix { $0 != ")" }
                permanent = inside.split(separator: " ").map(String.init)
                continue
            }
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard words.count >= 3, words[0] == "*" else { continue }
            if words[2].uppercased() == "EXISTS", let n = Int(words[1]) {
                exists = n
            } else if words[1].uppercased() == "OK", words[2].hasPrefix("[") {
                let code = words[2].dropFirst().uppercased()
                let value = words.count > 3 ? words[3].trimmingCharacters(in: CharacterSet(charactersIn: "]")) : ""
                if code == "UIDVALIDITY", let v = UInt32(value) { validity = v }
                if code == "UIDNEXT", let v = UInt32(value) { next = v }
            }
        }
        guard let validity else { return nil }
        return IMAPMailboxStatus(uidValidity: validity, exists: exists ?? 0, uidNext: next, permanentFlags: permanent)
    }

    /// The numbers of every `* SEARCH n n n` line, in the order given, without duplicates.
    static func searchResults(_ lines: [String]) -> [UInt32] {
        var seen = Set<UInt32>()
        var result: [UInt32] = []
        for line in lines {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard words.count >= 2, words[0] == "*", words[1].uppercased() == "SEARCH" else { continue }
            for word in words.dropFirst(2) {
                guard let n = UInt32(word) else { continue }
                if seen.insert(n).inserted { result.append(n) }
            }
        }
        return result
    }

    /// UID → flags from `* n FETCH (UID u FLAGS (\Seen x))` lines (items in any order).
    static func fetchedFlags(_ lines: [String]) -> [UInt32: [String]] {
        var result: [UInt32: [String]] = [:]
        for line in lines {
            guard line.hasPrefix("* "), line.uppercased().contains(" FETCH (") else { continue }
            let upper = line.uppercased()
            guard let uidRange = upper.range(of: "UID ") else { continue }
            let afterUID = line[uidRange.upperBound...].prefix { $0.isNumber }
            guard let uid = UInt32(afterUID) else { continue }
            var flags: [String] = []
            if let flagsRange = upper.range(of: "FLAGS (") {
                let rest = line[flagsRange.upperBound...]
                let inside = rest.prefix { $0 != ")" }
                flags = inside.split(separator: " ").map(String.init)
            }
            result[uid] = flags
        }
        return result
    }

    /// Capability names (upper-cased) from `* CAPABILITY ...` lines and `[CAPABILITY ...]` codes.
    static func capabilities(_ lines: [String]) -> Set<String> {
        var result = Set<String>()
        for line in lines {
            let upper = line.uppercased()
            var text: Substring?
            if upper.hasPrefix("* CAPABILITY ") {
                text = upper.dropFirst("* CAPABILITY ".count)[...]
            } else if let start = upper.range(of: "[CAPABILITY ") {
                text = upper[start.upperBound...].prefix { $0 != "]" }
            }
            guard let text else { continue }
            // A later list replaces an earlier one (capabilities change after login).
            result = Set(text.split(separator: " ").map(String.init))
        }
        return result
    }

    /// `[APPENDUID validity uid]` from the tagged OK of an APPEND.
    static func appendUID(_ lines: [String]) -> (uidValidity: UInt32, uid: UInt32)? {
        for line in lines.reversed() {
            let upper = line.uppercased()
            guard let start = upper.range(of: "[APPENDUID ") else { continue }
            let words = upper[start.upperBound...].prefix { $0 != "]" }.split(separator: " ")
            if words.count == 2, let v = UInt32(words[0]), let u = UInt32(words[1]) {
                return (v, u)
            }
        }
        return nil
    }

    /// The server's words for the last refusal: a tagged NO or BAD (tag removed),
    /// or an untagged NO, BAD or BYE; nil when there was none.
    static func serverRefusal(_ lines: [String]) -> String? {
        for line in lines.reversed() {
            let words = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard words.count >= 2 else { continue }
            let status = words[1].uppercased()
            guard status == "NO" || status == "BAD" || (words[0] == "*" && status == "BYE") else { continue }
            if words[0] == "*" && status == "BYE" && line.uppercased().contains("LOGGING OUT") { continue }
            return words.dropFirst().joined(separator: " ")
        }
        return nil
    }

    /// An IMAP quoted string for a mailbox name (modified UTF-7 for non-ASCII).
    static func quotedMailbox(_ name: String) -> String {
        let encoded = modifiedUTF7(name)
        var out = "\""
        for ch in encoded {
            if ch == "\"" || ch == "\\" { out.append("\\") }
            out.append(ch)
        }
        out.append("\"")
        return out
    }

    /// RFC 3501 §5.1.3 modified UTF-7, the encoding of IMAP mailbox names.
    static func modifiedUTF7(_ name: String) -> String {
        var out = ""
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            var bytes: [UInt8] = []
            for unit in pending { bytes.append(UInt8(unit >> 8)); bytes.append(UInt8(unit & 0xFF)) }
            let base64 = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "/", with: ",")
                .replacingOccurrences(of: "=", with: "")
            out += "&" + base64 + "-"
            pending.removeAll()
        }
        for scalar in name.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value <= 0x7E {
                flush()
                out += scalar == "&" ? "&-" : String(scalar)
            } else {
                pending.append(contentsOf: Array(String(scalar).utf16))
            }
        }
        flush()
        return out
    }

    /// True when a flag is safe to put in a STORE command: `\Atom` or a keyword atom.
    static func isValidFlag(_ flag: String) -> Bool {
        var body = Substring(flag)
        if body.hasPrefix("\\") { body = body.dropFirst() }
        guard !body.isEmpty else { return false }
        let forbidden: Set<Character> = ["(", ")", "{", " ", "%", "*", "\"", "\\", "]"]
        return body.allSatisfy { ch in
            guard let ascii = ch.asciiValue else { return false }
            return ascii > 0x20 && ascii < 0x7F && !forbidden.contains(ch)
        }
    }
}
