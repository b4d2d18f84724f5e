#!/usr/bin/python3
"""CTest smoke test of the image example: runs campaign-ci.yaml with the built `rungs` and
checks what really happened (trials completed, one report per epoch, a promoted run relaunched
at a larger resolution that resumed from its checkpoint).

    /usr/bin/python3 smoke_test.py BUILD/bin/rungs [--keep]

Exit 0 pass, 1 fail, 77 skipped (python3-torch or dataset-fashion-mnist not installed).
The campaign's output layout is read in one place, read_results(): when the results move
(e.g. into a database), only that function changes; check() speaks about runs and reports.
"""

import importlib.util
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"


def read_results(out):
    """The campaign's results as plain data, from OUT/rungs.db (SQLite: the runs and reports
    views, the trials table, docs/storage.md):
    runs:    [{run, trial, level, resumed, budget: {epochs, data_fraction, resolution}, value, failure}]
    reports: [{trial, run, step, resolution, data_fraction, val_error, ...}]
    trials:  {trial: state}
    stdout:  {trial: text of the trial's stdout.log (every run, untagged lines included)}"""
    db_path = os.path.join(out, "rungs.db")
    db = sqlite3.connect(db_path)
    runs = [{"run": run, "trial": trial, "level": level, "resumed": bool(resumed),
             "budget": json.loads(budget), "value": value, "failure": failure}
            for run, trial, level, resumed, budget, value, failure in db.execute(
                "SELECT run, trial, level, resumed, budget, value, failure FROM runs")]
    reports = [dict(json.loads(metrics), trial=trial, run=run, step=step)
               for trial, run, step, metrics in db.execute("SELECT trial, run, step, metrics FROM reports")]
    trials = dict(db.execute("SELECT trial, state FROM trials"))
    db.close()
    stdout = {}
    for trial in trials:
        with open(os.path.join(out, "trials", f"{trial:04d}", "stdout.log"), encoding="utf-8") as f:
            stdout[trial] = f.read()
    return runs, reports, trials, stdout


def check(runs, reports, trials, stdout):
    """Assertions on the tiny campaign: one SH bracket, eta 2, levels epochs 1/2/4 at 7/14/28."""
    problems = []

    def expect(cond, what):
        if not cond:
            problems.append(what)

    expect(len(trials) == 4, f"4 trials expected, got {len(trials)}")
    expect(len(runs) == 4 + 2 + 1, f"7 runs expected (4 + 2 + 1), got {len(runs)}")
    completed = [t for t, state in trials.items() if state == "completed"]
    expect(len(completed) == 1, f"one completed trial expected, states: {trials}")

    # One report per epoch: every run that ended normally reported each epoch it trained, once,
    # and a resumed run continues the step count where the previous level stopped.
    by_run = {}
    for r in reports:
        by_run.setdefault((r["trial"], r["run"]), []).append(r)
    epochs_before = {}
    for run in sorted(runs, key=lambda r: r["run"]):
        trial, epochs = run["trial"], run["budget"]["epochs"]
        start = epochs_before.get(trial, 0) if run["resumed"] else 0
        got = [r["step"] for r in by_run.get((trial, run["run"]), [])]
        if run["failure"] is None:
            expect(got == list(range(start + 1, epochs + 1)),
                   f"trial {trial} run {run['run']} ({epochs} epochs, resumed={run['resumed']}): steps {got}")
            expect(all(r["resolution"] == run["budget"]["resolution"] for r in by_run.get((trial, run["run"]), [])),
                   f"trial {trial} run {run['run']}: reports at another resolution than its budget")
        epochs_before[trial] = epochs

    # Promotions: relaunched at the next resolution, resumed from the checkpoint (warm start).
    resumed = [r for r in runs if r["resumed"]]
    expect(sorted(r["budget"]["resolution"] for r in resumed) == [14, 14, 28],
           f"resumed runs at resolutions 14, 14, 28 expected, got {[r['budget'] for r in resumed]}")
    for trial in completed:
        steps = sorted((r["step"], r["resolution"]) for r in reports if r["trial"] == trial)
        expect(steps == [(1, 7), (2, 14), (3, 28), (4, 28)],
               f"completed trial {trial}: (step, resolution) {steps}")
        expect("resumed from epoch 2; warm start: resolution 14 -> 28" in stdout[trial],
               f"completed trial {trial}: no warm-start line in stdout.log:\n{stdout[trial]}")
        top = [r["value"] for r in runs if r["trial"] == trial and r["budget"]["resolution"] == 28]
        expect(top and top[0] is not None and top[0] < 0.5,
               f"completed trial {trial}: validation error {top} (a trained model is below 0.5)")
    return problems


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 1
    rungs = sys.argv[1]
    if importlib.util.find_spec("torch") is None or not os.path.exists(DATA):
        print("SKIP: needs python3-torch and dataset-fashion-mnist (bash scripts/setup.sh)")
        return 77
    work = tempfile.mkdtemp(prefix="rungs-image-smoke-")
    out = os.path.join(work, "out")
    started = time.monotonic()
    proc = subprocess.run([rungs, "run", os.path.join(HERE, "campaign-ci.yaml"), "--output", out, "--quiet"],
                          capture_output=True, text=True, timeout=240)
    elapsed = time.monotonic() - started
    print(proc.stdout, proc.stderr, sep="\n")
    print(f"rungs exited {proc.returncode} after {elapsed:.1f} s; results in {out}")
    problems = [] if proc.returncode == 0 else [f"rungs exited {proc.returncode}"]
    if "Best configuration" not in proc.stdout:
        problems.append("no 'Best configuration' in rungs' output")
    if not problems:
        try:
            problems = check(*read_results(out))
        except (OSError, KeyError, ValueError, sqlite3.Error) as e:
            problems = [f"cannot read the results: {e!r}"]
    for p in problems:
        print("FAIL:", p)
    if problems or "--keep" in sys.argv:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
