/// What the store knows about a mailbox from earlier polls.
public struct PollStoredState<Key: Hashable & Sendable>: Sendable, Equatable {
    /// The UIDVALIDITY recorded with the stored keys (nil: none recorded, or a Maildir).
    public var epoch: UInt32?
    /// Keys (IMAP UIDs under `epoch`, Maildir unique names) whose items are stored,
    /// marked in the mailbox or not.
    public var storedKeys: Set<Key>

    public init(epoch: UInt32?, storedKeys: Set<Key>) {
        self.epoch = epoch
        self.storedKeys = storedKeys
    }
}

/// What the mailbox shows now.
public struct PollSnapshot<Key: Hashable & Sendable>: Sendable, Equatable {
    /// The mailbox's UIDVALIDITY (nil for a Maildir).
    public var epoch: UInt32?
    /// The messages not yet marked, in the order to take them (IMAP: ascending UID).
    public var unmarked: [Key]

    public init(epoch: UInt32?, unmarked: [Key]) {
        self.epoch = epoch
        self.unmarked = unmarked
    }
}

/// One step the caller must take, then report with ``PollEvent``.
public enum PollAction<Key: Hashable & Sendable>: Sendable, Equatable {
    /// The UIDVALIDITY is new or changed: record it. Keys stored under the old one
    /// name other messages now, so from here on only content hashes prove an item
    /// was stored. Report ``PollEvent/epochRecorded``.
    case recordEpoch(UInt32)
    /// Fetch the message and hash its bytes; look the hash up in the store.
    /// Report ``PollEvent/fetched(_:contentHash:alreadyStored:)`` or ``PollEvent/fetchFailed(_:_:)``.
    case fetch(Key)
    /// Store the item, its decision and this key in ONE transaction. Report ``PollEvent/stored(_:)``.
    case store(Key, contentHash: String)
    /// Store a quarantine record for an item that cannot be fetched or read, with this
    /// key, in one transaction. Report ``PollEvent/stored(_:)``.
    case quarantine(Key, problem: String)
    /// The item is durably stored: now mark it in the mailbox (flag, move, rename).
    /// Report ``PollEvent/marked(_:)`` or ``PollEvent/markFailed(_:_:)``.
    case mark(Key)
}

/// Why fetching or marking a message failed.
public enum PollFailure: Sendable, Equatable {
    /// The message is gone from the mailbox (expunged, moved by someone else).
    case vanished
    /// It can never be read (too large, refused by the server); it is quarantined.
    case unreadable(String)
    /// Worth trying again later (connection lost, timeout): the poll stops here.
    case transient(String)
}

/// What happened when the caller carried out a ``PollAction``.
public enum PollEvent<Key: Hashable & Sendable>: Sendable, Equatable {
    case epochRecorded
    /// Fetched; `alreadyStored` is true when the store already holds an item with this hash.
    case fetched(Key, contentHash: String, alreadyStored: Bool)
    case fetchFailed(Key, PollFailure)
    case stored(Key)
    case marked(Key)
    case markFailed(Key, PollFailure)
}

/// Counts for the one summary line per poll.
public struct PollSummary: Sendable, Equatable {
    /// Messages fetched from the mailbox.
    public var fetched = 0
    /// Items newly stored (classified or quarantined).
    public var stored = 0
    /// Items quarantined (counted in `stored` too).
    public var quarantined = 0
    /// Fetched items whose content was already stored (only marked).
    public var duplicates = 0
    /// Items stored by an earlier, interrupted poll and only marked now.
    public var resumed = 0
    /// Items marked in the mailbox.
    public var marked = 0
    /// Messages that vanished before they could be fetched or marked.
    public var vanished = 0
    /// The transient failure that stopped the poll, if any.
    public var stoppedBy: String?

    public init() {}
}

