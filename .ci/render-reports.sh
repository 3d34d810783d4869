#!/usr/bin/env bash
# Renders both reports, made from the demo corpus, in a real headless browser
# (Debian's chromium) to PNG, and checks that every chart is on the rendered
# page (each chart's own bar colour, counted in the pixels) and in the DOM.
#
#   bash .ci/render-reports.sh                 # into a temporary folder (CI)
#   bash .ci/render-reports.sh --update-docs   # also writes docs/report-*.png (the README's pictures)
#
# Needs the built triage binary (swift build) and chromium (.ci/setup.sh with
# TRIAGE_WITH_CHROMIUM=1 installs it). Exit 1 when a chart is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${TRIAGE_BIN:-$(swift build --show-bin-path)/triage}"
test -x "$bin" || { echo "render-reports: build triage first (swift build)" >&2; exit 2; }
browser="$(command -v chromium || command -v chromium-browser || true)"
test -n "$browser" || { echo "render-reports: chromium is not installed (TRIAGE_WITH_CHROMIUM=1 bash .ci/setup.sh)" >&2; exit 2; }

work="$(mktemp -d /tmp/triage-render.XXXXXX)"
trap 'rm -rf "$work"' EXIT
db="$work/demo.sqlite"
export TRIAGE_RULES="$PWD/Rules"

# The demo store: the corpus, both forces, as .ci/demo.sh ingests it.
for force in cambridgeshire northamptonshire; do
  "$bin" ingest --db "$db" --force "$force" Corpus/${force}-* Corpus/history-${force}* >/dev/null 2>&1 || true
done

# Caseworker actions and one approved summary, as an office would make them:
# accept every fourth routed item, settle every needs_caseworker item by
# overriding it to what the corpus labels say is right, approve a summary.
"$bin" review list --db "$db" --all --format json > "$work/items.jsonl"
python3 - "$work/items.jsonl" "$work/actions.sh" <<'PY'
import json, sys
items = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
out = []
routed = [i for i in items if i["outcome"] == "routed"]
for i in routed[::4]:
    out.append(f'accept {i["id"]} --note "checked"')
for i in items:
    if i["outcome"] == "needs_caseworker":
        handler = "crt" if i["force"] == "cambridgeshire" else "psd"
        out.append(f'override {i["id"]} --outcome routed --handler {handler} --subject officer_or_staff --reason "read by a caseworker: an officer"')
pcc = [i for i in items if i["kind"] == "complaint" and i["force"] == "cambridgeshire"
       and (i["outcome"], i["handler"]) in (("routed", "police_and_crime_panel"), ("recorded", "opcc"))]
with open(sys.argv[2], "w") as f:
    for a in out:
        f.write(f'"$bin" review {a} --db "$db" --as "Demo Caseworker" >/dev/null\n')
    if pcc:
        f.write(f'"$bin" report summary {pcc[0]["id"]} --db "$db" --as "Demo Caseworker" '
                '--text "Complaint about the conduct of a senior figure at a public meeting; passed to the body that handles it." >/dev/null\n')
PY
bin="$bin" db="$db" bash -e "$work/actions.sh" || { echo "render-reports: a caseworker action failed" >&2; exit 1; }

# The demo corpus is dated autumn 2026: all of it, and its financial year.
read -r first last < <(python3 -c '
import json, sys
days = sorted(json.loads(l)["received"][:10] for l in open(sys.argv[1]) if l.strip() and json.loads(l).get("received"))
print(days[0], days[-1])' "$work/items.jsonl")
"$bin" report caseload --db "$db" --from "$first" --to "$last" --force cambridgeshire --output "$work/caseload.html" 2>/dev/null
"$bin" report transparency --db "$db" --year 2026-27 --force cambridgeshire --output "$work/transparency.html" 2>/dev/null

render() {  # page.html out.png height
  "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions \
    --force-device-scale-factor=1 --window-size="1000,$3" --screenshot="$2" "file://$1" >/dev/null 2>&1
  "$browser" --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions --dump-dom "file://$1" 2>/dev/null > "$1.dom"
}
# A window tall enough for the whole page (png_check.py fails if content reaches its last row).
rows() { grep -o '<tr>' "$1" | wc -l; }
render "$work/caseload.html" "$work/caseload-full.png" $((3000 + 40 * $(rows "$work/caseload.html")))
render "$work/transparency.html" "$work/transparency-full.png" $((900 + 110 * $(rows "$work/transparency.html")))

status=0
charts=$(grep -o 'data-chart="[a-z-]*"' "$work/caseload.html.dom" | sort -u | wc -l)
[ "$charts" -ge 8 ] || { echo "render-reports: the browser's DOM of the caseload page has $charts charts, want 8" >&2; status=1; }
grep -q 'data-chart="by-subject"' "$work/transparency.html.dom" || { echo "render-reports: no chart in the transparency page's DOM" >&2; status=1; }
grep -q 'Summary: Complaint about the conduct' "$work/transparency.html.dom" || { echo "render-reports: the approved summary is not on the transparency page" >&2; status=1; }
python3 .ci/png_check.py "$work/caseload-full.png" "$work/report-caseload.png" \
  weekly-email='#1f77b4' weekly-web-form='#ff7f0e' weekly-letter='#2ca02c' outcomes='#6f42c1' handlers='#17becf' \
  categories='#8c564b' review-window='#1a7f37:60' time-to-decision='#e377c2' override-rate='#b35900' history='#7f7f7f:60' || status=1
PNG_MAX_HEIGHT=1600 python3 .ci/png_check.py "$work/transparency-full.png" "$work/report-transparency.png" by-subject='#0969da' || status=1

if [ "${1:-}" = "--update-docs" ] && [ $status = 0 ]; then
  mkdir -p docs
  cp "$work/report-caseload.png" "$work/report-transparency.png" docs/
  echo "render-reports: docs/report-caseload.png and docs/report-transparency.png written"
fi
[ $status = 0 ] && echo "render-reports: both reports rendered in $("$browser" --version 2>/dev/null | head -1); every chart is on the page"
exit $status
