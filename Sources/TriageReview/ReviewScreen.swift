import Foundation
import TriageCore

/// The size of the terminal, in character cells.
public struct TerminalSize: Equatable, Sendable {
    public var columns: Int
    public var rows: Int

    /// Creates a size (at least 1×1).
    public init(columns: Int, rows: Int) {
        self.columns = max(1, columns)
        self.rows = max(1, rows)
    }
}

/// What the screen is showing.
public enum ScreenMode: Equatable, Sendable {
    /// One item: the decision, its explanation and the new text with the evidence.
    case item
    /// The whole body, quoted parts and signature unfolded.
    case fullText
    /// The keys.
    case help
    /// Typing a search.
    case search(String)
    /// Typing an optional note before accepting.
    case acceptNote(String)
    /// Picking the outcome of an override (index into the force's list).
    case pickOutcome(Int)
    /// Picking the handler of an override.
    case pickHandler(outcome: Outcome, selected: Int)
    /// Picking why it is not recorded (only for a `not_recorded` override).
    case pickReason(outcome: Outcome, handler: String, selected: Int)
    /// Picking whom it is about (Enter on the current subject keeps it).
    case pickSubject(outcome: Outcome, handler: String, because: [NotRecordedReason], selected: Int)
    /// Typing the (required) reason for an override; `subject` is nil when unchanged.
    case reason(outcome: Outcome, handler: String, because: [NotRecordedReason], subject: SubjectRole?, text: String)
}

/// An action for the store, asked for by the screen.
public enum ScreenRequest: Equatable, Sendable {
    case accept(id: String, note: String?)
    /// `subject` is nil when the caseworker kept the one the rules read.
    case override(id: String, outcome: Outcome, handler: String, because: [NotRecordedReason], subject: SubjectRole?, reason: String)

    /// The item the action is for.
    public var itemID: String {
        switch self {
        case .accept(let id, _), .override(let id, _, _, _, _, _): return id
        }
    }
}

/// What the screen asks its driver to do after a key.
public enum ScreenCommand: Equatable, Sendable {
    /// Commit this action now, then report it with ``ReviewScreen/completed(_:result:)``.
    case perform(ScreenRequest)
    /// Fetch the queue again and hand it to ``ReviewScreen/reload(_:)`` (items that
    /// arrived since the screen opened, or changed elsewhere).
    case reload
    /// Leave the screen.
    case quit
}

/// A line of feedback under the item.
public struct ScreenMessage: Equatable, Sendable {
    public var text: String
    public var isError: Bool
}

/// The interactive review as a value-type state machine: keys in, commands
/// out. It does no I/O; its driver commits the actions it asks for and tells it
/// the result, and a ``ReviewRenderer`` draws it.
public struct ReviewScreen: Equatable, Sendable {
    /// The queue, in order.
    public private(set) var items: [ReviewItem]
    /// The item shown.
    public private(set) var index: Int
    public private(set) var mode: ScreenMode
    public private(set) var message: ScreenMessage?
    /// First line of the document shown (clamped by the driver, see ``clampScroll(to:)``).
    public private(set) var scroll: Int
    public private(set) var size: TerminalSize
    /// Override lists by force id.
    public let choices: [String: OverrideChoices]
    /// The caseworker's name.
    public let actor: String
    public private(set) var lastSearch: String?
    /// Ids of the items acted on in this session.
    public private(set) var actedOn: Set<String>
    public private(set) var acceptedCount: Int
    public private(set) var overriddenCount: Int

    /// Creates the screen on the first item of the queue.
    /// - Parameters:
    ///   - items: the queue.
    ///   - choices: override lists by force id.
    ///   - actor: the caseworker's name (shown; actions are recorded under it by the driver).
    ///   - size: the terminal's size.
    public init(items: [ReviewItem], choices: [String: OverrideChoices], actor: String, size: TerminalSize) {
        self.items = items
        self.index = 0
        self.mode = .item
        self.message = nil
        self.scroll = 0
        self.size = size
        self.choices = choices
        self.actor = actor
        self.lastSearch = nil
        self.actedOn = []
        self.acceptedCount = 0
        self.overriddenCount = 0
    }

    /// The item shown, if the queue is not empty.
    public var current: ReviewItem? { items.indices.contains(index) ? items[index] : nil }

    /// The override lists for the item shown.
    public var currentChoices: OverrideChoices? { current.flatMap { choices[$0.decision.force] } }

    /// The terminal changed size.
    public mutating func resize(_ newSize: TerminalSize) {
        size = newSize
    }

