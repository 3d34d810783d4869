/// The bytes of one item exactly as received, before parsing, with where they
/// came from. Containers (mbox, Maildir, IMAP) are split into raw items first.
public struct RawItem: Sendable, Equatable {
    /// The item's bytes, untouched.
    public var bytes: [UInt8]
    /// File path, mailbox URL or folder the item came from.
    public var source: String
    /// Byte offset inside the container, for mbox.
    public var offset: Int?
    /// Identifier inside the container: Maildir file name, IMAP UID.
    public var locator: String?
    /// A format hint from the container or file name (`eml`, `form_json`, …), if known.
    public var formatHint: String?

    public init(bytes: [UInt8], source: String, offset: Int? = nil, locator: String? = nil, formatHint: String? = nil) {
        self.bytes = bytes
        self.source = source
        self.offset = offset
        self.locator = locator
        self.formatHint = formatHint
    }

    /// A short, personal-data-free name for the item in errors and logs:
    /// `path`, `path@offset` or `path#locator`.
    public var label: String {
        if let offset { return "\(source)@\(offset)" }
        if let locator { return "\(source)#\(locator)" }
        return source
    }
}

/// An item that could not be read. It is kept, with its bytes elsewhere, and
/// the run goes on.
public struct QuarantinedItem: Codable, Sendable, Equatable {
    public var provenance: Provenance
    /// A clear statement of the problem, naming the item.
    public var problem: String

    public init(provenance: Provenance, problem: String) {
        self.provenance = provenance
        self.problem = problem
    }
}

/// An error from an ingester: names the item and the problem.
public struct IngestError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The item's label (see ``RawItem/label``).
    public var item: String
    /// What is wrong with it.
    public var problem: String

    public init(item: String, problem: String) {
        self.item = item
        self.problem = problem
    }

    public var description: String { "\(item): \(problem)" }
}
