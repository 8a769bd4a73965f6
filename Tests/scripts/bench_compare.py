#!/usr/bin/env python3
"""Compares Hearth's clearing solver with OR-Tools and scipy on a file from `hearth-bench --write`.

Usage: bench_compare.py FILE.json [--ours SECONDS] [--scipy-limit CELLS]

FILE is a `ClearingInstanceFile` (format "hearth-clearing-instance/1") holding an instance and,
normally, Hearth's result. The script re-applies the hard rules (vectorised with numpy), then
solves the instance with:

* OR-Tools' SimpleMinCostFlow (`pip install ortools`), in the same lexicographic spirit as
  Hearth and with integer costs only: stage 1 maximises children placed by urgency (costs
  -(U+1)(P+1) per emergency child, -(P+1) per urgent child, -1 per planned child, where U and P
  count the urgent and planned children); stage 2 fixes those counts as supplies of one source
  per urgency and minimises total distance in whole metres per child.
* scipy's linear_sum_assignment on the dense bid x bed matrix (one column per usable bed and
  one "not placed" column per bid, incompatible cells infinite), with lexicographic weights
  that stay exact in float64;
  skipped, with a message, when bids x columns exceeds --scipy-limit (default 25,000,000) or
  the weights would not be exact.

It prints each objective (children placed per urgency, total metres), each solve time, and the
ratio of Hearth's round time (compatibility + solve: the file's `summary.solveSeconds`, or
--ours) to OR-Tools' solve time. With sibling groups, a min-cost flow may split a group, so
OR-Tools then gives a lower bound only; Hearth's objective must be no better than it, and
scipy is skipped. Exits 1 if an exact objective differs from Hearth's (or Hearth beats the
bound), 2 if the file cannot be read.
"""

import argparse
import json
import math
import sys
import time
from datetime import date

import numpy as np

EARTH_RADIUS_KM = 6371.0088
URGENCIES = ("emergency", "urgent", "planned")
SETTINGS = ("foster", "childrens_home", "secure_childrens_home", "supported_accommodation")
SEXES = ("female", "male", "other")
NEEDS = (
    "emotional_behavioural", "autism", "learning_disability", "physical_disability", "complex_health",
    "mental_health", "self_harm", "exploitation_risk", "missing_from_care", "substance_misuse",
    "youth_justice", "uasc", "parent_and_child", "deprivation_of_liberty",
)
EXACT_FLOAT_LIMIT = 2**53


def mask(values, names):
    return sum(1 << names.index(v) for v in values)


def unit_vectors(points):
    lat = np.radians(np.array([p["lat"] for p in points], dtype=float))
    lon = np.radians(np.array([p["lon"] for p in points], dtype=float))
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=1)


def day(iso):
    return date.fromisoformat(iso).toordinal()


def compatible_pairs(instance):
    """(bid index, offer index, metres) arrays of every pair that passes the hard rules."""
    bids, offers = instance["bids"], instance["offers"]
    today = day(instance["today"])
    o_setting = np.array([1 << SETTINGS.index(o["setting"]) for o in offers], dtype=np.int64)
    o_needs = np.array([mask(o["needsSupported"], NEEDS) for o in offers], dtype=np.int64)
    o_sexes = np.array([mask(o["sexesAccepted"], SEXES) for o in offers], dtype=np.int64)
    o_age_min = np.array([o["ageMin"] for o in offers])
    o_age_max = np.array([o["ageMax"] for o in offers])
    o_beds = np.array([o["freeBeds"] for o in offers])
    o_from = np.array([day(o["availableFrom"]) for o in offers])
    o_until = np.array([day(o["availableUntil"]) if "availableUntil" in o else 10**9 for o in offers])
    o_rate = np.array([o["weeklyRatePence"] for o in offers], dtype=np.int64)
    o_vec = unit_vectors([o["location"] for o in offers]) if offers else np.zeros((0, 3))
    offer_index = {o["id"]: j for j, o in enumerate(offers)}
    declined = {}
    for pair in instance.get("declined", []):
        if pair["offerID"] in offer_index:
            declined.setdefault(pair["bidID"], []).append(offer_index[pair["offerID"]])
    rows, cols, metres = [], [], []
    for i, bid in enumerate(bids):
        start = max(day(bid["neededBy"]), today)
        ok = (o_setting & mask(bid["settingsAcceptable"], SETTINGS)) != 0
        ok &= (o_age_min <= bid["age"]) & (bid["age"] <= o_age_max)
        ok &= (o_sexes & (1 << SEXES.index(bid["sex"]))) != 0
        ok &= (mask(bid["needs"], NEEDS) & ~o_needs) == 0
        ok &= o_beds >= bid["groupSize"]
        ok &= (o_from <= start) & (o_until >= start)
        if "maxWeeklyRatePence" in bid:
            ok &= o_rate <= bid["maxWeeklyRatePence"]
        for j in declined.get(bid["id"], []):
            ok[j] = False
        candidates = np.nonzero(ok)[0]
        home = unit_vectors([bid["home"]])[0]
        chord_sq = ((o_vec[candidates] - home) ** 2).sum(axis=1)
        km = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(chord_sq) / 2))
        keep = np.ones(len(candidates), dtype=bool)
        if "maxDistanceKm" in bid:
            keep &= km <= bid["maxDistanceKm"]
        if "minDistanceKm" in bid:
            keep &= km >= bid["minDistanceKm"]
        rows.append(np.full(int(keep.sum()), i, dtype=np.int64))
        cols.append(candidates[keep])
        metres.append(np.floor(km[keep] * 1000 + 0.5).astype(np.int64))
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(metres)


