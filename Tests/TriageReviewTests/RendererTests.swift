import Foundation
import Testing
import TriageCore
@testable import TriageReview

/// Drawing the screen: width, markers or colour, folding, resize.
struct RendererTests {
    func screen(columns: Int = 80, rows: Int = 30, items: [ReviewItem]? = nil) throws -> ReviewScreen {
        ReviewScreen(items: items ?? [Sample.item(id: String(repeating: "a", count: 64))], choices: try Sample.choices(),
                     actor: "A. Caseworker", size: TerminalSize(columns: columns, rows: rows))
    }

    func visibleWidth(_ s: String) -> Int {
        let r = ReviewRenderer(colour: false)
        return r.cells(s, .plain).reduce(0) { $0 + $1.width }
    }

    @Test func showsWhoWhenChannelSubjectDecisionExplanationAndMarkedEvidence() throws {
        let f = ReviewRenderer(colour: false).frame(try screen())
        let text = f.plainLines.joined(separator: "\n")
        #expect(text.contains("Alex Sample <alex@example.org>"))
        #expect(text.contains("email"))
        #expect(text.contains("Rude officer"))
        #expect(text.contains("ROUTED → crt"))
        #expect(text.contains("A complaint about an officer goes to the CRT."))
        #expect(text.contains("was [[very rude]] to me"))
        #expect(f.lines == f.plainLines)   // no colour: no escape codes at all
        #expect(!text.contains("\u{1B}"))
        #expect(text.contains("a accept"))
        #expect(text.contains("o override"))
        #expect(text.contains("? help"))
    }

    @Test func quotedTextAndSignatureAreFoldedUntilFullText() throws {
        var s = try screen()
        let folded = ReviewRenderer(colour: false).frame(s).plainLines.joined(separator: "\n")
        #expect(!folded.contains("Thank you for contacting us"))
        #expect(!folded.contains("-- "))
        #expect(folded.contains("folded: quoted text (2 lines), signature (2 lines)"))
        _ = s.handle(.char("f"))
        let full = ReviewRenderer(colour: false).frame(s).plainLines.joined(separator: "\n")
        #expect(full.contains("> Thank you for contacting us."))
        #expect(full.contains("── quoted"))
        #expect(full.contains("Alex Sample"))
    }

    @Test func colourHighlightsInsteadOfMarkers() throws {
        let f = ReviewRenderer(colour: true).frame(try screen())
        let coloured = f.lines.joined(separator: "\n")
        #expect(coloured.contains("\u{1B}[0;1;30;43mvery rude"))
        #expect(!coloured.contains("[[very rude]]"))
        #expect(f.plainLines.joined(separator: "\n").contains("was very rude to me"))
    }

    @Test(arguments: [(20, 12), (32, 16), (45, 10), (80, 24), (132, 50), (8, 4), (1, 1)])
    func everyLineFitsAndTheFrameFillsTheScreen(columns: Int, rows: Int) throws {
        var s = try screen(columns: columns, rows: rows)
        for key: Key in [.char("?"), .escape, .char("f"), .escape, .char("o"), .down, .enter, .enter, .char("x")] {
            _ = s.handle(key)
            let f = ReviewRenderer(colour: false).frame(s)
            #expect(f.plainLines.count == rows)
            for line in f.plainLines { #expect(visibleWidth(line) <= columns, "\(columns)x\(rows) \(s.mode): \(line)") }
        }
    }

    @Test func resizeRewrapsTheText() throws {
        var s = try screen(columns: 100, rows: 40)
        let wide = ReviewRenderer(colour: false).frame(s)
        s.resize(TerminalSize(columns: 30, rows: 40))
        let narrow = ReviewRenderer(colour: false).frame(s)
        #expect(narrow.plainLines.allSatisfy { visibleWidth($0) <= 30 })
        #expect(narrow.plainLines.joined().contains("[[very rude]]"))
        let nonEmpty = { (f: Frame) in f.plainLines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.count }
        #expect(nonEmpty(narrow) > nonEmpty(wide))
    }

    @Test func shortTerminalScrollsAndSaysThereIsMore() throws {
        var s = try screen(columns: 40, rows: 8)
        let f = ReviewRenderer(colour: false).frame(s)
        #expect(f.maxScroll > 0)
        #expect(f.plainLines.contains { $0.contains("↓ more") })
        _ = s.handle(.char("G"))
        s.clampScroll(to: f.maxScroll)
        #expect(s.scroll == f.maxScroll)
        let bottom = ReviewRenderer(colour: false).frame(s)
        #expect(!bottom.plainLines.contains { $0.contains("↓ more") })
    }

    @Test func pickListKeepsTheSelectionInView() throws {
        var s = try screen(columns: 60, rows: 9)
        _ = s.handle(.char("o"))
        _ = s.handle(.enter)   // handler list (13 handlers)
        for _ in 0..<12 { _ = s.handle(.down) }
        guard case .pickHandler(_, let sel) = s.mode else { Issue.record("not in the handler list"); return }
        let lists = try #require(s.currentChoices)
        let f = ReviewRenderer(colour: false).frame(s)
        #expect(f.plainLines.contains { $0.hasPrefix("> ") && $0.contains(lists.handlers[sel].code) })
    }

    @Test func controlCharactersInTheTextCannotReachTheTerminal() throws {
        var item = Sample.item(id: String(repeating: "b", count: 64))
        item.correspondence.subject = "Hi\u{1B}[2J\u{202E}there\u{07}"
        let f = ReviewRenderer(colour: false).frame(try screen(items: [item]))
        let text = f.lines.joined()
        #expect(!text.contains("\u{1B}"))
        #expect(!text.contains("\u{202E}"))
        #expect(!text.contains("\u{07}"))
        #expect(text.contains("Hi�[2Jthere�"))
    }

    @Test func wideCharactersCountTwice() {
        let r = ReviewRenderer(colour: false)
        let lines = r.wrap(r.cells("漢字漢字漢字", .plain), width: 5)
        #expect(lines.map { $0.map(\.text).joined() } == ["漢字", "漢字", "漢字"])
    }

    @Test func emptyQueueSaysSo() throws {
        let s = try screen(items: [])
        let text = ReviewRenderer(colour: false).frame(s).plainLines.joined(separator: "\n")
        #expect(text.contains("Nothing to review"))
    }
}
