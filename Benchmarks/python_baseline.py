#!/usr/bin/env python3
"""The Python baseline of `triage bench`: Python 3's standard `email` parser
(policy default, every text part fully decoded, attachments decoded to count
their size) plus `re` patterns for the rules' phrases.

    python3 Benchmarks/python_baseline.py parse ARCHIVE
    python3 Benchmarks/python_baseline.py classify ARCHIVE PHRASES.json

ARCHIVE is an mbox file, a Maildir (new/ then cur/, each sorted) or a folder of
message files (sorted, recursive): the order `triage` reads them in.

PHRASES.json maps rule id -> regular expression (written by `triage bench`
from the compiled rules, words separated by \W+). Prints one JSON object: messages, bytes, seconds,
peak_rss_kb (VmHWM from /proc/self/status), errors, and for classify the
number of rule hits.
"""
import email
import email.policy
import json
import os
import re
import sys
import time

TAG = re.compile(r"<[^>]+>")


def peak_rss_kb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def messages(path):
    """Yields the raw bytes of each message of an archive (see the module's note)."""
    if os.path.isdir(path):
        yield from folder_messages(path)
    else:
        yield from mbox_messages(path)


def folder_messages(path):
    """Yields the bytes of each file of a Maildir or a folder."""
    if os.path.isdir(os.path.join(path, "cur")) or os.path.isdir(os.path.join(path, "new")):
        names = [os.path.join(path, sub, f) for sub in ("new", "cur") if os.path.isdir(os.path.join(path, sub))
                 for f in sorted(os.listdir(os.path.join(path, sub))) if not f.startswith(".")]
    else:
        names = []
        for root, dirs, files in os.walk(path):
            dirs.sort()
            names += [os.path.join(root, f) for f in sorted(files) if not f.startswith(".")]
    for name in names:
        with open(name, "rb") as f:
            yield f.read()


def mbox_messages(path):
    """Yields the raw bytes of each message of an mbox (split on 'From ' lines)."""
    current = []
    with open(path, "rb") as f:
        for line in f:
            if line.startswith(b"From "):
                if current:
                    yield b"".join(current)
                current = []
                continue
            if line.startswith(b">") and line.lstrip(b">").startswith(b"From "):
                line = line[1:]
            current.append(line)
    if current:
        yield b"".join(current)


def texts(raw):
    """Parses one message; returns its decoded texts (HTML stripped of tags)."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    out = [str(msg.get("subject", "") or ""), str(msg.get("from", "") or ""), str(msg.get("date", "") or "")]
    for part in msg.walk():
        if part.is_multipart():
            continue
        if part.get_content_maintype() == "text":
            try:
                text = part.get_content()
            except Exception:
                payload = part.get_payload(decode=True) or b""
                text = payload.decode("latin-1")
            if part.get_content_subtype() == "html":
                text = TAG.sub(" ", text)
            out.append(text)
        else:
            payload = part.get_payload(decode=True) or b""
            len(payload)
    return out


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("parse", "classify"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, path = sys.argv[1], sys.argv[2]
    patterns = []
    if mode == "classify":
        with open(sys.argv[3]) as f:
            patterns = [(rule, re.compile(rx)) for rule, rx in sorted(json.load(f).items())]
    count = size = errors = hits = 0
    start = time.perf_counter()
    for raw in messages(path):
        count += 1
        size += len(raw)
        try:
            parts = texts(raw)
        except Exception:
            errors += 1
            continue
        if patterns:
            text = "\n".join(parts)
            for _, rx in patterns:
                for _ in rx.finditer(text):
                    hits += 1
    seconds = time.perf_counter() - start
    print(json.dumps({"tool": "python", "mode": mode, "messages": count, "bytes": size, "seconds": seconds,
                      "peak_rss_kb": peak_rss_kb(), "errors": errors, "hits": hits}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
