import Foundation
import GRDB

/// The embedded backend: one SQLite file in WAL mode through GRDB's
/// DatabasePool (one writer, concurrent readers; other processes wait up to
/// the busy timeout for the writer's lock).
final class SQLiteStoreDatabase: StoreDatabase {
    let pool: DatabasePool
    var dialect: SQLDialect { .sqlite }

    init(pool: DatabasePool) {
        self.pool = pool
    }

    func read<T>(_ body: (any SQLDatabase) throws -> T) throws -> T {
        try pool.read { db in try body(SQLiteConnection(db)) }
    }

    func write<T>(_ body: (any SQLDatabase) throws -> T) throws -> T {
        try pool.write { db in try body(SQLiteConnection(db)) }
    }

    func appliedMigrations() throws -> [String] {
        try pool.read { db in try Schema.migrator.appliedMigrations(db) }
    }
}

/// A GRDB `Database` seen through ``SQLDatabase``.
final class SQLiteConnection: SQLDatabase {
    let db: Database
    var dialect: SQLDialect { .sqlite }

    init(_ db: Database) {
        self.db = db
    }

    func execute(sql: String, arguments: SQLArguments) throws {
        try db.execute(sql: sql, arguments: Self.arguments(arguments))
    }

    func rows(sql: String, arguments: SQLArguments) throws -> [SQLRow] {
        try GRDB.Row.fetchAll(db, sql: sql, arguments: Self.arguments(arguments)).map(Self.row)
    }

    func cursor(sql: String, arguments: SQLArguments) throws -> any SQLCursor {
        SQLiteCursor(base: try GRDB.Row.fetchCursor(db, sql: sql, arguments: Self.arguments(arguments)))
    }

    static func arguments(_ a: SQLArguments) -> StatementArguments {
        StatementArguments(a.values.map { v -> DatabaseValue in
            switch v {
            case .null: return .null
            case .int(let i): return i.databaseValue
            case .double(let d): return d.databaseValue
            case .text(let s): return s.databaseValue
            case .blob(let b): return Data(b).databaseValue
            }
        })
    }

    static func row(_ r: GRDB.Row) -> SQLRow {
        SQLRow(columns: Array(r.columnNames), values: r.databaseValues.map { dbv in
            switch dbv.storage {
            case .null: return .null
            case .int64(let i): return .int(i)
            case .double(let d): return .double(d)
            case .string(let s): return .text(s)
            case .blob(let b): return .blob([UInt8](b))
            }
        })
    }
}

final class SQLiteCursor: SQLCursor {
    let base: RowCursor
    init(base: RowCursor) { self.base = base }
    func next() throws -> SQLRow? { try base.next().map(SQLiteConnection.row) }
}
