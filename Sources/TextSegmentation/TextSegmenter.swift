import TriageCore

// MARK: - Phrase lists (data: extend here)
//
// Every phrase is matched against a *normalised* line or paragraph: lower-cased,
// runs of white space folded to one space, curly apostrophes made straight,
// trimmed. Write phrases in lower case.

/// Sign-off lines that open a signature. A line matches when, without trailing
/// punctuation, it is one of these, or one of these followed by a comma and a
/// short name ("Kind regards, Sam"), or followed by capitalised words only
/// ("Thanks Sam").
let defaultSignOffs: [String] = [
    "kind regards", "kindest regards", "warm regards", "warmest regards", "best regards",
    "regards", "many regards", "with regards", "with kind regards", "with best regards",
    "with many thanks", "with thanks", "best wishes", "with best wishes", "all the best",
    "best", "yours sincerely", "sincerely", "sincerely yours", "yours faithfully",
    "faithfully", "yours truly", "yours", "respectfully", "yours respectfully",
    "thanks", "thank you", "many thanks", "thanks again", "thanks in advance",
    "thank you in advance", "thanks very much", "thank you very much", "cheers", "ta",
    "take care", "speak soon", "cordialement", "bien cordialement",
    "mit freundlichen grüßen", "mit freundlichen gruessen", "viele grüße", "saludos",
    "un saludo", "atentamente", "distinti saluti", "met vriendelijke groet",
]

/// Line beginnings that a mail client appends on its own ("Sent from my
/// iPhone"): a signature even with no sign-off.
let defaultDeviceSignatures: [String] = [
    "sent from my ", "sent from outlook", "sent from mail for windows", "sent from yahoo mail",
    "sent from aol mobile", "sent from samsung", "sent from the all new aol app",
    "sent from proton mail", "sent from protonmail", "sent via the samsung", "sent from gmail",
    "get outlook for ios", "get outlook for android", "sent with blackberry",
    "sent using the mail.com", "envoyé de mon ", "von meinem iphone gesendet",
    "von meinem ipad gesendet", "enviado desde mi ",
]

/// Reply attributions: the line (or two wrapped lines joined) starts with
/// `prefix`, contains `verb` and ends with ":". ("On 3 Nov 2026, at 10:15,
/// Sam Example <sam@example.org> wrote:", "Le … a écrit :", "Am … schrieb …:")
let defaultAttributions: [(prefix: String, verb: String)] = [
    ("on ", " wrote"), ("on ", " writes"), ("on ", " said"),
    ("le ", " a écrit"), ("am ", " schrieb "), ("el ", " escribió"),
    ("il ", " ha scritto"), ("op ", " schreef "), ("em ", " escreveu"),
    ("den ", " skrev "), ("w dniu ", " napisał"),
]

/// Attributions without a leading date ("sam@example.org wrote:"): the line
/// ends with one of these and names an address, or a quote follows it.
let defaultBareAttributionEndings: [String] = [" wrote:", " writes:", " a écrit :", " a écrit:", " schrieb:"]

/// Marker lines of an earlier message written between dashes, underscores or
/// equals signs ("-----Original Message-----", "---------- Forwarded message
/// ---------"). The text between the rules must equal one of these…
let defaultRuledMarkers: [String] = [
    "original message", "forwarded message", "original mail", "forwarded mail",
    "message d'origine", "message transféré", "ursprüngliche nachricht",
    "weitergeleitete nachricht", "original-nachricht", "mensaje original",
    "mensaje reenviado", "messaggio originale", "messaggio inoltrato",
    "oorspronkelijk bericht", "doorgestuurd bericht", "reply message", "original email",
]

/// …or begin with one of these (Lotus Notes: "----- Forwarded by Sam/Org on … -----").
let defaultRuledMarkerPrefixes: [String] = ["forwarded by ", "original message from ", "forwarded message from "]

/// Marker lines that stand alone, with no rules around them.
let defaultPlainMarkers: [String] = [
    "begin forwarded message:", "begin forwarded message", "start of forwarded message:",
    "forwarded message:", "original message:", "-----original message-----",
    "début du message réexpédié :", "début du message réexpédié:", "anfang der weitergeleiteten nachricht:",
]

/// Header-field names of a quoted header block ("From: … Sent: … To: …
/// Subject: …"), by role. A block is a From line followed, within a few lines,
/// by a date line and a To or Subject line (or by both To and Subject).
let defaultHeaderFieldNames: [HeaderRole: [String]] = [
    .from: ["from", "de", "von", "van", "da", "från", "fra", "od"],
    .date: ["sent", "date", "envoyé", "gesendet", "datum", "enviado", "fecha", "data", "verzonden", "skickat", "inviato", "wysłano"],
    .to: ["to", "cc", "bcc", "à", "a", "an", "para", "aan", "till", "til", "do", "reply-to", "kopie", "cci"],
    .subject: ["subject", "objet", "betreff", "asunto", "onderwerp", "oggetto", "assunto", "ämne", "emne", "temat"],
]

