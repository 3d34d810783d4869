import Foundation

/// A span of whole days, `[start, end)` in UTC, as the reports and
/// `triage review stats` read dates (`YYYY-MM-DD` is midnight UTC).
public struct ReportPeriod: Sendable, Equatable {
    /// The first instant included.
    public var start: Date
    /// The first instant not included (midnight after the last day).
    public var end: Date

    /// The period from the day `first` to the day `last`, both included.
    /// - Throws: ``ReportError`` when a date is not `YYYY-MM-DD` or `last` is before `first`.
    public init(first: String, last: String) throws {
        guard let a = Self.day(first) else { throw ReportError("--from: '\(first)' is not a date (YYYY-MM-DD)") }
        guard let b = Self.day(last) else { throw ReportError("--to: '\(last)' is not a date (YYYY-MM-DD)") }
        guard a <= b else { throw ReportError("--to (\(last)) is before --from (\(first))") }
        start = a
        end = b.addingTimeInterval(86_400)
    }

    /// The period `[start, end)`.
    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }

    /// The financial year named like `2025-26`: 1 April 2025 to 31 March 2026.
    /// - Throws: ``ReportError`` when the name is not `YYYY-YY` with consecutive years.
    public static func financialYear(_ name: String) throws -> ReportPeriod {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2 || parts[1].count == 4,
              let y = Int(parts[0]), let y2 = Int(parts[1]), (1990...2200).contains(y),
              (parts[1].count == 2 ? y2 == (y + 1) % 100 : y2 == y + 1),
              let start = day(String(format: "%04d-04-01", y)), let end = day(String(format: "%04d-04-01", y + 1))
        else { throw ReportError("--year: '\(name)' is not a financial year such as 2025-26 (1 April to 31 March)") }
        return ReportPeriod(start: start, end: end)
    }

    /// The first day, `YYYY-MM-DD`.
    public var firstDay: String { Self.text(start) }
    /// The last day included, `YYYY-MM-DD`.
    public var lastDay: String { Self.text(end.addingTimeInterval(-86_400)) }

    static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(secondsFromGMT: 0) ?? c.timeZone
        return c
    }()

    /// Midnight UTC of a `YYYY-MM-DD` day.
    static func day(_ text: String) -> Date? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let parts = t.split(separator: "-").compactMap { Int($0) }
        guard t.count == 10, parts.count == 3 else { return nil }
        let c = DateComponents(year: parts[0], month: parts[1], day: parts[2])
        guard c.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: c)
    }

    /// `YYYY-MM-DD` of an instant (UTC).
    static func text(_ d: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: d)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    /// `YYYY-MM` of an instant (UTC).
    static func month(_ d: Date) -> String { String(text(d).prefix(7)) }

    /// The Monday (UTC) of the ISO week containing `d`.
    static func weekStart(_ d: Date) -> Date {
        let midnight = calendar.startOfDay(for: d)
        let weekday = calendar.component(.weekday, from: midnight)   // 1 = Sunday
        return midnight.addingTimeInterval(-Double((weekday + 5) % 7) * 86_400)
    }
}

/// A problem with a report's arguments or data that the user can fix.
public struct ReportError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    /// Creates an error with this message.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One labelled count, for tables and charts.
public struct LabelledCount: Sendable, Equatable, Codable {
    /// The contract's word (`routed`, `crt`, `email`, …).
    public var key: String
    /// The words a reader sees.
    public var label: String
    public var count: Int

    /// Creates a count.
    public init(key: String, label: String, count: Int) {
        self.key = key
        self.label = label
        self.count = count
    }

    /// Counts `keys` (each occurrence once), most first, then by key.
    static func tally<Key: Hashable & CustomStringConvertible>(_ keys: [Key], label: (Key) -> String) -> [LabelledCount] {
        var counts: [Key: Int] = [:]
        for k in keys { counts[k, default: 0] += 1 }
        return counts.map { LabelledCount(key: $0.key.description, label: label($0.key), count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }
    }
}
