import Foundation
import MailText
import TriageCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams the messages of an mbox file (mboxo or mboxrd) as ``RawItem``s,
/// reading it in chunks so memory stays flat whatever the file size.
///
/// A separator is a line starting with `From ` after an empty line (or at the
/// top of the file), so unquoted `From ` lines inside a body (mboxo) stay in it.
/// Each item's `offset` is the byte offset of its `From ` separator line; the
/// separator line itself is not part of the item, and `>From ` lines are
/// un-quoted (one `>` removed). Use it as a `Sequence`; after the loop, check
/// ``error`` for an I/O error that stopped it, or call ``nextItem()`` to get errors thrown.
public final class MboxReader: Sequence, IteratorProtocol {
    /// The mbox path.
    public let path: String
    /// The read size.
    public let chunkSize: Int
    /// The I/O error that ended the iteration early, if any.
    public private(set) var error: IngestError?

    private var fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0          // index in buffer where the next message (its From line) starts
    private var bufferOffset = 0   // file offset of buffer[0]
    private var eof = false
    private var finished = false

    /// Opens an mbox file.
    /// - Parameters:
    ///   - path: the file.
    ///   - chunkSize: bytes read at a time (default 1 MiB).
    /// - Throws: ``IngestError`` when the file cannot be opened.
    public init(path: String, chunkSize: Int = 1 << 20) throws {
        self.path = path
        self.chunkSize = Swift.max(64, chunkSize)
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw IngestError(item: path, problem: "cannot open mbox: \(String(cString: strerror(errno)))")
        }
        self.fd = fd
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Bytes currently held in memory (for tests: stays near one chunk plus one message).
    var bufferedBytes: Int { buffer.count }

    /// The next message, or nil at the end or after an I/O error (see ``error``).
    public func next() -> RawItem? {
        do {
            return try nextItem()
        } catch let e as IngestError {
            error = e
            finished = true
            return nil
        } catch {
            self.error = IngestError(item: path, problem: "\(error)")
            finished = true
            return nil
        }
    }

    /// The next message, or nil at the end.
    /// - Throws: ``IngestError`` on a read error.
    public func nextItem() throws -> RawItem? {
        if finished { return nil }
        // Skip blank lines between messages and at the top.
        while true {
            while start < buffer.count, buffer[start] == 0x0A || buffer[start] == 0x0D { start += 1 }
            if start < buffer.count || eof { break }
            try fill()
        }
        if start >= buffer.count && eof { finished = true; return nil }
        // Make sure the first line is complete.
        var lineEnd = indexOfLF(from: start)
        while lineEnd == nil, !eof {
            try fill()
            lineEnd = indexOfLF(from: start)
        }
        let messageOffset = bufferOffset + start
        var bodyStart = start
        if hasFromPrefix(at: start) {
            bodyStart = (lineEnd ?? buffer.count - 1) + 1
        }
        // Find the next separator: a line beginning with "From ".
        var scan = bodyStart
        var sepLineStart: Int? = nil
        while sepLineStart == nil {
            while let lf = indexOfLF(from: scan) {
                if lf + 5 >= buffer.count && !eof {
                    scan = lf
                    break
                }
                if hasFromPrefix(at: lf + 1), followsBlankLine(lf) { sepLineStart = lf + 1; break }
                scan = lf + 1
            }
            if sepLineStart != nil { break }
            if eof { break }
            if indexOfLF(from: scan) == nil { scan = Swift.max(bodyStart, buffer.count - 1) }
            let shift = try fill()
            bodyStart -= shift
            scan -= shift
            if scan < bodyStart { scan = bodyStart }
        }
        var end = sepLineStart ?? buffer.count
        // Drop the blank line that separates messages (or ends the file).
        if end > bodyStart {
            if end - bodyStart >= 2, buffer[end - 1] == 0x0A, buffer[end - 2] == 0x0A { end -= 1 }
            else if end - bodyStart >= 4, buffer[end - 1] == 0x0A, buffer[end - 2] == 0x0D, buffer[end - 3] == 0x0A, buffer[end - 4] == 0x0D { end -= 2 }
        }
        let bytes = Self.unquote(buffer[bodyStart..<Swift.max(bodyStart, end)])
        start = sepLineStart ?? buffer.count
        if sepLineStart == nil { finished = eof }
        return RawItem(bytes: bytes, source: path, offset: messageOffset, formatHint: "mbox")
    }

