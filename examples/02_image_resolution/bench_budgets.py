#!/usr/bin/python3
"""At equal total cost: an epochs-only budget against epochs x data fraction x resolution.

    /usr/bin/python3 examples/02_image_resolution/bench_budgets.py BUILD/bin/rungs \
        [--seeds 1 2 3] [--cost 20] [--train-size 10000] [--val-size 5000] [--work-dir DIR]

Both arms run the image example's space and trainer (train.py) with ASHA (promotion mode,
eta 3, 3 levels, max_concurrent 2) and differ only in what a budget level means:
  epochs:          epochs 1, 3, 9, always on the whole training pool at 28x28
  epochs x f x r:  epochs 1, 3, 9 on 25%, 50%, 100% of the pool at 7x7, 14x14, 28x28
(the pool is capped at --train-size images so the benchmark stays small).

Cost is counted in epoch-equivalents at full data and resolution: an epoch on a fraction f at
r x r costs f * (r / 28)^2 (convolution work grows with the pixel count). The harness reads
the trial reports as they arrive and interrupts rungs (SIGINT, as Ctrl-C) once the reported
epochs add up to --cost; reports past that point are ignored. A campaign's result is the best
validation error of any report made at full fidelity (whole pool, 28x28) within the budget;
regret is that minus the best such error of every campaign of the benchmark. Wall time
includes process start-up (import torch, about 1.2 s per run) and the shutdown after the
interrupt. Prints a Markdown table and writes results.json in the work directory.
"""

import argparse
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ARMS = {
    "epochs": {"epochs": {"type": "int", "growth": "continued", "min": 1, "max": 9}},
    "epochs x fraction x resolution": {
        "epochs": {"type": "int", "growth": "continued", "min": 1, "max": 9},
        "data_fraction": {"type": "float", "values": [0.25, 0.5, 1.0], "on_change": "warm_start"},
        "resolution": {"type": "int", "values": [7, 14, 28], "cost_power": 2, "on_change": "warm_start"},
    },
}


def campaign(arm, seed, args):
    """The image example's campaign.yaml with this arm's budget, ASHA and a smaller pool."""
    with open(os.path.join(HERE, "campaign.yaml"), encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    spec["name"] = "bench-" + ("epochs" if arm == "epochs" else "multi") + f"-{seed}"
    spec["seed"] = seed
    spec["budget"] = {"min": 1, "max": 9, "dimensions": ARMS[arm]}
    spec["scheduler"] = {"type": "asha", "eta": 3, "max_trials": 10000, "max_concurrent": 2}
    spec["trial"]["command"] = ["/usr/bin/python3", os.path.join(HERE, "train.py"), "--seed", "{trial_id}",
                                "--train-size", str(args.train_size), "--val-size", str(args.val_size)]
    return spec


def new_reports(out, position):
    """Report rows (dicts of the reported metrics plus trial) since position: (rows, position).
    The campaign's reports are the only thing this harness reads from rungs' output: the
    reports view of OUT/rungs.db, by seq."""
    db_path = os.path.join(out, "rungs.db")
    if not os.path.exists(db_path):
        return [], position
    try:
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10)
        rows = db.execute("SELECT seq, trial, metrics FROM reports WHERE seq > ? ORDER BY seq",
                          (position,)).fetchall()
        db.close()
    except sqlite3.OperationalError:  # created but no schema yet
        return [], position
    return [dict(json.loads(m), trial=t) for _, t, m in rows], (rows[-1][0] if rows else position)


def run_one(rungs, arm, seed, args):
    out = os.path.join(args.work_dir, f"{'epochs' if arm == 'epochs' else 'multi'}-seed{seed}")
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "campaign.yaml")
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(campaign(arm, seed, args), f, sort_keys=False)
    started = time.monotonic()
    proc = subprocess.Popen([rungs, "run", path, "--output", os.path.join(out, "run"), "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    cost, position, best, trials, reached = 0.0, 0, None, set(), None
    while reached is None:
        finished = proc.poll() is not None
        rows, position = new_reports(os.path.join(out, "run"), position)
        for r in rows:
            if reached is not None or r.get("val_error") is None:
                continue
            f, res = r.get("data_fraction", 1.0), r.get("resolution", 28)
            cost += f * (res / 28) ** 2
            trials.add(r["trial"])
            if f == 1.0 and res == 28:
                best = r["val_error"] if best is None else min(best, r["val_error"])
            if cost >= args.cost - 1e-9:
                reached = time.monotonic() - started
        if finished:
            break
        time.sleep(0.2)
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    log = proc.communicate(timeout=120)[0]
    with open(os.path.join(out, "rungs.log"), "w", encoding="utf-8") as f:
        f.write(log)
    wall = time.monotonic() - started
    return {"arm": arm, "seed": seed, "cost": round(cost, 3), "best_val_error": best,
            "trials": len(trials), "seconds_to_budget": reached, "wall_seconds": wall,
            "exit_code": proc.returncode}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rungs", help="the built rungs binary")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--cost", type=float, default=20, help="epoch-equivalents per campaign")
    ap.add_argument("--train-size", type=int, default=10000)
    ap.add_argument("--val-size", type=int, default=5000)
    ap.add_argument("--work-dir", default=None)
    args = ap.parse_args()
    args.work_dir = args.work_dir or tempfile.mkdtemp(prefix="rungs-bench-budgets-")
    os.makedirs(args.work_dir, exist_ok=True)
    print(f"work dir {args.work_dir}", flush=True)

    results = []
    for seed in args.seeds:
        for arm in ARMS:  # interleaved, so a change in machine load hits both arms alike
            r = run_one(args.rungs, arm, seed, args)
            results.append(r)
            print(json.dumps(r), flush=True)
    found = [r["best_val_error"] for r in results if r["best_val_error"] is not None]
    reference = min(found) if found else float("nan")
    for r in results:
        r["regret"] = None if r["best_val_error"] is None else r["best_val_error"] - reference
    with open(os.path.join(args.work_dir, "results.json"), "w", encoding="utf-8") as f:
        json.dump({"args": vars(args), "reference_val_error": reference, "results": results}, f, indent=1)

    def fmt(values, digits):
        values = [v for v in values if v is not None]
        if not values:
            return "-"
        if len(values) == 1:
            return f"{values[0]:.{digits}f}"
        return f"{statistics.mean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}"

    print(f"\nbest validation error of any campaign: {reference:.4f}; cost {args.cost:g} "
          f"epoch-equivalents per campaign; seeds {args.seeds}\n")
    print("| budget | regret (val error), mean ± sd | per seed | trials | wall [s] to budget | wall [s] total |")
    print("|---|---|---|---|---|---|")
    for arm in ARMS:
        rs = [r for r in results if r["arm"] == arm]
        per_seed = ", ".join("-" if r["regret"] is None else f"{r['regret']:.4f}" for r in rs)
        print(f"| {arm} | {fmt([r['regret'] for r in rs], 4)} | {per_seed} | {fmt([r['trials'] for r in rs], 1)} "
              f"| {fmt([r['seconds_to_budget'] for r in rs], 0)} | {fmt([r['wall_seconds'] for r in rs], 0)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
