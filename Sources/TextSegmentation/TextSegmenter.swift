import TriageCore

/// Splits a body of text into new text, quoted earlier messages, signature
/// and disclaimer.
///
/// FIRST VERSION: marks the whole text as new text. The segmentation work
/// replaces this with the real thing; callers keep this API.
public struct TextSegmenter: Sendable {
    public init() {}

    /// Segments `text` (already normalised to `\n` line ends).
    /// - Returns: ordered, non-overlapping segments covering the whole text.
    public func segment(_ text: String) -> [Segment] {
        let count = text.unicodeScalars.count
        return count == 0 ? [] : [Segment(kind: .newText, start: 0, end: count)]
    }

    /// Convenience: the ``Body`` for a text.
    public func body(for text: String) -> Body {
        Body(text: text, segments: segment(text))
    }
}
