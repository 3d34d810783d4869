import TriageCore

/// Splits a body of text into new text, quoted earlier messages, forwarded
/// messages, signature and disclaimer.
///
/// This is the façade; each detector is an extension of `Analysis` in a file
/// of its own (`QuoteDetector`, `ForwardDetector`, `DisclaimerDetector`,
/// `SignatureDetector`, `CoverNote`), and every word list is data in
/// `Rules/segmentation.yaml`, with examples that run as tests.
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
///   phrase is the sender's own. Footers inside a quote stay quoted. A
///   footer follows a message: one that would begin the text ("Under the
///   Freedom of Information Act 2000 please provide…") is the message.
/// - **forwarded**: see ``segmentation(of:subject:)``.
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
    var compiledVocabulary: CompiledVocabulary { compiled }
    /// Longest signature block after a sign-off, in non-blank lines.
    public var maxSignatureLines: Int
    /// Longest signature block after a `-- ` line, in non-blank lines.
    public var maxSigDashLines: Int

    /// A segmenter with the standard vocabulary (`Rules/segmentation.yaml`).
    public init() {
        self.compiled = CompiledVocabulary.standard
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
        segmentation(of: text, subject: nil).body.segments
    }

    /// Convenience: the ``Body`` for a text.
    /// - Parameter text: the body text.
    /// - Returns: the text with its segments.
    public func body(for text: String) -> Body {
        Body(text: text, segments: segment(text))
    }

    /// Segments `text` and finds the messages forwarded inline in it.
    ///
    /// A forward block ("---------- Forwarded message ---------", "Begin
    /// forwarded message:", "-------- Forwarded Message --------", and, when
    /// `subject` marks a forward ("Fwd:", "FW:"), Outlook's "From: / Sent: /
    /// To: / Subject:" block or "-----Original Message-----") is content: its
    /// header lines and its new text are `forwarded`; its own quoted replies,
    /// signature and footer keep their kinds, and forwards inside it are found
    /// the same way, up to ``maxForwardDepth`` levels.
    /// - Parameters:
    ///   - text: the body text.
    ///   - subject: the item's subject line, if any.
    /// - Returns: the body and its inline forwards (depth 1 for the outermost).
    public func segmentation(of text: String, subject: String?) -> Segmentation {
        let lines = Self.splitLines(text)
        if lines.isEmpty { return Segmentation(body: Body(text: text, segments: []), forwards: []) }
        var analysis = Analysis(lines: lines, compiled: compiled,
                                subjectIsForward: subject.map { compiled.isForwardSubject($0) } ?? false)
        var forwards: [ForwardedMessage] = []
        let kinds = analysis.classify(maxSignatureLines: maxSignatureLines, maxSigDashLines: maxSigDashLines,
                                      depth: 0, maxDepth: maxForwardDepth, forwards: &forwards)
        return Segmentation(body: Body(text: text, segments: Self.segments(lines: lines, kinds: kinds)), forwards: forwards)
    }

    /// Forwards nested deeper than this are read as one flat forwarded text.
    public var maxForwardDepth = 32
}
