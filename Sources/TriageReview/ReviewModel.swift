import Foundation
import TriageCore
import TriageStore

/// Where an item stands with the caseworkers.
public enum ReviewStatus: String, Sendable, Codable, Equatable {
    /// Only the classifier has decided.
    case unreviewed
    /// A caseworker accepted the decision.
    case accepted
    /// A caseworker replaced the decision.
    case overridden
}

/// One item as the review screen and the scriptable forms see it: the
/// correspondence, its effective decision, and who made that decision.
public struct ReviewItem: Sendable, Equatable {
    /// SHA-256 of the raw bytes (the store's item id).
    public var id: String
    /// Order of ingestion.
    public var seq: Int64
    /// The item's date (Date header, letter or form date), else when it was ingested.
    public var receivedAt: Date
    public var correspondence: Correspondence
    /// The effective decision.
    public var decision: Decision
    /// `classifier` or `caseworker:NAME`.
    public var madeBy: String
    public var madeAt: Date
    /// The caseworker's reason for an override.
    public var reason: String?
    /// The caseworker's note on an acceptance.
    public var note: String?
    /// A later automatic decision that differs from the caseworker's (never applied).
    public var disagreement: Decision?
    /// The store's id of the effective decision, when the backend has one: an
    /// action names it, and is refused if another writer changed it since.
    public var decisionID: Int64?

    /// Creates an item.
    public init(id: String, seq: Int64, receivedAt: Date, correspondence: Correspondence, decision: Decision,
                madeBy: String, madeAt: Date, reason: String? = nil, note: String? = nil, disagreement: Decision? = nil,
                decisionID: Int64? = nil) {
        self.decisionID = decisionID
        self.id = id
        self.seq = seq
        self.receivedAt = receivedAt
        self.correspondence = correspondence
        self.decision = decision
        self.madeBy = madeBy
        self.madeAt = madeAt
        self.reason = reason
        self.note = note
        self.disagreement = disagreement
    }

    /// Accepted, overridden, or not yet seen by a caseworker.
    public var status: ReviewStatus {
        guard madeBy.hasPrefix("caseworker:") else { return .unreviewed }
        return reason != nil ? .overridden : .accepted
    }

    /// The caseworker who made the effective decision, if one did.
    public var caseworker: String? {
        madeBy.hasPrefix("caseworker:") ? String(madeBy.dropFirst("caseworker:".count)) : nil
    }

    /// True when the item belongs in the queue: nobody has reviewed it, or the
    /// rules now disagree with the caseworker's decision.
    public var needsReview: Bool { status == .unreviewed || disagreement != nil }

    /// The first 12 hex digits of the id (enough to name it on the command line).
    public var shortID: String { String(id.prefix(12)) }
}

/// Which items a queue holds.
public struct ReviewFilter: Sendable, Equatable {
    /// Only items whose effective outcome is this.
    public var outcome: Outcome?
    /// Only items whose effective handler is this.
    public var handler: String?
    /// Only items decided under this force profile.
    public var force: String?
    /// Only items received on or after this time.
    public var since: Date?
    /// Only items received before this time.
    public var until: Date?
    /// Include items a caseworker has already decided (they come last).
    public var includeReviewed: Bool

    /// Creates a filter; with no arguments it selects every item that needs review.
    public init(outcome: Outcome? = nil, handler: String? = nil, force: String? = nil, since: Date? = nil,
                until: Date? = nil, includeReviewed: Bool = false) {
        self.outcome = outcome
        self.handler = handler
        self.force = force
        self.since = since
        self.until = until
        self.includeReviewed = includeReviewed
    }

    /// True when the item passes the filter.
    public func admits(_ item: ReviewItem) -> Bool {
        if let outcome, item.decision.outcome != outcome { return false }
        if let handler, item.decision.handler != handler { return false }
        if let force, item.decision.force != force { return false }
        if let since, item.receivedAt < since { return false }
        if let until, item.receivedAt >= until { return false }
        if !includeReviewed && !item.needsReview { return false }
        return true
    }
}

