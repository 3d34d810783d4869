import Foundation
import Testing
import TriageCore
@testable import TriageReview

/// The review screen as a state machine: keys in, commands out, no I/O.
struct ScreenTests {
    func screen(_ n: Int = 3) throws -> ReviewScreen {
        let items = (0..<n).map { Sample.item(id: String(repeating: "\($0)", count: 64), seq: Int64($0 + 1)) }
        return ReviewScreen(items: items, choices: try Sample.choices(), actor: "A. Caseworker", size: TerminalSize(columns: 80, rows: 24))
    }

    func type(_ s: inout ReviewScreen, _ text: String) -> [ScreenCommand] {
        var out: [ScreenCommand] = []
        for c in text { out += s.handle(.char(c)) }
        return out
    }

    @Test func acceptAsksForANoteThenCommitsAndMovesOn() throws {
        var s = try screen()
        #expect(s.handle(.char("a")).isEmpty)
        #expect(s.mode == .acceptNote(""))
        #expect(type(&s, "ok").isEmpty)
        let commands = s.handle(.enter)
        #expect(commands == [.perform(.accept(id: s.items[0].id, note: "ok"))])
        var done = s.items[0]
        done.madeBy = "caseworker:A. Caseworker"
        done.note = "ok"
        s.completed(.accept(id: done.id, note: "ok"), result: .success(done))
        #expect(s.index == 1)
        #expect(s.acceptedCount == 1)
        #expect(s.items[0].status == .accepted)
        #expect(s.message?.text.hasPrefix("Saved: accepted") == true)
    }

    @Test func reloadAddsNewItemsAtTheEndAndKeepsTheOneShown() throws {
        var s = try screen(2)
        _ = s.handle(.char("n"))
        let shown = try #require(s.current).id
        #expect(s.handle(.char("r")) == [.reload])
        var changed = s.items[0]
        changed.decision.handler = "psd"
        let arrived = Sample.item(id: String(repeating: "9", count: 64), seq: 9)
        s.reload([changed, s.items[1], arrived])
        #expect(s.items.map(\.id) == [changed.id, shown, arrived.id])
        #expect(s.current?.id == shown)
        #expect(s.items[0].decision.handler == "psd")
        #expect(s.message == ScreenMessage(text: "Queue reloaded: 1 new item at the end.", isError: false))
        s.reload([])
        #expect(s.items.count == 3)   // nothing is dropped from the session's list
        #expect(s.message?.text == "Queue reloaded: nothing new.")
    }

    @Test func acceptWithEmptyNoteSendsNil() throws {
        var s = try screen()
        _ = s.handle(.char("a"))
        #expect(s.handle(.enter) == [.perform(.accept(id: s.items[0].id, note: nil))])
    }

    @Test func needsCaseworkerCannotBeAcceptedOnlyOverridden() throws {
        let item = Sample.item(id: String(repeating: "9", count: 64), outcome: .needsCaseworker)
        var s = ReviewScreen(items: [item], choices: try Sample.choices(), actor: "x", size: TerminalSize(columns: 80, rows: 24))
        #expect(s.handle(.char("a")).isEmpty)
        #expect(s.mode == .item)
        #expect(s.message?.isError == true)
        _ = s.handle(.char("o"))
        #expect(s.mode == .pickOutcome(3))   // on needs_caseworker, the current outcome
    }

    @Test func escapeCancelsAccept() throws {
        var s = try screen()
        _ = s.handle(.char("a"))
        #expect(s.handle(.escape).isEmpty)
        #expect(s.mode == .item)
        #expect(s.message?.text == "Not accepted.")
    }

