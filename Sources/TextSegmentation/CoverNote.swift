import TriageCore

extension TextSegmenter {
    /// Longest new text, in words, that can be a cover note.
    public static let maxCoverNoteWords = 80

    /// True when the new text of `body` is empty or a cover note: at most
    /// ``maxCoverNoteWords`` words that hand over what follows ("my neighbour
    /// asked me to forward this", "Please see attached"), or at most 12 words of
    /// anything. Then what was forwarded or attached is what the item says.
    /// - Parameter body: a segmented body.
    /// - Returns: whether the sender's own words only cover what they send on.
    public func isCoverNote(_ body: Body) -> Bool {
        var words = 0
        var text = ""
        for segment in body.segments where segment.kind == .newText {
            let part = body.text(of: segment)
            words += part.split(whereSeparator: { $0.isWhitespace }).count
            if words > Self.maxCoverNoteWords { return false }
            text += " " + part
        }
        if words <= 12 { return true }
        return coverNoteMatches(normalise(text)) > 0
    }

    func coverNoteMatches(_ normalised: String) -> Int {
        compiledVocabulary.coverNoteMatcher.matches(in: Array(normalised.utf8), upTo: 1)
    }

    /// True when the party's address is an automated mailbox ("noreply@…",
    /// `automated_mailboxes` in `Rules/segmentation.yaml`): no person wrote
    /// what it sent, so it is never the author whose standing is judged.
    public func isAutomatedSender(_ party: Party) -> Bool {
        guard let address = party.address, let at = address.lastIndex(of: "@") else { return false }
        let mailbox = address[..<at].lowercased()
        return compiledVocabulary.vocabulary.automatedMailboxes.contains(mailbox)
    }
}