/// The order of the review queue.
public enum ReviewQueue {
    /// Filters and orders items: `needs_caseworker` first, then the other
    /// items that need review, then (when included) items already reviewed;
    /// within each group by date received, then by order of ingestion.
    /// - Parameters:
    ///   - items: every candidate item.
    ///   - filter: which to keep.
    /// - Returns: the queue.
    public static func order(_ items: [ReviewItem], filter: ReviewFilter) -> [ReviewItem] {
        func group(_ i: ReviewItem) -> Int {
            if !i.needsReview { return 2 }
            return i.decision.outcome == .needsCaseworker ? 0 : 1
        }
        return items.filter(filter.admits).sorted { a, b in
            let ga = group(a), gb = group(b)
            if ga != gb { return ga < gb }
            if a.receivedAt != b.receivedAt { return a.receivedAt < b.receivedAt }
            return a.seq < b.seq
        }
    }
}

/// One caseworker action, for statistics (the store's ``CaseworkerAction``).
public typealias ReviewActionRecord = CaseworkerAction

/// Accept and override rates (the store's ``OverrideRates``: one way of counting).
public typealias ReviewStats = OverrideRates

/// What the review needs from storage. Every action is committed before the
/// call returns.
public protocol ReviewBackend: Sendable {
    /// Every stored item with its effective decision (unfiltered, any order).
    func allItems() throws -> [ReviewItem]
    /// One item by id or unique id prefix; nil when there is none.
    func item(_ id: String) throws -> ReviewItem?
    /// Records that `actor` accepts the item's effective decision.
    /// - Returns: the item afterwards.
    /// `expecting`: the effective decision the caseworker saw; nothing is
    /// written when another writer changed it since (``ReviewError`` with the fresh state).
    func accept(_ id: String, note: String?, actor: String, expecting: Int64?) throws -> ReviewItem
    /// Records that `actor` replaces the item's decision with `outcome` and
    /// `handler` (and, for `not_recorded`, the contract's `reasons`; and a new
    /// `kind` or `subject` when given), for `reason`.
    /// - Returns: the item afterwards.
    func override(_ id: String, outcome: Outcome, handler: String, kind: ItemKind?, subject: SubjectRole?,
                  reasons: [NotRecordedReason]?, reason: String, actor: String, expecting: Int64?) throws -> ReviewItem
    /// Caseworker actions made in `[since, until)`, oldest first.
    func actions(since: Date?, until: Date?) throws -> [ReviewActionRecord]
}

/// A problem a caseworker or a script can fix (unknown item, a code not in the
/// profile's lists, a missing reason).
public struct ReviewError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    /// Creates an error with this message.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The outcomes and handlers a caseworker may pick for one force.
public struct OverrideChoices: Sendable, Equatable {
    /// One choice: a code (a contract word, or a handler id) and what it means.
    public struct Option<Code: Sendable & Equatable & CustomStringConvertible>: Sendable, Equatable {
        /// The code stored in the decision.
        public var code: Code
        /// What it means, for the screen.
        public var label: String
    }
    /// The force profile the lists come from.
    public var force: String
    /// The profile's `outcomes`, in its order.
    public var outcomes: [Option<Outcome>]
    /// The profile's handlers, sorted by id.
    public var handlers: [Option<String>]
    /// Why an item is not recorded (the contract's `reasons`), for a `not_recorded` override.
    public var reasons: [Option<NotRecordedReason>]
    /// Whom it is about (the contract's subjects), to correct what the rules read.
    public var subjects: [Option<SubjectRole>]

    /// The lists from a force profile: its `outcomes` (the contract's outcomes
    /// when the profile has none) and its `handlers`, sorted by id. Loading the
    /// rules refuses a profile outcome outside the contract, so none is dropped here.
    public init(profile: ForceProfile) {
        force = profile.id
        let codes = profile.outcomes?.compactMap(Outcome.init(rawValue:)) ?? [.routed, .recorded, .notRecorded, .needsCaseworker]
        outcomes = codes.map { Option(code: $0, label: Self.outcomeLabels[$0] ?? $0.rawValue) }
        handlers = profile.handlers.keys.sorted().map { Option(code: $0, label: profile.handlers[$0]?.name ?? $0) }
        reasons = Self.reasonLabels.map { Option(code: $0.0, label: $0.1) }
        subjects = Self.subjectLabels.map { Option(code: $0.0, label: $0.1) }
    }