    /// True when the line ended by the LF at `lf` is empty (messages are separated by a blank line).
    private func followsBlankLine(_ lf: Int) -> Bool {
        if lf - 1 >= start, buffer[lf - 1] == 0x0A { return true }
        if lf - 2 >= start, buffer[lf - 1] == 0x0D, buffer[lf - 2] == 0x0A { return true }
        return false
    }

    private func hasFromPrefix(at i: Int) -> Bool {
        i + 5 <= buffer.count && buffer[i] == 0x46 && buffer[i + 1] == 0x72 && buffer[i + 2] == 0x6F && buffer[i + 3] == 0x6D && buffer[i + 4] == 0x20
    }

    private func indexOfLF(from i: Int) -> Int? {
        guard i < buffer.count else { return nil }
        return buffer.withUnsafeBufferPointer { p -> Int? in
            guard let base = p.baseAddress, let hit = memchr(base + i, 0x0A, p.count - i) else { return nil }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Reads one chunk; drops consumed bytes first. Returns how far indices shifted.
    @discardableResult
    private func fill() throws -> Int {
        var shift = 0
        if start > 0 {
            shift = start
            buffer.removeSubrange(0..<start)
            bufferOffset += start
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, chunkSize) }
        if n < 0 {
            throw IngestError(item: "\(path)@\(bufferOffset + buffer.count)", problem: "read error: \(String(cString: strerror(errno)))")
        }
        if n == 0 { eof = true } else { buffer.append(contentsOf: chunk[0..<n]) }
        return shift
    }

    /// Removes one `>` from lines that match `^>+From ` (mboxrd; also undoes mboxo quoting).
    static func unquote(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        // Every line to un-quote contains ">From "; most messages have none.
        let quoted = bytes.withUnsafeBufferPointer { p -> Bool in
            guard let base = p.baseAddress, p.count >= 6 else { return false }
            var i = 0
            while i + 6 <= p.count, let hit = memchr(base + i, 0x3E, p.count - 6 - i + 1) {
                let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if p[at + 1] == 0x46, p[at + 2] == 0x72, p[at + 3] == 0x6F, p[at + 4] == 0x6D, p[at + 5] == 0x20 { return true }
                i = at + 1
            }
            return false
        }
        if !quoted { return Array(bytes) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        let end = bytes.endIndex
        var lineStart = true
        while i < end {
            let b = bytes[i]
            if lineStart, b == 0x3E {
                var j = i
                while j < end, bytes[j] == 0x3E { j += 1 }
                if j + 5 <= end, bytes[j] == 0x46, bytes[j + 1] == 0x72, bytes[j + 2] == 0x6F, bytes[j + 3] == 0x6D, bytes[j + 4] == 0x20 {
                    i += 1 // drop one '>'
                    lineStart = false
                    continue
                }
            }
            out.append(b)
            lineStart = b == 0x0A
            i += 1
        }
        return out
    }
}

/// Lists the messages of a Maildir (`new/` then `cur/`, each sorted by name;
/// `tmp/` ignored) as ``RawItem``s with locator `new/<name>` or `cur/<name>`.
///
/// Files that cannot be read are skipped and listed in ``errors``; a `for`
/// loop iterates over a copy, so call ``next()`` in a `while let` loop to see them.
public struct MaildirReader: Sequence, IteratorProtocol {
    /// The Maildir root.
    public let path: String
    /// Problems met (unreadable files), one per file; iteration goes on.
    public private(set) var errors: [IngestError] = []
    /// The modification time of the file of the last message returned.
    public private(set) var lastModified: Date?
    private var pending: [String]

    /// Lists a Maildir.
    /// - Parameter path: the Maildir root (containing `new/`, `cur/`).
    /// - Throws: ``IngestError`` when neither `new/` nor `cur/` can be listed.
    public init(path: String) throws {
        self.path = path
        var names: [String] = []
        var listed = false
        for sub in MaildirLayout.messageFolders {
            guard let files = try? MaildirLayout.messageFiles(in: path, folder: sub) else { continue }
            listed = true
            names += files.map { sub + "/" + $0 }
        }
        guard listed else { throw IngestError(item: path, problem: "not a Maildir: no new/ or cur/ folder") }
        self.pending = names.reversed()
    }

    /// The locators still to be read, in order.
    public var remaining: [String] { pending.reversed() }

    /// The next message; unreadable files are skipped and recorded in ``errors``.
    public mutating func next() -> RawItem? {
        while let locator = pending.popLast() {
            let file = path.hasSuffix("/") ? path + locator : path + "/" + locator
            guard case .read(let contents) = FileContents.read(file) else {
                errors.append(IngestError(item: "\(path)#\(locator)", problem: "cannot read file"))
                continue
            }
            lastModified = contents.modified
            return RawItem(bytes: contents.bytes, source: path, locator: locator, formatHint: "maildir")
        }
        return nil
    }
}

@inline(__always)
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(fd, buffer, count)
    #else
    Darwin.read(fd, buffer, count)
    #endif
}

/// A file's bytes and modification time, read with one `open`, one `fstat` and
/// `read` straight into the array: what the readers of Maildirs and folders need
/// per message, without Foundation's `Data` copy and its attribute look-up (which
/// also resolves the owner's user and group names) on every file.
public struct FileContents: Sendable {
    /// The file's bytes.
    public var bytes: [UInt8]
    /// The modification time, the same `Date` as `FileManager`'s `.modificationDate`.
    public var modified: Date

