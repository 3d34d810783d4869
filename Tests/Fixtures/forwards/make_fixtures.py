#!/usr/bin/env python3
"""Writes the forward and attachment fixtures (invented people, example.* addresses).

Run once from this folder; the outputs are committed. PDFs are written by hand
(one Helvetica text page, or one image-only page); the encrypted PDF is made
from the text PDF with qpdf (Debian `qpdf`), when it is installed.
"""
import base64, io, os, subprocess, zipfile, zlib

HERE = os.path.dirname(os.path.abspath(__file__))

def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))

# ---------- PDFs ----------

def pdf(objects):
    """objects: list of bytes bodies for objects 1..n; returns a PDF with a correct xref."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for o in offsets:
        out.write(b"%010d 00000 n \n" % o)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()

def text_pdf(lines):
    ops = [b"BT /F1 11 Tf 72 770 Td 14 TL"]
    for line in lines:
        esc = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")
        ops.append(b"(" + esc + b") Tj T*")
    ops.append(b"ET")
    stream = b"\n".join(ops)
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])

def scanned_pdf():
    # A 16x16 grey image drawn over the page: no text layer at all.
    pixels = bytes((x * 13 + y * 7) % 256 for y in range(16) for x in range(16))
    stream = b"q 400 0 0 500 100 150 cm /Im1 Do Q"
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width 16 /Height 16 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n" % len(pixels) + pixels + b"\nendstream",
    ])

def looping_pdf():
    # The page tree's Kids point back at the tree itself, and the trailer's
    # /Prev points at its own xref: a reader that follows blindly never stops.
    body = pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 2 >>",
    ])
    xref = body.rindex(b"startxref\n") + len(b"startxref\n")
    start = int(body[xref:body.index(b"\n", xref)])
    return body.replace(b"trailer\n<< /Size 4 /Root 1 0 R >>", b"trailer\n<< /Size 4 /Root 1 0 R /Prev %d >>" % start)

LETTER = [
    "14 Orchard Row, Ely, CB7 4XX",
    "2 November 2026",
    "Dear Commissioner,",
    "I wish to complain about PC 4471, who attended my home on 28 October 2026",
    "after my car was broken into. He was rude and dismissive, refused to take",
    "a statement and told me it was a waste of police time.",
    "I am not satisfied with how this was handled and want it looked into.",
    "Yours sincerely,",
    "Margaret Example",
]

if __name__ == "__main__":
  write("letter.pdf", text_pdf(LETTER))

# ---------- DOCX / ODT ----------

def docx(paragraphs, document_xml=None):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        if document_xml is None:
            ps = "".join('<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>' % p for p in paragraphs)
            document_xml = '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>%s<w:sectPr/></w:body></w:document>' % ps
        z.writestr("word/document.xml", document_xml)
    return buf.getvalue()

def odt(paragraphs):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        ps = "".join("<text:p>%s</text:p>" % p for p in paragraphs)
        z.writestr("content.xml", '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>%s</office:text></office:body></office:document-content>' % ps, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def bomb(lie):
    """A DOCX whose document.xml inflates to 200 MB. With lie=True the ZIP
    directory claims 2,000 bytes, so only a limit on the inflated bytes stops it."""
    buf = io.BytesIO()
    head = '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
    size = 200 * 1024 * 1024
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = comp.compress(head.encode())
    chunk = b"A" * (1024 * 1024)
    for _ in range(size // len(chunk)):
        data += comp.compress(chunk)
    data += comp.flush()
    total = len(head) + size
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    # Append a hand-made entry for word/document.xml (zipfile would inflate it to check).
    raw = buf.getvalue()
    cd_start = raw.rindex(b"PK\x01\x02")
    eocd = raw.rindex(b"PK\x05\x06")
    local_part = raw[:cd_start]
    cd_part = raw[cd_start:eocd]
    import struct
    name = b"word/document.xml"
    crc = 0  # wrong on purpose: a reader must stop on size before it could check
    claimed = 2000 if lie else total
    local = struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, 0, 8, 0, 0, crc, len(data), claimed, len(name), 0) + name + data
    offset = len(local_part)
    cd = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 20, 20, 0, 8, 0, 0, crc, len(data), claimed, len(name), 0, 0, 0, 0, 0, offset) + name
    new_cd = cd_part + cd
    eocd_rec = struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 2, 2, len(new_cd), offset + len(local), 0)
    return local_part + local + new_cd + eocd_rec


# ---------- Emails ----------

def b64(data):
    s = base64.b64encode(data).decode()
    return "\n".join(s[i:i + 76] for i in range(0, len(s), 76))

def with_attachment(subject, cover, filename, ctype, data, sender="Tom Neighbour <tom.neighbour@example.net>",
                    date="Tue, 3 Nov 2026 09:12:00 +0000"):
    return f"""From: {sender}
To: complaints@cambs-pcc.example.org
Subject: {subject}
Date: {date}
Message-ID: <{filename.replace(" ", "-")}.fixture@example.net>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

{cover}

--b1
Content-Type: {ctype}; name="{filename}"
Content-Disposition: attachment; filename="{filename}"
Content-Transfer-Encoding: base64

{b64(data)}
--b1--
"""

def main():
    write("letter.pdf", text_pdf(LETTER))
    write("scanned.pdf", scanned_pdf())
    write("looping.pdf", looping_pdf())
    try:
        subprocess.run(["qpdf", "--encrypt", "user-secret", "owner-secret", "256", "--",
                        os.path.join(HERE, "letter.pdf"), os.path.join(HERE, "encrypted.pdf")], check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print("qpdf not available; encrypted.pdf not rewritten:", e)
    write("letter.docx", docx(LETTER))
    write("letter.odt", odt(LETTER))
    write("bomb.docx", bomb(lie=False))
    write("bomb-lying.docx", bomb(lie=True))
    COVER = "Please see the attached letter.\n\nThanks,\nMargaret"
    for name, ctype in [("letter.pdf", "application/pdf"), ("scanned.pdf", "application/pdf"),
                        ("encrypted.pdf", "application/pdf"), ("looping.pdf", "application/pdf"),
                        ("letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                        ("letter.odt", "application/vnd.oasis.opendocument.text"),
                        ("bomb.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                        ("bomb-lying.docx", "application/octet-stream")]:
        path = os.path.join(HERE, name)
        if not os.path.exists(path):
            continue
        data = open(path, "rb").read()
        write("attached-" + name.replace(".", "-") + ".eml",
              with_attachment("Complaint letter", COVER, name, ctype, data,
                              sender="Margaret Example <margaret.example@example.com>"))


if __name__ == "__main__":
    main()