    static let subjectLabels: [(SubjectRole, String)] = [
        (.officerOrStaff, "a police officer or member of police staff"),
        (.force, "the force in general"),
        (.chiefConstable, "the Chief Constable"),
        (.chiefConstableDelegated, "the Chief Constable, for a decision made under delegation"),
        (.pcc, "the Police and Crime Commissioner"),
        (.dpcc, "the Deputy Commissioner"),
        (.opccChiefExecutive, "the OPCC's Chief Executive"),
        (.opccStaff, "a member of OPCC staff"),
        (.notPolice, "not the police (a council, another body, a person)"),
        (.unknown, "unknown"),
    ]

    static let reasonLabels: [(NotRecordedReason, String)] = [
        (.notAComplaint, "not a complaint about the police"),
        (.anonymous, "anonymous, where that bars it (001 §4.2; 000)"),
        (.repetitious, "the same matter again, nothing new (001 §7.1)"),
        (.vexatious, "vexatious, oppressive or an abuse (001 §7.1)"),
        (.solelyReviewOutcome, "solely about a review outcome: final (001 §6.3)"),
        (.differenceOfOpinion, "PCC/DPCC: a difference of opinion (001 §4.4)"),
        (.noStanding, "no standing (e.g. an officer about a colleague)"),
    ]

    /// Checks reasons for an override: required (and only allowed) for `not_recorded`.
    /// - Throws: ``ReviewError`` naming the allowed reasons.
    public func validate(outcome: Outcome, reasons: [NotRecordedReason]) throws {
        if outcome != .notRecorded {
            guard reasons.isEmpty else { throw ReviewError("--because applies only to the outcome not_recorded") }
            return
        }
        guard !reasons.isEmpty else {
            throw ReviewError("an override to not_recorded needs why: pass --because REASON (one of \(self.reasons.map(\.code.rawValue).joined(separator: ", ")))")
        }
        for r in reasons where !self.reasons.contains(where: { $0.code == r }) {
            throw ReviewError("unknown reason '\(r)': choose one of \(self.reasons.map(\.code.rawValue).joined(separator: ", "))")
        }
    }

    static let outcomeLabels: [Outcome: String] = [
        .routed: "passed to the body that handles it",
        .recorded: "recorded as a complaint by the OPCC",
        .notRecorded: "not recorded",
        .needsCaseworker: "leave for a caseworker",
    ]

    /// Checks an outcome and a handler against the lists.
    /// - Throws: ``ReviewError`` naming the allowed codes.
    public func validate(outcome: Outcome, handler: String) throws {
        guard outcomes.contains(where: { $0.code == outcome }) else {
            throw ReviewError("unknown outcome '\(outcome)' for \(force): choose one of \(outcomes.map(\.code.rawValue).joined(separator: ", "))")
        }
        guard handlers.contains(where: { $0.code == handler }) else {
            throw ReviewError("unknown handler '\(handler)' for \(force): choose one of \(handlers.map(\.code).joined(separator: ", "))")
        }
    }
}

/// The review's operations over a backend and the force profiles: what the
/// screen and the scriptable commands both call.
public struct ReviewService: Sendable {
    /// The storage every action is committed to.
    public let backend: any ReviewBackend
    /// Force profiles by id.
    public let profiles: [String: ForceProfile]

    /// Creates a service.
    /// - Parameters:
    ///   - backend: the storage.
    ///   - profiles: the force profiles of the rule set.
    public init(backend: any ReviewBackend, profiles: [ForceProfile]) {
        self.backend = backend
        var byID: [String: ForceProfile] = [:]
        for p in profiles { byID[p.id] = p }
        self.profiles = byID
    }

    /// The review queue (see ``ReviewQueue/order(_:filter:)``).
    public func queue(_ filter: ReviewFilter = ReviewFilter()) throws -> [ReviewItem] {
        ReviewQueue.order(try backend.allItems(), filter: filter)
    }

