import Foundation
import TriageCore

/// The paragraph for the complainant, drafted from an item's effective
/// decision and its force profile: what happens next, who handles it and how
/// to reach them, the right of review and its window where it applies, with
/// the policy cited.
public enum ReviewLetter {
    /// Drafts the paragraph.
    /// - Parameters:
    ///   - item: the item, with its effective decision.
    ///   - profile: the force profile the decision was made under.
    /// - Returns: one paragraph of plain text.
    public static func paragraph(for item: ReviewItem, profile: ForceProfile) -> String {
        let d = item.decision
        let handler = profile.handlers[d.handler]
        let handlerName = handler?.name ?? d.handler.replacingOccurrences(of: "_", with: " ")
        let window = profile.reviewWindowDays
        var s: [String] = []

        var opening = "Thank you for your \(channelWord(item.correspondence.channel)) of \(longDate(item.receivedAt))"
        if let subject = item.correspondence.subject?.trimmingCharacters(in: .whitespacesAndNewlines), !subject.isEmpty {
            opening += " (“\(TerminalSafe.inline(subject))”)"
        }
        s.append(opening + ".")

        let handlerCite = citation(handler?.cites)
        switch (d.outcome, d.kind) {
        case (.needsCaseworker, _):
            s.append("A caseworker is considering it and will write to you shortly about how it will be handled.")
        case (.routed, .reviewRequest), (.recorded, .reviewRequest):
            s.append("We have read it as a request for a review of the outcome of your complaint. It will be dealt with by \(handlerName)\(handlerCite).")
            s.append("A review must be requested within \(window) days of the date of the letter that told you the outcome of your complaint (the days count from the day after that letter was sent)\(citation(reviewCites(profile))).")
            if d.flags.contains(.outOfTime) {
                s.append("Your request appears to have been made after that time; the review body will decide whether it can still be considered, so please tell them of any reason for the delay.")
            }
        case (.routed, _):
            s.append("We have read it as a complaint about \(subjectPhrase(d.subject)). " + under(handler?.cites, "Complaints of this kind are handled by \(handlerName); we have passed it to them, and they will contact you about what happens next."))
        case (.recorded, _):
            s.append("We have recorded it as a complaint about \(subjectPhrase(d.subject)). " + under(handler?.cites, "It will be handled by \(handlerName), who will contact you about what happens next."))
        case (.notRecorded, _):
            s.append(contentsOf: notRecorded(d, handlerName: handlerName, handlerCite: handlerCite, profile: profile))
        }

        if d.flags.contains(.needsWrittenPermission) {
            s.append("As you have written on behalf of someone else, we will need their written permission before the complaint can go further\(citation(profile.cites.contains("000") ? "000" : profile.cites)).")
        }
        if d.flags.contains(.mustBeInWriting) {
            s.append("A complaint about the Commissioner must be made in writing\(citation(profile.cites)).")
        }
        if let contact = handler?.contact, !contact.isEmpty, d.outcome != .needsCaseworker {
            s.append("You can reach \(handlerName) at: \(contact).")
        }
        if reviewRightApplies(d) {
            s.append("When your complaint has been dealt with you will be told the outcome and any right of review; if you are not satisfied with the outcome you may ask for a review within \(window) days of the date of the outcome letter, which will name the review body\(citation(reviewCites(profile))).")
        }
        return s.joined(separator: " ")
    }

    /// True when the decision leaves the complainant a right to ask for a
    /// review of the outcome: a police complaint handled under the Police
    /// Reform Act 2002 (not the Panel's own procedure, not an OPCC-internal
    /// complaint, not a review request itself).
    public static func reviewRightApplies(_ d: Decision) -> Bool {
        guard d.kind == .complaint, d.outcome == .routed || d.outcome == .recorded else { return false }
        return [.officerOrStaff, .chiefConstable, .chiefConstableDelegated, .force, .unknown].contains(d.subject)
    }