    /// Takes a freshly fetched queue: items already listed are updated in place
    /// (the one shown stays shown), new ones are added at the end.
    public mutating func reload(_ queue: [ReviewItem]) {
        let known = Set(items.map(\.id))
        var fresh: [String: ReviewItem] = [:]
        for item in queue { fresh[item.id] = item }
        for k in items.indices { if let f = fresh[items[k].id] { items[k] = f } }
        let added = queue.filter { !known.contains($0.id) }
        items += added
        if current == nil && !items.isEmpty { index = 0 }
        message = ScreenMessage(text: added.isEmpty ? "Queue reloaded: nothing new."
                                : "Queue reloaded: \(added.count) new item\(added.count == 1 ? "" : "s") at the end.", isError: false)
    }

    /// Says that the queue could not be fetched again (the screen keeps what it has).
    public mutating func reloadFailed(_ problem: String) {
        message = ScreenMessage(text: "Could not reload the queue: \(problem)", isError: true)
    }

    /// Puts a fresh copy of an item in the queue (after it changed elsewhere).
    public mutating func refresh(_ item: ReviewItem) {
        if let i = items.firstIndex(where: { $0.id == item.id }) { items[i] = item }
    }

    /// Keeps the scroll position within the document (the renderer knows its length).
    public mutating func clampScroll(to maxScroll: Int) {
        scroll = max(0, min(scroll, maxScroll))
    }

    /// Handles one key.
    /// - Returns: what the driver must do (nothing, commit an action, or quit).
    public mutating func handle(_ key: Key) -> [ScreenCommand] {
        if key == .interrupt { return [.quit] }
        switch mode {
        case .item: return handleItemKey(key)
        case .fullText: return handleFullTextKey(key)
        case .help:
            if key == .char("q") { return [.quit] }
            mode = .item
            scroll = 0
            return []
        case .search(let text):
            switch editText(text, key) {
            case .edited(let t): mode = .search(t)
            case .cancelled: mode = .item
            case .submitted(let t):
                mode = .item
                search(t.isEmpty ? (lastSearch ?? "") : t)
            }
            return []
        case .acceptNote(let text):
            switch editText(text, key) {
            case .edited(let t): mode = .acceptNote(t)
            case .cancelled:
                mode = .item
                message = ScreenMessage(text: "Not accepted.", isError: false)
            case .submitted(let t):
                guard let item = current else { mode = .item; return [] }
                let note = t.trimmingCharacters(in: .whitespacesAndNewlines)
                return [.perform(.accept(id: item.id, note: note.isEmpty ? nil : note))]
            }
            return []
        case .pickOutcome(let selected):
            guard let lists = currentChoices else { mode = .item; return [] }
            switch pick(selected, count: lists.outcomes.count, key) {
            case .moved(let s): mode = .pickOutcome(s)
            case .cancelled:
                mode = .item
                message = ScreenMessage(text: "Override cancelled.", isError: false)
            case .chosen(let s):
                let outcome = lists.outcomes[s].code
                let currentHandler = current?.decision.handler ?? ""
                mode = .pickHandler(outcome: outcome, selected: lists.handlers.firstIndex { $0.code == currentHandler } ?? 0)
            }
            return []
        case .pickHandler(let outcome, let selected):
            guard let lists = currentChoices else { mode = .item; return [] }
            switch pick(selected, count: lists.handlers.count, key) {
            case .moved(let s): mode = .pickHandler(outcome: outcome, selected: s)
            case .cancelled:
                mode = .pickOutcome(lists.outcomes.firstIndex { $0.code == outcome } ?? 0)
            case .chosen(let s):
                if outcome == .notRecorded {
                    let now = current?.decision.reasons.first
                    mode = .pickReason(outcome: outcome, handler: lists.handlers[s].code,
                                       selected: lists.reasons.firstIndex { $0.code == now } ?? 0)
                } else {
                    mode = .pickSubject(outcome: outcome, handler: lists.handlers[s].code, because: [],
                                        selected: subjectIndex(nil, in: lists))
                }
            }
            return []
        case .pickReason(let outcome, let handler, let selected):
            guard let lists = currentChoices else { mode = .item; return [] }
            switch pick(selected, count: lists.reasons.count, key) {
            case .moved(let s): mode = .pickReason(outcome: outcome, handler: handler, selected: s)
            case .cancelled:
                mode = .pickHandler(outcome: outcome, selected: lists.handlers.firstIndex { $0.code == handler } ?? 0)
            case .chosen(let s):
                mode = .pickSubject(outcome: outcome, handler: handler, because: [lists.reasons[s].code],
                                    selected: subjectIndex(nil, in: lists))
            }
            return []
        case .pickSubject(let outcome, let handler, let because, let selected):
            guard let lists = currentChoices else { mode = .item; return [] }
            switch pick(selected, count: lists.subjects.count, key) {
            case .moved(let s): mode = .pickSubject(outcome: outcome, handler: handler, because: because, selected: s)
            case .cancelled:
                if outcome == .notRecorded {
                    mode = .pickReason(outcome: outcome, handler: handler, selected: lists.reasons.firstIndex { $0.code == because.first } ?? 0)
                } else {
                    mode = .pickHandler(outcome: outcome, selected: lists.handlers.firstIndex { $0.code == handler } ?? 0)
                }
            case .chosen(let s):
                let code = lists.subjects[s].code
                mode = .reason(outcome: outcome, handler: handler, because: because,
                               subject: code == current?.decision.subject ? nil : code, text: "")
            }
            return []
        case .reason(let outcome, let handler, let because, let subject, let text):
            switch editText(text, key) {
            case .edited(let t): mode = .reason(outcome: outcome, handler: handler, because: because, subject: subject, text: t)
            case .cancelled:
                if let lists = currentChoices {
                    mode = .pickSubject(outcome: outcome, handler: handler, because: because, selected: subjectIndex(subject, in: lists))
                } else {
                    mode = .item
                }
            case .submitted(let t):
                let why = t.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !why.isEmpty else {
                    message = ScreenMessage(text: "A reason is required for an override.", isError: true)
                    return []
                }
                guard let item = current else { mode = .item; return [] }
                return [.perform(.override(id: item.id, outcome: outcome, handler: handler, because: because, subject: subject, reason: why))]
            }
            return []
        }
    }