    @Test func overridePicksFromTheProfileListsAndNeedsAReason() throws {
        var s = try screen()
        let lists = try #require(s.currentChoices)
        #expect(lists.outcomes.map(\.code) == [.routed, .recorded, .notRecorded, .needsCaseworker])
        _ = s.handle(.char("o"))
        #expect(s.mode == .pickOutcome(0))   // starts on the current outcome, routed
        _ = s.handle(.down)
        #expect(s.mode == .pickOutcome(1))
        _ = s.handle(.enter)
        let crt = try #require(lists.handlers.firstIndex { $0.code == "crt" })
        #expect(s.mode == .pickHandler(outcome: .recorded, selected: crt))   // starts on the current handler
        let opcc = try #require(lists.handlers.firstIndex { $0.code == "opcc" })
        var steps = 0
        while s.mode != .pickHandler(outcome: .recorded, selected: opcc), steps < 50 {
            _ = s.handle(.down)
            steps += 1
        }
        _ = s.handle(.enter)
        // Whom it is about: starts on the subject the rules read; Enter keeps it.
        let kept = try #require(lists.subjects.firstIndex { $0.code == s.items[0].decision.subject })
        #expect(s.mode == .pickSubject(outcome: .recorded, handler: "opcc", because: [], selected: kept))
        _ = s.handle(.enter)
        #expect(s.mode == .reason(outcome: .recorded, handler: "opcc", because: [], subject: nil, text: ""))
        // No reason: refused, still asking.
        #expect(s.handle(.enter).isEmpty)
        #expect(s.message == ScreenMessage(text: "A reason is required for an override.", isError: true))
        #expect(type(&s, "about the Chief Constable").isEmpty)
        let commands = s.handle(.enter)
        #expect(commands == [.perform(.override(id: s.items[0].id, outcome: .recorded, handler: "opcc", because: [], subject: nil, reason: "about the Chief Constable"))])
    }

    @Test func notRecordedAlsoAsksWhy() throws {
        var s = try screen()
        _ = s.handle(.char("o"))
        _ = s.handle(.char("3"))   // not_recorded
        _ = s.handle(.enter)
        _ = s.handle(.enter)       // the handler shown first (the current one, crt)
        #expect(s.mode == .pickReason(outcome: .notRecorded, handler: "crt", selected: 0))
        _ = s.handle(.char("3"))   // repetitious
        _ = s.handle(.enter)
        guard case .pickSubject(_, _, [.repetitious], _) = s.mode else { Issue.record("expected the subject list, got \(s.mode)"); return }
        _ = s.handle(.enter)       // keep the subject
        #expect(s.mode == .reason(outcome: .notRecorded, handler: "crt", because: [.repetitious], subject: nil, text: ""))
        _ = s.handle(.escape)      // back to the subjects
        _ = s.handle(.escape)      // back to the reasons, on the one chosen
        #expect(s.mode == .pickReason(outcome: .notRecorded, handler: "crt", selected: 2))
        _ = s.handle(.enter)
        _ = s.handle(.enter)
        _ = type(&s, "same as last month")
        #expect(s.handle(.enter) == [.perform(.override(id: s.items[0].id, outcome: .notRecorded, handler: "crt", because: [.repetitious], subject: nil, reason: "same as last month"))])
    }

    @Test func overrideCanChangeWhomItIsAbout() throws {
        var s = try screen()
        let lists = try #require(s.currentChoices)
        _ = s.handle(.char("o"))
        _ = s.handle(.enter)       // outcome kept
        _ = s.handle(.enter)       // handler kept
        let notPolice = try #require(lists.subjects.firstIndex { $0.code == .notPolice })
        _ = s.handle(.char(Character(String(notPolice + 1))))
        _ = s.handle(.enter)
        guard case .reason(_, _, _, .notPolice?, _) = s.mode else { Issue.record("expected the reason with a new subject, got \(s.mode)"); return }
        _ = type(&s, "a council warden")
        guard case .perform(.override(_, _, _, _, .notPolice?, "a council warden"))? = s.handle(.enter).first else {
            Issue.record("no override with the new subject"); return
        }
    }

