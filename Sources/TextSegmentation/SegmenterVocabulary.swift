import Foundation
import RuleFiles
import TriageCore
import Yams

/// The role of a header field name in a quoted header block.
public enum HeaderRole: String, Sendable, Hashable, CaseIterable, Codable {
    case from, date, to, subject
}

/// The word lists a ``TextSegmenter`` uses: data in `Rules/segmentation.yaml`
/// (see that file for what each list does), not Swift.
public struct SegmenterVocabulary: Sendable, Decodable {
    /// A reply attribution: a line beginning and a verb ("on ", " wrote").
    public struct Attribution: Sendable, Decodable, Equatable {
        public var prefix: String
        public var verb: String

        public init(prefix: String, verb: String) {
            self.prefix = prefix
            self.verb = verb
        }
    }

    /// Sign-off lines ("kind regards"), lower case.
    public var signOffs: [String]
    /// Line beginnings of client-added signatures ("sent from my "), lower case.
    public var deviceSignatures: [String]
    /// Reply attributions, lower case.
    public var attributions: [Attribution]
    /// Endings of attributions without a date ("… wrote:").
    public var bareAttributionEndings: [String]
    /// Text between rules of a marker line ("original message").
    public var ruledMarkers: [String]
    /// Beginnings of text between rules of a marker line ("forwarded by ").
    public var ruledMarkerPrefixes: [String]
    /// Whole marker lines ("begin forwarded message:").
    public var plainMarkers: [String]
    /// Marker words that announce a forward ("forwarded message", "forwarded by ").
    public var forwardMarkers: [String]
    /// Subject prefixes of a forward ("fwd:", "fw:").
    public var forwardSubjectPrefixes: [String]
    /// Header-field names by role, lower case, without the colon.
    public var headerFieldNames: [HeaderRole: [String]]
    /// Date-field names only a mail client writes ("sent").
    public var clientDateFieldNames: [String]
    /// Phrases that make a paragraph a disclaimer.
    public var disclaimerPhrases: [String]
    /// Whole paragraphs that are footers ("official").
    public var disclaimerLines: [String]
    /// Phrases of a cover note ("asked me to", "see attached").
    public var coverNotePhrases: [String]
    /// Mailbox names (the part before "@") of automated senders ("noreply"):
    /// a message from one has no person as its author.
    public var automatedMailboxes: [String]
    /// The examples that document and test the lists.
    public var examples: [SegmentationExample]

    enum CodingKeys: String, CodingKey {
        case signOffs = "sign_offs", deviceSignatures = "device_signatures", attributions
        case bareAttributionEndings = "bare_attribution_endings", ruledMarkers = "ruled_markers"
        case ruledMarkerPrefixes = "ruled_marker_prefixes", plainMarkers = "plain_markers"
        case forwardMarkers = "forward_markers", forwardSubjectPrefixes = "forward_subject_prefixes"
        case headerFieldNames = "header_field_names", clientDateFieldNames = "client_date_field_names"
        case disclaimerPhrases = "disclaimer_phrases", disclaimerLines = "disclaimer_lines"
        case coverNotePhrases = "cover_note_phrases", automatedMailboxes = "automated_mailboxes", examples
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        signOffs = try c.decode([String].self, forKey: .signOffs)
        deviceSignatures = try c.decode([String].self, forKey: .deviceSignatures)
        attributions = try c.decode([Attribution].self, forKey: .attributions)
        bareAttributionEndings = try c.decode([String].self, forKey: .bareAttributionEndings)
        ruledMarkers = try c.decode([String].self, forKey: .ruledMarkers)
        ruledMarkerPrefixes = try c.decode([String].self, forKey: .ruledMarkerPrefixes)
        plainMarkers = try c.decode([String].self, forKey: .plainMarkers)
        forwardMarkers = try c.decode([String].self, forKey: .forwardMarkers)
        forwardSubjectPrefixes = try c.decode([String].self, forKey: .forwardSubjectPrefixes)
        let names = try c.decode([String: [String]].self, forKey: .headerFieldNames)
        var byRole: [HeaderRole: [String]] = [:]
        for (key, list) in names {
            guard let role = HeaderRole(rawValue: key) else {
                throw DecodingError.dataCorruptedError(forKey: .headerFieldNames, in: c,
                                                       debugDescription: "unknown header role \"\(key)\" (from, date, to, subject)")
            }
            byRole[role] = list
        }
        headerFieldNames = byRole
        clientDateFieldNames = try c.decode([String].self, forKey: .clientDateFieldNames)
        disclaimerPhrases = try c.decode([String].self, forKey: .disclaimerPhrases)
        disclaimerLines = try c.decode([String].self, forKey: .disclaimerLines)
        coverNotePhrases = try c.decode([String].self, forKey: .coverNotePhrases)
        automatedMailboxes = try c.decode([String].self, forKey: .automatedMailboxes)
        examples = try c.decodeIfPresent([SegmentationExample].self, forKey: .examples) ?? []
    }

