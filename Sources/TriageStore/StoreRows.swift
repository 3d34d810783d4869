import Foundation
import TriageCore

// Row-level helpers, all run inside a read or write of the store.
extension Store {
    static func date(_ row: SQLRow, _ column: String) -> Date {
        let s: String? = row[column]
        return s.flatMap(Stamp.date) ?? Date(timeIntervalSince1970: 0)
    }

    static func item(from row: SQLRow) throws -> StoredItem {
        let json: String = row["correspondence"]
        let correspondence = try StableJSON.decoder().decode(Correspondence.self, from: Data(json.utf8))
        let raw: Data = row["raw"]
        return StoredItem(
            id: row["id"], seq: row["seq"], raw: [UInt8](raw), source: row["source"], offset: row["offset"],
            locator: row["locator"], format: row["format"], receivedAt: date(row, "received_at"),
            ingestedAt: date(row, "ingested_at"), subject: row["subject"], complainantID: row["complainant_id"],
            correspondence: correspondence)
    }

    static func decision(from row: SQLRow) throws -> StoredDecision {
        let json: String = row["decision"]
        let id: Int64 = row["id"], itemID: String = row["item_id"]
        let d = try storedDecision(json, what: "decision #\(id) of item \(itemID)")
        return StoredDecision(id: id, itemID: itemID, rulesetVersion: row["ruleset_version"],
                              madeAt: date(row, "made_at"), madeBy: row["made_by"], decision: d,
                              reason: row["reason"], note: row["note"])
    }

    /// Reads a decision's stored JSON. A word outside the decision contract (an
    /// old row, a hand edit) is not guessed at or dropped: the read fails with a
    /// ``StoreError`` naming the decision, the word and the words allowed, and the
    /// row is left as it is for someone to correct.
    /// - Parameter what: the decision and its item, for the message.
    /// - Throws: ``StoreError``.
    static func storedDecision(_ json: String, what: String) throws -> Decision {
        do {
            return try StableJSON.decoder().decode(Decision.self, from: Data(json.utf8))
        } catch DecodingError.dataCorrupted(let context) {
            let at = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            throw StoreError("\(what) cannot be read: \(context.debugDescription)\(at.isEmpty ? "" : " (at \(at))")")
        } catch let error as DecodingError {
            throw StoreError("\(what) cannot be read: \(error)")
        }
    }

    static func quarantine(from row: SQLRow) -> QuarantineRecord {
        let raw: Data = row["raw"]
        return QuarantineRecord(id: row["id"], sha256: row["sha256"], raw: [UInt8](raw), source: row["source"],
                                label: row["label"], problem: row["problem"], at: date(row, "at"), resolvedItem: row["resolved_item"])
    }

    static func merge(from row: SQLRow) -> ComplainantMerge {
        let keys: String = row["keys"]
        return ComplainantMerge(survivor: row["survivor_id"], merged: row["merged_id"], itemID: row["item_id"],
                                keys: keys.split(separator: "\n").compactMap { IdentityKey(key: String($0)) },
                                explanation: row["explanation"], at: date(row, "at"))
    }

    static func fetchItem(_ db: any SQLDatabase, id: String) throws -> StoredItem? {
        try SQLRow.fetchOne(db, sql: "SELECT * FROM items WHERE id = ?", arguments: [id]).map(item(from:))
    }

    static func fetchDecision(_ db: any SQLDatabase, id: Int64) throws -> StoredDecision? {
        try SQLRow.fetchOne(db, sql: "SELECT * FROM decisions WHERE id = ?", arguments: [id]).map(decision(from:))
    }

    static func fetchEffective(_ db: any SQLDatabase, itemID: String) throws -> EffectiveDecision? {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT decision_id, disagreement_id FROM effective_decisions WHERE item_id = ?", arguments: [itemID]),
              let d = try fetchDecision(db, id: row["decision_id"]) else { return nil }
        let dis: Int64? = row["disagreement_id"]
        return EffectiveDecision(decision: d, disagreement: try dis.flatMap { try fetchDecision(db, id: $0) })
    }