/// Phrases that make a paragraph a legal or confidentiality footer.
let defaultDisclaimerPhrases: [String] = [
    "this email and any attachments", "this e-mail and any attachments",
    "this email and any files", "this e-mail and any files", "this message and any attachments",
    "this email and its attachments", "this e-mail and its attachments",
    "this email is confidential", "this e-mail is confidential", "this message is confidential",
    "this email may contain confidential", "this e-mail may contain confidential",
    "may contain confidential", "may contain privileged", "privileged and confidential",
    "confidential and may be privileged", "confidential and/or privileged",
    "intended solely for", "intended only for the", "intended for the use of",
    "intended for the named recipient", "intended for the addressee",
    "if you have received this email in error", "if you have received this e-mail in error",
    "if you have received this message in error", "if you have received this communication in error",
    "if you received this email in error", "if you received this message in error",
    "received this email in error", "received this e-mail in error", "received this in error",
    "if you are not the intended recipient", "if you are not the addressee",
    "the information contained in this email", "the information contained in this e-mail",
    "the information contained in this communication", "the information contained in this message",
    "the information in this email", "the information in this e-mail",
    "all communications may be monitored", "communications may be monitored",
    "may be monitored and/or recorded", "may be monitored or recorded", "may be monitored and recorded",
    "may be intercepted", "email traffic may be monitored", "e-mail traffic may be monitored",
    "emails may be monitored", "e-mails may be monitored",
    "please consider the environment before printing", "think before you print",
    "before printing this email", "before printing this e-mail",
    "scanned for viruses", "checked for viruses", "virus checked", "free from viruses",
    "free of viruses", "has been scanned by", "swept for the presence of computer viruses",
    "any views or opinions", "views or opinions expressed", "views expressed in this",
    "does not necessarily reflect the views", "do not necessarily represent the views",
    "does not accept liability", "do not accept liability", "accepts no liability",
    "accept no liability", "cannot accept liability", "is strictly prohibited",
    "unauthorised use, disclosure", "unauthorized use, disclosure",
    "any unauthorised", "any unauthorized", "disclosure, copying, distribution",
    "copying, distribution or", "delete it from your system", "delete this email from your system",
    "delete this e-mail from your system", "notify the sender immediately",
    "please notify the sender", "please inform the sender",
    "complaints about the police can be made", "complaints about the police may be made",
    "complaints about the conduct of", "not be used to report crime", "should not be used to report",
    "this mailbox is not monitored", "this inbox is not monitored", "do not reply to this email",
    "subject to the freedom of information act", "under the freedom of information act 2000",
    "may be disclosed under the freedom of information", "government security classification",
    "registered in england", "registered office:", "registered charity",
    "how we use your personal", "our privacy notice", "privacy notice is available",
    "nhs.net is", "nhsmail is", "secure email service", "council does not accept",
    "data protection act 2018 and", "email is not a secure", "e-mail is not a secure",
    "cannot guarantee that this email", "cannot be guaranteed to be secure",
]

/// Whole paragraphs that are protective markings ("OFFICIAL") and count as footer.
let defaultDisclaimerLines: [String] = [
    "official", "official-sensitive", "official - sensitive", "official sensitive",
    "not protectively marked", "unclassified", "nhs confidential", "confidential",
]

// MARK: - Public API

/// The role of a header field name in a quoted header block.
public enum HeaderRole: String, Sendable, Hashable, CaseIterable {
    case from, date, to, subject
}

/// The phrase lists a ``TextSegmenter`` uses. The defaults are the arrays at the
/// top of `TextSegmenter.swift`; pass your own to extend or narrow them.
public struct SegmenterVocabulary: Sendable {
    /// Sign-off lines ("kind regards"), lower case.
    public var signOffs: [String]
    /// Line beginnings of client-added signatures ("sent from my "), lower case.
    public var deviceSignatures: [String]
    /// Reply attributions as (line beginning, verb), lower case.
    public var attributions: [(prefix: String, verb: String)]
    /// Endings of attributions without a date ("… wrote:").
    public var bareAttributionEndings: [String]
    /// Text between rules of a marker line ("original message").
    public var ruledMarkers: [String]
    /// Beginnings of text between rules of a marker line ("forwarded by ").
    public var ruledMarkerPrefixes: [String]
    /// Whole marker lines ("begin forwarded message:").
    public var plainMarkers: [String]
    /// Header-field names by role, lower case, without the colon.
    public var headerFieldNames: [HeaderRole: [String]]
    /// Phrases that make a paragraph a disclaimer.
    public var disclaimerPhrases: [String]
    /// Whole paragraphs that are footers ("official").
    public var disclaimerLines: [String]

    /// A vocabulary from explicit lists.
    public init(
        signOffs: [String], deviceSignatures: [String], attributions: [(prefix: String, verb: String)],
        bareAttributionEndings: [String], ruledMarkers: [String], ruledMarkerPrefixes: [String],
        plainMarkers: [String], headerFieldNames: [HeaderRole: [String]],
        disclaimerPhrases: [String], disclaimerLines: [String]
    ) {
        self.signOffs = signOffs
        self.deviceSignatures = deviceSignatures
        self.attributions = attributions
        self.bareAttributionEndings = bareAttributionEndings
        self.ruledMarkers = ruledMarkers
        self.ruledMarkerPrefixes = ruledMarkerPrefixes
        self.plainMarkers = plainMarkers
        self.headerFieldNames = headerFieldNames
        self.disclaimerPhrases = disclaimerPhrases
        self.disclaimerLines = disclaimerLines
    }

    /// The built-in lists (English plus common French, German, Spanish, Italian, Dutch forms).
    public static let standard = SegmenterVocabulary(
        signOffs: defaultSignOffs, deviceSignatures: defaultDeviceSignatures,
        attributions: defaultAttributions, bareAttributionEndings: defaultBareAttributionEndings,
        ruledMarkers: defaultRuledMarkers, ruledMarkerPrefixes: defaultRuledMarkerPrefixes,
        plainMarkers: defaultPlainMarkers, headerFieldNames: defaultHeaderFieldNames,
        disclaimerPhrases: defaultDisclaimerPhrases, disclaimerLines: defaultDisclaimerLines
    )
}