/// The poller's state machine for one poll, as a value: it does no I/O. It is
/// given what the store knows and what the mailbox shows, returns one action at
/// a time, and is told what happened. Exactly once: an item is stored before its
/// message is marked; a stored key is only marked, never stored again; a fetched
/// message whose content hash is already stored is only marked.
///
/// Usage: `while let action = plan.next() { …do it…; plan.handle(event) }`.
/// ``requestStop()`` (SIGTERM) lets the item in hand finish, then `next()` returns nil.
public struct PollPlan<Key: Hashable & Sendable>: Sendable {
    private enum Step: Sendable, Equatable {
        case fetch
        case store(String)
        case quarantine(String)
        case mark
    }

    private var epochToRecord: UInt32?
    private var storedKeys: Set<Key>
    private var queue: [Key]
    private var position = 0
    private var current: (key: Key, step: Step)?
    private var stopRequested = false
    private var halted = false
    /// The counts so far.
    public private(set) var summary = PollSummary()

    /// Plans one poll.
    /// - Parameters:
    ///   - stored: what the store knows.
    ///   - snapshot: what the mailbox shows.
    ///   - limit: take at most this many messages in this poll.
    public init(stored: PollStoredState<Key>, snapshot: PollSnapshot<Key>, limit: Int? = nil) {
        var seen = Set<Key>()
        var queue = snapshot.unmarked.filter { seen.insert($0).inserted }
        if let limit { queue = Array(queue.prefix(max(limit, 0))) }
        self.queue = queue
        if let epoch = snapshot.epoch, epoch != stored.epoch {
            epochToRecord = epoch
            storedKeys = []
        } else {
            storedKeys = stored.storedKeys
        }
    }

    /// True when the poll has nothing more to do.
    public var isFinished: Bool {
        halted || (current == nil && (stopRequested || position >= queue.count) && epochToRecord == nil)
    }

    /// Asks the poll to stop after the item in hand is stored and marked.
    public mutating func requestStop() {
        stopRequested = true
    }

    /// The next action, or nil when the poll is over. Asking again before
    /// reporting gives the same action.
    public mutating func next() -> PollAction<Key>? {
        if halted { return nil }
        if let epoch = epochToRecord { return .recordEpoch(epoch) }
        if current == nil {
            guard !stopRequested, position < queue.count else { return nil }
            let key = queue[position]
            position += 1
            current = (key, storedKeys.contains(key) ? .mark : .fetch)
            if storedKeys.contains(key) { summary.resumed += 1 }
        }
        guard let current else { return nil }
        switch current.step {
        case .fetch: return .fetch(current.key)
        case .store(let hash): return .store(current.key, contentHash: hash)
        case .quarantine(let problem): return .quarantine(current.key, problem: problem)
        case .mark: return .mark(current.key)
        }
    }

    /// Reports what happened. An event that does not answer the pending action is ignored.
    /// - Parameter event: the outcome of the last action.
    public mutating func handle(_ event: PollEvent<Key>) {
        if case .epochRecorded = event {
            epochToRecord = nil
            return
        }
        guard let (key, step) = current else { return }
        switch (event, step) {
        case (.fetched(let k, let hash, let alreadyStored), .fetch) where k == key:
            summary.fetched += 1
            if alreadyStored {
                summary.duplicates += 1
                storedKeys.insert(key)
                current = (key, .mark)
            } else {
                current = (key, .store(hash))
            }
        case (.fetchFailed(let k, let failure), .fetch) where k == key:
            switch failure {
            case .vanished:
                summary.vanished += 1
                current = nil
            case .unreadable(let problem):
                current = (key, .quarantine(problem))
            case .transient(let problem):
                summary.stoppedBy = problem
                halted = true
                current = nil
            }
        case (.stored(let k), .store) where k == key,
             (.stored(let k), .quarantine) where k == key:
            summary.stored += 1
            if case .quarantine = step { summary.quarantined += 1 }
            storedKeys.insert(key)
            current = (key, .mark)
        case (.marked(let k), .mark) where k == key:
            summary.marked += 1
            current = nil
        case (.markFailed(let k, let failure), .mark) where k == key:
            switch failure {
            case .vanished, .unreadable:
                // Stored already; a message that is gone cannot be marked and will not come back.
                summary.vanished += failure == .vanished ? 1 : 0
                current = nil
            case .transient(let problem):
                summary.stoppedBy = problem
                halted = true
                current = nil
            }
        default:
            break
        }
    }
}
