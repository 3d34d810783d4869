import Foundation

/// One item of correspondence, in the single shape every ingester produces.
///
/// Rules look only at this shape, never at raw bytes. Offsets in ``Segment``
/// and in evidence count Unicode scalars (code points) into ``Body/text``, so
/// `text[start:end]` in Python or JavaScript-with-code-points gives the quote.
public struct Correspondence: Codable, Sendable, Equatable {
    /// How the item reached the office.
    public var channel: Channel
    /// Who wrote it, as far as the item says.
    public var sender: Party?
    /// To, Cc (email) or the addressee (letter).
    public var recipients: [Party]
    /// When the item was sent or dated, and where that date came from.
    public var date: DatedBy?
    /// Subject line, letter reference line or form title.
    public var subject: String?
    /// The readable text, segmented.
    public var body: Body
    /// Structured fields of a web form (empty for email and letters).
    public var formFields: [FormField]
    /// Parts that are not the body: files, images, other documents.
    public var attachments: [Attachment]
    /// Messages carried inside this one (message/rfc822 parts: forwarded mail).
    public var embedded: [Correspondence]
    /// Forwarded messages whose text is in ``body`` (inline forwards and
    /// attached messages), in text order, with who wrote each.
    public var forwards: [ForwardedMessage]
    /// Who wrote what the item says, when that is not the sender: the author of
    /// a forwarded message under an empty or cover-note new text. `nil` when
    /// the sender wrote it. Standing and written permission are judged on this
    /// person; ``sender`` is who sent it.
    public var author: Party?
    /// Selected header fields that rules may test (lower-cased names).
    public var headers: [HeaderField]
    /// Where the bytes came from.
    public var provenance: Provenance
    /// Problems met while reading that did not stop the parse (a best-effort
    /// parse says so here, never silently).
    public var defects: [String]

    public init(
        channel: Channel,
        sender: Party? = nil,
        recipients: [Party] = [],
        date: DatedBy? = nil,
        subject: String? = nil,
        body: Body = Body(text: "", segments: []),
        formFields: [FormField] = [],
        attachments: [Attachment] = [],
        embedded: [Correspondence] = [],
        forwards: [ForwardedMessage] = [],
        author: Party? = nil,
        headers: [HeaderField] = [],
        provenance: Provenance,
        defects: [String] = []
    ) {
        self.channel = channel
        self.sender = sender
        self.recipients = recipients
        self.date = date
        self.subject = subject
        self.body = body
        self.formFields = formFields
        self.attachments = attachments
        self.embedded = embedded
        self.forwards = forwards
        self.author = author
        self.headers = headers
        self.provenance = provenance
        self.defects = defects
    }
}

extension Correspondence {
    enum CodingKeys: String, CodingKey {
        case channel, sender, recipients, date, subject, body, formFields, attachments, embedded, forwards, author
        case headers, provenance, defects
    }

    /// Items stored before forwards were read decode with none.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        channel = try c.decode(Channel.self, forKey: .channel)
        sender = try c.decodeIfPresent(Party.self, forKey: .sender)
        recipients = try c.decode([Party].self, forKey: .recipients)
        date = try c.decodeIfPresent(DatedBy.self, forKey: .date)
        subject = try c.decodeIfPresent(String.self, forKey: .subject)
        body = try c.decode(Body.self, forKey: .body)
        formFields = try c.decode([FormField].self, forKey: .formFields)
        attachments = try c.decode([Attachment].self, forKey: .attachments)
        embedded = try c.decode([Correspondence].self, forKey: .embedded)
        forwards = try c.decodeIfPresent([ForwardedMessage].self, forKey: .forwards) ?? []
        author = try c.decodeIfPresent(Party.self, forKey: .author)
        headers = try c.decode([HeaderField].self, forKey: .headers)
        provenance = try c.decode(Provenance.self, forKey: .provenance)
        defects = try c.decode([String].self, forKey: .defects)
    }

    /// The person whose words are judged: ``author`` when set, else ``sender``.
    public var contentAuthor: Party? { author ?? sender }
}

/// A forwarded message whose text is part of an item's body.
public struct ForwardedMessage: Codable, Sendable, Equatable {
    /// How it was forwarded.
    public enum Form: String, Codable, Sendable {
        /// A message/rfc822 part (or an attached .eml file).
        case attached
        /// A forward block written into the text by the mail client.
        case inline
    }

