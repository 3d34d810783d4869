#!/usr/bin/env bash
# Installs what ComplaintTriage needs on a fresh Debian machine (only what is
# missing), then builds it once. Used by the README's two commands and by CI.
#   bash .ci/setup.sh            # libraries + debug build (with tests)
#   TRIAGE_WITH_DOVECOT=1 ...    # also the IMAP server the tests use
#   TRIAGE_WITH_CHROMIUM=1 ...   # also the headless browser that renders the reports
#   TRIAGE_WITH_POSTGRES=1 ...   # also PostgreSQL, for the store's tests on a server (.ci/postgres.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in libxml2-dev libcurl4-openssl-dev libstemmer-dev libpoppler-glib-dev pkg-config sqlite3; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ "${TRIAGE_WITH_DOVECOT:-0}" = 1 ]; then
  for pkg in dovecot-imapd openssl; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
fi
if [ "${TRIAGE_WITH_CHROMIUM:-0}" = 1 ]; then
  # Headless Chromium renders the reports to PNG (.ci/render-reports.sh); DejaVu is the pages' font.
  for pkg in chromium fonts-dejavu-core; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
fi
if [ "${TRIAGE_WITH_POSTGRES:-0}" = 1 ]; then
  # The server binaries (initdb, pg_ctl); .ci/postgres.sh runs a private cluster, not the system one.
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
fi
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # The Debian package starts a system-wide Dovecot; the tests run their own on loopback.
  if printf '%s\n' "${need[@]}" | grep -qx postgresql; then
    (systemctl stop postgresql 2>/dev/null || service postgresql stop 2>/dev/null) >/dev/null 2>&1 || true
  fi
  if printf '%s\n' "${need[@]}" | grep -q dovecot; then
    (systemctl stop dovecot 2>/dev/null || service dovecot stop 2>/dev/null \
      || { [ -f /run/dovecot/master.pid ] && kill "$(cat /run/dovecot/master.pid)"; }) 2>/dev/null || true
  fi
fi
command -v swift >/dev/null 2>&1 || { echo "setup: swift is not on PATH (Swift 6.1 or later is needed)" >&2; exit 2; }