    /// Reads a vocabulary file.
    /// - Parameter url: a `segmentation.yaml`.
    /// - Throws: ``RuleFileError`` naming the file and the problem.
    public static func load(from url: URL) throws -> SegmenterVocabulary {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw RuleFileError(file: url.path, problem: "cannot read it: \(error.localizedDescription)")
        }
        // Strict, as every rule file: a misspelt key is an error with its line.
        return try RuleDirectory.decodeStrictly(SegmenterVocabulary.self, yaml: text, file: url.path)
    }

    /// The file name inside `Rules/`.
    public static let fileName = "segmentation.yaml"

    /// The vocabulary in use: the one ``install(rulesDirectory:)`` read, else
    /// `segmentation.yaml` of the `Rules/` directory found as the rules are
    /// (`TRIAGE_RULES`, the working directory or a parent, the executable's package).
    public static var standard: SegmenterVocabulary { CompiledVocabulary.standard.vocabulary }

    /// Reads `segmentation.yaml` from a `Rules/` directory and makes it the
    /// standard vocabulary for every segmenter made after this call. The
    /// command line calls it with the rules it was given (`--rules`).
    /// - Throws: ``RuleFileError`` when the file is missing or unusable.
    public static func install(rulesDirectory: URL) throws {
        let vocabulary = try load(from: rulesDirectory.appendingPathComponent(fileName))
        CompiledVocabulary.install(CompiledVocabulary(vocabulary))
    }
}

/// One example of `segmentation.yaml`: a text, and words that must land in
/// each kind of segment.
public struct SegmentationExample: Sendable, Decodable {
    public var name: String
    public var subject: String?
    public var text: String
    /// Pieces of text that must lie inside a segment of the kind, by kind.
    public var expected: [SegmentKind: [String]]
    /// Authors (names) of the forwards found, in order.
    public var forwardedAuthors: [String]?

    enum CodingKeys: String, CodingKey {
        case name, subject, text
        case forwardedAuthors = "forwarded_authors"
    }

    struct KindKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        subject = try c.decodeIfPresent(String.self, forKey: .subject)
        text = try c.decode(String.self, forKey: .text)
        forwardedAuthors = try c.decodeIfPresent([String].self, forKey: .forwardedAuthors)
        let kinds = try decoder.container(keyedBy: KindKey.self)
        var expected: [SegmentKind: [String]] = [:]
        for kind in SegmentKind.allCases {
            if let pieces = try kinds.decodeIfPresent([String].self, forKey: KindKey(stringValue: kind.rawValue)) {
                expected[kind] = pieces
            }
        }
        self.expected = expected
    }

    /// The problems of this example under a segmenter; empty when it passes.
    public func problems(with segmenter: TextSegmenter) -> [String] {
        let result = segmenter.segmentation(of: text, subject: subject)
        let body = result.body
        var out: [String] = []
        let scalars = Array(text.unicodeScalars)
        for (kind, pieces) in expected.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            for piece in pieces {
                let p = Array(piece.unicodeScalars)
                guard let at = Self.find(p, in: scalars) else {
                    out.append("\"\(piece)\" is not in the text")
                    continue
                }
                let inside = body.segments.contains { $0.kind == kind && $0.start <= at && at + p.count <= $0.end }
                if !inside {
                    let found = body.segments.filter { $0.start < at + p.count && $0.end > at }.map(\.kind.rawValue)
                    out.append("\"\(piece)\" should be \(kind.rawValue), is \(found.joined(separator: "/"))")
                }
            }
        }
        if let authors = forwardedAuthors {
            let got = result.forwards.map { $0.author?.name ?? $0.author?.address ?? "?" }
            if got != authors { out.append("forwarded authors \(got), expected \(authors)") }
        }
        return out
    }

    static func find(_ needle: [Unicode.Scalar], in hay: [Unicode.Scalar]) -> Int? {
        guard !needle.isEmpty, needle.count <= hay.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] {
            if hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }
}

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
    let forwardMarkerSet: Set<String>
    let forwardMarkerPrefixes: [String]
    let coverNoteMatcher: PhraseMatcher
    let clientDateFieldNames: Set<String>

    /// The standard vocabulary, compiled once: installed, or read on first use.
    static var standard: CompiledVocabulary {
        lock.lock()
        defer { lock.unlock() }
        if let installed { return installed }
        let loaded = loadFromRules()
        installed = loaded
        return loaded
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var installed: CompiledVocabulary? = nil

    static func install(_ compiled: CompiledVocabulary) {
        lock.lock()
        installed = compiled
        lock.unlock()
    }

    /// `segmentation.yaml` of the `Rules/` directory found as the rules are.
    /// The segmenter cannot work without its word lists: a missing or broken
    /// file is an installation error, stated plainly (the command line checks
    /// it first and exits 2 instead).
    private static func loadFromRules() -> CompiledVocabulary {
        guard let rules = RuleDirectory.locate() else {
            fatalError("segmenter: no Rules/ directory with \(SegmenterVocabulary.fileName) found: set TRIAGE_RULES")
        }
        do {
            return CompiledVocabulary(try SegmenterVocabulary.load(from: rules.url.appendingPathComponent(SegmenterVocabulary.fileName)))
        } catch {
            fatalError("segmenter: \(error)")
        }
    }

    /// True when a marker's words announce a forward.
    func isForwardMarker(_ core: String) -> Bool {
        forwardMarkerSet.contains(core) || forwardMarkerPrefixes.contains { core.hasPrefix($0) }
    }

    /// True when a subject line marks a forward ("Fwd: …", "Re: FW: …" is a reply).
    func isForwardSubject(_ subject: String) -> Bool {
        let n = normalise(subject)
        return vocabulary.forwardSubjectPrefixes.contains { n.hasPrefix($0) }
    }

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
        clientDateFieldNames = Set(vocabulary.clientDateFieldNames)
        signatureInitials = initials(vocabulary.signOffs + vocabulary.deviceSignatures)
        plainMarkerInitials = initials(vocabulary.plainMarkers).union(["*"])
        forwardMarkerSet = Set(vocabulary.forwardMarkers)
        forwardMarkerPrefixes = vocabulary.forwardMarkers.filter { $0.hasSuffix(" ") }
        coverNoteMatcher = PhraseMatcher(vocabulary.coverNotePhrases)
    }
}
