import Foundation

/// An earlier item of the same complainant, as the history analysis sees it.
public struct PriorItem: Sendable {
    /// The item id (SHA-256 of its raw bytes).
    public var id: String
    /// The item's date (its Date header or letter date, else when it was stored).
    public var received: Date
    /// The item as read.
    public var correspondence: Correspondence
    /// Its effective decision, if any.
    public var decision: Decision?
    /// True when the matter is concluded: a caseworker settled the decision
    /// (accepted or overrode it), or it was not recorded as solely about a
    /// review outcome (final, seed 001 §6.3).
    public var isFinal: Bool

    public init(id: String, received: Date, correspondence: Correspondence, decision: Decision?, isFinal: Bool) {
        self.id = id
        self.received = received
        self.correspondence = correspondence
        self.decision = decision
        self.isFinal = isFinal
    }
}

/// Computes the history-aware facts of seed 001 §7.1 for a new item from the
/// complainant's earlier items. Pure: no I/O.
///
/// Facts (value `true`, rule id `history.<fact>`, cites `001 §7.1`), each
/// quoting the earlier items it rests on (id prefix, date, subject line):
/// - `repetitious`: an earlier complaint with the same substance — a
///   similarity of the new texts at or above `repetition_similarity` (the
///   larger of the Jaccard similarity of word 3-gram shingles and the overlap
///   coefficient of content words) together with a shared officer, incident
///   date or reference, or a 3-gram Jaccard at or above
///   `repetition_strong_similarity` on text alone — and nothing new:
///   no officer, date, reference or attachment absent from every earlier item.
/// - `reopening`: the new text or subject cites a reference that appears in an
///   earlier item whose decision is final.
/// - `excessive_contact`: more than N items (this one included) from the
///   complainant within D days ending on this item's date.
/// - `history_abusive_pattern`: earlier items of the complainant whose decisions
///   carry the `abusive` fact (a language rule). It is not `vexatious` by itself:
///   the decision table combines it with this item's own `abusive` fact.
/// - `earlier_complaint`: the complainant made a complaint before, within the
///   repetition look-back (for rows that combine it with this item's words).
/// - `same_matter`: an earlier complaint with the same substance (as for
///   `repetitious`, or similarity at or above `same_matter_similarity` with a
///   shared anchor, or named by its date: "my complaint of 12 October")
///   although the new item may name something not in the earlier ones (a date
///   of a phone call, a new reference). Not a reason by itself:
///   the decision table combines it with the writer's own words that they are
///   sending the same complaint again and bring nothing new.
public struct HistoryAnalyzer: Sendable {
    /// The thresholds in use.
    public var thresholds: HistoryThresholds
    /// The policy citation put on every fact.
    public static let cites = "001 §7.1"

    public init(thresholds: HistoryThresholds = .defaults) {
        self.thresholds = thresholds
    }

    /// The history facts for `item`, dated `received`, given the complainant's
    /// earlier items (any order; items dated after `received` are ignored).
    /// - Parameters:
    ///   - item: the new item.
    ///   - received: its date.
    ///   - earlier: the complainant's earlier items with their effective decisions.
    /// - Returns: the facts that hold, in the order repetitious, reopening,
    ///   excessive_contact, history_abusive_pattern, same_matter, earlier_complaint.
    public func facts(for item: Correspondence, received: Date, earlier: [PriorItem]) -> [HistoryFact] {
        let prior = earlier.filter { $0.received <= received }.sorted { $0.received < $1.received }
        guard !prior.isEmpty else { return [] }
        var facts: [HistoryFact] = []
        let horizon = received.addingTimeInterval(-Double(thresholds.lookbackDays) * 86_400)
        let earlierComplaints = prior.filter { $0.decision?.kind == .complaint && $0.received >= horizon }
        let (repeated, sameMatter) = repetition(item, received: received, prior: prior)
        if let f = repeated { facts.append(f) }
        if let f = reopening(item, prior: prior) { facts.append(f) }
        if let f = excessiveContact(received: received, prior: prior) { facts.append(f) }
        if let f = abusivePattern(received: received, prior: prior) { facts.append(f) }
        if let f = sameMatter { facts.append(f) }
        if let last = earlierComplaints.last {
            facts.append(HistoryFact(fact: "earlier_complaint", value: "true", rule: "history.earlier_complaint", cites: Self.cites,
                                     quote: "\(earlierComplaints.count) earlier complaint(s) from this complainant, the latest \(Self.describe(last))"))
        }
        return facts
    }

