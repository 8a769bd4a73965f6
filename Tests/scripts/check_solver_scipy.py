#!/usr/bin/env python3
"""Checks Hearth's clearing solver against scipy.

Usage: check_solver_scipy.py FILE.json [FILE.json ...]

Files whose bids have rankings (`ranking`: the child's ranked offers) or sibling groups are
checked by `check_lexicographic`: an integer program solved with scipy.optimize.milp (HiGHS) one
objective level at a time — children placed per urgency, then children in their first … fifth
choice, then total metres — each level's optimum fixed before the next. The solver's result
must match every level. Other files are checked as below.

Each FILE is a `ClearingInstanceFile` (format "hearth-clearing-instance/1") holding an instance
and the solver's result. For every file the script independently re-applies the hard rules,
builds a bid x bed cost matrix (one column per free bed, plus one "not placed" column per bid)
and solves it with scipy.optimize.linear_sum_assignment. The solver's result must be a valid
assignment, and its children placed per urgency and its total distance (whole metres per pair)
must equal scipy's optimum. Prints one summary line; exits 0 when every file matches, 1 on a
mismatch, 2 when a file cannot be checked (not unit-size, or too large for exact float sums).
"""

import json
import math
import sys
from datetime import date

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp
from scipy.sparse import csr_matrix

EARTH_RADIUS_KM = 6371.0088
URGENCIES = ("emergency", "urgent", "planned")
EXACT_FLOAT_LIMIT = 2**53


class Uncheckable(Exception):
    """The file is valid but outside what this exact check supports."""


def unit_vector(point):
    phi = math.radians(point["lat"])
    lam = math.radians(point["lon"])
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


def distance_km(a, b):
    """Haversine distance, with hav(angle) = (chord / 2)^2 as in HearthCore's Coordinate."""
    chord_sq = sum((x - y) ** 2 for x, y in zip(a, b))
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(chord_sq) / 2))


def metres(km):
    return math.floor(km * 1000 + 0.5)


def compatible(bid, offer, today, declined):
    """The distance in km if every hard rule holds, else None."""
    if offer["setting"] not in bid["settingsAcceptable"]:
        return None
    if not offer["ageMin"] <= bid["age"] <= offer["ageMax"]:
        return None
    if bid["sex"] not in offer["sexesAccepted"]:
        return None
    if not set(bid["needs"]) <= set(offer["needsSupported"]):
        return None
    if offer["freeBeds"] < bid["groupSize"]:
        return None
    start = max(date.fromisoformat(bid["neededBy"]), today)
    if date.fromisoformat(offer["availableFrom"]) > start:
        return None
    if "availableUntil" in offer and date.fromisoformat(offer["availableUntil"]) < start:
        return None
    km = distance_km(bid["_vector"], offer["_vector"])
    if "maxDistanceKm" in bid and km > bid["maxDistanceKm"]:
        return None
    if "minDistanceKm" in bid and km < bid["minDistanceKm"]:
        return None
    if "maxWeeklyRatePence" in bid and offer["weeklyRatePence"] > bid["maxWeeklyRatePence"]:
        return None
    if (bid["id"], offer["id"]) in declined:
        return None
    return km


CHOICES = 5


