#!/usr/bin/env python3
"""Solves a clearing instance with sibling groups exactly with OR-Tools and compares with Hearth.

Usage: bench_groups_exact.py FILE.json [--backend scip|cpsat] [--time-limit SECONDS] [--workers N]

FILE is a `ClearingInstanceFile` (format "hearth-clearing-instance/1"), normally written by
`hearth-bench clearing --write` with Hearth's result. The script re-applies the hard rules
(`bench_compare.compatible_pairs`) and solves the whole-group problem as an integer program:
one 0/1 variable per compatible pair, at most one offer per bid, Σ group size ≤ free beds per
offer, lexicographically: stage 1 maximises children placed with weights (U+1)(P+1) per
emergency child, P+1 per urgent child and 1 per planned child (U, P: urgent and planned children
in the instance), so one more child of an urgency outweighs every child below it; stage 2 keeps
that value and minimises total distance (whole metres per child). Backends: CP-SAT
(`ortools.sat.python.cp_model`, default) or SCIP through `pywraplp`.

Hearth's proposals are re-checked (compatible, beds respected, groups whole) and their objective
recomputed from the pairs. Prints both objectives, the solve times, whether each solver proved
optimality, and the verdict. Exits 0 when Hearth matches a proven optimum (placed per urgency
equal, metres equal), 1 when Hearth is worse than or beats a proven optimum or its result is
invalid, 3 when OR-Tools proved nothing within the limit and Hearth is no worse than its best
solution, 2 when the file cannot be read.
"""

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_compare import URGENCIES, compatible_pairs  # noqa: E402


def key(counts, metres):
    return (-counts[0], -counts[1], -counts[2], metres)


def describe(counts, metres):
    return f"placed E/U/P {counts[0]}/{counts[1]}/{counts[2]}, {metres} m"


def weights(size, urgency):
    totals = [int(size[urgency == k].sum()) for k in range(3)]
    return [(totals[1] + 1) * (totals[2] + 1), totals[2] + 1, 1]


def solve_cpsat(size, urgency, beds, rows, cols, metres, limit, workers):
    from ortools.sat.python import cp_model

    weight = weights(size, urgency)
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{k}") for k in range(len(rows))]
    by_bid, by_offer = {}, {}
    for k, (i, j) in enumerate(zip(rows, cols)):
        by_bid.setdefault(int(i), []).append(k)
        by_offer.setdefault(int(j), []).append(k)
    for ks in by_bid.values():
        model.add_at_most_one(x[k] for k in ks)
    for j, ks in by_offer.items():
        model.add(sum(int(size[rows[k]]) * x[k] for k in ks) <= int(beds[j]))
    placement = sum(weight[urgency[rows[k]]] * int(size[rows[k]]) * x[k] for k in range(len(rows)))
    distance = sum(int(metres[k]) * int(size[rows[k]]) * x[k] for k in range(len(rows)))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    started = time.perf_counter()
    proven = True
    model.maximize(placement)
    solver.parameters.max_time_in_seconds = limit
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError(f"CP-SAT stage 1 status {solver.status_name(status)}")
    proven &= status == cp_model.OPTIMAL
    best_placement = int(solver.objective_value)
    for k in range(len(rows)):
        model.add_hint(x[k], solver.boolean_value(x[k]))
    model.add(placement == best_placement) if proven else model.add(placement >= best_placement)
    model.minimize(distance)
    solver.parameters.max_time_in_seconds = max(1.0, limit - (time.perf_counter() - started))
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError(f"CP-SAT stage 2 status {solver.status_name(status)}")
    proven &= status == cp_model.OPTIMAL
    chosen = np.array([solver.boolean_value(v) for v in x], dtype=bool)
    return chosen, proven, time.perf_counter() - started


def solve_scip(size, urgency, beds, rows, cols, metres, limit, workers):
    from ortools.linear_solver import pywraplp

    weight = weights(size, urgency)
    by_bid, by_offer = {}, {}
    for k, (i, j) in enumerate(zip(rows, cols)):
        by_bid.setdefault(int(i), []).append(k)
        by_offer.setdefault(int(j), []).append(k)
    exact = pywraplp.MPSolverParameters()
    exact.SetDoubleParam(exact.RELATIVE_MIP_GAP, 0.0)
    started = time.perf_counter()

    def stage(best_placement, hint=None):
        """A fresh model per stage (SCIP through pywraplp does not re-solve a changed model reliably)."""
        solver = pywraplp.Solver.CreateSolver("SCIP")
        solver.SetNumThreads(workers)
        solver.SetTimeLimit(int(max(1.0, limit - (time.perf_counter() - started)) * 1000))
        x = [solver.BoolVar(f"x{k}") for k in range(len(rows))]
        for ks in by_bid.values():
            solver.Add(solver.Sum([x[k] for k in ks]) <= 1)
        for j, ks in by_offer.items():
            solver.Add(solver.Sum([int(size[rows[k]]) * x[k] for k in ks]) <= int(beds[j]))
        placement = solver.Sum([weight[urgency[rows[k]]] * int(size[rows[k]]) * x[k] for k in range(len(rows))])
        if best_placement is None:
            solver.Maximize(placement)
        else:
            solver.Add(placement >= best_placement - 0.5)
            solver.Minimize(solver.Sum([int(metres[k]) * int(size[rows[k]]) * x[k] for k in range(len(rows))]))
        if hint is not None:
            solver.SetHint(x, [1.0 if chosen else 0.0 for chosen in hint])
        status = solver.Solve(exact)
        if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            raise RuntimeError(f"SCIP status {status} (no solution within the time limit)")
        chosen = np.array([v.solution_value() > 0.5 for v in x], dtype=bool)
        return chosen, status == pywraplp.Solver.OPTIMAL, round(solver.Objective().Value())

    placed, proven, best_placement = stage(None)
    chosen, proven_distance, _ = stage(best_placement, placed)
    return chosen, proven and proven_distance, time.perf_counter() - started


