import Testing
import TriageCore
@testable import TextSegmentation

@Suite("Signatures")
struct SignatureTests {
    @Test func sigDashStartsSignature() {
        let new = "The car was parked on the pavement again.\n\n"
        let sig = "-- \nSam Example\n07700 900123\n"
        expectSegments(new + sig, [(.newText, new), (.signature, sig)])
    }

    @Test func sigDashWithoutTrailingSpaceBeforeQuote() {
        let new = "No, thank you.\n\n"
        let sig = "--\nJo Example\nExample Residents Association\n\n"
        let quoted = "> Would you like a call back?\n"
        expectSegments(new + sig + quoted, [(.newText, new), (.signature, sig), (.quoted, quoted)])
    }

    @Test func signOffWithNameAndPhone() {
        let new = "Dear Commissioner,\n\nI would like to know how the new funding for rural crime will be spent.\n\n"
        let sig = "Kind regards,\n\nSam Example\nTel: 01632 960123\nsam@example.com\n"
        expectSegments(new + sig, [(.newText, new), (.signature, sig)])
    }

    @Test func signOffOnOneLineWithName() {
        let new = "Please send me the form.\n"
        let sig = "Regards, Pat Example\n"
        expectSegments(new + sig, [(.newText, new), (.signature, sig)])
    }

    @Test func signOffWithoutCommaFollowedByName() {
        let new = "That is fine by me.\n\n"
        let sig = "Thanks Robin\n"
        expectSegments(new + sig, [(.newText, new), (.signature, sig)])
    }

    @Test func yoursSincerelyAndFaithfully() {
        for signOff in ["Yours sincerely", "Yours faithfully", "Best wishes", "Many thanks", "Cheers"] {
            let new = "I am writing about the closure of the front counter.\n\n"
            let sig = "\(signOff)\n\nA. N. Example\n"
            expectSegments(new + sig, [(.newText, new), (.signature, sig)])
        }
    }

    @Test func signOffInTheMiddleIsNotASignature() {
        let t = """
        Dear OPCC,

        I reported a burglary last week.

        Regards

        The officer who came round then told me it was my own fault for leaving the window open, which I found upsetting.
        I would like this looked into by someone senior.

        Sam Example

        """
        expectSegments(t, [(.newText, t)])
    }

    @Test func thanksInASentenceIsNotASignOff() {
        let t = "I have attached the photos.\n\nThanks for your help.\n"
        expectSegments(t, [(.newText, t)])
    }

    @Test func signOffAloneIsNewText() {
        // A one-line message of thanks is the message, not a signature.
        let t = "Many thanks!\n"
        expectSegments(t, [(.newText, t)])
    }

    @Test func sentFromMyIPhone() {
        let new = "Please call me back on the number you have.\n\n"
        let sig = "Sent from my iPhone\n"
        expectSegments(new + sig, [(.newText, new), (.signature, sig)])
    }

    @Test func deviceSignatureBeforeQuote() {
        let new = "Ok, I will wait for the call.\n\n"
        let sig = "Get Outlook for Android\n\n"
        let quoted = "On Fri, 6 Nov 2026 at 09:00, OPCC <opcc@example.org> wrote:\n> We will call you on Monday.\n"
        expectSegments(new + sig + quoted, [(.newText, new), (.signature, sig), (.quoted, quoted)])
    }

    @Test func signOffThenDeviceLine() {
        let new = "See you then.\n\n"
        let sig = "Best regards\nKim Example\n\nSent from my Galaxy\n"
        expectSegments(new + sig, [(.newText, new), (.signature, sig)])
    }

    @Test func signatureWithProseAfterIsRejected() {
        let t = "Here is my report.\n\nCheers\nPS: I also want to say that the officer at the front desk was extremely rude to my elderly father.\n"
        expectSegments(t, [(.newText, t)])
    }
}

@Suite("Disclaimers")
struct DisclaimerTests {
    @Test func policeFooterAfterSignature() {
        let new = "Dear Ms Example,\n\nThank you for your email; I will look into this and reply by Friday.\n\n"
        let sig = "Kind regards\n\nPC 0000 Example\nNeighbourhood Policing Team\n\n"
        let disc = """
        ______________________________
        This email and any attachments are confidential and intended solely for the addressee. If you are not the intended recipient, please notify the sender and delete it. Cambridgeshire Constabulary: all communications may be monitored.

        Complaints about the police can be made to the Professional Standards Department.

        """
        expectSegments(new + sig + disc, [(.newText, new), (.signature, sig), (.disclaimer, disc)])
    }

    @Test func councilFooterWithAsterisksAndEnvironmentLine() {
        let new = "Hello,\n\nThe fly-tipping on Example Road has been cleared.\n\n"
        let sig = "Regards\nJo Sample\nStreet Scene Officer, Exampleshire County Council\n\n"
        let disc = "***************************\nThis e-mail is confidential and may contain privileged information. If you have received this e-mail in error please delete it. Exampleshire County Council does not accept liability for any viruses.\n\nPlease consider the environment before printing this email.\n"
        expectSegments(new + sig + disc, [(.newText, new), (.signature, sig), (.disclaimer, disc)])
    }

    @Test func nhsFooterWithoutRule() {
        let new = "Please find the discharge note attached.\n\n"
        let disc = "This message may contain confidential information. If you are not the intended recipient please inform the sender that you have received the message in error before deleting it.\nNHSmail is the secure email and collaboration service for the NHS.\n"
        expectSegments(new + disc, [(.newText, new), (.disclaimer, disc)])
    }

