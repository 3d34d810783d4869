import Foundation
import TriageCore

// The query layer the reports and `triage review stats` share: one way of
// reading what was decided and what caseworkers did. Everything that counts
// reads these records; nothing counts from raw SQL of its own.

/// One caseworker action (an acceptance or an override): the decision that
/// was accepted or replaced, and the one that resulted.
public struct CaseworkerAction: Sendable, Equatable {
    /// Accepted as it stood, or replaced.
    public enum Kind: String, Sendable, Codable { case accept, override }
    public var kind: Kind
    public var itemID: String
    /// When it was done.
    public var at: Date
    /// The caseworker.
    public var actor: String
    /// The decision that was accepted or replaced.
    public var before: Decision
    /// The decision that resulted.
    public var after: Decision

    /// Creates a record.
    public init(kind: Kind, itemID: String, at: Date, actor: String, before: Decision, after: Decision) {
        self.kind = kind
        self.itemID = itemID
        self.at = at
        self.actor = actor
        self.before = before
        self.after = after
    }
}

/// A summary of an item that a caseworker approved for publication.
public struct PublishedSummary: Sendable, Equatable, Codable {
    public var itemID: String
    /// The approved text, exactly as approved.
    public var summary: String
    /// The caseworker who approved it.
    public var approvedBy: String
    public var approvedAt: Date
}

/// An item with its effective decision, as the reports count it. It carries
/// no correspondence: no sender, no text, nothing personal but the decision's
/// own evidence (which reports that publish must not print).
public struct DecidedItem: Sendable, Equatable {
    public var itemID: String
    /// The item's date (Date header, letter or form date, else ingest time).
    public var receivedAt: Date
    /// `email`, `web_form` or `letter`.
    public var channel: String
    /// The effective decision (a caseworker's beats the classifier's).
    public var decision: Decision
    /// `classifier` or `caseworker:NAME`: who made the effective decision.
    public var decidedBy: String
    /// When a caseworker first accepted or overrode the item's decision, if ever.
    public var firstCaseworkerDecisionAt: Date?
    /// The summary approved for publication, if any.
    public var publishedSummary: PublishedSummary?
}

extension Store {
    /// Caseworker actions made in `[since, until)`, oldest first, read from the
    /// audit log (`decision.accept`, `decision.override`) with the decisions
    /// they accepted or replaced.
    /// - Parameters:
    ///   - since: from this time (inclusive); nil is open.
    ///   - until: to this time (exclusive); nil is open.
    public func caseworkerActions(since: Date? = nil, until: Date? = nil) throws -> [CaseworkerAction] {
        try database.read { db in
            var sql = "SELECT * FROM audit_log WHERE action IN ('decision.accept', 'decision.override')"
            var args: [(any SQLValueConvertible)?] = []
            if let since { sql += " AND at >= ?"; args.append(Stamp.string(since)) }
            if let until { sql += " AND at < ?"; args.append(Stamp.string(until)) }
            sql += " ORDER BY seq"
            var out: [CaseworkerAction] = []
            for row in try SQLRow.fetchAll(db, sql: sql, arguments: SQLArguments(args)) {
                let entry = Audit.entry(from: row)
                let kind: CaseworkerAction.Kind = entry.action == "decision.accept" ? .accept : .override
                guard let itemID = entry.itemID, let at = Stamp.date(entry.at),
                      let payload = try? JSONSerialization.jsonObject(with: Data(entry.payload.utf8)) as? [String: Any],
                      let newID = (payload["decision_id"] as? NSNumber)?.int64Value,
                      let oldID = (payload[kind == .accept ? "accepts" : "replaces"] as? NSNumber)?.int64Value,
                      let before = try Self.fetchDecision(db, id: oldID), let after = try Self.fetchDecision(db, id: newID)
                else { continue }
                let actor = entry.actor.hasPrefix("caseworker:") ? String(entry.actor.dropFirst("caseworker:".count)) : entry.actor
                out.append(CaseworkerAction(kind: kind, itemID: itemID, at: at, actor: actor, before: before.decision, after: after.decision))
            }
            return out
        }
    }

