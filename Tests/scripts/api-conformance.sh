#!/usr/bin/env bash
# Starts the built hearthd on a fresh database (in the PostgreSQL named by
# HEARTH_TEST_DATABASE_URL), loads the demo members with hearthctl, and runs schemathesis.sh
# against it. Exits non-zero on any server error or contract violation.
#
#   Tests/scripts/api-conformance.sh BIN_DIR
set -euo pipefail
bin=${1:?usage: api-conformance.sh BIN_DIR}
: "${HEARTH_TEST_DATABASE_URL:?set HEARTH_TEST_DATABASE_URL (Deploy/test does)}"
here=$(cd "$(dirname "$0")" && pwd)

database="hearth_conformance_$$"
server_url=${HEARTH_TEST_DATABASE_URL%/*}
psql "$HEARTH_TEST_DATABASE_URL" -qAtc "CREATE DATABASE $database"
export HEARTH_DATABASE_URL="$server_url/$database"
work=$(mktemp -d)
cleanup() {
    [ -n "${daemon:-}" ] && kill -TERM "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
    psql "$HEARTH_TEST_DATABASE_URL" -qAtc "DROP DATABASE IF EXISTS $database WITH (FORCE)" || true
    rm -rf "$work"
}
trap cleanup EXIT

"$bin/hearthctl" migrate >/dev/null
key=$("$bin/hearthctl" demo seed | awk '$1 == "E10000016" && $2 == "placement" { print $3 }')
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin/hearthd" --port "$port" --log-level warning >"$work/hearthd.log" 2>&1 &
daemon=$!
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break
    sleep 0.2
done
HEARTH_URL="http://127.0.0.1:$port" HEARTH_KEY="$key" HEARTH_ST_TIMEOUT=600 "$here/schemathesis.sh" || {
    echo "hearthd log:" >&2
    tail -50 "$work/hearthd.log" >&2
    exit 1
}
