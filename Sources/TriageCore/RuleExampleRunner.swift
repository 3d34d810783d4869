import Foundation

/// Runs every example of every rule: a `match` example must make the rule
/// fire (and, when it marks `[[…]]`, with evidence overlapping the mark); a
/// `no_match` example must not. Each example also runs in variants that must
/// not change the result: with an emoji and accented text before it (offsets
/// shift), and — for rules that read only the new text — wrapped in a quoted
/// reply, where it must not fire at all.
public struct RuleExampleRunner: Sendable {
    /// The outcome of one example in one variant.
    public struct Result: Sendable, Equatable {
        public var rule: String
        public var example: String
        public var variant: String
        public var expectedMatch: Bool
        public var passed: Bool
        /// Why it failed, when it did.
        public var problem: String?
    }

    public let classifier: Classifier

    public init(_ classifier: Classifier) {
        self.classifier = classifier
    }

    /// Runs all examples of all rules and word classes (or of the rules whose
    /// id has `prefix`, and the word classes whose `@id` has it).
    public func run(prefix: String? = nil) -> [Result] {
        var results: [Result] = []
        for rule in classifier.rules.ruleSet.rules where prefix.map({ rule.id.hasPrefix($0) }) ?? true {
            for example in rule.examples?.match ?? [] { results += check(rule, example, expectMatch: true) }
            for example in rule.examples?.noMatch ?? [] { results += check(rule, example, expectMatch: false) }
        }
        for (l, lexicon) in classifier.rules.ruleSet.lexicons.enumerated() where prefix.map({ "@\(lexicon.id)".hasPrefix($0) }) ?? true {
            for example in lexicon.examples?.match ?? [] { results.append(check(wordClass: l, example, expectMatch: true)) }
            for example in lexicon.examples?.noMatch ?? [] { results.append(check(wordClass: l, example, expectMatch: false)) }
        }
        return results
    }

    /// A word class's example: a `match` example must hold an entry of the class
    /// (over the `[[…]]` mark, when there is one); a `no_match` example none.
    private func check(wordClass l: Int, _ example: RuleExample, expectMatch: Bool) -> Result {
        let compiled = classifier.rules
        let plain = Marked(example.text)
        let index = compiled.index(plain.text)
        let tokens = index.tokens
        let spans = compiled.classMatcher.matches(in: tokens).filter { $0.owner == l }
            .map { tokens[$0.first].start..<tokens[$0.last].end }
        let fired = plain.mark.map { mark in spans.contains { $0.overlaps(mark) } } ?? !spans.isEmpty
        var problem: String?
        if fired != expectMatch {
            let found = spans.map { "\"\(index.quote(from: $0.lowerBound, to: $0.upperBound))\"" }.joined(separator: ", ")
            problem = expectMatch ? (found.isEmpty ? "no entry found" : "found, but not on the marked words: \(found)") : "found: \(found)"
        }
        return Result(rule: "@\(compiled.ruleSet.lexicons[l].id)", example: String(example.text.prefix(60)), variant: "word class",
                      expectedMatch: expectMatch, passed: problem == nil, problem: problem)
    }

    /// Rules with no `match` or no `no_match` example.
    public func rulesMissingExamples() -> [String] {
        classifier.rules.ruleSet.rules.filter { ($0.examples?.match ?? []).isEmpty || ($0.examples?.noMatch ?? []).isEmpty }.map(\.id)
    }

