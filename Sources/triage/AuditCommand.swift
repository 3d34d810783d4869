import ArgumentParser
import Foundation
import TriageCore
import TriageStore

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The store's append-only, hash-chained audit log.",
        subcommands: [Verify.self, List.self]
    )

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the hash chain: exits 3 and names the first changed, missing or reordered entry.",
            discussion: """
                Examples:
                  triage audit verify
                  triage audit verify --db opcc.sqlite
                """
        )
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let store = try storeOptions.openExisting()
            let v = try store.verifyAudit()
            if v.ok {
                print(v.description)
            } else {
                Diagnostics.error(v.description)
                throw ExitCodes.checkFailed
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the audit log (JSON Lines), optionally for one item.",
            discussion: """
                Examples:
                  triage audit list
                  triage audit list --item 3f2a9c1b07de
                """
        )
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "Only entries about this item (id or unique prefix).") var item: String?

        struct Line: Encodable {
            var seq: Int64
            var at: String
            var actor: String
            var action: String
            var item: String?
            var payload: String
            var hash: String
        }

        func run() throws {
            let store = try storeOptions.openExisting()
            var itemID: String?
            if let item {
                guard let full = try store.resolveItemID(item) else {
                    Diagnostics.error("no item \(item) in \(storeOptions.db) (or the prefix is ambiguous)")
                    throw ExitCode.failure
                }
                itemID = full
            }
            var out = OutputWriter()
            for e in try store.auditEntries(item: itemID) {
                out.line(try StableJSON.line(Line(seq: e.seq, at: e.at, actor: e.actor, action: e.action, item: e.itemID, payload: e.payload, hash: e.hash)))
            }
            out.flush()
        }
    }
}
