import Foundation

/// What ``Store/copy(from:to:)`` moved and checked.
public struct StoreCopyReport: Sendable, Equatable {
    /// Rows per table, in the order copied (the same in both stores).
    public var tables: [(name: String, rows: Int)]
    /// The audit chain of the copy, verified.
    public var audit: AuditVerification
    /// The sequence number and hash of the last audit entry (the same in both stores).
    public var auditHead: String

    public static func == (a: StoreCopyReport, b: StoreCopyReport) -> Bool {
        a.tables.map(\.name) == b.tables.map(\.name) && a.tables.map(\.rows) == b.tables.map(\.rows)
            && a.audit == b.audit && a.auditHead == b.auditHead
    }
}

extension Store {
    /// The tables a copy moves, parents before children.
    static let copiedTables: [(name: String, order: String)] = [
        ("meta", "key"), ("complainants", "id"), ("complainant_keys", "key"), ("items", "seq"),
        ("complainant_merges", "id"), ("decisions", "id"), ("effective_decisions", "item_id"), ("quarantine", "id"),
        ("poller_state", "mailbox, key"), ("audit_log", "seq"), ("published_summaries", "item_id"), ("intake_keys", "key"),
    ]

    /// Copies every row of one store into another, empty one (e.g. an office's
    /// SQLite file to its PostgreSQL database), keeping every id, so that the
    /// audit log's references and hash chain stay as they were; then checks
    /// that each table has as many rows in both and that the copy's audit
    /// chain verifies and ends at the same head.
    /// The source is read in one snapshot and the destination written in one
    /// transaction: a copy that fails leaves the destination empty.
    /// - Throws: ``StoreError`` when the destination is not empty or a check fails.
    @discardableResult
    public static func copy(from source: Store, to destination: Store) throws -> StoreCopyReport {
        let sourceHead = try source.database.read { db in try Self.auditHead(db) }
        try source.database.read { src in
            try destination.database.write { dst in
                let held = try Int.fetchOne(dst, sql: "SELECT (SELECT COUNT(*) FROM items) + (SELECT COUNT(*) FROM audit_log) + (SELECT COUNT(*) FROM quarantine)") ?? 0
                guard held == 0 else {
                    throw StoreError("the destination \(destination.path) is not empty (\(held) items, quarantined items and audit entries): copy into a new, empty store")
                }
                for (table, order) in copiedTables {
                    try copyRows(table, order: order, from: src, to: dst)
                }
                if dst.dialect == .postgres {
                    // Identity columns continue after the copied ids.
                    for table in ["complainants", "complainant_merges", "decisions", "quarantine"] {
                        try dst.execute(sql: "SELECT setval(pg_get_serial_sequence('\(table)', 'id'), COALESCE((SELECT MAX(id) FROM \(table)), 0) + 1, false)")
                    }
                }
            }
        }
        var tables: [(name: String, rows: Int)] = []
        for (table, _) in copiedTables {
            let from = try source.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
            let to = try destination.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
            guard from == to else { throw StoreError("copy check: \(table) has \(from) rows in \(source.path) but \(to) in \(destination.path)") }
            tables.append((table, to))
        }
        let audit = try destination.verifyAudit()
        guard audit.ok else { throw StoreError("copy check: the copy's audit log does not verify: \(audit.description)") }
        let head = try destination.database.read { db in try Self.auditHead(db) }
        guard head == sourceHead else { throw StoreError("copy check: the copy's audit log ends at \(head), the source's at \(sourceHead)") }
        return StoreCopyReport(tables: tables, audit: audit, auditHead: head)
    }

    /// `SEQ HASH` of the last audit entry, or `0 GENESIS` for an empty log.
    static func auditHead(_ db: any SQLDatabase) throws -> String {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1") else { return "0 \(Hash.genesis)" }
        let seq: Int64 = row["seq"], hash: String = row["hash"]
        return "\(seq) \(hash)"
    }

    /// Copies one table in pages, by its key order, with the same columns and values.
    static func copyRows(_ table: String, order: String, from src: any SQLDatabase, to dst: any SQLDatabase) throws {
        let cursor = try SQLRow.fetchCursor(src, sql: "SELECT * FROM \(table) ORDER BY \(order)")
        if table == "meta" {
            // The destination's migrations may have written meta rows of their own.
            try dst.execute(sql: "DELETE FROM meta")
        }
        while let row = try cursor.next() {
            let columns = row.names.map { "\"\($0)\"" }.joined(separator: ", ")
            let marks = Array(repeating: "?", count: row.names.count).joined(separator: ", ")
            try dst.execute(sql: "INSERT INTO \(table) (\(columns)) VALUES (\(marks))", arguments: SQLArguments(values: row.values))
        }
    }
}