    /// One item, or an error naming the id.
    public func item(_ id: String) throws -> ReviewItem {
        guard let item = try backend.item(id) else { throw ReviewError("no item \(id)") }
        return item
    }

    /// The override lists for an item's force.
    /// - Throws: ``ReviewError`` when the rules have no such profile.
    public func choices(forForce force: String) throws -> OverrideChoices {
        guard let p = profiles[force] else {
            throw ReviewError("no force profile '\(force)' in the rules (known: \(profiles.keys.sorted().joined(separator: ", ")))")
        }
        return OverrideChoices(profile: p)
    }

    /// Accepts an item's effective decision, committed and audited at once.
    /// A `needs_caseworker` decision cannot be accepted: it must be overridden.
    /// - Parameters:
    ///   - id: the item id or a unique prefix.
    ///   - note: an optional remark.
    ///   - actor: the caseworker.
    ///   - shown: the item as the caseworker saw it; if its effective decision
    ///     has changed since (another caseworker, a reclassification), nothing
    ///     is written.
    /// - Returns: the item afterwards.
    /// - Throws: ``ReviewError`` for an unknown item, a `needs_caseworker`
    ///   decision, a changed decision or an empty actor; storage errors.
    public func accept(_ id: String, note: String?, actor: String, shown: ReviewItem? = nil) throws -> ReviewItem {
        let name = actor.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw ReviewError("no caseworker name: pass --as NAME") }
        let item = try item(id)
        try Self.checkUnchanged(item, since: shown)
        guard item.decision.outcome != .needsCaseworker else {
            throw ReviewError("item \(item.shortID) needs a caseworker's decision, which cannot be accepted as it stands: override it with an outcome and a handler")
        }
        let trimmed = note?.trimmingCharacters(in: .whitespacesAndNewlines)
        return try backend.accept(item.id, note: (trimmed?.isEmpty ?? true) ? nil : trimmed, actor: name,
                                  expecting: shown?.decisionID ?? item.decisionID)
    }

    /// Overrides an item's decision after checking the outcome and handler
    /// against its force profile's lists; committed and audited at once.
    /// - Parameters:
    ///   - reasons: why not recorded (the contract's words); required for
    ///     `not_recorded` unless the item is already `not_recorded` with reasons
    ///     (they are kept), refused for other outcomes.
    ///   - kind: a new kind (the contract's words), when the rules got it wrong.
    ///   - subject: a new subject (the contract's words), when the rules got it wrong.
    ///   - reason: the caseworker's own words (required).
    /// - Throws: ``ReviewError`` for an unknown item, a code not in the lists,
    ///   an empty reason or actor; storage errors.
    ///   - shown: the item as the caseworker saw it; if its effective decision
    ///     has changed since, nothing is written.
    public func override(_ id: String, outcome: Outcome, handler: String, kind: ItemKind? = nil, subject: SubjectRole? = nil,
                         reasons: [NotRecordedReason]? = nil, reason: String,
                         actor: String, shown: ReviewItem? = nil) throws -> ReviewItem {
        let name = actor.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw ReviewError("no caseworker name: pass --as NAME") }
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty else { throw ReviewError("an override needs a reason: pass --reason \"…\"") }
        let item = try item(id)
        try Self.checkUnchanged(item, since: shown)
        let lists = try choices(forForce: item.decision.force)
        try lists.validate(outcome: outcome, handler: handler)
        var because = reasons ?? []
        if because.isEmpty, outcome == .notRecorded, item.decision.outcome == .notRecorded { because = item.decision.reasons }
        try lists.validate(outcome: outcome, reasons: because)
        return try backend.override(item.id, outcome: outcome, handler: handler, kind: kind, subject: subject,
                                    reasons: because, reason: why, actor: name, expecting: shown?.decisionID ?? item.decisionID)
    }

    /// Throws when the effective decision is no longer the one shown.
    static func checkUnchanged(_ now: ReviewItem, since shown: ReviewItem?) throws {
        guard let shown else { return }
        if now.madeBy != shown.madeBy || now.madeAt != shown.madeAt || now.decision.outcome != shown.decision.outcome
            || now.decision.handler != shown.decision.handler || now.disagreement != shown.disagreement {
            let who = now.caseworker.map { "by \($0)" } ?? "by the rules"
            throw ReviewError("the decision changed while you were looking (now \(now.decision.outcome) → \(now.decision.handler), \(who)): nothing saved; look again")
        }
    }

    /// The draft paragraph for the complainant (see ``ReviewLetter``).
    public func letter(_ id: String) throws -> String {
        let item = try item(id)
        guard let profile = profiles[item.decision.force] else {
            throw ReviewError("no force profile '\(item.decision.force)' in the rules")
        }
        return ReviewLetter.paragraph(for: item, profile: profile)
    }

    /// Accept and override rates over a period (see ``ReviewStats``).
    public func stats(since: Date?, until: Date?) throws -> ReviewStats {
        ReviewStats(actions: try backend.actions(since: since, until: until), since: since, until: until)
    }
}

