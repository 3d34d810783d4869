#!/usr/bin/env bash
# Builds the realistic bench archive for `triage bench --corpus`, deterministically:
# ../shared/bench/build_archive.py (the third-party messages of ../shared/mime-corpus and
# CPython's email test messages, replicated, plus generated mail in 25 charsets with
# attachments and forwards), with a fixed BENCH_T0 so the bytes are the same every time.
#
#   bash Benchmarks/build_archive.sh OUT [N_REPLICATED=3500] [N_GENERATED=1500]
#   triage bench --corpus OUT/Maildir
#
# OUT gets Maildir/, bench.mbox, sample200/, sample200.mbox and manifest.tsv.
# Exit codes: 0 built; 2 usage; 3 the script or python3 is missing.
set -euo pipefail
if [ $# -lt 1 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
  [ $# -ge 1 ] && exit 0 || exit 2
fi
out="$1"; shift
here="$(cd "$(dirname "$0")/.." && pwd)"
shared="${TRIAGE_SHARED:-$here/../shared}"
script="$shared/bench/build_archive.py"
[ -f "$script" ] || { echo "build_archive: $script not found (set TRIAGE_SHARED)" >&2; exit 3; }
command -v python3 >/dev/null 2>&1 || { echo "build_archive: python3 not found" >&2; exit 3; }
if [ -d "$out/Maildir" ]; then
  echo "build_archive: $out/Maildir exists; remove $out to build it again" >&2
  exit 0
fi
BENCH_OUT="$out" BENCH_T0="${BENCH_T0:-1764000000}" python3 "$script" "$@"
