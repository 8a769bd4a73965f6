#!/usr/bin/env bash
# Starts the built hearthd as the hearth_daemon login role (as in production) on a fresh
# database (in the PostgreSQL named by HEARTH_TEST_DATABASE_URL), loads the demo members with
# hearthctl, builds fixtures that reach past 403/404 (a clearing round; one proposal accepted,
# signed off and confirmed; a settlement run), then runs schemathesis.sh once per key role —
# placement, scrutiny, finance, operator — with path parameters pinned to resources of that
# key's authority. Exits non-zero on any server error or contract violation, printing the
# hearthd log tail.
#
#   Tests/scripts/api-conformance.sh BIN_DIR
set -euo pipefail
bin=${1:?usage: api-conformance.sh BIN_DIR}
: "${HEARTH_TEST_DATABASE_URL:?set HEARTH_TEST_DATABASE_URL (Deploy/test does)}"
here=$(cd "$(dirname "$0")" && pwd)
python="${PYTHON:-python3}"

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
fail() {
    echo "api-conformance.sh: $*" >&2
    echo "hearthd log:" >&2
    tail -50 "$work/hearthd.log" >&2 || true
    exit 1
}

"$bin/hearthctl" migrate >/dev/null
"$bin/hearthctl" demo seed >"$work/seed.txt"
key_of() { awk -v a="$1" -v r="$2" '$1 == a && $2 == r { print $3 }' "$work/seed.txt"; }

# hearthd logs in as hearth_daemon (created by the migration); the owner sets its password.
daemon_password="conformance-$$-$RANDOM"
psql "$HEARTH_DATABASE_URL" -qAt -v pw="$daemon_password" <<'SQL' >/dev/null
SELECT format('ALTER ROLE hearth_daemon PASSWORD %L', :'pw') \gexec
SQL
daemon_url=$("$python" - "$HEARTH_DATABASE_URL" "$daemon_password" <<'PY'
import sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
host = u.hostname or ""
netloc = "hearth_daemon:" + urllib.parse.quote(sys.argv[2], safe="") + "@" + host + (f":{u.port}" if u.port else "")
print(urllib.parse.urlunsplit((u.scheme, netloc, u.path, u.query, u.fragment)))
PY
)

port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
HEARTH_DATABASE_URL="$daemon_url" "$bin/hearthd" --port "$port" --log-level warning >"$work/hearthd.log" 2>&1 &
daemon=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
    curl -sf "$base/ready" >/dev/null && break
    sleep 0.2
done
curl -sf "$base/ready" >/dev/null || fail "hearthd did not become ready"