def objective_of(placed_children, urgency, rows, metres_per_child):
    """Children placed per urgency and total metres, from per-pair child counts."""
    counts = {u: int(placed_children[urgency[rows] == k].sum()) for k, u in enumerate(URGENCIES)}
    return counts, int((placed_children * metres_per_child).sum())


def solve_ortools(size, urgency, beds, rows, cols, metres):
    from ortools.graph.python import min_cost_flow

    n, m = len(size), len(beds)
    totals = [int(size[urgency == k].sum()) for k in range(3)]
    weight = np.array([(totals[1] + 1) * (totals[2] + 1), totals[2] + 1, 1], dtype=np.int64)
    sink = n + m
    started = time.perf_counter()
    solve_seconds = 0.0

    # Stage 1: most children placed, emergency first, then urgent, then planned.
    flow = min_cost_flow.SimpleMinCostFlow()
    bids = np.arange(n, dtype=np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(rows, n + cols, size[rows], -weight[urgency[rows]])
    flow.add_arcs_with_capacity_and_unit_cost(n + np.arange(m, dtype=np.int64), np.full(m, sink), beds, np.zeros(m, np.int64))
    flow.add_arcs_with_capacity_and_unit_cost(bids, np.full(n, sink), size, np.zeros(n, np.int64))
    flow.set_nodes_supplies(np.append(np.append(bids, n + np.arange(m)), sink), np.concatenate([size, np.zeros(m, np.int64), [-int(size.sum())]]))
    tick = time.perf_counter()
    status = flow.solve()
    solve_seconds += time.perf_counter() - tick
    if status != flow.OPTIMAL:
        raise RuntimeError(f"OR-Tools stage 1 status {status}")
    placed = flow.flows(np.arange(len(rows)))
    counts = [int(placed[urgency[rows] == k].sum()) for k in range(3)]

    # Stage 2: exactly those counts (one source per urgency), least total metres.
    flow = min_cost_flow.SimpleMinCostFlow()
    sources = sink + 1 + np.arange(3, dtype=np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(rows, n + cols, size[rows], metres)
    flow.add_arcs_with_capacity_and_unit_cost(n + np.arange(m, dtype=np.int64), np.full(m, sink), beds, np.zeros(m, np.int64))
    flow.add_arcs_with_capacity_and_unit_cost(sources[urgency], bids, size, np.zeros(n, np.int64))
    flow.set_nodes_supplies(np.append(sources, sink), np.array(counts + [-sum(counts)], dtype=np.int64))
    tick = time.perf_counter()
    status = flow.solve()
    solve_seconds += time.perf_counter() - tick
    if status != flow.OPTIMAL:
        raise RuntimeError(f"OR-Tools stage 2 status {status}")
    placed = flow.flows(np.arange(len(rows)))
    result = objective_of(placed, urgency, rows, metres)
    return result, solve_seconds, time.perf_counter() - started


def solve_scipy(size, urgency, beds, rows, cols, metres, limit):
    """Returns (objective, seconds) or (None, reason)."""
    from scipy.optimize import linear_sum_assignment

    n, m = len(size), len(beds)
    demand = np.bincount(cols, minlength=m)
    columns = np.repeat(np.arange(m), np.minimum(beds, demand))
    cells = n * (len(columns) + n)
    if cells > limit:
        return None, f"skipped: {n} bids x {len(columns) + n} columns = {cells:,} cells > --scipy-limit {limit:,}"
    max_metres = np.zeros(n, np.int64)
    np.maximum.at(max_metres, rows, metres)
    counts = [int((urgency == k).sum()) for k in range(3)]
    planned = int(max_metres.sum()) + 1
    weight = [planned * (counts[2] + 1) * (counts[1] + 1), planned * (counts[2] + 1), planned]
    if weight[0] * (counts[0] + 1) >= EXACT_FLOAT_LIMIT:
        return None, "skipped: lexicographic weights would not be exact in float64"
    cost = np.full((n, len(columns) + n), np.inf)  # inf: incompatible
    first_column = np.concatenate([[0], np.cumsum(np.minimum(beds, demand))])
    pair_cost = metres - np.array(weight, dtype=np.int64)[urgency[rows]]
    for pair in range(len(rows)):
        j = cols[pair]
        cost[rows[pair], first_column[j]:first_column[j + 1]] = float(pair_cost[pair])
    cost[np.arange(n), len(columns) + np.arange(n)] = 0.0
    tick = time.perf_counter()
    chosen_rows, chosen_cols = linear_sum_assignment(cost)
    seconds = time.perf_counter() - tick
    pair_of = {(int(r), int(c)): k for k, (r, c) in enumerate(zip(rows, cols))}
    placed = np.zeros(len(rows), np.int64)
    for r, c in zip(chosen_rows, chosen_cols):
        if c < len(columns):
            placed[pair_of[(int(r), int(columns[c]))]] += 1
    return objective_of(placed, urgency, rows, metres), seconds


def describe(objective):
    counts, total = objective
    return f"placed E/U/P {counts['emergency']}/{counts['urgent']}/{counts['planned']}, {total} m"


def lexicographic_key(objective):
    counts, total = objective
    return (-counts["emergency"], -counts["urgent"], -counts["planned"], total)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file")
    parser.add_argument("--ours", type=float, help="Hearth's round time in seconds (default: the file's result)")
    parser.add_argument("--scipy-limit", type=int, default=25_000_000, help="largest bids x columns matrix for scipy")
    args = parser.parse_args(argv)
    try:
        with open(args.file, encoding="utf-8") as handle:
            document = json.load(handle)
        if document.get("format") != "hearth-clearing-instance/1":
            raise ValueError(f"unknown format {document.get('format')!r}")
    except (OSError, ValueError) as error:
        print(f"bench_compare: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    instance, result = document["instance"], document.get("result")
    bids, offers = instance["bids"], instance["offers"]
    size = np.array([b["groupSize"] for b in bids], dtype=np.int64)
    urgency = np.array([URGENCIES.index(b["urgency"]) for b in bids], dtype=np.int64)
    beds = np.array([o["freeBeds"] for o in offers], dtype=np.int64)
    grouped = bool((size > 1).any())

    tick = time.perf_counter()
    rows, cols, metres = compatible_pairs(instance)
    print(f"instance: {len(bids)} bids ({int(size.sum())} children, {int((size > 1).sum())} groups), "
          f"{len(offers)} offers ({int(beds.sum())} beds); {len(rows):,} compatible pairs "
          f"(screened in {time.perf_counter() - tick:.1f} s)")

    ours = None
    our_seconds = args.ours
    if result is not None:
        summary = result["summary"]
        ours = ({u: summary[f"{u}ChildrenPlaced"] for u in URGENCIES}, summary["totalDistanceMetres"])
        if our_seconds is None:
            our_seconds = summary["solveSeconds"]
        print(f"hearth:   {describe(ours)}; round {our_seconds:.3f} s" + (
            f" (compatibility {summary['compatibilitySeconds']:.3f} s)" if "compatibilitySeconds" in summary else ""))
        if summary["compatiblePairCount"] != len(rows):
            print(f"MISMATCH: hearth reports {summary['compatiblePairCount']:,} compatible pairs, {len(rows):,} found here")
            return 1

    failed = False
    tools, tools_seconds, tools_total = solve_ortools(size, urgency, beds, rows, cols, metres)
    kind = "lower bound (groups may split)" if grouped else "optimum"
    print(f"or-tools: {describe(tools)}; solve {tools_seconds:.3f} s ({tools_total:.3f} s with graph building); {kind}")
    if ours is not None:
        if grouped and lexicographic_key(ours) < lexicographic_key(tools):
            print("MISMATCH: hearth beats OR-Tools' relaxation bound")
            failed = True
        elif not grouped and ours != tools:
            print("MISMATCH: hearth's objective differs from OR-Tools'")
            failed = True
    if our_seconds is not None:
        print(f"ratio hearth round / or-tools solve: {our_seconds / tools_seconds:.3f}")

    if grouped:
        print("scipy:    skipped: sibling groups cannot be expressed as an assignment")
    else:
        scipy_result, scipy_seconds = solve_scipy(size, urgency, beds, rows, cols, metres, args.scipy_limit)
        if scipy_result is None:
            print(f"scipy:    {scipy_seconds}")
        else:
            print(f"scipy:    {describe(scipy_result)}; solve {scipy_seconds:.3f} s")
            if scipy_result != tools:
                print("MISMATCH: scipy's objective differs from OR-Tools'")
                failed = True
            if our_seconds is not None:
                print(f"ratio hearth round / scipy solve: {our_seconds / scipy_seconds:.4f}")
    print("objectives: " + ("MISMATCH" if failed else "agree"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