/// Splits a body of text into new text, quoted earlier messages, signature
/// and disclaimer.
///
/// How it decides, line by line (offsets are Unicode-scalar offsets):
/// - **quoted**:
///   - lines starting with `>` (any depth, with or without a space); inline
///     replies keep the lines between quotes as new text;
///   - a reply attribution ("On … wrote:", also wrapped over two lines, "Le …
///     a écrit :", "Am … schrieb …:") followed by `>` lines: just the
///     attribution;
///   - from a marker line ("-----Original Message-----", "---------- Forwarded
///     message ---------", "Begin forwarded message:"), a header block ("From:
///     … Sent:/Date: … To:/Subject: …", plain or `*bold*`), or a client
///     attribution not followed by `>` lines (one naming an address, or a time
///     and a year): everything to the end. A note written above a forward
///     stays new text. A rule of underscores or dashes just above goes with it.
///   - Guards for the sender's own words: a header block opening the text with
///     no rule above and no "Sent:" field is a memo-style letter head (new
///     text); "On 3 May PC Example wrote:" with no address, time and year,
///     and no `>` lines after it, is prose (new text).
/// - **disclaimer**: in each stretch of unquoted text, the trailing
///   paragraphs from the first one with a footer phrase ("If you are not the
///   intended recipient…"), when everything after it is footer too (footer
///   paragraphs, rules, short lines, at most two longer paragraphs that sit
///   below a footer paragraph); a rule just above (underscores, dashes,
///   asterisks), possibly with one short paragraph between, goes with it. A
///   paragraph in the first person ("I", "my", "me") with only one footer
///   phrase is the sender's own. Footers inside a quote stay quoted.
/// - **signature**: in the last stretch of new text (before its footer), from
///   an RFC 3676 `-- ` line or a bare `--`, a client line ("Sent from my
///   iPhone"), or a sign-off line ("Kind regards", "Thanks Sam", "Regards,
///   Sam Example") to the end of that stretch, when what follows is a short
///   block (at most ``maxSignatureLines`` non-blank lines after a sign-off,
///   ``maxSigDashLines`` after a dash line) of lines that are not prose, and,
///   for sign-offs, some new text comes before it (a message that is only
///   "Many thanks!" stays new text). **The sign-off line itself belongs to the
///   signature.** A sign-off followed by more prose is not a signature.
/// - Blank lines between segments belong to the earlier segment; leading blank
///   lines belong to the first segment. Adjacent segments of one kind merge.
///
/// Line ends may be `\n`, `\r\n` or a lone `\r`. The work is linear in the
/// length of the text: one scan splits lines, and only the first
/// ``maxAnalysedLineLength`` scalars of a line are examined.
public struct TextSegmenter: Sendable {
    /// The phrase lists in use.
    public var vocabulary: SegmenterVocabulary {
        get { compiled.vocabulary }
        set { compiled = CompiledVocabulary(newValue) }
    }
    private var compiled: CompiledVocabulary
    /// Longest signature block after a sign-off, in non-blank lines.
    public var maxSignatureLines: Int
    /// Longest signature block after a `-- ` line, in non-blank lines.
    public var maxSigDashLines: Int

    /// A segmenter with the standard vocabulary.
    public init() {
        self.compiled = .standard
        self.maxSignatureLines = 10
        self.maxSigDashLines = 20
    }

    /// A segmenter with your own vocabulary and limits.
    /// - Parameters:
    ///   - vocabulary: the phrase lists.
    ///   - maxSignatureLines: longest block after a sign-off (non-blank lines).
    ///   - maxSigDashLines: longest block after a `-- ` line (non-blank lines).
    public init(vocabulary: SegmenterVocabulary, maxSignatureLines: Int = 10, maxSigDashLines: Int = 20) {
        self.compiled = CompiledVocabulary(vocabulary)
        self.maxSignatureLines = maxSignatureLines
        self.maxSigDashLines = maxSigDashLines
    }

    /// Only this many scalars at the start of a line are examined.
    public static let maxAnalysedLineLength = 1000

    /// Segments `text` (normalised to `\n` line ends; `\r\n` and `\r` are tolerated).
    /// - Parameter text: the body text.
    /// - Returns: ordered, non-overlapping segments covering every Unicode scalar
    ///   of `text` exactly once; empty for empty text.
    public func segment(_ text: String) -> [Segment] {
        let lines = Self.splitLines(text)
        if lines.isEmpty { return [] }
        var analysis = Analysis(lines: lines, compiled: compiled)
        let kinds = analysis.classify(maxSignatureLines: maxSignatureLines, maxSigDashLines: maxSigDashLines)
        return Self.segments(lines: lines, kinds: kinds)
    }

    /// Convenience: the ``Body`` for a text.
    /// - Parameter text: the body text.
    /// - Returns: the text with its segments.
    public func body(for text: String) -> Body {
        Body(text: text, segments: segment(text))
    }

    // MARK: Lines