    static func notRecorded(_ d: Decision, handlerName: String, handlerCite: String, profile: ForceProfile) -> [String] {
        var s: [String] = []
        let reasons = Set(d.reasons)
        if reasons.contains(.notAComplaint) || d.kind != .complaint && d.kind != .reviewRequest {
            if d.subject == .notPolice {
                s.append("It is about a matter for another organisation rather than the police, so it has not been recorded as a police complaint; please raise it with that organisation directly.")
            } else if [.requestForService, .enquiry, .foiOrSar, .compliment].contains(d.kind) {
                s.append("We have read it as \(kindPhrase(d.kind)) rather than a complaint about the police, so it has not been recorded as a complaint. We have passed it to \(handlerName)\(handlerCite).")
            } else {
                s.append("Having read it, we do not consider it a complaint about the police, so it has not been recorded as one. We have passed it to \(handlerName)\(handlerCite).")
            }
            return s
        }
        if reasons.contains(.solelyReviewOutcome) {
            s.append("The outcome of a complaint review is final: a complaint solely about that outcome cannot be recorded or investigated, and the outcome can only be overturned by a Judicial Review, for which you may wish to seek your own legal advice\(citation("001 §6.3")).")
        }
        if reasons.contains(.differenceOfOpinion) {
            s.append("A complaint against the Commissioner or the Deputy Commissioner must be about their conduct, not a difference of opinion or a review they did not uphold, so it has not been recorded\(citation("001 §4.4")).")
        }
        if reasons.contains(.repetitious) {
            s.append("It raises substantially the same matter as an earlier complaint, with nothing new, so it has not been recorded again\(citation("001 §7.1")).")
        }
        if reasons.contains(.vexatious) {
            s.append("We consider it vexatious, oppressive or an abuse of the complaints procedure, so it has not been recorded\(citation("001 §7.1")).")
        }
        if reasons.contains(.anonymous) {
            s.append("A complaint about the Chief Constable cannot be made anonymously, so it has not been recorded\(citation(profile.id == "cambridgeshire" ? "000" : profile.cites)).")
        }
        if reasons.contains(.noStanding) {
            s.append("Serving police officers and staff cannot complain about colleagues in their own force as members of the public; the matter should be raised through the force's internal grievance procedure.")
        }
        if s.isEmpty {
            s.append("Having considered it, we have not recorded it as a complaint\(citation("001 §5.3")).")
        }
        return s
    }

    static func channelWord(_ c: Channel) -> String {
        switch c {
        case .email: return "email"
        case .webForm: return "online form"
        case .letter: return "letter"
        }
    }

    static func subjectPhrase(_ subject: SubjectRole) -> String {
        switch subject {
        case .officerOrStaff: return "a police officer or member of police staff"
        case .chiefConstable: return "the Chief Constable"
        case .chiefConstableDelegated: return "a decision the Chief Constable delegated"
        case .opccStaff: return "a member of staff or a volunteer of the Office of the Police and Crime Commissioner"
        case .opccChiefExecutive: return "the Chief Executive of the Office of the Police and Crime Commissioner"
        case .pcc: return "the Police and Crime Commissioner"
        case .dpcc: return "the Deputy Police and Crime Commissioner"
        case .notPolice: return "an organisation other than the police"
        case .force: return "the police force"
        case .unknown: return "the police"
        }
    }

    static func kindPhrase(_ kind: ItemKind) -> String {
        switch kind {
        case .requestForService: return "a report or a request for police help"
        case .enquiry: return "a general enquiry"
        case .foiOrSar: return "a Freedom of Information or subject access request"
        case .compliment: return "a compliment (thank you)"
        case .complaint, .reviewRequest, .other: return "correspondence"
        }
    }

    static func reviewCites(_ profile: ForceProfile) -> String {
        profile.handlers["review_body"]?.cites ?? profile.cites
    }

    /// The sentence, opened with the policy it rests on when one is citable:
    /// `Under the Complaints Policy Statement (§4.1, §5.4), complaints of …`.
    static func under(_ cites: String?, _ sentence: String) -> String {
        let named = citedDocuments(cites)
        guard !named.isEmpty, let first = sentence.first else { return sentence }
        return "Under " + named.joined(separator: " and ") + ", " + first.lowercased() + sentence.dropFirst()
    }

    /// `the Complaints Policy Statement (§4.1, §5.4)` for each document cited.
    static func citedDocuments(_ cites: String?) -> [String] {
        guard let cites else { return [] }
        var out: [String] = []
        for group in cites.split(separator: ";") {
            let g = group.trimmingCharacters(in: .whitespaces)
            let code = String(g.prefix(while: { $0.isNumber }))
            let rest = g.dropFirst(code.count).trimmingCharacters(in: .whitespaces)
            guard let name = documentNames[code] else { continue }
            out.append(rest.isEmpty ? name : "\(name) (\(rest))")
        }
        return out
    }

    static let documentNames = [
        "000": "our complaints web page",
        "001": "the Complaints Policy Statement",
        "002": "the Police and Crime Panel's guide to complaints",
        "003": "the Police and Crime Plan",
        "004": "the Commissioner's complaints web page",
    ]

    /// Turns `001 §4.1, §10.1; 002` into words a complainant can look up.
    static func citation(_ cites: String?) -> String {
        guard let cites, !cites.isEmpty else { return "" }
        var parts: [String] = []
        for group in cites.split(separator: ";") {
            let g = group.trimmingCharacters(in: .whitespaces)
            let code = String(g.prefix(while: { $0.isNumber }))
            let rest = g.dropFirst(code.count).trimmingCharacters(in: .whitespaces)
            guard let name = documentNames[code] else { continue }
            parts.append(rest.isEmpty ? name : "\(name), \(rest)")
        }
        return parts.isEmpty ? "" : " (see " + parts.joined(separator: "; ") + ")"
    }

    static func longDate(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_GB")
        f.timeZone = TimeZone(identifier: "Europe/London") ?? TimeZone(secondsFromGMT: 0)
        f.dateFormat = "d MMMM yyyy"
        return f.string(from: date)
    }
}