    // MARK: Repetition

    /// The result of comparing the new item with one earlier complaint.
    public struct Comparison: Sendable, Equatable {
        /// The larger of ``shingleJaccard`` and ``wordOverlap``: the measure
        /// compared with `repetition_similarity`.
        public var similarity: Double
        /// Jaccard similarity of word 3-gram shingles (near-verbatim text);
        /// compared alone with `repetition_strong_similarity`.
        public var shingleJaccard: Double
        /// Overlap coefficient |A ∩ B| / min(|A|, |B|) of the content words
        /// (stop words removed): the same matter told again in other words.
        public var wordOverlap: Double
        public var sharedOfficers: [String]
        public var sharedDates: [String]
        public var sharedReferences: [String]
    }

    /// Compares the new text of two items.
    public func compare(_ a: Correspondence, _ b: Correspondence) -> Comparison {
        let ta = TextFeatures.newText(a), tb = TextFeatures.newText(b)
        let jaccard = TextFeatures.jaccard(TextFeatures.shingles(ta), TextFeatures.shingles(tb))
        let overlap = TextFeatures.overlap(TextFeatures.contentWords(ta), TextFeatures.contentWords(tb))
        let aa = TextFeatures.anchors(a, wholeBody: false), ab = TextFeatures.anchors(b, wholeBody: true)
        return Comparison(
            similarity: max(jaccard, overlap), shingleJaccard: jaccard, wordOverlap: overlap,
            sharedOfficers: aa.officers.intersection(ab.officers).sorted(),
            sharedDates: aa.dates.intersection(ab.dates).sorted(),
            sharedReferences: aa.references.intersection(ab.references).sorted())
    }

    /// `repetitious` (same substance, nothing new) and `same_matter` (same substance).
    func repetition(_ item: Correspondence, received: Date, prior: [PriorItem]) -> (HistoryFact?, HistoryFact?) {
        let horizon = received.addingTimeInterval(-Double(thresholds.lookbackDays) * 86_400)
        let complaints = prior.filter { $0.decision?.kind == .complaint && $0.received >= horizon }
        guard !complaints.isEmpty else { return (nil, nil) }
        let newShingles = TextFeatures.shingles(TextFeatures.newText(item))
        guard !newShingles.isEmpty else { return (nil, nil) }
        let newAnchors = TextFeatures.anchors(item, wholeBody: false)

        var same: [(PriorItem, Comparison)] = []
        var related: [(PriorItem, Comparison)] = []
        for p in complaints {
            var c = compare(item, p.correspondence)
            // "Re: my complaint of 12 October": the new text names the earlier complaint by its date.
            let citedByDate = newAnchors.dates.contains(Self.dayMonth(p.received))
            if citedByDate { c.sharedReferences.append("complaint of \(Self.dayString(p.received))") }
            let shared = !(c.sharedOfficers.isEmpty && c.sharedDates.isEmpty && c.sharedReferences.isEmpty)
            if (c.similarity >= thresholds.similarity && shared) || c.shingleJaccard >= thresholds.strongSimilarity {
                same.append((p, c))
            } else if (c.similarity >= thresholds.sameMatterSimilarityValue && shared) || citedByDate {
                related.append((p, c))
            }
        }
        func describe(_ list: [(PriorItem, Comparison)]) -> [String] { list.map { p, c -> String in
            var why = [String(format: "similarity %.2f (3-gram Jaccard %.2f, word overlap %.2f)", c.similarity, c.shingleJaccard, c.wordOverlap)]
            if !c.sharedOfficers.isEmpty { why.append("same officer " + c.sharedOfficers.joined(separator: ", ")) }
            if !c.sharedDates.isEmpty { why.append("same date " + c.sharedDates.joined(separator: ", ")) }
            if !c.sharedReferences.isEmpty { why.append("same reference " + c.sharedReferences.joined(separator: ", ")) }
            return "\(Self.describe(p)) (\(why.joined(separator: "; ")))"
        } }
        let matching = same + related
        guard !matching.isEmpty else { return (nil, nil) }
        let sameMatter = HistoryFact(fact: "same_matter", value: "true", rule: "history.same_matter", cites: Self.cites,
                                     quote: "same matter as earlier complaint " + describe(matching).joined(separator: "; and "))
        guard !same.isEmpty else { return (nil, sameMatter) }
        let parts = describe(same)

        // Nothing new: every officer, date, reference and attachment of the new
        // item was already in some earlier item of the complainant.
        var before = Anchors()
        for p in prior { before.formUnion(TextFeatures.anchors(p.correspondence, wholeBody: true)) }
        let fresh = newAnchors.subtracting(before)
        guard fresh.isEmpty else { return (nil, sameMatter) }

        let quote = "same substance as earlier complaint " + parts.joined(separator: "; and ")
            + "; nothing new: no new officer, date, reference or attachment"
        return (HistoryFact(fact: "repetitious", value: "true", rule: "history.repetitious", cites: Self.cites, quote: quote), sameMatter)
    }

