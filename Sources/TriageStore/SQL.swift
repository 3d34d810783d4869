import Foundation

// The one SQL surface the store's logic is written against, whichever
// database holds it: SQLite through GRDB (SQLiteBackend.swift) or a
// PostgreSQL server through postgres-nio (PostgresBackend.swift). Statements
// are written once, with `?` placeholders, in the SQL both understand;
// the few places where the two differ ask the ``SQLDialect``.

/// A value in a statement or a row.
enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])
}

/// The SQL the two backends spell differently.
enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// The text of a top-level key of a JSON text column.
    func jsonText(_ column: String, _ key: String) -> String {
        switch self {
        case .sqlite: return "json_extract(\(column), '$.\(key)')"
        case .postgres: return "(\(column)::jsonb ->> '\(key)')"
        }
    }
}

/// A Swift value that can be bound to a statement and read from a row.
protocol SQLValueConvertible {
    var sqlValue: SQLValue { get }
    static func from(sqlValue: SQLValue) -> Self?
}

extension String: SQLValueConvertible {
    var sqlValue: SQLValue { .text(self) }
    static func from(sqlValue v: SQLValue) -> String? {
        switch v {
        case .text(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .blob(let b): return String(decoding: b, as: UTF8.self)
        case .null: return nil
        }
    }
}

extension Int64: SQLValueConvertible {
    var sqlValue: SQLValue { .int(self) }
    static func from(sqlValue v: SQLValue) -> Int64? {
        switch v {
        case .int(let i): return i
        case .double(let d): return Int64(exactly: d.rounded())
        case .text(let s): return Int64(s)
        default: return nil
        }
    }
}

extension Int: SQLValueConvertible {
    var sqlValue: SQLValue { .int(Int64(self)) }
    static func from(sqlValue v: SQLValue) -> Int? { Int64.from(sqlValue: v).map(Int.init) }
}

extension Double: SQLValueConvertible {
    var sqlValue: SQLValue { .double(self) }
    static func from(sqlValue v: SQLValue) -> Double? {
        switch v {
        case .double(let d): return d
        case .int(let i): return Double(i)
        case .text(let s): return Double(s)
        default: return nil
        }
    }
}

extension Bool: SQLValueConvertible {
    var sqlValue: SQLValue { .int(self ? 1 : 0) }
    static func from(sqlValue v: SQLValue) -> Bool? { Int64.from(sqlValue: v).map { $0 != 0 } }
}

extension Data: SQLValueConvertible {
    var sqlValue: SQLValue { .blob([UInt8](self)) }
    static func from(sqlValue v: SQLValue) -> Data? {
        switch v {
        case .blob(let b): return Data(b)
        case .text(let s): return Data(s.utf8)
        default: return nil
        }
    }
}

/// The values bound to a statement's `?` placeholders, in order.
struct SQLArguments: ExpressibleByArrayLiteral {
    var values: [SQLValue]

    init(_ values: [(any SQLValueConvertible)?]) {
        self.values = values.map { $0?.sqlValue ?? .null }
    }

    init(arrayLiteral elements: (any SQLValueConvertible)?...) {
        self.init(elements)
    }

    init(values: [SQLValue]) {
        self.values = values
    }
}

/// One row a statement returned, read by column name.
struct SQLRow {
    /// The column names, in order.
    let names: [String]
    let columns: [String: Int]
    let values: [SQLValue]

    init(columns: [String], values: [SQLValue]) {
        var index: [String: Int] = [:]
        for (i, c) in columns.enumerated() where index[c] == nil { index[c] = i }
        self.names = columns
        self.columns = index
        self.values = values
    }

    /// The value of a column (nil for NULL or a missing column).
    subscript<T: SQLValueConvertible>(_ column: String) -> T? {
        guard let i = columns[column] else { return nil }
        return T.from(sqlValue: values[i])
    }

    /// The value of a column the schema makes NOT NULL.
    subscript<T: SQLValueConvertible>(_ column: String) -> T {
        guard let i = columns[column], let v = T.from(sqlValue: values[i]) else {
            preconditionFailure("the store's column \(column) is NULL or missing where the schema forbids it")
        }
        return v
    }

