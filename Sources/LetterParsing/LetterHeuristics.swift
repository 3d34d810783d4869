import Foundation
import MailText
import TriageCore

/// Finds the sender, date, recipient and subject in the plain text of a
/// letter laid out the usual British way: sender's address, date, the
/// addressee, "Dear …", a "Re:" line, the letter, "Yours sincerely" and the
/// sender's name.
enum LetterHeuristics {
    struct Result {
        var sender = Party()
        var recipients: [Party] = []
        var date: Date?
        var subject: String?
        var reference: String?
        var defects: [String] = []
    }

    static let genericTitles: Set<String> = ["untitled", "untitled document", "document", "letter", "new document", "page", "home"]
    static let signOffs = [
        "yours sincerely", "yours faithfully", "yours truly", "sincerely", "kind regards", "best regards",
        "warm regards", "regards", "best wishes", "many thanks", "with thanks", "thank you", "yours",
    ]
    static let genericSalutations: Set<String> = ["sir", "madam", "sir/madam", "sir or madam", "sir / madam", "madam/sir", "all", "sirs", "to whom it may concern"]

    static func isEmail(_ s: String) -> Bool {
        s.range(of: #"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"#, options: .regularExpression) != nil
    }

    static func email(in s: String) -> String? {
        s.range(of: #"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"#, options: .regularExpression).map { String(s[$0]) }
    }

    /// A phone number on its own (optionally labelled "Tel:", "Phone:", "Mobile:").
    static func phone(in s: String) -> String? {
        let stripped = s.replacingOccurrences(of: #"^(?i)(tel(ephone)?|phone|mobile|mob|t)\s*[:.]?\s*"#, with: "", options: .regularExpression)
        guard stripped.range(of: #"^\+?[0-9 ()\-]{9,20}$"#, options: .regularExpression) != nil else { return nil }
        return stripped.filter(\.isNumber).count >= 9 ? stripped.trimmingWhitespace() : nil
    }

    /// A UK postcode somewhere in the line.
    static func hasPostcode(_ s: String) -> Bool {
        s.range(of: #"\b[A-Z]{1,2}[0-9][0-9A-Z]?\s*[0-9][A-Z]{2}\b"#, options: .regularExpression) != nil
    }

    /// Looks like a person's name: short, letters, no digits or @.
    static func looksLikeName(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 60, !s.contains("@"), !s.contains(where: \.isNumber) else { return false }
        let words = s.split(separator: " ")
        return words.count <= 6 && s.contains(where: \.isLetter)
    }

    /// A line naming the police or the commissioner's office (an addressee, not a sender).
    static func isPoliceAddressLine(_ line: String) -> Bool {
        line.range(of: #"(?i)\b(police|constabulary|commissioner|opcc|pcc)\b"#, options: .regularExpression) != nil
    }

    static func isSignOff(_ line: String) -> Bool {
        let l = line.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ",.!; "))
        return signOffs.contains(l)
    }

    static func read(_ text: String) -> Result {
        var r = Result()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace() }

        // Date: the first line that is only a date, near the top.
        var dateIndex: Int? = nil
        for (i, line) in lines.prefix(25).enumerated() where !line.isEmpty {
            if let d = MailDates.ukDateLine(line) { r.date = d; dateIndex = i; break }
        }

        // Salutation.
        let dearIndex = lines.firstIndex { $0.range(of: #"^(?i)dear\s+\S"#, options: .regularExpression) != nil }
        if let dearIndex {
            let who = lines[dearIndex].dropFirst(4).trimmingCharacters(in: CharacterSet(charactersIn: ",;:!. ")).trimmingWhitespace()
            if !who.isEmpty, !genericSalutations.contains(who.lowercased()) {
                r.recipients.append(Party(name: who))
            }
        }

        // Subject and reference lines, before the salutation or just after it.
        let searchEnd = min(lines.count, (dearIndex ?? min(lines.count, 25)) + 3)
        for line in lines[0..<searchEnd] {
            if r.subject == nil, let m = line.range(of: #"^(?i)(re|subject)\s*:\s*"#, options: .regularExpression) {
                let s = String(line[m.upperBound...]).trimmingWhitespace()
                if !s.isEmpty { r.subject = s }
            }
            if r.reference == nil, let m = line.range(of: #"^(?i)(our |your )?(ref|reference)(\.|\s*no\.?)?\s*:\s*"#, options: .regularExpression) {
                let s = String(line[m.upperBound...]).trimmingWhitespace()
                if !s.isEmpty { r.reference = s }
            }
        }

        // Sender's block at the top: the short lines before the date line
        // (unless it is plainly the police's or the office's own address).
        var postal: [String] = []
        if let dateIndex, dateIndex > 0 {
            // The lines above the date may hold two blocks (sender, then addressee) separated
            // by a blank line: the sender's is the first that is not the police's or the office's.
            var blocks: [[String]] = [[]]
            for line in lines[0..<dateIndex] {
                if line.isEmpty { if !blocks[blocks.count - 1].isEmpty { blocks.append([]) } } else { blocks[blocks.count - 1].append(line) }
            }
            let candidates = blocks.filter { !$0.isEmpty }
            let whole = candidates.flatMap { $0 }
            let block: [String]? = !whole.contains(where: isPoliceAddressLine) ? whole
                : candidates.first { !$0.contains(where: isPoliceAddressLine) }
            if let block, block.count <= 8, block.allSatisfy({ $0.count <= 60 }) {
                for line in block {
                    if let e = email(in: line), r.sender.address == nil { r.sender.address = e; continue }
                    if let p = phone(in: line), r.sender.phone == nil { r.sender.phone = p; continue }
                    postal.append(line)
                }
                if candidates.count > 1, let first = postal.first, looksLikeName(first), r.sender.name == nil {
                    r.sender.name = first
                    postal.removeFirst()
                }
            }
        }

        // Addressee's block: the short lines between the date and "Dear …".
        if let dateIndex, let dearIndex, dearIndex > dateIndex + 1 {
            let block = lines[(dateIndex + 1)..<dearIndex].filter { line in
                !line.isEmpty && line.range(of: #"^(?i)(re|subject|(our |your )?ref(erence)?(\.|\s*no\.?)?)\s*:"#, options: .regularExpression) == nil
            }
            if !block.isEmpty, block.count <= 8, block.allSatisfy({ $0.count <= 80 }) {
                if r.recipients.isEmpty {
                    r.recipients.append(Party(name: block[0], postalAddress: block.count > 1 ? block.dropFirst().joined(separator: "\n") : nil))
                } else {
                    r.recipients[0].postalAddress = block.joined(separator: "\n")
                }
            }
        }

        // Sign-off and the name (and details) under it.
        if let signIndex = lines.lastIndex(where: isSignOff) {
            var i = signIndex + 1
            while i < lines.count, lines[i].isEmpty { i += 1 }
            if i < lines.count, looksLikeName(lines[i]) {
                r.sender.name = lines[i]
                i += 1
                var extra: [String] = []
                while i < lines.count, extra.count < 6, !lines[i].isEmpty {
                    let line = lines[i]
                    if let e = email(in: line) {
                        if r.sender.address == nil { r.sender.address = e }
                    } else if let p = phone(in: line) {
                        if r.sender.phone == nil { r.sender.phone = p }
                    } else {
                        extra.append(line)
                    }
                    i += 1
                }
                if postal.isEmpty, extra.contains(where: hasPostcode) { postal = extra }
            } else {
                r.defects.append("sign-off found but no name under it")
            }
        }
        if !postal.isEmpty { r.sender.postalAddress = postal.joined(separator: "\n") }
        return r
    }
}
