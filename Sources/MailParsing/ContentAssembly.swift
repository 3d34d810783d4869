import AttachmentReading
import Foundation
import MailText
import TextSegmentation
import TriageCore

/// Something the writer sent besides the body text.
enum ContentPiece {
    /// An attached message (message/rfc822 part or .eml file), already read.
    case forward(Correspondence)
    /// An attached letter's text, for the attachment at `index`.
    case letter(index: Int, AttachmentReader.Result)
}

/// Builds an item's body from its own text, then each attached message and
/// letter after it, so that one text holds everything the writer sent and
/// evidence offsets point into it.
///
/// - An attached message's new text becomes `forwarded`; its quoted replies,
///   signature and footer keep their kinds, and its own forwards go one level
///   deeper.
/// - A letter's text is segmented like any text (its sign-off and footer are
///   found) and its new text becomes `attachment_text`.
struct ContentAssembly {
    private(set) var body: Body
    private(set) var forwards: [ForwardedMessage]

    init(_ main: Segmentation) {
        body = main.body
        forwards = main.forwards
    }

    /// Appends `text` with its segments (offsets relative to `text`), each kind mapped.
    /// - Returns: the range the text took in the body.
    private mutating func append(_ text: String, segments: [Segment], map: (SegmentKind) -> SegmentKind) -> Range<Int> {
        var separator = ""
        if !body.text.isEmpty { separator = "\n\n" }
        let base = body.text.unicodeScalars.count + separator.unicodeScalars.count
        if !separator.isEmpty {
            body.text += separator
            // The blank lines belong to the segment before them.
            if !body.segments.isEmpty { body.segments[body.segments.count - 1].end = base }
        }
        body.text += text
        for s in segments {
            let kind = map(s.kind)
            if let last = body.segments.last, last.kind == kind, last.end == base + s.start {
                body.segments[body.segments.count - 1].end = base + s.end
            } else {
                body.segments.append(Segment(kind: kind, start: base + s.start, end: base + s.end))
            }
        }
        if body.segments.isEmpty, !body.text.isEmpty {
            body.segments = [Segment(kind: map(.newText), start: 0, end: body.text.unicodeScalars.count)]
        }
        return base..<(base + text.unicodeScalars.count)
    }

    /// Appends an attached message: its text as forwarded content, its author kept.
    mutating func appendForward(_ message: Correspondence) {
        guard !message.body.text.isEmpty else {
            let at = body.text.unicodeScalars.count
            forwards.append(Self.forwarded(message, start: at, end: at))
            return
        }
        let range = append(message.body.text, segments: message.body.segments) { $0 == .newText ? .forwarded : $0 }
        forwards.append(Self.forwarded(message, start: range.lowerBound, end: range.upperBound))
        for inner in message.forwards {
            var moved = inner
            moved.start += range.lowerBound
            moved.end += range.lowerBound
            moved.depth += 1
            forwards.append(moved)
        }
    }

    static func forwarded(_ message: Correspondence, start: Int, end: Int) -> ForwardedMessage {
        let date = message.date.map { MailDates.internetDateTime($0.value) }
        return ForwardedMessage(form: .attached, author: message.sender, date: date, subject: message.subject,
                                start: start, end: end, depth: 1)
    }

    /// Appends an attached letter's text (when it was read).
    /// - Returns: what the attachment's record says of its text.
    mutating func appendLetter(_ result: AttachmentReader.Result, segmenter: TextSegmenter) -> AttachmentText {
        let status: AttachmentText.Status
        switch result.status {
        case .read: status = .read
        case .scanned: status = .scanned
        case .unreadable: status = .unreadable
        }
        guard result.status == .read, !result.text.isEmpty else {
            return AttachmentText(status: status, format: result.format.rawValue, problem: result.problem)
        }
        let text = EmailParser.normaliseNewlines(result.text)
        let range = append(text, segments: segmenter.segment(text)) { $0 == .newText ? .attachmentText : $0 }
        return AttachmentText(status: .read, format: result.format.rawValue, start: range.lowerBound, end: range.upperBound,
                              problem: result.problem)
    }

    /// The author of what a cover note hands over: the deepest forward, with an
    /// author who is a person (not an automated mailbox), inside the first one
    /// the sender forwarded.
    func forwardedAuthor(segmenter: TextSegmenter) -> Party? {
        guard let first = forwards.first else { return nil }
        let chain = forwards.filter { f in
            f.start >= first.start && f.end <= first.end && f.author.map { !segmenter.isAutomatedSender($0) } ?? false
        }
        return chain.max { $0.depth < $1.depth }?.author
    }
}