    /// Rows of a statement.
    static func fetchAll(_ db: any SQLDatabase, sql: String, arguments: SQLArguments = []) throws -> [SQLRow] {
        try db.rows(sql: sql, arguments: arguments)
    }

    /// The first row of a statement, if any.
    static func fetchOne(_ db: any SQLDatabase, sql: String, arguments: SQLArguments = []) throws -> SQLRow? {
        try db.rows(sql: sql, arguments: arguments).first
    }

    /// Rows of a statement one at a time (SQLite reads them as they are needed).
    static func fetchCursor(_ db: any SQLDatabase, sql: String, arguments: SQLArguments = []) throws -> any SQLCursor {
        try db.cursor(sql: sql, arguments: arguments)
    }
}

/// Rows read one at a time.
protocol SQLCursor: AnyObject {
    func next() throws -> SQLRow?
}

/// Rows already read.
final class SQLArrayCursor: SQLCursor {
    var rows: IndexingIterator<[SQLRow]>
    init(_ rows: [SQLRow]) { self.rows = rows.makeIterator() }
    func next() throws -> SQLRow? { rows.next() }
}

extension SQLValueConvertible {
    /// The first column of the first row, if any and not NULL.
    static func fetchOne(_ db: any SQLDatabase, sql: String, arguments: SQLArguments = []) throws -> Self? {
        try db.rows(sql: sql, arguments: arguments).first.flatMap { $0.values.first }.flatMap(Self.from(sqlValue:))
    }

    /// The first column of every row (NULLs skipped).
    static func fetchAll(_ db: any SQLDatabase, sql: String, arguments: SQLArguments = []) throws -> [Self] {
        try db.rows(sql: sql, arguments: arguments).compactMap { $0.values.first.flatMap(Self.from(sqlValue:)) }
    }
}

/// A connection inside one read or write of the store (valid only during it).
protocol SQLDatabase: AnyObject {
    var dialect: SQLDialect { get }
    /// Runs a statement that returns no rows.
    func execute(sql: String, arguments: SQLArguments) throws
    /// Runs a statement and returns its rows.
    func rows(sql: String, arguments: SQLArguments) throws -> [SQLRow]
    /// Runs a statement and returns its rows one at a time.
    func cursor(sql: String, arguments: SQLArguments) throws -> any SQLCursor
}

extension SQLDatabase {
    func execute(sql: String) throws { try execute(sql: sql, arguments: []) }

    /// Runs an INSERT and returns the `id` it generated (`RETURNING id`, which both backends know).
    func insertReturningID(sql: String, arguments: SQLArguments) throws -> Int64 {
        guard let id = try Int64.fetchOne(self, sql: sql + " RETURNING id", arguments: arguments) else {
            throw StoreError("an insert returned no id")
        }
        return id
    }
}

/// Where a store lives: reads and writes, each one transaction.
protocol StoreDatabase: Sendable {
    var dialect: SQLDialect { get }
    /// A read-only transaction that sees one consistent state.
    func read<T>(_ body: (any SQLDatabase) throws -> T) throws -> T
    /// A write transaction, serialised with every other writer of the store
    /// (SQLite: its single writer; PostgreSQL: a transaction-scoped advisory lock).
    func write<T>(_ body: (any SQLDatabase) throws -> T) throws -> T
    /// The names of the migrations applied, in order.
    func appliedMigrations() throws -> [String]
}

/// The store's migrations, as both backends name them.
enum Migrations {
    /// Refuses a store that has migrations this build does not know (written by a newer triage).
    static func refuseNewer(applied: [String], known: [String], store: String) throws {
        let unknown = applied.filter { !known.contains($0) }
        guard unknown.isEmpty else {
            throw StoreError("the store \(store) has a newer schema than this triage knows (migrations \(unknown.joined(separator: ", "))): "
                             + "use the newer triage, or restore a backup made for this version; nothing was changed")
        }
    }
}
