// Module TriagePostgres: a PostgreSQL server for the store, through postgres-nio.
//
// Where the server is and who connects: a libpq-style URL
// (`postgres://user@host:port/db?sslmode=…`), with libpq's defaults and its
// ways of finding a password (PGPASSWORD, else PGPASSFILE or ~/.pgpass). The
// password is never part of any description, log line or error message.
import Foundation

/// A PostgreSQL server and database, parsed from a `postgres://` URL.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// How the connection uses TLS (libpq's `sslmode`, simplified).
    public enum TLSMode: String, Sendable, Equatable {
        /// Never.
        case disable
        /// When the server offers it (libpq's default).
        case prefer
        /// Always; the connection fails without it (`require`, `verify-ca`, `verify-full`).
        case require
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var tls: TLSMode
    /// The password, if any: from PGPASSWORD or the password file. Never printed.
    var password: String?

    /// True when `text` names a PostgreSQL server rather than a file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses a `postgres://[user@][host][:port][/database][?sslmode=…]` URL.
    /// A password in the URL is refused: it would show in process lists, shell
    /// histories and messages; it comes from PGPASSWORD or the password file.
    /// - Parameters:
    ///   - url: the URL.
    ///   - environment: where PGUSER, PGHOST, PGPORT, PGDATABASE, PGPASSWORD,
    ///     PGPASSFILE, PGSSLMODE and HOME are read (the process's by default).
    /// - Throws: ``PostgresError`` naming what is wrong (never the password).
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard Self.isURL(url) else { throw PostgresError("not a postgres:// URL: \(Self.redact(url))") }
        guard let parts = URLComponents(string: url) else { throw PostgresError("cannot read the URL \(Self.redact(url))") }
        guard parts.password == nil, !(parts.queryItems ?? []).contains(where: { $0.name == "password" }) else {
            throw PostgresError("the URL \(Self.redact(url)) carries a password: put it in PGPASSWORD or ~/.pgpass (PGPASSFILE) instead")
        }
        let env = environment
        user = parts.user.flatMap { $0.removingPercentEncoding } ?? env["PGUSER"] ?? env["USER"] ?? "postgres"
        host = parts.host.flatMap { $0.isEmpty ? nil : $0 } ?? env["PGHOST"] ?? "127.0.0.1"
        if let p = parts.port {
            port = p
        } else if let text = env["PGPORT"] {
            guard let p = Int(text), (1...65535).contains(p) else { throw PostgresError("PGPORT is not a port number: \(text)") }
            port = p
        } else {
            port = 5432
        }
        let path = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        database = path.isEmpty ? (env["PGDATABASE"] ?? user) : (path.removingPercentEncoding ?? path)
        var mode = env["PGSSLMODE"] ?? "prefer"
        for item in parts.queryItems ?? [] {
            switch item.name {
            case "sslmode": mode = item.value ?? mode
            case "user": user = item.value ?? user
            case "host": host = item.value ?? host
            case "port":
                guard let v = item.value, let p = Int(v) else { throw PostgresError("port is not a number in \(Self.redact(url))") }
                port = p
            case "dbname": database = item.value ?? database
            case "application_name", "connect_timeout": break
            default: throw PostgresError("unknown URL parameter '\(item.name)' in \(Self.redact(url))")
            }
        }
        switch mode {
        case "disable", "allow": tls = .disable
        case "prefer": tls = .prefer
        case "require", "verify-ca", "verify-full": tls = .require
        default: throw PostgresError("unknown sslmode '\(mode)': disable, prefer or require")
        }
        password = env["PGPASSWORD"] ?? Self.passwordFile(environment: env).flatMap {
            Self.lookUp(passfile: $0, host: host, port: port, database: database, user: user)
        }
    }

    /// `postgres://user@host:port/database`: the location without any password, for messages.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// True when a password was found (PGPASSWORD or the password file).
    public var hasPassword: Bool { password != nil }

    /// The URL with any password replaced by `***`, for messages about a URL that did not parse.
    public static func redact(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@"), let scheme = url.range(of: "://") else { return url }
        let userinfo = url[scheme.upperBound..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }

    /// The password file libpq would read: PGPASSFILE, else ~/.pgpass.
    static func passwordFile(environment env: [String: String]) -> String? {
        if let f = env["PGPASSFILE"], !f.isEmpty { return f }
        guard let home = env["HOME"], !home.isEmpty else { return nil }
        return home + "/.pgpass"
    }

    /// The password for this server in a `.pgpass` file
    /// (`hostname:port:database:username:password`, `*` matches anything,
    /// `\:` and `\\` escape). As libpq does, a file that others can read is ignored.
    static func lookUp(passfile: String, host: String, port: Int, database: String, user: String) -> String? {
        var st = stat()
        guard stat(passfile, &st) == 0, st.st_mode & 0o077 == 0,
              let text = try? String(contentsOfFile: passfile, encoding: .utf8) else { return nil }
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = splitPassLine(String(line))
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 || ($0 == "localhost" && $1 == "127.0.0.1") }) {
                return fields[4]
            }
        }
        return nil
    }

    static func splitPassLine(_ line: String) -> [String] {
        var fields: [String] = [], current = "", escaped = false
        for ch in line {
            if escaped { current.append(ch); escaped = false } else if ch == "\\" { escaped = true } else if ch == ":" {
                fields.append(current); current = ""
            } else { current.append(ch) }
        }
        fields.append(current)
        return fields
    }
}

/// An error from the PostgreSQL layer. Its text never carries a password or bound values.
public struct PostgresError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    /// The server's SQLSTATE, when the server reported the error.
    public var sqlState: String?
    public init(_ message: String, sqlState: String? = nil) {
        self.message = message
        self.sqlState = sqlState
    }
    public var description: String { message }
}