    // MARK: Re-opening

    func reopening(_ item: Correspondence, prior: [PriorItem]) -> HistoryFact? {
        let cited = TextFeatures.anchors(item, wholeBody: false).references
        guard !cited.isEmpty else { return nil }
        var hits: [String] = []
        for p in prior where p.isFinal {
            let refs = TextFeatures.anchors(p.correspondence, wholeBody: true).references.intersection(cited)
            if !refs.isEmpty {
                hits.append("\(Self.describe(p)) (reference \(refs.sorted().joined(separator: ", ")); decision final: \(p.decision.map { "\($0.outcome)/\($0.handler)" } ?? "concluded"))")
            }
        }
        guard !hits.isEmpty else { return nil }
        return HistoryFact(fact: "reopening", value: "true", rule: "history.reopening", cites: Self.cites,
                           quote: "cites a concluded matter: " + hits.joined(separator: "; "))
    }

    // MARK: Excessive contact

    func excessiveContact(received: Date, prior: [PriorItem]) -> HistoryFact? {
        let days = thresholds.contactDays, limit = thresholds.contactItems
        let start = received.addingTimeInterval(-Double(days) * 86_400)
        let window = prior.filter { $0.received > start }
        let count = window.count + 1
        guard count > limit else { return nil }
        let listed = window.suffix(12).map(Self.describe)
        let more = window.count > 12 ? "; and \(window.count - 12) more" : ""
        let quote = "\(count) items from this complainant in \(days) days (more than \(limit)), with " + listed.joined(separator: "; ") + more
        return HistoryFact(fact: "excessive_contact", value: "true", rule: "history.excessive_contact", cites: Self.cites, quote: quote)
    }

    // MARK: Abusive pattern

    func abusivePattern(received: Date, prior: [PriorItem]) -> HistoryFact? {
        let start = received.addingTimeInterval(-Double(thresholds.abusiveLookbackDays) * 86_400)
        let abusive = prior.filter { p in
            p.received >= start && (p.decision?.justification.contains { ($0.fact ?? "").hasPrefix("abusive=") && $0.fact != "abusive=false" } ?? false)
        }
        guard abusive.count >= max(1, thresholds.abusiveMinItems) else { return nil }
        return HistoryFact(fact: "history_abusive_pattern", value: "true", rule: "history.abusive_pattern", cites: Self.cites,
                           quote: "earlier items with abusive language: " + abusive.suffix(12).map(Self.describe).joined(separator: "; "))
    }

    // MARK: Quoting

    /// `item 3f2a9c1b07de of 2026-10-02, 'Subject line'`.
    public static func describe(_ p: PriorItem) -> String {
        let subject = (p.correspondence.subject?.trimmingCharacters(in: .whitespacesAndNewlines)).flatMap { $0.isEmpty ? nil : $0 } ?? "(no subject)"
        return "item \(p.id.prefix(12)) of \(dayString(p.received)), '\(subject)'"
    }

    /// Day and month as ``Anchors/dates`` holds them (`05-10`), in UTC.
    static func dayMonth(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.month, .day], from: date)
        return String(format: "%02d-%02d", c.day ?? 0, c.month ?? 0)
    }

    static func dayString(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }
}

/// Officers, dates, references and attachments an item mentions.
public struct Anchors: Sendable, Equatable {
    /// Collar/shoulder numbers (`1234`) and officer surnames (`name:smith`).
    public var officers: Set<String> = []
    /// Day and month (`05-10`): year-insensitive, so "5th October" meets "05/10/2026".
    public var dates: Set<String> = []
    /// Reference numbers, upper-case (`CO/1234/26`).
    public var references: Set<String> = []
    /// SHA-256 of attachments.
    public var attachments: Set<String> = []

