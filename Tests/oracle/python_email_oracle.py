#!/usr/bin/env python3
"""Reference oracle for the MailParsing differential test.

For each file path given, prints one JSON line with what Python 3's `email`
package (policy `email.policy.default`) makes of the message:

  file     the path as given
  subject  decoded Subject (str) or null
  from     [[display name, addr_spec], ...] from the From header
  to       [[display name, addr_spec], ...] from the To header(s)
  date     the Date header as UTC ISO 8601 ("2026-01-02T03:04:05Z"; a date
           without a zone is taken as UTC) or null when absent/unreadable
  parts    [[content type, filename or null], ...] for every leaf part in
           walk() order (parts that are not is_multipart())
  texts    decoded text of every text/* leaf part, in the same order, via
           get_content(); if that raises (unknown charset, ...) the payload
           bytes are decoded as UTF-8, else Windows-1252 (this fallback is
           the oracle's, documented here, not Python's)
  error    set instead of the fields above when Python cannot parse at all

Any field whose computation raises is null (and "errors" lists which).
"""
import datetime
import email
import email.policy
import json
import sys


def clean(s):
    if s is None:
        return None
    s = str(s)
    return s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def addresses(msg, name):
    out = []
    for header in msg.get_all(name) or []:
        for a in getattr(header, "addresses", ()):
            out.append([clean(a.display_name), clean(a.addr_spec)])
    return out


def fallback_text(part):
    data = part.get_payload(decode=True) or b""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def describe(path):
    with open(path, "rb") as f:
        raw = f.read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    result = {"file": path}
    errors = []

    try:
        s = msg["subject"]
        result["subject"] = None if s is None else clean(s)
    except Exception as e:  # noqa: BLE001
        result["subject"] = None
        errors.append("subject: %r" % e)
    for key, name in (("from", "from"), ("to", "to")):
        try:
            result[key] = addresses(msg, name)
        except Exception as e:  # noqa: BLE001
            result[key] = None
            errors.append("%s: %r" % (key, e))
    try:
        d = msg["date"]
        dt = getattr(d, "datetime", None) if d is not None else None
        if dt is None:
            result["date"] = None
        else:
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=datetime.timezone.utc)
            result["date"] = dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except Exception as e:  # noqa: BLE001
        result["date"] = None
        errors.append("date: %r" % e)

    parts, texts = [], []
    try:
        for part in msg.walk():
            if part.is_multipart():
                continue
            try:
                filename = part.get_filename()
            except Exception:  # noqa: BLE001
                filename = None
            ctype = part.get_content_type()
            parts.append([ctype, clean(filename)])
            if part.get_content_maintype() == "text":
                try:
                    texts.append(clean(part.get_content()))
                except Exception:  # noqa: BLE001
                    texts.append(clean(fallback_text(part)))
    except Exception as e:  # noqa: BLE001
        errors.append("parts: %r" % e)
    result["parts"] = parts
    result["texts"] = texts
    if errors:
        result["errors"] = errors
    return result


def main(paths):
    for path in paths:
        try:
            line = describe(path)
        except Exception as e:  # noqa: BLE001
            line = {"file": path, "error": repr(e)}
        sys.stdout.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
