#!/usr/bin/env python3
"""A toy trial in pure-stdlib Python: shows client/rungs_trial.py, and serves the tests.

It "trains" a quadratic bowl instead of a model, so it runs in microseconds per epoch.
For the active parameters p (numeric values only; strings and booleans are ignored):

    final(p)  = sum over numeric p of (p - 0.5)^2 + 0.1 * (1 - data_fraction)
    speed(p)  = 0.25 + mean over numeric p of |p|
    loss(e)   = final(p) + 1 / (1 + speed(p) * e)          e = epoch 1, 2, ...

Large values learn faster but end worse, so learning curves cross (what makes early
stopping interesting). The optimum is every numeric parameter at 0.5 with the full data.

Budget: --epochs, else RUNGS_BUDGET["epochs"], else 10; data_fraction from RUNGS_BUDGET
(default 1). Reports `@rungs {"step": e, "val_loss": .., "train_loss": ..}` per epoch.
Resume: state.json in the trial directory holds the epoch reached; with RUNGS_RESUME=1 the
trial continues after it (steps keep counting), otherwise it starts at epoch 1.

Test switches: --sleep S per epoch; --fail-at E exits with status 3 at epoch E before
reporting it; --nan-at E reports val_loss NaN (written as null) at epoch E, then exits 1.
"""

import argparse
import json
import math
import os
import sys
import time

try:
    import rungs_trial
except ImportError:  # run from the source tree: the helper lives in <repo>/client
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "client"))
    import rungs_trial


def numeric_values(params):
    return [float(v) for v in params.values()
            if isinstance(v, (int, float)) and not isinstance(v, bool)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=float, help="total epochs to reach")
    parser.add_argument("--sleep", type=float, default=0.0, help="seconds per epoch")
    parser.add_argument("--fail-at", type=int, help="exit 3 at this epoch")
    parser.add_argument("--nan-at", type=int, help="report NaN at this epoch, then exit 1")
    args = parser.parse_args()

    params = rungs_trial.params()
    budget = rungs_trial.budget()
    epochs = int(round(args.epochs if args.epochs is not None else budget.get("epochs", 10)))
    fraction = float(budget.get("data_fraction", 1.0))

    values = numeric_values(params)
    final = sum((v - 0.5) ** 2 for v in values) + 0.1 * (1.0 - fraction)
    speed = 0.25 + (sum(abs(v) for v in values) / len(values) if values else 0.0)

    state_path = os.path.join(rungs_trial.trial_dir(), "state.json")
    done = 0
    if rungs_trial.resume() and os.path.exists(state_path):
        with open(state_path, encoding="utf-8") as f:
            done = int(json.load(f)["epoch"])
    print(f"trial {rungs_trial.trial_id()} params {params} budget {budget} from epoch {done + 1}",
          file=sys.stderr)

    for epoch in range(done + 1, epochs + 1):
        if args.sleep > 0:
            time.sleep(args.sleep)
        if args.fail_at == epoch:
            print(f"failing on purpose at epoch {epoch}", file=sys.stderr)
            return 3
        loss = final + 1.0 / (1.0 + speed * epoch)
        if args.nan_at == epoch:
            rungs_trial.report(epoch, val_loss=math.nan, train_loss=math.nan)
            return 1
        # Save the state before reporting: rungs may stop the trial right after the report.
        tmp = state_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"epoch": epoch}, f)
        os.replace(tmp, state_path)
        print(f"epoch {epoch}: loss {loss:.4f}")  # untagged: rungs ignores this line
        rungs_trial.report(epoch, val_loss=loss, train_loss=0.9 * loss)
    return 0


if __name__ == "__main__":
    sys.exit(main())