def check_lexicographic(path, instance, result):
    """Level-by-level integer programs: placed per urgency, per choice, then metres."""
    bids, offers = instance["bids"], instance["offers"]
    today = date.fromisoformat(instance["today"])
    declined = {(pair["bidID"], pair["offerID"]) for pair in instance.get("declined", [])}
    for item in bids:
        item["_vector"] = unit_vector(item["home"])
    for item in offers:
        item["_vector"] = unit_vector(item["location"])
    edges = []  # (bid index, offer index, metres, choice 1..5 or 0)
    for i, bid in enumerate(bids):
        ranking = bid.get("ranking") or []
        for j, offer in enumerate(offers):
            km = compatible(bid, offer, today, declined)
            if km is not None:
                choice = ranking.index(offer["id"]) + 1 if offer["id"] in ranking else 0
                edges.append((i, j, metres(km), choice))
    if not edges:
        return True, f"{path}: no compatible pairs"
    size = [bid["groupSize"] for bid in bids]
    rows, cols, vals = [], [], []
    for e, (i, j, _, _) in enumerate(edges):
        rows += [i, len(bids) + j]
        cols += [e, e]
        vals += [1, size[i]]
    matrix = csr_matrix((vals, (rows, cols)), shape=(len(bids) + len(offers), len(edges)))
    upper = [1] * len(bids) + [offer["freeBeds"] for offer in offers]
    constraints = [LinearConstraint(matrix, -np.inf, upper)]
    levels = [("placed " + u, [-size[i] if bids[i]["urgency"] == u else 0 for (i, _, _, _) in edges]) for u in URGENCIES]
    levels += [(f"choice {r}", [-size[i] if c == r else 0 for (i, _, _, c) in edges]) for r in range(1, CHOICES + 1)]
    levels += [("metres", [m * size[i] for (i, _, m, _) in edges])]
    chosen = {(bid_index, offer_index) for bid_index, offer_index in (
        ({b["id"]: k for k, b in enumerate(bids)}[p["bidID"]], {o["id"]: k for k, o in enumerate(offers)}[p["offerID"]])
        for p in result["proposals"]
    )}
    ours = [sum(c for (i, j, _, _), c in zip(edges, costs) if (i, j) in chosen) for _, costs in levels]
    if len(chosen) != len({(i, j) for (i, j, _, _) in edges} & chosen):
        return False, f"{path}: a proposal is not a compatible pair"
    problems = []
    for (name, costs), our in zip(levels, ours):
        if not any(costs):
            continue
        answer = milp(np.array(costs, dtype=float), constraints=constraints, integrality=np.ones(len(edges)), bounds=Bounds(0, 1))
        if not answer.success:
            raise Uncheckable(f"{path}: HiGHS did not solve level {name}: {answer.message}")
        best = round(answer.fun)
        if our != best:
            problems.append(f"{name}: ours {our}, scipy's optimum {best}")
            break
        constraints.append(LinearConstraint(csr_matrix(np.array([costs], dtype=float)), -np.inf, best))
    if problems:
        return False, f"{path}: " + "; ".join(problems)
    summary = "/".join(str(-v) for v in ours[:3 + CHOICES])
    return True, f"{path}: placed E/U/P and by choice {summary}, {ours[-1]} m, {len(edges)} pairs"


