#!/usr/bin/env bash
# Does a clearing round hold up the API? Starts a throwaway PostgreSQL and a real hearthd on it,
# seeds the demo market (OFFERS offers, BIDS bids), and loads GET /health and GET /v1/bids with
# wrk for DURATION seconds each, twice: with clearing paused (no round runs), then with rounds
# one after another (proposals live 1 s, so every round solves most of the market again, and the
# script notifies the daemon every 0.2 s). Prints requests/s, p50, p99 and the slowest request of
# each load, the rounds that ran and how long they took, and the ratio of p99 with rounds to p99
# without.
#
#   Tests/scripts/round_latency.sh [BIN_DIR]     # BIN_DIR: built programs (default: swift build's)
#   OFFERS=2000 BIDS=2000 DURATION=10 CLIENTS=4 Tests/scripts/round_latency.sh   # the defaults
#
# Use release builds (swift build -c release): a debug solve is many times slower.
set -euo pipefail
source "$(dirname "$0")/../../Deploy/lib/common.sh"
cd "$HEARTH_ROOT"

BIN_DIR=${1:-$(swift build --show-bin-path)}
OFFERS=${OFFERS:-2000}
BIDS=${BIDS:-2000}
DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-4}
require_built "$BIN_DIR" hearthd hearthctl
for tool in wrk psql; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install wrk postgresql-client)"
done

daemon_pid=
notifier_pid=
work=$(mktemp -d /tmp/hearth-round-latency.XXXXXX)
cleanup() {
    [ -z "$notifier_pid" ] || kill "$notifier_pid" 2>/dev/null || true
    if [ -n "$daemon_pid" ]; then
        kill -TERM "$daemon_pid" 2>/dev/null || true
        wait "$daemon_pid" 2>/dev/null || true
    fi
    stop_throwaway_postgres
    [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
start_throwaway_postgres
use_scratch_database hearth_round_latency
export HEARTH_PROPOSAL_TTL=1

"$BIN_DIR/hearthctl" migrate >/dev/null
"$BIN_DIR/hearthctl" demo seed --offers "$OFFERS" --bids "$BIDS" >"$work/seed.txt"
key=$(awk '$1 == "E10000016" && $2 == "placement" && $3 ~ /^hk_/ { print $3; exit }' "$work/seed.txt")
[ -n "$key" ] || die "demo seed printed no placement key for Kent"
"$BIN_DIR/hearthctl" pause >/dev/null
port=$(free_port)
"$BIN_DIR/hearthd" --port "$port" --log-level warning 2>"$work/hearthd.log" &
daemon_pid=$!
wait_for_hearthd "$port" "$work/hearthd.log"

sql() { psql "$HEARTH_DATABASE_URL" -XAtqc "$1"; }
cat >"$work/report.lua" <<'LUA'
local key = os.getenv("HEARTH_KEY")
request = function()
    return wrk.format("GET", nil, {["Authorization"] = "Bearer " .. key})
end
done = function(summary, latency, requests)
    io.write(string.format("RESULT %.1f %.2f %.2f %.2f %d\n", summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
        summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA

# load NAME LABEL PATH: one wrk load; prints its line of the table and keeps its p99 in $work/NAME.
load() {
    local line
    HEARTH_KEY=$key wrk -t 2 -c "$CLIENTS" -d "${DURATION}s" --timeout 10s -s "$work/report.lua" \
        "http://127.0.0.1:$port$3" >"$work/wrk-$1.txt" 2>&1 || true
    line=$(grep '^RESULT' "$work/wrk-$1.txt") || { cat "$work/wrk-$1.txt" >&2; die "wrk $1 printed no result"; }
    read -r _ rate p50 p99 slowest errors <<<"$line"
    echo "$p99" >"$work/$1"
    printf '| %-34s | %8s | %7s | %7s | %8s | %6s |\n' "$2" "$rate" "$p50" "$p99" "$slowest" "$errors"
}
rounds_done() { sql "SELECT count(*) FROM rounds WHERE status = 'committed'"; }

echo "round latency — $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $OFFERS offers, $BIDS bids, $CLIENTS clients, ${DURATION} s per load"
echo
printf '| %-34s | %8s | %7s | %7s | %8s | %6s |\n' load "req/s" "p50 ms" "p99 ms" "max ms" errors
echo "|------------------------------------|----------|---------|---------|----------|--------|"
load health-paused "GET /health, clearing paused" /health
load bids-paused "GET /v1/bids, clearing paused" /v1/bids

"$BIN_DIR/hearthctl" resume >/dev/null
before=$(rounds_done)
sql "NOTIFY hearth_market, 'round_latency'" >/dev/null
for _ in $(seq 1 600); do
    [ "$(rounds_done)" -gt "$before" ] && break
    sleep 0.1
done
[ "$(rounds_done)" -gt "$before" ] || { tail -20 "$work/hearthd.log" >&2; die "no round finished within 60 s"; }
(while true; do sql "NOTIFY hearth_market, 'round_latency'" >/dev/null; sleep 0.2; done) &
notifier_pid=$!
first=$(sql "SELECT coalesce(max(id), 0) FROM rounds")
started=$(date +%s.%N)
load health-rounds "GET /health, rounds running" /health
load bids-rounds "GET /v1/bids, rounds running" /v1/bids
kill "$notifier_pid" 2>/dev/null || true
notifier_pid=
echo
rounds=$(sql "SELECT count(*), round(avg(solver_ms)), max(solver_ms), round(avg(bids_considered)) FROM rounds WHERE status = 'committed' AND id > $first")
read -r count mean_solver max_solver considered <<<"$(tr '|' ' ' <<<"$rounds")"
echo "rounds while loaded: $count in $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }') s; solver mean $mean_solver ms, slowest $max_solver ms; $considered bids considered on average"
for pair in "health:GET /health" "bids:GET /v1/bids"; do
    awk -v n="${pair#*:}" -v a="$(cat "$work/${pair%%:*}-paused")" -v b="$(cat "$work/${pair%%:*}-rounds")" \
        'BEGIN { printf "%s p99, rounds running ÷ paused: %.2f\n", n, b / a }'
done
