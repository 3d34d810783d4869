// What binds the audit log to the data it records, and what anchors it
// outside the database.
//
// The hash chain alone (StoreRows.swift, `Audit`) only shows that the rows
// follow each other: anyone who can write the file can edit a row and
// recompute every hash after it, or cut the newest rows and fix the head.
// Two more things close that gap:
//
// - Bindings. Every decision's audit entry carries the SHA-256 of the
//   decision row as stored (`decision_sha256`); every item's id is the
//   SHA-256 of its raw bytes. `verify` checks that each item, decision and
//   effective decision has its audit entry and still hashes to what the entry
//   recorded, so a row changed "under" the log is named.
// - Checkpoints. `triage audit checkpoint` writes the head of the chain
//   (sequence number and hash) with an HMAC-SHA256 under a key kept outside
//   the database, to an append-only file or to standard output for the
//   office's records. `verify` with those lines detects a log that was
//   truncated or recomputed up to any checkpointed entry.
import Crypto
import Foundation

/// One signed head of the audit chain: `triage-audit-checkpoint v1 seq=N head=HEX at=ISO8601 hmac=HEX`.
public struct AuditCheckpoint: Sendable, Equatable {
    /// The sequence number of the last entry covered.
    public var seq: Int64
    /// That entry's hash.
    public var head: String
    /// When the checkpoint was taken (ISO 8601).
    public var at: String
    /// HMAC-SHA256 of the fields above, lower-case hex.
    public var mac: String

    static let prefix = "triage-audit-checkpoint v1"

    /// A checkpoint of `seq`/`head`, signed with `key`.
    public init(seq: Int64, head: String, at: Date, key: [UInt8]) {
        self.seq = seq
        self.head = head
        self.at = Stamp.string(at)
        self.mac = ""
        self.mac = Self.hmac(signed, key: key)
    }

    /// Parses one line; nil when it is not a checkpoint line.
    public init?(line: String) {
        let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix(Self.prefix + " ") else { return nil }
        var fields: [String: String] = [:]
        for part in text.dropFirst(Self.prefix.count + 1).split(separator: " ") {
            guard let eq = part.firstIndex(of: "=") else { return nil }
            fields[String(part[..<eq])] = String(part[part.index(after: eq)...])
        }
        guard let s = fields["seq"], let seq = Int64(s), seq >= 0, let head = fields["head"], head.count == 64,
              let at = fields["at"], let mac = fields["hmac"], mac.count == 64 else { return nil }
        self.seq = seq
        self.head = head
        self.at = at
        self.mac = mac
    }

    /// The line as written to the checkpoint file.
    public var line: String { "\(signed) hmac=\(mac)" }

    /// True when the line was signed with `key`.
    public func isSigned(by key: [UInt8]) -> Bool {
        let expected = Self.hmac(signed, key: key)
        // Constant-time comparison of the two hex strings.
        let a = Array(expected.utf8), b = Array(mac.utf8)
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in a.indices { diff |= a[i] ^ b[i] }
        return diff == 0
    }

    var signed: String { "\(Self.prefix) seq=\(seq) head=\(head) at=\(at)" }

    static func hmac(_ text: String, key: [UInt8]) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: SymmetricKey(data: key))
        return code.map { String(format: "%02x", $0) }.joined()
    }
}

extension Store {
    /// A signed checkpoint of the audit chain's current head. Refuses (throws)
    /// when the log does not verify: a checkpoint must never anchor tampering.
    /// - Parameters:
    ///   - key: the HMAC key, kept outside the database.
    /// - Returns: the checkpoint line.
    public func auditCheckpoint(key: [UInt8], now: Date = Date()) throws -> String {
        guard !key.isEmpty else { throw StoreError("the checkpoint key is empty") }
        return try database.read { db in
            let v = try Audit.verify(db)
            guard v.ok else { throw StoreError("not checkpointing a broken log: \(v.description)") }
            let last = try SQLRow.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            let seq: Int64 = (last?["seq"] as Int64?) ?? 0
            let head: String = (last?["hash"] as String?) ?? Hash.genesis
            return AuditCheckpoint(seq: seq, head: head, at: now, key: key).line
        }
    }

    /// Verifies the chain and its bindings, then each checkpoint line: its
    /// signature under `key`, and that the log still holds its entry with the
    /// same hash (so truncation and recomputation up to it are detected).
    public func verifyAudit(checkpoints: [String], key: [UInt8]) throws -> AuditVerification {
        try database.read { db in
            // The checkpoints first: they say what happened (truncated, rewritten)
            // more plainly than the row-level problem it also causes.
            let v = try Audit.verify(db)
            var checked = 0
            for (n, text) in checkpoints.enumerated() where !text.trimmingCharacters(in: .whitespaces).isEmpty {
                let where_ = "checkpoint line \(n + 1)"
                guard let c = AuditCheckpoint(line: text) else {
                    return v.failing(at: nil, "\(where_) is not a checkpoint line")
                }
                guard c.isSigned(by: key) else {
                    return v.failing(at: c.seq, "\(where_) (\(c.at)): its signature does not match under this key (forged, altered, or the wrong key)")
                }
                if c.seq == 0 { checked += 1; continue }
                guard let hash = try String.fetchOne(db, sql: "SELECT hash FROM audit_log WHERE seq = ?", arguments: [c.seq]) else {
                    let end = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM audit_log") ?? 0
                    return v.failing(at: c.seq, "\(where_) (\(c.at)) covers entries up to \(c.seq), but entries \(end + 1)…\(c.seq) are missing: the log was truncated")
                }
                guard hash == c.head else {
                    return v.failing(at: c.seq, "\(where_) (\(c.at)): entry \(c.seq) no longer has the checkpointed hash: the log was rewritten at or before it")
                }
                checked += 1
            }
            guard v.ok else { return v }
            var ok = v
            ok.checkpoints = checked
            return ok
        }
    }
}

