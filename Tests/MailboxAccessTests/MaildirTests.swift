import Foundation
import Testing
@testable import MailboxAccess

/// Maildir listing, reading and marking on a temporary Maildir.
struct MaildirTests {
    private func makeMaildir(_ options: (inout MaildirMailbox) -> Void = { _ in }) throws -> MaildirMailbox {
        var maildir = MaildirMailbox(path: try TestSupport.temporaryDirectory("maildir"))
        options(&maildir)
        for (index, name) in TestSupport.fixtureNames.enumerated() {
            try maildir.deliver(TestSupport.fixture(name), uniqueName: "170000000\(index).M1P1.test")
        }
        return maildir
    }

    private func files(_ maildir: MaildirMailbox, _ sub: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: maildir.path + "/" + sub)) ?? []).sorted()
    }

    @Test func listReadAndMarkAsMailClientsDo() throws {
        let maildir = try makeMaildir()
        try maildir.validate()
        let entries = try maildir.list()
        #expect(entries.map(\.uniqueName) == ["1700000000.M1P1.test", "1700000001.M1P1.test", "1700000002.M1P1.test"])
        #expect(entries.allSatisfy { $0.isNew })
        #expect(entries[0].locator == "maildir:1700000000.M1P1.test")

        let message = try maildir.read(uniqueName: entries[1].uniqueName)
        #expect(message.bytes == TestSupport.fixture("02-enquiry.eml"))
        #expect(message.locator == "maildir:1700000001.M1P1.test")
        #expect(message.source == maildir.path)
        #expect(message.rawItem.label == "\(maildir.path)#maildir:1700000001.M1P1.test")

        #expect(try maildir.mark(uniqueName: entries[1].uniqueName) == "1700000001.M1P1.test:2,S")
        #expect(files(maildir, "cur") == ["1700000001.M1P1.test:2,S"])
        #expect(files(maildir, "new") == ["1700000000.M1P1.test", "1700000002.M1P1.test"])
        #expect(maildir.isMarked(uniqueName: entries[1].uniqueName))
        #expect(!maildir.isMarked(uniqueName: entries[0].uniqueName))
        #expect(try maildir.list().count == 2)

        // Marking again changes nothing; reading still works after the move.
        #expect(try maildir.mark(uniqueName: entries[1].uniqueName) == "1700000001.M1P1.test:2,S")
        #expect(try maildir.read(uniqueName: entries[1].uniqueName).bytes == message.bytes)
    }

    @Test func flagsAreMergedAndSortedWithAKeywordMarker() throws {
        let maildir = try makeMaildir { $0.triagedFlag = "a" }
        // A client already flagged one and moved it to cur/.
        let name = "1700000000.M1P1.test"
        #expect(rename(maildir.path + "/new/" + name, maildir.path + "/cur/" + name + ":2,F") == 0)
        #expect(try maildir.mark(uniqueName: name) == name + ":2,FSa")
        #expect(maildir.isMarked(uniqueName: name))
        #expect(MaildirMailbox.mergedFlags("SaF", "RS") == "FRSa")
    }

    @Test func includeCurListsClientMovedMessagesWithoutTheMarker() throws {
        let maildir = try makeMaildir { $0.includeCur = true }
        #expect(rename(maildir.path + "/new/1700000000.M1P1.test", maildir.path + "/cur/1700000000.M1P1.test:2,F") == 0)
        #expect(rename(maildir.path + "/new/1700000001.M1P1.test", maildir.path + "/cur/1700000001.M1P1.test:2,S") == 0)
        let entries = try maildir.list()
        #expect(entries.map(\.uniqueName) == ["1700000000.M1P1.test", "1700000002.M1P1.test"])
        #expect(entries[0].isNew == false)
        #expect(entries[0].flags == "F")
        #expect(entries[1].isNew)

        var onlyNew = maildir
        onlyNew.includeCur = false
        #expect(try onlyNew.list().map(\.uniqueName) == ["1700000002.M1P1.test"])
    }

    @Test func aMessageMovedByAClientBetweenListAndReadIsFollowed() throws {
        let maildir = try makeMaildir()
        let entry = try #require(try maildir.list().first)
        #expect(rename(maildir.path + "/new/" + entry.fileName, maildir.path + "/cur/" + entry.fileName + ":2,R") == 0)
        #expect(try maildir.read(uniqueName: entry.uniqueName).bytes == TestSupport.fixture("01-complaint.eml"))
        #expect(try maildir.mark(uniqueName: entry.uniqueName) == entry.uniqueName + ":2,RS")
    }

    @Test func aVanishedMessageIsAClearErrorNotACrash() throws {
        let maildir = try makeMaildir()
        let entry = try #require(try maildir.list().first)
        try FileManager.default.removeItem(atPath: maildir.path + "/new/" + entry.fileName)
        #expect(throws: MailboxError.vanished("\(maildir.path)#maildir:\(entry.uniqueName)")) {
            try maildir.read(uniqueName: entry.uniqueName)
        }
        #expect(throws: MailboxError.vanished("\(maildir.path)#maildir:\(entry.uniqueName)")) {
            try maildir.mark(uniqueName: entry.uniqueName)
        }
        #expect(throws: MailboxError.vanished("\(maildir.path)#maildir:../x")) {
            try maildir.read(uniqueName: "../x")
        }
    }

    @Test func validationRefusesBadMarkersAndNonMaildirs() throws {
        let maildir = try makeMaildir()
        var trashed = maildir
        trashed.markFlags = "ST"
        #expect(throws: MailboxError.self) { try trashed.validate() }
        var odd = maildir
        odd.triagedFlag = "1"
        #expect(throws: MailboxError.self) { try odd.validate() }
        let empty = MaildirMailbox(path: try TestSupport.temporaryDirectory("not-maildir"))
        #expect(throws: MailboxError.configuration("\(empty.path) is not a Maildir: no new/ directory")) {
            try empty.validate()
        }
        #expect(throws: MailboxError.self) { try empty.list() }
    }

    @Test func deliveryUsesTmpThenNewWithUniqueNames() throws {
        let maildir = MaildirMailbox(path: try TestSupport.temporaryDirectory("deliver"))
        let first = try maildir.deliver(Array("a".utf8))
        let second = try maildir.deliver(Array("b".utf8))
        #expect(first != second)
        #expect(files(maildir, "tmp").isEmpty)
        #expect(files(maildir, "new") == [first, second].sorted())
    }
}
