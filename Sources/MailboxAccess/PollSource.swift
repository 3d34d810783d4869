import Logging

/// A mailbox the poller can take messages from: what is waiting, fetch one, mark one.
public protocol PollSource {
    /// How a message is named inside the mailbox (IMAP UID, Maildir unique name).
    associatedtype Key: Hashable & Sendable
    /// Where messages come from (for labels and the store's poller state).
    var label: String { get }
    /// The mailbox's epoch (UIDVALIDITY) and its messages not yet marked, in order.
    func snapshot() throws -> PollSnapshot<Key>
    /// One message's bytes. `epoch` is the snapshot's.
    func fetch(_ key: Key, epoch: UInt32?) throws -> MailboxMessage
    /// Marks one message as triaged (only after its item is durably stored).
    func mark(_ key: Key, epoch: UInt32?) throws
}

extension PollSource {
    /// How a failure to fetch or mark counts for the poll: a missing message is
    /// skipped, a message that can never be read is quarantined, anything else
    /// stops the poll to be retried later.
    /// - Parameters:
    ///   - error: what was thrown.
    ///   - fetching: true for a fetch, false for a mark.
    /// - Returns: the ``PollFailure`` to report.
    public func pollFailure(_ error: any Error, fetching: Bool) -> PollFailure {
        guard let error = error as? MailboxError else { return .transient("\(error)") }
        switch error {
        case .noSuchMessage, .vanished: return .vanished
        case .tooLarge: return .unreadable(error.description)
        case .refused(let command, _) where fetching && command.hasPrefix("UID FETCH"):
            return .unreadable(error.description)
        default: return .transient(error.description)
        }
    }
}

/// An IMAP mailbox as a poll source.
public struct IMAPPollSource: PollSource {
    /// How processed messages are marked.
    public enum Marking: Sendable, Equatable {
        /// Add these flags; the first must be a keyword (e.g. `$Triaged`) that says "done".
        case flag([String])
        /// Add the keyword (if any), then move the message to this folder.
        case move(keyword: String?, folder: String)
    }

    /// The mailbox client.
    public let mailbox: IMAPMailbox
    /// How processed messages are marked.
    public let marking: Marking

    /// - Parameters:
    ///   - mailbox: the client.
    ///   - marking: flag (default `$Triaged`) or move to a folder.
    public init(mailbox: IMAPMailbox, marking: Marking = .flag(["$Triaged"])) {
        self.mailbox = mailbox
        self.marking = marking
    }

    public var label: String { mailbox.configuration.label }

    /// The search that finds messages not yet marked.
    public var unmarkedSearch: String {
        switch marking {
        case .flag(let flags):
            guard let keyword = flags.first, !keyword.hasPrefix("\\") else { return "UNDELETED UNSEEN" }
            return "UNDELETED UNKEYWORD \(keyword)"
        case .move:
            // Everything still here is unprocessed, or stored and not yet moved.
            return "UNDELETED"
        }
    }

    /// Checks the marking (the server must let the keyword be stored: some servers,
    /// Exchange among them, take no new keywords; then move to a folder instead)
    /// and creates the destination folder when moving.
    /// - Throws: ``MailboxError``.
    public func prepare() throws {
        let keyword: String
        switch marking {
        case .flag(let flags): keyword = flags.first ?? ""
        case .move(let word, _): keyword = word ?? ""
        }
        let status = try mailbox.select()
        if !keyword.isEmpty && !status.allowsFlag(keyword) {
            let allowed = status.permanentFlags?.joined(separator: " ") ?? ""
            throw MailboxError.configuration(
                "\(label) does not let clients store the keyword \(keyword) (PERMANENTFLAGS: \(allowed)); mark by moving to a folder instead")
        }
        switch marking {
        case .flag(let flags):
            guard let first = flags.first, !first.hasPrefix("\\") else {
                throw MailboxError.configuration("IMAP marking needs a keyword such as $Triaged first")
            }
            for flag in flags where !IMAPResponses.isValidFlag(flag) {
                throw MailboxError.configuration("not a valid IMAP flag: \(flag)")
            }
        case .move(let keyword, let folder):
            if let keyword, !IMAPResponses.isValidFlag(keyword) || keyword.hasPrefix("\\") {
                throw MailboxError.configuration("not a valid IMAP keyword: \(keyword)")
            }
            guard folder != mailbox.configuration.mailbox else {
                throw MailboxError.configuration("the folder for processed mail must differ from the polled one")
            }
            try mailbox.createMailbox(folder)
        }
    }

    public func snapshot() throws -> PollSnapshot<UInt32> {
        let status = try mailbox.select()
        let uids = try mailbox.uids(search: unmarkedSearch, uidValidity: status.uidValidity, refresh: false)
        return PollSnapshot(epoch: status.uidValidity, unmarked: uids)
    }

    public func fetch(_ key: UInt32, epoch: UInt32?) throws -> MailboxMessage {
        try mailbox.fetch(uid: key, uidValidity: epoch)
    }

