import Foundation

/// Every date the parsers read, in one place: RFC 5322 Date headers (mail),
/// HTTP dates and submitted-at values (form posts), and the date lines of
/// letters (UK order: `03/10/2026` is 3 October). The dates *inside* the text
/// of an item are the classifier's (`TriageCore.DateReader`).
///
/// Times without a zone are UK local time (Europe/London) for form values;
/// a date without a time is midnight UTC of that day.
public enum MailDates {
    static let london = TimeZone(identifier: "Europe/London") ?? TimeZone(secondsFromGMT: 0) ?? .current
    static let utc = TimeZone(secondsFromGMT: 0) ?? .current
    /// The Gregorian calendar in UTC, made once (a `Calendar` is immutable and `Sendable`).
    static let utcCalendar: Calendar = {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: 0) ?? TimeZone.current
        return cal
    }()
    static let monthNames = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]

    /// A calendar date and time in a zone, or nil when it does not exist (31 February) or is out of range.
    static func make(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0, zone: TimeZone) -> Date? {
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

    /// The capture groups of the first match (empty strings for groups that did not take part).
    private static func groups(_ pattern: String, _ s: String) -> [String]? {
        guard let re = regex(pattern),
              let m = re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) else { return nil }
        return (0..<m.numberOfRanges).map { i in
            Range(m.range(at: i), in: s).map { String(s[$0]) } ?? ""
        }
    }

    // MARK: Mail: RFC 5322

    private static let rfcMonths = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
                                 "january", "february", "march", "april", "may", "june", "july",
                                 "august", "september", "october", "november", "december"]
    private static let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    private static let zones: [String: Int] = [
        "UT": 0, "UTC": 0, "GMT": 0, "Z": 0,
        "AST": -400, "ADT": -300, "EST": -500, "EDT": -400, "CST": -600, "CDT": -500,
        "MST": -700, "MDT": -600, "PST": -800, "PDT": -700,
    ]

    /// Parses a Date header value: RFC 5322, leniently (obsolete zones, missing
    /// seconds, optional day name, two-digit years), following the algorithm of
    /// Python's `email.utils.parsedate_tz`.
    /// - Parameter text: the header value.
    /// - Returns: the instant, or nil when it cannot be read; `zoneKnown` is false when the zone was absent or unknown (UTC assumed).
    public static func rfc5322(_ text: String) -> (date: Date, zoneKnown: Bool)? {
        var data = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).map(String.init)
        guard !data.isEmpty else { return nil }
        if data[0].hasSuffix(",") || days.contains(data[0].lowercased()) {
            data.removeFirst()
        } else {
            // "Mon,12 Jan 2026": a day name glued to the day.
            if let comma = data[0].lastIndex(of: ",") {
                let rest = String(data[0][data[0].index(after: comma)...])
                data[0] = rest
                if rest.isEmpty { data.removeFirst() }
            }
        }
        if data.count == 3 {
            let stuff = data[0].split(separator: "-").map(String.init)
            if stuff.count == 3 { data = stuff + Array(data.dropFirst()) }
        }
        if data.count == 4 {
            let s = data[3]
            if let plus = s.firstIndex(of: "+") ?? s.dropFirst().firstIndex(of: "-") {
                data[3] = String(s[..<plus])
                data.append(String(s[plus...]))
            } else {
                data.append("")
            }
        }
        guard data.count >= 5 else { return nil }
        var dd = data[0], mm = data[1].lowercased(), yy = data[2], tm = data[3], tz = data[4]
        if !rfcMonths.contains(mm) {
            (dd, mm) = (mm, dd.lowercased())
            guard rfcMonths.contains(mm) else { return nil }
        }
        guard var month = rfcMonths.firstIndex(of: mm).map({ $0 + 1 }) else { return nil }
        if month > 12 { month -= 12 }
        if dd.hasSuffix(",") { dd.removeLast() }
        if let colon = yy.firstIndex(of: ":"), colon != yy.startIndex { (yy, tm) = (tm, yy) }
        if yy.hasSuffix(",") { yy.removeLast() }
        guard let y0 = yy.first else { return nil }
        if !y0.isNumber { (yy, tz) = (tz, yy) }
        if tm.hasSuffix(",") { tm.removeLast() }
        var parts = tm.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1, tm.contains(".") { parts = tm.split(separator: ".", omittingEmptySubsequences: false).map(String.init) }
        let hh: Int, mi: Int, ss: Int
        switch parts.count {
        case 2:
            guard let h = Int(parts[0]), let m = Int(parts[1]) else { return nil }
            (hh, mi, ss) = (h, m, 0)
        case 3:
            guard let h = Int(parts[0]), let m = Int(parts[1]), let sec = Int(parts[2].prefix(2)) else { return nil }
            (hh, mi, ss) = (h, m, sec)
        default: return nil
        }
        guard var year = Int(yy), let day = Int(dd) else { return nil }
        if yy.count < 3 { year += year > 68 ? 1900 : 2000 } else if yy.count == 3 { year += 1900 }
        var offset: Int? = nil
        let tzu = tz.uppercased()
        if let z = zones[tzu] {
            offset = z
        } else if tzu.count <= 5, let v = Int(tzu), abs(v) <= 9999, tzu.first == "+" || tzu.first == "-" || tzu.first?.isNumber == true {
            offset = v
            if v == 0 && tzu.hasPrefix("-") { offset = nil }
        }
        var seconds = 0
        if let o = offset {
            let sign = o < 0 ? -1 : 1
            let a = abs(o)
            seconds = sign * ((a / 100) * 3600 + (a % 100) * 60)
        }
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hh), (0...59).contains(mi), (0...60).contains(ss),
              (1...9999).contains(year), abs(seconds) < 24 * 3600 else { return nil }
        var comps = DateComponents()
        comps.year = year; comps.month = month; comps.day = day
        comps.hour = hh; comps.minute = mi; comps.second = min(ss, 59)
        let cal = utcCalendar
        guard let base = cal.date(from: comps) else { return nil }
        // Reject impossible days (31 Feb) the way a strict calendar would.
        if cal.component(.day, from: base) != day { return nil }
        return (base.addingTimeInterval(TimeInterval(-seconds)), offset != nil)
    }

    /// A date as `ISO8601DateFormatter` writes it with `.withInternetDateTime`
    /// in UTC (`2026-10-03T14:22:00Z`), the same string, without creating a
    /// formatter (an ICU date format) for each date. Whole seconds from 1583
    /// to 9999 are written here; any other date goes through the formatter.
    public static func internetDateTime(_ date: Date) -> String {
        let t = date.timeIntervalSince1970
        // 1583-01-01 to 9999-12-31 (the proleptic and ICU's Julian–Gregorian calendars agree).
        guard t == t.rounded(.down), t >= -12_212_553_600, t < 253_402_300_800 else {
            return ISO8601DateFormatter.string(from: date, timeZone: utc, formatOptions: [.withInternetDateTime])
        }
        let seconds = Int(t)
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 { rest += 86_400; days -= 1 }
        // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        var out: [UInt8] = []
        out.reserveCapacity(20)
        func two(_ v: Int) { out.append(UInt8(48 + v / 10)); out.append(UInt8(48 + v % 10)) }
        two(year / 100); two(year % 100); out.append(UInt8(ascii: "-")); two(month); out.append(UInt8(ascii: "-")); two(day)
        out.append(UInt8(ascii: "T")); two(rest / 3600); out.append(UInt8(ascii: ":")); two(rest / 60 % 60)
        out.append(UInt8(ascii: ":")); two(rest % 60); out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Form posts: submitted-at values and HTTP dates

    /// A submitted-at value: ISO 8601 (with or without zone or time), UK
    /// `dd/mm/yyyy [hh:mm[:ss]]`, Unix seconds, or an HTTP date.
    public static func submitted(_ raw: String) -> Date? {
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
        return http(s)
    }

    /// An HTTP / RFC 5322 date: `Sat, 03 Oct 2026 14:22:00 GMT` (weekday optional, numeric zone allowed).
    public static func http(_ raw: String) -> Date? {
        let s = raw.trimmingCharacters(in: .whitespaces)
        guard let g = groups(#"^(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(GMT|UTC|UT|Z|[+-]\d{4})?$"#, s) else { return nil }
        guard let mIndex = rfcMonths.prefix(12).firstIndex(of: g[2].lowercased()) else { return nil }
        var zone = utc
        if g[7].hasPrefix("+") || g[7].hasPrefix("-") {
            let digits = g[7].dropFirst()
            let hh = Int(digits.prefix(2)) ?? 0, mm = Int(digits.suffix(2)) ?? 0
            zone = TimeZone(secondsFromGMT: (g[7].hasPrefix("-") ? -1 : 1) * (hh * 3600 + mm * 60)) ?? utc
        }
        return make(Int(g[3]) ?? 0, mIndex + 1, Int(g[1]) ?? 0, Int(g[4]) ?? 0, Int(g[5]) ?? 0, Int(g[6]) ?? 0, zone: zone)
    }

    // MARK: Letters: date lines

    private static func month(_ word: String) -> Int? {
        let w = word.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        guard w.count >= 3 else { return nil }
        if w == "sept" { return 9 }
        return monthNames.firstIndex { $0 == w || ($0.hasPrefix(w) && w.count == 3) }.map { $0 + 1 }
    }

    /// ISO 8601 `YYYY-MM-DD` (a time after it is ignored).
    public static func isoDay(_ raw: String) -> Date? {
        guard let g = groups(#"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?\s*$"#, raw) else { return nil }
        return make(Int(g[1]) ?? 0, Int(g[2]) ?? 0, Int(g[3]) ?? 0, zone: utc)
    }

    /// A line that is only a date: `3 October 2026`, `Saturday, 3rd Oct 2026`,
    /// `October 3, 2026`, `03/10/2026`, `3.10.2026`, `2026-10-03`.
    public static func ukDateLine(_ raw: String) -> Date? {
        let s = raw.trimmingWhitespace()
        guard !s.isEmpty, s.count <= 40 else { return nil }
        if let d = isoDay(s) { return d }
        let weekday = #"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"#
        if let g = groups("^(?:date:?\\s*)?" + weekday + #"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]{3,9}\.?),?\s+(\d{4})\.?$"#, s),
           let m = month(g[2]) {
            return make(Int(g[3]) ?? 0, m, Int(g[1]) ?? 0, zone: utc)
        }
        if let g = groups("^(?:date:?\\s*)?" + weekday + #"([a-z]{3,9}\.?)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\.?$"#, s),
           let m = month(g[1]) {
            return make(Int(g[3]) ?? 0, m, Int(g[2]) ?? 0, zone: utc)
        }
        if let g = groups(#"^(?:date:?\s*)?(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$"#, s) {
            return make(Int(g[3]) ?? 0, Int(g[2]) ?? 0, Int(g[1]) ?? 0, zone: utc)
        }
        // "12/10/26": a two-digit year is this century's (letters are dated in it).
        if let g = groups(#"^(?:date:?\s*)?(\d{1,2})[/.-](\d{1,2})[/.-](\d{2})$"#, s) {
            return make(2000 + (Int(g[3]) ?? 0), Int(g[2]) ?? 0, Int(g[1]) ?? 0, zone: utc)
        }
        return nil
    }
}
