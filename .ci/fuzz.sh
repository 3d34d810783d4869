#!/usr/bin/env bash
# Mutation fuzzing of every parser and the classifier (issue 13), through
# `triage fuzz`, supervised: a crash or a hang stops the process; this script
# saves the input in hand as a regression fixture under Tests/Fixtures/fuzz/
# (crashes, hangs) and goes on from the next input.
#
#   bash .ci/fuzz.sh [RUNS] [BINARY] [TARGET…]   RUNS per target (default 2000); targets: mime form letter classify
#   bash .ci/fuzz.sh 50000              the longer local run (about 15-30 minutes on 2 cores)
#
# Seeds: ../shared/mime-corpus (when present), Corpus/ and Tests/Fixtures/.
# Exits 1 when anything crashed, hung or was dropped silently.
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-2000}"
bin="${2:-$(swift build --show-bin-path 2>/dev/null)/triage}"
shift 2 2>/dev/null || shift $#
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(mime form letter classify)
shared="${TRIAGE_SHARED:-../shared}"
work="${TRIAGE_FUZZ_DIR:-/tmp/triage-fuzz}"
fixtures="Tests/Fixtures/fuzz"
mkdir -p "$work" "$fixtures"
status=0
declare -A seeds=(
  [mime]="$shared/mime-corpus Corpus Tests/Fixtures/mail Tests/Fixtures/cpython"
  [form]="Corpus Tests/Fixtures/forms"
  [letter]="Corpus Tests/Fixtures/letters"
  [classify]="Corpus"
)
for target in "${targets[@]}"; do
  start=0
  end=$runs
  while [ "$start" -lt "$end" ]; do
    dir="$work/$target"
    rm -rf "$dir"; mkdir -p "$dir"
    # shellcheck disable=SC2086
    "$bin" fuzz --target "$target" --runs $((end - start)) --start "$start" --seeds ${seeds[$target]} \
      --workdir "$dir" --slow-seconds "${TRIAGE_FUZZ_SLOW:-2}" --hang-seconds "${TRIAGE_FUZZ_HANG:-60}" \
      > "$dir/summary.json" 2> "$dir/stderr.txt"
    rc=$?
    cat "$dir/summary.json"
    for f in "$dir"/slow/*; do [ -e "$f" ] && cp "$f" "$fixtures/$(basename "$f")"; done
    if [ $rc -eq 0 ] || [ $rc -eq 3 ]; then
      [ $rc -eq 3 ] && { echo "fuzz $target: items dropped silently" >&2; status=1; }
      break
    fi
    idx=$(cat "$dir/current.idx" 2>/dev/null || echo "$start")
    kind=crash; [ $rc -eq 124 ] && kind=hang
    echo "fuzz $target: $kind at input $idx (exit $rc); saved as $fixtures/$kind-$target-$idx" >&2
    cp "$dir/current.bin" "$fixtures/$kind-$target-$idx.bin" 2>/dev/null || true
    tail -5 "$dir/stderr.txt" >&2
    status=1
    start=$((idx + 1))
  done
done
exit $status
