import MailText
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses RFC 5322 / MIME bytes into a ``MIMEEntity`` tree, in linear time,
/// never failing: problems are recorded as defects on the entity where they occur.
public struct MIMEParser: Sendable {
    /// Containers nested deeper than this are kept as opaque leaves (with a defect).
    public var maxDepth: Int
    /// Header values longer than this many bytes are cut (with a defect).
    public var maxHeaderValueBytes: Int

    /// Creates a parser.
    /// - Parameters:
    ///   - maxDepth: the nesting cap for multiparts and nested messages.
    ///   - maxHeaderValueBytes: the cap on one header value.
    public init(maxDepth: Int = 100, maxHeaderValueBytes: Int = 64 * 1024) {
        self.maxDepth = maxDepth
        self.maxHeaderValueBytes = maxHeaderValueBytes
    }

    /// Parses a whole message.
    /// - Parameter bytes: the raw message.
    /// - Returns: the root entity.
    public func parse(_ bytes: [UInt8]) -> MIMEEntity {
        bytes.withUnsafeBufferPointer { p in
            // A UTF-8 byte order mark before the first header is skipped.
            let bom = p.count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF
            var e = parseEntity(p, (bom ? 3 : 0)..<p.count, depth: 0, defaultType: "text/plain")
            if bom { e.defects.insert("byte order mark before the header skipped", at: 0) }
            return e
        }
    }

    // MARK: - Lines

