import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// One value sent to or read from PostgreSQL.
public enum PostgresValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case bytes([UInt8])
    case bool(Bool)
}

/// The rows a statement returned: column names and values, in order.
public struct PostgresRows: Sendable {
    public var columns: [String]
    public var rows: [[PostgresValue]]
}

/// A small pool of PostgreSQL connections used synchronously: the caller's
/// thread waits for NIO's futures, which run on NIO's own event loops (never
/// call it from an event-loop thread: that is refused, not deadlocked).
/// A connection is lent to one caller at a time, for one transaction or one
/// statement; a connection that failed is closed, not lent again.
public final class PostgresSessionPool: Sendable {
    /// Where the pool connects.
    public let location: PostgresLocation
    private let idle = NIOLockedValueBox<[PostgresConnection]>([])
    private let nextID = NIOLockedValueBox<Int>(1)
    private let maxIdle: Int
    private static let logger = Logger(label: "triage.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Creates the pool and opens one connection to check the server, the
    /// database and the credentials.
    /// - Throws: ``PostgresError`` when the server cannot be reached or refuses.
    public init(location: PostgresLocation, maxIdle: Int = 4) throws {
        self.location = location
        self.maxIdle = maxIdle
        let first = try connect()
        idle.withLockedValue { $0.append(first) }
    }

    deinit {
        for c in idle.withLockedValue({ $0 }) { Self.closeLater(c) }
    }

    /// Runs `body` with a connection of its own.
    public func withSession<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        guard MultiThreadedEventLoopGroup.currentEventLoop == nil else {
            throw PostgresError("the store's PostgreSQL calls wait for their answer and cannot run on a NIO event loop thread")
        }
        let connection = try checkOut()
        let session = PostgresSession(connection: connection, logger: Self.logger)
        do {
            let result = try body(session)
            checkIn(connection, healthy: !session.broken)
            return result
        } catch {
            checkIn(connection, healthy: !session.broken)
            throw error
        }
    }

    /// Closes the idle connections.
    public func close() {
        let all = idle.withLockedValue { v -> [PostgresConnection] in defer { v.removeAll() }; return v }
        for c in all {
            let closed: EventLoopFuture<Void> = c.close()
            try? closed.wait()
        }
    }

    /// Closes a connection without waiting for it (kept alive until it is closed, as postgres-nio requires).
    private static func closeLater(_ c: PostgresConnection) {
        let closed: EventLoopFuture<Void> = c.close()
        closed.whenComplete { _ in withExtendedLifetime(c) {} }
    }

    private func checkOut() throws -> PostgresConnection {
        while let c = idle.withLockedValue({ $0.popLast() }) {
            if !c.isClosed { return c }
        }
        return try connect()
    }

    private func checkIn(_ c: PostgresConnection, healthy: Bool) {
        let keep = healthy && !c.isClosed && idle.withLockedValue { v -> Bool in
            guard v.count < maxIdle else { return false }
            v.append(c)
            return true
        }
        if !keep { Self.closeLater(c) }
    }

    private func connect() throws -> PostgresConnection {
        let tls: PostgresConnection.Configuration.TLS
        switch location.tls {
        case .disable: tls = .disable
        case .prefer, .require:
            do {
                let context = try NIOSSLContext(configuration: .makeClientConfiguration())
                tls = location.tls == .require ? .require(context) : .prefer(context)
            } catch {
                throw PostgresError("cannot set up TLS for \(location): \(error)")
            }
        }
        var config = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.user,
                                                      password: location.password, database: location.database, tls: tls)
        config.options.connectTimeout = .seconds(10)
        let id = nextID.withLockedValue { v -> Int in defer { v += 1 }; return v }
        do {
            return try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: config,
                                                  id: id, logger: Self.logger).wait()
        } catch {
            throw PostgresSession.describe(error, doing: "connecting to \(location)")
        }
    }
}

