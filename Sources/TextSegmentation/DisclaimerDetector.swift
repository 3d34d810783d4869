import TriageCore

/// Legal and confidentiality footers, found where they occur: after a message.
extension Analysis {
    /// Paragraphs (runs of non-blank lines) of a region, as line ranges.
    func paragraphs(in region: Range<Int>) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var i = region.lowerBound
        while i < region.upperBound {
            if lines[i].isBlank { i += 1; continue }
            var j = i
            while j < region.upperBound && !lines[j].isBlank { j += 1 }
            out.append(i..<j)
            i = j
        }
        return out
    }

    /// Normalised text of a paragraph, at most `limit` characters looked at.
    mutating func paragraphText(_ p: Range<Int>, limit: Int = 6000) -> String {
        var text = ""
        for k in p {
            if !text.isEmpty { text += " " }
            text += norm(k)
            if text.utf8.count > limit { break }
        }
        return text
    }

    enum FooterKind { case footer, rule, short, other }

    mutating func footerKind(_ p: Range<Int>) -> FooterKind {
        if isRule(p.lowerBound) {
            // Rule lines, alone or heading a paragraph.
            var first = p.lowerBound
            while first < p.upperBound && isRule(first) { first += 1 }
            if first == p.upperBound { return .rule }
            switch footerKind(first..<p.upperBound) {
            case .footer: return .footer
            case .rule, .short: return .rule
            case .other: return .other
            }
        }
        let text = paragraphText(p)
        if p.count <= 2 && text.utf8.count <= 40 && compiled.disclaimerLineSet.contains(text.trimmingPunctuation()) { return .footer }
        let bytes = Array(text.utf8)
        let hits = compiled.disclaimerMatcher.matches(in: bytes, upTo: 2)
        if hits > 0 {
            // A paragraph in the first person is the sender's own words unless
            // it carries two footer phrases.
            if hits >= 2 || !isFirstPerson(bytes) { return .footer }
        }
        var chars = 0
        for k in p { chars += lines[k].length }
        if p.count <= 3 && chars <= 200 { return .short }
        return .other
    }

    /// True when the normalised text has the word "I", "I'm", "I've", "I'd", "my" or "me".
    func isFirstPerson(_ bytes: [UInt8]) -> Bool {
        var k = 0
        let n = bytes.count
        while k < n {
            // skip to a word start
            while k < n && !isWordByte(bytes[k]) { k += 1 }
            let start = k
            while k < n && (isWordByte(bytes[k]) || bytes[k] == UInt8(ascii: "'")) { k += 1 }
            let len = k - start
            if len == 0 { continue }
            let b0 = bytes[start]
            if b0 == UInt8(ascii: "i") && (len == 1 || (len == 3 && bytes[start + 1] == UInt8(ascii: "'"))) { return true }
            if b0 == UInt8(ascii: "m") && len == 2 && (bytes[start + 1] == UInt8(ascii: "y") || bytes[start + 1] == UInt8(ascii: "e")) {
                return true
            }
        }
        return false
    }

    /// The first line of the trailing footer of a region, if it has one.
    ///
    /// Walks paragraphs back from the end while they are footer paragraphs,
    /// rules or short lines; one longer paragraph is let through when the one
    /// above it is footer too (a footer of several paragraphs, one of them
    /// without a known phrase).
    mutating func disclaimerStart(in region: Range<Int>) -> Int? {
        let paras = paragraphs(in: region)
        var kinds: [FooterKind?] = Array(repeating: nil, count: paras.count)
        func kindOf(_ k: Int, _ me: inout Analysis) -> FooterKind {
            if let known = kinds[k] { return known }
            let kind = me.footerKind(paras[k])
            kinds[k] = kind
            return kind
        }
        var earliestFooter: Int? = nil
        var tolerated = 0
        var k = paras.count - 1
        while k >= 0 {
            let kind = kindOf(k, &self)
            if kind == .other {
                guard earliestFooter != nil, tolerated < 2, k > 0 else { break }
                let above = kindOf(k - 1, &self)
                guard above == .footer || above == .rule else { break }
                tolerated += 1
            }
            if kind == .footer { earliestFooter = k }
            k -= 1
        }
        guard var start = earliestFooter else { return nil }
        // Take in a rule just above, possibly with one short paragraph between
        // ("________ / Cambridgeshire Constabulary / www…"), but not a sign-off.
        var back = start - 1
        var shortSeen = 0
        while back >= 0 {
            let kind = kindOf(back, &self)
            if kind == .rule { start = back; break }
            if kind == .short && shortSeen < 1 && signatureOpener(paras[back].lowerBound) == nil {
                shortSeen += 1
                back -= 1
                continue
            }
            break
        }
        return paras[start].lowerBound
    }
}