    /// One line: scalar offsets, and the analysed prefix normalised.
    struct Line {
        /// Offset of the first scalar.
        var start: Int
        /// Offset just past the line break (or the end of the text).
        var end: Int
        /// The first `maxAnalysedLineLength` scalars of the content, raw.
        var raw: String
        /// Content length in scalars (without the line break).
        var length: Int
        /// True when the content is only white space.
        var isBlank: Bool
        /// Number of leading `>` quote marks.
        var quoteDepth: Int
        /// True when the content starts with white space.
        var indented: Bool
        /// First and last non-space scalars of the analysed prefix.
        var first: Unicode.Scalar?
        var last: Unicode.Scalar?
        /// True when a ":" comes within the first 30 scalars (header fields).
        var earlyColon: Bool
        /// Words (runs of non-space) in the analysed prefix.
        var words: Int
        /// True when the analysed prefix has a letter (ASCII or any non-ASCII scalar).
        var hasLetter: Bool
    }

    /// Scans the text once: line boundaries, scalar offsets and the features
    /// of each line's analysed prefix.
    static func splitLines(_ text: String) -> [Line] {
        var scanner = LineScanner(text.unicodeScalars)
        scanner.run()
        return scanner.lines
    }

    /// The state of the one scan over the text (a struct with mutating
    /// methods, so that debug builds need no dynamic exclusivity checks).
    struct LineScanner {
        let scalars: String.UnicodeScalarView
        var lines: [Line] = []
        var offset = 0
        var lineStart = 0
        var length = 0
        var rawStart: String.UnicodeScalarView.Index
        var rawEnd: String.UnicodeScalarView.Index   // end of the analysed prefix
        // features of the current line
        var quoteDepth = 0
        var leadingSpaces = 0
        var inQuotePrefix = true
        var first: Unicode.Scalar? = nil
        var last: Unicode.Scalar? = nil
        var earlyColon = false
        var words = 0
        var inWord = false
        var hasLetter = false

        init(_ scalars: String.UnicodeScalarView) {
            self.scalars = scalars
            rawStart = scalars.startIndex
            rawEnd = scalars.startIndex
        }

        mutating func finish(_ end: Int, next: String.UnicodeScalarView.Index) {
            let raw = String(scalars[rawStart..<rawEnd])
            // An unexamined tail (very long line) counts as content.
            let isBlank = first == nil && length <= maxAnalysedLineLength
            lines.append(Line(start: lineStart, end: end, raw: raw, length: length, isBlank: isBlank,
                              quoteDepth: quoteDepth, indented: first != nil && leadingSpaces > 0,
                              first: first, last: last, earlyColon: earlyColon, words: words, hasLetter: hasLetter))
            length = 0
            lineStart = end
            rawStart = next
            rawEnd = next
            quoteDepth = 0; leadingSpaces = 0; inQuotePrefix = true; first = nil; last = nil
            earlyColon = false; words = 0; inWord = false; hasLetter = false
        }

        mutating func content(_ s: Unicode.Scalar, next: String.UnicodeScalarView.Index) {
            if length < maxAnalysedLineLength {
                rawEnd = next
                let space = isSpace(s)
                if space {
                    inWord = false
                    if first == nil { leadingSpaces += 1 }
                } else {
                    if !inWord { words += 1; inWord = true }
                    if first == nil { first = s }
                    last = s
                    if s == ":" && length < 30 { earlyColon = true }
                    if !hasLetter && (s.value >= 0x80 || (s.value | 0x20) >= 0x61 && (s.value | 0x20) <= 0x7A) { hasLetter = true }
                }
                if inQuotePrefix {
                    if s == ">" {
                        quoteDepth += 1
                    } else if !(space && (quoteDepth > 0 || leadingSpaces <= 3)) {
                        inQuotePrefix = false
                    }
                }
            }
            length += 1
        }

        mutating func run() {
            var pendingCR = false
            var index = scalars.startIndex
            let endIndex = scalars.endIndex
            while index < endIndex {
                let s = scalars[index]
                let next = scalars.index(after: index)
                if pendingCR {
                    pendingCR = false
                    if s == "\n" {
                        offset += 1
                        finish(offset, next: next)
                        index = next
                        continue
                    }
                    finish(offset, next: index)
                }
                offset += 1
                if s == "\n" {
                    finish(offset, next: next)
                } else if s == "\r" {
                    pendingCR = true
                } else {
                    content(s, next: next)
                }
                index = next
            }
            if pendingCR || offset > lineStart { finish(offset, next: endIndex) }
        }
    }

    @inline(__always)
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09, 0x0B, 0x0C, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
            return true
        default:
            return false
        }
    }

    // MARK: Output

    static func segments(lines: [Line], kinds: [SegmentKind]) -> [Segment] {
        // Blank lines take the kind of the nearest earlier non-blank line; leading
        // blank lines take the kind of the first non-blank line.
        var resolved = kinds
        var previous: SegmentKind? = nil
        for i in lines.indices {
            if lines[i].isBlank {
                if let previous { resolved[i] = previous }
            } else {
                previous = resolved[i]
            }
        }
        if let firstContent = lines.firstIndex(where: { !$0.isBlank }) {
            for i in 0..<firstContent { resolved[i] = resolved[firstContent] }
        } else {
            for i in resolved.indices { resolved[i] = .newText }
        }
        var out: [Segment] = []
        for i in lines.indices {
            let kind = resolved[i]
            if let last = out.last, last.kind == kind, last.end == lines[i].start {
                out[out.count - 1].end = lines[i].end
            } else if lines[i].end > lines[i].start {
                out.append(Segment(kind: kind, start: lines[i].start, end: lines[i].end))
            }
        }
        return out
    }
}

// MARK: - Analysis

