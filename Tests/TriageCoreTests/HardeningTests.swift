import Foundation
import Testing
@testable import TriageCore

/// Issue 13: the output sanitiser and the per-item budget, as pure functions.
struct TerminalSafeTests {
    @Test func controlsAndEscapeSequencesAreShownNotEmitted() {
        let hostile = "Rude \u{1B}[2J\u{1B}]0;title\u{07}\u{1B}]8;;https://example.com/\u{07}link\u{1B}]8;;\u{07} \u{9B}31m \u{202E}dlrow\u{200B}\u{7F}"
        let shown = TerminalSafe.inline(hostile)
        #expect(!shown.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x202E || $0.value == 0x200B })
        #expect(shown == "Rude \\x1b[2J\\x1b]0;title\\x07\\x1b]8;;https://example.com/\\x07link\\x1b]8;;\\x07 \\x9b31m \\u{202e}dlrow\\u{200b}\\x7f")
    }

    @Test func inlineEscapesLineBreaksAndBlockKeepsThem() {
        #expect(TerminalSafe.inline("a\nb\tc\r") == "a\\x0ab\\x09c\\x0d")
        #expect(TerminalSafe.block("a\nb\tc\r\u{1B}") == "a\nb\tc\\x0d\\x1b")
    }

    @Test func ordinaryTextIsUnchanged() {
        for text in ["Thank you — PC Smith’s help was “excellent”.", "東京 café naïve 🙂", "", "100% (a) [b] {c} \\ /"] {
            #expect(TerminalSafe.inline(text) == text)
            #expect(TerminalSafe.block(text) == text)
            #expect(TerminalSafe.isInlineSafe(text))
        }
    }
}

struct ItemBudgetTests {
    static func item(_ text: String) -> Correspondence {
        Correspondence(
            channel: .email, sender: nil, date: nil, subject: "s",
            body: Body(text: text, segments: [Segment(kind: .newText, start: 0, end: text.unicodeScalars.count)]),
            formFields: [], attachments: [], provenance: Provenance(source: "t.eml", sha256: "abc", size: 0, format: "eml"))
    }

    @Test func anItemWithinTheBudgetIsRead() {
        let b = ItemBudget(maxItemBytes: 1000, maxClassifyCharacters: 100)
        #expect(b.excess(Self.item(String(repeating: "a", count: 99)), rawBytes: 1000) == nil)
    }

    @Test func textOverTheBudgetIsNamed() throws {
        let b = ItemBudget(maxItemBytes: 1000, maxClassifyCharacters: 100)
        let why = try #require(b.excess(Self.item(String(repeating: "a", count: 100)), rawBytes: 10))
        #expect(why.contains("100 characters"))
        #expect(why.contains("TRIAGE_MAX_CLASSIFY_CHARS"))
        let d = ItemBudget.tooLargeDecision(for: Self.item("x"), force: "cambridgeshire", rulesetVersion: "v", now: nil, why: why)
        #expect(d.outcome == .needsCaseworker)
        #expect(d.handler == "caseworker")
        #expect(d.caseworkerNotes.first?.contains("too large to read automatically") == true)
        #expect(d.decidedBy.row == ItemBudget.row)
    }

    @Test func rawSizeOverTheBudgetIsNamed() {
        let b = ItemBudget(maxItemBytes: 1000, maxClassifyCharacters: 0)
        #expect(b.excess(Self.item("a"), rawBytes: 1001)?.contains("1000-byte limit") == true)
        #expect(b.excess(Self.item(String(repeating: "a", count: 1_000_000)), rawBytes: 10) == nil, "0 turns the text limit off")
    }

    @Test func settingsComeFromTheEnvironment() throws {
        #expect(try ItemBudget(environment: [:]) == .defaults)
        let b = try ItemBudget(environment: ["TRIAGE_MAX_ITEM_BYTES": "2048", "TRIAGE_MAX_CLASSIFY_CHARS": "0"])
        #expect(b.maxItemBytes == 2048)
        #expect(b.maxClassifyCharacters == 0)
        #expect(throws: ItemBudgetError.self) { try ItemBudget(environment: ["TRIAGE_MAX_ITEM_BYTES": "-1"]) }
        #expect(throws: ItemBudgetError.self) { try ItemBudget(environment: ["TRIAGE_MAX_CLASSIFY_CHARS": "lots"]) }
    }
}
