#!/usr/bin/env bash
# Times `hearthctl import ssda903` of the bulk return (Tests/scripts/ssda903_bulk.py) on a fresh
# database: first import, re-import of the same files (no change), and a dry run; then prints
# the stored rows' count and a digest of everything stored but the child keys (which depend on
# the database's own secret), to compare two builds' results.
#
#   python3 Tests/scripts/ssda903_bulk.py 100000 1 2024 /tmp/idata
#   Tests/scripts/ssda903_import_timing.sh HEARTHCTL postgresql://postgres@127.0.0.1:PORT /tmp/idata [LABEL]
#
# SERVER_URL names a PostgreSQL server (no database) whose user may create databases; a database
# `ssda903_timing_…` is created there and left for inspection.
set -euo pipefail
hearthctl=$1 server=${2%/} data=$3 label=${4:-run}
database="ssda903_timing_$(date +%s)_$$"
psql -q "$server/postgres" -c "CREATE DATABASE $database"
export HEARTH_DATABASE_URL="$server/$database"
"$hearthctl" migrate >/dev/null
"$hearthctl" authority add --code E10000016 --name Kent --lat 51.27 --lon 0.52 >/dev/null
echo "$label: load average $(cut -d' ' -f1-3 /proc/loadavg)"
import=("$hearthctl" import ssda903 --authority E10000016 --episodes "$data/episodes_100000.csv" --header "$data/header_100000.csv")
/usr/bin/time -f "$label first import: %e s wall, %U s user" "${import[@]}" >/dev/null
/usr/bin/time -f "$label re-import: %e s wall, %U s user" "${import[@]}" >/dev/null
/usr/bin/time -f "$label dry run: %e s wall, %U s user" "${import[@]}" --dry-run >/dev/null
psql -Atq "$HEARTH_DATABASE_URL" -c "SELECT count(*) || ' rows, digest ' || md5(string_agg(r, ',' ORDER BY r)) FROM (SELECT concat_ws('|', authority, decom, dec, birth_month, sex, rne, ls, cin, place, place_provider, rec, reason_place_change, home_district, placement_district, distance_km, placement_authority, uasc, return_year) AS r FROM episodes) AS stored"
