import Foundation

/// Reads the dates written on letters. UK order: `03/10/2026` is 3 October.
/// A date without a time is midnight UTC of that day.
enum LetterDates {
    static let utc = TimeZone(secondsFromGMT: 0) ?? .current
    static let months = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]

    static func make(_ y: Int, _ m: Int, _ d: Int) -> Date? {
        guard (1900...2999).contains(y), (1...12).contains(m), (1...31).contains(d) else { return nil }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = utc
        guard let date = cal.date(from: DateComponents(year: y, month: m, day: d)) else { return nil }
        let back = cal.dateComponents([.year, .month, .day], from: date)
        guard back.year == y, back.month == m, back.day == d else { return nil }
        return date
    }

    private static func month(_ word: String) -> Int? {
        let w = word.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        guard w.count >= 3 else { return nil }
        if w == "sept" { return 9 }
        return months.firstIndex { $0 == w || ($0.hasPrefix(w) && w.count == 3) }.map { $0 + 1 }
    }

    private static func groups(_ pattern: String, _ s: String) -> [String]? {
        guard let re = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]),
              let m = re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) else { return nil }
        return (0..<m.numberOfRanges).map { i in Range(m.range(at: i), in: s).map { String(s[$0]) } ?? "" }
    }

    /// ISO 8601 `YYYY-MM-DD` (a time after it is ignored).
    static func iso(_ raw: String) -> Date? {
        guard let g = groups(#"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?\s*$"#, raw) else { return nil }
        return make(Int(g[1]) ?? 0, Int(g[2]) ?? 0, Int(g[3]) ?? 0)
    }

    /// A line that is only a date: `3 October 2026`, `Saturday, 3rd Oct 2026`,
    /// `October 3, 2026`, `03/10/2026`, `3.10.2026`, `2026-10-03`.
    static func line(_ raw: String) -> Date? {
        let s = raw.trimmingWhitespace()
        guard !s.isEmpty, s.count <= 40 else { return nil }
        if let d = iso(s) { return d }
        let weekday = #"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"#
        if let g = groups("^(?:date:?\\s*)?" + weekday + #"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]{3,9}\.?),?\s+(\d{4})\.?$"#, s),
           let m = month(g[2]) {
            return make(Int(g[3]) ?? 0, m, Int(g[1]) ?? 0)
        }
        if let g = groups("^(?:date:?\\s*)?" + weekday + #"([a-z]{3,9}\.?)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\.?$"#, s),
           let m = month(g[1]) {
            return make(Int(g[3]) ?? 0, m, Int(g[2]) ?? 0)
        }
        if let g = groups(#"^(?:date:?\s*)?(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$"#, s) {
            return make(Int(g[3]) ?? 0, Int(g[2]) ?? 0, Int(g[1]) ?? 0)
        }
        return nil
    }
}