    private func check(_ rule: Rule, _ example: RuleExample, expectMatch: Bool) -> [Result] {
        var results: [Result] = []
        let plain = Marked(example.text)
        let subject = example.subject.map(Marked.init)
        let label = String(example.text.prefix(60)) + (example.subject.map { " / subject: \($0.prefix(40))" } ?? "")

        // A rule that reads only a signature or disclaimer has its example there.
        let home = rule.segments.contains(SegmentKind.newText.rawValue) ? SegmentKind.newText
            : rule.segments.lazy.compactMap(SegmentKind.init(rawValue:)).first ?? .newText
        func evaluate(variant: String, prefix: String, quoted: Bool) {
            let item = Self.item(text: prefix + plain.text, subject: subject?.text, example: example, quotedBody: quoted, home: home)
            let evidence = classifier.firedEvidence(item).filter { $0.rule == rule.id }
            let fired = !evidence.isEmpty
            var shouldFire = expectMatch
            if quoted && !rule.segments.contains("quoted") && plain.text.isEmpty == false && subject == nil
                && example.fields == nil && example.sender == nil {
                shouldFire = false
            }
            var problem: String?
            if fired != shouldFire {
                problem = shouldFire ? "did not fire" : "fired on: " + evidence.map { "\"\($0.quote)\"" }.joined(separator: ", ")
            } else if fired, shouldFire, !quoted {
                let shift = prefix.unicodeScalars.count
                if let mark = plain.mark {
                    let ok = evidence.contains { $0.segment == home.rawValue && $0.start < mark.upperBound + shift && $0.end > mark.lowerBound + shift }
                    if !ok { problem = "fired, but not on the marked words: " + evidence.map { "\"\($0.quote)\" [\($0.start),\($0.end))" }.joined(separator: ", ") }
                } else if let mark = subject?.mark {
                    let ok = evidence.contains { $0.segment == "subject" && $0.start < mark.upperBound && $0.end > mark.lowerBound }
                    if !ok { problem = "fired, but not on the marked subject words" }
                }
            }
            results.append(Result(rule: rule.id, example: label, variant: variant, expectedMatch: shouldFire,
                                  passed: problem == nil, problem: problem))
        }
        evaluate(variant: "plain", prefix: "", quoted: false)
        evaluate(variant: "shifted", prefix: "Réf 🚓 — ", quoted: false)
        if rule.readsOnlyNewText, expectMatch, example.subject == nil, example.fields == nil, example.sender == nil, example.author == nil, example.unreadAttachment == nil {
            evaluate(variant: "quoted", prefix: "", quoted: true)
        }
        return results
    }

    /// Builds a one-segment item from an example (the whole text as new text, or as a quoted block; as
    /// `home` for a rule that reads only that segment, such as a signature).
    public static func item(text: String, subject: String?, example: RuleExample, quotedBody: Bool, home: SegmentKind = .newText) -> Correspondence {
        let count = text.unicodeScalars.count
        let body = Body(text: text, segments: count == 0 ? [] : [Segment(kind: quotedBody ? .quoted : home, start: 0, end: count)])
        let fields = (example.fields ?? [:]).sorted { $0.key < $1.key }.map { FormField(name: $0.key, value: $0.value, role: $0.key) }
        var date: DatedBy?
        if let received = example.received, let d = ISO8601DateFormatter().date(from: received) {
            date = DatedBy(value: d, source: .header)
        }
        let sender = example.sender ?? Party(name: "Example Writer", address: "writer@example.org")
        var item = Correspondence(
            channel: example.fields == nil ? .email : .webForm, sender: sender, date: date, subject: subject, body: body,
            formFields: fields, provenance: Provenance(source: "example", sha256: "", size: text.utf8.count, format: "example"))
        item.author = example.author
        if let problem = example.unreadAttachment {
            item.attachments = [Attachment(filename: "letter.pdf", contentType: "application/pdf", size: 1, sha256: "",
                                           text: AttachmentText(status: .scanned, format: "pdf", problem: problem))]
        }
        return item
    }
}

/// Example text with an optional `[[…]]` mark, the mark removed.
struct Marked {
    var text: String
    var mark: Range<Int>?

    init(_ raw: String) {
        guard let open = raw.range(of: "[["), let close = raw.range(of: "]]", range: open.upperBound..<raw.endIndex) else {
            text = raw
            mark = nil
            return
        }
        let before = String(raw[raw.startIndex..<open.lowerBound])
        let inside = String(raw[open.upperBound..<close.lowerBound])
        let after = String(raw[close.upperBound...])
        text = before + inside + after
        let start = before.unicodeScalars.count
        mark = start..<(start + inside.unicodeScalars.count)
    }
}
