#!/usr/bin/env bash
# The API throughput benchmark (Docs/performance.md, "API throughput"): hearthd against what
# PostgreSQL itself sustains on the same server, in one run, on a throwaway cluster with
# fsync=on.
#
#   Tests/scripts/api_bench.sh [BIN_DIR]      # BIN_DIR: release programs (default: swift build -c release's)
#   DURATION=10 CLIENTS=16 Tests/scripts/api_bench.sh     # the defaults
#
# Settings (environment): DURATION seconds per load (10), CLIENTS for pgbench and the 16-client
# wrk loads (16), MEMORY_CLIENTS (64), OFFERS in the market (50000), OPEN_BIDS (20000),
# PROPOSALS seeded for accept (20000), POOL_SIZE (hearthd --pool-size, 10), CLEARING=on to let
# hearthd clear while loaded (default: paused, so the loads measure the API alone),
# PROFILE=post_bids|offers|accept to record hearthd with `perf record -g` during that load and
# print the top of `perf report` (self time, by symbol and by library; PROFILE_KEEP=FILE also keeps
# the recording for `perf report -i FILE`). BASELINE_BIN_DIR: another build's
# programs (say, the commit before a change); its hearthd runs beside this one on the same
# database and gets the POST /v1/bids and GET /v1/offers loads too, each right after this
# one's, so that CPU µs per request before and after come from the same run.
#
# It runs, back to back on the same server:
#   1. pgbench, one bid-shaped row per transaction (a copy of `bids` without triggers or RLS);
#      both pgbench loads use prepared statements (-M prepared), as hearthd does;
#   2. pgbench replaying exactly the statements hearthd issues for one `POST /v1/bids`,
#      captured from the server's log (log_statement=all, jsonlog) during one request after a
#      warm-up request; the captured statements are printed; then pgbench running the market
#      search statement hearthd issued (in a Sussex key's scope, as hearth_daemon);
#   3. wrk against hearthd: POST /v1/bids (unique child_ref and Idempotency-Key per request),
#      GET /v1/offers?near=…&within_km=…, POST /v1/proposals/{id}/accept, and POST /v1/bids
#      again at MEMORY_CLIENTS clients;
# then prints requests/s, p50/p99, the ratios, hearthd's CPU µs per request (utime+stime from
# /proc/PID/stat before and after each load), its RSS after each load and its peak (VmHWM), and
# the correctness checks: every acknowledged bid stored exactly once, no 5xx; and the offers
# load's searches timed in the database alone (Tests/scripts/search_mix_explain.py).
set -euo pipefail
source "$(dirname "$0")/../../Deploy/lib/common.sh"
cd "$HEARTH_ROOT"

BIN_DIR=${1:-$(swift build -c release --show-bin-path)}
DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-16}
MEMORY_CLIENTS=${MEMORY_CLIENTS:-64}
OFFERS=${OFFERS:-50000}
OPEN_BIDS=${OPEN_BIDS:-20000}
PROPOSALS=${PROPOSALS:-20000}
POOL_SIZE=${POOL_SIZE:-10}
CLEARING=${CLEARING:-paused}
BASELINE_BIN_DIR=${BASELINE_BIN_DIR:-}
require_built "$BIN_DIR" hearthd hearthctl
[ -z "$BASELINE_BIN_DIR" ] || [ -x "$BASELINE_BIN_DIR/hearthd" ] || die "$BASELINE_BIN_DIR/hearthd is not built"
for tool in wrk pgbench psql python3; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install wrk postgresql-client python3)"
done

work=$(mktemp -d /tmp/hearth-api-bench.XXXXXX)
daemon_pid=
baseline_pid=
pg_dir=
pg_as=()
bindir=$(postgres_bindir)
cleanup() {
    for pid in $daemon_pid $baseline_pid; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ -n "$pg_dir" ]; then
        "${pg_as[@]}" "$bindir/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$pg_dir"
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# A throwaway cluster like Deploy/lib/common.sh's, but durable (fsync=on, the default) and
# logging JSON so that one request's statements can be read back exactly.
pg_dir=$(mktemp -d /var/tmp/hearth-bench-pg.XXXXXX)
if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$pg_dir"
    chmod 0755 "$pg_dir"
    pg_as=(runuser -u postgres --)
