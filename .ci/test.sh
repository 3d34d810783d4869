#!/usr/bin/env bash
# Every test, against one build: install what is missing, build once (with
# the tests), run the Swift test suite (unit, format, corpus end to end, IMAP
# against a Dovecot on loopback), then the rule examples and the corpus eval
# through the command line.
set -euo pipefail
cd "$(dirname "$0")/.."
TRIAGE_WITH_DOVECOT=1 TRIAGE_WITH_CHROMIUM=1 TRIAGE_WITH_POSTGRES=1 bash .ci/setup.sh
export TRIAGE_SHARED="${TRIAGE_SHARED:-$(cd .. && pwd)/shared}"
if [ ! -d "$TRIAGE_SHARED/mime-corpus" ] || [ ! -d "$TRIAGE_SHARED/seeds" ]; then
  echo "test: the shared folder was not found at $TRIAGE_SHARED (it holds DESIGN.md, seeds/ and mime-corpus/," >&2
  echo "      beside the checkout as ../shared); set TRIAGE_SHARED=/path/to/shared and run again" >&2
  exit 2
fi

# Logs of this run, in a folder of its own (several checkouts may test at once).
logs="$(mktemp -d "${TMPDIR:-/tmp}/triage-test.XXXXXX")"
if ! swift build --build-tests > "$logs/build.txt" 2>&1; then
  grep -E "error" "$logs/build.txt" | head -40 >&2
  echo "test: the build failed (log: $logs/build.txt)" >&2
  exit 1
fi
grep -E "Build complete" "$logs/build.txt" || true
bin="$(swift build --show-bin-path)/triage"

# The IMAP tests use a throw-away Dovecot on 127.0.0.1 (started by the tests
# through .ci/dovecot.sh if not running); stop it when done.
bash .ci/dovecot.sh start >/dev/null
# The store's tests run on SQLite and on a private PostgreSQL cluster
# (initdb in a temporary folder, 127.0.0.1, a free port), stopped at the end.
eval "$(bash .ci/postgres.sh start)"
trap 'bash .ci/dovecot.sh stop >/dev/null 2>&1 || true; bash .ci/postgres.sh stop "$TRIAGE_PG_DIR" >/dev/null 2>&1 || true' EXIT

status=0
echo "== rules test"
"$bin" rules test || status=1
echo "== rules lint"
"$bin" rules lint || status=1
echo "== rules learn --check (the second reading's weights are what Corpus gives)"
"$bin" rules learn Corpus --check || status=1
echo "== eval Corpus"
"$bin" eval Corpus > "$logs/eval.txt" || status=1
sed -n '1,7p' "$logs/eval.txt"; tail -1 "$logs/eval.txt"
echo "== eval --variants Corpus"
"$bin" eval --variants Corpus > "$logs/variants.txt" 2>/dev/null || status=1
grep -v "^  - " "$logs/variants.txt" | tail -13
echo "== classifier time against item size (linear-time benchmark; a quadratic shape grows 4x per doubling)"
"$bin" bench --item-scaling --item-sizes 32,64,128,256 --runs 3 --max-growth "${TRIAGE_MAX_GROWTH:-3}" > "$logs/item-scaling.txt" 2>/dev/null || status=1
grep -E "^[a-z]|growth" "$logs/item-scaling.txt"
echo "== bench on a realistic archive (smoke: 200 messages, this debug build; the peers run when installed; full figures: README)"
if bash Benchmarks/build_archive.sh "$logs/bench-archive" 150 50 > "$logs/bench-archive.txt" 2>&1; then
  "$bin" bench --corpus "$logs/bench-archive/Maildir" --runs 1 --no-regex-baseline > "$logs/bench.txt" 2>/dev/null || status=1
  grep -E "^ratio|identical|peak memory" "$logs/bench.txt" || status=1
else
  tail -3 "$logs/bench-archive.txt"; status=1
fi
echo "== fuzz (short bounded run; the long run: bash .ci/fuzz.sh 50000)"
bash .ci/fuzz.sh "${TRIAGE_FUZZ_RUNS:-1000}" "$bin" || status=1
echo "== swift test"
set +e
swift test --skip-build > "$logs/swift-test.txt" 2>&1
rc=$?
set -e
grep -E "✘|recorded an issue|error:|Test run with|Executed [0-9]+ test" "$logs/swift-test.txt" | tail -40
[ $rc = 0 ] || status=1
echo "== reports in headless chromium"
TRIAGE_BIN="$bin" bash .ci/render-reports.sh || status=1
exit $status
