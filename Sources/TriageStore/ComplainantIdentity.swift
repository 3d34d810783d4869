import Foundation
import TriageCore

/// One way of recognising a person across channels.
public struct IdentityKey: Hashable, Sendable, Codable, CustomStringConvertible {
    /// `email`, `phone`, `name_postcode` or `name_address`.
    public var kind: String
    /// The normalised value (`jo.bloggs@example.org`, `01632960123`,
    /// `jo bloggs|CB1 2AB`).
    public var value: String

    public init(kind: String, value: String) {
        self.kind = kind
        self.value = value
    }

    /// `kind:value`, the form stored and looked up.
    public var key: String { "\(kind):\(value)" }
    public var description: String { key }

    /// Parses `kind:value`.
    public init?(key: String) {
        guard let i = key.firstIndex(of: ":") else { return nil }
        self.init(kind: String(key[..<i]), value: String(key[key.index(after: i)...]))
    }
}

/// Derives identity keys from an item: the same person across channels is
/// the same normalised email address, the same phone number, or the same name
/// with the same postcode (or, lacking a postcode, the same first address line).
public enum ComplainantIdentity {
    /// The identity keys of the item's sender (and, for web forms, the fields
    /// with roles `name`, `email`, `phone`, `address`, `postcode`).
    /// - Parameter c: the item.
    /// - Returns: distinct keys, email first; empty for an anonymous item.
    public static func keys(for c: Correspondence) -> [IdentityKey] {
        var names: [String] = [], emails: [String] = [], phones: [String] = [], addresses: [String] = [], postcodes: [String] = []
        if let s = c.sender {
            if let n = s.name { names.append(n) }
            if let a = s.address {
                if a.contains("@") { emails.append(a) } else { addresses.append(a) }
            }
            if let p = s.phone { phones.append(p) }
            if let p = s.postalAddress { addresses.append(p) }
        }
        for f in c.formFields {
            switch f.role {
            case "name": names.append(f.value)
            case "email": emails.append(f.value)
            case "phone": phones.append(f.value)
            case "address": addresses.append(f.value)
            case "postcode": postcodes.append(f.value)
            default: break
            }
        }
        var keys: [IdentityKey] = []
        func add(_ k: IdentityKey) { if !keys.contains(k) { keys.append(k) } }
        for e in emails { if let v = normaliseEmail(e) { add(IdentityKey(kind: "email", value: v)) } }
        for p in phones { if let v = normalisePhone(p) { add(IdentityKey(kind: "phone", value: v)) } }
        let name = names.lazy.compactMap(normaliseName).first
        if let name {
            let codes = (postcodes + addresses).compactMap(postcode(in:))
            if let code = codes.first {
                add(IdentityKey(kind: "name_postcode", value: "\(name)|\(code)"))
            } else if let line = addresses.lazy.compactMap(firstAddressLine).first {
                add(IdentityKey(kind: "name_address", value: "\(name)|\(line)"))
            }
        }
        return keys
    }

    /// A display name for a new complainant.
    public static func displayName(for c: Correspondence) -> String? {
        let candidates = [c.sender?.name, c.formFields.first { $0.role == "name" }?.value, c.sender?.address]
        return candidates.lazy.compactMap { $0?.trimmingCharacters(in: .whitespacesAndNewlines) }.first { !$0.isEmpty }
    }

    static let noReply: Set<String> = ["noreply", "no-reply", "donotreply", "do-not-reply", "mailer-daemon", "postmaster"]

    /// Lower case, angle brackets and `mailto:` removed, `+tag` dropped from
    /// the local part; nil when it is not an address or a no-reply address.
    public static func normaliseEmail(_ raw: String) -> String? {
        var s = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if let lt = s.firstIndex(of: "<"), let gt = s.lastIndex(of: ">"), lt < gt { s = String(s[s.index(after: lt)..<gt]) }
        if s.hasPrefix("mailto:") { s = String(s.dropFirst(7)) }
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !s.contains(where: \.isWhitespace) else { return nil }
        var local = String(parts[0])
        if let plus = local.firstIndex(of: "+"), plus != local.startIndex { local = String(local[..<plus]) }
        guard !noReply.contains(local) else { return nil }
        return "\(local)@\(parts[1])"
    }

    /// Digits only, `+44`/`0044` turned into a leading `0`; nil for fewer than 9 digits.
    public static func normalisePhone(_ raw: String) -> String? {
        var digits = raw.filter { $0.isASCII && $0.isNumber }
        if digits.hasPrefix("0044") { digits = "0" + digits.dropFirst(4) }
        else if raw.trimmingCharacters(in: .whitespaces).hasPrefix("+44") || (digits.hasPrefix("44") && digits.count == 12) {
            digits = "0" + digits.dropFirst(2)
        }
        if digits.hasPrefix("00") { return nil }
        return digits.count >= 9 ? digits : nil
    }

    static let titles: Set<String> = ["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir", "dame", "lady", "lord"]

    /// Lower case, letters and spaces only, titles dropped; nil when empty.
    public static func normaliseName(_ raw: String) -> String? {
        var cleaned = ""
        for ch in raw.lowercased() {
            if ch.isLetter { cleaned.append(ch) } else if ch == "'" || ch == "’" || ch == "." { continue } else { cleaned.append(" ") }
        }
        let words = cleaned.split(separator: " ").map(String.init).filter { !titles.contains($0) }
        return words.isEmpty ? nil : words.joined(separator: " ")
    }

    static let postcodeRegex = try? NSRegularExpression(pattern: #"(?i)\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b"#)

    /// A UK postcode in the text, upper case with one space (`CB1 2AB`).
    public static func postcode(in text: String) -> String? {
        guard let re = postcodeRegex else { return nil }
        let ns = text as NSString
        guard let m = re.matches(in: text, range: NSRange(location: 0, length: ns.length)).last, m.numberOfRanges == 3 else { return nil }
        return (ns.substring(with: m.range(at: 1)) + " " + ns.substring(with: m.range(at: 2))).uppercased()
    }

    /// The first line of a postal address, lower case, letters/digits/spaces.
    static func firstAddressLine(_ text: String) -> String? {
        let first = text.split(whereSeparator: { $0 == "\n" || $0 == "," }).first.map(String.init) ?? ""
        let words = TextFeatures.words(first)
        return words.count >= 2 ? words.joined(separator: " ") : nil
    }
}
