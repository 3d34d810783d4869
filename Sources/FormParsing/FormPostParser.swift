import Foundation
import MailText
import ContentHashing
import TextSegmentation
import TriageCore

/// Reads web form posts — a raw HTTP request file, or a bare
/// urlencoded / multipart / JSON body — into ``Correspondence`` (channel
/// `.webForm`), giving each field the role its form mapping names.
public struct FormPostParser: Sendable {
    /// The mappings, as loaded (see ``FormMapping/loadAll(from:)``).
    public let mappings: [FormMapping]

    /// Creates a parser.
    /// - Parameter mappings: the form mappings; the best-recognised one is
    ///   used for each post, else a `fallback: true` mapping, else none.
    public init(mappings: [FormMapping]) {
        self.mappings = mappings
    }

    /// Header fields never copied into the result.
    private static let privateHeaders: Set<String> = ["cookie", "authorization", "proxy-authorization", "set-cookie"]

    /// Parses one form post.
    /// - Parameter item: the raw bytes; `formatHint` (`form_json`,
    ///   `form_urlencoded`, `form_multipart`, `http`) or the file extension
    ///   (`.json`, `.form`, `.urlencoded`, `.multipart`, `.http`) says what a
    ///   bare body is; otherwise it is sniffed.
    /// - Returns: the correspondence, with problems that did not stop the
    ///   parse in `defects`.
    /// - Throws: ``IngestError`` naming the item when the body cannot be read
    ///   (bad JSON, multipart without boundary, empty file, unknown type).
    public func parse(_ item: RawItem) throws -> Correspondence {
        guard !item.bytes.isEmpty else { throw IngestError(item: item.label, problem: "empty file") }
        // Empty lines before a request line are ignored (RFC 9112 §2.2).
        let leading = item.bytes.prefix { $0 == 0x0D || $0 == 0x0A }.count
        let requestBytes = leading > 0 && leading < item.bytes.count ? Array(item.bytes[leading...]) : item.bytes
        var defects: [String] = []
        var headers: [HeaderField] = []
        var path: String? = nil
        var httpDate: String? = nil
        var body: [UInt8]
        var kind: FormBodyKind

        do {
            if HTTPRequest.looksLikeRequest(requestBytes) {
                let request = try HTTPRequest.parse(requestBytes)
                defects += request.defects
                path = request.path
                httpDate = request.header("Date")
                headers.append(HeaderField(name: ":method", value: request.method))
                headers.append(HeaderField(name: ":path", value: request.path))
                for h in request.headers where !Self.privateHeaders.contains(h.name.lowercased()) {
                    headers.append(HeaderField(name: h.name.lowercased(), value: h.value))
                }
                body = request.body
                if let te = request.header("Content-Encoding"), !["identity", ""].contains(te.lowercased()) {
                    throw FormSyntaxError("Content-Encoding \(te) is not supported")
                }
                if body.isEmpty, let query = request.query, !query.isEmpty {
                    body = Array(query.utf8)
                    kind = .urlencoded(charset: nil)
                    defects.append("no body; fields read from the query string")
                } else if let ct = request.header("Content-Type") {
                    if let k = try FormBodyKind.from(contentType: ct) {
                        kind = k
                    } else if let k = FormBodyKind.sniff(body) {
                        kind = k
                        defects.append("Content-Type \(Self.namedMediaType(ct)) is not a form type; body read as \(k.format)")
                    } else {
                        throw FormSyntaxError("Content-Type \(Self.namedMediaType(ct)) is not a form body")
                    }
                } else if let k = FormBodyKind.sniff(body) {
                    kind = k
                    defects.append("no Content-Type; body read as \(k.format)")
                } else {
                    throw FormSyntaxError(body.isEmpty ? "request has no body" : "no Content-Type and the body is not a recognisable form")
                }
            } else {
                body = item.bytes
                guard let k = Self.bareKind(item) else {
                    throw FormSyntaxError("not an HTTP request and not a recognisable form body")
                }
                kind = k
            }

            var form: DecodedForm
            switch kind {
            case let .urlencoded(charset):
                form = FormBodyDecoder.urlencoded(body, charset: charset)
            case let .multipart(boundary, charset):
                form = try FormBodyDecoder.multipart(body, boundary: boundary, charset: charset)
            case .json:
                form = try FormBodyDecoder.json(body)
            }
            defects += form.defects
            if form.fields.isEmpty && form.attachments.isEmpty {
                throw FormSyntaxError("the form body has no fields")
            }
            return build(item: item, kind: kind, form: form, path: path, httpDate: httpDate, headers: headers, defects: defects)
        } catch let error as FormSyntaxError {
            throw IngestError(item: item.label, problem: error.message)
        }
    }

