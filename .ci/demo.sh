#!/usr/bin/env bash
# The main job on the embedded default: install what is missing, build, ingest
# the sample corpus into a SQLite file and print the decisions.
#   bash .ci/demo.sh [DB]        (default DB: triage.sqlite)
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh
echo "demo: building the release binary (the first build compiles every dependency: about 13 minutes on 2 quiet cores; later runs take seconds)" >&2
swift build -c release --product triage >&2
bin="$(swift build -c release --show-bin-path)/triage"
db="${1:-triage.sqlite}"
for force in cambridgeshire northamptonshire; do
  dirs=(Corpus/${force}-* Corpus/history-${force}*)
  "$bin" ingest --db "$db" --force "$force" "${dirs[@]}"
done
echo "demo: decisions stored in $db; try: $bin show --db $db ID · $bin history --db $db EMAIL · $bin audit verify --db $db" >&2