/// Normalises text for phrase matching: lower case, white space folded,
/// curly quotes straightened, trimmed.
func normalise(_ s: String) -> String {
    // Fast path: ASCII text, byte by byte over contiguous storage.
    var copy = s
    let ascii: String? = copy.withUTF8 { buf -> String? in
        var out = [UInt8](repeating: 0, count: buf.count)
        var n = 0
        var pendingSpace = false
        var k = 0
        let count = buf.count
        while k < count {
            let b = buf[k]
            k += 1
            if b >= 0x80 { return nil }
            if b == 0x20 || (b >= 0x09 && b <= 0x0D) {
                pendingSpace = n > 0
                continue
            }
            if b == 0 { continue }
            if pendingSpace { out[n] = 0x20; n += 1; pendingSpace = false }
            out[n] = (b >= 0x41 && b <= 0x5A) ? b + 0x20 : b
            n += 1
        }
        return out.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[0..<n]), as: UTF8.self) }
    }
    if let ascii { return ascii }
    var out = String.UnicodeScalarView()
    var pendingSpace = false
    for s in s.lowercased().unicodeScalars {
        if TextSegmenter.isSpace(s) || s == "\n" || s == "\r" {
            pendingSpace = !out.isEmpty
            continue
        }
        if s.value == 0 || s.value == 0x200C || s.value == 0x200D { continue }
        if pendingSpace { out.append(" "); pendingSpace = false }
        switch s {
        case "\u{2019}", "\u{2018}", "\u{02BC}": out.append("'")
        case "\u{201C}", "\u{201D}": out.append("\"")
        case "\u{2013}", "\u{2014}": out.append("-")
        default: out.append(s)
        }
    }
    return String(out)
}

/// A vocabulary turned into lookup tables, built once per segmenter (the
/// standard one once per process).
final class CompiledVocabulary: Sendable {
    let vocabulary: SegmenterVocabulary
    let headerLookup: [String: HeaderRole]
    let signOffSet: Set<String>
    let disclaimerLineSet: Set<String>
    let disclaimerMatcher: PhraseMatcher
    /// First scalars (both cases) that can open an attribution, a sign-off or
    /// client line, or a plain marker line: cheap tests before the real ones.
    let attributionInitials: Set<Unicode.Scalar>
    let signatureInitials: Set<Unicode.Scalar>
    let plainMarkerInitials: Set<Unicode.Scalar>

    static let standard = CompiledVocabulary(.standard)

    init(_ vocabulary: SegmenterVocabulary) {
        self.vocabulary = vocabulary
        var lookup: [String: HeaderRole] = [:]
        for (role, names) in vocabulary.headerFieldNames {
            for name in names { lookup[name] = role }
        }
        headerLookup = lookup
        signOffSet = Set(vocabulary.signOffs)
        disclaimerLineSet = Set(vocabulary.disclaimerLines)
        disclaimerMatcher = PhraseMatcher(vocabulary.disclaimerPhrases)
        func initials(_ words: [String]) -> Set<Unicode.Scalar> {
            var out = Set<Unicode.Scalar>()
            for w in words {
                guard let f = w.unicodeScalars.first else { continue }
                out.insert(f)
                out.formUnion(String(f).uppercased().unicodeScalars)
            }
            return out
        }
        attributionInitials = initials(vocabulary.attributions.map(\.prefix))
        signatureInitials = initials(vocabulary.signOffs + vocabulary.deviceSignatures)
        plainMarkerInitials = initials(vocabulary.plainMarkers).union(["*"])
    }
}

struct Analysis {
    let lines: [TextSegmenter.Line]
    let compiled: CompiledVocabulary
    var vocabulary: SegmenterVocabulary { compiled.vocabulary }
    /// Normalised analysed prefix of each line, computed on first use.
    private var normCache: [String?]
    /// Lines longer than this are never markers, attributions, headers or sign-offs.
    static let maxMarkerLength = 400

    init(lines: [TextSegmenter.Line], compiled: CompiledVocabulary) {
        self.lines = lines
        self.compiled = compiled
        self.normCache = Array(repeating: nil, count: lines.count)
    }

    mutating func norm(_ i: Int) -> String {
        if let n = normCache[i] { return n }
        let n = normalise(lines[i].raw)
        normCache[i] = n
        return n
    }

    func isShortLine(_ i: Int) -> Bool { lines[i].length <= Self.maxMarkerLength }

    // MARK: Classification

    mutating func classify(maxSignatureLines: Int, maxSigDashLines: Int) -> [SegmentKind] {
        var kinds = Array(repeating: SegmentKind.newText, count: lines.count)
        markQuotes(&kinds)
        // Stretches of unquoted lines (blank lines inside belong to the stretch).
        var regions: [Range<Int>] = []
        var i = 0
        while i < lines.count {
            if kinds[i] == .quoted || lines[i].isBlank { i += 1; continue }
            var j = i
            var lastContent = i
            while j < lines.count && kinds[j] != .quoted {
                if !lines[j].isBlank { lastContent = j }
                j += 1
            }
            regions.append(i..<(lastContent + 1))
            i = j
        }
        var newTextEnds: [Int] = [] // per region, the first line that is not new text
        for region in regions {
            let start = disclaimerStart(in: region) ?? region.upperBound
            for k in start..<region.upperBound { kinds[k] = .disclaimer }
            newTextEnds.append(start)
        }
        // Signature: the last stretch that still has new text.
        if let r = regions.indices.last(where: { idx in
            (regions[idx].lowerBound..<newTextEnds[idx]).contains { !lines[$0].isBlank }
        }) {
            let newRange = regions[r].lowerBound..<newTextEnds[r]
            let hasEarlierNewText = regions[..<r].indices.contains { idx in
                (regions[idx].lowerBound..<newTextEnds[idx]).contains { !lines[$0].isBlank }
            }
            if let s = signatureStart(in: newRange, hasEarlierNewText: hasEarlierNewText,
                                      maxSignatureLines: maxSignatureLines, maxSigDashLines: maxSigDashLines) {
                for k in s..<newRange.upperBound { kinds[k] = .signature }
            }
        }
        return kinds
    }

