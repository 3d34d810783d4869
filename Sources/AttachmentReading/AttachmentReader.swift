import Foundation

/// Reads the text of an attached letter: PDF (through poppler), DOCX and ODT
/// (ZIP through ZIPFoundation, XML through libxml2).
///
/// Nothing here guesses: a PDF without a text layer is reported as a scan, an
/// encrypted or damaged file as unreadable, and every limit that protects
/// against zip bombs and huge PDFs is a named field of ``Limits``.
public struct AttachmentReader: Sendable {
    /// The formats read.
    public enum Format: String, Sendable, CaseIterable {
        case pdf, docx, odt
    }

    /// Limits on what one attachment may cost.
    public struct Limits: Sendable {
        /// Largest file read at all (bytes). Larger files are reported, not opened.
        public var maxFileBytes = 25 * 1024 * 1024
        /// Most pages of a PDF read; the rest are left out (and said so).
        public var maxPDFPages = 200
        /// Most text kept from one attachment (Unicode scalars).
        public var maxTextScalars = 500_000
        /// Most entries a DOCX or ODT ZIP may list.
        public var maxZipEntries = 5_000
        /// Most bytes the document's XML part may inflate to (a zip bomb stops here).
        public var maxInflatedXMLBytes = 32 * 1024 * 1024
        /// Highest inflated-to-compressed ratio of the XML part accepted as declared.
        public var maxCompressionRatio = 200
        /// Most seconds spent reading a PDF's pages; checked between pages.
        public var maxPDFSeconds = 20.0

        public init() {}
    }

    /// What reading gave.
    public struct Result: Sendable, Equatable {
        public enum Status: String, Sendable { case read, scanned, unreadable }
        public var status: Status
        public var format: Format
        /// The text (empty unless `read`).
        public var text: String
        /// Why nothing, or only part, was read.
        public var problem: String?

        public init(status: Status, format: Format, text: String = "", problem: String? = nil) {
            self.status = status
            self.format = format
            self.text = text
            self.problem = problem
        }
    }

    public var limits: Limits

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// The letter format of an attachment, from its MIME type or its file name.
    /// - Returns: nil for anything that is not a PDF, DOCX or ODT.
    public static func format(contentType: String, filename: String?) -> Format? {
        switch contentType.lowercased() {
        case "application/pdf", "application/x-pdf": return .pdf
        case "application/vnd.openxmlformats-officedocument.wordprocessingml.document": return .docx
        case "application/vnd.oasis.opendocument.text": return .odt
        default: break
        }
        let name = (filename ?? "").lowercased()
        if name.hasSuffix(".pdf") { return .pdf }
        if name.hasSuffix(".docx") { return .docx }
        if name.hasSuffix(".odt") { return .odt }
        return nil
    }

    /// Reads an attachment's text.
    /// - Parameters:
    ///   - bytes: the decoded file.
    ///   - format: its format.
    /// - Returns: the text, or why there is none. Never throws, never traps.
    public func read(_ bytes: [UInt8], format: Format) -> Result {
        guard bytes.count <= limits.maxFileBytes else {
            return Result(status: .unreadable, format: format,
                          problem: "\(format.rawValue.uppercased()) of \(bytes.count) bytes is over the \(limits.maxFileBytes)-byte limit: not read")
        }
        switch format {
        case .pdf: return PDFText.read(bytes, limits: limits)
        case .docx: return ZippedDocument.read(bytes, format: .docx, limits: limits)
        case .odt: return ZippedDocument.read(bytes, format: .odt, limits: limits)
        }
    }
}