    /// Items received in `[from, until)` with their effective decisions, in
    /// date order.
    /// - Parameters:
    ///   - from: received at or after this time; nil is open.
    ///   - until: received before this time; nil is open.
    ///   - force: only decisions made under this force profile, when given.
    public func decidedItems(receivedFrom from: Date? = nil, until: Date? = nil, force: String? = nil) throws -> [DecidedItem] {
        try database.read { db in
            var sql = """
                SELECT i.id, i.received_at, \(db.dialect.jsonText("i.correspondence", "channel")) AS channel,
                       d.decision, d.made_by,
                       (SELECT MIN(c.made_at) FROM decisions c WHERE c.item_id = i.id AND c.made_by LIKE 'caseworker:%') AS first_caseworker,
                       p.summary, p.approved_by, p.approved_at
                FROM items i
                JOIN effective_decisions e ON e.item_id = i.id
                JOIN decisions d ON d.id = e.decision_id
                LEFT JOIN published_summaries p ON p.item_id = i.id
                WHERE TRUE
                """
            var args: [(any SQLValueConvertible)?] = []
            if let from { sql += " AND i.received_at >= ?"; args.append(Stamp.string(from)) }
            if let until { sql += " AND i.received_at < ?"; args.append(Stamp.string(until)) }
            sql += " ORDER BY i.received_at, i.seq"
            var out: [DecidedItem] = []
            for row in try SQLRow.fetchAll(db, sql: sql, arguments: SQLArguments(args)) {
                let json: String = row["decision"]
                let id: String = row["id"]
                let decision = try Self.storedDecision(json, what: "the effective decision of item \(id)")
                if let force, decision.force != force { continue }
                let first: String? = row["first_caseworker"]
                var summary: PublishedSummary?
                if let text: String = row["summary"] {
                    summary = PublishedSummary(itemID: id, summary: text, approvedBy: row["approved_by"], approvedAt: Self.date(row, "approved_at"))
                }
                out.append(DecidedItem(itemID: id, receivedAt: Self.date(row, "received_at"), channel: row["channel"] ?? "unknown",
                                       decision: decision, decidedBy: row["made_by"],
                                       firstCaseworkerDecisionAt: first.flatMap(Stamp.date), publishedSummary: summary))
            }
            return out
        }
    }

    // MARK: - Summaries approved for publication