extension AuditVerification {
    func failing(at seq: Int64?, _ problem: String) -> AuditVerification {
        AuditVerification(ok: false, entries: entries, firstBrokenSeq: seq, problem: problem)
    }
}

/// The bindings between the audit log and the rows it records.
enum AuditBindings {
    static let decisionActions: Set<String> = ["decision.classified", "decision.override", "decision.accept", "decision.reclassified"]

    /// SHA-256 of a decision row as stored (every column).
    static func digest(decisionRow r: SQLRow) -> String {
        let fields: [JSONValue] = [
            .int(r["id"]), .string(r["item_id"]), .string(r["ruleset_version"]), .string(r["made_at"]), .string(r["made_by"]),
            .string(r["kind"]), .string(r["subject"]), .string(r["outcome"]), .string(r["handler"]), .string(r["decision"]),
            .optional(r["reason"]), .optional(r["note"]),
        ]
        return Hash.hex(JSONValue.array(fields).line)
    }

    /// The digest of decision `id`, for its audit entry.
    static func digest(_ db: any SQLDatabase, decisionID id: Int64) throws -> JSONValue {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT * FROM decisions WHERE id = ?", arguments: [id]) else {
            throw StoreError("decision \(id) not found for its audit entry")
        }
        return .string(digest(decisionRow: row))
    }

    /// Checks every item, quarantined item, decision and effective decision
    /// against the audit log. Returns the first problem, or nil.
    static func check(_ db: any SQLDatabase) throws -> (seq: Int64?, problem: String)? {
        var ingested = Set<String>(), quarantined = Set<String>()
        var decisionDigests: [Int64: (seq: Int64, digest: String?)] = [:]
        let audit = try SQLRow.fetchCursor(db, sql: "SELECT seq, action, item_id, payload FROM audit_log ORDER BY seq")
        while let row = try audit.next() {
            let action: String = row["action"]
            let item: String? = row["item_id"]
            switch action {
            case "item.ingested": if let item { ingested.insert(item) }
            case "item.quarantined": if let item { quarantined.insert(item) }
            case let a where decisionActions.contains(a):
                let payload: String = row["payload"]
                guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any],
                      let id = (object["decision_id"] as? Int).map(Int64.init) ?? (object["decision_id"] as? NSNumber)?.int64Value
                else { continue }
                decisionDigests[id] = (row["seq"], object["decision_sha256"] as? String)
            default: break
            }
        }

        // Each stored and each quarantined item: its bytes still hash to its id, and the log recorded it.
        for (table, what, action, audited) in [("items", "item", "item.ingested", ingested),
                                               ("quarantine", "quarantined item", "item.quarantined", quarantined)] {
            let idColumn = table == "items" ? "id" : "sha256"
            let rows = try SQLRow.fetchCursor(db, sql: "SELECT \(idColumn) AS id, raw FROM \(table) ORDER BY \(table == "items" ? "seq" : "id")")
            while let row = try rows.next() {
                let id: String = row["id"]
                let raw: Data = row["raw"]
                if Hash.hex([UInt8](raw)) != id {
                    return (nil, "\(what) \(id.prefix(12)): its stored bytes no longer hash to its id (SHA-256): the raw item was altered")
                }
                if !audited.contains(id) {
                    return (nil, "\(what) \(id.prefix(12)) has no \(action) entry in the audit log: it was added outside the store")
                }
            }
        }

        var lastDecision: [String: Int64] = [:], lastCaseworker: [String: Int64] = [:]
        let decisions = try SQLRow.fetchCursor(db, sql: "SELECT * FROM decisions ORDER BY id")
        while let row = try decisions.next() {
            let id: Int64 = row["id"], item: String = row["item_id"], madeBy: String = row["made_by"]
            guard let entry = decisionDigests[id] else {
                return (nil, "decision \(id) (item \(item.prefix(12))) has no audit entry: it was added or changed outside the store")
            }
            if let recorded = entry.digest, recorded != digest(decisionRow: row) {
                return (entry.seq, "decision \(id) (item \(item.prefix(12))) differs from what audit entry \(entry.seq) recorded: it was changed without an audit entry")
            }
            lastDecision[item] = id
            if madeBy.hasPrefix("caseworker:") { lastCaseworker[item] = id }
        }
        let effective = try SQLRow.fetchCursor(db, sql: "SELECT item_id, decision_id FROM effective_decisions")
        var seen = Set<String>()
        while let row = try effective.next() {
            let item: String = row["item_id"], id: Int64 = row["decision_id"]
            seen.insert(item)
            let expected = lastCaseworker[item] ?? lastDecision[item]
            if id != expected {
                return (nil, "item \(item.prefix(12)): its effective decision is \(id), but the audited record makes it \(expected.map(String.init) ?? "none"): it was changed without an audit entry")
            }
        }
        if let missing = lastDecision.keys.sorted().first(where: { !seen.contains($0) }) {
            return (nil, "item \(missing.prefix(12)) has decisions but no effective decision: it was removed without an audit entry")
        }
        return nil
    }
}
