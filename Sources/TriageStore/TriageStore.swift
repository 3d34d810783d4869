// Module TriageStore: the store, embedded in one SQLite file (GRDB, WAL; the
// default) or on a PostgreSQL server (postgres-nio, through TriagePostgres) for
// a team on several machines. The logic below is written once against SQL.swift;
// SQLiteBackend.swift and PostgresBackend.swift carry each database's part.
//
// Why GRDB.swift 7: it builds on Linux with Swift 6 (checked), wraps the system
// SQLite with a small, well-kept API (DatabasePool = one writer + concurrent
// readers in WAL mode, named migrations, busy timeouts, IMMEDIATE write
// transactions), and keeps SQL visible. Cross-process safety is SQLite's own
// locking; the tests run a second process (python3's sqlite3, and this test
// binary re-run as a child) against the same file, and SIGKILL a child mid-ingest.
//
// Tables: items (raw bytes, sha256 id), decisions (every one ever), effective_decisions,
// complainants / complainant_keys / complainant_merges, quarantine, poller_state,
// audit_log (hash-chained, append-only by trigger) and meta (the audit head).
import Foundation
import GRDB
import TriageCore

/// The store: raw items, every decision, the effective decision,
/// complainants, quarantine, poller state and a hash-chained audit log, in one
/// SQLite file in WAL mode or in a PostgreSQL database. Safe to share between
/// threads and between processes: writers are serialised (SQLite's writer
/// lock, or PostgreSQL's transaction-scoped advisory lock) and wait for each other.
public final class Store: Sendable {
    let database: any StoreDatabase
    /// The database file, or the PostgreSQL server as `postgres://user@host:port/db` (never with a password).
    public let path: String

    /// Which database holds the store.
    public enum Backend: String, Sendable {
        case sqlite
        case postgres
    }

    /// Which database holds this store.
    public var backend: Backend { database.dialect == .sqlite ? .sqlite : .postgres }

    init(database: any StoreDatabase, path: String) {
        self.database = database
        self.path = path
    }

