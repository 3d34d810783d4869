import Foundation
import GRDB

/// The store's versioned migrations, the same named steps for both backends.
/// Each is named and runs once; a database written by a newer version with
/// unknown migrations is refused (``Migrations/refuseNewer(applied:known:store:)``).
/// The SQL is SQLite's; PostgreSQL's is translated from it
/// (``postgresSQL(_:)``) except where a step spells it out.
enum Schema {
    /// One migration.
    struct Step {
        let name: String
        let sqlite: String
        /// PostgreSQL's own text, when a translation of `sqlite` will not do.
        let postgres: String?

        /// This step's SQL for PostgreSQL.
        var postgresText: String { postgres ?? Schema.postgresSQL(sqlite) }
    }

    static let steps: [Step] = [
        Step(name: "v1-tables", sqlite: """
            CREATE TABLE meta (
                key TEXT PRIMARY KEY NOT NULL,
                value TEXT NOT NULL
            );
            CREATE TABLE complainants (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                display_name TEXT,
                created_at TEXT NOT NULL,
                merged_into INTEGER REFERENCES complainants(id)
            );
            CREATE TABLE complainant_keys (
                key TEXT PRIMARY KEY NOT NULL,
                kind TEXT NOT NULL,
                complainant_id INTEGER NOT NULL REFERENCES complainants(id),
                first_item TEXT,
                added_at TEXT NOT NULL
            );
            CREATE TABLE complainant_merges (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                survivor_id INTEGER NOT NULL REFERENCES complainants(id),
                merged_id INTEGER NOT NULL REFERENCES complainants(id),
                item_id TEXT,
                keys TEXT NOT NULL,
                explanation TEXT NOT NULL,
                at TEXT NOT NULL
            );
            CREATE TABLE items (
                id TEXT PRIMARY KEY NOT NULL,
                seq INTEGER NOT NULL UNIQUE,
                raw BLOB NOT NULL,
                size INTEGER NOT NULL,
                source TEXT NOT NULL,
                "offset" INTEGER,
                locator TEXT,
                format TEXT NOT NULL,
                received_at TEXT NOT NULL,
                ingested_at TEXT NOT NULL,
                subject TEXT,
                complainant_id INTEGER REFERENCES complainants(id),
                correspondence TEXT NOT NULL
            );
            CREATE TABLE decisions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                item_id TEXT NOT NULL REFERENCES items(id),
                ruleset_version TEXT NOT NULL,
                made_at TEXT NOT NULL,
                made_by TEXT NOT NULL,
                kind TEXT NOT NULL,
                subject TEXT NOT NULL,
                outcome TEXT NOT NULL,
                handler TEXT NOT NULL,
                decision TEXT NOT NULL,
                reason TEXT,
                note TEXT
            );
            CREATE TABLE effective_decisions (
                item_id TEXT PRIMARY KEY NOT NULL REFERENCES items(id),
                decision_id INTEGER NOT NULL REFERENCES decisions(id),
                disagreement_id INTEGER REFERENCES decisions(id)
            );
            CREATE TABLE quarantine (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                sha256 TEXT NOT NULL UNIQUE,
                raw BLOB NOT NULL,
                source TEXT NOT NULL,
                label TEXT NOT NULL,
                problem TEXT NOT NULL,
                at TEXT NOT NULL,
                resolved_at TEXT,
                resolved_item TEXT
            );
            CREATE TABLE poller_state (
                mailbox TEXT NOT NULL,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (mailbox, key)
            );
            CREATE TABLE audit_log (
                seq INTEGER PRIMARY KEY NOT NULL,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                item_id TEXT,
                payload TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            );
            """, postgres: nil),
        Step(name: "v2-indexes", sqlite: """
            CREATE INDEX items_complainant ON items(complainant_id, received_at);
            CREATE INDEX decisions_item ON decisions(item_id, id);
            CREATE INDEX decisions_outcome ON decisions(outcome, kind, handler);
            CREATE INDEX complainant_keys_owner ON complainant_keys(complainant_id);
            CREATE INDEX audit_item ON audit_log(item_id);
            """, postgres: nil),
        Step(name: "v3-audit-append-only", sqlite: """
            CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
            CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
            """, postgres: """
            CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
            CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
            CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
            FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
            """),
        // A summary a caseworker approved for publication (the transparency
        // report prints no other free text). One per item; approving again
        // replaces it and withdrawing deletes it; the audit log keeps every version.
        Step(name: "v4-published-summaries", sqlite: """
            CREATE TABLE published_summaries (
                item_id TEXT PRIMARY KEY NOT NULL REFERENCES items(id),
                summary TEXT NOT NULL,
                approved_by TEXT NOT NULL,
                approved_at TEXT NOT NULL
            );
            """, postgres: nil),
        // `triage serve`: a retried web form post (same Idempotency-Key, or the
        // same bytes) maps to the item its first attempt stored.
        Step(name: "v5-intake-keys", sqlite: """
            CREATE TABLE intake_keys (
                key TEXT PRIMARY KEY NOT NULL,
                item_id TEXT NOT NULL REFERENCES items(id),
                at TEXT NOT NULL
            );
            """, postgres: nil),
    ]

    /// The SQLite migrator (GRDB) over ``steps``.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        for step in steps {
            m.registerMigration(step.name) { db in try db.execute(sql: step.sqlite) }
        }
        return m
    }

    /// SQLite's schema text as PostgreSQL's: identity keys, BIGINT, BYTEA, and
    /// byte-order ("C") collation so that ids, timestamps and keys sort as they do in SQLite.
    static func postgresSQL(_ sqlite: String) -> String {
        var s = sqlite.replacingOccurrences(of: "INTEGER PRIMARY KEY AUTOINCREMENT", with: "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
        s = s.replacingOccurrences(of: #"\bINTEGER\b"#, with: "BIGINT", options: .regularExpression)
        s = s.replacingOccurrences(of: #"\bBLOB\b"#, with: "BYTEA", options: .regularExpression)
        s = s.replacingOccurrences(of: #"\bTEXT\b"#, with: "TEXT COLLATE \"C\"", options: .regularExpression)
        return s
    }
}
