import Testing
import TriageCore
import TriageTestSupport
@testable import MailboxAccess

/// The poller state machine, without I/O.
struct PollPlanTests {
    /// Runs a plan to the end with a scripted world: `stored` holds content hashes
    /// already in the store, `contents` maps keys to content hashes.
    private func drive(
        _ plan: inout PollPlan<UInt32>, contents: [UInt32: String], stored: Set<String> = []
    ) -> [PollAction<UInt32>] {
        var actions: [PollAction<UInt32>] = []
        var storedHashes = stored
        while let action = plan.next() {
            actions.append(action)
            switch action {
            case .recordEpoch: plan.handle(.epochRecorded)
            case .fetch(let key):
                guard let hash = contents[key] else {
                    plan.handle(.fetchFailed(key, .vanished))
                    continue
                }
                plan.handle(.fetched(key, contentHash: hash, alreadyStored: storedHashes.contains(hash)))
            case .store(let key, let hash):
                storedHashes.insert(hash)
                plan.handle(.stored(key))
            case .quarantine(let key, _): plan.handle(.stored(key))
            case .mark(let key): plan.handle(.marked(key))
            }
            if actions.count > 1000 { break }
        }
        return actions
    }

    @Test func firstPollRecordsTheEpochThenFetchesStoresAndMarksEachInOrder() {
        var plan = PollPlan<UInt32>(
            stored: PollStoredState(epoch: nil, storedKeys: []),
            snapshot: PollSnapshot(epoch: 77, unmarked: [5, 6]))
        let actions = drive(&plan, contents: [5: "h5", 6: "h6"])
        #expect(actions == [
            .recordEpoch(77),
            .fetch(5), .store(5, contentHash: "h5"), .mark(5),
            .fetch(6), .store(6, contentHash: "h6"), .mark(6),
        ])
        #expect(plan.summary.fetched == 2)
        #expect(plan.summary.stored == 2)
        #expect(plan.summary.marked == 2)
        #expect(plan.isFinished)
    }

    @Test func aStoredButUnmarkedItemIsOnlyMarked() {
        var plan = PollPlan<UInt32>(
            stored: PollStoredState(epoch: 77, storedKeys: [5]),
            snapshot: PollSnapshot(epoch: 77, unmarked: [5, 6]))
        let actions = drive(&plan, contents: [5: "h5", 6: "h6"])
        #expect(actions == [.mark(5), .fetch(6), .store(6, contentHash: "h6"), .mark(6)])
        #expect(plan.summary.resumed == 1)
        #expect(plan.summary.stored == 1)
    }

    @Test func aChangedUIDValidityDropsStoredUIDsAndFallsBackOnContentHashes() {
        // Old epoch 77 stored UIDs 1 and 2. The mailbox was rebuilt (epoch 90): UID 1
        // now holds what was stored as "hA"; UID 2 holds something new.
        var plan = PollPlan<UInt32>(
            stored: PollStoredState(epoch: 77, storedKeys: [1, 2]),
            snapshot: PollSnapshot(epoch: 90, unmarked: [1, 2]))
        let actions = drive(&plan, contents: [1: "hA", 2: "hNew"], stored: ["hA", "hB"])
        #expect(actions == [
            .recordEpoch(90),
            .fetch(1), .mark(1),
            .fetch(2), .store(2, contentHash: "hNew"), .mark(2),
        ])
        #expect(plan.summary.duplicates == 1)
        #expect(plan.summary.stored == 1)
    }

    @Test func sameContentUnderANewKeyIsMarkedNotStoredAgain() {
        var plan = PollPlan<UInt32>(
            stored: PollStoredState(epoch: 3, storedKeys: [1]),
            snapshot: PollSnapshot(epoch: 3, unmarked: [9]))
        let actions = drive(&plan, contents: [9: "h1"], stored: ["h1"])
        #expect(actions == [.fetch(9), .mark(9)])
        #expect(plan.summary.duplicates == 1)
    }

    @Test func stopFinishesTheItemInHand() {
        var plan = PollPlan<UInt32>(
            stored: PollStoredState(epoch: 1, storedKeys: []),
            snapshot: PollSnapshot(epoch: 1, unmarked: [1, 2, 3]))
        #expect(plan.next() == .fetch(1))
        plan.requestStop()
        plan.handle(.fetched(1, contentHash: "x", alreadyStored: false))
        #expect(plan.next() == .store(1, contentHash: "x"))
        plan.handle(.stored(1))
        #expect(plan.next() == .mark(1))
        plan.handle(.marked(1))
        #expect(plan.next() == nil)
        #expect(plan.isFinished)
        #expect(plan.summary.marked == 1)
    }

    @Test func stopBeforeAnythingStartsDoesNothing() {
        var plan = PollPlan<UInt32>(
            stored: PollStoredState(epoch: 1, storedKeys: []),
            snapshot: PollSnapshot(epoch: 1, unmarked: [1]))
        plan.requestStop()
        #expect(plan.next() == nil)
    }

    @Test func askingAgainGivesTheSameActionAndStrayEventsAreIgnored() {
        var plan = PollPlan<UInt32>(
            stored: PollStoredState(epoch: 1, storedKeys: []),
            snapshot: PollSnapshot(epoch: 1, unmarked: [4]))
        #expect(plan.next() == .fetch(4))
        #expect(plan.next() == .fetch(4))
        plan.handle(.marked(4))  // not what was asked
        plan.handle(.fetched(5, contentHash: "y", alreadyStored: false))  // wrong key
        #expect(plan.next() == .fetch(4))
        #expect(plan.summary == PollSummary())
    }

    @Test func vanishedMessagesAreSkippedAndTransientFailuresStopThePoll() {
        var plan = PollPlan<UInt32>(
            stored: PollStoredState(epoch: 1, storedKeys: []),
            snapshot: PollSnapshot(epoch: 1, unmarked: [1, 2, 3]))
        #expect(plan.next() == .fetch(1))
        plan.handle(.fetchFailed(1, .vanished))
        #expect(plan.next() == .fetch(2))
        plan.handle(.fetchFailed(2, .transient("connection reset")))
        #expect(plan.next() == nil)
        #expect(plan.summary.vanished == 1)
        #expect(plan.summary.stoppedBy == "connection reset")
    }

    @Test func unreadableMessagesAreQuarantinedThenMarked() {
        var plan = PollPlan<UInt32>(
            stored: PollStoredState(epoch: 1, storedKeys: []),
            snapshot: PollSnapshot(epoch: 1, unmarked: [8]))
        #expect(plan.next() == .fetch(8))
        plan.handle(.fetchFailed(8, .unreadable("larger than 10 bytes")))
        #expect(plan.next() == .quarantine(8, problem: "larger than 10 bytes"))
        plan.handle(.stored(8))
        #expect(plan.next() == .mark(8))
        plan.handle(.marked(8))
        #expect(plan.next() == nil)
        #expect(plan.summary.quarantined == 1)
        #expect(plan.summary.stored == 1)
    }

    @Test func duplicateKeysAndLimitAreHonoured() {
        var plan = PollPlan<UInt32>(
            stored: PollStoredState(epoch: 1, storedKeys: []),
            snapshot: PollSnapshot(epoch: 1, unmarked: [2, 2, 3, 4]), limit: 2)
        let actions = drive(&plan, contents: [2: "a", 3: "b", 4: "c"])
        #expect(actions.filter { if case .fetch = $0 { return true } else { return false } } == [.fetch(2), .fetch(3)])
    }

    @Test func maildirKeysWorkWithoutAnEpoch() {
        var plan = PollPlan<String>(
            stored: PollStoredState(epoch: nil, storedKeys: ["a"]),
            snapshot: PollSnapshot(epoch: nil, unmarked: ["a", "b"]))
        #expect(plan.next() == .mark("a"))
        plan.handle(.marked("a"))
        #expect(plan.next() == .fetch("b"))
    }

    /// A simulated mailbox and store, "killed" at random points (before an action,
    /// or after doing it but before reporting), restarted each time from what is
    /// durable. At the end every message is stored exactly once and marked.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func randomCrashesNeverLoseOrDuplicate(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let count = 60
        // Mailbox: UID → (content, marked). Two messages share content (a re-delivery).
        var mailbox: [UInt32: (content: String, marked: Bool)] = [:]
        for uid in 1...UInt32(count) { mailbox[uid] = ("m\(uid)", false) }
        mailbox[UInt32(count)] = ("m1", false)
        var epoch: UInt32 = 500
        // Store (durable): epoch, keys under it, content → times stored.
        var storedEpoch: UInt32?
        var storedKeys = Set<UInt32>()
        var storedContent: [String: Int] = [:]

        var restarts = 0
        var rebuiltOnce = false
        while mailbox.values.contains(where: { !$0.marked }) && restarts < 10_000 {
            restarts += 1
            // Once, the server rebuilds the mailbox: new UIDVALIDITY, and the same UIDs
            // now name other messages (renumbered in reverse), unmarked ones too.
            if !rebuiltOnce && restarts == 3 {
                rebuiltOnce = true
                epoch = 501
                var renumbered: [UInt32: (content: String, marked: Bool)] = [:]
                for (index, uid) in mailbox.keys.sorted(by: >).enumerated() {
                    renumbered[UInt32(index + 1)] = mailbox[uid]
                }
                mailbox = renumbered
            }
            let unmarked = mailbox.filter { !$0.value.marked }.map(\.key).sorted()
            var plan = PollPlan(
                stored: PollStoredState(epoch: storedEpoch, storedKeys: storedKeys),
                snapshot: PollSnapshot(epoch: epoch, unmarked: unmarked))
            let crashAt = 1 + Int(random.next() % 12)
            var steps = 0
            run: while let action = plan.next() {
                steps += 1
                let crashBefore = steps == crashAt && random.next() % 2 == 0
                let crashAfter = steps == crashAt && !crashBefore
                if crashBefore { break run }
                var event: PollEvent<UInt32>
                switch action {
                case .recordEpoch(let e):
                    storedEpoch = e
                    storedKeys = []
                    event = .epochRecorded
                case .fetch(let uid):
                    guard let message = mailbox[uid] else {
                        event = .fetchFailed(uid, .vanished)
                        break
                    }
                    event = .fetched(uid, contentHash: message.content, alreadyStored: storedContent[message.content] != nil)
                case .store(let uid, let hash):
                    // One transaction: content and key together.
                    storedContent[hash, default: 0] += 1
                    storedKeys.insert(uid)
                    event = .stored(uid)
                case .quarantine(let uid, _):
                    storedKeys.insert(uid)
                    event = .stored(uid)
                case .mark(let uid):
                    mailbox[uid]?.marked = true
                    event = .marked(uid)
                }
                if crashAfter { break run }
                plan.handle(event)
            }
        }
        #expect(mailbox.values.allSatisfy { $0.marked })
        #expect(storedContent.count == count - 1)
        #expect(storedContent.values.allSatisfy { $0 == 1 })
        #expect(rebuiltOnce)
        #expect(restarts > 10)
    }
}

