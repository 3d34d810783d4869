import Foundation

/// Evidence, fired rules and the explanation paragraph.
extension Evaluation {
    /// Evidence of every fired rule, in text order, internal rules included
    /// (they are what the decision rests on), at most five per rule.
    func evidenceList() -> [Evidence] {
        var perRule: [Int: Int] = [:]
        var list: [Evidence] = []
        let ordered = hits.indices.sorted { (hits[$0].view < 0 ? Int.max : hits[$0].start, $0) < (hits[$1].view < 0 ? Int.max : hits[$1].start, $1) }
        for i in ordered {
            let h = hits[i]
            let count = perRule[h.rule, default: 0]
            guard count < 5 else { continue }
            perRule[h.rule] = count + 1
            let rule = ruleSet.rules[h.rule]
            list.append(Evidence(rule: rule.id, cites: rule.cites, segment: h.segment, start: h.start, end: h.end,
                                 quote: h.quote, fact: "\(rule.fact)=\(rule.value)"))
        }
        // A subject tied through a word that refers back shows both ends of the link.
        for (anchor, mention) in links where subjectHits.contains(mention) || values("subject").contains(ruleSet.rules[hits[mention].rule].value) {
            let a = hits[anchor], m = hits[mention]
            list.append(Evidence(rule: "subject.refers_back", cites: "001 §4", segment: a.segment, start: m.start, end: a.end,
                                 quote: "\(m.quote) … \(a.quote)", fact: "subject=\(ruleSet.rules[m.rule].value)"))
        }
        for e in external {
            list.append(Evidence(rule: e.rule, cites: e.cites, segment: "history", start: 0, end: 0, quote: e.quote,
                                 fact: "\(e.fact)=\(e.value)"))
        }
        return list
    }

    func allEvidence() -> [Evidence] { evidenceList() }

    func firedRuleIds(_ evidence: [Evidence]) -> [String] {
        var seen = Set<String>()
        var ids: [String] = []
        let internalIds = rules.internalRuleIds
        for e in evidence where !internalIds.contains(e.rule) && seen.insert(e.rule).inserted { ids.append(e.rule) }
        return ids
    }

    /// Fills a template's `{placeholders}` in one pass (a value is never scanned
    /// again, so text quoted from a letter cannot expand), joins its lines and trims it.
    /// An unknown placeholder is left as it is.
    func fill(_ template: String, profile: ForceProfile, handler: String, subject: String) -> String {
        func value(_ key: Substring) -> String? {
            switch key {
            case "handler_name": return profile.handlers[handler]?.name ?? handler
            case "handler_contact": return profile.handlers[handler]?.contact ?? ""
            case "handler_cites": return profile.handlers[handler]?.cites ?? ""
            case "force_name": return profile.name
            case "subject_words":
                return subjectHits.first.map { hits[$0].quote } ?? subject.replacingOccurrences(of: "_", with: " ")
            case "window": return String(profile.reviewWindowDays)
            case "letter_date": return letterDate.map { Self.letterDateStyle.format($0) }
            case "received": return received.map { Self.letterDateStyle.format($0) }
            case "days": return reviewDays.map { String($0) }
            case "serious_words":
                // The earliest serious evidence in the text (not dictionary order, which varies run to run).
                return (facts["serious"]?.values.flatMap { $0 } ?? []).min { (hits[$0].start, $0) < (hits[$1].start, $1) }
                    .map { hits[$0].quote } ?? ""
            default: return nil
            }
        }
        var out = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "}"), let filled = value(after[..<close]) {
                out += filled
                rest = after[after.index(after: close)...]
            } else {
                out.append("{")
                rest = after
            }
        }
        out += rest
        return Self.trimmedOneLine(out)
    }

    /// Lines joined by single spaces where they break; spaces and tabs trimmed from both ends.
    static func trimmedOneLine(_ text: String) -> String {
        asciiTrimmedOneLine(text) ?? plainTrimmedOneLine(text)
    }

    /// ``trimmedOneLine(_:)`` by characters, for any text.
    static func plainTrimmedOneLine(_ text: String) -> String {
        let joined = text.contains("\n") ? text.split(whereSeparator: { $0 == "\n" }).joined(separator: " ") : text
        func isBlank(_ c: Character) -> Bool {
            c.unicodeScalars.allSatisfy { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
        }
        guard let first = joined.firstIndex(where: { !isBlank($0) }), let last = joined.lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(joined[first...last])
    }

    /// ``trimmedOneLine(_:)`` on bytes, for ASCII text without a carriage return
    /// (there a line feed is a character of its own, a blank is a space or a tab);
    /// nil for any other text.
    static func asciiTrimmedOneLine(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var lineStart = 0
            // `split` drops empty lines; the kept ones are joined by single spaces.
            func addLine(_ end: Int) {
                guard end > lineStart else { return }
                if !out.isEmpty { out.append(0x20) }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[lineStart..<end]))
            }
            for (i, byte) in bytes.enumerated() {
                if byte >= 0x80 || byte == 0x0D { return nil }
                if byte == 0x0A {
                    addLine(i)
                    lineStart = i + 1
                }
            }
            addLine(bytes.count)
            var lo = 0, hi = out.count
            while lo < hi, out[lo] == 0x20 || out[lo] == 0x09 { lo += 1 }
            while hi > lo, out[hi - 1] == 0x20 || out[hi - 1] == 0x09 { hi -= 1 }
            return String(decoding: out[lo..<hi], as: UTF8.self)
        }
    }

    /// "5 October 2026", in the London calendar: a value type, safe on every thread.
    static let letterDateStyle = Date.FormatStyle(
        date: .long, time: .omitted, locale: Locale(identifier: "en_GB"),
        calendar: DateReader.calendar, timeZone: DateReader.calendar.timeZone)

    func factSummary() -> [String: [String]] {
        var summary: [String: [String]] = [:]
        for (fact, vs) in facts { summary[fact] = vs.keys.sorted() }
        for (fact, vs) in derived { summary[fact] = Array(Set(summary[fact, default: []]).union(vs)).sorted() }
        return summary
    }
}
