import Testing
import TriageCore
@testable import TextSegmentation

@Suite("Quoted earlier messages")
struct QuotedTests {
    @Test func plainNewTextIsOneSegment() {
        let t = "Dear Sir or Madam,\n\nAn officer was rude to me at the station on Monday.\nNobody came when I called 101 twice.\n"
        expectSegments(t, [(.newText, t)])
    }

    @Test func emptyTextHasNoSegments() {
        #expect(TextSegmenter().segment("").isEmpty)
    }

    @Test func blankOnlyTextIsNewText() {
        expectSegments("\n\n  \n", [(.newText, "\n\n  \n")])
    }

    @Test func gmailTopPostingReply() {
        let new = "The officer still has not called me back.\n\n"
        let quoted = "On Mon, 2 Nov 2026 at 09:14, OPCC Enquiries <enquiries@example.org> wrote:\n> Dear Ms Example,\n>\n> Thank you for your email.\n"
        expectSegments(new + quoted, [(.newText, new), (.quoted, quoted)])
    }

    @Test func gmailAttributionWrappedOverTwoLines() {
        let new = "I still have not heard back.\n\n"
        let quoted = "On Tue, 3 Nov 2026 at 16:40, Casework Team <\ncasework@example.org> wrote:\n\n> We will reply within 10 working days.\n"
        expectSegments(new + quoted, [(.newText, new), (.quoted, quoted)])
    }

    @Test func attributionWithoutQuoteMarksQuotesTheRest() {
        // HTML mail turned into text loses the ">" marks; a client attribution
        // (address, time of day) still starts the earlier message.
        let new = "Reply text here.\n\n"
        let quoted = "On Mon, 2 Nov 2026 at 10:15, Desk Officer <desk@example.org> wrote:\n\nPlease send us the crime number.\n\nRegards\nDesk\n"
        expectSegments(new + quoted, [(.newText, new), (.quoted, quoted)])
    }

    @Test func proseAttributionWithoutQuoteMarksStaysNewText() {
        // A sender reporting what an officer wrote is not a mail attribution.
        let t = "On 3 May PC Example wrote:\nYou will be contacted within 48 hours.\n\nI was never contacted and this is not good enough.\n"
        expectSegments(t, [(.newText, t)])
    }

    @Test func bareAttributionWithAddress() {
        let new = "Yes, that is right.\n\n"
        let quoted = "sam.sample@example.com wrote:\n> Is this the right address?\n"
        expectSegments(new + quoted, [(.newText, new), (.quoted, quoted)])
    }

    @Test func outlookHeaderBlockAfterUnderscoreRule() {
        let new = "Please see my reply below.\n\n"
        let sig = "Kind regards\nAlex Sample\n\n"
        let quoted = "________________________________\nFrom: Complaints Unit <complaints@example.org>\nSent: 04 November 2026 11:02\nTo: Alex Sample <alex@example.com>\nSubject: RE: Incident on 1 November\n\nDear Mr Sample,\nWe have logged your complaint.\n"
        expectSegments(new + sig + quoted, [(.newText, new), (.signature, sig), (.quoted, quoted)])
    }

    @Test func outlookOriginalMessageMarker() {
        let new = "The officer never called me back as promised.\n\n"
        let quoted = "-----Original Message-----\nFrom: PC Example <pc.example@example.org>\nSent: Monday, November 2, 2026 10:00 AM\nTo: sam@example.com\nSubject: Your report\n\nI will call you tomorrow.\n"
        expectSegments(new + quoted, [(.newText, new), (.quoted, quoted)])
    }

    @Test func outlookOriginalMessageWithSpaces() {
        let new = "See below.\n"
        let quoted = "----- Original Message -----\nFrom: someone@example.net\nTo: other@example.net\nSent: 1 Nov 2026\nSubject: hello\n\nbody\n"
        expectSegments(new + quoted, [(.newText, new), (.quoted, quoted)])
    }

    @Test func outlookBoldHeaderBlockWithoutRule() {
        let new = "I disagree with the outcome in the letter below.\n\n"
        let quoted = "*From:* Review Team <review@example.org>\n*Sent:* 10 November 2026 14:20\n*To:* Jo Example <jo@example.com>\n*Cc:* Casework <casework@example.org>\n*Subject:* Outcome of your review\n\nDear Jo,\nYour review has not been upheld.\n"
        expectSegments(new + quoted, [(.newText, new), (.quoted, quoted)])
    }

    @Test func headerBlockWithDateAndBlankLinesBetweenFields() {
        let new = "Forwarding as requested.\n\n"
        let quoted = "From: Dee Example <dee@example.com>\n\nDate: Wednesday, 4 November 2026 at 18:03\n\nTo: OPCC <opcc@example.org>\n\nSubject: Speeding on Example Lane\n\nCars race down here every night.\n"
        expectSegments(new + quoted, [(.newText, new), (.quoted, quoted)])
    }

