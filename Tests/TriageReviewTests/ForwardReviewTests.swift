import Foundation
import Testing
import TriageCore
import TriageStore
@testable import TriageReview

/// The caseworker sees everything the writer sent: an attached message (who
/// wrote it, when, its subject and text, the evidence in it) and an attached
/// letter's text, on the review screen and in `triage show`.
@Suite(.serialized) struct ForwardReviewTests {
    static let forwards = TestEnv.repoRoot.appendingPathComponent("Tests/Fixtures/forwards")

    static func fixture(_ name: String) throws -> (name: String, text: String) {
        (name, try String(contentsOf: forwards.appendingPathComponent(name), encoding: .utf8))
    }

    @Test func theScreenShowsTheAttachedMessageWithItsEvidence() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, _, ids) = try TestEnv.makeStore(in: dir, files: [], extra: [try Self.fixture("attached-rfc822.eml")])
        let id = try #require(ids["attached-rfc822.eml"])
        let item = try #require(try TestEnv.service(store).queue(ReviewFilter()).first { $0.id == id })
        let screen = ReviewRenderer(colour: false).itemDocument(item, width: 160).map { $0.map(\.text).joined() }.joined(separator: "\n")
        #expect(screen.contains("Forwarded message (attached)"), "\(screen)")
        #expect(screen.contains("Edith Example <edith.example@example.com>"), "\(screen)")
        #expect(screen.contains("wrote what this item says; sent by Tom Neighbour"), "\(screen)")
        #expect(screen.contains("Subject Police visit last week"), "\(screen)")
        #expect(screen.contains("PC 4471"), "\(screen)")
        #expect(screen.contains("[["), "evidence is highlighted in the forwarded text: \(screen)")
    }

    @Test func thePseudoTerminalShowsAnAttachedMessage() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, db, _) = try TestEnv.makeStore(in: dir, files: [], extra: [try Self.fixture("attached-rfc822.eml")])
        let pty = try PseudoTerminal(args: ["review", "--db", db, "--as", "Pat Tester", "--rules", TestEnv.rulesURL.path],
                                     columns: 100, rows: 50, environment: ["NO_COLOR": "1", "TERM": "xterm"])
        #expect(pty.wait(for: "item 1 of 1"), "\(pty.all)")
        #expect(pty.wait(for: "Forwarded message (attached)"), "\(pty.recent)")
        #expect(pty.wait(for: "Edith Example"), "\(pty.recent)")
        #expect(pty.wait(for: "refused to take a statement"), "\(pty.recent)")
        pty.send("q")
        #expect(pty.waitForExit() == 0)
    }

    @Test func theScreenShowsALetterAndAScanIsFlagged() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, _, ids) = try TestEnv.makeStore(in: dir, files: [], extra: [
            try Self.fixture("attached-letter-pdf.eml"), try Self.fixture("attached-scanned-pdf.eml"),
        ])
        let queue = try TestEnv.service(store).queue(ReviewFilter())
        let renderer = ReviewRenderer(colour: false)
        func screen(_ name: String) throws -> String {
            let id = try #require(ids[name])
            let item = try #require(queue.first { $0.id == id })
            return renderer.itemDocument(item, width: 90).map { $0.map(\.text).joined() }.joined(separator: "\n")
        }
        let letter = try screen("attached-letter-pdf.eml")
        #expect(letter.contains("Attached letter: letter.pdf (PDF)"), "\(letter)")
        #expect(letter.contains("who attended my home on 28 October 2026"), "\(letter)")
        #expect(letter.contains("[[I wish to complain]]"), "the evidence is highlighted in the letter: \(letter)")
        let scan = try screen("attached-scanned-pdf.eml")
        #expect(scan.contains("scanned attachment: no text"), "\(scan)")
    }

    @Test func showListsForwardsAuthorAndLetters() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, db, ids) = try TestEnv.makeStore(in: dir, files: [], extra: [try Self.fixture("attached-nested.eml")])
        let id = try #require(ids["attached-nested.eml"])
        let (status, out, err) = try TestEnv.run(["show", "--db", db, String(id.prefix(12))])
        #expect(status == 0, "\(err)")
        #expect(out.contains("written by: Edith Example <edith.example@example.com> (forwarded by the sender, Tom Neighbour"), "\(out)")
        #expect(out.contains("forwarded messages (2):"), "\(out)")
        #expect(out.contains("1. attached · from Ann Daughter"), "\(out)")
        #expect(out.contains("2. attached · from Edith Example"), "\(out)")
        #expect(out.contains("| PC 4471 came round"), "\(out)")
        let (jsonStatus, json, _) = try TestEnv.run(["show", "--db", db, "--format", "json", String(id.prefix(12))])
        #expect(jsonStatus == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect((object["forwards"] as? [Any])?.count == 2)
        #expect((object["author"] as? [String: Any])?["name"] as? String == "Edith Example")
    }
}