    /// Index of the next LF at or after `from`, or `end`.
    @inline(__always)
    static func nextLF(_ p: UnsafeBufferPointer<UInt8>, _ from: Int, _ end: Int) -> Int {
        guard from < end, let base = p.baseAddress else { return end }
        guard let hit = memchr(base + from, 0x0A, end - from) else { return end }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    @inline(__always)
    static func isNameByte(_ b: UInt8) -> Bool { b >= 33 && b <= 126 && b != 58 }

    /// If the line `[start, contentEnd)` is `name:`-shaped, the index of the colon.
    static func colonIndex(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ contentEnd: Int) -> Int? {
        var i = start
        while i < contentEnd, isNameByte(p[i]) { i += 1 }
        if i == start { return nil }
        var j = i
        while j < contentEnd, p[j] == 0x20 || p[j] == 0x09 { j += 1 }
        if j < contentEnd, p[j] == 58 { return j }
        return nil
    }

    // MARK: - Headers

    struct HeaderBlock {
        var fields: [MIMEHeaderField] = []
        var bodyStart: Int
        var defects: [String] = []
    }

    func parseHeaders(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> HeaderBlock {
        var block = HeaderBlock(bodyStart: range.upperBound)
        let end = range.upperBound
        var i = range.lowerBound
        var names: [Range<Int>] = []
        var values: [[UInt8]] = []
        var truncated: [Bool] = []
        var first = true
        while i < end {
            let lf = Self.nextLF(p, i, end)
            var contentEnd = lf
            if contentEnd > i, p[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            let next = lf < end ? lf + 1 : end
            if contentEnd == i {
                block.bodyStart = next
                return finish(p, names, values, truncated, &block)
            }
            let b0 = p[i]
            if b0 == 0x20 || b0 == 0x09 {
                if values.isEmpty {
                    block.defects.append("first header line is a continuation line")
                } else {
                    appendValue(p, i..<contentEnd, to: &values[values.count - 1], truncated: &truncated[truncated.count - 1])
                }
                i = next; first = false
                continue
            }
            if let colon = Self.colonIndex(p, i, contentEnd) {
                var nameEnd = colon
                while nameEnd > i, p[nameEnd - 1] == 0x20 || p[nameEnd - 1] == 0x09 { nameEnd -= 1 }
                names.append(i..<nameEnd)
                var v: [UInt8] = []
                var vs = colon + 1
                while vs < contentEnd, p[vs] == 0x20 || p[vs] == 0x09 { vs += 1 }
                var t = false
                appendValue(p, vs..<contentEnd, to: &v, truncated: &t)
                values.append(v)
                truncated.append(t)
                i = next; first = false
                continue
            }
            // Not a header line.
            let fromAt = (contentEnd - i >= 6 && p[i] == 0x3E) ? i + 1 : i
            if first, contentEnd - fromAt >= 5, p[fromAt] == 0x46, p[fromAt + 1] == 0x72, p[fromAt + 2] == 0x6F, p[fromAt + 3] == 0x6D, p[fromAt + 4] == 0x20 {
                // An mbox "From " (or quoted ">From ") line left at the top: skip it.
                i = next; first = false
                continue
            }
            first = false
            if !names.isEmpty, next < end {
                // Lenient: a stray line between header fields; keep going if a field follows.
                let lf2 = Self.nextLF(p, next, end)
                var ce2 = lf2
                if ce2 > next, p[ce2 - 1] == 0x0D { ce2 -= 1 }
                if Self.colonIndex(p, next, ce2) != nil {
                    block.defects.append("header line without a colon skipped")
                    i = next
                    continue
                }
            }
            block.defects.append("header block not ended by an empty line; body starts at the first line that is not a header field")
            block.bodyStart = i
            return finish(p, names, values, truncated, &block)
        }
        block.bodyStart = end
        return finish(p, names, values, truncated, &block)
    }

    private func appendValue(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, to v: inout [UInt8], truncated: inout Bool) {
        let room = maxHeaderValueBytes - v.count
        if room <= 0 { if !r.isEmpty { truncated = true }; return }
        if r.count > room {
            v.append(contentsOf: UnsafeBufferPointer(rebasing: p[r.lowerBound..<(r.lowerBound + room)]))
            truncated = true
        } else {
            v.append(contentsOf: UnsafeBufferPointer(rebasing: p[r]))
        }
    }

    private func finish(_ p: UnsafeBufferPointer<UInt8>, _ names: [Range<Int>], _ values: [[UInt8]], _ truncated: [Bool], _ block: inout HeaderBlock) -> HeaderBlock {
        block.fields.reserveCapacity(names.count)
        for k in 0..<names.count {
            let name = String(decoding: UnsafeBufferPointer(rebasing: p[names[k]]), as: UTF8.self)
            var v = values[k]
            while let last = v.last, last == 0x20 || last == 0x09 { v.removeLast() }
            if truncated[k] { block.defects.append("header \(name.prefix(60)) longer than \(maxHeaderValueBytes) bytes, cut") }
            block.fields.append(MIMEHeaderField(name: name, rawValue: HeaderDecoding.rawText(v)))
        }
        return block
    }

    // MARK: - Entities

    func parseEntity(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, depth: Int, defaultType: String) -> MIMEEntity {
        let hb = parseHeaders(p, range)
        var e = MIMEEntity(headers: hb.fields, contentType: defaultType, rawRange: range)
        e.defects = hb.defects
        if let ct = e.header("content-type") {
            let pv = HeaderDecoding.parameterized(ct.rawValue, defects: &e.defects)
            let parts = pv.value.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty {
                e.contentType = pv.value
            } else {
                e.defects.append("invalid content type \"\(pv.value.prefix(60))\", read as text/plain")
                e.contentType = "text/plain"
            }
            e.contentTypeParameters = pv.parameters
        }
        if let cd = e.header("content-disposition") {
            let pv = HeaderDecoding.parameterized(cd.rawValue, defects: &e.defects)
            e.disposition = pv.value.isEmpty ? nil : pv.value
            e.dispositionParameters = pv.parameters
        }
        if let cte = e.header("content-transfer-encoding") {
            let v = cte.rawValue.trimmingBlanks().lowercased()
            e.transferEncoding = v.isEmpty ? "7bit" : v
        }
        let body = min(hb.bodyStart, range.upperBound)..<range.upperBound
        if e.contentType.hasPrefix("multipart/") {
            if depth >= maxDepth {
                e.defects.append("nesting deeper than \(maxDepth) levels: part kept unparsed")
                e.body = Array(UnsafeBufferPointer(rebasing: p[body]))
                return e
            }
            guard let boundary = e.contentTypeParameter("boundary") else {
                e.defects.append("multipart without a boundary parameter: body kept as one part")
                e.body = Array(UnsafeBufferPointer(rebasing: p[body]))
                return e
            }
            splitMultipart(p, body, boundary: Array(boundary.utf8), into: &e, depth: depth)
            return e
        }
        if e.contentType.hasPrefix("message/") && e.contentType != "message/delivery-status" {
            if depth >= maxDepth {
                e.defects.append("nesting deeper than \(maxDepth) levels: message kept unparsed")
                e.body = Array(UnsafeBufferPointer(rebasing: p[body]))
                return e
            }
            switch e.transferEncoding {
            case "base64", "quoted-printable":
                e.defects.append("message part with \(e.transferEncoding) transfer encoding (not allowed); decoded and parsed")
                let decoded = decodeTransfer(p, body, entity: &e)
                let inner = decoded.withUnsafeBufferPointer { q in
                    parseEntity(q, 0..<q.count, depth: depth + 1, defaultType: "text/plain")
                }
                e.message = [inner]
                e.messageBytes = decoded
            default:
                e.message = [parseEntity(p, body, depth: depth + 1, defaultType: "text/plain")]
            }
            return e
        }
        e.body = decodeTransfer(p, body, entity: &e)
        return e
    }

    private func decodeTransfer(_ p: UnsafeBufferPointer<UInt8>, _ body: Range<Int>, entity e: inout MIMEEntity) -> [UInt8] {
        let raw = UnsafeBufferPointer(rebasing: p[body])
        switch e.transferEncoding {
        case "base64":
            let r = TransferDecoding.base64(raw)
            if let problem = r.problem { e.defects.append(problem) }
            return r.bytes
        case "quoted-printable":
            let r = TransferDecoding.quotedPrintable(Array(raw))
            if r.badEscape { e.defects.append("quoted-printable with invalid escapes (kept as written)") }
            return r.bytes
        case "x-uuencode", "uuencode", "x-uue", "uue":
            let bytes = Array(raw)
            if let r = TransferDecoding.uudecode(bytes) { return r.bytes }
            e.defects.append("uuencoded part without a begin line")
            return bytes
        case "7bit", "8bit", "binary", "":
            return Array(raw)
        default:
            e.defects.append("unknown transfer encoding \"\(e.transferEncoding.prefix(40))\": body kept as is")
            return Array(raw)
        }
    }

    /// Finds the delimiter lines of `boundary` in `body` and parses each part.
    private func splitMultipart(_ p: UnsafeBufferPointer<UInt8>, _ body: Range<Int>, boundary: [UInt8], into e: inout MIMEEntity, depth: Int) {
        let end = body.upperBound
        let blen = boundary.count
        // (lineStart, nextLineStart, isClose)
        var delimiters: [(start: Int, next: Int, close: Bool)] = []
        var ls = body.lowerBound
        while ls < end {
            let lf = Self.nextLF(p, ls, end)
            if lf - ls >= blen + 2, p[ls] == 0x2D, p[ls + 1] == 0x2D, ls + 2 + blen <= end {
                var match = true
                var k = 0
                while k < blen { if p[ls + 2 + k] != boundary[k] { match = false; break }; k += 1 }
                if match {
                    var j = ls + 2 + blen
                    var close = false
                    if j + 1 < lf, p[j] == 0x2D, p[j + 1] == 0x2D { close = true; j += 2 }
                    while j < lf, p[j] == 0x20 || p[j] == 0x09 || p[j] == 0x0D { j += 1 }
                    if j == lf {
                        delimiters.append((ls, lf < end ? lf + 1 : end, close))
                        if close { break }
                    }
                }
            }
            ls = lf + 1
        }
        guard !delimiters.isEmpty else {
            e.defects.append("multipart boundary not found: body kept as one part")
            e.body = Array(UnsafeBufferPointer(rebasing: p[body]))
            return
        }
        /// The end of the content before a delimiter line: drop the line break that precedes it.
        func contentEnd(before lineStart: Int, floor: Int) -> Int {
            var x = lineStart
            if x > floor, p[x - 1] == 0x0A { x -= 1; if x > floor, p[x - 1] == 0x0D { x -= 1 } }
            return x
        }
        e.preamble = Array(UnsafeBufferPointer(rebasing: p[body.lowerBound..<contentEnd(before: delimiters[0].start, floor: body.lowerBound)]))
        let childDefault = e.contentType == "multipart/digest" ? "message/rfc822" : "text/plain"
        var children: [MIMEEntity] = []
        for k in 0..<delimiters.count {
            let d = delimiters[k]
            if d.close { break }
            let partStart = d.next
            let partEnd: Int
            if k + 1 < delimiters.count {
                partEnd = max(partStart, contentEnd(before: delimiters[k + 1].start, floor: partStart))
            } else {
                partEnd = end
            }
            if k + 1 < delimiters.count, delimiters[k + 1].start == d.next, !delimiters[k + 1].close {
                // Doubled delimiter lines: no part between them.
                e.defects.append("doubled boundary line")
                continue
            }
            children.append(parseEntity(p, partStart..<partEnd, depth: depth + 1, defaultType: childDefault))
        }
        if let last = delimiters.last, last.close {
            e.epilogue = Array(UnsafeBufferPointer(rebasing: p[last.next..<end]))
        } else {
            e.defects.append("multipart without its final boundary: parts kept")
        }
        if children.isEmpty {
            e.defects.append("multipart with no parts: body kept as one part")
            e.preamble = nil
            e.epilogue = nil
            e.body = Array(UnsafeBufferPointer(rebasing: p[body]))
            return
        }
        e.children = children
    }
}
