#!/usr/bin/env python3
"""Benchmark of the dial-a-ride solver on the Cordeau/Ropke instances.

Runs `ritmo darp FILE --json` (or the stand-alone darp_bench binary) over the
instances in ../shared/bench/darp/instances with fixed seeds, and prints one
row per instance: best-known cost, our median cost over the seeds, gap %,
median seconds, and whether every answer passed the program's own exact
feasibility check with every request served. Python 3 standard library only.

Examples:
  tools/bench/darp/run_bench.py                      # all 68, 3 seeds
  tools/bench/darp/run_bench.py --only a2-16,pr01 --seeds 1
  tools/bench/darp/run_bench.py --family pr --pr-time-limit 10
"""
import argparse
import concurrent.futures
import csv
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
DEFAULT_DATA = os.path.normpath(os.path.join(REPO, "..", "shared", "bench", "darp"))


def default_command():
    """First existing solver: a stand-alone bench binary, then ritmo itself."""
    for name, prefix in (("ritmo_darp_bench", []), ("ritmo_darp", []), ("ritmo", ["darp"])):
        for build in ("build-bench", "build-darp-rel", "build"):
            for sub in ("tools/bench", "", "src"):
                path = os.path.join(REPO, build, sub, name)
                if os.path.isfile(path) and os.access(path, os.X_OK):
                    return [path] + prefix
    return ["ritmo", "darp"]


def load_bks(data_dir):
    rows = {}
    with open(os.path.join(data_dir, "bks.csv"), newline="") as f:
        for row in csv.DictReader(f):
            rows[row["instance"]] = row
    return rows


def natural_key(name):
    fam = re.match(r"[a-z]+", name).group(0)
    nums = [int(x) for x in re.findall(r"\d+", name)]
    return ({"a": 0, "b": 1, "pr": 2}.get(fam, 3), nums)


def run_one(cmd, path, seed, limit, wall):
    args = cmd + [path, "--seed", str(seed), "--time-limit", str(limit), "--json"]
    if not wall:
        args.append("--cpu-time")
    t0 = time.monotonic()
    proc = subprocess.run(args, capture_output=True, text=True)
    wall = time.monotonic() - t0
    try:
        out = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        sys.stderr.write("no JSON from %s: %s\n" % (" ".join(args), proc.stderr.strip()))
        return None
    out["wall"] = wall
    out["ok"] = bool(out.get("feasible")) and out.get("unserved", 1) == 0
    return out


def summarize(rows):
    """Mean/max gap per family and the gap distribution."""
    lines = []
    fams = {}
    for r in rows:
        fams.setdefault(re.match(r"[a-z]+", r["instance"]).group(0), []).append(r)
    for fam, rs in sorted(fams.items(), key=lambda kv: natural_key(kv[0] + "0")):
        gaps = [r["gap"] for r in rs]
        lines.append("%-3s n=%2d  mean gap %6.3f %%  median %6.3f %%  max %6.3f %%  "
                     "all feasible: %s" % (fam, len(gaps), statistics.mean(gaps),
                                            statistics.median(gaps), max(gaps),
                                            "yes" if all(r["ok"] for r in rs) else "NO"))
    buckets = [(0.01, "<= 0.01 %"), (0.5, "<= 0.5 %"), (1.0, "<= 1 %"), (2.0, "<= 2 %"),
               (3.0, "<= 3 %"), (float("inf"), "> 3 %")]
    counts = [0] * len(buckets)
    for r in rows:
        for i, (lim, _) in enumerate(buckets):
            if r["gap"] <= lim:
                counts[i] += 1
                break
    lines.append("gap distribution: " + ", ".join(
        "%s: %d" % (label, c) for (_, label), c in zip(buckets, counts)))
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=DEFAULT_DATA, help="benchmark folder (bks.csv, instances/)")
    ap.add_argument("--cmd", help='solver command, e.g. "build/src/ritmo darp"')
    ap.add_argument("--seeds", default="1,2,3", help="comma-separated seeds (median is reported)")
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per a/b run")
    ap.add_argument("--pr-time-limit", type=float, default=30.0, help="seconds per pr run")
    ap.add_argument("--only", help="comma-separated instance names")
    ap.add_argument("--family", choices=["a", "b", "pr"], help="one family only")
    ap.add_argument("--wall", action="store_true",
                    help="time limits in wall time (default: CPU time of the solver, so "
                         "that a loaded shared machine does not shorten the search)")
    ap.add_argument("--jobs", type=int, default=1,
                    help="solver runs at the same time (CPU-time limits keep them fair)")
    ap.add_argument("--csv", help="also write per-run results to this CSV file")
    args = ap.parse_args()

    inst_dir = os.path.join(args.data, "instances")
    if not os.path.isdir(inst_dir):
        sys.exit("benchmark data not found at %s (pass --data)" % args.data)
    cmd = shlex.split(args.cmd) if args.cmd else default_command()
    bks = load_bks(args.data)
    names = sorted(os.listdir(inst_dir), key=natural_key)
    if args.only:
        wanted = set(args.only.split(","))
        names = [n for n in names if n in wanted]
    if args.family:
        names = [n for n in names if re.match(r"[a-z]+", n).group(0) == args.family]
    seeds = [int(s) for s in args.seeds.split(",")]
    sys.stderr.write("solver: %s; seeds %s; limits a/b %.1f s, pr %.1f s (%s time)\n"
                     % (" ".join(cmd), seeds, args.time_limit, args.pr_time_limit,
                        "wall" if args.wall else "CPU"))

    rows, runs = [], []
    print("%-7s %9s %10s %8s %8s %7s %s" % ("inst", "BKS", "ours(med)", "gap%", "best%",
                                            "time_s", "feasible"))
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs))
    futures = {}
    for name in names:  # queued in table order, printed in table order
        limit = args.pr_time_limit if name.startswith("pr") else args.time_limit
        futures[name] = [pool.submit(run_one, cmd, os.path.join(inst_dir, name), s, limit,
                                     args.wall) for s in seeds]
    for name in names:
        results = [f.result() for f in futures[name]]
        results = [r for r in results if r]
        if not results:
            print("%-7s  (no result)" % name)
            continue
        ref = float(bks[name]["bks"])
        costs = [r["cost"] for r in results]
        med = statistics.median(costs)
        row = {"instance": name, "bks": ref, "cost": med,
               "gap": 100.0 * (med - ref) / ref,
               "best_gap": 100.0 * (min(costs) - ref) / ref,
               "time": statistics.median(r["elapsed_ms"] / 1000.0 for r in results),
               "ok": all(r["ok"] for r in results) and len(results) == len(seeds)}
        rows.append(row)
        for s, r in zip(seeds, results):
            runs.append({"instance": name, "seed": s, "cost": r["cost"], "bks": ref,
                         "gap_pct": 100.0 * (r["cost"] - ref) / ref,
                         "vehicles_used": r["vehicles_used"], "feasible": r["ok"],
                         "iterations": r.get("iterations"), "elapsed_s": r["elapsed_ms"] / 1000,
                         "wall_s": round(r["wall"], 2)})
        print("%-7s %9.2f %10.2f %8.3f %8.3f %7.2f %s" % (
            name, ref, med, row["gap"], row["best_gap"], row["time"],
            "yes" if row["ok"] else "NO"), flush=True)
    pool.shutdown()
    if rows:
        print()
        for line in summarize(rows):
            print(line)
    if args.csv and runs:
        with open(args.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(runs[0].keys()))
            w.writeheader()
            w.writerows(runs)
    return 0 if rows and all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
