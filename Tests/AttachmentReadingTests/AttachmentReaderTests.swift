import AttachmentReading
import Foundation
import Testing
import TriageTestSupport
import ZIPFoundation

/// Letters attached as PDF, DOCX and ODT, and the files that must not hurt:
/// a scan, an encrypted PDF, a PDF that loops, zip bombs, garbage.
@Suite struct AttachmentReaderTests {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/forwards")

    static func bytes(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: dir.appendingPathComponent(name)))
    }

    @Test(arguments: [("letter.pdf", AttachmentReader.Format.pdf), ("letter.docx", .docx), ("letter.odt", .odt)])
    func aLetterIsRead(file: String, format: AttachmentReader.Format) throws {
        let r = AttachmentReader().read(try Self.bytes(file), format: format)
        #expect(r.status == .read, "\(file): \(r.problem ?? "")")
        #expect(r.text.contains("I wish to complain about PC 4471"), "\(file): \(r.text.prefix(300))")
        #expect(r.text.contains("Yours sincerely"))
        #expect(r.problem == nil)
    }

    @Test func aScanIsFlaggedNeverGuessed() throws {
        let r = AttachmentReader().read(try Self.bytes("scanned.pdf"), format: .pdf)
        #expect(r.status == .scanned)
        #expect(r.text.isEmpty)
        #expect(r.problem == "scanned attachment: no text")
    }

    @Test func anEncryptedPDFIsNamedAsSuch() throws {
        let r = AttachmentReader().read(try Self.bytes("encrypted.pdf"), format: .pdf)
        #expect(r.status == .unreadable)
        #expect(r.problem?.contains("encrypted") == true, "\(r.problem ?? "")")
    }

    @Test func aPDFThatLoopsEndsQuickly() throws {
        let clock = ContinuousClock()
        var r: AttachmentReader.Result? = nil
        let t = clock.measure { r = AttachmentReader().read((try? Self.bytes("looping.pdf")) ?? [], format: .pdf) }
        let result = try #require(r)
        #expect(result.status == .unreadable, "a looping PDF is not a scan: \(result)")
        #expect(result.problem?.contains("damaged PDF") == true, "a looping PDF is reported: \(result.problem ?? "")")
        #expect(t < HangWatchdog.limit, "\(t)")
    }

    @Test func aZipBombStopsAtTheNamedLimit() throws {
        // Declared honestly: refused from the ZIP directory before inflating.
        let honest = AttachmentReader().read(try Self.bytes("bomb.docx"), format: .docx)
        #expect(honest.status == .unreadable)
        #expect(honest.problem?.contains("maxInflatedXMLBytes") == true, "\(honest.problem ?? "")")
        // The directory lies about the size: inflating stops at the limit.
        var limits = AttachmentReader.Limits()
        limits.maxInflatedXMLBytes = 4 * 1024 * 1024
        let lying = AttachmentReader(limits: limits).read(try Self.bytes("bomb-lying.docx"), format: .docx)
        #expect(lying.status == .unreadable)
        #expect(lying.problem != nil)
        #expect(lying.text.isEmpty)
    }

    @Test func eachLimitIsNamedWhenItStops() throws {
        var limits = AttachmentReader.Limits()
        limits.maxFileBytes = 100
        let big = AttachmentReader(limits: limits).read(try Self.bytes("letter.pdf"), format: .pdf)
        #expect(big.status == .unreadable)
        #expect(big.problem?.contains("100-byte limit") == true)

        limits = AttachmentReader.Limits()
        limits.maxTextScalars = 40
        let cut = AttachmentReader(limits: limits).read(try Self.bytes("letter.docx"), format: .docx)
        #expect(cut.status == .read)
        #expect(cut.text.unicodeScalars.count <= 40 + 4)
        #expect(cut.problem?.contains("cut at 40") == true)

        limits = AttachmentReader.Limits()
        limits.maxZipEntries = 1
        let many = AttachmentReader(limits: limits).read(try Self.bytes("letter.docx"), format: .docx)
        #expect(many.problem?.contains("maxZipEntries") == true)

        limits = AttachmentReader.Limits()
        limits.maxCompressionRatio = 1
        let ratio = AttachmentReader(limits: limits).read(try Self.bytes("letter.docx"), format: .docx)
        #expect(ratio.problem?.contains("maxCompressionRatio") == true, "\(ratio.problem ?? "")")

        limits = AttachmentReader.Limits()
        limits.maxPDFPages = 0
        let pages = AttachmentReader(limits: limits).read(try Self.bytes("letter.pdf"), format: .pdf)
        #expect(pages.status != .read)
    }

    @Test(arguments: AttachmentReader.Format.allCases)
    func garbageAndTruncatedFilesAreErrorsNotCrashes(format: AttachmentReader.Format) throws {
        var inputs: [[UInt8]] = [[], Array("hello".utf8), [UInt8](repeating: 0xFF, count: 4096)]
        let real = try Self.bytes(format == .pdf ? "letter.pdf" : format == .docx ? "letter.docx" : "letter.odt")
        for cut in stride(from: 0, to: real.count, by: max(1, real.count / 17)) { inputs.append(Array(real[0..<cut])) }
        var flipped = real
        for k in stride(from: 10, to: flipped.count, by: 7) { flipped[k] ^= 0x5A }
        inputs.append(flipped)
        for input in inputs {
            let r = AttachmentReader().read(input, format: format)
            if r.status != .read { #expect(r.problem != nil, "\(format) of \(input.count) bytes: a reason is given") }
        }
    }

    @Test func externalEntitiesAreNotFollowed() throws {
        let xml = """
            <?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
            <w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>before &x; after</w:t></w:r></w:p></w:body></w:document>
            """
        let docx = try Self.zip(["word/document.xml": Array(xml.utf8)])
        let r = AttachmentReader().read(docx, format: .docx)
        #expect(!r.text.contains("root:"), "no file content leaks in")
    }

    @Test func formatsAreKnownByTypeOrName() {
        #expect(AttachmentReader.format(contentType: "application/pdf", filename: nil) == .pdf)
        #expect(AttachmentReader.format(contentType: "application/octet-stream", filename: "Letter.DOCX") == .docx)
        #expect(AttachmentReader.format(contentType: "application/vnd.oasis.opendocument.text", filename: "x") == .odt)
        #expect(AttachmentReader.format(contentType: "image/jpeg", filename: "photo.jpg") == nil)
    }

    /// A ZIP made in memory with ZIPFoundation.
    static func zip(_ files: [String: [UInt8]]) throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (name, data) in files.sorted(by: { $0.key < $1.key }) {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                Data(data[Int(position)..<Int(position) + size])
            }
        }
        return [UInt8](archive.data ?? Data())
    }
}