    static func fetchQuarantine(_ db: any SQLDatabase, sha: String) throws -> QuarantineRecord? {
        try SQLRow.fetchOne(db, sql: "SELECT * FROM quarantine WHERE sha256 = ?", arguments: [sha]).map(quarantine(from:))
    }

    static func insertQuarantine(_ db: any SQLDatabase, _ raw: RawItem, sha: String, problem: String, now: Date, actor: String) throws -> QuarantineRecord {
        try db.execute(sql: "INSERT INTO quarantine (sha256, raw, source, label, problem, at) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [sha, Data(raw.bytes), raw.source, raw.label, problem, Stamp.string(now)])
        try Audit.append(db, at: now, actor: actor, action: "item.quarantined", itemID: sha, payload: [
            "source": .string(raw.source), "label": .string(raw.label), "size": .int(Int64(raw.bytes.count)), "problem": .string(problem),
        ])
        guard let q = try fetchQuarantine(db, sha: sha) else { throw StoreError("quarantine insert for \(raw.label) not found") }
        return q
    }

    static func insertDecision(_ db: any SQLDatabase, itemID: String, decision d: Decision, madeBy: String, at: Date, reason: String?, note: String?) throws -> Int64 {
        try db.insertReturningID(sql: """
            INSERT INTO decisions (item_id, ruleset_version, made_at, made_by, kind, subject, outcome, handler, decision, reason, note)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [itemID, d.rulesetVersion, Stamp.string(at), madeBy, d.kind.rawValue, d.subject.rawValue, d.outcome.rawValue, d.handler,
                             try StableJSON.line(d), reason, note])
    }

    static func setEffective(_ db: any SQLDatabase, itemID: String, decisionID: Int64, disagreementID: Int64?) throws {
        try db.execute(sql: """
            INSERT INTO effective_decisions (item_id, decision_id, disagreement_id) VALUES (?, ?, ?)
            ON CONFLICT(item_id) DO UPDATE SET decision_id = excluded.decision_id, disagreement_id = excluded.disagreement_id
            """, arguments: [itemID, decisionID, disagreementID])
    }

    /// The full id for an id or a unique prefix of at least 6 characters.
    static func resolveItemID(_ db: any SQLDatabase, _ idOrPrefix: String) throws -> String {
        let q = idOrPrefix.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM items WHERE id = ?)", arguments: [q]) == true { return q }
        guard q.count >= 6, q.allSatisfy(\.isHexDigit) else { throw StoreError("no item \(idOrPrefix)") }
        let found = try String.fetchAll(db, sql: "SELECT id FROM items WHERE id >= ? AND id < ? LIMIT 2", arguments: [q, q + "g"])
        guard found.count == 1, let id = found.first else {
            throw StoreError(found.isEmpty ? "no item \(idOrPrefix)" : "item id prefix \(idOrPrefix) is ambiguous")
        }
        return id
    }

    // MARK: Complainants

    /// Follows `merged_into` to the surviving record.
    static func survivor(_ db: any SQLDatabase, _ id: Int64) throws -> Int64 {
        var current = id
        for _ in 0..<64 {
            guard let next = try Int64.fetchOne(db, sql: "SELECT merged_into FROM complainants WHERE id = ?", arguments: [current]) else { return current }
            current = next
        }
        return current
    }

    static func fetchComplainant(_ db: any SQLDatabase, id: Int64) throws -> Complainant? {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT * FROM complainants WHERE id = ?", arguments: [id]) else { return nil }
        let keys = try String.fetchAll(db, sql: "SELECT key FROM complainant_keys WHERE complainant_id = ? ORDER BY added_at, key", arguments: [id])
        return Complainant(id: row["id"], displayName: row["display_name"], createdAt: date(row, "created_at"),
                           keys: keys.compactMap { IdentityKey(key: $0) }, mergedInto: row["merged_into"])
    }

    /// Finds (or creates) the complainant for an item's identity keys, merging
    /// records that the item shows to be one person, with the explanation stored.
    static func resolveComplainant(_ db: any SQLDatabase, keys: [IdentityKey], itemID: String, displayName: String?, now: Date, actor: String) throws -> Int64? {
        guard !keys.isEmpty else { return nil }
        var owners: [(IdentityKey, Int64)] = []
        for k in keys {
            if let id = try Int64.fetchOne(db, sql: "SELECT complainant_id FROM complainant_keys WHERE key = ?", arguments: [k.key]) {
                owners.append((k, try survivor(db, id)))
            }
        }
        let distinct = Array(Set(owners.map(\.1))).sorted()
        let chosen: Int64
        if let first = distinct.first {
            chosen = first
            for other in distinct.dropFirst() {
                let mine = owners.filter { $0.1 == chosen }.map(\.0), theirs = owners.filter { $0.1 == other }.map(\.0)
                let explanation = "item \(itemID.prefix(12)) carries \(mine.map(\.key).joined(separator: ", ")) of complainant \(chosen)"
                    + " and \(theirs.map(\.key).joined(separator: ", ")) of complainant \(other): the same person;"
                    + " complainant \(other) merged into \(chosen)"
                try db.execute(sql: "UPDATE complainant_keys SET complainant_id = ? WHERE complainant_id = ?", arguments: [chosen, other])
                try db.execute(sql: "UPDATE items SET complainant_id = ? WHERE complainant_id = ?", arguments: [chosen, other])
                try db.execute(sql: "UPDATE complainants SET merged_into = ? WHERE id = ? OR merged_into = ?", arguments: [chosen, other, other])
                try db.execute(sql: "INSERT INTO complainant_merges (survivor_id, merged_id, item_id, keys, explanation, at) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [chosen, other, itemID, (mine + theirs).map(\.key).joined(separator: "\n"), explanation, Stamp.string(now)])
                try Audit.append(db, at: now, actor: actor, action: "complainant.merged", itemID: itemID, payload: [
                    "survivor": .int(chosen), "merged": .int(other), "keys": .strings((mine + theirs).map(\.key)), "explanation": .string(explanation),
                ])
            }
        } else {
            chosen = try db.insertReturningID(sql: "INSERT INTO complainants (display_name, created_at) VALUES (?, ?)",
                                              arguments: [displayName, Stamp.string(now)])
            try Audit.append(db, at: now, actor: actor, action: "complainant.created", itemID: itemID, payload: [
                "complainant": .int(chosen), "keys": .strings(keys.map(\.key)),
            ])
        }
        let known = Set(owners.map(\.0))
        for k in keys where !known.contains(k) {
            try db.execute(sql: "INSERT INTO complainant_keys (key, kind, complainant_id, first_item, added_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                           arguments: [k.key, k.kind, chosen, itemID, Stamp.string(now)])
        }
        return chosen
    }

    /// The complainant's items dated at or before `before`, with their effective decisions.
    static func priorItems(_ db: any SQLDatabase, complainant: Int64, before: Date) throws -> [PriorItem] {
        // One statement with each item's effective decision (a round trip per item costs on a server).
        let rows = try SQLRow.fetchAll(db, sql: """
            SELECT i.*, d.decision AS effective_decision, d.made_by AS effective_made_by
            FROM items i
            LEFT JOIN effective_decisions e ON e.item_id = i.id
            LEFT JOIN decisions d ON d.id = e.decision_id
            WHERE i.complainant_id = ? AND i.received_at <= ? ORDER BY i.received_at, i.seq
            """, arguments: [complainant, Stamp.string(before)])
        return try rows.map { row in
            let it = try item(from: row)
            let json: String? = row["effective_decision"]
            let decision = try json.map { try storedDecision($0, what: "the effective decision of item \(it.id)") }
            let madeBy: String? = row["effective_made_by"]
            let final = (madeBy?.hasPrefix("caseworker:") ?? false) || (decision?.reasons.contains(.solelyReviewOutcome) ?? false)
            return PriorItem(id: it.id, received: it.receivedAt, correspondence: it.correspondence, decision: decision, isFinal: final)
        }
    }
}

/// The hash-chained, append-only audit log.
enum Audit {
    /// The canonical content hashed for an entry (a JSON array of its fields).
    static func canonical(seq: Int64, at: String, actor: String, action: String, itemID: String?, payload: String) -> String {
        JSONValue.array([.int(seq), .string(at), .string(actor), .string(action), .optional(itemID), .string(payload)]).line
    }

    static func hash(prev: String, canonical: String) -> String {
        Hash.hex(prev + "\n" + canonical)
    }

    static func append(_ db: any SQLDatabase, at: Date, actor: String, action: String, itemID: String?, payload: [String: JSONValue]) throws {
        let last = try SQLRow.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        let seq: Int64 = (last?["seq"] as Int64? ?? 0) + 1
        let prev: String = last?["hash"] ?? Hash.genesis
        let stamp = Stamp.string(at)
        let body = JSONValue.object(payload).line
        let h = hash(prev: prev, canonical: canonical(seq: seq, at: stamp, actor: actor, action: action, itemID: itemID, payload: body))
        try db.execute(sql: "INSERT INTO audit_log (seq, at, actor, action, item_id, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       arguments: [seq, stamp, actor, action, itemID, body, prev, h])
        try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('audit_head', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                       arguments: ["\(seq) \(h)"])
    }

    static func entry(from row: SQLRow) -> AuditEntry {
        AuditEntry(seq: row["seq"], at: row["at"], actor: row["actor"], action: row["action"], itemID: row["item_id"],
                   payload: row["payload"], prevHash: row["prev_hash"], hash: row["hash"])
    }

    static func verify(_ db: any SQLDatabase) throws -> AuditVerification {
        var expectedSeq: Int64 = 1
        var prev = Hash.genesis
        var count = 0
        let cursor = try SQLRow.fetchCursor(db, sql: "SELECT * FROM audit_log ORDER BY seq")
        while let row = try cursor.next() {
            let e = entry(from: row)
            if e.seq != expectedSeq {
                return AuditVerification(ok: false, entries: count, firstBrokenSeq: expectedSeq,
                                         problem: "entry \(expectedSeq) is missing (the next entry is \(e.seq))")
            }
            if e.prevHash != prev {
                return AuditVerification(ok: false, entries: count, firstBrokenSeq: e.seq,
                                         problem: "entry \(e.seq) does not follow the entry before it (an entry was deleted, reordered or its link changed)")
            }
            let h = hash(prev: e.prevHash, canonical: canonical(seq: e.seq, at: e.at, actor: e.actor, action: e.action, itemID: e.itemID, payload: e.payload))
            if h != e.hash {
                return AuditVerification(ok: false, entries: count, firstBrokenSeq: e.seq, problem: "entry \(e.seq) was changed (its hash does not match its content)")
            }
            prev = e.hash
            expectedSeq += 1
            count += 1
        }
        if let head = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'audit_head'") {
            let parts = head.split(separator: " ")
            if parts.count == 2, let headSeq = Int64(parts[0]) {
                if headSeq > expectedSeq - 1 {
                    return AuditVerification(ok: false, entries: count, firstBrokenSeq: expectedSeq,
                                             problem: "entries \(expectedSeq)…\(headSeq) are missing from the end of the log")
                }
                if headSeq == expectedSeq - 1 && String(parts[1]) != prev {
                    return AuditVerification(ok: false, entries: count, firstBrokenSeq: headSeq, problem: "entry \(headSeq) is not the recorded head of the log")
                }
            }
        }
        if let broken = try AuditBindings.check(db) {
            return AuditVerification(ok: false, entries: count, firstBrokenSeq: broken.seq, problem: broken.problem)
        }
        return AuditVerification(ok: true, entries: count, firstBrokenSeq: nil, problem: nil)
    }
}
