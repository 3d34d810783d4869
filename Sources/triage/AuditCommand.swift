import ArgumentParser
import Foundation
import TriageCore
import TriageStore

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The store's append-only, hash-chained audit log.",
        subcommands: [Verify.self, List.self, Checkpoint.self]
    )

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the hash chain: exits 3 and names the first changed, missing or reordered entry.",
            discussion: """
                Also checks that every item still hashes to its id and that every decision, override and \
                effective decision matches its audit entry. With --checkpoint, each signed head in the file must \
                still be in the log with the same hash: this detects a log cut short or recomputed by someone who \
                could write the database but not the checkpoint file or the key.

                Examples:
                  triage audit verify
                  triage audit verify --db opcc.sqlite
                  triage audit verify --checkpoint /var/lib/triage/audit.checkpoints --key-file /etc/triage/audit.key
                """
        )
        @OptionGroup var storeOptions: StoreOptions
        @Option(help: "Also check the heads recorded in this checkpoint file (see `audit checkpoint`).") var checkpoint: String?
        @OptionGroup var key: CheckpointKeyOptions

        func run() throws {
            let store = try storeOptions.openExisting()
            let v: AuditVerification
            if let checkpoint {
                guard let text = try? String(contentsOfFile: checkpoint, encoding: .utf8) else {
                    throw ValidationError("Cannot read the checkpoint file \(checkpoint).")
                }
                v = try store.verifyAudit(checkpoints: text.components(separatedBy: "\n"), key: try key.load())
            } else {
                v = try store.verifyAudit()
            }
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
                    throw ExitCodes.notFound
                }
                itemID = full
            }
            var out = OutputWriter()
            for e in try store.auditEntries(item: itemID) {
                out.json(try StableJSON.line(Line(seq: e.seq, at: e.at, actor: e.actor, action: e.action, item: e.itemID, payload: e.payload, hash: e.hash)))
            }
            out.flush()
        }
    }
}
