#!/usr/bin/env bash
# A private, throw-away PostgreSQL cluster for the store's tests: initdb in a
# temporary folder, listening on 127.0.0.1 only, on a free port, with a
# password (scram-sha-256) for the user `triage`.
#
#   eval "$(bash .ci/postgres.sh start)"   # exports TRIAGE_TEST_POSTGRES_URL, PGPASSWORD, TRIAGE_PG_DIR
#   bash .ci/postgres.sh stop "$TRIAGE_PG_DIR"
#
# Needs PostgreSQL's server binaries (Debian: postgresql; .ci/setup.sh with
# TRIAGE_WITH_POSTGRES=1 installs them). As root, the server runs as the
# `postgres` user (initdb refuses root).
set -euo pipefail

bindir=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bindir="$d"; done
[ -n "$bindir" ] || { command -v initdb >/dev/null 2>&1 && bindir="$(dirname "$(command -v initdb)")"; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
  [ -n "$bindir" ] || { echo "postgres.sh: PostgreSQL is not installed (Debian: apt-get install postgresql)" >&2; exit 2; }
  dir="$(mktemp -d "${TMPDIR:-/tmp}/triage-pg.XXXXXX")"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
  printf '%s\n' "$password" > "$dir/pwfile"
  chmod 700 "$dir"; chmod 600 "$dir/pwfile"
  [ "$(id -u)" = 0 ] && chown -R postgres "$dir"
  as_owner "$bindir/initdb" -D "$dir/data" -U triage --pwfile="$dir/pwfile" --auth=scram-sha-256 \
    --no-locale -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=100 -c fsync=on" start >/dev/null \
    || { tail -20 "$dir/server.log" >&2; exit 1; }
  echo "export TRIAGE_TEST_POSTGRES_URL=postgres://triage@127.0.0.1:$port/postgres?sslmode=disable"
  echo "export PGPASSWORD=$password"
  echo "export TRIAGE_PG_DIR=$dir"
  ;;
stop)
  dir="${2:-${TRIAGE_PG_DIR:-}}"
  [ -n "$dir" ] && [ -d "$dir/data" ] || { echo "postgres.sh: no cluster folder given" >&2; exit 2; }
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  echo "stopped"
  ;;
*)
  echo "usage: $0 start | stop DIR" >&2
  exit 64
  ;;
esac