    // MARK: Quotes

    mutating func markQuotes(_ kinds: inout [SegmentKind]) {
        var i = 0
        while i < lines.count {
            let line = lines[i]
            if line.quoteDepth > 0 { kinds[i] = .quoted; i += 1; continue }
            if line.isBlank || !isShortLine(i) { i += 1; continue }
            if let used = attribution(at: i) {
                let next = nextContent(after: i + used - 1)
                if let next, lines[next].quoteDepth > 0 {
                    for k in i..<(i + used) { kinds[k] = .quoted }
                    i += used
                    continue
                }
                if attributionIsStrong(at: i, used: used) {
                    markRestQuoted(from: i, &kinds)
                    return
                }
                i += used
                continue
            }
            if isMarker(i) || isHeaderBlock(at: i) {
                markRestQuoted(from: i, &kinds)
                return
            }
            i += 1
        }
    }

    mutating func markRestQuoted(from i: Int, _ kinds: inout [SegmentKind]) {
        var start = i
        if let p = previousContent(before: i), isRule(p), i - p <= 3 { start = p }
        for k in start..<lines.count { kinds[k] = .quoted }
    }

    func nextContent(after i: Int) -> Int? {
        var j = i + 1
        while j < lines.count {
            if !lines[j].isBlank { return j }
            j += 1
        }
        return nil
    }

    func previousContent(before i: Int) -> Int? {
        var j = i - 1
        while j >= 0 {
            if !lines[j].isBlank { return j }
            j -= 1
        }
        return nil
    }

    /// A line of at least five rule characters (`_ - = * ~ #`), nothing else.
    func isRule(_ i: Int) -> Bool {
        let line = lines[i]
        guard line.length <= Self.maxMarkerLength, !line.isBlank else { return false }
        var count = 0
        for s in line.raw.unicodeScalars {
            switch s {
            case "_", "-", "=", "*", "~", "#", "\u{2014}", "\u{2013}", "\u{2500}": count += 1
            default:
                if !TextSegmenter.isSpace(s) { return false }
            }
        }
        return count >= 5
    }

    /// Reply attribution at line `i`: the number of lines it takes (1 or 2).
    mutating func attribution(at i: Int) -> Int? {
        // Cheap test first: an attribution ends with ":" on this or the next line.
        let endsHere = lines[i].last == ":"
        let endsNext = i + 1 < lines.count && lines[i + 1].last == ":"
            && lines[i].first.map { compiled.attributionInitials.contains($0) } == true
        guard endsHere || endsNext else { return nil }
        let n = norm(i)
        if n.count > 300 { return nil }
        if matchesAttribution(n) { return 1 }
        if i + 1 < lines.count, !lines[i + 1].isBlank, lines[i + 1].quoteDepth == 0, isShortLine(i + 1),
           !n.hasSuffix(":"), vocabulary.attributions.contains(where: { n.hasPrefix($0.prefix) }) {
            let joined = n + " " + norm(i + 1)
            if joined.count <= 400 && matchesAttribution(joined) { return 2 }
        }
        // "sam@example.org wrote:" / "Sam Example <sam@example.org> wrote:"
        if n.count <= 160, vocabulary.bareAttributionEndings.contains(where: { n.hasSuffix($0) }) {
            if n.contains("@") { return 1 }
            if let next = nextContent(after: i), lines[next].quoteDepth > 0 { return 1 }
        }
        return nil
    }

    func matchesAttribution(_ n: String) -> Bool {
        guard n.hasSuffix(":") else { return false }
        for (prefix, verb) in vocabulary.attributions where n.hasPrefix(prefix) {
            if n.contains(verb) { return true }
        }
        return false
    }

    /// An attribution that can only come from a mail client (it names an
    /// address or a time of day), so that what follows it is the earlier
    /// message even without `>` marks.
    mutating func attributionIsStrong(at i: Int, used: Int) -> Bool {
        var text = norm(i)
        if used > 1 { text += " " + norm(i + 1) }
        if text.contains("@") { return true }
        // Otherwise both a time of day (d:dd) and a four-digit year (19xx, 20xx),
        // as in Thunderbird's "On 03/11/2026 10:15, Sam Example wrote:".
        let s = Array(text.unicodeScalars)
        var time = false
        var year = false
        if s.count >= 4 {
            for k in 1..<(s.count - 2) where s[k] == ":" {
                if isDigit(s[k - 1]) && isDigit(s[k + 1]) && isDigit(s[k + 2]) { time = true }
            }
            var k = 0
            while k + 3 < s.count {
                if (s[k] == "1" && s[k + 1] == "9" || s[k] == "2" && s[k + 1] == "0") && isDigit(s[k + 2]) && isDigit(s[k + 3])
                    && (k == 0 || !isDigit(s[k - 1])) && (k + 4 == s.count || !isDigit(s[k + 4])) {
                    year = true
                }
                k += 1
            }
        }
        return time && year
    }

    func isDigit(_ s: Unicode.Scalar) -> Bool { s.value >= 0x30 && s.value <= 0x39 }