fi
"${pg_as[@]}" "$bindir/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$pg_dir/initdb.log" 2>&1 \
    || { cat "$pg_dir/initdb.log" >&2; die "initdb failed"; }
pg_port=$(free_port)
"${pg_as[@]}" "$bindir/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t 60 \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=300 -c logging_collector=on -c log_destination=stderr,jsonlog -c log_directory=$pg_dir/log -c log_filename=pg" \
    start >/dev/null || { cat "$pg_dir/postgres.log" >&2; die "PostgreSQL did not start"; }
"$bindir/pg_isready" -h 127.0.0.1 -p "$pg_port" -t 30 >/dev/null || die "PostgreSQL does not answer"
admin_url="postgresql://postgres@127.0.0.1:$pg_port/hearth_bench"
psql "postgresql://postgres@127.0.0.1:$pg_port/postgres" -qc "CREATE DATABASE hearth_bench" >/dev/null
sql() { psql "$admin_url" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }

export HEARTH_DATABASE_URL=$admin_url HEARTH_LOG_LEVEL=warning
"$BIN_DIR/hearthctl" migrate >/dev/null
"$BIN_DIR/hearthctl" authority add --code E10000016 --name Kent --lat 51.19 --lon 0.73 >/dev/null
"$BIN_DIR/hearthctl" authority add --code E10000011 --name "East Sussex" --lat 50.91 --lon 0.26 >/dev/null
key_kent=$("$BIN_DIR/hearthctl" key issue --authority E10000016 --role placement | tail -1)
key_sussex=$("$BIN_DIR/hearthctl" key issue --authority E10000011 --role placement | tail -1)
[ "$CLEARING" = on ] || "$BIN_DIR/hearthctl" pause >/dev/null

say "seeding $OFFERS offers, $OPEN_BIDS open bids and $PROPOSALS proposals"
sql "
INSERT INTO offers (authority, setting, capacity, needs_supported, age_min, age_max, sexes_accepted, lat, lon, available_from, weekly_rate_pence)
SELECT CASE WHEN i % 2 = 0 THEN 'E10000016' ELSE 'E10000011' END,
       (ARRAY['foster', 'childrens_home', 'secure_childrens_home', 'supported_accommodation'])[1 + i % 4], 1 + i % 3,
       CASE WHEN i % 3 = 0 THEN ARRAY['autism'] WHEN i % 3 = 1 THEN ARRAY['emotional_behavioural', 'self_harm'] ELSE '{}' END,
       0, 17, ARRAY['female', 'male'], round((50.5 + random() * 4.5)::numeric, 2), round((-3.5 + random() * 5)::numeric, 2),
       current_date, 60000 + (i % 50) * 1000
FROM generate_series(1, $OFFERS) AS i;
INSERT INTO beds (offer_id, bed_no) SELECT id, generate_series(1, capacity) FROM offers;
INSERT INTO bids (authority, child_ref, age, sex, needs, settings_acceptable, home_lat, home_lon, max_distance_km, urgency, needed_by)
SELECT 'E10000016', 'open-' || i, i % 18, 'male', ARRAY['deprivation_of_liberty'], ARRAY['secure_childrens_home'],
       round((50.5 + random() * 4.5)::numeric, 2), round((-3.5 + random() * 5)::numeric, 2), 5, 'planned', current_date + 30
