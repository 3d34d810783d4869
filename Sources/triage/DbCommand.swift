import ArgumentParser
import Foundation
import TriageStore

/// `triage db`: the store's schema, and moving an office from its SQLite file to a PostgreSQL server.
struct DbCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "The store's schema migrations, and copying a store (SQLite file → PostgreSQL).",
        subcommands: [Migrate.self, Copy.self]
    )

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply the store's schema migrations (each store is also migrated when a command opens it).",
            discussion: """
                Prints the migrations applied, in order. A store whose schema is newer than this triage knows \
                (migrations it has never heard of) is refused with exit 2 and left as it was.

                Examples:
                  triage db migrate --db opcc.sqlite
                  PGPASSWORD=… triage db migrate --db postgres://triage@db.example.org:5432/opcc --format json
                """
        )
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "text or json.") var format: OutputFormat = .text

        func run() throws {
            let store = try storeOptions.open()
            let applied = try store.appliedMigrations()
            switch format {
            case .text:
                print("\(store.backend.rawValue) store \(store.path): \(applied.count) migrations applied")
                for name in applied { print("  \(name)") }
            case .json:
                let object: [String: Any] = ["backend": store.backend.rawValue, "store": store.path, "migrations": applied]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            }
        }
    }

    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy every row of a store into a new, empty one, then check the counts and the audit chain.",
            discussion: """
                Moves an office from its SQLite file to a PostgreSQL database (or back). Every id is kept, so \
                the audit log's hash chain and its references stay as they were. The source is read in one \
                snapshot; the destination is written in one transaction, so a failed copy leaves it empty. \
                After the copy, each table must have as many rows in both stores, and the copy's audit log must \
                verify and end at the same entry as the source's; else exit 3. Stop the pollers and caseworkers \
                on the source first: what they write after the snapshot is not copied.

                Examples:
                  triage db copy --from opcc.sqlite --to postgres://triage@db.example.org/opcc
                  triage db copy --from opcc.sqlite --to postgres://triage@127.0.0.1:5432/opcc?sslmode=disable --format json
                """
        )
        @Option(help: "The store to copy (an SQLite file or a postgres:// URL); it must exist.") var from: String
        @Option(help: "The new store (a postgres:// URL or an SQLite file); it must be empty.") var to: String
        @Option(help: "text or json.") var format: OutputFormat = .text

        func validate() throws {
            if from == to { throw ValidationError("--from and --to are the same store.") }
            if !Store.isServerLocation(from) && !FileManager.default.fileExists(atPath: from) {
                throw ValidationError("No store at \(from).")
            }
        }

        func run() throws {
            let source = try openPrivateStore(from)
            let destination = try openPrivateStore(to)
            let report: StoreCopyReport
            do {
                report = try Store.copy(from: source, to: destination)
            } catch {
                Diagnostics.error("copy from \(source.path) to \(destination.path) failed: \(error)")
                throw ExitCodes.checkFailed
            }
            switch format {
            case .text:
                print("copied \(source.path) → \(destination.path)")
                for t in report.tables { print("  \(t.name): \(t.rows) rows (the same in both)") }
                print("  \(report.audit.description); head \(report.auditHead.prefix(24))… in both")
            case .json:
                let object: [String: Any] = [
                    "from": source.path, "to": destination.path,
                    "tables": Dictionary(uniqueKeysWithValues: report.tables.map { ($0.name, $0.rows) }),
                    "audit_entries": report.audit.entries, "audit_ok": report.audit.ok, "audit_head": report.auditHead,
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            }
        }
    }
}
