import TriageCore

/// Signatures: a `-- ` line, a client line ("Sent from my iPhone") or a sign-off
/// ("Kind regards") followed by a short block that is not prose.
extension Analysis {
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
        let bareWords = bare.split(separator: " ")
        guard bareWords.count >= 2 else { return nil }
        let rawWords = line.raw.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard rawWords.count == bareWords.count else { return nil }
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