/// The scriptable listing of a queue.
public enum ReviewListing {
    /// One item as a JSON object (one line), for `triage review list --format json`.
    public static func json(_ item: ReviewItem) throws -> String {
        struct Brief: Encodable {
            var outcome: Outcome
            var handler: String
            var kind: ItemKind
            var subject: SubjectRole
        }
        struct SenderOut: Encodable {
            var name: String?
            var address: String?
        }
        struct Out: Encodable {
            var id: String
            var seq: Int64
            var received: Date
            var channel: String
            var sender: SenderOut?
            var subject: String?
            var force: String
            var kind: ItemKind
            var outcome: Outcome
            var handler: String
            var reasons: [NotRecordedReason]
            var flags: [DecisionFlag]
            var rules: [String]
            var status: String
            var caseworker: String?
            var decided_at: Date
            var reason: String?
            var note: String?
            var disagreement: Brief?
            var explanation: String
            var caseworker_notes: [String]
        }
        let d = item.decision
        let out = Out(id: item.id, seq: item.seq, received: item.receivedAt, channel: item.correspondence.channel.rawValue,
                      sender: item.correspondence.sender.map { SenderOut(name: $0.name, address: $0.address) },
                      subject: item.correspondence.subject, force: d.force, kind: d.kind, outcome: d.outcome, handler: d.handler,
                      reasons: d.reasons, flags: d.flags, rules: d.rules, status: item.status.rawValue, caseworker: item.caseworker,
                      decided_at: item.madeAt, reason: item.reason, note: item.note,
                      disagreement: item.disagreement.map { Brief(outcome: $0.outcome, handler: $0.handler, kind: $0.kind, subject: $0.subject) },
                      explanation: d.explanation, caseworker_notes: d.caseworkerNotes)
        return try StableJSON.line(out)
    }

    /// The queue as a text table (one line per item, a header first).
    public static func text(_ items: [ReviewItem]) -> String {
        guard !items.isEmpty else { return "Nothing to review." }
        var lines = ["id            received          channel   outcome → handler                 status       subject"]
        for i in items {
            let route = "\(i.decision.outcome) → \(i.decision.handler)"
            var status = i.status.rawValue
            if i.disagreement != nil { status += "!" }
            let subject = TerminalSafe.inline((i.correspondence.subject ?? "").replacingOccurrences(of: "\n", with: " "))
            lines.append(i.shortID + "  " + pad(ReviewStatsDate.minute(i.receivedAt), 16) + "  " + pad(i.correspondence.channel.rawValue, 8)
                         + "  " + pad(route, 32) + "  " + pad(status, 11) + "  " + String(subject.prefix(60)))
        }
        let note = items.contains { $0.disagreement != nil } ? " (! = the rules now disagree with a caseworker's decision)" : ""
        lines.append("\(items.count) item\(items.count == 1 ? "" : "s")\(note)")
        return lines.joined(separator: "\n")
    }

    static func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
}

enum ReviewStatsDate {
    static func minute(_ d: Date) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: 0) ?? cal.timeZone
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute], from: d)
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }
}