def objective(chosen, size, urgency, rows, metres):
    placed = size[rows[chosen]]
    counts = [int(placed[urgency[rows[chosen]] == k].sum()) for k in range(3)]
    return counts, int((placed * metres[chosen]).sum())


def hearth_choice(document, rows, cols, size, beds):
    """Hearth's proposals as a pair mask, after checking they form a whole-group assignment."""
    instance, result = document["instance"], document["result"]
    bid_index = {b["id"]: i for i, b in enumerate(instance["bids"])}
    offer_index = {o["id"]: j for j, o in enumerate(instance["offers"])}
    pair_index = {(int(i), int(j)): k for k, (i, j) in enumerate(zip(rows, cols))}
    chosen = np.zeros(len(rows), dtype=bool)
    used = np.zeros(len(beds), dtype=np.int64)
    seen = set()
    for proposal in result["proposals"]:
        i, j = bid_index[proposal["bidID"]], offer_index[proposal["offerID"]]
        if (i, j) not in pair_index or i in seen:
            raise ValueError(f"proposal {proposal['bidID']} -> {proposal['offerID']} is not compatible or repeats a bid")
        seen.add(i)
        chosen[pair_index[(i, j)]] = True
        used[j] += size[i]
    if (used > beds).any():
        raise ValueError("an offer has more children than free beds")
    return chosen


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file")
    parser.add_argument("--backend", choices=("cpsat", "scip"), default="scip")
    parser.add_argument("--time-limit", type=float, default=120.0, help="OR-Tools time limit in seconds (both stages)")
    parser.add_argument("--workers", type=int, default=2, help="OR-Tools search workers / threads")
    args = parser.parse_args(argv)
    try:
        with open(args.file, encoding="utf-8") as handle:
            document = json.load(handle)
        if document.get("format") != "hearth-clearing-instance/1":
            raise ValueError(f"unknown format {document.get('format')!r}")
    except (OSError, ValueError) as error:
        print(f"bench_groups_exact: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    instance = document["instance"]
    size = np.array([b["groupSize"] for b in instance["bids"]], dtype=np.int64)
    urgency = np.array([URGENCIES.index(b["urgency"]) for b in instance["bids"]], dtype=np.int64)
    beds = np.array([o["freeBeds"] for o in instance["offers"]], dtype=np.int64)
    rows, cols, metres = compatible_pairs(instance)
    print(f"instance: {len(size)} bids ({int(size.sum())} children, {int((size > 1).sum())} groups), "
          f"{len(beds)} offers ({int(beds.sum())} beds); {len(rows):,} compatible pairs")

    solve = solve_cpsat if args.backend == "cpsat" else solve_scip
    chosen, proven, seconds = solve(size, urgency, beds, rows, cols, metres, args.time_limit, args.workers)
    best = objective(chosen, size, urgency, rows, metres)
    print(f"{args.backend}: {describe(*best)}; {seconds:.2f} s; {'proven optimal' if proven else 'NOT proven (time limit)'}")

    if document.get("result") is None:
        return 0 if proven else 3
    summary = document["result"]["summary"]
    try:
        ours = objective(hearth_choice(document, rows, cols, size, beds), size, urgency, rows, metres)
    except ValueError as error:
        print(f"hearth:  INVALID: {error}")
        return 1
    flag = summary.get("provenOptimal")
    print(f"hearth:  {describe(*ours)}; round {summary['solveSeconds']:.3f} s"
          + ("" if flag is None else f"; reports {'proven optimal' if flag else 'NOT proven (budget hit)'}"))
    summary_counts = [summary[f"{u}ChildrenPlaced"] for u in URGENCIES]
    if summary_counts != ours[0] or summary["totalDistanceMetres"] != ours[1]:
        print("MISMATCH: hearth's summary disagrees with its proposals")
        return 1
    if key(*ours) == key(*best):
        print("verdict: hearth matches " + ("the proven optimum" if proven else "OR-Tools' best (unproven)"))
        return 0 if proven else 3
    if key(*ours) < key(*best):
        if proven:
            print("MISMATCH: hearth beats a proven optimum")
            return 1
        print("verdict: hearth is better than OR-Tools' best (unproven)")
        return 3
    print("MISMATCH: hearth is worse than " + ("the proven optimum" if proven else "OR-Tools' best (unproven)"))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
