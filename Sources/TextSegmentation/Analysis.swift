import TriageCore

/// The classification of one message's lines: the detectors (quotes and
/// forwards, disclaimers, signatures) are extensions of it, one per file.
struct Analysis {
    let lines: [TextSegmenter.Line]
    let compiled: CompiledVocabulary
    var vocabulary: SegmenterVocabulary { compiled.vocabulary }
    /// Normalised analysed prefix of each line, computed on first use.
    private var normCache: [String?]
    /// Lines longer than this are never markers, attributions, headers or sign-offs.
    static let maxMarkerLength = 400

    /// True when the item's subject marks a forward ("Fwd:", "FW:"), so that a
    /// header block or "Original Message" line opens a forward, not a reply.
    let subjectIsForward: Bool

    init(lines: [TextSegmenter.Line], compiled: CompiledVocabulary, subjectIsForward: Bool = false) {
        self.lines = lines
        self.compiled = compiled
        self.subjectIsForward = subjectIsForward
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

    mutating func classify(maxSignatureLines: Int, maxSigDashLines: Int, depth: Int, maxDepth: Int,
                           forwards: inout [ForwardedMessage]) -> [SegmentKind] {
        var kinds = Array(repeating: SegmentKind.newText, count: lines.count)
        let forwardAt = markQuotes(&kinds)
        let own = forwardAt ?? lines.count  // lines of this message (before a forward)
        // Stretches of unquoted lines (blank lines inside belong to the stretch).
        var regions: [Range<Int>] = []
        var i = 0
        while i < own {
            if kinds[i] == .quoted || lines[i].isBlank { i += 1; continue }
            var j = i
            var lastContent = i
            while j < own && kinds[j] != .quoted {
                if !lines[j].isBlank { lastContent = j }
                j += 1
            }
            regions.append(i..<(lastContent + 1))
            i = j
        }
        var newTextEnds: [Int] = [] // per region, the first line that is not new text
        // A footer follows a message: one that would start at the first line
        // of the text ("Under the Freedom of Information Act 2000 please
        // provide…") is the message itself.
        let firstContent = lines.firstIndex { !$0.isBlank } ?? 0
        for region in regions {
            var start = disclaimerStart(in: region) ?? region.upperBound
            if start <= firstContent { start = region.upperBound }
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
        if let f = forwardAt {
            markForward(from: f, &kinds, maxSignatureLines: maxSignatureLines, maxSigDashLines: maxSigDashLines,
                        depth: depth, maxDepth: maxDepth, forwards: &forwards)
        }
        return kinds
    }
}
