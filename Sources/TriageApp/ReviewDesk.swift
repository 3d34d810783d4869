import Foundation
import TriageCore
import TriageReview
import TriageStore

/// The caseworker's scriptable review actions (`triage review list`,
/// `accept`, `override`, `letter`, `stats`) as a library: each action is
/// saved and audited by ``ReviewService`` at once, and answers with what the
/// command prints, so the commands only parse options and print.
public struct ReviewDesk: Sendable {
    public let service: ReviewService

    /// - Parameters:
    ///   - store: the store holding the items and their decisions.
    ///   - profiles: the force profiles (their outcomes and handlers are the allowed codes).
    public init(store: Store, profiles: [ForceProfile]) {
        service = ReviewService(backend: StoreReviewBackend(store: store), profiles: profiles)
    }

    /// The queue in order: one JSON object per item (with `format_version`), or a text table as one string.
    public func list(_ filter: ReviewFilter = ReviewFilter(), json: Bool) throws -> [String] {
        let items = try service.queue(filter)
        if json { return try items.map { JSONFormat.versioned(try ReviewListing.json($0)) } }
        return [ReviewListing.text(items)]
    }

    /// Accepts an item's decision.
    /// - Returns: the confirmation line (`accepted 3f2a9c1b7d0e: routed → crt (by A. Caseworker)`).
    /// - Throws: ``ReviewError`` (no such item, a decision that must be overridden) or a store error.
    public func accept(_ id: String, note: String?, actor: String) throws -> String {
        let item = try service.accept(id, note: note, actor: actor)
        return "accepted \(item.shortID): \(item.decision.outcome) → \(item.decision.handler) (by \(item.caseworker ?? actor))"
    }

    /// Overrides an item's decision with codes from its force profile's lists and a reason.
    /// - Returns: the confirmation line.
    /// - Throws: ``ReviewError`` naming the code that is not allowed, or a store error.
    public func override(_ id: String, outcome: Outcome, handler: String, kind: ItemKind? = nil, subject: SubjectRole? = nil,
                         because reasons: [NotRecordedReason] = [], reason: String, actor: String) throws -> String {
        let item = try service.override(id, outcome: outcome, handler: handler, kind: kind, subject: subject,
                                        reasons: reasons, reason: reason, actor: actor)
        let d = item.decision
        let why = d.reasons.isEmpty ? "" : " because \(d.reasons.map(\.rawValue).joined(separator: ", "))"
        return "overridden \(item.shortID): now \(d.outcome) → \(d.handler)\(why), \(d.kind) about \(d.subject) (by \(item.caseworker ?? actor))"
    }

    /// The draft reply from the item's effective decision.
    /// - Returns: the letter, and a note for the caseworker when it is only a holding reply or not yet reviewed.
    public func letter(_ id: String) throws -> (text: String, note: String?) {
        let item = try service.item(id)
        var note: String?
        if item.decision.outcome == .needsCaseworker {
            note = "note: \(item.shortID) still needs a caseworker's decision; this is a holding reply."
        } else if item.status == .unreviewed {
            note = "note: \(item.shortID) has not been reviewed; the draft follows the classifier's decision."
        }
        return (try service.letter(item.id), note)
    }

    /// Accept and override rates over a period, as text or one JSON object (with `format_version`).
    public func stats(since: Date?, until: Date?, json: Bool) throws -> String {
        let stats = try service.stats(since: since, until: until)
        return json ? JSONFormat.versioned(try stats.json()) : stats.text()
    }
}
