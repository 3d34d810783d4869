import FormParsing
import Foundation
import LetterParsing
import MailParsing
import TriageCore

/// The one door to all ingesters: turns a ``RawItem`` into a
/// ``Correspondence`` with the parser its format needs, and fills in the
/// file's time when the item carries no date of its own.
public struct Ingester: Sendable {
    private let email = EmailParser()
    private let forms: FormPostParser
    private let letters = LetterParser()

    /// - Parameter formMappings: the mappings from `Rules/forms/`.
    public init(formMappings: [FormMapping]) {
        self.forms = FormPostParser(mappings: formMappings)
    }

    /// Loads the form mappings from a `Rules/` directory and makes an ingester.
    /// - Throws: ``FormMappingError`` naming the bad mapping file.
    public init(rulesDirectory: URL) throws {
        let formsDirectory = rulesDirectory.appendingPathComponent("forms")
        let mappings = FileManager.default.fileExists(atPath: formsDirectory.path) ? try FormMapping.loadAll(from: formsDirectory) : []
        self.init(formMappings: mappings)
    }

    /// The ids of the form mappings (`Rules/forms/`), sorted.
    public var formMappingIDs: [String] { forms.mappings.map(\.id).sorted() }

    /// Parses one item.
    /// - Parameters:
    ///   - item: the raw item.
    ///   - fileTime: the modification time of the file it came from, used when the item has no date.
    /// - Throws: ``IngestError`` naming the item and the problem.
    public func parse(_ item: RawItem, fileTime: Date? = nil) throws -> Correspondence {
        let format = Self.format(of: item)
        var result: Correspondence
        switch format {
        case .email, .mbox:
            result = try email.parse(item)
        case .formPost:
            result = try forms.parse(item)
        case .letter:
            result = try letters.parse(item)
        }
        if result.date == nil, let fileTime {
            result.date = DatedBy(value: fileTime, source: .fileTime)
        }
        return result
    }

    /// The format of an item: its container's hint, else its extension, else its first bytes.
    public static func format(of item: RawItem) -> ItemFormat {
        switch item.formatHint {
        case "mbox", "maildir", "eml", "imap": return .email
        case let hint? where hint.hasPrefix("form") || hint == "http": return .formPost
        case let hint? where hint.hasPrefix("letter") || hint == "xml" || hint == "html": return .letter
        default: break
        }
        if let byName = ItemFormat.fromExtension(item.source) { return byName == .mbox ? .email : byName }
        let sniffed = ItemFormat.sniff(item.bytes[...])
        return sniffed == .mbox ? .email : sniffed
    }
}
