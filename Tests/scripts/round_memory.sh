#!/usr/bin/env bash
# Does hearthd's memory stay flat over many clearing rounds? Starts a throwaway PostgreSQL and
# a real hearthd on it, seeds the South East demo market, then makes the daemon run ROUNDS
# rounds (default 1000) one after another and samples hearthd's VmRSS from /proc after each.
# Prints start (after the first round), peak and end RSS and the ratio end/start.
#
#   Tests/scripts/round_memory.sh [BIN_DIR]     # BIN_DIR: built programs (default: swift build's)
#   ROUNDS=200 OFFERS=60 BIDS=80 Tests/scripts/round_memory.sh   # the defaults: demo seed's market
#
# Each round is triggered the way a market change triggers it (NOTIFY hearth_market), so it
# goes through the daemon's own ClearingService and its 0.5 s debounce: about 0.6 s a round on
# the demo market, ~10 minutes for 1000 (a 1,200-bid market takes ~14 s a round in a debug
# build, since its sibling groups use the whole 10 s search budget). Too slow for CI. Proposals live 1 s (--proposal-ttl 1), so they lapse
# and every round solves most of the market again rather than an empty one.
set -euo pipefail
source "$(dirname "$0")/../../Deploy/lib/common.sh"
cd "$HEARTH_ROOT"

BIN_DIR=${1:-$(swift build --show-bin-path)}
ROUNDS=${ROUNDS:-1000}
OFFERS=${OFFERS:-60}
BIDS=${BIDS:-80}
require_built "$BIN_DIR" hearthd hearthctl

daemon_pid=
cleanup() {
    if [ -n "$daemon_pid" ]; then
        kill -TERM "$daemon_pid" 2>/dev/null || true
        wait "$daemon_pid" 2>/dev/null || true
    fi
    stop_throwaway_postgres
}
trap cleanup EXIT
start_throwaway_postgres
use_scratch_database hearth_round_memory
export HEARTH_PROPOSAL_TTL=1

"$BIN_DIR/hearthctl" migrate >/dev/null
"$BIN_DIR/hearthctl" demo seed --offers "$OFFERS" --bids "$BIDS" >/dev/null
# Paused, so only this script's notifications (not the daemon's own timer) start rounds.
"$BIN_DIR/hearthctl" pause >/dev/null
port=$(free_port)
log=$(mktemp /tmp/hearth-round-memory.XXXXXX.log)
"$BIN_DIR/hearthd" --port "$port" --log-level warning 2>"$log" &
daemon_pid=$!
wait_for_hearthd "$port" "$log"

sql() { psql "$HEARTH_DATABASE_URL" -XAtqc "$1"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$daemon_pid/status"; }
rounds_done() { sql "SELECT count(*) FROM rounds WHERE status = 'committed'"; }

# A paused daemon skips automatic rounds; resume, and from then on every NOTIFY is one round.
"$BIN_DIR/hearthctl" resume >/dev/null
first=$(rounds_done)
target=$((first + ROUNDS))
start_rss= peak_rss=0 end_rss= reported=0
started=$(date +%s)
done_now=$first
while [ "$done_now" -lt "$target" ]; do
    # Lapses and new proposals change bids, which notifies the daemon too; this makes sure a
    # round is always due. Several pending triggers collapse into one round.
    sql "NOTIFY hearth_market, 'round_memory'" >/dev/null
    previous=$done_now
    for _ in $(seq 1 600); do
        done_now=$(rounds_done)
        [ "$done_now" -gt "$previous" ] && break
        sleep 0.05
    done
    [ "$done_now" -gt "$previous" ] || { tail -20 "$log" >&2; die "no round finished within 30 s"; }
    rss=$(rss_kib)
    [ -n "$start_rss" ] || start_rss=$rss
    [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss
    end_rss=$rss
    if [ $(( (done_now - first) / 100 )) -gt "$reported" ]; then
        reported=$(( (done_now - first) / 100 ))
        say "round $((done_now - first)): VmRSS $((rss / 1024)) MiB"
    fi
done
elapsed=$(( $(date +%s) - started ))
summary=$(sql "SELECT count(*), round(avg(bids_considered)), round(avg(proposals)) FROM rounds WHERE status = 'committed'")
echo "rounds: $((done_now - first)) in ${elapsed} s (committed, average bids considered, average proposals: $summary)"
echo "hearthd VmRSS: start $((start_rss / 1024)) MiB, peak $((peak_rss / 1024)) MiB, end $((end_rss / 1024)) MiB"
awk -v s="$start_rss" -v e="$end_rss" 'BEGIN { printf "end/start: %.2f\n", e / s }'