    /// Reports the result of a committed (or failed) action.
    /// - Parameters:
    ///   - request: the action asked for.
    ///   - result: the item afterwards, or what went wrong.
    public mutating func completed(_ request: ScreenRequest, result: Result<ReviewItem, ReviewError>) {
        switch result {
        case .failure(let error):
            message = ScreenMessage(text: "Not saved: \(error.message)", isError: true)
            mode = .item
        case .success(let updated):
            if let i = items.firstIndex(where: { $0.id == updated.id }) { items[i] = updated }
            actedOn.insert(updated.id)
            switch request {
            case .accept:
                acceptedCount += 1
                message = ScreenMessage(text: "Saved: accepted \(updated.shortID) (\(updated.decision.outcome) → \(updated.decision.handler)).", isError: false)
            case .override(_, let outcome, let handler, _, let subject, _):
                overriddenCount += 1
                let about = subject.map { ", about \($0)" } ?? ""
                message = ScreenMessage(text: "Saved: overrode \(updated.shortID) to \(outcome) → \(handler)\(about).", isError: false)
            }
            mode = .item
            advanceToNextOpen()
        }
    }

    // MARK: - Keys by mode

    private mutating func handleItemKey(_ key: Key) -> [ScreenCommand] {
        guard current != nil else {
            if key == .char("q") || key == .endOfInput { return [.quit] }
            if key == .char("?") { mode = .help }
            if key == .char("r") { return [.reload] }
            return []
        }
        switch key {
        case .char("q"), .endOfInput: return [.quit]
        case .char("r"): return [.reload]
        case .char("?"): mode = .help; scroll = 0
        case .char("a"):
            if current?.decision.outcome == .needsCaseworker {
                message = ScreenMessage(text: "This item needs your decision: press o to pick the outcome and handler.", isError: true)
            } else {
                mode = .acceptNote("")
                message = nil
            }
        case .char("o"):
            guard let lists = currentChoices, let item = current else {
                message = ScreenMessage(text: "No force profile '\(current?.decision.force ?? "")' in the rules: cannot override here.", isError: true)
                return []
            }
            message = nil
            mode = .pickOutcome(lists.outcomes.firstIndex { $0.code == item.decision.outcome } ?? 0)
        case .char("n"), .right: move(by: 1)
        case .char("p"), .left: move(by: -1)
        case .char("s"): skip()
        case .char("f"), .char("t"): mode = .fullText; scroll = 0
        case .char("/"): mode = .search(""); message = nil
        default: scrollKey(key)
        }
        return []
    }

    private mutating func handleFullTextKey(_ key: Key) -> [ScreenCommand] {
        switch key {
        case .char("q"), .endOfInput: return [.quit]
        case .char("f"), .char("t"), .escape, .enter: mode = .item; scroll = 0
        case .char("?"): mode = .help; scroll = 0
        case .char("n"), .right: mode = .item; move(by: 1)
        case .char("p"), .left: mode = .item; move(by: -1)
        default: scrollKey(key)
        }
        return []
    }