    /// What reading a file found.
    public enum Outcome: Sendable {
        case read(FileContents)
        /// Larger than the limit: not read; its size in bytes and its modification time.
        case tooLarge(size: Int, modified: Date)
        /// Cannot be opened or read (missing, a folder, no permission).
        case unreadable
    }

    /// Reads a file (not a folder).
    /// - Parameters:
    ///   - path: the file.
    ///   - maxBytes: files larger than this are not read (0: no limit).
    /// - Returns: the bytes and time, or why not.
    public static func read(_ path: String, maxBytes: Int = 0) -> Outcome {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .unreadable }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) != S_IFDIR else { return .unreadable }
        let modified = date(info.st_mtim)
        let size = Int(info.st_size)
        if maxBytes > 0 && size > maxBytes { return .tooLarge(size: size, modified: modified) }
        var failed = false
        var bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var got = 0
            while got < size {
                let n = systemRead(fd, buffer.baseAddress! + got, size - got)
                if n < 0 { if errno == EINTR { continue }; failed = true; break }
                if n == 0 { break }
                got += n
            }
            count = got
        }
        if failed { return .unreadable }
        // A file that grew since fstat: read the rest (into a scratch buffer, not
        // a fresh zero-filled array for every file).
        let grew = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16 * 1024) { more -> Bool in
            while true {
                let n = systemRead(fd, more.baseAddress, more.count)
                if n < 0 { if errno == EINTR { continue }; return false }
                if n == 0 { return true }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: more[0..<n]))
            }
        }
        guard grew else { return .unreadable }
        return .read(FileContents(bytes: bytes, modified: modified))
    }

    /// The modification time of a file, as `FileManager` gives it; nil when it cannot be read.
    public static func modificationTime(_ path: String) -> Date? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return date(info.st_mtim)
    }

    /// A `timespec` as Foundation turns it into a `Date` (the same value to the last bit).
    static func date(_ t: timespec) -> Date {
        Date(timeIntervalSinceReferenceDate: (Double(t.tv_sec) - 978_307_200.0) + (1.0e-9 * Double(t.tv_nsec)))
    }
}