    @Test func headerBlockWrappedRecipients() {
        let new = "Adding the panel.\n\n"
        let quoted = "From: Chris Example <chris@example.org>\nSent: 05 November 2026 09:00\nTo: One Person <one@example.org>; Two Person <two@example.org>;\n Three Person <three@example.org>\nSubject: Meeting\n\nAgenda attached.\n"
        expectSegments(new + quoted, [(.newText, new), (.quoted, quoted)])
    }

    @Test func fromLineInProseIsNotAHeaderBlock() {
        let t = "From: my house to the station is a ten minute walk.\nTo: be clear, nobody came for two hours.\n"
        expectSegments(t, [(.newText, t)])
    }

    @Test func gmailForwardWithNote() {
        let new = "Please look at the reply I got from the police. It is not good enough and I want it reviewed.\n\n"
        let quoted = "---------- Forwarded message ---------\nFrom: Force Contact <contact@example.org>\nDate: Thu, 5 Nov 2026 at 12:00\nSubject: Your report 12345\nTo: <sam@example.com>\n\nWe have closed your report.\n"
        expectSegments(new + quoted, [(.newText, new)] + forward(quoted))
    }

    @Test func thunderbirdForwardedMessageMarker() {
        let new = "For your information.\n\n"
        let quoted = "-------- Forwarded Message --------\nSubject: \tNoise\nDate: \tFri, 6 Nov 2026 08:00:00 +0000\nFrom: \tNeighbour <neighbour@example.net>\nTo: \tme@example.com\n\nIt was loud.\n"
        expectSegments(new + quoted, [(.newText, new)] + forward(quoted))
    }

    @Test func appleMailForwardWithNote() {
        let new = "Can someone explain why this was sent to me?\n\n"
        let quoted = "Begin forwarded message:\n\nFrom: Example Police <noreply@example.org>\nSubject: Case update\nDate: 6 November 2026 at 10:12:45 GMT\nTo: Pat Example <pat@example.com>\n\nYour case has been filed.\n"
        expectSegments(new + quoted, [(.newText, new)] + forward(quoted))
    }

    @Test func forwardWithoutNoteIsAllForwarded() {
        let t = "---------- Forwarded message ---------\nFrom: A <a@example.org>\nDate: Thu, 5 Nov 2026\nSubject: x\nTo: <b@example.org>\n\nbody\n"
        expectSegments(t, forward(t))
    }

    @Test func lotusForwardedBy() {
        let new = "See the message from my colleague.\n\n"
        let quoted = "----- Forwarded by Lee Example/Example Council on 06/11/2026 10:00 -----\n\nOriginal words.\n"
        expectSegments(new + quoted, [(.newText, new)] + forward(quoted))
    }

    @Test func inlineReplyKeepsAnswersAsNewText() {
        let t = """
        On Wed, 4 Nov 2026 at 10:00, Casework <casework@example.org> wrote:
        > Can you tell us the date of the incident?
        It was 2 November 2026, about 10pm.

        > Did you get the officer's collar number?
        No, he refused to give it.

        Thanks
        Sam

        """
        expectSegments(t, [
            (.quoted, "On Wed, 4 Nov 2026 at 10:00, Casework <casework@example.org> wrote:\n> Can you tell us the date of the incident?\n"),
            (.newText, "It was 2 November 2026, about 10pm.\n\n"),
            (.quoted, "> Did you get the officer's collar number?\n"),
            (.newText, "No, he refused to give it.\n\n"),
            (.signature, "Thanks\nSam\n"),
        ])
    }

    @Test func topPostingWithDeepQuote() {
        let new = "Still waiting for an answer.\n\n"
        let quoted = """
        On 5 Nov 2026, at 08:00, Sam <sam@example.com> wrote:

        > Any news?
        >
        >> On 4 Nov 2026, at 17:00, OPCC <opcc@example.org> wrote:
        >>
        >>> We are looking into it.
        >>>> Original complaint text.

        """
        expectSegments(new + quoted, [(.newText, new), (.quoted, quoted)])
    }

    @Test func quoteMarksWithoutSpace() {
        let t = "My answer.\n>quoted line\n>>deeper line\n> > spaced deeper\nMore answer.\n"
        expectSegments(t, [
            (.newText, "My answer.\n"),
            (.quoted, ">quoted line\n>>deeper line\n> > spaced deeper\n"),
            (.newText, "More answer.\n"),
        ])
    }

    @Test func onlyQuotes() {
        let t = "> one\n>> two\n>\n> three"
        expectSegments(t, [(.quoted, t)])
    }