def check(path):
    """Returns (ok, message) for one file."""
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    if document.get("format") != "hearth-clearing-instance/1":
        raise Uncheckable(f"{path}: unknown format {document.get('format')!r}")
    if document.get("result") is None:
        raise Uncheckable(f"{path}: no solver result recorded")
    instance, result = document["instance"], document["result"]
    bids, offers = instance["bids"], instance["offers"]
    if any(bid["groupSize"] != 1 or bid.get("ranking") for bid in bids):
        return check_lexicographic(path, instance, result)
    today = date.fromisoformat(instance["today"])
    declined = {(pair["bidID"], pair["offerID"]) for pair in instance.get("declined", [])}
    for item in bids:
        item["_vector"] = unit_vector(item["home"])
    for item in offers:
        item["_vector"] = unit_vector(item["location"])

    edges = {}  # (bid index, offer index) -> metres
    for i, bid in enumerate(bids):
        for j, offer in enumerate(offers):
            km = compatible(bid, offer, today, declined)
            if km is not None:
                edges[(i, j)] = metres(km)

    # The solver's own answer, re-measured here.
    bid_index = {bid["id"]: i for i, bid in enumerate(bids)}
    offer_index = {offer["id"]: j for j, offer in enumerate(offers)}
    ours = {u: 0 for u in URGENCIES}
    our_metres = 0
    used = [0] * len(offers)
    for proposal in result["proposals"]:
        i, j = bid_index[proposal["bidID"]], offer_index[proposal["offerID"]]
        if (i, j) not in edges:
            return False, f"{path}: proposal {proposal['bidID']} -> {proposal['offerID']} is not compatible"
        used[j] += 1
        ours[bids[i]["urgency"]] += 1
        our_metres += edges[(i, j)]
    if any(count > offer["freeBeds"] for count, offer in zip(used, offers)):
        return False, f"{path}: an offer has more children than free beds"
    if len({p["bidID"] for p in result["proposals"]}) != len(result["proposals"]):
        return False, f"{path}: a bid is proposed twice"

    # Lexicographic weights: one more child of an urgency outweighs every child below it and
    # any difference in total distance. All sums must stay exact in float64.
    n = len(bids)
    distance_bound = sum(max((m for (i, _), m in edges.items() if i == row), default=0) for row in range(n)) + 1
    weight = {"planned": distance_bound}
    weight["urgent"] = weight["planned"] * (n + 1)
    weight["emergency"] = weight["urgent"] * (n + 1)
    # Any positive cost is worse than "not placed" (0); this one is also above every placement.
    incompatible = weight["emergency"]
    if weight["emergency"] * (n + 1) >= EXACT_FLOAT_LIMIT:
        raise Uncheckable(f"{path}: too large for an exact float check")

    columns = []  # offer index of each bed column
    for j, offer in enumerate(offers):
        demand = sum(1 for (_, jj) in edges if jj == j)
        columns.extend([j] * min(offer["freeBeds"], demand))
    cost = np.full((n, len(columns) + n), float(incompatible))
    for c, j in enumerate(columns):
        for i in range(n):
            if (i, j) in edges:
                cost[i, c] = float(edges[(i, j)] - weight[bids[i]["urgency"]])
    for i in range(n):
        cost[i, len(columns) + i] = 0.0  # not placed
    rows, cols = linear_sum_assignment(cost)
    best = {u: 0 for u in URGENCIES}
    best_metres = 0
    for i, c in zip(rows, cols):
        if c < len(columns):
            if (i, columns[c]) not in edges:
                raise Uncheckable(f"{path}: scipy chose an incompatible pair; weights are wrong")
            best[bids[i]["urgency"]] += 1
            best_metres += edges[(i, columns[c])]

    summary = result["summary"]
    reported = {u: summary[f"{u}ChildrenPlaced"] for u in URGENCIES}
    problems = []
    if ours != best:
        problems.append(f"placed {ours} but scipy places {best}")
    if our_metres != best_metres:
        problems.append(f"distance {our_metres} m but scipy's optimum is {best_metres} m")
    if reported != ours or summary["totalDistanceMetres"] != our_metres:
        problems.append("summary disagrees with the proposals")
    if summary["compatiblePairCount"] != len(edges):
        problems.append(f"{summary['compatiblePairCount']} compatible pairs reported, {len(edges)} found")
    if problems:
        return False, f"{path}: " + "; ".join(problems)
    placed = "/".join(str(best[u]) for u in URGENCIES)
    return True, f"{path}: placed E/U/P {placed}, {best_metres} m, {len(edges)} pairs"


def main(paths):
    if not paths:
        print("usage: check_solver_scipy.py FILE.json [FILE.json ...]", file=sys.stderr)
        return 2
    failures = []
    try:
        for path in paths:
            ok, message = check(path)
            if not ok:
                failures.append(message)
    except Uncheckable as error:
        print(f"solver check: cannot check: {error}")
        return 2
    if failures:
        print(f"solver check: MISMATCH in {len(failures)} of {len(paths)} files; first: {failures[0]}")
        return 1
    print(f"solver check: OK, {len(paths)} files match scipy's optimum (placed per urgency, per ranked choice, and total distance)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
