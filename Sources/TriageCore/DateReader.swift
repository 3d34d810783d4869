import Foundation

/// Reads calendar dates written in British English from a run of tokens:
/// `02/11/2026` (day first), `2026-11-02`, `2 November 2026`, `2nd Nov`,
/// `November 2nd, 2026`, `the 5th of October`. A date with no year is the
/// most recent such date on or before a reference date.
public struct DateReader: Sendable {
    /// A date found in the tokens.
    public struct Found: Sendable, Equatable {
        public var date: Date
        /// Token range of the date, inclusive.
        public var first: Int
        public var last: Int
    }

    private static let months: [String: Int] = [
        "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
        "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
        "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
    ]

    /// The calendar used: Gregorian, Europe/London.
    public static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "Europe/London") ?? TimeZone(secondsFromGMT: 0)!
        return c
    }()

    public init() {}

    /// The date starting at token `start`, if one does.
    /// - Parameter reference: the received date, for dates without a year.
    public func date(at start: Int, in tokens: [TextIndex.Token], reference: Date?) -> Found? {
        func tok(_ i: Int) -> String? { i < tokens.count ? tokens[i].text : nil }
        func number(_ s: String?) -> Int? {
            guard let s, !s.isEmpty, s.count <= 4, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int(s)
        }
        func dayOrdinal(_ s: String?) -> Int? {
            guard let s else { return nil }
            if let n = number(s) { return (1...31).contains(n) ? n : nil }
            for suffix in ["st", "nd", "rd", "th"] where s.hasSuffix(suffix) {
                if let n = number(String(s.dropLast(2))), (1...31).contains(n) { return n }
            }
            return nil
        }
        func year(_ s: String?) -> Int? {
            guard let s, let n = number(s) else { return nil }
            if s.count == 4, (1990...2100).contains(n) { return n }
            if s.count == 2 { return 2000 + n }
            return nil
        }
        guard let first = tok(start) else { return nil }

        // Numeric: d/m/y, d.m.y, d-m-y, y-m-d
        if let a = number(first), let sep = tok(start + 1), ["/", ".", "-"].contains(sep),
           let b = number(tok(start + 2)), tok(start + 3) == sep, let cText = tok(start + 4), number(cText) != nil {
            let c = number(cText)!
            if first.count == 4 {
                return make(year: a, month: b, day: c, first: start, last: start + 4)
            }
            if let y = year(cText) {
                return make(year: y, month: b, day: a, first: start, last: start + 4)
            }
            _ = c
            return nil
        }
        // d(th) [of] Month [,] [year]
        if let d = dayOrdinal(first) {
            var i = start + 1
            if tok(i) == "of" { i += 1 }
            if let m = tok(i).flatMap({ Self.months[$0] }) {
                var last = i
                var j = i + 1
                if tok(j) == "," { j += 1 }
                if let y = year(tok(j)), tok(j)?.count == 4 { return make(year: y, month: m, day: d, first: start, last: j) }
                _ = last
                last = i
                return makeWithoutYear(month: m, day: d, reference: reference, first: start, last: last)
            }
            return nil
        }
        // Month d(th) [,] [year]
        if let m = Self.months[first], first.count >= 3 {
            if let d = dayOrdinal(tok(start + 1)) {
                var j = start + 2
                if tok(j) == "," { j += 1 }
                if let y = year(tok(j)), tok(j)?.count == 4 { return make(year: y, month: m, day: d, first: start, last: j) }
                return makeWithoutYear(month: m, day: d, reference: reference, first: start, last: start + 1)
            }
        }
        return nil
    }

    private func make(year: Int, month: Int, day: Int, first: Int, last: Int) -> Found? {
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        var parts = DateComponents()
        parts.year = year; parts.month = month; parts.day = day; parts.hour = 12
        guard let date = Self.calendar.date(from: parts),
              Self.calendar.component(.day, from: date) == day else { return nil }
        return Found(date: date, first: first, last: last)
    }

    private func makeWithoutYear(month: Int, day: Int, reference: Date?, first: Int, last: Int) -> Found? {
        guard let reference else { return nil }
        let refYear = Self.calendar.component(.year, from: reference)
        for y in [refYear, refYear - 1] {
            if let found = make(year: y, month: month, day: day, first: first, last: last), found.date <= reference.addingTimeInterval(86_400) {
                return found
            }
        }
        return nil
    }

    /// Whole days from `from` to `to` in the London calendar (date parts only).
    public static func days(from: Date, to: Date) -> Int {
        let a = calendar.startOfDay(for: from)
        let b = calendar.startOfDay(for: to)
        return calendar.dateComponents([.day], from: a, to: b).day ?? 0
    }
}