FROM generate_series(1, $OPEN_BIDS) AS i;
-- Proposals to accept: each its own bid, offer, bed and hold, made by one recorded round; the
-- offers spread over the region like the market's (all at one point, they made every search near
-- it read 20,000 rows: no real market has that many beds in one place).
INSERT INTO rounds (trigger, status, finished_at, proposals) VALUES ('operator', 'committed', now(), $PROPOSALS);
CREATE TEMP TABLE seed AS
SELECT i, gen_random_uuid() AS bid_id, gen_random_uuid() AS offer_id, gen_random_uuid() AS proposal_id FROM generate_series(1, $PROPOSALS) AS i;
INSERT INTO offers (id, authority, setting, capacity, age_min, age_max, sexes_accepted, lat, lon, available_from, weekly_rate_pence)
SELECT offer_id, 'E10000011', 'foster', 1, 0, 17, ARRAY['female', 'male'],
       round((50.5 + random() * 4.5)::numeric, 2), round((-3.5 + random() * 5)::numeric, 2), current_date, 70000 FROM seed;
INSERT INTO beds (offer_id, bed_no) SELECT offer_id, 1 FROM seed;
INSERT INTO bids (id, authority, child_ref, age, sex, settings_acceptable, home_lat, home_lon, urgency, needed_by, status)
SELECT bid_id, 'E10000016', 'proposed-' || i, 9, 'female', ARRAY['foster'], 51.19, 0.73, 'planned', current_date, 'proposed' FROM seed;
INSERT INTO proposals (id, round_id, bid_id, offer_id, placing_authority, host_authority, beds, distance_km, weekly_rate_pence, expires_at)
SELECT proposal_id, (SELECT max(id) FROM rounds), bid_id, offer_id, 'E10000016', 'E10000011', 1, 40.1, 70000, now() + interval '7 days' FROM seed;
INSERT INTO bed_occupancy (offer_id, bed_no, during, kind, proposal_id)
SELECT offer_id, 1, daterange(current_date, NULL), 'hold', proposal_id FROM seed;
ANALYZE;
"
sql "SELECT id FROM proposals WHERE status = 'proposed' ORDER BY id" >"$work/proposals.txt"

# The copy of `bids` pgbench inserts into: same columns, defaults, checks and indexes; no
# triggers, foreign keys or row-level security.
sql "CREATE TABLE bench_bids (LIKE bids INCLUDING ALL)"
cat >"$work/one_row.sql" <<'SQL'
\set r random(1, 1000000000000)
INSERT INTO bench_bids (authority, child_ref, group_size, age, sex, needs, settings_acceptable, home_lat, home_lon, max_distance_km, urgency, needed_by)
VALUES ('E10000016', 'pg-' || :r, 1, 9, 'female', ARRAY['autism'], ARRAY['foster', 'childrens_home'], 51.28, 1.08, 40, 'urgent', current_date + 14);
SQL

# hearthd as hearth_daemon, as deployed.
daemon_url="postgresql://hearth_daemon@127.0.0.1:$pg_port/hearth_bench"
port=$(free_port)
HEARTH_DATABASE_URL=$daemon_url "$BIN_DIR/hearthd" --port "$port" --pool-size "$POOL_SIZE" --log-level warning 2>"$work/hearthd.log" &
daemon_pid=$!
wait_for_hearthd "$port" "$work/hearthd.log"
base="http://127.0.0.1:$port"
if [ -n "$BASELINE_BIN_DIR" ]; then
    baseline_port=$(free_port)
    HEARTH_DATABASE_URL=$daemon_url "$BASELINE_BIN_DIR/hearthd" --port "$baseline_port" --pool-size "$POOL_SIZE" --log-level warning 2>"$work/baseline.log" &
    baseline_pid=$!
    wait_for_hearthd "$baseline_port" "$work/baseline.log"
fi

bid_body() {
    printf '{"child_ref":"%s","age":9,"sex":"female","needs":["autism"],"settings_acceptable":["foster","childrens_home"],"home_location":{"lat":51.28,"lon":1.08},"max_distance_km":40,"urgency":"urgent","needed_by":"%s"}' \
        "$1" "$(date -u -d '+14 days' +%F)"
}
post_bid() {
    curl -fsS -o /dev/null -X POST "$base/v1/bids" -H "Authorization: Bearer $key_kent" -H "Content-Type: application/json" \
        -H "Idempotency-Key: $2" --data "$(bid_body "$1")"
}