    @Test func escapeStepsBackThroughTheOverride() throws {
        var s = try screen()
        _ = s.handle(.char("o"))
        _ = s.handle(.enter)
        _ = s.handle(.enter)
        _ = s.handle(.enter)
        guard case .reason = s.mode else { Issue.record("expected reason mode, got \(s.mode)"); return }
        _ = s.handle(.escape)
        guard case .pickSubject = s.mode else { Issue.record("expected subject list, got \(s.mode)"); return }
        _ = s.handle(.escape)
        guard case .pickHandler = s.mode else { Issue.record("expected handler list, got \(s.mode)"); return }
        _ = s.handle(.escape)
        guard case .pickOutcome = s.mode else { Issue.record("expected outcome list, got \(s.mode)"); return }
        _ = s.handle(.escape)
        #expect(s.mode == .item)
    }

    @Test func digitsJumpInTheList() throws {
        var s = try screen()
        _ = s.handle(.char("o"))
        _ = s.handle(.char("3"))
        #expect(s.mode == .pickOutcome(2))
        _ = s.handle(.char("9"))   // only 4 outcomes: ignored
        #expect(s.mode == .pickOutcome(2))
    }

    @Test func nextPreviousAndEnds() throws {
        var s = try screen()
        _ = s.handle(.char("p"))
        #expect(s.index == 0)
        #expect(s.message?.text == "This is the first item.")
        _ = s.handle(.char("n"))
        _ = s.handle(.right)
        #expect(s.index == 2)
        _ = s.handle(.char("n"))
        #expect(s.index == 2)
        #expect(s.message?.text == "This is the last item.")
        _ = s.handle(.left)
        #expect(s.index == 1)
    }

    @Test func skipPutsTheItemAtTheEnd() throws {
        var s = try screen()
        let first = s.items[0].id
        _ = s.handle(.char("s"))
        #expect(s.items.last?.id == first)
        #expect(s.current?.id != first)
        #expect(s.items.count == 3)
    }

    @Test func searchFindsByTextAndSaysWhenNothingMatches() throws {
        var items = (0..<3).map { Sample.item(id: String(repeating: "\($0)", count: 64), seq: Int64($0 + 1)) }
        items[2].correspondence.subject = "Broken window at the station"
        var s = ReviewScreen(items: items, choices: try Sample.choices(), actor: "x", size: TerminalSize(columns: 80, rows: 24))
        _ = s.handle(.char("/"))
        _ = type(&s, "WINDOW")
        _ = s.handle(.enter)
        #expect(s.index == 2)
        _ = s.handle(.char("/"))
        _ = type(&s, "nowhere-to-be-found")
        _ = s.handle(.enter)
        #expect(s.index == 2)
        #expect(s.message?.isError == true)
    }

    @Test func quitKeysAndCtrlC() throws {
        var s = try screen()
        #expect(s.handle(.char("q")) == [.quit])
        _ = s.handle(.char("a"))
        #expect(s.handle(.char("q")).isEmpty)   // typing a note: q is a letter
        #expect(s.handle(.interrupt) == [.quit])   // Ctrl-C always quits
    }

    @Test func helpAndFullTextToggle() throws {
        var s = try screen()
        _ = s.handle(.char("?"))
        #expect(s.mode == .help)
        _ = s.handle(.char("x"))
        #expect(s.mode == .item)
        _ = s.handle(.char("f"))
        #expect(s.mode == .fullText)
        _ = s.handle(.escape)
        #expect(s.mode == .item)
    }

    @Test func failedActionKeepsTheItemAndSaysWhy() throws {
        var s = try screen()
        _ = s.handle(.char("a"))
        let cmd = s.handle(.enter)
        guard case .perform(let req)? = cmd.first else { Issue.record("no action"); return }
        s.completed(req, result: .failure(ReviewError("database is locked")))
        #expect(s.index == 0)
        #expect(s.message == ScreenMessage(text: "Not saved: database is locked", isError: true))
        #expect(s.acceptedCount == 0)
    }

    @Test func lastActionSaysTheQueueIsDone() throws {
        var s = try screen(1)
        _ = s.handle(.char("a"))
        guard case .perform(let req)? = s.handle(.enter).first else { Issue.record("no action"); return }
        var done = s.items[0]
        done.madeBy = "caseworker:x"
        s.completed(req, result: .success(done))
        #expect(s.message?.text.contains("Queue done: 1 accepted, 0 overridden") == true)
    }