    public func mark(_ key: UInt32, epoch: UInt32?) throws {
        switch marking {
        case .flag(let flags):
            try mailbox.addFlags(uid: key, flags: flags, uidValidity: epoch)
        case .move(let keyword, let folder):
            if let keyword { try mailbox.addFlags(uid: key, flags: [keyword], uidValidity: epoch) }
            try mailbox.move(uid: key, to: folder, uidValidity: epoch)
        }
    }
}

/// A Maildir as a poll source (no epoch; keys are unique file names).
public struct MaildirPollSource: PollSource {
    /// The Maildir.
    public let maildir: MaildirMailbox

    public init(maildir: MaildirMailbox) {
        self.maildir = maildir
    }

    public var label: String { maildir.path }

    public func snapshot() throws -> PollSnapshot<String> {
        PollSnapshot(epoch: nil, unmarked: try maildir.list().map(\.uniqueName))
    }

    public func fetch(_ key: String, epoch: UInt32?) throws -> MailboxMessage {
        try maildir.read(uniqueName: key)
    }

    public func mark(_ key: String, epoch: UInt32?) throws {
        try maildir.mark(uniqueName: key)
    }
}

/// Runs one poll: the ``PollPlan`` with real mailbox I/O and the caller's store.
/// The store callbacks must be durable (committed) when they return.
public struct PollRunner<Source: PollSource> {
    /// The caller's store, as closures.
    public struct Store {
        /// Records a new UIDVALIDITY (the stored keys of the old one no longer count).
        public var recordEpoch: (UInt32) throws -> Void
        /// True when an item with this content hash is already stored.
        public var containsContent: (String) throws -> Bool
        /// Stores the item, its decision and its key in ONE transaction.
        public var store: (MailboxMessage, Source.Key, String) throws -> Void
        /// Stores a quarantine record with its key in one transaction.
        public var quarantine: (Source.Key, String) throws -> Void

        public init(
            recordEpoch: @escaping (UInt32) throws -> Void,
            containsContent: @escaping (String) throws -> Bool,
            store: @escaping (MailboxMessage, Source.Key, String) throws -> Void,
            quarantine: @escaping (Source.Key, String) throws -> Void
        ) {
            self.recordEpoch = recordEpoch
            self.containsContent = containsContent
            self.store = store
            self.quarantine = quarantine
        }
    }

    public let source: Source
    public var logger = Logger(label: "triage.mailbox.poll")

    public init(source: Source) {
        self.source = source
    }

    /// Polls once.
    /// - Parameters:
    ///   - stored: what the store knows (last epoch, stored keys).
    ///   - store: the store's operations.
    ///   - contentHash: the hash the store uses for items (SHA-256 hex of the bytes).
    ///   - limit: at most this many messages.
    ///   - shouldStop: asked between items (SIGTERM): true finishes the item in hand and stops.
    /// - Returns: the counts; `stoppedBy` says why the poll stopped early.
    /// - Throws: the store's errors, and mailbox errors from taking the snapshot.
    public func pollOnce(
        stored: PollStoredState<Source.Key>, store: Store, contentHash: ([UInt8]) -> String,
        limit: Int? = nil, shouldStop: () -> Bool = { false }
    ) throws -> PollSummary {
        let snapshot = try source.snapshot()
        var plan = PollPlan(stored: stored, snapshot: snapshot, limit: limit)
        var inHand: MailboxMessage?
        while true {
            if shouldStop() { plan.requestStop() }
            guard let action = plan.next() else { break }
            switch action {
            case .recordEpoch(let epoch):
                try store.recordEpoch(epoch)
                plan.handle(.epochRecorded)
            case .fetch(let key):
                do {
                    let message = try source.fetch(key, epoch: snapshot.epoch)
                    let hash = contentHash(message.bytes)
                    inHand = message
                    plan.handle(.fetched(key, contentHash: hash, alreadyStored: try store.containsContent(hash)))
                } catch let error as MailboxError {
                    plan.handle(.fetchFailed(key, source.pollFailure(error, fetching: true)))
                }
            case .store(let key, let hash):
                guard let message = inHand else { break }
                try store.store(message, key, hash)
                inHand = nil
                plan.handle(.stored(key))
            case .quarantine(let key, let problem):
                try store.quarantine(key, problem)
                plan.handle(.stored(key))
            case .mark(let key):
                do {
                    try source.mark(key, epoch: snapshot.epoch)
                    plan.handle(.marked(key))
                } catch {
                    plan.handle(.markFailed(key, source.pollFailure(error, fetching: false)))
                }
            }
        }
        let summary = plan.summary
        logger.info("poll", metadata: [
            "source": "\(source.label)", "fetched": "\(summary.fetched)", "stored": "\(summary.stored)",
            "quarantined": "\(summary.quarantined)", "duplicates": "\(summary.duplicates)",
            "resumed": "\(summary.resumed)", "marked": "\(summary.marked)", "vanished": "\(summary.vanished)",
            "stopped_by": "\(summary.stoppedBy ?? "-")",
        ])
        return summary
    }
}