    /// "-----Original Message-----", "---------- Forwarded message ---------",
    /// "Begin forwarded message:".
    mutating func isMarker(_ i: Int) -> Bool {
        guard let first = lines[i].first, lines[i].length <= 200 else { return false }
        let ruled = Self.markerRuleChars.contains(first)
        guard ruled ? lines[i].hasLetter : lines[i].length <= 60 && compiled.plainMarkerInitials.contains(first) else {
            return false
        }
        let n = norm(i)
        let plain = n.replacingStars()
        if vocabulary.plainMarkers.contains(plain) { return true }
        guard ruled else { return false }
        let ruleChars = Self.markerRuleChars
        let scalars = Array(n.unicodeScalars)
        var lo = 0
        var leadingRules = 0
        while lo < scalars.count && ruleChars.contains(scalars[lo]) {
            if scalars[lo] != " " { leadingRules += 1 }
            lo += 1
        }
        var hi = scalars.count
        while hi > lo && ruleChars.contains(scalars[hi - 1]) { hi -= 1 }
        guard leadingRules >= 2, lo < hi else { return false }
        var coreView = String.UnicodeScalarView()
        coreView.append(contentsOf: scalars[lo..<hi])
        var core = String(coreView)
        if core.hasSuffix(":") { core.removeLast() }
        if vocabulary.ruledMarkers.contains(core) { return true }
        return vocabulary.ruledMarkerPrefixes.contains { core.hasPrefix($0) }
    }

    static let markerRuleChars: Set<Unicode.Scalar> = ["-", "_", "=", "*", "~", " ", "<", ">"]

    /// The role of a header line ("From: …", "*Sent:* …"), if it is one.
    mutating func headerRole(_ i: Int) -> HeaderRole? {
        guard lines[i].earlyColon, isShortLine(i), lines[i].quoteDepth == 0, !lines[i].isBlank else { return nil }
        let n = norm(i).replacingStars()
        guard let colon = n.firstIndex(of: ":") else { return nil }
        let name = n[..<colon].trimmingSpaces()
        guard !name.isEmpty, name.count <= 20 else { return nil }
        return compiled.headerLookup[String(name)]
    }

    /// Field names only a mail client writes in a quoted header block
    /// (Outlook's "Sent:"), unlike a memo-style letter head ("Date:").
    static let clientDateFieldNames: Set<String> = [
        "sent", "envoyé", "gesendet", "enviado", "verzonden", "skickat", "inviato", "wysłano",
    ]

    /// A quoted header block starting at line `i` with a From line.
    ///
    /// At the very start of the text, with no rule above it, a block counts
    /// only with a "Sent:" field: "From: / To: / Date: / Subject:" opening a
    /// text is the head of a memo-style letter, and the letter is new text.
    mutating func isHeaderBlock(at i: Int) -> Bool {
        guard headerRole(i) == .from else { return false }
        if let roles = headerBlockRoles(at: i) {
            if previousContent(before: i) != nil { return true }
            return roles.sawClientDate
        }
        return false
    }

    mutating func headerFieldName(_ i: Int) -> String {
        let n = norm(i).replacingStars()
        guard let colon = n.firstIndex(of: ":") else { return "" }
        return String(n[..<colon].trimmingSpaces())
    }

    /// The roles of the block's fields, when they make a header block.
    mutating func headerBlockRoles(at i: Int) -> (roles: Set<HeaderRole>, sawClientDate: Bool)? {
        var roles: Set<HeaderRole> = [.from]
        var sawClientDate = false
        var j = i + 1
        var blanks = 0
        var continuations = 0
        while j < lines.count && j <= i + 16 {
            if lines[j].isBlank {
                blanks += 1
                if blanks > 2 { break }
                j += 1
                continue
            }
            blanks = 0
            if let role = headerRole(j) {
                if role == .from { break }
                roles.insert(role)
                if role == .date && Self.clientDateFieldNames.contains(headerFieldName(j)) { sawClientDate = true }
            } else if lines[j].indented || continuations < 2 && lastLineContinues(j - 1) {
                continuations += 1
            } else {
                break
            }
            j += 1
        }
        let enough = roles.contains(.date) && (roles.contains(.to) || roles.contains(.subject))
            || roles.contains(.to) && roles.contains(.subject)
        return enough ? (roles, sawClientDate) : nil
    }

    /// True when a recipients line ends in a list separator and wraps.
    mutating func lastLineContinues(_ i: Int) -> Bool {
        guard i >= 0 else { return false }
        let n = norm(i)
        return n.hasSuffix(";") || n.hasSuffix(",")
    }

    // MARK: Disclaimers

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

    // MARK: Signatures

    enum SignatureOpener { case sigDash, device, signOff }

    mutating func signatureOpener(_ i: Int) -> SignatureOpener? {
        let line = lines[i]
        guard line.length <= 120, !line.isBlank else { return nil }
        if line.first == "-" && line.last == "-" && line.words == 1 {
            var trimmed = line.raw
            while let last = trimmed.unicodeScalars.last, TextSegmenter.isSpace(last) { trimmed.unicodeScalars.removeLast() }
            if trimmed == "--" { return .sigDash }
        }
        guard line.length <= 70, line.words <= 6, let first = line.first,
              compiled.signatureInitials.contains(first) else { return nil }
        let n = norm(i)
        if vocabulary.deviceSignatures.contains(where: { n.hasPrefix($0) }) { return .device }
        let bare = n.trimmingPunctuation()
        if compiled.signOffSet.contains(bare) { return .signOff }
        // "Kind regards, Sam Example" / "Thanks Sam": a sign-off of one to four
        // words, then a name of at most four words.
        let rawWords = line.raw.split(whereSeparator: { $0 == " " || $0 == "\t" })
        let bareWords = bare.split(separator: " ")
        guard bareWords.count >= 2, rawWords.count == bareWords.count else { return nil }
        for k in 1...min(4, bareWords.count - 1) {
            var head = bareWords[0..<k].joined(separator: " ")
            let comma = head.hasSuffix(",")
            if comma { head.removeLast() }
            guard compiled.signOffSet.contains(head) else { continue }
            let nameCount = bareWords.count - k
            guard nameCount <= 4 else { continue }
            // the rest must read as a name: capitalised words (or a number)
            let name = rawWords[k...]
            if name.allSatisfy({ w in w.unicodeScalars.first.map { $0.properties.isUppercase || ("0"..."9").contains($0) } ?? false }) {
                return .signOff
            }
        }
        return nil
    }

