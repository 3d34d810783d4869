import Foundation

/// The Maildir layout, read in one place for the ingester (`MaildirReader`)
/// and the poller (`MaildirMailbox`): `new/` and `cur/` hold one message per
/// file, `tmp/` is a server's scratch space, and a file name is a unique part
/// followed by an info part (`:2,FLAGS`) once a client has seen it.
public enum MaildirLayout {
    /// The folders that hold messages, in reading order.
    public static let messageFolders = ["new", "cur"]

    /// The message files of one folder of a Maildir: regular files only, dot
    /// files left out, sorted by name.
    /// - Parameters:
    ///   - maildir: the Maildir root.
    ///   - folder: `new` or `cur`.
    /// - Returns: the file names.
    /// - Throws: the file system's error when the folder cannot be listed.
    public static func messageFiles(in maildir: String, folder: String) throws -> [String] {
        let fm = FileManager.default
        let dir = (maildir as NSString).appendingPathComponent(folder)
        return try fm.contentsOfDirectory(atPath: dir).sorted().filter { name in
            guard !name.hasPrefix(".") else { return false }
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: (dir as NSString).appendingPathComponent(name), isDirectory: &isDir) && !isDir.boolValue
        }
    }

    /// Splits a file name into its unique part and its flags (the letters after `:2,`).
    /// - Parameters:
    ///   - name: the file name.
    ///   - separator: the character before `2,` (`:`; some systems use `;` or `!`).
    /// - Returns: the unique part and the flags (empty when there is no info part).
    public static func split(_ name: String, separator: Character = ":") -> (unique: String, flags: String) {
        let marker = "\(separator)2,"
        if let range = name.range(of: marker, options: .backwards) {
            return (String(name[..<range.lowerBound]), String(name[range.upperBound...]))
        }
        if let sep = name.firstIndex(of: separator) {
            return (String(name[..<sep]), "")
        }
        return (name, "")
    }
}