    @Test func frenchAttribution() {
        let new = "Merci pour votre réponse.\n\n"
        let quoted = "Le lun. 2 nov. 2026 à 10:15, Jean Exemple <jean@example.fr> a écrit :\n> Bonjour\n"
        expectSegments(new + quoted, [(.newText, new), (.quoted, quoted)])
    }

    @Test func germanAttribution() {
        let new = "Danke.\n\n"
        let quoted = "Am 02.11.2026 um 10:15 schrieb Max Beispiel <max@example.de>:\n> Hallo\n"
        expectSegments(new + quoted, [(.newText, new), (.quoted, quoted)])
    }

    @Test func sigDashInsideQuoteIsQuoted() {
        let new = "Agreed.\n\n"
        let quoted = "> Let us meet on Friday.\n> -- \n> Officer Example\n"
        expectSegments(new + quoted, [(.newText, new), (.quoted, quoted)])
    }
}

@Suite("Quoted: guarding the sender's own words")
struct QuoteGuardTests {
    @Test func memoStyleLetterHeadIsNewText() {
        let t = "From: Sam Example, 4 Example Road, Exampletown\nTo: The Police and Crime Commissioner\nDate: 3 November 2026\nSubject: Complaint about the Chief Constable\n\nDear Commissioner,\nI wish to complain about remarks the Chief Constable made at a public meeting.\n"
        expectSegments(t, [(.newText, t)])
    }

    @Test func outlookForwardWithoutNoteIsQuoted() {
        let t = "From: Neighbour <neighbour@example.net>\nSent: 02 November 2026 21:40\nTo: Sam Example <sam@example.com>\nSubject: Last night\n\nDid you hear the shouting?\n"
        expectSegments(t, [(.quoted, t)])
    }

    @Test func ruleThenHeaderBlockAtStartIsQuoted() {
        let t = "________________________________\nFrom: Neighbour <neighbour@example.net>\nDate: 02 November 2026 21:40\nTo: Sam Example <sam@example.com>\nSubject: Last night\n\nDid you hear the shouting?\n"
        expectSegments(t, [(.quoted, t)])
    }

    @Test func thunderbirdAttributionWithoutAddress() {
        let new = "Thanks, I will wait.\n\n"
        let quoted = "On 03/11/2026 10:15, Casework Team wrote:\nWe will write to you next week.\n"
        expectSegments(new + quoted, [(.newText, new), (.quoted, quoted)])
    }

    @Test func proseAttributionWithTimeButNoYearStaysNewText() {
        let t = "On Tuesday at 10:15 the inspector wrote:\n\"We will not be investigating further.\"\n\nThis is outrageous and I want to complain about his attitude.\n"
        expectSegments(t, [(.newText, t)])
    }

    @Test func weakAttributionFollowedByQuoteMarksIsQuoted() {
        let new = "See my answers.\n\n"
        let quoted = "On Monday, Casework Team wrote:\n> Please confirm your address.\n"
        expectSegments(new + quoted, [(.newText, new), (.quoted, quoted)])
    }
}

@Suite("Only the new text counts")
struct NewTextOnlyTests {
    @Test func thankYouQuotingAnEarlierComplaint() {
        let t = "Thank you for sorting this out so quickly, I am very grateful.\n\nOn Mon, 9 Nov 2026 at 08:30, Sam Example <sam@example.com> wrote:\n> I want to complain about the officer who was rude to me on Saturday.\n> Nobody came when I called and this is not good enough.\n"
        #expect(!text(.newText, in: t).contains("complain"))
        #expect(text(.quoted, in: t).contains("I want to complain"))
    }

    @Test func complaintReplyingToAThankYouKeepsTheComplaint() {
        let t = "Actually, I am not satisfied. The officer never returned my property and I want to make a complaint.\n\nOn Mon, 9 Nov 2026 at 08:30, OPCC <opcc@example.org> wrote:\n> Thank you for your kind words about our officers.\n"
        #expect(text(.newText, in: t) == "Actually, I am not satisfied. The officer never returned my property and I want to make a complaint.\n\n")
    }
}

/// A forward block as segments: its header lines (up to and with the blank
/// line after the last "Field:" line) as `forward_header`, the rest `forwarded`.
func forward(_ block: String) -> [(SegmentKind, String)] {
    let lines = block.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var lastHeader = 0
    for (k, line) in lines.enumerated() where k < 12 && (line.contains(": ") || line.hasSuffix(":") || line.hasPrefix("---")) {
        lastHeader = k
    }
    var cut = lastHeader + 1
    while cut < lines.count && lines[cut].isEmpty { cut += 1 }
    let head = lines[..<cut].joined(separator: "\n") + "\n"
    let rest = lines[cut...].joined(separator: "\n")
    return rest.isEmpty ? [(.forwardHeader, head)] : [(.forwardHeader, head), (.forwarded, rest)]
}
