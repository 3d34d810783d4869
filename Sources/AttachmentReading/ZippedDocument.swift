import Foundation
import MailText
import ZIPFoundation

/// DOCX and ODT: a ZIP holding the document as XML.
enum ZippedDocument {
    struct LimitExceeded: Error {}

    static func read(_ bytes: [UInt8], format: AttachmentReader.Format, limits: AttachmentReader.Limits) -> AttachmentReader.Result {
        let name = format.rawValue.uppercased()
        guard bytes.starts(with: [0x50, 0x4B]) else {
            return .init(status: .unreadable, format: format, problem: "not a \(name): not a ZIP archive")
        }
        let archive: Archive
        do {
            archive = try Archive(data: Data(bytes), accessMode: .read)
        } catch {
            return .init(status: .unreadable, format: format, problem: "damaged \(name): the ZIP directory cannot be read")
        }
        var entries = 0
        var target: Entry? = nil
        let wanted = format == .docx ? "word/document.xml" : "content.xml"
        for entry in archive {
            entries += 1
            if entries > limits.maxZipEntries {
                return .init(status: .unreadable, format: format,
                             problem: "\(name) with more than \(limits.maxZipEntries) ZIP entries: not read (limit maxZipEntries)")
            }
            if entry.path == wanted { target = entry }
        }
        guard let entry = target else {
            return .init(status: .unreadable, format: format, problem: "damaged \(name): no \(wanted) inside")
        }
        if format == .odt, let mime = archive["mimetype"], !isODTMimetype(archive, mime) {
            return .init(status: .unreadable, format: format, problem: "not an ODT text document (its mimetype differs)")
        }
        // Declared sizes first, then the real inflated bytes: a zip bomb stops at the limit.
        let declared = entry.uncompressedSize
        if declared > UInt64(limits.maxInflatedXMLBytes)
            || entry.compressedSize > 0 && declared / max(entry.compressedSize, 1) > UInt64(limits.maxCompressionRatio) {
            return .init(status: .unreadable, format: format,
                         problem: "\(name) whose \(wanted) would inflate to \(declared) bytes: not read (limits maxInflatedXMLBytes, maxCompressionRatio)")
        }
        var xml: [UInt8] = []
        do {
            _ = try archive.extract(entry, bufferSize: 64 * 1024, skipCRC32: false) { chunk in
                if xml.count + chunk.count > limits.maxInflatedXMLBytes { throw LimitExceeded() }
                xml.append(contentsOf: chunk)
            }
        } catch is LimitExceeded {
            return .init(status: .unreadable, format: format,
                         problem: "\(name) whose \(wanted) inflates past \(limits.maxInflatedXMLBytes) bytes: not read (limit maxInflatedXMLBytes)")
        } catch {
            return .init(status: .unreadable, format: format, problem: "damaged \(name): \(wanted) cannot be inflated")
        }
        let vocabulary: OfficeDocumentText.Vocabulary = format == .docx ? .wordprocessingML : .openDocument
        guard let (text, truncated) = OfficeDocumentText.text(fromXML: xml, vocabulary: vocabulary, maxScalars: limits.maxTextScalars) else {
            return .init(status: .unreadable, format: format, problem: "damaged \(name): \(wanted) is not readable XML")
        }
        if text.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
            return .init(status: .unreadable, format: format, problem: "\(name) with no text")
        }
        return .init(status: .read, format: format, text: text,
                     problem: truncated ? "text cut at \(limits.maxTextScalars) characters" : nil)
    }

    static func isODTMimetype(_ archive: Archive, _ entry: Entry) -> Bool {
        guard entry.uncompressedSize < 200 else { return false }
        var bytes: [UInt8] = []
        _ = try? archive.extract(entry) { bytes.append(contentsOf: $0) }
        return String(decoding: bytes, as: UTF8.self).hasPrefix("application/vnd.oasis.opendocument.text")
    }
}