    /// A Content-Type's media type for a message: named only when it is a
    /// common, known type (errors never echo what a sender wrote).
    static func namedMediaType(_ contentType: String) -> String {
        let value = HeaderValue(contentType).value.lowercased()
        return knownMediaTypes.contains(value) ? value : "(an unrecognised media type)"
    }

    static let knownMediaTypes: Set<String> = [
        "text/plain", "text/html", "text/xml", "text/csv", "application/xml", "application/xhtml+xml",
        "application/octet-stream", "application/pdf", "application/javascript", "text/javascript",
    ]

    /// True when the bytes start (after any empty lines) with an HTTP/1.x
    /// request line such as `POST /contact/complaint HTTP/1.1` — a hint for
    /// callers deciding which parser gets a file.
    public static func isHTTPRequest(_ bytes: [UInt8]) -> Bool {
        let leading = bytes.prefix { $0 == 0x0D || $0 == 0x0A }.count
        return HTTPRequest.looksLikeRequest(Array(bytes.dropFirst(leading).prefix(8192)))
    }

    /// The kind of a bare body, from the hint, the extension, or the bytes.
    static func bareKind(_ item: RawItem) -> FormBodyKind? {
        let hint = (item.formatHint ?? "").lowercased()
        let ext = (item.source as NSString).pathExtension.lowercased()
        let sniffed = FormBodyKind.sniff(item.bytes)
        if ["form_json", "json"].contains(hint) || (hint.isEmpty && ext == "json") { return .json }
        if ["form_urlencoded", "urlencoded", "form"].contains(hint) || (hint.isEmpty && ["form", "urlencoded"].contains(ext)) {
            return .urlencoded(charset: nil)
        }
        if ["form_multipart", "multipart"].contains(hint) || (hint.isEmpty && ext == "multipart") {
            if case .multipart = sniffed { return sniffed }
            return nil
        }
        return sniffed
    }

    /// Lower-case letters and digits only, for loose name matching.
    static func looseName(_ s: String) -> String {
        String(s.lowercased().unicodeScalars.filter { $0.isASCII && CharacterSet.alphanumerics.contains($0) }.map(Character.init))
    }

    /// The path prefix under which `triage serve` receives each form: a post to
    /// `/forms/ID` (as stored by the server) names its mapping by id.
    public static let servePathPrefix = "/forms/"

    /// The mapping a `/forms/ID` path names, if it names a known one.
    func mapping(namedBy path: String?) -> FormMapping? {
        guard let path, path.hasPrefix(Self.servePathPrefix) else { return nil }
        var id = path.dropFirst(Self.servePathPrefix.count)
        if id.hasSuffix("/") { id = id.dropLast() }
        return mappings.first { $0.id == id }
    }

    /// Chooses the mapping for a post: the one its `/forms/ID` path names, else
    /// the highest recognition score, then priority, then id.
    func mapping(path: String?, fields: [FormField]) -> FormMapping? {
        if let named = mapping(namedBy: path) { return named }
        let scored = mappings.filter { !$0.fallback }.map { ($0, $0.recognitionScore(path: path, fields: fields)) }.filter { $0.1 > 0 }
        if let best = scored.max(by: { a, b in
            if a.1 != b.1 { return a.1 < b.1 }
            if a.0.priority != b.0.priority { return a.0.priority < b.0.priority }
            return a.0.id > b.0.id
        }) {
            return best.0
        }
        return mappings.filter(\.fallback).max { a, b in a.priority != b.priority ? a.priority < b.priority : a.id > b.id }
    }