    public var form: Form
    /// Who wrote the forwarded message (its From: line or header).
    public var author: Party?
    /// Its date, as written (a header value or the client's date line).
    public var date: String?
    /// Its subject line.
    public var subject: String?
    /// Where its text lies in ``Body/text`` (Unicode scalars, end exclusive).
    public var start: Int
    public var end: Int
    /// 1 for a message forwarded by the sender, 2 for one forwarded inside that, and so on.
    public var depth: Int

    public init(form: Form, author: Party?, date: String?, subject: String?, start: Int, end: Int, depth: Int = 1) {
        self.form = form
        self.author = author
        self.date = date
        self.subject = subject
        self.start = start
        self.end = end
        self.depth = depth
    }
}

/// The channel an item came through.
public enum Channel: String, Codable, Sendable, CaseIterable {
    case email
    case webForm = "web_form"
    case letter
}

/// A person or organisation named as sender or recipient.
public struct Party: Codable, Sendable, Equatable, Hashable {
    /// Display name, decoded ("Jane Smith").
    public var name: String?
    /// Email address, or a postal address for letters.
    public var address: String?
    /// Telephone number, when a form or letter gives one.
    public var phone: String?
    /// Postal address (letters, forms), one string with line breaks.
    public var postalAddress: String?

    public init(name: String? = nil, address: String? = nil, phone: String? = nil, postalAddress: String? = nil) {
        self.name = name
        self.address = address
        self.phone = phone
        self.postalAddress = postalAddress
    }

    /// True when nothing identifies or reaches the party.
    public var isEmpty: Bool {
        [name, address, phone, postalAddress].allSatisfy { Self.isBlank($0 ?? "") }
    }

    /// Whether `text` holds only white space and line breaks (`CharacterSet.whitespacesAndNewlines`):
    /// what trimming them leaves empty, scalar by scalar, stopping at the first other one.
    static func isBlank(_ text: String) -> Bool {
        for scalar in text.unicodeScalars {
            if scalar.value < 0x80 {
                if scalar.value != 0x20 && !(scalar.value >= 0x09 && scalar.value <= 0x0D) { return false }
            } else if !blanks.contains(scalar) {
                return false
            }
        }
        return true
    }

    private static let blanks = CharacterSet.whitespacesAndNewlines
}

/// A date and the evidence it was taken from.
public struct DatedBy: Codable, Sendable, Equatable {
    /// Where the date came from.
    public enum Source: String, Codable, Sendable {
        case header         // the Date header of an email or HTTP request
        case letter         // the date written on a letter
        case form           // a submitted-at field of a form post
        case fileTime = "file_time" // the file's modification time
    }
    public var value: Date
    public var source: Source

    public init(value: Date, source: Source) {
        self.value = value
        self.source = source
    }
}

/// The readable text of an item and its segmentation.
public struct Body: Codable, Sendable, Equatable {
    /// The whole text, normalised to `\n` line ends.
    public var text: String
    /// Non-overlapping, ordered segments covering the text.
    public var segments: [Segment]

    public init(text: String, segments: [Segment]) {
        self.text = text
        self.segments = segments
    }
}

/// A stretch of the body with a role.
public struct Segment: Codable, Sendable, Equatable {
    /// Start offset (Unicode scalars into ``Body/text``), inclusive.
    public var start: Int
    /// End offset, exclusive.
    public var end: Int
    public var kind: SegmentKind

    public init(kind: SegmentKind, start: Int, end: Int) {
        self.kind = kind
        self.start = start
        self.end = end
    }
}

/// What a segment of the body is.
public enum SegmentKind: String, Codable, Sendable, CaseIterable {
    /// What the sender wrote now.
    case newText = "new_text"
    /// Earlier messages quoted in a reply or forwarded.
    case quoted
    /// The sender's sign-off block.
    case signature
    /// A legal or confidentiality footer.
    case disclaimer
    /// A message the sender forwarded (inline or attached): content, read by
    /// rules as new text (see ``readAsNewText``); who wrote it is in
    /// ``Correspondence/forwards``.
    case forwarded
    /// The header lines of an inline forward ("---------- Forwarded message
    /// ---------", "From: …", "Date: …"): who, when and what, kept in
    /// ``Correspondence/forwards``; not content, so rules do not read it.
    case forwardHeader = "forward_header"
    /// Text read from an attached letter (PDF, DOCX, ODT): content, read by
    /// rules as new text.
    case attachmentText = "attachment_text"

