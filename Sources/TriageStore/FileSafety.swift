import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

// The store holds personal data: it and its -wal/-shm files are created
// owner-only (0600) whatever the umask (SQLite gives the WAL and shared-memory
// files the mode of the database file), and a store that others can read is
// reported. Two processes opening a store that does not exist yet both
// succeed: the migrations are retried after the other process's schema lands.
extension Store {
    /// The mode a new store file gets.
    public static let privateFileMode: mode_t = 0o600

    /// Creates `path` empty and owner-only when it does not exist yet (never
    /// changes an existing file), so that SQLite's own files follow its mode.
    static func createPrivately(_ path: String) {
        guard path != ":memory:", !FileManager.default.fileExists(atPath: path) else { return }
        #if canImport(Glibc)
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_CLOEXEC, privateFileMode)
        #else
        let fd = Darwin.open(path, O_WRONLY | O_CREAT | O_CLOEXEC, privateFileMode)
        #endif
        if fd >= 0 {
            fchmod(fd, privateFileMode)
            close(fd)
        }
    }

    /// True when users other than the owner can read `path` (group or world bits).
    public static func othersCanRead(path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        return st.st_mode & 0o044 != 0
    }

    /// A warning for a store (or its -wal/-shm) that others can read, or nil.
    public static func permissionWarning(path: String) -> String? {
        for file in [path, path + "-wal", path + "-shm"] where othersCanRead(path: file) {
            var st = stat()
            _ = stat(file, &st)
            let mode = String(format: "%04o", Int(st.st_mode & 0o777))
            return "warning: \(file) is readable by others (mode \(mode)) but holds personal data: chmod 600 \(path)*"
        }
        return nil
    }

    /// Opens the pool and runs the migrations, retrying when another process
    /// is creating the same store at the same moment.
    static func openMigrated(path: String, configuration: Configuration) throws -> DatabasePool {
        createPrivately(path)
        var attempt = 0
        while true {
            do {
                let pool = try DatabasePool(path: path, configuration: configuration)
                let applied = try pool.read { db in try Schema.migrator.appliedIdentifiers(db) }
                try Migrations.refuseNewer(applied: applied.sorted(), known: Schema.migrator.migrations, store: path)
                try Schema.migrator.migrate(pool)
                return pool
            } catch {
                attempt += 1
                // Losing the race shows as "table … already exists" or a busy lock;
                // the other process's schema is then committed and the retry finds it.
                guard attempt < 20, Self.isFirstOpenRace(error) else { throw error }
                usleep(UInt32.random(in: 5_000...50_000))
            }
        }
    }

    static func isFirstOpenRace(_ error: Error) -> Bool {
        guard let e = error as? DatabaseError else { return false }
        return e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED
            || (e.message ?? "").contains("already exists")
    }

    /// SQLite's `PRAGMA quick_check`: nil when the file is sound, else the first problems.
    public func damage() -> String? {
        do {
            guard backend == .sqlite else { return try integrityCheck() == ["ok"] ? nil : "the server did not answer" }
            let lines = try database.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check(5)") }
            return lines == ["ok"] ? nil : lines.joined(separator: "; ")
        } catch {
            return "\(error)"
        }
    }
}
