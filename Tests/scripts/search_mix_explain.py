#!/usr/bin/env python3
"""The database's share of api_bench.sh's GET /v1/offers load.

Runs EXPLAIN ANALYZE, in East Sussex's scope as hearth_app, on the search statement for each
request the wrk script (offers.lua in api_bench.sh) sends — the same places, radii and filters,
chosen from its counter the same way — and prints the mean and slowest execution and planning
times. Usage: search_mix_explain.py DATABASE_URL
"""
import math
import re
import subprocess
import sys

EARTH_RADIUS_KM = 6371.0088
PLACES = [(51.28, 1.08), (51.19, 0.73), (50.91, 0.26), (51.75, -1.26), (52.20, 0.12), (53.48, -2.24)]
FILTERS = [("", ""), ("foster", ""), ("", "autism"), ("childrens_home", "self_harm")]
COLUMNS = ("id, authority, setting, capacity, needs_supported, age_min, age_max, sexes_accepted, lat, lon, "
           "postcode_district, available_from, available_until, weekly_rate_pence, ofsted_urn, status, version, "
           "created_at, updated_at")


def statement(lat, lon, km, setting, need):
    haversine = (f"(2 * {EARTH_RADIUS_KM} * asin(sqrt(power(sin(radians(lat::float8 - {lat}) / 2), 2)"
                 f" + cos(radians({lat})) * cos(radians(lat::float8)) * power(sin(radians(lon::float8 - {lon}) / 2), 2))))")
    dlat = math.degrees(km / EARTH_RADIUS_KM)
    dlon = math.degrees(math.asin(math.sin(km / EARTH_RADIUS_KM) / math.cos(math.radians(lat))))
    conditions = [f"status = 'open'", f"lat_deg >= {lat - dlat} AND lat_deg <= {lat + dlat}",
                  f"lon_deg >= {lon - dlon} AND lon_deg <= {lon + dlon}", f"{haversine} <= {km}"]
    if setting:
        conditions.insert(1, f"setting = '{setting}'")
    if need:
        conditions.insert(1, f"'{need}' = ANY (needs_supported)")
    return (f"EXPLAIN (ANALYZE, SUMMARY) SELECT {COLUMNS}, {haversine} AS distance_km FROM offers "
            f"WHERE {' AND '.join(conditions)} ORDER BY created_at, id LIMIT 50;")


def main():
    url = sys.argv[1]
    requests = []
    for counter in range(1, 13):  # offers.lua's choices repeat every 12 requests
        lat, lon = PLACES[counter % len(PLACES)]
        setting, need = FILTERS[counter % len(FILTERS)]
        requests.append((lat, lon, 20 + (counter % 3) * 15, setting, need))
    script = ["BEGIN;", "SELECT set_config('hearth.authority', 'E10000011', true);", "SET LOCAL ROLE hearth_app;"]
    script += [statement(*request) for request in requests] + ["ROLLBACK;"]
    output = subprocess.run(["psql", url, "-XAtq", "-v", "ON_ERROR_STOP=1"], input="\n".join(script),
                            capture_output=True, text=True, check=True).stdout
    executions = [float(x) for x in re.findall(r"Execution Time: ([0-9.]+)", output)]
    plannings = [float(x) for x in re.findall(r"Planning Time: ([0-9.]+)", output)]
    assert len(executions) == len(requests), output
    slowest = max(range(len(requests)), key=lambda i: executions[i])
    lat, lon, km, setting, need = requests[slowest]
    print(f"the offers load's {len(requests)} searches in the database alone (EXPLAIN ANALYZE): "
          f"mean execution {sum(executions) / len(executions):.2f} ms, mean planning {sum(plannings) / len(plannings):.2f} ms, "
          f"slowest {executions[slowest]:.2f} ms (near={lat},{lon} within_km={km} setting={setting or '-'} need={need or '-'})")


if __name__ == "__main__":
    main()