    private mutating func scrollKey(_ key: Key) {
        let page = max(1, size.rows - 4)
        switch key {
        case .down, .char("j"): scroll += 1
        case .up, .char("k"): scroll = max(0, scroll - 1)
        case .pageDown, .char(" "): scroll += page
        case .pageUp, .char("b"): scroll = max(0, scroll - page)
        case .home, .char("g"): scroll = 0
        case .end, .char("G"): scroll = Int.max / 2
        default: break
        }
    }

    // MARK: - Moves

    private mutating func move(by delta: Int) {
        let target = index + delta
        guard items.indices.contains(target) else {
            message = ScreenMessage(text: delta > 0 ? "This is the last item." : "This is the first item.", isError: false)
            return
        }
        index = target
        scroll = 0
        message = nil
    }

    private mutating func skip() {
        guard items.count > 1 else {
            message = ScreenMessage(text: "Skipped (it is the only item).", isError: false)
            return
        }
        let item = items.remove(at: index)
        items.append(item)
        if index >= items.count { index = 0 }
        scroll = 0
        message = ScreenMessage(text: "Skipped \(item.shortID): it comes round again at the end of the queue.", isError: false)
    }

    /// After an action: the next item not yet acted on in this session, after the current one (wrapping).
    private mutating func advanceToNextOpen() {
        scroll = 0
        guard !items.isEmpty else { return }
        for step in 1...items.count {
            let i = (index + step) % items.count
            if !actedOn.contains(items[i].id) {
                index = i
                return
            }
        }
        let done = "Queue done: \(acceptedCount) accepted, \(overriddenCount) overridden, all saved. Press q to quit."
        message = ScreenMessage(text: (message.map { $0.text + " " } ?? "") + done, isError: false)
    }

    private mutating func search(_ text: String) {
        let needle = text.trimmingCharacters(in: .whitespaces)
        guard !needle.isEmpty else { return }
        lastSearch = needle
        guard !items.isEmpty else { return }
        for step in 1...items.count {
            let i = (index + step) % items.count
            if Self.matches(items[i], needle) {
                index = i
                scroll = 0
                message = ScreenMessage(text: "Found “\(needle)”: item \(i + 1) of \(items.count). / then Enter finds the next.", isError: false)
                return
            }
        }
        message = ScreenMessage(text: "No item contains “\(needle)”.", isError: true)
    }

    static func matches(_ item: ReviewItem, _ needle: String) -> Bool {
        let c = item.correspondence
        let fields: [String?] = [c.subject, c.sender?.name, c.sender?.address, c.body.text, item.decision.explanation,
                      item.decision.outcome.rawValue, item.decision.handler, item.decision.kind.rawValue, item.decision.subject.rawValue, item.id]
        return fields.contains { ($0 ?? "").range(of: needle, options: [.caseInsensitive, .diacriticInsensitive]) != nil }
    }

    // MARK: - Editing helpers

    enum EditResult { case edited(String), cancelled, submitted(String) }

    private func editText(_ text: String, _ key: Key) -> EditResult {
        switch key {
        case .escape: return .cancelled
        case .enter: return .submitted(text)
        case .backspace: return .edited(String(text.dropLast()))
        case .char(let c): return .edited(text.count < 2000 ? text + String(c) : text)
        case .tab: return .edited(text + " ")
        default: return .edited(text)
        }
    }

    enum PickResult { case moved(Int), cancelled, chosen(Int) }

    /// Where the subject list starts: on `subject`, else on the one the item has now.
    private func subjectIndex(_ subject: SubjectRole?, in lists: OverrideChoices) -> Int {
        let code = subject ?? current?.decision.subject
        return lists.subjects.firstIndex { $0.code == code } ?? 0
    }

    private func pick(_ selected: Int, count: Int, _ key: Key) -> PickResult {
        guard count > 0 else { return .cancelled }
        switch key {
        case .escape: return .cancelled
        case .enter: return .chosen(max(0, min(selected, count - 1)))
        case .up, .char("k"): return .moved((selected - 1 + count) % count)
        case .down, .char("j"), .tab: return .moved((selected + 1) % count)
        case .home: return .moved(0)
        case .end: return .moved(count - 1)
        case .char(let c):
            if let n = c.wholeNumberValue, n >= 1, n <= count { return .moved(n - 1) }
            return .moved(selected)
        default: return .moved(selected)
        }
    }
}