/// One connection, lent for the length of a ``PostgresSessionPool/withSession(_:)`` call.
public final class PostgresSession {
    let connection: PostgresConnection
    let logger: Logger
    /// True once a statement failed without the server answering (the connection is not reused).
    var broken = false

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Runs one statement with `$1…$n` parameters and returns its rows.
    /// - Throws: ``PostgresError`` with the server's message and SQLSTATE (never the bound values).
    @discardableResult
    public func query(_ sql: String, _ values: [PostgresValue] = []) throws -> PostgresRows {
        var binds = PostgresBindings(capacity: values.count)
        for v in values {
            switch v {
            case .null: binds.appendNull()
            case .int(let i): binds.append(i)
            case .double(let d): binds.append(d)
            case .text(let s): binds.append(s)
            case .bytes(let b): binds.append(ByteBuffer(bytes: b))
            case .bool(let b): binds.append(b)
            }
        }
        let result: PostgresQueryResult
        do {
            result = try connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).wait()
        } catch {
            let e = Self.describe(error, doing: "running a statement")
            if e.sqlState == nil { broken = true }
            throw e
        }
        var columns: [String] = []
        var rows: [[PostgresValue]] = []
        for row in result.rows {
            if columns.isEmpty { columns = row.map(\.columnName) }
            rows.append(try row.map(Self.value(of:)))
        }
        return PostgresRows(columns: columns, rows: rows)
    }

    /// Runs statements separated by semicolons, with no parameters (schema changes).
    public func execute(script: String) throws {
        for statement in Self.statements(in: script) { try query(statement) }
    }

    /// Splits a script at semicolons outside quotes and `$$` bodies.
    static func statements(in script: String) -> [String] {
        var out: [String] = [], current = "", quote: Character? = nil, dollar = false
        let chars = Array(script)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if !dollar, let q = quote {
                if c == q { quote = nil }
            } else if c == "$", i + 1 < chars.count, chars[i + 1] == "$" {
                dollar.toggle()
                current.append("$$")
                i += 2
                continue
            } else if !dollar, c == "'" || c == "\"" {
                quote = c
            } else if !dollar, c == ";" {
                let s = current.trimmingCharacters(in: .whitespacesAndNewlines)
                if !s.isEmpty { out.append(s) }
                current = ""
                i += 1
                continue
            }
            current.append(c)
            i += 1
        }
        let s = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !s.isEmpty { out.append(s) }
        return out
    }

    static func value(of cell: PostgresCell) throws -> PostgresValue {
        guard var buffer = cell.bytes else { return .null }
        do {
            switch cell.dataType {
            case .int2, .int4, .int8: return .int(try cell.decode(Int64.self))
            case .float4, .float8: return .double(try cell.decode(Double.self))
            case .bool: return .bool(try cell.decode(Bool.self))
            case .bytea: return .bytes(buffer.readBytes(length: buffer.readableBytes) ?? [])
            case .numeric:
                let d = try cell.decode(Decimal.self)
                if let i = Int64(exactly: NSDecimalNumber(decimal: d).doubleValue) { return .int(i) }
                return .double(NSDecimalNumber(decimal: d).doubleValue)
            default:
                if cell.format == .text { return .text(buffer.readString(length: buffer.readableBytes) ?? "") }
                return .text(try cell.decode(String.self))
            }
        } catch {
            throw PostgresError("cannot read column \(cell.columnName) of type \(cell.dataType)")
        }
    }

    /// A ``PostgresError`` for any error from postgres-nio: the server's
    /// message and SQLSTATE, or what failed on the client; never bound values.
    static func describe(_ error: Error, doing what: String) -> PostgresError {
        if let e = error as? PostgresError { return e }
        guard let p = error as? PSQLError else { return PostgresError("PostgreSQL: \(what) failed: \(error)") }
        if let info = p.serverInfo {
            let state = info[.sqlState]
            let message = info[.message] ?? "error"
            return PostgresError("PostgreSQL: \(message)\(state.map { " (SQLSTATE \($0))" } ?? "")", sqlState: state)
        }
        var text = "PostgreSQL: \(what) failed: \(p.code)"
        if let u = p.underlying { text += " (\(u))" }
        return PostgresError(text)
    }
}

extension PostgresSessionPool {
    /// Creates a new, empty database on the same server (the user needs the
    /// CREATEDB right) and returns the URL of it: for tests, and for a new office.
    /// - Parameters:
    ///   - url: a `postgres://` URL of any database on the server.
    ///   - name: the new database's name: lower-case letters, digits and `_`, starting with a letter.
    /// - Throws: ``PostgresError`` for a bad name or when the server refuses.
    public static func createDatabase(named name: String, onServerOf url: String) throws -> String {
        guard let first = name.first, first.isLetter, name.count <= 63,
              name.allSatisfy({ ($0.isLetter && $0.isLowercase && $0.isASCII) || $0.isNumber || $0 == "_" }) else {
            throw PostgresError("not a plain database name: \(name)")
        }
        let server = try PostgresSessionPool(location: try PostgresLocation(url: url), maxIdle: 0)
        defer { server.close() }
        try server.withSession { try $0.query("CREATE DATABASE \(name)") }
        guard var parts = URLComponents(string: url) else { throw PostgresError("cannot read the URL \(PostgresLocation.redact(url))") }
        parts.path = "/" + name
        guard let out = parts.string else { throw PostgresError("cannot write the URL for \(name)") }
        return out
    }
}