    @Test func queueOrderNeedsCaseworkerFirstThenByDate() {
        let d0 = Sample.received
        var a = Sample.item(id: "a", seq: 1, outcome: .routed, received: d0.addingTimeInterval(100))
        let b = Sample.item(id: "b", seq: 2, outcome: .needsCaseworker, received: d0.addingTimeInterval(300))
        let c = Sample.item(id: "c", seq: 3, outcome: .routed, received: d0)
        var reviewed = Sample.item(id: "d", seq: 4, received: d0.addingTimeInterval(-100))
        reviewed.madeBy = "caseworker:x"
        let order = ReviewQueue.order([a, b, c, reviewed], filter: ReviewFilter())
        #expect(order.map(\.id) == ["b", "c", "a"])
        #expect(ReviewQueue.order([a, b, c, reviewed], filter: ReviewFilter(includeReviewed: true)).map(\.id) == ["b", "c", "a", "d"])
        #expect(ReviewQueue.order([a, b, c], filter: ReviewFilter(outcome: .routed)).map(\.id) == ["c", "a"])
        #expect(ReviewQueue.order([a, b, c], filter: ReviewFilter(since: d0.addingTimeInterval(50))).map(\.id) == ["b", "a"])
        // A caseworker's decision that the rules now disagree with comes back.
        a.madeBy = "caseworker:x"
        a.disagreement = Sample.decision(outcome: .notRecorded)
        #expect(ReviewQueue.order([a], filter: ReviewFilter()).map(\.id) == ["a"])
    }

    @Test func overrideChoicesValidateCodes() throws {
        let lists = OverrideChoices(profile: try TestEnv.cambridgeshire())
        #expect(throws: Never.self) { try lists.validate(outcome: .routed, handler: "psd") }
        var narrow = try TestEnv.cambridgeshire()
        narrow.outcomes = ["routed"]
        #expect(throws: ReviewError.self) { try OverrideChoices(profile: narrow).validate(outcome: .recorded, handler: "psd") }
        #expect(throws: ReviewError.self) { try lists.validate(outcome: .routed, handler: "pcc") }   // a Northamptonshire handler
    }
}

/// Bytes to keys, however the bytes arrive.
struct KeyDecoderTests {
    static let input: [UInt8] = Array("ao\u{1B}[A\u{1B}[B\r\u{1B}[5~é€😀\u{7F}\u{03}q".utf8)
    static let expected: [Key] = [.char("a"), .char("o"), .up, .down, .enter, .pageUp, .char("é"), .char("€"), .char("😀"), .backspace, .interrupt, .char("q")]

    @Test func allAtOnce() {
        var d = KeyDecoder()
        #expect(d.feed(Self.input) == Self.expected)
        #expect(!d.hasPending)
    }

    @Test func byteByByte() {
        var d = KeyDecoder()
        var keys: [Key] = []
        for b in Self.input { keys += d.feed([b]) }
        #expect(keys == Self.expected)
    }

    @Test func oddChunks() {
        var d = KeyDecoder()
        var keys: [Key] = []
        var i = 0
        var size = 1
        while i < Self.input.count {
            let end = min(Self.input.count, i + size)
            keys += d.feed(Self.input[i..<end])
            i = end
            size = size % 4 + 1
        }
        #expect(keys == Self.expected)
    }

    @Test func loneEscapeWaitsThenFlushes() {
        var d = KeyDecoder()
        #expect(d.feed([0x1B]).isEmpty)
        #expect(d.hasPending)
        #expect(d.flush() == [.escape])
        #expect(d.feed([0x1B, UInt8(ascii: "x")]) == [.escape, .char("x")])
    }

    @Test func invalidBytesAreDropped() {
        var d = KeyDecoder()
        #expect(d.feed([0xFF, 0xC3, 0x28, UInt8(ascii: "n")]) == [.char("("), .char("n")])
    }
}
