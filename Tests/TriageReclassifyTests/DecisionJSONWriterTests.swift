import Foundation
import Testing
import TriageCore
@testable import TriageReclassify

/// The direct JSON writer gives, byte for byte, what the `.sortedKeys` encoder
/// gives: on every decision of the corpus, and on decisions built to reach
/// every escape, every optional key and the dates it leaves to the encoder.
@Suite struct DecisionJSONWriterTests {
    static func encoded(_ item: ItemDecision) throws -> String {
        try DecisionOutput.encodedLine(item, encoder: StableJSON.encoder())
    }

    @Test func everyCorpusDecisionIsWrittenAsTheEncoderWritesIt() throws {
        let reclassifier = try Fixture.reclassifier(jobs: 2)
        var written = 0, left = 0
        try reclassifier.run(paths: [Fixture.root.appendingPathComponent("Corpus").path]) { result in
            guard case .decided(let item) = result else { return }
            #expect(try DecisionOutput.jsonLine(item) == (try Self.encoded(item)), "\(item.label)")
            if let line = DecisionJSONWriter.line(item) {
                #expect(line == (try Self.encoded(item)), "\(item.label)")
                written += 1
            } else {
                // Only a date with a fraction of a second (a file's time) is left to the encoder.
                let t = try #require(item.decision.received?.timeIntervalSince1970, "\(item.label)")
                #expect(t.rounded(.down) != t, "\(item.label)")
                left += 1
            }
        }
        #expect(written > 100)
    }

    static func decision(text: String, received: Date?, fact: String?) -> Decision {
        Decision(
            source: "Corpus/\(text).eml", id: "ab12", force: "cambridgeshire", kind: .complaint, subject: .officerOrStaff,
            outcome: .routed, handler: "crt", reasons: [.anonymous], flags: [.serious, .outOfTime], categories: ["other", text],
            rules: ["a.b", text], justification: [
                Evidence(rule: "r", cites: "001 §2.1", segment: "new_text", start: -3, end: 1_000_000, quote: text, fact: fact),
                Evidence(rule: text, cites: "", segment: "field:\(text)", start: 0, end: 0, quote: ""),
            ],
            explanation: "Said: \(text)", decidedBy: DecisionRowReference(row: text, cites: "x/y"), caseworkerNotes: [text, ""],
            rulesetVersion: "0123456789abcdef", received: received)
    }

    @Test func everyEscapeAndOptionalKeyAsTheEncoder() throws {
        var every = ""
        for v in 0..<0x20 { every.unicodeScalars.append(Unicode.Scalar(UInt8(v))) }
        let texts = [every, "\u{7F}\u{80}\u{2028}\u{2029}\u{FEFF}", "a/b\\c\"d", "Café “quoted” 日本 😀 e\u{301}", "", "plain"]
        let dates: [Date?] = [nil, Date(timeIntervalSince1970: 1_793_000_000), Date(timeIntervalSince1970: 0),
                              Date(timeIntervalSince1970: -1), Date(timeIntervalSince1970: -2_208_988_800),
                              Date(timeIntervalSince1970: 951_782_400), Date(timeIntervalSince1970: 1_709_164_799),
                              Date(timeIntervalSince1970: 253_402_300_799)]
        for text in texts {
            for date in dates {
                for fact in [nil, "kind=\(text)"] {
                    for label in ["Corpus/\(text).eml", "archive.mbox@\(text.utf8.count)"] {
                        let item = ItemDecision(label: label, bytes: 1, decision: Self.decision(text: text, received: date, fact: fact))
                        let line = try #require(DecisionJSONWriter.line(item))
                        #expect(line == (try Self.encoded(item)))
                        #expect(try DecisionOutput.jsonLine(item) == line)
                    }
                }
            }
        }
    }

    @Test func datesItDoesNotWriteGoThroughTheEncoder() throws {
        for t in [1_793_000_000.25, -0.5, 253_402_300_800, -2_208_988_801, -30_610_224_000] {
            let item = ItemDecision(label: "x", bytes: 1, decision: Self.decision(text: "x", received: Date(timeIntervalSince1970: t), fact: nil))
            #expect(DecisionJSONWriter.line(item) == nil)
            #expect(try DecisionOutput.jsonLine(item) == (try Self.encoded(item)))
            // The encoder writes the date alone; the writer the rest.
            let encoder = StableJSON.encoder()
            let line = DecisionJSONWriter.line(item) { DecisionJSONWriter.encodedDate($0, encoder: encoder) }
            #expect(line == (try Self.encoded(item)))
            #expect(line != nil)
        }
    }
}
