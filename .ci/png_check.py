#!/usr/bin/env python3
"""Checks a PNG screenshot of a report for its charts, and crops it.

    png_check.py PAGE.png OUT.png NAME=#rrggbb[:MINPIXELS] ...

Reads an 8-bit, non-interlaced RGB or RGBA PNG (what headless Chromium
writes) with the standard library only, counts the pixels of exactly each
named colour (each chart fills its bars with its own colour), and fails
(exit 1) naming every chart whose colour covers fewer than MINPIXELS pixels
(default 150), or whose content reaches the window's last row (cut off).
Then writes OUT.png: the page with the blank space below the content cut off
(and no taller than $PNG_MAX_HEIGHT pixels, when set).
"""
import os
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG file")
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        raise SystemExit(f"{path}: no IHDR chunk")
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        raise SystemExit(f"{path}: only 8-bit non-interlaced RGB/RGBA is read (got depth {depth}, colour type {colour})")
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def write_png(path, width, bpp, rows):
    raw = b"".join(b"\x00" + r for r in rows)
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, len(rows), 8, 2 if bpp == 3 else 6, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main(argv):
    if len(argv) < 4:
        raise SystemExit(__doc__)
    page, out, specs = argv[1], argv[2], argv[3:]
    width, height, bpp, rows = read_png(page)
    wanted = {}
    for spec in specs:
        name, _, rest = spec.partition("=")
        colour, _, minimum = rest.partition(":")
        rgb = bytes.fromhex(colour.lstrip("#"))
        wanted[name] = (rgb, int(minimum or 150))
    counts = {name: 0 for name in wanted}
    by_colour = {}
    for name, (rgb, _) in wanted.items():
        by_colour.setdefault(rgb, []).append(name)
    last_content = 0
    for y, row in enumerate(rows):
        seen = {}
        for x in range(0, len(row), bpp):
            px = row[x:x + 3]
            if px != b"\xff\xff\xff":
                last_content = y
                if px in by_colour:
                    seen[px] = seen.get(px, 0) + 1
        for px, n in seen.items():
            for name in by_colour[px]:
                counts[name] += n
    missing = [f"{name} ({counts[name]} px of {'#' + rgb.hex()}, want {minimum})"
               for name, (rgb, minimum) in wanted.items() if counts[name] < minimum]
    keep = min(height, last_content + 24, int(os.environ.get("PNG_MAX_HEIGHT", "0")) or height)
    write_png(out, width, bpp, rows[:keep])
    print(f"{page}: {width}x{height}, content to row {last_content}; " + ", ".join(f"{n} {c} px" for n, c in counts.items()))
    if last_content >= height - 1:
        missing.append(f"the page is taller than the {height}-pixel window (content reaches its last row)")
    if missing:
        print(f"{page}: charts missing from the rendered page: " + "; ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
