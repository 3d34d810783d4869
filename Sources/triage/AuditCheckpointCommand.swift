import ArgumentParser
import Foundation
import TriageCore
import TriageStore

/// Where the checkpoint key comes from: a file, or the environment; never the command line.
struct CheckpointKeyOptions: ParsableArguments {
    @Option(help: "File holding the checkpoint key (default: $TRIAGE_AUDIT_KEY_FILE, else the key in $TRIAGE_AUDIT_KEY).")
    var keyFile: String?

    /// The key's bytes (a trailing newline is not part of it).
    func load() throws -> [UInt8] {
        let env = ProcessInfo.processInfo.environment
        if let path = keyFile ?? env["TRIAGE_AUDIT_KEY_FILE"] {
            guard var data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("Cannot read the key file \(path).")
            }
            while let last = data.last, last == 0x0A || last == 0x0D { data.removeLast() }
            guard data.count >= 16 else { throw ValidationError("The key in \(path) is shorter than 16 bytes.") }
            return [UInt8](data)
        }
        if let key = env["TRIAGE_AUDIT_KEY"], key.utf8.count >= 16 { return Array(key.utf8) }
        throw ValidationError("No checkpoint key: pass --key-file FILE or set TRIAGE_AUDIT_KEY_FILE (or TRIAGE_AUDIT_KEY, 16 bytes or more).")
    }
}

extension AuditCommand {
    struct Checkpoint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a signed head of the audit chain, to keep outside the database.",
            discussion: """
                Prints one line, `triage-audit-checkpoint v1 seq=N head=HASH at=TIME hmac=MAC`: the last entry's \
                number and hash, signed with HMAC-SHA256 under a key kept outside the database. With --append the \
                line is also added to FILE (created owner-only, only ever appended to). Refuses (exit 3) when the \
                log does not verify. Run it after each ingest or poll, or daily from cron, and keep the file or \
                the printed lines where the database's writers cannot change them.

                Protects against: rewriting, deleting or truncating entries up to the last checkpoint, even \
                with the chain recomputed; changing items or decisions without an audit entry. \
                Does not protect against: changes after the last checkpoint by someone who can also recompute \
                the chain; anyone who holds the key and can write the checkpoint file too.

                Examples:
                  triage audit checkpoint --key-file /etc/triage/audit.key --append /var/lib/triage/audit.checkpoints
                  TRIAGE_AUDIT_KEY_FILE=/etc/triage/audit.key triage audit checkpoint >> /mnt/records/audit.txt
                """
        )
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var key: CheckpointKeyOptions
        @Option(help: "Also append the line to this file (created 0600).") var append: String?

        func run() throws {
            let store = try storeOptions.openExisting()
            let line: String
            do {
                line = try store.auditCheckpoint(key: try key.load())
            } catch let e as StoreError {
                Diagnostics.error(e.message)
                throw ExitCodes.checkFailed
            }
            if let append {
                let fd = open(append, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
                guard fd >= 0 else { throw ValidationError("Cannot open \(append) for appending.") }
                defer { close(fd) }
                let bytes = Array((line + "\n").utf8)
                guard write(fd, bytes, bytes.count) == bytes.count, fsync(fd) == 0 else {
                    Diagnostics.error("cannot write the checkpoint to \(append)")
                    throw ExitCodes.checkFailed
                }
            }
            print(line)
        }
    }
}