# --- Capture: one request's statements, after a warm-up request (caches filled). ---
post_bid capture-warm-up capture-warm-up-key
sql "ALTER SYSTEM SET log_statement = 'all'" && sql "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
log_start=$(stat -c %s "$pg_dir/log/pg.json")
post_bid CAPTURECHILD CAPTUREKEY
curl -fsS -o /dev/null "$base/v1/offers?near=51.28,1.08&within_km=30&setting=foster&need=autism" -H "Authorization: Bearer $key_sussex"
sleep 0.5
sql "ALTER SYSTEM RESET log_statement" && sql "SELECT pg_reload_conf()" >/dev/null
tail -c +"$((log_start + 1))" "$pg_dir/log/pg.json" >"$work/capture.json"
python3 - "$work/capture.json" "$work/statements.sql" "$work/captured.txt" "$work/search.sql" <<'PY'
import json, re, sys
entries = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
statements = []
for e in entries:
    if e.get("application_name") != "hearthd":
        continue
    m = re.match(r"(?:statement|execute [^:]*): (.*)", e.get("message", ""), re.S)
    if not m:
        continue
    params = {}
    for n, value in re.findall(r"\$(\d+) = ('(?:[^']|'')*'|NULL)", e.get("detail", "")):
        params[int(n)] = value
    statements.append((e["pid"], m.group(1), params))
# The request: the transaction on the connection that inserted the bid, from its BEGIN to its
# COMMIT, preceded by any key lookup (another connection may have run it).
insert = next(i for i, s in enumerate(statements) if "INSERT INTO bids" in s[1] or "INSERT INTO bids" in s[1].replace("\n", " "))
pid = statements[insert][0]
first = insert
while first > 0 and not (statements[first][0] == pid and statements[first][1].strip().upper().startswith("BEGIN")):
    first -= 1
last = insert
while last < len(statements) - 1 and not (statements[last][0] == pid and statements[last][1].strip().upper() == "COMMIT"):
    last += 1
picked = [s for s in statements[first:last + 1] if s[0] == pid]
auth = [s for s in statements[:first] if "api_keys" in s[1] and "secret_hash" in s[1]]
if auth:
    picked.insert(0, auth[-1])
def bind(sql, params):
    # A ':' inside a value must not read as a pgbench variable (':00' of a time).
    value = lambda n: params.get(n, "$%d" % n).replace(":", ":' || '")
    return re.sub(r"\$(\d+)\b", lambda m: value(int(m.group(1))), sql)
with open(sys.argv[3], "w") as shown, open(sys.argv[2], "w") as script:
    script.write("\\set r random(1, 1000000000000)\n")
    for _, sql, params in picked:
        shown.write(sql.strip() + ";\n")
        text = bind(sql, params)
        # The request's unique values become per-transaction ones.
        text = text.replace("'CAPTUREKEY'", "('k-' || :r)").replace("CAPTURECHILD", "pg-captured")
        script.write(" ".join(text.split()) + ";\n")
# The market search as hearthd ran it, its values in place, for EXPLAIN.
search = [s for s in statements if "FROM offers" in s[1] and "distance_km" in s[1]][-1]
with open(sys.argv[4], "w") as out:
    out.write(re.sub(r"\$(\d+)\b", lambda m: search[2].get(int(m.group(1)), m.group(0)), search[1]))

PY
captured_count=$(wc -l <"$work/statements.sql")
captured_count=$((captured_count - 1))

