import Foundation
import TriageCore

/// The words reports print for the contract's codes. The force profile
/// chooses the office's name, the Commissioner's title and the handlers' names.
public struct ReportWording: Sendable, Equatable {
    /// The office (the profile's `name`).
    public var office: String
    /// "Police and Crime Commissioner", or "Police, Fire and Crime Commissioner".
    public var commissioner: String
    /// Handler id → its name, with a leading "the" dropped and the first letter capitalised.
    public var handlers: [String: String]

    /// Wording from a force profile; nil gives neutral wording.
    public init(profile: ForceProfile?) {
        self.init(profiles: profile.map { [$0] } ?? [])
    }

    /// Wording for several force profiles reported together: the office is
    /// each one's name, and a handler takes its name from the first profile
    /// that has it.
    public init(profiles: [ForceProfile]) {
        office = profiles.isEmpty ? "Office of the Police and Crime Commissioner" : profiles.map(\.name).joined(separator: "; ")
        commissioner = profiles.count == 1 && office.contains("Fire and Crime Commissioner")
            ? "Police, Fire and Crime Commissioner" : "Police and Crime Commissioner"
        var names: [String: String] = [:]
        for p in profiles {
            for (id, h) in p.handlers where names[id] == nil { names[id] = Self.capitalised(h.name) }
        }
        handlers = names
    }

    /// The subject as the public reads it (never a person's name).
    public func subject(_ code: SubjectRole) -> String {
        switch code {
        case .pcc: return commissioner
        case .dpcc: return "Deputy " + commissioner
        case .opccStaff: return "OPCC staff member or volunteer"
        case .opccChiefExecutive: return "OPCC Chief Executive"
        case .chiefConstable: return "Chief Constable"
        case .chiefConstableDelegated: return "Chief Constable (a delegated decision)"
        case .officerOrStaff: return "Police officer or staff member"
        case .force: return "The force in general"
        case .notPolice: return "Not the police"
        case .unknown: return Self.words(code.rawValue)
        }
    }

    /// The handler's name from the profile, else its code in words.
    public func handler(_ code: String) -> String {
        if code == "caseworker" { return "An OPCC caseworker (being assessed)" }
        return handlers[code] ?? Self.capitalised(Self.words(code))
    }

    /// An outcome in words.
    public func outcome(_ code: Outcome) -> String {
        switch code {
        case .routed: return "Passed to the body that handles it"
        case .recorded: return "Recorded by the OPCC"
        case .notRecorded: return "Not recorded"
        case .needsCaseworker: return "Being assessed by a caseworker"
        }
    }

    /// Why a complaint was not recorded, in words.
    public func reason(_ code: NotRecordedReason) -> String {
        switch code {
        case .notAComplaint: return "not a complaint"
        case .anonymous: return "anonymous"
        case .repetitious: return "repetitious"
        case .vexatious: return "vexatious or abusive"
        case .solelyReviewOutcome: return "solely about the outcome of a review (final)"
        case .differenceOfOpinion: return "a difference of opinion"
        case .noStanding: return "the writer could not complain about this (no standing)"
        }
    }

    /// An IOPC complaint category in words.
    public func category(_ code: String) -> String {
        switch code {
        case "delivery_of_duties_and_service": return "Delivery of duties and service"
        case "police_powers_policies_and_procedures": return "Police powers, policies and procedures"
        case "handling_of_property": return "Handling of or damage to property/premises"
        case "access_or_disclosure_of_information": return "Access and/or disclosure of information"
        case "use_of_police_vehicles": return "Use of police vehicles"
        case "discriminatory_behaviour": return "Discriminatory behaviour"
        case "abuse_of_position_or_corruption": return "Abuse of position/corruption"
        case "individual_behaviours": return "Individual behaviours"
        case "sexual_conduct": return "Sexual conduct"
        case "discreditable_conduct": return "Discreditable conduct"
        default: return Self.capitalised(Self.words(code))
        }
    }

    /// A channel in words.
    public func channel(_ code: String) -> String {
        switch code {
        case "email": return "Email"
        case "web_form": return "Web form"
        case "letter": return "Letter"
        default: return Self.capitalised(Self.words(code))
        }
    }

    /// A kind of correspondence in words.
    public func kind(_ code: ItemKind) -> String {
        switch code {
        case .foiOrSar: return "FOI or subject access request"
        case .requestForService: return "Request for service or crime report"
        default: return Self.capitalised(Self.words(code.rawValue))
        }
    }

    /// A `YYYY-MM` month as "April 2025".
    public func month(_ yyyymm: String) -> String {
        let names = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        let parts = yyyymm.split(separator: "-")
        guard parts.count == 2, let m = Int(parts[1]), (1...12).contains(m) else { return yyyymm }
        return "\(names[m - 1]) \(parts[0])"
    }

    static func words(_ code: String) -> String { code.replacingOccurrences(of: "_", with: " ") }

    static func capitalised(_ s: String) -> String {
        var t = s.trimmingCharacters(in: .whitespaces)
        if t.lowercased().hasPrefix("the ") { t = String(t.dropFirst(4)) }
        guard let f = t.first else { return t }
        return f.uppercased() + t.dropFirst()
    }
}