    /// A line that reads as prose rather than a name, title, address or phone.
    func isSentenceLike(_ i: Int) -> Bool {
        let line = lines[i]
        if line.length > 100 || line.words >= 10 { return true }
        if line.words >= 5, let last = line.last, last == "." || last == "?" || last == "!" { return true }
        return false
    }

    mutating func signatureStart(in range: Range<Int>, hasEarlierNewText: Bool,
                                 maxSignatureLines: Int, maxSigDashLines: Int) -> Int? {
        // Suffix counts: non-blank lines and prose lines from each line to the end.
        let count = range.count
        var contentAfter = Array(repeating: 0, count: count + 1)
        var proseAfter = Array(repeating: 0, count: count + 1)
        var k = count - 1
        while k >= 0 {
            let i = range.lowerBound + k
            let blank = lines[i].isBlank
            contentAfter[k] = contentAfter[k + 1] + (blank ? 0 : 1)
            proseAfter[k] = proseAfter[k + 1] + (!blank && isSentenceLike(i) ? 1 : 0)
            k -= 1
        }
        var contentBefore = hasEarlierNewText
        for i in range {
            if lines[i].isBlank { continue }
            defer { contentBefore = true }
            guard let opener = signatureOpener(i) else { continue }
            let next = i + 1 - range.lowerBound
            let content = contentAfter[next]
            let prose = proseAfter[next]
            switch opener {
            case .sigDash:
                // "-- " (RFC 3676) opens any short block; a bare "--" only one without prose.
                if content <= maxSigDashLines && (lines[i].raw.hasPrefix("-- ") || prose == 0) { return i }
            case .device:
                if content <= 3 && prose == 0 { return i }
            case .signOff:
                if contentBefore && content <= maxSignatureLines && prose == 0 { return i }
            }
        }
        return nil
    }
}

/// Finds phrases in normalised UTF-8 text, at word starts, in one pass.
struct PhraseMatcher {
    /// Phrases grouped by their first two bytes.
    private var buckets: [[[UInt8]]] = []
    private var table: [Int32]

    init(_ phrases: [String]) {
        table = Array(repeating: -1, count: 65536)
        for phrase in phrases {
            let bytes = Array(phrase.utf8)
            guard bytes.count >= 2 else { continue }
            let key = Int(bytes[0]) << 8 | Int(bytes[1])
            if table[key] < 0 {
                table[key] = Int32(buckets.count)
                buckets.append([])
            }
            buckets[Int(table[key])].append(bytes)
        }
        for b in buckets.indices { buckets[b].sort { $0.count > $1.count } }
    }

    /// Number of non-overlapping phrase matches, counting up to `limit`.
    func matches(in text: [UInt8], upTo limit: Int) -> Int {
        let n = text.count
        var hits = 0
        var k = 0
        while k + 1 < n {
            if k > 0 && isWordByte(text[k - 1]) { k += 1; continue }
            let bucket = table[Int(text[k]) << 8 | Int(text[k + 1])]
            if bucket >= 0 {
                var matched = 0
                for phrase in buckets[Int(bucket)] where phrase.count <= n - k {
                    var equal = true
                    var j = 2
                    while j < phrase.count {
                        if text[k + j] != phrase[j] { equal = false; break }
                        j += 1
                    }
                    if equal { matched = phrase.count; break }
                }
                if matched > 0 {
                    hits += 1
                    if hits >= limit { return hits }
                    k += matched
                    continue
                }
            }
            k += 1
        }
        return hits
    }
}

/// ASCII letters and digits, and any byte of a multi-byte UTF-8 sequence.
func isWordByte(_ b: UInt8) -> Bool {
    (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b >= 0x80
}

// MARK: - Small string helpers

extension StringProtocol {
    /// Without leading and trailing white space.
    func trimmingSpaces() -> Substring {
        let s = Substring(self)
        guard let first = s.firstIndex(where: { !$0.isWhitespace }) else { return s[s.endIndex...] }
        guard let last = s.lastIndex(where: { !$0.isWhitespace }) else { return s[s.endIndex...] }
        return s[first...last]
    }

    /// Without trailing punctuation and white space (",", ".", "!", ":", ";", "-").
    func trimmingPunctuation() -> String {
        var s = String(self.trimmingSpaces())
        while let last = s.last, last == "," || last == "." || last == "!" || last == ":" || last == ";" || last == "-" || last.isWhitespace {
            s.removeLast()
        }
        return s
    }

    /// With every "*" removed (Outlook's plain-text bold: "*From:* …").
    func replacingStars() -> String {
        if !self.utf8.contains(UInt8(ascii: "*")) { return String(self) }
        return String(self.filter { $0 != "*" })
    }
}