# The market search's plan, as hearth_daemon in a Sussex key's scope.
{
    echo "BEGIN;"
    echo "SELECT set_config('hearth.authority', 'E10000011', true) \\g /dev/null"
    echo "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)"
    cat "$work/search.sql"
    echo ";"
    echo "COMMIT;"
} >"$work/explain.sql"
psql "$daemon_url" -XAtq -f "$work/explain.sql" >"$work/explain.txt" 2>&1 || true
# The same statement for pgbench: the database's share of GET /v1/offers.
{
    echo "BEGIN;"
    echo "SELECT set_config('hearth.authority', 'E10000011', true);"
    tr '\n' ' ' <"$work/search.sql"
    echo ";"
    echo "COMMIT;"
} >"$work/search_bench.sql"

# --- Load helpers ---
# The loads go to the daemon in target_pid at target_base (this build's unless a baseline load).
target_pid=$daemon_pid
target_base=$base
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$target_pid/stat"; }
rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$target_pid/status"; }
hwm_mib() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$daemon_pid/status"; }
ticks_per_second=$(getconf CLK_TCK)

cat >"$work/common.lua" <<'LUA'
local threads = {}
counter = 0
function setup(thread)
    thread:set("id", #threads + 1)
    table.insert(threads, thread)
end
function response(status, headers, body)
    if status >= 500 then s5xx = (s5xx or 0) + 1
    elseif status >= 400 then s4xx = (s4xx or 0) + 1
    elseif status >= 200 and status < 300 then s2xx = (s2xx or 0) + 1 end
    if acked and status == 201 then
        local ref = body:match('"child_ref":"([^"]+)"')
        if ref then acked:write(ref, "\n") end
    end
end
function done(summary, latency, requests)
    local c2, c4, c5 = 0, 0, 0
    for _, t in ipairs(threads) do
        c2 = c2 + (t:get("s2xx") or 0)
        c4 = c4 + (t:get("s4xx") or 0)
        c5 = c5 + (t:get("s5xx") or 0)
    end
    local e = summary.errors
    io.write(string.format("RESULT requests=%d seconds=%.3f p50_ms=%.2f p99_ms=%.2f s2xx=%d s4xx=%d s5xx=%d socket_errors=%d\n",
        summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        c2, c4, c5, e.connect + e.read + e.write + e.timeout))
end
LUA
cat >"$work/post_bids.lua" <<'LUA'
dofile(os.getenv("BENCH_LUA_COMMON"))
function init(args)
    tag = args[1] .. "-" .. id
    acked = io.open(args[2] .. "." .. id, "w")
    neededBy = args[3]
    key = args[4]
end
function request()
    counter = counter + 1
    local ref = tag .. "-" .. counter
    local body = '{"child_ref":"' .. ref .. '","age":9,"sex":"female","needs":["autism"],"settings_acceptable":["foster","childrens_home"],'
        .. '"home_location":{"lat":51.28,"lon":1.08},"max_distance_km":40,"urgency":"urgent","needed_by":"' .. neededBy .. '"}'
    return wrk.format("POST", "/v1/bids", {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json",
        ["Idempotency-Key"] = "wrk-" .. ref}, body)
end
LUA
cat >"$work/offers.lua" <<'LUA'
dofile(os.getenv("BENCH_LUA_COMMON"))
local places = {{51.28, 1.08}, {51.19, 0.73}, {50.91, 0.26}, {51.75, -1.26}, {52.20, 0.12}, {53.48, -2.24}}
local settings = {"", "&setting=foster", "&need=autism", "&setting=childrens_home&need=self_harm"}
function init(args) key = args[1] end
function request()
    counter = counter + 1
    local p = places[1 + counter % #places]
    local path = string.format("/v1/offers?near=%.2f,%.2f&within_km=%d%s", p[1], p[2], 20 + (counter % 3) * 15, settings[1 + counter % #settings])
    return wrk.format("GET", path, {["Authorization"] = "Bearer " .. key})
end
LUA
cat >"$work/accept.lua" <<'LUA'
dofile(os.getenv("BENCH_LUA_COMMON"))
function init(args)
    key = args[1]
    local nthreads = tonumber(args[3])
    ids = {}
    local n = 0
    for line in io.lines(args[2]) do
        n = n + 1
        if n % nthreads == id - 1 then table.insert(ids, line) end
    end
end
function request()
    counter = counter + 1
    local pid = ids[1 + (counter - 1) % #ids]
    return wrk.format("POST", "/v1/proposals/" .. pid .. "/accept", {["Authorization"] = "Bearer " .. key,
        ["Content-Type"] = "application/json", ["Idempotency-Key"] = "accept-" .. pid},
        '{"child_views":{"consulted":true,"summary":"wants to stay near school"}}')
end
LUA
export BENCH_LUA_COMMON="$work/common.lua"

declare -A RESULT
# run_wrk NAME CLIENTS SCRIPT PATH ARGS…: one wrk load; records its figures under NAME.
run_wrk() {
    local name=$1 clients=$2 script=$3 path=$4
    shift 4
    local before after
    local profiler=
    if [ "${PROFILE:-}" = "$name" ]; then
        perf record -F 999 -g -p "$target_pid" -o "$work/perf.data" -- sleep "$DURATION" >/dev/null 2>&1 &
        profiler=$!
    fi
    before=$(cpu_ticks)
    wrk -t 2 -c "$clients" -d "${DURATION}s" --timeout 10s -s "$script" "$target_base$path" -- "$@" >"$work/wrk-$name.txt" 2>&1 || true
    after=$(cpu_ticks)
    if [ -n "$profiler" ]; then
        wait "$profiler" || true
        perf report -i "$work/perf.data" --stdio --no-children --sort symbol 2>/dev/null | grep -E '^ +[0-9.]+%' | head -40 >"$work/profile.txt" || true
        perf report -i "$work/perf.data" --stdio --no-children --sort dso 2>/dev/null | grep -E '^ +[0-9.]+%' | head -15 >"$work/profile-dso.txt" || true
        [ -z "${PROFILE_KEEP:-}" ] || cp "$work/perf.data" "$PROFILE_KEEP"
    fi
    local line
    line=$(grep '^RESULT' "$work/wrk-$name.txt") || { cat "$work/wrk-$name.txt" >&2; die "wrk $name printed no result"; }
    eval "$(sed 's/^RESULT //' <<<"$line" | tr ' ' '\n' | sed "s/^/local /")"
    local rps cpu
    rps=$(awk -v r="$requests" -v s="$seconds" 'BEGIN { printf "%.0f", r / s }')
    cpu=$(awk -v t="$((after - before))" -v hz="$ticks_per_second" -v r="$requests" 'BEGIN { printf "%.0f", (r > 0 ? t / hz * 1e6 / r : 0) }')
    RESULT[$name]="$rps|$p50_ms|$p99_ms|$cpu|$(rss_mib)|$s2xx|$s4xx|$s5xx|$socket_errors"
}
# run_pgbench NAME USER SCRIPT: one pgbench load; records tps and latency under NAME.
run_pgbench() {
    local name=$1 user=$2 script=$3
    pgbench -n -h 127.0.0.1 -p "$pg_port" -U "$user" -M prepared -c "$CLIENTS" -j 2 -T "$DURATION" \
        --log --log-prefix="$work/pgb-$name" -f "$script" hearth_bench >"$work/pgbench-$name.txt" 2>&1 \
        || { cat "$work/pgbench-$name.txt" >&2; die "pgbench $name failed"; }
    local tps failed
    tps=$(awk '/^tps = / { printf "%.0f", $3 }' "$work/pgbench-$name.txt")
    failed=$(awk '/number of failed transactions/ { print $5 }' "$work/pgbench-$name.txt")
    # Per-transaction latencies (µs, 3rd column) from pgbench's log: p50 and p99.
    read -r p50 p99 < <(cat "$work"/pgb-"$name".* | awk '{ print $3 }' | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f %.2f\n", a[int(NR * 0.5)] / 1000, a[int(NR * 0.99)] / 1000 }')
    RESULT[$name]="$tps|$p50|$p99|-|-|-|-|${failed:-0}|-"
}

neededBy=$(date -u -d '+14 days' +%F)
tag="wrk$(date +%s)"
say "pgbench: one bid-shaped row per transaction ($CLIENTS clients, ${DURATION} s)"
run_pgbench pg_row postgres "$work/one_row.sql"
say "pgbench: the $captured_count statements hearthd issues per POST /v1/bids"
run_pgbench pg_hearthd hearth_daemon "$work/statements.sql"
say "pgbench: the market search statement hearthd issues for GET /v1/offers?near=51.28,1.08&within_km=30&setting=foster&need=autism"
run_pgbench pg_search hearth_daemon "$work/search_bench.sql"
say "wrk: POST /v1/bids ($CLIENTS clients)"
run_wrk post_bids "$CLIENTS" "$work/post_bids.lua" /v1/bids "$tag-a" "$work/acked-16" "$neededBy" "$key_kent"
if [ -n "$BASELINE_BIN_DIR" ]; then
    say "wrk: POST /v1/bids ($CLIENTS clients), baseline hearthd"
    target_pid=$baseline_pid target_base="http://127.0.0.1:$baseline_port"
    run_wrk base_post_bids "$CLIENTS" "$work/post_bids.lua" /v1/bids "$tag-c" "$work/acked-base" "$neededBy" "$key_kent"
    target_pid=$daemon_pid target_base=$base
fi
say "wrk: GET /v1/offers?near=…&within_km=… ($CLIENTS clients)"
run_wrk offers "$CLIENTS" "$work/offers.lua" /v1/offers "$key_sussex"
if [ -n "$BASELINE_BIN_DIR" ]; then
    say "wrk: GET /v1/offers?near=…&within_km=… ($CLIENTS clients), baseline hearthd"
    target_pid=$baseline_pid target_base="http://127.0.0.1:$baseline_port"
    run_wrk base_offers "$CLIENTS" "$work/offers.lua" /v1/offers "$key_sussex"
    target_pid=$daemon_pid target_base=$base
fi
say "wrk: POST /v1/proposals/{id}/accept ($CLIENTS clients)"
run_wrk accept "$CLIENTS" "$work/accept.lua" /v1/proposals "$key_kent" "$work/proposals.txt" 2
say "wrk: POST /v1/bids ($MEMORY_CLIENTS clients)"
run_wrk post_bids_64 "$MEMORY_CLIENTS" "$work/post_bids.lua" /v1/bids "$tag-b" "$work/acked-64" "$neededBy" "$key_kent"

# --- Correctness: every acknowledged bid stored exactly once. ---
cat "$work"/acked-* | sort >"$work/acked.txt"
acked=$(wc -l <"$work/acked.txt")
acked_unique=$(sort -u "$work/acked.txt" | wc -l)
sql "CREATE TABLE bench_acked (child_ref text)"
psql "$admin_url" -XAtq -c "\\copy bench_acked FROM '$work/acked.txt'"
not_once=$(sql "SELECT count(*) FROM bench_acked a LEFT JOIN (SELECT child_ref, count(*) AS n FROM bids WHERE child_ref LIKE '$tag-%' GROUP BY child_ref) b USING (child_ref) WHERE b.n IS DISTINCT FROM 1")
stored=$(sql "SELECT count(*) FROM bids WHERE child_ref LIKE '$tag-%'")
open_bids=$(sql "SELECT count(*) FROM bids WHERE status = 'open'")
accepted=$(sql "SELECT count(*) FROM proposals WHERE status = 'accepted'")

field() { cut -d'|' -f"$2" <<<"${RESULT[$1]}"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
echo
echo "API throughput — $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), fsync=on, ${DURATION} s per load, pool size $POOL_SIZE, clearing $CLEARING"
echo "market: $OFFERS offers, $open_bids open bids at the end; hearthd $(git -C "$HEARTH_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
printf '| %-44s | %7s | %8s | %8s | %11s | %8s | %-24s |\n' load "req/s" "p50 ms" "p99 ms" "CPU µs/req" "RSS MiB" "2xx / 4xx / 5xx / socket"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" "---------" "----------" "----------" "-------------" "----------" "--------------------------"
label() {
    case $1 in
        pg_row) echo "pgbench: one bid-shaped row" ;;
        pg_hearthd) echo "pgbench: hearthd's $captured_count statements" ;;
        pg_search) echo "pgbench: the market search statement" ;;
        post_bids) echo "hearthd POST /v1/bids ($CLIENTS clients)" ;;
        offers) echo "hearthd GET /v1/offers near, within_km" ;;
        accept) echo "hearthd POST /v1/proposals/{id}/accept" ;;
        post_bids_64) echo "hearthd POST /v1/bids ($MEMORY_CLIENTS clients)" ;;
        base_post_bids) echo "baseline hearthd POST /v1/bids ($CLIENTS clients)" ;;
        base_offers) echo "baseline hearthd GET /v1/offers near, within_km" ;;
    esac
}
loads="pg_row pg_hearthd pg_search post_bids offers accept post_bids_64"
[ -z "$BASELINE_BIN_DIR" ] || loads="$loads base_post_bids base_offers"
for name in $loads; do
    statuses="$(field "$name" 6) / $(field "$name" 7) / $(field "$name" 8) / $(field "$name" 9)"
    [ "${name#pg_}" != "$name" ] && statuses="failed: $(field "$name" 8)"
    printf '| %-44s | %7s | %8s | %8s | %11s | %8s | %-24s |\n' "$(label "$name")" "$(field "$name" 1)" "$(field "$name" 2)" "$(field "$name" 3)" \
        "$(field "$name" 4)" "$(field "$name" 5)" "$statuses"
