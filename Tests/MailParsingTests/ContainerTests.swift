import Foundation
import Testing
@testable import MailParsing
import TriageCore

@Suite("mbox and Maildir")
struct ContainerTests {
    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mailparsing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static let mbox = """
    From alice@example.org Mon Nov  2 09:00:00 2026
    From: Alice Example <alice@example.org>
    Subject: first

    Hello.
    >From the start, mboxrd quoting.
    >>From deeper quoting.
    From here on, an unquoted line (mboxo writers miss some).

    From bob@example.com Mon Nov  2 10:00:00 2026
    From: Bob Example <bob@example.com>
    Subject: second

    Second body.

    From carol@example.net Mon Nov  2 11:00:00 2026
    From: Carol Example <carol@example.net>
    Subject: third

    Third body, no trailing newline.
    """

    func readAll(_ path: String, chunk: Int) throws -> [RawItem] {
        let reader = try MboxReader(path: path, chunkSize: chunk)
        var items: [RawItem] = []
        for item in reader { items.append(item) }
        #expect(reader.error == nil)
        return items
    }

    @Test(arguments: [64, 100, 1 << 20])
    func mboxSplitsAndUnquotes(chunk: Int) throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("box.mbox").path
        let bytes = Array(Self.mbox.utf8)
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let items = try readAll(path, chunk: chunk)
        // "From here on" is not after a blank line: it stays in the first message.
        #expect(items.count == 3)
        guard items.count == 3 else { return }
        let first = String(decoding: items[0].bytes, as: UTF8.self)
        #expect(first.hasPrefix("From: Alice Example"))
        #expect(first.contains("\nFrom the start, mboxrd quoting.\n>From deeper quoting.\nFrom here on, an unquoted line"))
        #expect(!first.contains("From alice@example.org Mon"))
        #expect(items[0].offset == 0)
        #expect(items[0].formatHint == "mbox")
        #expect(items[0].source == path)
        // Offsets point at each "From " line.
        for item in items {
            let off = try #require(item.offset)
            #expect(Array(bytes[off..<(off + 5)]) == Array("From ".utf8))
        }
        let parser = EmailParser()
        let subjects = try items.map { try parser.parse($0).subject }
        #expect(subjects == ["first", "second", "third"])
        // The blank line separating messages is not part of the message.
        #expect(String(decoding: items[1].bytes, as: UTF8.self).hasSuffix("Second body.\n"))
        #expect(String(decoding: items[2].bytes, as: UTF8.self).hasSuffix("no trailing newline."))
    }

    @Test func mboxWithCRLFAndLeadingBlankLines() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("crlf.mbox").path
        let text = "\r\nFrom a@example.org Mon Nov  2 09:00:00 2026\r\nSubject: one\r\n\r\nbody one\r\n\r\nFrom b@example.org Mon Nov  2 09:00:00 2026\r\nSubject: two\r\n\r\nbody two\r\n"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        let items = try readAll(path, chunk: 64)
        #expect(items.count == 2)
        #expect(items.first?.offset == 2)
        #expect(items.first.map { String(decoding: $0.bytes, as: UTF8.self) } == "Subject: one\r\n\r\nbody one\r\n")
    }

    @Test func mboxMissingFileAndEmptyFile() throws {
        #expect(throws: IngestError.self) { _ = try MboxReader(path: "/nonexistent/box.mbox") }
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("empty.mbox").path
        FileManager.default.createFile(atPath: path, contents: Data())
        #expect(try readAll(path, chunk: 64).isEmpty)
    }

    @Test func mboxStreamsManyMessagesInSmallChunks() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("many.mbox").path
        var text = ""
        for k in 0..<2000 {
            text += "From sender\(k)@example.org Mon Nov  2 09:00:00 2026\nSubject: message \(k)\n\nBody \(k).\n\n"
        }
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        let items = try readAll(path, chunk: 4096)
        #expect(items.count == 2000)
        #expect(items.last.map { String(decoding: $0.bytes, as: UTF8.self) } == "Subject: message 1999\n\nBody 1999.\n")
    }

    @Test func mboxMemoryStaysFlat() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("big.mbox").path
        let filler = String(repeating: "Lorem ipsum dolor sit amet, consectetur adipiscing.\n", count: 200) // ~10 KB
        var one = Data()
        for k in 0..<100 { one.append(Data("From s\(k)@example.org Mon Nov  2 09:00:00 2026\nSubject: m\(k)\n\n\(filler)\n".utf8)) }
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        for _ in 0..<8 { handle.write(one) } // ~8 MB, 800 messages
        try handle.close()
        let reader = try MboxReader(path: path, chunkSize: 256 * 1024)
        var count = 0
        var maxBuffered = 0
        while let item = reader.next() {
            count += 1
            #expect(item.bytes.count > 10_000)
            maxBuffered = max(maxBuffered, reader.bufferedBytes)
        }
        #expect(reader.error == nil)
        #expect(count == 800)
        #expect(maxBuffered < 600 * 1024)
    }

    @Test func maildirListsNewThenCurSorted() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        for sub in ["new", "cur", "tmp"] {
            try fm.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        func put(_ rel: String, _ subject: String) {
            fm.createFile(atPath: dir.appendingPathComponent(rel).path, contents: Data("Subject: \(subject)\n\nbody\n".utf8))
        }
        put("new/1700000002.M2.host", "n2")
        put("new/1700000001.M1.host", "n1")
        put("cur/1600000000.M9.host:2,S", "c1")
        put("tmp/1800000000.M5.host", "tmp")
        put("new/.hidden", "hidden")
        var reader = try MaildirReader(path: dir.path)
        #expect(reader.remaining == ["new/1700000001.M1.host", "new/1700000002.M2.host", "cur/1600000000.M9.host:2,S"])
        var items: [RawItem] = []
        while let item = reader.next() { items.append(item) }
        #expect(items.map(\.locator) == ["new/1700000001.M1.host", "new/1700000002.M2.host", "cur/1600000000.M9.host:2,S"])
        #expect(items.allSatisfy { $0.formatHint == "maildir" && $0.source == dir.path })
        let subjects = try items.map { try EmailParser().parse($0).subject }
        #expect(subjects == ["n1", "n2", "c1"])
        #expect(items[0].label == "\(dir.path)#new/1700000001.M1.host")
        #expect(throws: IngestError.self) { _ = try MaildirReader(path: dir.appendingPathComponent("tmp").path) }
    }

    /// The readers of Maildirs and folders read each file with one open and fstat
    /// (`FileContents`): the same bytes, and the same modification time to the last
    /// bit as Foundation's, which items without a Date header are dated by.
    @Test func fileContentsMatchFoundationBytesAndTime() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        var rng = SplitMix64(seed: 18)
        for k in 0..<40 {
            let path = dir.appendingPathComponent("m\(k)").path
            let size = k == 0 ? 0 : Int(rng.next() % 300_000)
            let bytes = (0..<size).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            #expect(fm.createFile(atPath: path, contents: Data(bytes)))
            // Times with nanoseconds, as file systems give them.
            let seconds = 1_700_000_000 + Double(rng.next() % 100_000_000) + Double(rng.next() % 1_000_000_000) / 1e9
            try fm.setAttributes([.modificationDate: Date(timeIntervalSince1970: seconds)], ofItemAtPath: path)
            guard case .read(let contents) = FileContents.read(path) else {
                Issue.record("m\(k) not read")
                continue
            }
            #expect(contents.bytes == [UInt8](fm.contents(atPath: path) ?? Data()))
            let foundation = try #require(try fm.attributesOfItem(atPath: path)[.modificationDate] as? Date)
            #expect(contents.modified == foundation, "m\(k): \(contents.modified.timeIntervalSince1970) against \(foundation.timeIntervalSince1970)")
            #expect(FileContents.modificationTime(path) == foundation)
        }
        let big = dir.appendingPathComponent("m1").path
        let size = try #require(try fm.attributesOfItem(atPath: big)[.size] as? Int)
        if case .tooLarge(let reported, _) = FileContents.read(big, maxBytes: 10) { #expect(reported == size) } else { Issue.record("over the limit yet read") }
        if case .unreadable = FileContents.read(dir.path) {} else { Issue.record("a folder read as a file") }
        if case .unreadable = FileContents.read(dir.appendingPathComponent("missing").path) {} else { Issue.record("a missing file read") }
    }

    @Test func maildirReaderGivesEachMessagesFileTime() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("cur"), withIntermediateDirectories: true)
        for (k, seconds) in [1_700_000_000.25, 1_600_000_000.123456789].enumerated() {
            let path = dir.appendingPathComponent("cur/\(k).M\(k).host:2,S").path
            fm.createFile(atPath: path, contents: Data("Subject: \(k)\n\nbody\n".utf8))
            try fm.setAttributes([.modificationDate: Date(timeIntervalSince1970: seconds)], ofItemAtPath: path)
        }
        var reader = try MaildirReader(path: dir.path)
        while let item = reader.next() {
            let path = dir.appendingPathComponent(item.locator ?? "").path
            #expect(reader.lastModified == (try fm.attributesOfItem(atPath: path)[.modificationDate] as? Date))
        }
    }
}