    public init() {}

    public var isEmpty: Bool { officers.isEmpty && dates.isEmpty && references.isEmpty && attachments.isEmpty }

    mutating func formUnion(_ o: Anchors) {
        officers.formUnion(o.officers); dates.formUnion(o.dates)
        references.formUnion(o.references); attachments.formUnion(o.attachments)
    }

    func subtracting(_ o: Anchors) -> Anchors {
        var r = Anchors()
        r.officers = officers.subtracting(o.officers); r.dates = dates.subtracting(o.dates)
        r.references = references.subtracting(o.references); r.attachments = attachments.subtracting(o.attachments)
        return r
    }
}

/// Text features used by the history analysis: normalised words, shingles,
/// Jaccard similarity and anchors.
public enum TextFeatures {
    /// The new text of an item (its `new_text` segments; the whole body when
    /// it has no segments), plus free-text form fields not already in the body.
    public static func newText(_ c: Correspondence) -> String {
        let segs = c.body.segments(.newText)
        var text = segs.isEmpty && c.body.segments.isEmpty ? c.body.text : segs.map { c.body.text(of: $0) }.joined(separator: "\n")
        for f in c.formFields where f.role == "free_text" && !c.body.text.contains(f.value) {
            text += "\n" + f.value
        }
        return text
    }

