import Foundation
import MailText
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Maildir (`new/`, `cur/`, `tmp/`) read and marked the way mail clients do:
/// a message is marked by renaming it from `new/NAME` to `cur/NAME:2,FLAGS`
/// with rename(2), which is atomic.
///
/// Flags follow the Maildir convention: the letters after `:2,` in ASCII order;
/// uppercase letters are the standard ones (`S` seen, `F` flagged, `R` replied,
/// `P` passed, `D` draft, `T` trashed — so never use `T` as a marker), lowercase
/// letters are keywords (Dovecot maps them in `dovecot-keywords`).
public struct MaildirMailbox: Sendable {
    /// One message found by ``list()``.
    public struct Entry: Sendable, Equatable {
        /// The unique part of the file name (before `:2,`): stable while flags change.
        public var uniqueName: String
        /// The file name now, with its info part if any.
        public var fileName: String
        /// True when it is in `new/`, false for `cur/`.
        public var isNew: Bool
        /// The flag letters it has now.
        public var flags: String

        /// The message's locator: `maildir:UNIQUE`.
        public var locator: String { "maildir:\(uniqueName)" }
    }

    /// The Maildir's directory (the one holding `new/`, `cur/`, `tmp/`).
    public var path: String
    /// Letters added when a message is marked (default `S`, seen).
    public var markFlags: String
    /// The letter that says "triaged" for ``list()`` of `cur/` (default: the mark flags).
    public var triagedFlag: Character?
    /// Also list messages in `cur/` that do not carry the triaged flag (a client
    /// may have moved them from `new/` before the poller saw them).
    public var includeCur: Bool
    /// The character before `2,` in file names (`:`; some systems use `;` or `!`).
    public var infoSeparator: Character

    /// Describes a Maildir.
    /// - Parameters:
    ///   - path: the Maildir directory.
    ///   - markFlags: flag letters set when marking (ASCII letters; not `T`).
    ///   - triagedFlag: the letter that marks a message as triaged, if not all of `markFlags`.
    ///   - includeCur: also list unmarked messages in `cur/`.
    ///   - infoSeparator: `:` by default.
    public init(
        path: String, markFlags: String = "S", triagedFlag: Character? = nil,
        includeCur: Bool = false, infoSeparator: Character = ":"
    ) {
        self.path = path
        self.markFlags = markFlags
        self.triagedFlag = triagedFlag
        self.includeCur = includeCur
        self.infoSeparator = infoSeparator
    }