    /// Gives each field its role: exact (case-insensitive) name first, then loose.
    static func assignRoles(_ fields: inout [FormField], mapping: FormMapping) {
        var exact: [String: String] = [:]
        var loose: [String: String] = [:]
        for role in FormMapping.roles {
            for candidate in mapping.roleFields[role] ?? [] {
                if exact[candidate.lowercased()] == nil { exact[candidate.lowercased()] = role }
                let l = looseName(candidate)
                if !l.isEmpty, loose[l] == nil { loose[l] = role }
            }
        }
        for i in fields.indices {
            fields[i].role = exact[fields[i].name.lowercased()] ?? loose[looseName(fields[i].name)]
        }
    }

    /// The non-empty values of a role, in the mapping's candidate order.
    static func values(of role: String, in fields: [FormField], mapping: FormMapping?) -> [FormField] {
        let withRole = fields.filter { $0.role == role && !$0.value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        guard let candidates = mapping?.roleFields[role] else { return withRole }
        func rank(_ f: FormField) -> Int {
            candidates.firstIndex { $0.lowercased() == f.name.lowercased() }
                ?? candidates.firstIndex { looseName($0) == looseName(f.name) } ?? candidates.count
        }
        return withRole.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
    }

    private func build(item: RawItem, kind: FormBodyKind, form: DecodedForm, path: String?, httpDate: String?, headers: [HeaderField], defects: [String]) -> Correspondence {
        var defects = defects
        var fields = form.fields
        var headers = headers
        let mapping = mapping(path: path, fields: fields)
        if let mapping {
            Self.assignRoles(&fields, mapping: mapping)
            headers.append(HeaderField(name: ":form-mapping", value: mapping.id))
        } else {
            defects.append("no form mapping recognises this post; fields have no roles")
        }
        func first(_ role: String) -> String? {
            Self.values(of: role, in: fields, mapping: mapping).first?.value.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        // Sender.
        var postal = first("address")
        if let postcode = first("postcode") {
            if let p = postal {
                if !p.lowercased().contains(postcode.lowercased()) { postal = p + "\n" + postcode }
            } else {
                postal = postcode
            }
        }
        let sender = Party(name: first("name"), address: first("email"), phone: first("phone"), postalAddress: postal)

        // Date: submitted_at, else the HTTP Date header.
        var date: DatedBy? = nil
        if let submitted = first("submitted_at") {
            if let d = MailDates.submitted(submitted) {
                date = DatedBy(value: d, source: .form)
            } else {
                defects.append("submitted-at value is not a date I can read")
            }
        }
        if date == nil, let h = httpDate {
            if let d = MailDates.http(h) { date = DatedBy(value: d, source: .header) } else { defects.append("HTTP Date header cannot be read") }
        }

        // Subject.
        let subject = first("subject") ?? mapping?.title

        // Body: the free-text field(s).
        let free = Self.values(of: "free_text", in: fields, mapping: mapping)
        var text: String
        if free.count == 1 {
            text = free[0].value
        } else if free.count > 1 {
            text = free.map { "\($0.name):\n\($0.value.trimmingCharacters(in: .whitespacesAndNewlines))" }.joined(separator: "\n\n")
        } else {
            let rest = fields.filter { $0.role == nil && !$0.value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
            text = rest.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
            defects.append(rest.isEmpty ? "no free-text field; the body is empty" : "no free-text field; the body lists the unmapped fields")
        }
        text = FormBodyDecoder.normaliseNewlines(text).trimmingCharacters(in: .whitespacesAndNewlines)

        let digest = ContentHash.sha256Hex(item.bytes)
        return Correspondence(
            channel: .webForm,
            sender: sender.isEmpty ? nil : sender,
            recipients: [],
            date: date,
            subject: subject,
            body: TextSegmenter().body(for: text),
            formFields: fields,
            attachments: form.attachments,
            headers: headers,
            provenance: Provenance(source: item.source, offset: item.offset, locator: item.locator, sha256: digest, size: item.bytes.count, format: kind.format),
            defects: defects
        )
    }
}
