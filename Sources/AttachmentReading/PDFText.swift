import CPoppler
import Foundation

/// A PDF's text layer, page by page, through poppler's GLib interface.
enum PDFText {
    /// poppler's global state is set up on first use; documents are read one
    /// at a time so that parallel reclassification never races inside it.
    static let lock = NSLock()

    /// Fewer visible characters than this on every page read means no text layer.
    static let minVisibleCharacters = 16

    static func read(_ bytes: [UInt8], limits: AttachmentReader.Limits) -> AttachmentReader.Result {
        let head = Array(bytes.prefix(1024))
        let magic = Array("%PDF-".utf8)
        guard head.count >= magic.count, (0...(head.count - magic.count)).contains(where: { head[$0..<($0 + magic.count)].elementsEqual(magic) }) else {
            return .init(status: .unreadable, format: .pdf, problem: "not a PDF: no %PDF- header")
        }
        lock.lock()
        defer { lock.unlock() }
        triage_poppler_silence()
        let gbytes = bytes.withUnsafeBytes { g_bytes_new($0.baseAddress, gsize($0.count)) }
        defer { g_bytes_unref(gbytes) }
        var error: UnsafeMutablePointer<GError>? = nil
        guard let document = poppler_document_new_from_bytes(gbytes, nil, &error) else {
            var problem = "damaged PDF: poppler could not open it"
            if let e = error {
                if e.pointee.domain == poppler_error_quark() && e.pointee.code == Int32(POPPLER_ERROR_ENCRYPTED.rawValue) {
                    problem = "encrypted PDF: its text cannot be read without the password"
                }
                g_error_free(e)
            }
            return .init(status: .unreadable, format: .pdf, problem: problem)
        }
        defer { triage_g_object_unref(UnsafeMutableRawPointer(document)) }
        let pageCount = Int(poppler_document_get_n_pages(document))
        guard pageCount > 0 else {
            return .init(status: .unreadable, format: .pdf, problem: "PDF with no pages")
        }
        let started = Date()
        var pages: [String] = []
        var scalars = 0
        var visible = 0
        var problems: [String] = []
        var opened = 0
        for k in 0..<min(pageCount, limits.maxPDFPages) {
            if Date().timeIntervalSince(started) > limits.maxPDFSeconds {
                problems.append("stopped after \(limits.maxPDFSeconds) seconds at page \(k + 1) of \(pageCount)")
                break
            }
            guard let page = poppler_document_get_page(document, Int32(k)) else { continue }
            opened += 1
            defer { triage_g_object_unref(UnsafeMutableRawPointer(page)) }
            guard let cText = poppler_page_get_text(page) else { continue }
            var text = String(cString: cText)
            triage_g_free(cText)
            visible += text.unicodeScalars.lazy.filter { !$0.properties.isWhitespace }.count
            let n = text.unicodeScalars.count
            if scalars + n > limits.maxTextScalars {
                text = String(String.UnicodeScalarView(text.unicodeScalars.prefix(max(0, limits.maxTextScalars - scalars))))
                pages.append(text)
                problems.append("text cut at \(limits.maxTextScalars) characters")
                break
            }
            scalars += n
            pages.append(text)
        }
        if pageCount > limits.maxPDFPages { problems.append("only the first \(limits.maxPDFPages) of \(pageCount) pages read") }
        if opened == 0 {
            return .init(status: .unreadable, format: .pdf, problem: "damaged PDF: none of its \(pageCount) pages can be read")
        }
        if visible < minVisibleCharacters {
            return .init(status: .scanned, format: .pdf, problem: "scanned attachment: no text")
        }
        let text = pages.map(cleanPage).joined(separator: "\n\n")
        return .init(status: .read, format: .pdf, text: text, problem: problems.isEmpty ? nil : problems.joined(separator: "; "))
    }

    /// Form feeds and trailing spaces out; poppler's line breaks kept.
    static func cleanPage(_ text: String) -> String {
        text.replacingOccurrences(of: "\u{0C}", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { line -> Substring in
                var l = line[...]
                while let last = l.last, last == " " || last == "\t" || last == "\r" { l = l.dropLast() }
                return l
            }
            .joined(separator: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
