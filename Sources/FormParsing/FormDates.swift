import Foundation

/// Reads the dates forms and HTTP headers carry. Times without a zone are
/// UK local time (Europe/London); a date without a time is midnight UTC of
/// that day.
enum FormDates {
    static let london = TimeZone(identifier: "Europe/London") ?? TimeZone(secondsFromGMT: 0) ?? .current
    static let utc = TimeZone(secondsFromGMT: 0) ?? .current

    private static func make(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0, zone: TimeZone) -> Date? {
        guard (1900...2999).contains(y), (1...12).contains(mo), (1...31).contains(d), (0...23).contains(h), (0...59).contains(mi), (0...60).contains(s) else { return nil }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        let comps = DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s)
        guard let date = cal.date(from: comps) else { return nil }
        // Reject 31 February and the like.
        let back = cal.dateComponents([.year, .month, .day], from: date)
        guard back.year == y, back.month == mo, back.day == d else { return nil }
        return date
    }

    /// Compiled patterns, built once (NSRegularExpression is immutable and thread-safe).
    nonisolated(unsafe) private static var cache: [String: NSRegularExpression] = [:]
    private static let cacheLock = NSLock()

    private static func regex(_ pattern: String) -> NSRegularExpression? {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if let re = cache[pattern] { return re }
        let re = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
        cache[pattern] = re
        return re
    }

    private static func groups(_ pattern: String, _ s: String) -> [String]? {
        guard let re = regex(pattern),
              let m = re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) else { return nil }
        return (0..<m.numberOfRanges).map { i in
            Range(m.range(at: i), in: s).map { String(s[$0]) } ?? ""
        }
    }

    /// A submitted-at value: ISO 8601 (with or without zone or time), UK
    /// `dd/mm/yyyy [hh:mm[:ss]]`, Unix seconds, or an HTTP date.
    static func parse(_ raw: String) -> Date? {
        let s = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !s.isEmpty, s.count < 100 else { return nil }
        if let g = groups(#"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$"#, s) {
            let y = Int(g[1]) ?? 0, mo = Int(g[2]) ?? 0, d = Int(g[3]) ?? 0
            if g[4].isEmpty { return make(y, mo, d, zone: utc) }
            let h = Int(g[4]) ?? 0, mi = Int(g[5]) ?? 0, sec = Int(g[6]) ?? 0
            var zone = london
            if !g[7].isEmpty {
                if g[7].uppercased() == "Z" { zone = utc } else {
                    let digits = g[7].filter(\.isNumber)
                    let hh = Int(digits.prefix(2)) ?? 0, mm = Int(digits.suffix(2)) ?? 0
                    let sign = g[7].hasPrefix("-") ? -1 : 1
                    zone = TimeZone(secondsFromGMT: sign * (hh * 3600 + mm * 60)) ?? utc
                }
            }
            return make(y, mo, d, h, mi, sec, zone: zone)
        }
        if let g = groups(#"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"#, s) {
            let d = Int(g[1]) ?? 0, mo = Int(g[2]) ?? 0, y = Int(g[3]) ?? 0
            if g[4].isEmpty { return make(y, mo, d, zone: utc) }
            return make(y, mo, d, Int(g[4]) ?? 0, Int(g[5]) ?? 0, Int(g[6]) ?? 0, zone: london)
        }
        if s.count >= 9, s.count <= 13, s.allSatisfy(\.isNumber), let seconds = Double(s) {
            // Unix time; 13 digits are milliseconds.
            return Date(timeIntervalSince1970: s.count == 13 ? seconds / 1000 : seconds)
        }
        return httpDate(s)
    }

    /// An HTTP / RFC 5322 date: `Sat, 03 Oct 2026 14:22:00 GMT` (weekday optional, numeric zone allowed).
    static func httpDate(_ raw: String) -> Date? {
        let s = raw.trimmingCharacters(in: .whitespaces)
        guard let g = groups(#"^(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(GMT|UTC|UT|Z|[+-]\d{4})?$"#, s) else { return nil }
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        guard let mIndex = months.firstIndex(of: g[2].lowercased()) else { return nil }
        var zone = utc
        if g[7].hasPrefix("+") || g[7].hasPrefix("-") {
            let digits = g[7].dropFirst()
            let hh = Int(digits.prefix(2)) ?? 0, mm = Int(digits.suffix(2)) ?? 0
            zone = TimeZone(secondsFromGMT: (g[7].hasPrefix("-") ? -1 : 1) * (hh * 3600 + mm * 60)) ?? utc
        }
        return make(Int(g[3]) ?? 0, mIndex + 1, Int(g[1]) ?? 0, Int(g[4]) ?? 0, Int(g[5]) ?? 0, Int(g[6]) ?? 0, zone: zone)
    }
}