    /// Checks the flags and that `new/` and `cur/` exist.
    /// - Throws: ``MailboxError/configuration(_:)``.
    public func validate() throws {
        let letters = markFlags + (triagedFlag.map { String($0) } ?? "")
        guard !letters.isEmpty else { throw MailboxError.configuration("Maildir mark flags are empty") }
        for ch in letters where !(ch.isASCII && ch.isLetter) {
            throw MailboxError.configuration("Maildir flag \(ch) is not an ASCII letter")
        }
        if letters.contains("T") {
            throw MailboxError.configuration("Maildir flag T means trashed; choose another marker")
        }
        for sub in ["new", "cur"] {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir(sub), isDirectory: &isDirectory), isDirectory.boolValue else {
                throw MailboxError.configuration("\(path) is not a Maildir: no \(sub)/ directory")
            }
        }
    }

    /// The messages waiting: all of `new/`, and with ``includeCur`` those in `cur/`
    /// without the triaged flag; sorted by unique name (delivery order for
    /// time-based names).
    /// - Returns: the entries.
    /// - Throws: ``MailboxError/io(_:)`` when a directory cannot be read.
    public func list() throws -> [Entry] {
        var entries: [Entry] = []
        for name in try names(in: "new") {
            let (unique, flags) = split(name)
            entries.append(Entry(uniqueName: unique, fileName: name, isNew: true, flags: flags))
        }
        if includeCur {
            let marker = triagedMarker
            for name in try names(in: "cur") {
                let (unique, flags) = split(name)
                if marker.allSatisfy({ flags.contains($0) }) { continue }
                entries.append(Entry(uniqueName: unique, fileName: name, isNew: false, flags: flags))
            }
        }
        return entries.sorted { $0.uniqueName < $1.uniqueName }
    }

    /// Reads one message's bytes, following it if a client moved it to `cur/` meanwhile.
    /// - Parameter uniqueName: the entry's ``Entry/uniqueName``.
    /// - Returns: the message, with locator `maildir:UNIQUE`.
    /// - Throws: ``MailboxError/vanished(_:)`` when it is gone, ``MailboxError/io(_:)`` otherwise.
    public func read(uniqueName: String) throws -> MailboxMessage {
        for _ in 0..<3 {
            guard let current = locate(uniqueName) else { break }
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: current.path))
                return MailboxMessage(source: path, locator: "maildir:\(uniqueName)", bytes: [UInt8](data))
            } catch let error as NSError where Self.isNotFound(error) {
                continue  // renamed between locate and read: look again
            } catch {
                throw MailboxError.io("\(path)#maildir:\(uniqueName): \(error.localizedDescription)")
            }
        }
        throw MailboxError.vanished("\(path)#maildir:\(uniqueName)")
    }

    /// Marks one message: renames it into `cur/` with the mark flags added (atomic rename(2)).
    /// Marking a message that is already marked changes nothing.
    /// - Parameter uniqueName: the entry's ``Entry/uniqueName``.
    /// - Returns: its new file name in `cur/`.
    /// - Throws: ``MailboxError/vanished(_:)`` when it is gone, ``MailboxError/io(_:)`` otherwise.
    @discardableResult
    public func mark(uniqueName: String) throws -> String {
        for _ in 0..<3 {
            guard let current = locate(uniqueName) else { break }
            let flags = Self.mergedFlags(current.flags, markFlags + (triagedFlag.map { String($0) } ?? ""))
            let newName = "\(uniqueName)\(infoSeparator)2,\(flags)"
            let target = dir("cur") + "/" + newName
            if current.path == target { return newName }
            if rename(current.path, target) == 0 {
                return newName
            }
            let code = errno
            if code == ENOENT { continue }  // moved meanwhile: look again
            throw MailboxError.io("\(path)#maildir:\(uniqueName): rename failed: \(String(cString: strerror(code)))")
        }
        throw MailboxError.vanished("\(path)#maildir:\(uniqueName)")
    }

    /// True when the message is in `cur/` with the triaged flag.
    /// - Parameter uniqueName: the entry's ``Entry/uniqueName``.
    public func isMarked(uniqueName: String) -> Bool {
        guard let current = locate(uniqueName), !current.isNew else { return false }
        return triagedMarker.allSatisfy { current.flags.contains($0) }
    }

    /// Delivers a message as a mail server does: write into `tmp/`, then rename into `new/`.
    /// Creates the Maildir's directories when missing. For tests and fixtures.
    /// - Parameters:
    ///   - bytes: the message.
    ///   - uniqueName: the file name to use; a time-based unique name by default.
    /// - Returns: the unique name.
    /// - Throws: ``MailboxError/io(_:)``.
    @discardableResult
    public func deliver(_ bytes: [UInt8], uniqueName: String? = nil) throws -> String {
        let name = uniqueName ?? Self.makeUniqueName()
        do {
            for sub in ["tmp", "new", "cur"] {
                try FileManager.default.createDirectory(atPath: dir(sub), withIntermediateDirectories: true)
            }
            let temporary = dir("tmp") + "/" + name
            try Data(bytes).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, dir("new") + "/" + name) == 0 else {
                throw MailboxError.io("\(path): delivery rename failed: \(String(cString: strerror(errno)))")
            }
        } catch let error as MailboxError {
            throw error
        } catch {
            throw MailboxError.io("\(path): delivery failed: \(error.localizedDescription)")
        }
        return name
    }

    // MARK: Internals

    /// The letters whose presence means "already triaged".
    var triagedMarker: String {
        triagedFlag.map { String($0) } ?? markFlags
    }

    /// Two flag sets merged: unique letters in ASCII order.
    static func mergedFlags(_ a: String, _ b: String) -> String {
        String(Set(a + b).filter { $0.isASCII && $0.isLetter }.sorted())
    }

    /// Splits a file name into its unique part and its flags (after `:2,`).
    func split(_ name: String) -> (unique: String, flags: String) {
        MaildirLayout.split(name, separator: infoSeparator)
    }

    private func dir(_ sub: String) -> String { path + "/" + sub }

    private func names(in sub: String) throws -> [String] {
        do {
            return try MaildirLayout.messageFiles(in: path, folder: sub)
        } catch {
            throw MailboxError.io("\(path): cannot list \(sub)/: \(error.localizedDescription)")
        }
    }

    /// Where the message with this unique name is now.
    private func locate(_ uniqueName: String) -> (path: String, isNew: Bool, flags: String)? {
        guard !uniqueName.isEmpty, !uniqueName.contains("/") else { return nil }
        let fm = FileManager.default
        let direct = dir("new") + "/" + uniqueName
        if fm.fileExists(atPath: direct) { return (direct, true, "") }
        for sub in ["new", "cur"] {
            guard let names = try? fm.contentsOfDirectory(atPath: dir(sub)) else { continue }
            for name in names {
                let (unique, flags) = split(name)
                if unique == uniqueName { return (dir(sub) + "/" + name, sub == "new", flags) }
            }
        }
        return nil
    }

    private static func isNotFound(_ error: NSError) -> Bool {
        if error.domain == NSCocoaErrorDomain && error.code == NSFileReadNoSuchFileError { return true }
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain && underlying.code == Int(ENOENT)
        {
            return true
        }
        return error.domain == NSPOSIXErrorDomain && error.code == Int(ENOENT)
    }

    private static func makeUniqueName() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let host = ProcessInfo.processInfo.hostName.replacingOccurrences(of: "/", with: "\\057")
            .replacingOccurrences(of: ":", with: "\\072")
        let random = UInt32.random(in: 0...UInt32.max)
        return "\(now.tv_sec).M\(now.tv_nsec / 1000)P\(getpid())R\(random).\(host)"
    }
}
