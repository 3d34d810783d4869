import Foundation
import Testing
import TriageCore
import TriageIngest

/// The one door reads a Maildir through the one Maildir reader: `new/` then
/// `cur/`, each in name order, files only, and every message parsed.
@Suite struct MaildirIngestTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func message(_ subject: String) -> [UInt8] {
        Array("From: Ann Writer <ann@example.com>\r\nTo: office@example.org\r\nSubject: \(subject)\r\nDate: Tue, 06 Oct 2026 08:49:37 +0100\r\n\r\nThe officer at the desk was rude to me.\r\n".utf8)
    }

    @Test func maildirThroughTheDoor() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-maildir-\(UUID().uuidString)")
        let fm = FileManager.default
        for sub in ["new", "cur", "tmp", "cur/not-a-message"] {
            try fm.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        defer { try? fm.removeItem(at: dir) }
        try Data(Self.message("second")).write(to: dir.appendingPathComponent("new/200.M1P1.host"))
        try Data(Self.message("first")).write(to: dir.appendingPathComponent("new/100.M1P1.host"))
        try Data(Self.message("seen")).write(to: dir.appendingPathComponent("cur/050.M1P1.host:2,S"))
        try Data(Self.message("hidden")).write(to: dir.appendingPathComponent("new/.hidden"))
        try Data(Self.message("scratch")).write(to: dir.appendingPathComponent("tmp/300.M1P1.host"))

        let ingester = try Ingester(rulesDirectory: Self.repo.appendingPathComponent("Rules"))
        var locators: [String] = []
        var subjects: [String] = []
        for entry in ItemSource(paths: [dir.path]) {
            switch entry {
            case .unreadable(let error): Issue.record("unreadable: \(error)")
            case .item(let raw, let fileTime):
                locators.append(raw.locator ?? "")
                subjects.append(try ingester.parse(raw, fileTime: fileTime).subject ?? "")
            }
        }
        #expect(locators == ["new/100.M1P1.host", "new/200.M1P1.host", "cur/050.M1P1.host:2,S"])
        #expect(subjects == ["first", "second", "seen"])
    }
}