    /// Approves a summary of an item for publication (replacing an earlier
    /// one), audit-logged with the text, who and when. The text is refused when
    /// it carries personal data the store can see: the sender's name, email,
    /// phone, postcode or address, or any email address, phone number or
    /// postcode at all.
    /// - Parameters:
    ///   - itemID: the item (full id or a unique prefix).
    ///   - summary: the text to publish.
    ///   - actor: the caseworker's name.
    /// - Returns: the stored summary.
    /// - Throws: ``StoreError`` for an unknown item, an empty text or name, or personal data in the text.
    @discardableResult
    public func approveSummary(itemID: String, summary: String, actor: String, now: Date = Date()) throws -> PublishedSummary {
        let name = actor.trimmingCharacters(in: .whitespacesAndNewlines)
        let text = summary.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw StoreError("approving a summary needs the caseworker's name") }
        guard !text.isEmpty else { throw StoreError("the summary is empty") }
        return try database.write { db in
            let id = try Self.resolveItemID(db, itemID)
            guard let item = try Self.fetchItem(db, id: id) else { throw StoreError("no item \(itemID)") }
            let found = PersonalData.findings(in: text, sender: item.correspondence)
            guard found.isEmpty else {
                throw StoreError("summary for item \(id.prefix(12)) not approved: it contains \(found.joined(separator: ", ")); publish no personal data")
            }
            let previous = try String.fetchOne(db, sql: "SELECT summary FROM published_summaries WHERE item_id = ?", arguments: [id])
            try db.execute(sql: """
                INSERT INTO published_summaries (item_id, summary, approved_by, approved_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(item_id) DO UPDATE SET summary = excluded.summary, approved_by = excluded.approved_by, approved_at = excluded.approved_at
                """, arguments: [id, text, name, Stamp.string(now)])
            try Audit.append(db, at: now, actor: "caseworker:\(name)", action: "summary.approved", itemID: id, payload: [
                "summary": .string(text), "replaces": .optional(previous),
            ])
            return PublishedSummary(itemID: id, summary: text, approvedBy: name, approvedAt: now)
        }
    }

    /// Withdraws an item's published summary, audit-logged.
    /// - Returns: false when the item had none.
    @discardableResult
    public func withdrawSummary(itemID: String, actor: String, now: Date = Date()) throws -> Bool {
        let name = actor.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw StoreError("withdrawing a summary needs the caseworker's name") }
        return try database.write { db in
            let id = try Self.resolveItemID(db, itemID)
            guard let previous = try String.fetchOne(db, sql: "SELECT summary FROM published_summaries WHERE item_id = ?", arguments: [id]) else {
                return false
            }
            try db.execute(sql: "DELETE FROM published_summaries WHERE item_id = ?", arguments: [id])
            try Audit.append(db, at: now, actor: "caseworker:\(name)", action: "summary.withdrawn", itemID: id, payload: [
                "summary": .string(previous),
            ])
            return true
        }
    }

    /// The summary approved for an item, if any.
    public func publishedSummary(for itemID: String) throws -> PublishedSummary? {
        try database.read { db in
            guard let id = try? Self.resolveItemID(db, itemID),
                  let row = try SQLRow.fetchOne(db, sql: "SELECT * FROM published_summaries WHERE item_id = ?", arguments: [id]) else { return nil }
            return PublishedSummary(itemID: id, summary: row["summary"], approvedBy: row["approved_by"], approvedAt: Self.date(row, "approved_at"))
        }
    }
}

/// Finds personal data in text meant for publication.
public enum PersonalData {
    static let emailPattern = try? NSRegularExpression(pattern: #"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"#)
    static let phonePattern = try? NSRegularExpression(pattern: #"(?:\+?\d[\d\s().-]{7,}\d)"#)

    /// What personal data the text contains, in words (empty when none): any
    /// email address, phone number (9+ digits) or UK postcode, and the
    /// sender's name (or any word of it of 3+ letters), email, phone or first
    /// address line.
    /// - Parameters:
    ///   - text: the text to check.
    ///   - sender: the item whose sender must not appear.
    public static func findings(in text: String, sender c: Correspondence?) -> [String] {
        var found: [String] = []
        let ns = text as NSString
        let whole = NSRange(location: 0, length: ns.length)
        if emailPattern?.firstMatch(in: text, range: whole) != nil { found.append("an email address") }
        if let re = phonePattern,
           re.matches(in: text, range: whole).contains(where: { ns.substring(with: $0.range).filter(\.isNumber).count >= 9 }) {
            found.append("a phone number")
        }
        if ComplainantIdentity.postcode(in: text) != nil { found.append("a postcode") }
        guard let c else { return found }
        let words = Set((ComplainantIdentity.normaliseName(text) ?? "").split(separator: " ").map(String.init))
        let names = ([c.sender?.name] + c.formFields.filter { $0.role == "name" }.map(\.value)).compactMap { $0 }
        for n in names {
            let parts = (ComplainantIdentity.normaliseName(n) ?? "").split(separator: " ").map(String.init).filter { $0.count >= 3 }
            if parts.contains(where: words.contains) { found.append("the complainant's name"); break }
        }
        let addresses = ([c.sender?.postalAddress] + c.formFields.filter { $0.role == "address" }.map(\.value)).compactMap { $0 }
        let flat = (ComplainantIdentity.normaliseName(text) ?? "")
        for a in addresses {
            if let line = ComplainantIdentity.firstAddressLine(a), flat.contains(line.filter { $0.isLetter || $0 == " " }.trimmingCharacters(in: .whitespaces)),
               line.contains(where: \.isLetter) {
                found.append("the complainant's address")
                break
            }
        }
        return found
    }
}