    @Test func multiParagraphDisclaimerIsOneSegment() {
        let new = "Thank you for your enquiry.\n\n"
        let disc = """
        --------------------------------------------------
        The information contained in this email is confidential.

        Any views or opinions expressed are those of the author.

        This message has been scanned for viruses.

        OFFICIAL

        """
        expectSegments(new + disc, [(.newText, new), (.disclaimer, disc)])
    }

    @Test func disclaimerInsideQuotedBlockStaysQuoted() {
        let new = "Thank you, that is helpful.\n\n"
        let quoted = "On Thu, 5 Nov 2026 at 15:30, Officer Example <officer@example.org> wrote:\n> We have recorded your report.\n> \n> This email and any attachments are confidential. If you are not the intended recipient please delete it.\n"
        expectSegments(new + quoted, [(.newText, new), (.quoted, quoted)])
    }

    @Test func disclaimerInsideOutlookQuoteStaysQuoted() {
        let new = "Noted, thanks.\n\n"
        let quoted = "-----Original Message-----\nFrom: Desk <desk@example.org>\nSent: 5 Nov 2026 10:00\nTo: me@example.com\nSubject: Report\n\nReport received.\n\nAll communications may be monitored. If you have received this email in error please notify the sender.\n"
        expectSegments(new + quoted, [(.newText, new), (.quoted, quoted)])
    }

    @Test func senderDisclaimerBeforeQuotedReply() {
        let new = "I am still unhappy with the response.\n\n"
        let disc = "If you have received this email in error, please delete it.\n\n"
        let quoted = "> Your complaint has been closed.\n"
        expectSegments(new + disc + quoted, [(.newText, new), (.disclaimer, disc), (.quoted, quoted)])
    }

    @Test func complaintWordOnlyInDisclaimer() {
        let t = "Thank you so much to the two officers who helped my son last night. They were kind and patient.\n\nAlex\n\nComplaints about the police can be made to the Professional Standards Department. All communications may be monitored.\n"
        let body = TextSegmenter().body(for: t)
        checkTiling(body)
        let newText = body.segments(.newText).map { body.text(of: $0) }.joined()
        let footer = body.segments(.disclaimer).map { body.text(of: $0) }.joined()
        #expect(!newText.lowercased().contains("complain"))
        #expect(footer == "Complaints about the police can be made to the Professional Standards Department. All communications may be monitored.\n")
    }

    @Test func firstPersonSentenceWithFooterPhraseStaysNewText() {
        let t = "The police sent me someone else's file and I think I received this email in error.\nI want to complain about this breach of my privacy.\n"
        expectSegments(t, [(.newText, t)])
    }

    @Test func footerPhraseFollowedByProseIsNotADisclaimer() {
        let t = """
        The information contained in this letter from the force is wrong.

        They say the officer attended at 10pm but nobody came at all that night, and when I rang again at midnight I was told to wait until morning.

        """
        expectSegments(t, [(.newText, t)])
    }

    @Test func protectiveMarkingAtEnd() {
        let new = "Your request has been passed to the FOI team.\n\n"
        let disc = "OFFICIAL\n"
        expectSegments(new + disc, [(.newText, new), (.disclaimer, disc)])
    }
}

@Suite("Signature and footer edges")
struct EdgeTests {
    @Test func longAddressSignature() {
        let new = "I would like a copy of the Police and Crime Plan posted to me.\n\n"
        let sig = "Kind regards\nAlex Example\nFlat 3\n12 Example Road\nExampletown\nEX1 2AB\nTel: 01632 960123\nMobile: 07700 900123\nalex@example.com\n"
        expectSegments(new + sig, [(.newText, new), (.signature, sig)])
    }

    @Test func sigDashFollowedByLongTextIsNotASignature() {
        var t = "Summary first.\n\n-- \n"
        for i in 1...25 { t += "Point \(i) about the night the officers came to the wrong address.\n" }
        expectSegments(t, [(.newText, t)])
    }

    @Test func footerWithLongParagraphBetweenFooterParagraphs() {
        let new = "We have passed your request to the right team.\n\n"
        let disc = """
        This email and any attachments are confidential.

        Example County Constabulary is committed to keeping people safe and to delivering an outstanding service to every community across the county, day and night, in partnership with local councils and charities.

        All communications may be monitored or recorded.

        """
        expectSegments(new + disc, [(.newText, new), (.disclaimer, disc)])
    }

    @Test func ruleAboveSignatureDoesNotPullSignatureIntoFooter() {
        let new = "Thank you for the update.\n\n"
        let sig = "Kind regards\nJo Example\n\n"
        let disc = "______________________________\nCounty Council\n\nThis email is confidential. If you are not the intended recipient please delete it.\n"
        expectSegments(new + sig + disc, [(.newText, new), (.signature, sig), (.disclaimer, disc)])
    }

    @Test func outlookFrenchHeaderBlock() {
        let new = "Voir ci-dessous.\n\n"
        let quoted = "De : Jean Exemple <jean@example.fr>\nEnvoyé : lundi 2 novembre 2026 10:15\nÀ : Marie Exemple <marie@example.fr>\nObjet : Plainte\n\nBonjour\n"
        expectSegments(new + quoted, [(.newText, new), (.quoted, quoted)])
    }

    @Test func germanOutlookHeaderBlock() {
        let new = "Siehe unten.\n\n"
        let quoted = "Von: Max Beispiel <max@example.de>\nGesendet: Montag, 2. November 2026 10:15\nAn: Erika Beispiel <erika@example.de>\nBetreff: Anzeige\n\nHallo\n"
        expectSegments(new + quoted, [(.newText, new), (.quoted, quoted)])
    }
}