    /// Segments that are what the writer sent, and so are read wherever a rule
    /// reads `new_text`.
    public static let readAsNewText: [SegmentKind] = [.forwarded, .attachmentText]
}

/// One field of a web form.
public struct FormField: Codable, Sendable, Equatable {
    /// The field name as posted.
    public var name: String
    /// The value as text.
    public var value: String
    /// The role the form mapping gives it (`name`, `email`, `free_text`, …), if any.
    public var role: String?

    public init(name: String, value: String, role: String? = nil) {
        self.name = name
        self.value = value
        self.role = role
    }
}

/// A part that is not body text.
public struct Attachment: Codable, Sendable, Equatable {
    /// What the part is to the reader.
    public enum Role: String, Codable, Sendable {
        /// A file the sender attached.
        case file
        /// Another rendering of the body (the HTML of a multipart/alternative
        /// whose plain text was read): kept, since nothing is dropped, but not a file.
        case alternative
    }

    public var filename: String?
    public var contentType: String
    public var size: Int
    public var sha256: String
    public var role: Role
    /// What reading the file's text gave, for letters (PDF, DOCX, ODT, .eml);
    /// `nil` for files that are not read.
    public var text: AttachmentText?

    public init(filename: String?, contentType: String, size: Int, sha256: String, role: Role = .file, text: AttachmentText? = nil) {
        self.filename = filename
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
        self.role = role
        self.text = text
    }

    enum CodingKeys: String, CodingKey { case filename, contentType, size, sha256, role, text }

    /// Items stored before roles existed decode as files.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        filename = try c.decodeIfPresent(String.self, forKey: .filename)
        contentType = try c.decode(String.self, forKey: .contentType)
        size = try c.decode(Int.self, forKey: .size)
        sha256 = try c.decode(String.self, forKey: .sha256)
        role = try c.decodeIfPresent(Role.self, forKey: .role) ?? .file
        text = try c.decodeIfPresent(AttachmentText.self, forKey: .text)
    }
}

/// The outcome of reading an attached letter's text.
public struct AttachmentText: Codable, Sendable, Equatable {
    /// What was found.
    public enum Status: String, Codable, Sendable {
        /// Text was read; it lies in the body at `start..<end`.
        case read
        /// A PDF with no text layer (a scan): kept for the caseworker, never guessed.
        case scanned
        /// The file could not be read (encrypted, damaged, over a limit): `problem` says why.
        case unreadable
    }

    public var status: Status
    /// Where its text lies in ``Body/text`` (Unicode scalars), when read.
    public var start: Int?
    public var end: Int?
    /// The document format read (`pdf`, `docx`, `odt`).
    public var format: String
    /// Why nothing (or only part) was read, for the caseworker: "scanned
    /// attachment: no text", "encrypted PDF", "DOCX over the 20 MB limit".
    public var problem: String?

    public init(status: Status, format: String, start: Int? = nil, end: Int? = nil, problem: String? = nil) {
        self.status = status
        self.format = format
        self.start = start
        self.end = end
        self.problem = problem
    }
}

/// A header field kept for rules (name lower-cased, value decoded).
public struct HeaderField: Codable, Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// Where an item's bytes came from.
public struct Provenance: Codable, Sendable, Equatable {
    /// File path, mailbox URL or folder.
    public var source: String
    /// Byte offset of the item inside its container (mbox), if any.
    public var offset: Int?
    /// Identifier inside the container: a Maildir file name, an IMAP UID.
    public var locator: String?
    /// SHA-256 of the raw bytes of this item, lower-case hex.
    public var sha256: String
    /// Size of the raw bytes.
    public var size: Int
    /// The detected format (`eml`, `mbox`, `maildir`, `form_urlencoded`, …).
    public var format: String

    public init(source: String, offset: Int? = nil, locator: String? = nil, sha256: String, size: Int, format: String) {
        self.source = source
        self.offset = offset
        self.locator = locator
        self.sha256 = sha256
        self.size = size
        self.format = format
    }
}

extension Body {
    /// The text of one segment.
    public func text(of segment: Segment) -> String {
        let scalars = text.unicodeScalars
        let lo = scalars.index(scalars.startIndex, offsetBy: max(0, min(segment.start, scalars.count)))
        let hi = scalars.index(scalars.startIndex, offsetBy: max(0, min(segment.end, scalars.count)))
        return String(scalars[lo..<hi])
    }

    /// The segments of one kind.
    public func segments(_ kind: SegmentKind) -> [Segment] {
        segments.filter { $0.kind == kind }
    }
}