    /// Lower-cased words with punctuation stripped.
    public static func words(_ text: String) -> [String] {
        var out: [String] = [], cur = ""
        for ch in text.lowercased() {
            if ch.isLetter || ch.isNumber { cur.append(ch) }
            else if ch == "'" || ch == "’" { continue }
            else if !cur.isEmpty { out.append(cur); cur = "" }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    /// Word 3-grams of the normalised text (the whole text as one shingle when
    /// it has fewer than three words).
    public static func shingles(_ text: String, size: Int = 3) -> Set<String> {
        let w = words(text)
        guard !w.isEmpty else { return [] }
        guard w.count >= size else { return [w.joined(separator: " ")] }
        var set = Set<String>()
        for i in 0...(w.count - size) { set.insert(w[i..<(i + size)].joined(separator: " ")) }
        return set
    }

    /// Words that say little about the matter (dropped before ``overlap(_:_:)``).
    static let stopWords: Set<String> = Set("""
        a an the and or but if so of to in on at by for from with about into over after before as than then \
        i me my mine we us our you your he him his she her they them their it its this that these those there here \
        is are was were be been being am do does did done have has had having will would can could should may might must \
        not no nor very just also too again only all any some more most such what which who whom when where why how \
        up down out off am pm dear hello hi regards thanks thank sincerely yours
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))

    /// The distinct words of a text that are not stop words.
    public static func contentWords(_ text: String) -> Set<String> {
        Set(words(text).filter { !stopWords.contains($0) })
    }

    /// |A ∩ B| / min(|A|, |B|): 0 when either set has fewer than 5 members
    /// (too little text to say it is the same matter).
    public static func overlap(_ a: Set<String>, _ b: Set<String>) -> Double {
        let small = min(a.count, b.count)
        return small < 5 ? 0 : Double(a.intersection(b).count) / Double(small)
    }

    /// |A ∩ B| / |A ∪ B| (0 when both are empty).
    public static func jaccard(_ a: Set<String>, _ b: Set<String>) -> Double {
        let union = a.union(b).count
        return union == 0 ? 0 : Double(a.intersection(b).count) / Double(union)
    }

    /// The anchors of an item: from its new text (or whole body when
    /// `wholeBody`), subject line, non-identity form fields and attachments.
    public static func anchors(_ c: Correspondence, wholeBody: Bool) -> Anchors {
        var text = wholeBody ? c.body.text : newText(c)
        if let s = c.subject { text += "\n" + s }
        let identityRoles: Set<String> = ["name", "email", "phone", "address", "postcode"]
        for f in c.formFields where !identityRoles.contains(f.role ?? "") && !(f.role == "free_text" && text.contains(f.value)) {
            text += "\n" + f.value
        }
        var a = anchors(in: text)
        // Files only: an HTML alternative repeats the body, which the text anchors already cover.
        a.attachments = Set(c.attachments.filter { $0.role == .file }.map(\.sha256).filter { !$0.isEmpty })
        return a
    }

    /// Officers, dates and references in a text.
    public static func anchors(in text: String) -> Anchors {
        var a = Anchors()
        for m in matches(officerNumber, in: text) { if let n = m.first { a.officers.insert(n) } }
        for m in matches(officerName, in: text) {
            if let n = m.first, !officerNameStop.contains(n.lowercased()) { a.officers.insert("name:" + n.lowercased()) }
        }
        for m in matches(isoDate, in: text) { if m.count == 3 { insertDate(&a, day: m[2], month: m[1]) } }
        for m in matches(numericDate, in: text) { if m.count == 3 { insertDate(&a, day: m[0], month: m[1]) } }
        for m in matches(dayMonth, in: text) { if m.count == 2, let mo = monthNumber(m[1]) { insertDate(&a, day: m[0], month: String(mo)) } }
        for m in matches(monthDay, in: text) { if m.count == 2, let mo = monthNumber(m[0]) { insertDate(&a, day: m[1], month: String(mo)) } }
        for m in matches(keywordReference, in: text) { if let r = m.first { insertReference(&a, r) } }
        for m in matches(structuredReference, in: text) { if let r = m.first { insertReference(&a, r) } }
        return a
    }

    // MARK: Patterns

    static let officerNumber = regex(#"(?i)\b(?:pc|dc|ps|ds|sgt|sergeant|pcso|insp|inspector|constable|officer|collar|shoulder|badge|warrant)\.?\s*(?:number|num|no\.?|#)?\s*:?\s*(\d{2,5})\b"#)
    static let officerName = regex(#"\b(?:PC|PCSO|DC|PS|DS|Sgt|Sergeant|Inspector|Insp|Constable)\.?\s+([A-Z][a-z]{2,})\b"#)
    static let officerNameStop: Set<String> = ["the", "and", "who", "was", "his", "her", "they", "then", "number", "said", "from", "with", "that", "this"]
    static let isoDate = regex(#"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"#)
    static let numericDate = regex(#"\b(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})\b"#)
    static let monthPattern = "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
    static let dayMonth = regex(#"(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?"# + monthPattern + #"\b"#)
    static let monthDay = regex(#"(?i)\b"# + monthPattern + #"\s+(\d{1,2})(?:st|nd|rd|th)?\b"#)
    static let keywordReference = regex(#"(?i)\b(?:ref(?:erence)?|case|complaint|crime|incident|log|occurrence|matter)\.?\s*(?:no\.?|number|num|ref(?:erence)?)?\s*[:#]?\s*([A-Za-z]{0,6}[-/]?\d[A-Za-z0-9/-]{2,})"#)
    static let structuredReference = regex(#"\b([A-Z]{2,6}[-/]\d{2,}(?:[-/][A-Z0-9]+)*|[A-Z]{2,6}\d{4,}(?:[-/][A-Z0-9]+)*)\b"#)

    static func regex(_ pattern: String) -> NSRegularExpression? {
        try? NSRegularExpression(pattern: pattern)
    }

    /// Capture groups of every match.
    static func matches(_ re: NSRegularExpression?, in text: String) -> [[String]] {
        guard let re else { return [] }
        let ns = text as NSString
        return re.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
            (1..<max(1, m.numberOfRanges)).compactMap { i -> String? in
                let r = m.range(at: i)
                return r.location == NSNotFound ? nil : ns.substring(with: r)
            }
        }
    }

    static func monthNumber(_ s: String) -> Int? {
        let names = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        return names.firstIndex(of: String(s.lowercased().prefix(3))).map { $0 + 1 }
    }

    static func insertDate(_ a: inout Anchors, day: String, month: String) {
        guard let d = Int(day), let m = Int(month), (1...31).contains(d), (1...12).contains(m) else { return }
        a.dates.insert(String(format: "%02d-%02d", d, m))
    }

    static let officerPrefixes = ["PC", "DC", "PS", "DS", "PCSO", "SGT"]

    static func insertReference(_ a: inout Anchors, _ raw: String) {
        let r = raw.uppercased().trimmingCharacters(in: CharacterSet(charactersIn: "/-."))
        guard r.count >= 4, r.contains(where: \.isNumber) else { return }
        // A date is not a reference.
        if matches(numericDate, in: r).contains(where: { _ in true }) || matches(isoDate, in: r).contains(where: { _ in true }) { return }
        let letters = String(r.prefix { $0.isLetter })
        if officerPrefixes.contains(letters) { return }
        if letters.isEmpty && r.count < 5 { return }
        a.references.insert(r)
    }
}