    /// Opens (creating if needed) the store at `path` and runs its migrations.
    /// - Parameters:
    ///   - path: the SQLite file.
    ///   - busyTimeout: how long a writer waits for another (seconds).
    /// - Throws: when the file cannot be opened or migrated.
    ///   - fsyncEveryCommit: make every commit reach the disk (SQLite's
    ///     `synchronous = FULL`) before it returns, not only at checkpoints; for
    ///     a service that acknowledges what it stored (`triage serve`).
    public init(path: String, busyTimeout: TimeInterval = 30, fsyncEveryCommit: Bool = false) throws {
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.foreignKeysEnabled = true
        config.label = "TriageStore"
        self.path = path
        let pool = try Self.openMigrated(path: path, configuration: config)
        self.database = SQLiteStoreDatabase(pool: pool)
        if fsyncEveryCommit {
            // Per connection; a pool has one writer, which keeps it for its life.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        }
    }

    /// The writer's `PRAGMA synchronous` (1 = NORMAL, 2 = FULL); PostgreSQL:
    /// 2 when `synchronous_commit` is on (a commit is on disk when it returns).
    public func writerSynchronousMode() throws -> Int {
        if let sqlite = database as? SQLiteStoreDatabase {
            return try sqlite.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
        }
        return try database.read { db in try String.fetchOne(db, sql: "SHOW synchronous_commit") == "off" ? 1 : 2 }
    }

    /// The names of the migrations applied, in order.
    public func appliedMigrations() throws -> [String] {
        try database.appliedMigrations()
    }

    // MARK: - Ingest

    /// Ingests one raw item in ONE transaction: returns the stored item if these
    /// bytes are already stored (idempotent); else parses it (on error the bytes
    /// go to quarantine with the problem, audited), resolves the complainant,
    /// computes history facts from the complainant's earlier items, classifies,
    /// and stores the item, the decision and audit entries.
    /// - Parameters:
    ///   - raw: the bytes and where they came from.
    ///   - actor: who ingests (`triage`, `poller`), for the audit log.
    ///   - now: the time of ingest (and the item's date when it has none).
    ///   - thresholds: the force profile's history thresholds.
    ///   - parse: reads the bytes; throw ``IngestError`` to quarantine.
    ///   - classify: decides, given the item and its history facts.
    ///   - alsoInTransaction: more work committed atomically with the item
    ///     (e.g. the poller's "UID n done"); runs for stored, duplicate and
    ///     quarantined items alike. If it throws, nothing is stored.
    /// - Returns: what happened, with the item and its effective decision.
    /// - Throws: SQLite errors, or an error thrown by `classify` or `alsoInTransaction`.
    public func ingest(
        _ raw: RawItem, actor: String = "triage", now: Date = Date(), thresholds: HistoryThresholds = .defaults,
        parse: (RawItem) throws -> Correspondence,
        classify: (Correspondence, [HistoryFact]) throws -> Decision,
        alsoInTransaction: ((StoreTransaction) throws -> Void)? = nil
    ) throws -> IngestResult {
        let sha = Hash.hex(raw.bytes)
        return try database.write { db in
            let tx = StoreTransaction(db: db, now: now)
            if let existing = try Self.fetchItem(db, id: sha) {
                try alsoInTransaction?(tx)
                return IngestResult(status: .duplicate, itemID: sha, item: existing,
                                    decision: try Self.fetchEffective(db, itemID: sha), historyFacts: [], quarantine: nil)
            }
            let earlierQuarantine = try Self.fetchQuarantine(db, sha: sha)
            let correspondence: Correspondence
            do {
                correspondence = try parse(raw)
            } catch {
                let problem = (error as? IngestError)?.problem ?? String(describing: error)
                if let q = earlierQuarantine {
                    try alsoInTransaction?(tx)
                    return IngestResult(status: .alreadyQuarantined, itemID: sha, item: nil, decision: nil, historyFacts: [], quarantine: q)
                }
                let q = try Self.insertQuarantine(db, raw, sha: sha, problem: problem, now: now, actor: actor)
                try alsoInTransaction?(tx)
                return IngestResult(status: .quarantined, itemID: sha, item: nil, decision: nil, historyFacts: [], quarantine: q)
            }

            let received = correspondence.date?.value ?? now
            let keys = ComplainantIdentity.keys(for: correspondence)
            let complainant = try Self.resolveComplainant(db, keys: keys, itemID: sha,
                                                          displayName: ComplainantIdentity.displayName(for: correspondence),
                                                          now: now, actor: actor)
            var facts: [HistoryFact] = []
            if let complainant {
                let earlier = try Self.priorItems(db, complainant: complainant, before: received)
                facts = HistoryAnalyzer(thresholds: thresholds).facts(for: correspondence, received: received, earlier: earlier)
            }
            let decision = try classify(correspondence, facts)

            let seq = (try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) + 1 FROM items")) ?? 1
            try db.execute(sql: """
                INSERT INTO items (id, seq, raw, size, source, "offset", locator, format, received_at, ingested_at, subject, complainant_id, correspondence)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [sha, seq, Data(raw.bytes), raw.bytes.count, raw.source, raw.offset, raw.locator,
                                 correspondence.provenance.format, Stamp.string(received), Stamp.string(now),
                                 correspondence.subject, complainant, try StableJSON.line(correspondence)])
            if let q = earlierQuarantine {
                try db.execute(sql: "UPDATE quarantine SET resolved_at = ?, resolved_item = ? WHERE id = ?",
                               arguments: [Stamp.string(now), sha, q.id])
            }
            try Audit.append(db, at: now, actor: actor, action: "item.ingested", itemID: sha, payload: [
                "source": .string(raw.source), "label": .string(raw.label), "size": .int(Int64(raw.bytes.count)),
                "format": .string(correspondence.provenance.format), "complainant": complainant.map { .int($0) } ?? .null,
                "identity_keys": .strings(keys.map(\.key)), "was_quarantined": .bool(earlierQuarantine != nil),
            ])
            let decisionID = try Self.insertDecision(db, itemID: sha, decision: decision, madeBy: "classifier", at: now, reason: nil, note: nil)
            try db.execute(sql: "INSERT INTO effective_decisions (item_id, decision_id) VALUES (?, ?)", arguments: [sha, decisionID])
            try Audit.append(db, at: now, actor: actor, action: "decision.classified", itemID: sha, payload: [
                "decision_id": .int(decisionID), "decision_sha256": try AuditBindings.digest(db, decisionID: decisionID), "ruleset_version": .string(decision.rulesetVersion),
                "kind": .string(decision.kind.rawValue), "subject": .string(decision.subject.rawValue), "outcome": .string(decision.outcome.rawValue),
                "handler": .string(decision.handler), "reasons": .strings(decision.reasons.map(\.rawValue)),
                "history_facts": .array(facts.map(\.json)),
            ])
            try alsoInTransaction?(tx)
            return IngestResult(status: .stored, itemID: sha, item: try Self.fetchItem(db, id: sha),
                                decision: try Self.fetchEffective(db, itemID: sha), historyFacts: facts, quarantine: nil)
        }
    }

    /// Puts an item that could not be read into quarantine (idempotent on its bytes), audited.
    /// - Parameters:
    ///   - raw: the bytes and where they came from.
    ///   - problem: what is wrong with it.
    ///   - actor: who, for the audit log.
    ///   - alsoInTransaction: more work committed atomically with it.
    /// - Returns: the quarantine record (the earlier one when the bytes were already there).
    @discardableResult
    public func quarantine(_ raw: RawItem, problem: String, actor: String = "triage", now: Date = Date(),
                           alsoInTransaction: ((StoreTransaction) throws -> Void)? = nil) throws -> QuarantineRecord {
        let sha = Hash.hex(raw.bytes)
        return try database.write { db in
            let q: QuarantineRecord
            if let existing = try Self.fetchQuarantine(db, sha: sha) {
                q = existing
            } else {
                q = try Self.insertQuarantine(db, raw, sha: sha, problem: problem, now: now, actor: actor)
            }
            try alsoInTransaction?(StoreTransaction(db: db, now: now))
            return q
        }
    }

    // MARK: - Decisions by caseworkers and reclassification

    /// Records a caseworker's override: a new decision with the given outcome
    /// and route becomes the effective one. Audit-logged with who and why.
    /// - Parameters:
    ///   - itemID: the item (full id or a unique prefix).
    ///   - actor: the caseworker's name.
    ///   - outcome, handler: the new outcome and handler.
    ///   - kind, subject, reasons, flags: replacements, when given.
    ///   - reason: why (required).
    ///   - expecting: the effective decision the caseworker saw; when another
    ///     writer changed it since, nothing is written (checked inside the transaction).
    /// - Returns: the new effective decision.
    /// - Throws: ``StoreError`` for an unknown item or an empty reason/actor;
    ///   ``StoreConflict`` with the fresh state when `expecting` is no longer effective.
    @discardableResult
    public func recordOverride(itemID: String, actor: String, outcome: Outcome, handler: String, kind: ItemKind? = nil,
                               subject: SubjectRole? = nil, reasons: [NotRecordedReason]? = nil, flags: [DecisionFlag]? = nil,
                               reason: String, expecting: Int64? = nil, now: Date = Date()) throws -> EffectiveDecision {
        let name = actor.trimmingCharacters(in: .whitespacesAndNewlines)
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw StoreError("an override needs the caseworker's name") }
        guard !why.isEmpty else { throw StoreError("an override needs a reason") }
        return try database.write { db in
            let id = try Self.resolveItemID(db, itemID)
            guard let current = try Self.fetchEffective(db, itemID: id) else { throw StoreError("item \(itemID) has no decision") }
            try StoreConflict.check(item: id, current: current, expecting: expecting)
            var d = current.decision.decision
            let from: JSONValue = ["outcome": .string(d.outcome.rawValue), "handler": .string(d.handler), "kind": .string(d.kind.rawValue), "subject": .string(d.subject.rawValue)]
            d.outcome = outcome
            d.handler = handler
            if let kind { d.kind = kind }
            if let subject { d.subject = subject }
            if let reasons { d.reasons = reasons } else if outcome != .notRecorded { d.reasons = [] }
            if let flags { d.flags = flags }
            d.caseworkerNotes = []
            d.decidedBy = DecisionRowReference(row: "caseworker_override", cites: "caseworker:\(name)")
            d.explanation = "Caseworker \(name) decided: \(why)"
            let decisionID = try Self.insertDecision(db, itemID: id, decision: d, madeBy: "caseworker:\(name)", at: now, reason: why, note: nil)
            try Self.setEffective(db, itemID: id, decisionID: decisionID, disagreementID: nil)
            try Audit.append(db, at: now, actor: "caseworker:\(name)", action: "decision.override", itemID: id, payload: [
                "decision_id": .int(decisionID), "decision_sha256": try AuditBindings.digest(db, decisionID: decisionID), "replaces": .int(current.decision.id), "reason": .string(why), "from": from,
                "to": ["outcome": .string(d.outcome.rawValue), "handler": .string(d.handler), "kind": .string(d.kind.rawValue), "subject": .string(d.subject.rawValue)],
            ])
            guard let e = try Self.fetchEffective(db, itemID: id) else { throw StoreError("item \(id) lost its decision") }
            return e
        }
    }

    /// Records a caseworker's acceptance of the effective decision: it is stored
    /// again as the caseworker's own (so later automatic decisions do not replace it).
    /// - Parameters:
    ///   - itemID: the item (full id or a unique prefix).
    ///   - actor: the caseworker's name.
    ///   - note: an optional remark.
    ///   - expecting: the effective decision the caseworker saw; when another
    ///     writer changed it since, nothing is written (checked inside the transaction).
    /// - Returns: the new effective decision.
    /// - Throws: ``StoreConflict`` with the fresh state when `expecting` is no longer effective.
    @discardableResult
    public func recordAcceptance(itemID: String, actor: String, note: String? = nil, expecting: Int64? = nil,
                                 now: Date = Date()) throws -> EffectiveDecision {
        let name = actor.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw StoreError("an acceptance needs the caseworker's name") }
        return try database.write { db in
            let id = try Self.resolveItemID(db, itemID)
            guard let current = try Self.fetchEffective(db, itemID: id) else { throw StoreError("item \(itemID) has no decision") }
            try StoreConflict.check(item: id, current: current, expecting: expecting)
            let decisionID = try Self.insertDecision(db, itemID: id, decision: current.decision.decision, madeBy: "caseworker:\(name)",
                                                     at: now, reason: nil, note: note)
            try Self.setEffective(db, itemID: id, decisionID: decisionID, disagreementID: nil)
            try Audit.append(db, at: now, actor: "caseworker:\(name)", action: "decision.accept", itemID: id, payload: [
                "decision_id": .int(decisionID), "decision_sha256": try AuditBindings.digest(db, decisionID: decisionID), "accepts": .int(current.decision.id), "note": .optional(note),
                "outcome": .string(current.decision.decision.outcome.rawValue), "handler": .string(current.decision.decision.handler),
            ])
            guard let e = try Self.fetchEffective(db, itemID: id) else { throw StoreError("item \(id) lost its decision") }
            return e
        }
    }

    /// Records a new automatic decision for a stored item (reclassification
    /// with the current rules). It becomes effective unless a caseworker decided;
    /// then it is stored and reported as a disagreement when it differs.
    /// A decision identical to the latest classifier decision is not stored again.
    /// - Returns: what was stored and whether the effective decision changed.
    @discardableResult
    public func recordReclassification(itemID: String, decision: Decision, actor: String = "triage", now: Date = Date()) throws -> ReclassificationResult {
        try database.write { db in
            let id = try Self.resolveItemID(db, itemID)
            guard let current = try Self.fetchEffective(db, itemID: id) else { throw StoreError("item \(itemID) has no decision") }
            let json = try StableJSON.line(decision)
            let latest = try String.fetchOne(db, sql: "SELECT decision FROM decisions WHERE item_id = ? AND made_by = 'classifier' ORDER BY id DESC LIMIT 1", arguments: [id])
            if latest == json {
                return ReclassificationResult(stored: nil, effective: current, changedEffective: false,
                                              disagrees: current.decision.isCaseworker && Self.differs(current.decision.decision, decision))
            }
            let decisionID = try Self.insertDecision(db, itemID: id, decision: decision, madeBy: "classifier", at: now, reason: nil, note: nil)
            let changed: Bool, disagrees: Bool
            if current.decision.isCaseworker {
                disagrees = Self.differs(current.decision.decision, decision)
                changed = false
                try Self.setEffective(db, itemID: id, decisionID: current.decision.id, disagreementID: disagrees ? decisionID : nil)
            } else {
                disagrees = false
                changed = Self.differs(current.decision.decision, decision)
                try Self.setEffective(db, itemID: id, decisionID: decisionID, disagreementID: nil)
            }
            try Audit.append(db, at: now, actor: actor, action: "decision.reclassified", itemID: id, payload: [
                "decision_id": .int(decisionID), "decision_sha256": try AuditBindings.digest(db, decisionID: decisionID), "ruleset_version": .string(decision.rulesetVersion),
                "changed_effective": .bool(changed), "disagrees_with_caseworker": .bool(disagrees),
                "from": ["outcome": .string(current.decision.decision.outcome.rawValue), "handler": .string(current.decision.decision.handler)],
                "to": ["outcome": .string(decision.outcome.rawValue), "handler": .string(decision.handler)],
            ])
            let stored = try Self.fetchDecision(db, id: decisionID)
            guard let e = try Self.fetchEffective(db, itemID: id) else { throw StoreError("item \(id) lost its decision") }
            return ReclassificationResult(stored: stored, effective: e, changedEffective: changed, disagrees: disagrees)
        }
    }

    static func differs(_ a: Decision, _ b: Decision) -> Bool {
        a.outcome != b.outcome || a.handler != b.handler || a.kind != b.kind || a.subject != b.subject || Set(a.reasons) != Set(b.reasons)
    }

    // MARK: - Queries

    /// The full id of the item with this id or unique id prefix (at least 6 hex digits), if any.
    public func resolveItemID(_ idOrPrefix: String) throws -> String? {
        try database.read { db in try? Self.resolveItemID(db, idOrPrefix) }
    }

    /// One stored item by id or unique prefix.
    public func item(id: String) throws -> StoredItem? {
        try database.read { db in
            guard let full = try? Self.resolveItemID(db, id) else { return nil }
            return try Self.fetchItem(db, id: full)
        }
    }

    /// Stored items in ingest order, from sequence number `after` (exclusive).
    public func items(after seq: Int64 = 0, limit: Int = 1000) throws -> [StoredItem] {
        try database.read { db in
            try SQLRow.fetchAll(db, sql: "SELECT * FROM items WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [seq, limit]).map(Self.item(from:))
        }
    }

    /// Every decision ever made for an item, oldest first.
    public func decisions(for itemID: String) throws -> [StoredDecision] {
        try database.read { db in
            guard let id = try? Self.resolveItemID(db, itemID) else { return [] }
            return try SQLRow.fetchAll(db, sql: "SELECT * FROM decisions WHERE item_id = ? ORDER BY id", arguments: [id]).map(Self.decision(from:))
        }
    }

    /// The decision that counts for an item (a caseworker's beats the classifier's).
    public func effectiveDecision(for itemID: String) throws -> EffectiveDecision? {
        try database.read { db in
            guard let id = try? Self.resolveItemID(db, itemID) else { return nil }
            return try Self.fetchEffective(db, itemID: id)
        }
    }

    /// A complainant by id (following merges to the surviving record).
    public func complainant(id: Int64) throws -> Complainant? {
        try database.read { db in try Self.fetchComplainant(db, id: Self.survivor(db, id)) }
    }

    /// Finds a complainant by id, email address, phone number or item id.
    public func findComplainant(_ query: String) throws -> Int64? {
        let q = query.trimmingCharacters(in: .whitespacesAndNewlines)
        return try database.read { db in
            if let n = Int64(q), try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM complainants WHERE id = ?)", arguments: [n]) == true {
                return try Self.survivor(db, n)
            }
            var keys: [String] = []
            if let e = ComplainantIdentity.normaliseEmail(q) { keys.append(IdentityKey(kind: "email", value: e).key) }
            if let p = ComplainantIdentity.normalisePhone(q) { keys.append(IdentityKey(kind: "phone", value: p).key) }
            keys.append(q)
            for k in keys {
                if let id = try Int64.fetchOne(db, sql: "SELECT complainant_id FROM complainant_keys WHERE key = ?", arguments: [k]) {
                    return try Self.survivor(db, id)
                }
            }
            if let item = try? Self.resolveItemID(db, q),
               let id = try Int64.fetchOne(db, sql: "SELECT complainant_id FROM items WHERE id = ?", arguments: [item]) {
                return try Self.survivor(db, id)
            }
            return nil
        }
    }

    /// One person's items in date order with their effective decisions, and the merges that formed the record.
    public func history(complainant id: Int64) throws -> ComplainantHistory? {
        try database.read { db in
            let sid = try Self.survivor(db, id)
            guard let c = try Self.fetchComplainant(db, id: sid) else { return nil }
            let items = try SQLRow.fetchAll(db, sql: "SELECT * FROM items WHERE complainant_id = ? ORDER BY received_at, seq", arguments: [sid]).map(Self.item(from:))
            let entries = try items.map { HistoryEntry(item: $0, decision: try Self.fetchEffective(db, itemID: $0.id)) }
            let merges = try SQLRow.fetchAll(db, sql: "SELECT * FROM complainant_merges WHERE survivor_id = ? OR merged_id = ? ORDER BY id", arguments: [sid, sid]).map(Self.merge(from:))
            return ComplainantHistory(complainant: c, items: entries, merges: merges)
        }
    }

    /// Every complainant merge, oldest first, with its explanation.
    public func merges() throws -> [ComplainantMerge] {
        try database.read { db in try SQLRow.fetchAll(db, sql: "SELECT * FROM complainant_merges ORDER BY id").map(Self.merge(from:)) }
    }

    /// Quarantined items, oldest first (resolved ones included, with `resolvedItem`).
    public func quarantined() throws -> [QuarantineRecord] {
        try database.read { db in try SQLRow.fetchAll(db, sql: "SELECT * FROM quarantine ORDER BY id").map(Self.quarantine(from:)) }
    }

    /// Row counts.
    public func counts() throws -> StoreCounts {
        try database.read { db in
            func count(_ t: String, _ w: String = "") throws -> Int { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(t) \(w)") ?? 0 }
            return StoreCounts(items: try count("items"), decisions: try count("decisions"),
                               quarantined: try count("quarantine", "WHERE resolved_item IS NULL"),
                               complainants: try count("complainants", "WHERE merged_into IS NULL"),
                               auditEntries: try count("audit_log"))
        }
    }

    /// SQLite's `PRAGMA integrity_check` (`["ok"]` when the file is sound);
    /// PostgreSQL keeps its own pages sound (`["ok"]` when the store answers).
    public func integrityCheck() throws -> [String] {
        try database.read { db in
            db.dialect == .sqlite ? try String.fetchAll(db, sql: "PRAGMA integrity_check") : (try Int.fetchOne(db, sql: "SELECT 1") == 1 ? ["ok"] : ["no answer"])
        }
    }

    // MARK: - Intake keys (`triage serve`)

    /// The item a web form post's intake key (its Idempotency-Key, or the hash
    /// of its bytes) was stored as, if any.
    public func intakeItem(key: String) throws -> String? {
        try database.read { db in try StoreTransaction.intakeItem(db, key: key) }
    }

    // MARK: - Poller state

    /// The poller's state for one mailbox (key → value, e.g. `uidvalidity`, `last_uid`).
    public func pollerState(mailbox: String) throws -> [String: String] {
        try database.read { db in try StoreTransaction.pollerState(db, mailbox: mailbox) }
    }

    /// Sets keys of a mailbox's poller state (outside an ingest).
    public func setPollerState(mailbox: String, values: [String: String], now: Date = Date()) throws {
        try database.write { db in
            let tx = StoreTransaction(db: db, now: now)
            for (k, v) in values { try tx.setPollerState(mailbox: mailbox, key: k, value: v) }
        }
    }

    // MARK: - Audit

    /// Every audit entry, in order.
    public func auditEntries(item: String? = nil) throws -> [AuditEntry] {
        try database.read { db in
            if let item {
                return try SQLRow.fetchAll(db, sql: "SELECT * FROM audit_log WHERE item_id = ? ORDER BY seq", arguments: [item]).map(Audit.entry(from:))
            }
            return try SQLRow.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY seq").map(Audit.entry(from:))
        }
    }

    /// Walks the audit chain and reports the first changed, missing or reordered entry.
    public func verifyAudit() throws -> AuditVerification {
        try database.read { db in try Audit.verify(db) }
    }

    /// Appends an entry to the audit log (for actions the store does not log itself).
    public func appendAudit(actor: String, action: String, itemID: String? = nil, payload: [String: JSONValue] = [:], now: Date = Date()) throws {
        try database.write { db in try Audit.append(db, at: now, actor: actor, action: action, itemID: itemID, payload: payload) }
    }
}

/// Work done inside the store's write transaction (see ``Store/ingest(_:actor:now:thresholds:parse:classify:alsoInTransaction:)``).
/// Valid only during the call it is given to.
public final class StoreTransaction {
    let db: any SQLDatabase
    let now: Date

    init(db: any SQLDatabase, now: Date) {
        self.db = db
        self.now = now
    }

    /// The poller's state for one mailbox, as of this transaction.
    public func pollerState(mailbox: String) throws -> [String: String] {
        try Self.pollerState(db, mailbox: mailbox)
    }

    /// Sets one key of a mailbox's poller state, committed with the transaction.
    public func setPollerState(mailbox: String, key: String, value: String) throws {
        try db.execute(sql: """
            INSERT INTO poller_state (mailbox, key, value, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT(mailbox, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """, arguments: [mailbox, key, value, Stamp.string(now)])
    }

    /// Appends an audit entry, committed with the transaction.
    public func audit(actor: String, action: String, itemID: String? = nil, payload: [String: JSONValue] = [:]) throws {
        try Audit.append(db, at: now, actor: actor, action: action, itemID: itemID, payload: payload)
    }

    /// Ties an intake key to a stored item, committed with the transaction.
    /// - Returns: the item the key already belongs to when that is another
    ///   item (the caller should then abandon this transaction); nil when the
    ///   key now names `itemID`, or when `itemID` is not a stored item
    ///   (quarantined bytes claim no key, so a corrected retry is stored).
    public func claimIntakeKey(_ key: String, itemID: String) throws -> String? {
        if let owner = try Self.intakeItem(db, key: key) { return owner == itemID ? nil : owner }
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM items WHERE id = ?)", arguments: [itemID]) == true else { return nil }
        try db.execute(sql: "INSERT INTO intake_keys (key, item_id, at) VALUES (?, ?, ?)", arguments: [key, itemID, Stamp.string(now)])
        return nil
    }

    static func intakeItem(_ db: any SQLDatabase, key: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT item_id FROM intake_keys WHERE key = ?", arguments: [key])
    }

    static func pollerState(_ db: any SQLDatabase, mailbox: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for row in try SQLRow.fetchAll(db, sql: "SELECT key, value FROM poller_state WHERE mailbox = ?", arguments: [mailbox]) {
            out[row["key"]] = row["value"]
        }
        return out
    }
}
