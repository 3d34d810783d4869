#!/usr/bin/env python3
"""Writes the attached-letter items of Corpus/forwards-cambridgeshire (invented
people and firms, example.* addresses). Run once from this folder; the
outputs are committed."""
import os
from make_fixtures import text_pdf, scanned_pdf, docx, odt, with_attachment

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "Corpus", "forwards-cambridgeshire")

def mail(name, sender, subject, date, cover, filename, ctype, data):
    with open(os.path.join(OUT, name), "w") as f:
        f.write(with_attachment(subject, cover, filename, ctype, data, sender=sender, date=date))

mail("pdf-letter-under-cover-note.eml", "Stephen Arkwright <s.arkwright@example.com>", "Complaint",
     "Tue, 10 Nov 2026 12:00:00 +0000", "Please see attached letter.\n\nStephen", "complaint-letter.pdf", "application/pdf",
     text_pdf([
         "22 Mill Lane, March, PE15 9XX",
         "3 November 2026",
         "Dear Sir or Madam,",
         "I am writing to complain about PC 1187, who attended the noise complaint",
         "I made about the house next door on 25 October 2026. He swore at me on my",
         "own doorstep, refused to give me his collar number when I asked for it and",
         "said I was wasting his time. He did not speak to the neighbours at all.",
         "I am very unhappy with the way he behaved and I would like it looked into.",
         "Yours faithfully,",
         "Stephen Arkwright",
     ]))

mail("solicitor-docx-letter.eml", "Katherine Tolley <k.tolley@hollinswebb.example.co.uk>", "Our client Mr T Kowal - complaint",
     "Wed, 11 Nov 2026 09:30:00 +0000",
     "Dear Sir/Madam,\n\nPlease see the attached letter.\n\nKind regards,\nKatherine Tolley\nHollins & Webb Solicitors",
     "Kowal complaint letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     docx([
         "Hollins &amp; Webb Solicitors, 4 Market Hill, Cambridge CB2 3XX",
         "Our ref: HW/2291/KT",
         "4 November 2026",
         "Dear Commissioner,",
         "Our client: Mr Tomasz Kowal",
         "We act for Mr Kowal, who has signed a letter of authority for us to make this complaint on his behalf; a copy is enclosed.",
         "On 12 October 2026 our client reported a burglary at his shop on Mill Road. The officer in the case, DC 3390, did not visit the shop, did not collect the CCTV our client had kept for him and closed the investigation after four days without telling our client.",
         "Our client is dissatisfied with how the officer handled his report and asks that this complaint be recorded and dealt with.",
         "Yours faithfully,",
         "Katherine Tolley, Hollins &amp; Webb",
     ]))

mail("odt-letter-bike-theft-not-investigated.eml", "Ruth Ealing <ruth.ealing@example.org>", "letter",
     "Thu, 12 Nov 2026 18:20:00 +0000", "see attached", "letter to PCC.odt", "application/vnd.oasis.opendocument.text",
     odt([
         "8 Sedge Close, Chatteris",
         "5 November 2026",
         "To the Police and Crime Commissioner,",
         "I reported my bike stolen from outside the library on 1 October 2026 and gave the police the name of the man I saw taking it and the CCTV times. Nobody from the police has contacted me since, the crime was closed without anyone looking at the CCTV and I only found out from a text message.",
         "This is not good enough and I am very unhappy with how the police have handled it.",
         "Ruth Ealing",
     ]))

mail("scanned-letter-only.eml", "Albert Finchley <a.finchley@example.com>", "Letter", "Fri, 13 Nov 2026 10:10:00 +0000",
     "Please see my letter attached.", "scan0001.pdf", "application/pdf", scanned_pdf())
