#!/usr/bin/env python3
"""The peers of `triage bench --corpus`: the tools people would use instead, run on
the same archive in the same run. Each prints one JSON sample (the shape of
BenchSample): tool, mode, jobs, messages, bytes, seconds, peak_rss_kb, errors.

    python3 Benchmarks/peers.py mu ARCHIVE_DIR [JOBS]       # mu index (maildir-utils: GMime + Xapian) into a fresh store
    python3 Benchmarks/peers.py rspamd ARCHIVE_DIR [JOBS]   # rspamadm mime extract -t, JOBS processes side by side

ARCHIVE_DIR is a Maildir (cur/, new/) or a folder of message files. mu indexes a
Maildir only. Exit codes: 0 measured; 2 bad usage; 3 the tool is not installed or
cannot read the archive (a line on standard error says why).

Peak memory is the largest resident set of the peer's processes (RUSAGE_CHILDREN),
seconds are wall time from start to the last process's exit.
"""
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time


def message_files(path):
    """The message files of a Maildir (new/ then cur/, sorted) or a folder (sorted, recursive)."""
    if os.path.isdir(os.path.join(path, "cur")) or os.path.isdir(os.path.join(path, "new")):
        out = []
        for sub in ("new", "cur"):
            d = os.path.join(path, sub)
            if os.path.isdir(d):
                out += [os.path.join(d, f) for f in sorted(os.listdir(d)) if not f.startswith(".")]
        return out
    out = []
    for root, dirs, files in os.walk(path):
        dirs.sort()
        out += [os.path.join(root, f) for f in sorted(files) if not f.startswith(".")]
    return out


def sample(tool, mode, jobs, files, seconds, errors):
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    return {"tool": tool, "mode": mode, "jobs": jobs, "messages": len(files),
            "bytes": sum(os.path.getsize(f) for f in files), "seconds": seconds,
            "peak_rss_kb": peak, "errors": errors}


def run_mu(path, jobs):
    mu = shutil.which("mu")
    if not mu:
        sys.exit("peers: mu is not installed (Debian: maildir-utils)")
    if not (os.path.isdir(os.path.join(path, "cur")) or os.path.isdir(os.path.join(path, "new"))):
        sys.exit("peers: mu indexes a Maildir only; %s has no cur/ or new/" % path)
    files = message_files(path)
    home = tempfile.mkdtemp(prefix="triage-bench-mu-")
    try:
        subprocess.run([mu, "init", "--maildir=" + os.path.abspath(path), "--muhome=" + home],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        start = time.perf_counter()
        done = subprocess.run([mu, "index", "--muhome=" + home, "--quiet"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit("peers: mu index exited %d" % done.returncode)
        # mu runs its own threads; it is one process whatever JOBS says.
        return sample("mu", "index", 1, files, seconds, 0)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def run_rspamd(path, jobs):
    rspamadm = shutil.which("rspamadm")
    if not rspamadm:
        sys.exit("peers: rspamadm is not installed (Debian: rspamd)")
    files = message_files(path)
    if not files:
        sys.exit("peers: no message files under %s" % path)
    # JOBS processes at once, each given batches of files (one start-up per batch, as xargs would).
    batch = 500
    batches = [files[i:i + batch] for i in range(0, len(files), batch)]
    pending = list(reversed(batches))
    running = []
    errors = 0
    start = time.perf_counter()
    while pending or running:
        while pending and len(running) < jobs:
            running.append(subprocess.Popen([rspamadm, "mime", "extract", "-t"] + pending.pop(),
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        proc = running.pop(0)
        if proc.wait() != 0:
            errors += 1
    seconds = time.perf_counter() - start
    return sample("rspamd", "extract", jobs, files, seconds, errors)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("mu", "rspamd"):
        print(__doc__, file=sys.stderr)
        return 2
    tool, path = sys.argv[1], sys.argv[2]
    jobs = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    if not os.path.isdir(path):
        print("peers: %s is not a folder (the peers read a Maildir or a folder of messages)" % path, file=sys.stderr)
        return 3
    try:
        result = run_mu(path, jobs) if tool == "mu" else run_rspamd(path, jobs)
    except SystemExit as e:
        print(e, file=sys.stderr)
        return 3
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