# Fixtures: a clearing round, then one proposal taken through accept → sign-off → confirm.
"$bin/hearthctl" round run >/dev/null || fail "hearthctl round run failed"
api() { # METHOD PATH KEY [BODY]
    curl -sS -X "$1" "$base$2" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' ${4:+--data "$4"} -w '\n%{http_code}'
}
json() { "$python" -c "import json, sys; d = json.load(sys.stdin); print($1)"; }
ok() { # checks the last line of an api() answer is 2xx and prints the body
    local answer=$1 code
    code=${answer##*$'\n'}
    [[ $code == 2* ]] || fail "fixture request answered $code: ${answer%$'\n'*}"
    printf '%s\n' "${answer%$'\n'*}"
}
# Any placement key can list its proposals; pick the first proposal of any demo member.
proposal="" placing="" host=""
while read -r authority; do
    k=$(key_of "$authority" placement)
    body=$(ok "$(api GET /v1/proposals "$k")")
    line=$(printf '%s' "$body" | json '" ".join([(p["id"], p["placing_authority"], p["host_authority"]) for p in d["items"] if p["status"] == "proposed"][0]) if any(p["status"] == "proposed" for p in d["items"]) else ""')
    if [[ -n $line ]]; then
        read -r proposal placing host <<<"$line"
        [[ $placing == "$authority" ]] && break
        proposal=""
    fi
done < <(awk '$2 == "placement" { print $1 }' "$work/seed.txt")
[[ -n $proposal ]] || fail "the clearing round made no proposal a placing authority can accept"
placement_key_of_placing=$(key_of "$placing" placement)
ok "$(api POST "/v1/proposals/$proposal/accept" "$placement_key_of_placing" '{"child_views":{"consulted":false}}')" >/dev/null
ok "$(api POST "/v1/proposals/$proposal/sign-off" "$(key_of "$placing" scrutiny)" '{}')" >/dev/null
# The earliest allowed start: the later of today and the day the place is available.
offer=$(ok "$(api GET "/v1/proposals/$proposal" "$placement_key_of_placing")" | json 'd["offer_id"]')
available=$(ok "$(api GET "/v1/offers/$offer" "$(key_of "$host" placement)")" | json 'd["available_from"]')
today=$(date -u +%F)
start_date=$([[ $available > $today ]] && echo "$available" || echo "$today")
ok "$(api POST "/v1/proposals/$proposal/confirm" "$(key_of "$host" placement)" "{\"start_date\":\"$start_date\"}")" >/dev/null
HEARTH_DATABASE_URL="$HEARTH_DATABASE_URL" "$bin/hearth-settle" run >/dev/null || fail "hearth-settle run failed"
operator_key=$("$bin/hearthctl" key issue --authority "$placing" --role operator | tail -1)

# A second proposal of the placing authority left live, for accept/decline reached past 404.
placement_key=$(key_of "$placing" placement)
# A third, accepted but not signed off, for the scrutiny run's sign-off.
read -r live pending < <(ok "$(api GET /v1/proposals "$placement_key")" | json '" ".join(([p["id"] for p in d["items"] if p["status"] == "proposed"] + ["", ""])[:2])' ; echo)
if [[ -n ${pending:-} ]]; then
    ok "$(api POST "/v1/proposals/$pending/accept" "$placement_key" '{"child_views":{"consulted":false}}')" >/dev/null
fi
placement_id=$(ok "$(api GET /v1/placements "$placement_key")" | json '([p["id"] for p in d["items"]] + [""])[0]')
offer_id=$(ok "$(api GET /v1/offers "$placement_key")" | json '([o["id"] for o in d["items"] if o["authority"] == "'"$placing"'" and o["status"] == "open"] + [o["id"] for o in d["items"] if o["authority"] == "'"$placing"'"] + [""])[0]')
if [[ -z $offer_id ]]; then # the placing authority hosts nothing yet: give it an open offer
    offer_id=$(ok "$(api POST /v1/offers "$placement_key" "{\"setting\":\"foster\",\"capacity\":1,\"needs_supported\":[],\"age_min\":8,\"age_max\":14,\"sexes_accepted\":[\"female\",\"male\"],\"location\":{\"lat\":51.41,\"lon\":-0.75},\"available_from\":\"$today\",\"weekly_rate_pence\":95000}")" | json 'd["id"]')
fi
bid_id=$(ok "$(api GET /v1/bids "$placement_key")" | json '([b["id"] for b in d["items"]] + [""])[0]')
period=$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%Y-%m) # the month hearth-settle last closed

# One schemathesis.toml per role: path ids pinned to this authority's resources.
config() { # FILE PROPOSAL
    {
        echo '[[operations]]'
        echo 'include-path-regex = "^/v1/proposals/"'
        echo "parameters = { \"path.id\" = \"$2\" }"
        [[ -n $placement_id ]] && printf '%s\n' '[[operations]]' 'include-path-regex = "^/v1/placements/"' "parameters = { \"path.id\" = \"$placement_id\" }"
        [[ -n $offer_id ]] && printf '%s\n' '[[operations]]' 'include-path-regex = "^/v1/offers/"' "parameters = { \"path.id\" = \"$offer_id\" }"
        [[ -n $bid_id ]] && printf '%s\n' '[[operations]]' 'include-path-regex = "^/v1/bids/"' "parameters = { \"path.id\" = \"$bid_id\" }"
        printf '%s\n' '[[operations]]' 'include-path-regex = "^/v1/statements"' "parameters = { \"path.period\" = \"$period\", \"query.period\" = \"$period\" }"
    } >"$1"
}

status=0
for role in placement scrutiny finance operator; do
    case $role in
        placement) key=$placement_key target=${live:-$proposal} ;;
        scrutiny) key=$(key_of "$placing" scrutiny) target=${pending:-$proposal} ;;
        finance) key=$(key_of "$placing" finance) target=$proposal ;;
        operator) key=$operator_key target=$proposal ;;
    esac
    config "$work/$role.toml" "$target"
    echo "api-conformance.sh: role $role ($placing)"
    HEARTH_URL="$base" HEARTH_KEY="$key" HEARTH_ST_CONFIG="$work/$role.toml" \
        HEARTH_ST_MAX_EXAMPLES="${HEARTH_ST_MAX_EXAMPLES:-15}" HEARTH_ST_TIMEOUT="${HEARTH_ST_TIMEOUT:-150}" \
        "$here/schemathesis.sh" || { echo "api-conformance.sh: role $role FAILED" >&2; status=1; }
done
[[ $status -eq 0 ]] || fail "schemathesis failed for at least one role"
echo "api-conformance.sh: all four roles passed"
