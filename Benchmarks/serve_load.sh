#!/usr/bin/env bash
# Load figure for `triage serve`, on loopback only: wrk (Debian) against a
# release build, first GET /healthz (a static "ok": the cost of HTTP alone),
# then POST /forms/generic-fallback with a new JSON body each time (stored,
# fsynced and classified before the answer), in the same run.
#   bash Benchmarks/serve_load.sh [SECONDS] [CONNECTIONS]     (default 20 s, 16)
# Prints one line per route and the ratio; the store is a throw-away file.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
connections="${2:-16}"
if ! command -v wrk >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
# TRIAGE_BIN=path uses that binary (e.g. a debug build) instead of building a release one.
if [ -n "${TRIAGE_BIN:-}" ]; then
  bin="$TRIAGE_BIN"
else
  swift build -c release --product triage 2>&1 | grep -E "error|Compiling triage|Build" >&2 || true
  bin="$(swift build -c release --show-bin-path)/triage"
fi
work="$(mktemp -d /tmp/triage-serve-load.XXXXXX)"
"$bin" serve --db "$work/load.sqlite" --listen 127.0.0.1:0 --rate 1000000000 --burst 1000000000 2>"$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
port=""
for _ in $(seq 1 200); do
  port="$(grep -oE 'address=127\.0\.0\.1:[0-9]+' "$work/serve.log" | head -1 | cut -d: -f2 || true)"
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "serve did not start:" >&2; cat "$work/serve.log" >&2; exit 1; }

cat > "$work/post.lua" <<'LUA'
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
local n = 0
function request()
  n = n + 1
  local body = '{"message": "The officer at the front desk was rude and did nothing about my stolen bicycle. Load post '
    .. tid .. '-' .. n .. '.", "name": "Load Tester", "email": "load.' .. tid .. '.' .. n .. '@example.com"}'
  return wrk.format("POST", "/forms/generic-fallback",
    {["Content-Type"] = "application/json", ["Accept"] = "application/json"}, body)
end
LUA

run() { # label, url, extra args
  local label="$1" url="$2"; shift 2
  wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s --latency "$@" "$url" > "$work/$label.txt"
  local rps p99 non2xx
  rps="$(awk '/^Requests\/sec/ {print $2}' "$work/$label.txt")"
  p99="$(awk '$1 == "99%" {print $2}' "$work/$label.txt")"
  non2xx="$(awk '/Non-2xx/ {print $NF}' "$work/$label.txt")"
  echo "$label: ${rps} requests/s, p99 ${p99}, non-2xx ${non2xx:-0}"
}
echo "load: $bin; wrk -t2 -c$connections -d${seconds}s on 127.0.0.1, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
static_line="$(run healthz "http://127.0.0.1:$port/healthz")"
echo "$static_line"
post_line="$(run forms "http://127.0.0.1:$port/forms/generic-fallback" -s "$work/post.lua")"
echo "$post_line"
stored="$(sqlite3 "$work/load.sqlite" 'SELECT COUNT(*) FROM items' 2>/dev/null || echo '?')"
echo "items stored: $stored; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
a="$(echo "$static_line" | awk '{print $2}')"; b="$(echo "$post_line" | awk '{print $2}')"
awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "ratio: the static route answers %.1f times as many requests a second as the form intake\n", a / b }'
rm -rf "$work"
