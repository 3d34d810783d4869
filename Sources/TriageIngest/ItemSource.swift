import Foundation
import MailParsing
import TriageCore

/// One thing found while walking the inputs: an item to parse, or an input
/// that could not be read at all (reported, never dropped silently).
public enum SourceEntry: Sendable {
    case item(RawItem, fileTime: Date?)
    case unreadable(IngestError)
}

/// Walks files, folders, mbox files and Maildirs given on the command line,
/// in the order given, yielding their items one at a time (memory stays flat:
/// an mbox is streamed, folders are listed, not read ahead).
///
/// - A Maildir (a folder with `cur/` or `new/`) yields its messages.
/// - Another folder yields every file under it, sorted by path, skipping
///   dot-files and `expected.yaml`/`README` notes.
/// - A file is an mbox when its name ends `.mbox` or it starts with `From `;
///   otherwise it is one item.
public final class ItemSource: Sequence, IteratorProtocol {
    private var pending: [String]
    private var mbox: MboxReader?
    private var mboxTime: Date?
    private var maildir: MaildirReader?
    private var maildirPath: String?

    /// Files skipped inside folders: labels and notes, not correspondence.
    public static let ignoredNames: Set<String> = ["expected.yaml", "eval.yaml", "README.md", "README", "NOTE.md", "SOURCES.md", ".DS_Store"]

    /// Files larger than this (bytes) are not read into memory but reported
    /// as unreadable with the reason (0: no limit; see ``ItemBudget``).
    public var maxItemBytes: Int

    public init(paths: [String], maxItemBytes: Int = 0) {
        self.pending = paths.reversed()
        self.maxItemBytes = maxItemBytes
    }

    public func next() -> SourceEntry? {
        while true {
            if let reader = mbox {
                do {
                    if let item = try reader.nextItem() { return .item(item, fileTime: mboxTime) }
                } catch let error as IngestError {
                    mbox = nil
                    return .unreadable(error)
                } catch {
                    mbox = nil
                    return .unreadable(IngestError(item: reader.path, problem: "\(error)"))
                }
                mbox = nil
            }
            if maildir != nil {
                // Advanced in place: a copy taken out of the optional would share the
                // list of remaining files, and popping from it would copy the whole list
                // for every message (quadratic in the size of the Maildir).
                if let item = maildir!.next() { return .item(item, fileTime: maildir!.lastModified) }
                let errors = maildir!.errors
                maildir = nil
                if let error = errors.first { return .unreadable(error) }
            }
            guard let path = pending.popLast() else { return nil }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                return .unreadable(IngestError(item: path, problem: "no such file or folder"))
            }
            if isDirectory.boolValue {
                let fm = FileManager.default
                if fm.fileExists(atPath: path + "/cur") || fm.fileExists(atPath: path + "/new") {
                    do {
                        maildir = try MaildirReader(path: path)
                        maildirPath = path
                    } catch let error as IngestError {
                        return .unreadable(error)
                    } catch {
                        return .unreadable(IngestError(item: path, problem: "\(error)"))
                    }
                    continue
                }
                guard let names = try? fm.contentsOfDirectory(atPath: path) else {
                    return .unreadable(IngestError(item: path, problem: "cannot list the folder"))
                }
                let children = names.filter { !$0.hasPrefix(".") && !Self.ignoredNames.contains($0) }.sorted()
                    .map { path.hasSuffix("/") ? path + $0 : path + "/" + $0 }
                pending.append(contentsOf: children.reversed())
                continue
            }
            if Self.isMbox(path) {
                do {
                    mbox = try MboxReader(path: path)
                    mboxTime = Self.modificationTime(path)
                } catch let error as IngestError {
                    return .unreadable(error)
                } catch {
                    return .unreadable(IngestError(item: path, problem: "\(error)"))
                }
                continue
            }
            switch FileContents.read(path, maxBytes: maxItemBytes) {
            case .tooLarge(let size, _):
                return .unreadable(IngestError(item: path, problem: "the file is \(size) bytes, over the \(maxItemBytes)-byte limit (TRIAGE_MAX_ITEM_BYTES): not read; a caseworker must open it"))
            case .unreadable:
                return .unreadable(IngestError(item: path, problem: "cannot read the file"))
            case .read(let file):
                return .item(RawItem(bytes: file.bytes, source: path), fileTime: file.modified)
            }
        }
    }

    static func isMbox(_ path: String) -> Bool {
        if ItemFormat.fromExtension(path) == .mbox { return true }
        if ItemFormat.fromExtension(path) != nil { return false }
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 5)) ?? Data()
        return head == Data("From ".utf8)
    }

    static func modificationTime(_ path: String) -> Date? {
        FileContents.modificationTime(path)
    }
}
