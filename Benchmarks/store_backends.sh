#!/usr/bin/env bash
# Items per second ingested by two `triage poll --once` processes at once on
# one Maildir, into one store: an SQLite file, then a PostgreSQL database on
# a private cluster on 127.0.0.1 (.ci/postgres.sh), on the same machine.
# Bounded: N invented messages per run (default 300), one run per store.
#   bash Benchmarks/store_backends.sh [N]
#   TRIAGE_BIN=path ... uses that binary (default: the release build, built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-300}"
if [ -n "${TRIAGE_BIN:-}" ]; then
  bin="$TRIAGE_BIN"
else
  swift build -c release --product triage 2>&1 | grep -E "error|Build" >&2 || true
  bin="$(swift build -c release --show-bin-path)/triage"
fi
work="$(mktemp -d /tmp/triage-store-bench.XXXXXX)"
eval "$(bash .ci/postgres.sh start)"
trap 'bash .ci/postgres.sh stop "$TRIAGE_PG_DIR" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
export TRIAGE_RULES="$PWD/Rules"

maildir() {  # DIR: N invented complaints in DIR/new
  mkdir -p "$1/new" "$1/cur" "$1/tmp"
  python3 - "$1" "$n" <<'PY'
import sys
d, n = sys.argv[1], int(sys.argv[2])
who = ["PC 1204", "PCSO 3310", "Sgt 0456", "DC 2231", "the call handler"]
what = ["was rude to me and laughed", "never called me back about my burglary", "parked across my drive and swore at me",
        "did nothing when I reported the threats", "refused to take my statement"]
for i in range(n):
    body = (f'From: "Writer {i}" <writer{i % 37}@example.org>\r\nTo: enquiries@opcc.example.org\r\nSubject: Message {i}\r\n'
            f'Date: Mon, 02 Nov 2026 {8 + i % 10:02d}:{i % 60:02d}:00 +0000\r\nMessage-ID: <bench-{i}@example.org>\r\n'
            f'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello,\r\n\r\n'
            f'On {1 + i % 28} October {who[i % 5]} {what[(i // 5) % 5]}. This is message {i}.\r\n\r\nWriter {i}\r\n')
    open(f"{d}/new/{1700000000 + i}.M{i}P9.bench", "w").write(body)
PY
}

run() {  # NAME DB
  local dir="$work/$1"
  maildir "$dir/Maildir"
  "$bin" db migrate --db "$2" >/dev/null
  local start end
  start=$(date +%s.%N)
  "$bin" poll --maildir "$dir/Maildir" --once --db "$2" >/dev/null 2>"$dir/p1.log" &
  local p1=$!
  "$bin" poll --maildir "$dir/Maildir" --once --db "$2" >/dev/null 2>"$dir/p2.log" &
  local p2=$!
  wait $p1; wait $p2
  end=$(date +%s.%N)
  local items
  items=$("$bin" review list --db "$2" --all --format json | grep -c '"id"')
  "$bin" audit verify --db "$2" >/dev/null || { echo "$1: the audit chain does not verify" >&2; exit 1; }
  python3 -c "import sys; n,s,e,items=int(sys.argv[1]),float(sys.argv[2]),float(sys.argv[3]),int(sys.argv[4]); \
print(f'{sys.argv[5]:<11} {n} messages, two pollers: {e-s:.1f} s, {n/(e-s):.1f} items/s; {items} items stored, audit chain verifies')" \
    "$n" "$start" "$end" "$items" "$1"
  [ "$items" = "$n" ] || { echo "$1: $items items stored, want $n" >&2; exit 1; }
}

run sqlite "$work/store.sqlite"
db="$(python3 -c 'import sys,urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/bench")))' "$TRIAGE_TEST_POSTGRES_URL")"
psql "$TRIAGE_TEST_POSTGRES_URL" -qc "CREATE DATABASE bench" >/dev/null
run postgresql "$db"