done
echo
post=$(field post_bids 1)
echo "POST /v1/bids ÷ pgbench one row:            $(ratio "$post" "$(field pg_row 1)")   (target ≥ 0.25)"
echo "POST /v1/bids ÷ pgbench hearthd statements: $(ratio "$post" "$(field pg_hearthd 1)")   (target ≥ 0.8)"
echo "hearthd peak RSS (VmHWM): $(hwm_mib) MiB (target < 100 at $MEMORY_CLIENTS clients)"
if [ -n "$BASELINE_BIN_DIR" ]; then
    echo "hearthd CPU µs per request, baseline ($BASELINE_BIN_DIR) → this build: POST /v1/bids $(field base_post_bids 4) → $(field post_bids 4), GET /v1/offers $(field base_offers 4) → $(field offers 4) (target ≤ 150)"
    echo "baseline 5xx: $(( $(field base_post_bids 8) + $(field base_offers 8) ))"
fi
echo "correctness: $acked acknowledged bids ($acked_unique distinct), $stored stored, $not_once acknowledged but not stored exactly once; 5xx: $(( $(field post_bids 8) + $(field offers 8) + $(field accept 8) + $(field post_bids_64 8) )); accepted proposals: $accepted"
echo
if [ -s "$work/profile.txt" ]; then
    echo "hearthd's profile during $PROFILE (perf, self time by symbol, top 40):"
    sed 's/^/    /' "$work/profile.txt"
    echo
    echo "the same profile by library (self time):"
    sed 's/^/    /' "$work/profile-dso.txt"
    echo
fi
echo "GET /v1/offers?near=51.28,1.08&within_km=30&setting=foster&need=autism: the statement and its plan ($OFFERS offers):"
sed 's/^/    /' "$work/search.sql"
echo
sed 's/^/    /' "$work/explain.txt"
echo
python3 "$HEARTH_ROOT/Tests/scripts/search_mix_explain.py" "$admin_url"
echo
echo "statements hearthd issued for one POST /v1/bids (captured with log_statement=all):"
sed 's/^/    /' "$work/captured.txt"
[ "$not_once" -eq 0 ] && [ "$acked" -eq "$acked_unique" ] || die "an acknowledged write was not stored exactly once"
