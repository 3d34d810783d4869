import Foundation
import TriageCore
import TriageStore

/// The review backend over the SQLite store: every action is one committed,
/// audit-logged transaction of the store.
public struct StoreReviewBackend: ReviewBackend {
    /// The store.
    public let store: Store

    /// Creates the backend.
    public init(store: Store) {
        self.store = store
    }

    /// Every item with its effective decision, in pages of 500 (ingest order).
    public func allItems() throws -> [ReviewItem] {
        var out: [ReviewItem] = []
        var after: Int64 = 0
        while true {
            let page = try store.items(after: after, limit: 500)
            guard let last = page.last else { break }
            for stored in page {
                if let e = try store.effectiveDecision(for: stored.id) {
                    out.append(Self.reviewItem(stored, e))
                }
            }
            after = last.seq
        }
        return out
    }

    public func item(_ id: String) throws -> ReviewItem? {
        guard let stored = try store.item(id: id), let e = try store.effectiveDecision(for: stored.id) else { return nil }
        return Self.reviewItem(stored, e)
    }

    public func accept(_ id: String, note: String?, actor: String, expecting: Int64?) throws -> ReviewItem {
        do {
            try store.recordAcceptance(itemID: id, actor: actor, note: note, expecting: expecting)
        } catch let conflict as StoreConflict {
            throw ReviewError(conflict.description)
        }
        guard let item = try item(id) else { throw ReviewError("item \(id) vanished") }
        return item
    }

    public func override(_ id: String, outcome: Outcome, handler: String, kind: ItemKind?, subject: SubjectRole?,
                         reasons: [NotRecordedReason]?, reason: String, actor: String, expecting: Int64?) throws -> ReviewItem {
        do {
            try store.recordOverride(itemID: id, actor: actor, outcome: outcome, handler: handler, kind: kind, subject: subject,
                                     reasons: reasons, reason: reason, expecting: expecting)
        } catch let conflict as StoreConflict {
            throw ReviewError(conflict.description)
        }
        guard let item = try item(id) else { throw ReviewError("item \(id) vanished") }
        return item
    }

    /// Caseworker actions in the period, from the store's query layer.
    public func actions(since: Date?, until: Date?) throws -> [ReviewActionRecord] {
        try store.caseworkerActions(since: since, until: until)
    }

    static func reviewItem(_ stored: StoredItem, _ e: EffectiveDecision) -> ReviewItem {
        ReviewItem(id: stored.id, seq: stored.seq, receivedAt: stored.receivedAt, correspondence: stored.correspondence,
                   decision: e.decision.decision, madeBy: e.decision.madeBy, madeAt: e.decision.madeAt,
                   reason: e.decision.reason, note: e.decision.note, disagreement: e.disagreement?.decision,
                   decisionID: e.decision.id)
    }
}
