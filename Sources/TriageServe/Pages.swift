import Foundation
import TriageCore

/// The pages and JSON answers a person or program that posts a form sees.
/// Pages carry no personal data: only the reference and the force's own text.
enum Pages {
    /// The reference a person is given: the first 12 hex digits of the item's
    /// id, which `triage show` and `triage review` accept as they are.
    static func reference(_ itemID: String) -> String { String(itemID.prefix(12)) }

    /// The thank-you page: the reference, and what happens next from the force profile.
    static func thanks(reference: String, profile: ForceProfile) -> String {
        func handler(route: String) -> Handler? { profile.routes[route].flatMap { profile.handlers[$0] } }
        var next: [String] = []
        var routed = "\(escape(profile.name)) reads every message it receives. A complaint is recorded, or passed to the body that must deal with it"
        var examples: [String] = []
        if let h = handler(route: "officer_or_staff") { examples.append("\(escape(h.name)) for a police officer or member of police staff") }
        if let h = handler(route: "pcc_conduct") { examples.append("\(escape(h.name)) for the Police and Crime Commissioner") }
        if !examples.isEmpty { routed += " (for example " + examples.joined(separator: ", or ") + ")" }
        next.append(routed + ", and you will be told who is dealing with it.")
        next.append("If you are asking for a review of the outcome of a complaint, it must reach us within \(profile.reviewWindowDays) days of the date of the outcome letter.")
        if let h = handler(route: "request_for_service") {
            next.append("This form is not for emergencies or reporting a crime: contact \(escape(h.contact)).")
        }
        if let h = handler(route: "enquiry") {
            next.append("To ask about your message, contact \(escape(h.contact)) and quote your reference.")
        }
        let items = next.map { "  <li>\($0)</li>" }.joined(separator: "\n")
        return page(title: "Thank you: your message has been received", body: """
            <h1>Thank you: your message has been received</h1>
            <p>Your reference is <strong class="reference">\(escape(reference))</strong>. Please keep it.</p>
            <h2>What happens next</h2>
            <ul>
            \(items)
            </ul>
            """)
    }

    /// The page for a refused post: what is wrong and whether the post was kept.
    static func refused(status: Int, problem: String, kept: Bool) -> String {
        let keptText = kept
            ? "What you sent has been kept for our staff to look at, but it has not been received as a message. Please correct it and send it again, or contact us another way."
            : "Please try again in a little while."
        return page(title: "Your form could not be accepted", body: """
            <h1>Your form could not be accepted</h1>
            <p>\(escape(problem.prefix(1).uppercased() + problem.dropFirst())).</p>
            <p>\(keptText)</p>
            <p class="status">(HTTP \(status))</p>
            """)
    }

    /// A JSON object as one line (keys sorted), with a line end.
    static func json(_ fields: [String: String]) -> String {
        ((try? StableJSON.line(fields)) ?? "{}") + "\n"
    }

    private static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title></head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    /// HTML-escapes text.
    static func escape<S: StringProtocol>(_ text: S) -> String {
        String(text).replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}
