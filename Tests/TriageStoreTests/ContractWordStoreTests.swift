import Foundation
import Testing
import TriageCore
@testable import TriageStore

/// Issue 11: a stored decision whose word is outside the decision contract
/// (an old row, a hand edit) is reported, never guessed at, and never a crash.
@Suite struct ContractWordStoreTests {
    @Test(arguments: StoreKind.all) func aStoredWordOutsideTheContractIsAClearError(_ kind: StoreKind) throws {
        let location = try Fixture.location(kind)
        let store = try Store.open(location: location)
        let result = try Fixture.ingest(store, Fixture.item("I want to complain about the officer at the roadside.", date: "2026-10-02"))
        let id = result.itemID
        #expect(try store.effectiveDecision(for: id)?.decision.decision.outcome == .routed)
        // Someone with the database edits the stored JSON by hand.
        let edited = try Fixture.sql(kind, location, """
            UPDATE decisions SET decision = replace(decision, '"outcome":"routed"', '"outcome":"rooted"') WHERE item_id = '\(id)'
            """)
        #expect(edited.hasPrefix("ok"), "\(edited)")

        let error = try #require(throws: StoreError.self) { try store.effectiveDecision(for: id) }
        #expect(error.message.contains("outcome 'rooted' is not a contract word"), "\(error.message)")
        #expect(error.message.contains(id), "the message names the item: \(error.message)")
        #expect(error.message.contains("(at outcome)"), "\(error.message)")
        // The same from the reports' query layer and the whole history of the item.
        #expect(throws: StoreError.self) { try store.decidedItems() }
        #expect(throws: StoreError.self) { try store.decisions(for: id) }
        // The row is left as it was, for someone to correct.
        let restored = try Fixture.sql(kind, location, """
            UPDATE decisions SET decision = replace(decision, '"outcome":"rooted"', '"outcome":"routed"') WHERE item_id = '\(id)'
            """)
        #expect(restored.hasPrefix("ok"))
        #expect(try store.effectiveDecision(for: id)?.decision.decision.outcome == .routed)
    }
}
