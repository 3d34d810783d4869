import TriageCore

/// Quoted replies: `>` lines, reply attributions, marker lines and header
/// blocks of earlier messages (and which of them open a forward instead).
extension Analysis {
    /// Marks quoted lines; returns the line where a forwarded message starts,
    /// if one does (the lines from there on are left for ``markForward``).
    mutating func markQuotes(_ kinds: inout [SegmentKind]) -> Int? {
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
                    return nil
                }
                i += used
                continue
            }
            if let marker = markerKind(i) {
                if marker == .forward || subjectIsForward { return i }
                markRestQuoted(from: i, &kinds)
                return nil
            }
            if isHeaderBlock(at: i) {
                if subjectIsForward { return i }
                markRestQuoted(from: i, &kinds)
                return nil
            }
            i += 1
        }
        return nil
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
        for a in vocabulary.attributions where n.hasPrefix(a.prefix) {
            if n.contains(a.verb) { return true }
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

    /// What a marker line announces: an earlier message in a reply, or a forward.
    enum MarkerKind { case reply, forward }

    /// "-----Original Message-----" (reply), "---------- Forwarded message
    /// ---------", "Begin forwarded message:" (forward).
    mutating func markerKind(_ i: Int) -> MarkerKind? {
        guard let core = markerCore(i) else { return nil }
        return compiled.isForwardMarker(core) ? .forward : .reply
    }

    /// The words of a marker line (normalised, without rules and a final
    /// colon), when line `i` is one.
    mutating func markerCore(_ i: Int) -> String? {
        guard let first = lines[i].first, lines[i].length <= 200 else { return nil }
        let ruled = Self.markerRuleChars.contains(first)
        guard ruled ? lines[i].hasLetter : lines[i].length <= 60 && compiled.plainMarkerInitials.contains(first) else {
            return nil
        }
        let n = norm(i)
        let plain = n.replacingStars()
        if vocabulary.plainMarkers.contains(plain) { return plain }
        guard ruled else { return nil }
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
        guard leadingRules >= 2, lo < hi else { return nil }
        var coreView = String.UnicodeScalarView()
        coreView.append(contentsOf: scalars[lo..<hi])
        var core = String(coreView)
        if core.hasSuffix(":") { core.removeLast() }
        if vocabulary.ruledMarkers.contains(core) { return core }
        return vocabulary.ruledMarkerPrefixes.contains { core.hasPrefix($0) } ? core : nil
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
                if role == .date && compiled.clientDateFieldNames.contains(headerFieldName(j)) { sawClientDate = true }
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
}
