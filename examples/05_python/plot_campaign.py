#!/usr/bin/env python3
"""A finished campaign in a notebook-style script: load its store with rungs.load, look at
the trials as a pandas DataFrame (when pandas is installed), and plot every learning curve
and the best value against budget spent with matplotlib (when it is installed).

    python3 examples/05_python/plot_campaign.py runs/quickstart-20261128-133736   # writes campaign.png there
    python3 examples/05_python/plot_campaign.py            # simulates the quickstart campaign first

Cells are marked `# %%` (VS Code, Jupytext and Spyder run them one by one).
"""

# %%
import os
import sys
import tempfile

import rungs

here = os.path.dirname(os.path.abspath(__file__))
if len(sys.argv) > 1:
    directory = sys.argv[1]
else:  # no campaign at hand: a simulated one (synthetic trials on virtual workers, a second)
    directory = os.path.join(tempfile.mkdtemp(prefix="rungs-"), "quickstart-sim")
    rungs.simulate(os.path.join(here, "..", "01_quickstart", "campaign.yaml"), output=directory, workers=4,
                   epoch_seconds=1)  # a virtual second per epoch: within the trial timeout
campaign = rungs.load(directory)
print(campaign)
print("best:", campaign.best)

# %% The records are plain lists of dicts; with pandas they are DataFrames.
try:
    trials = campaign.trials_dataframe()
    print(trials[["trial", "state", "level", "last_value"] + [c for c in trials.columns if c.startswith("params.")]]
          .sort_values("last_value").head(10).to_string(index=False))
except ImportError as error:
    print(error)
    for trial in sorted(campaign.trials, key=lambda t: (t["last_value"] is None, t["last_value"] or 0))[:10]:
        print(trial["trial"], trial["state"], trial["level"], trial["last_value"], trial["params"])

# %% Learning curves (stopped trials dashed) and the best final value against budget spent.
try:
    import matplotlib
    matplotlib.use("Agg" if not os.environ.get("DISPLAY") else matplotlib.get_backend())
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib is not installed (Debian: python3-matplotlib): no plot")
    sys.exit(0)

states = {t["trial"]: t["state"] for t in campaign.trials}
curves = {}
for report in campaign.reports:
    if report["value"] is not None and report["step"] is not None:
        curves.setdefault(report["trial"], []).append((report["step"], report["value"]))

figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
for trial, points in curves.items():
    steps, values = zip(*sorted(points))
    left.plot(steps, values, "--" if states.get(trial) == "stopped" else "-", linewidth=0.8)
left.set(xlabel="step", ylabel=campaign.metric, title="learning curves (stopped: dashed)", yscale="log")

spent, best, sign = 0.0, None, 1 if campaign.direction == "min" else -1
xs, ys = [], []
for run in sorted(campaign.runs, key=lambda r: r["ended"] if r["ended"] is not None else float("inf")):
    spent += run["cost"] if run.get("cost") is not None else run["units"]
    if run["value"] is not None and run["level"] == max(r["level"] for r in campaign.runs):
        best = run["value"] if best is None else (min if sign > 0 else max)(best, run["value"])
    if best is not None:
        xs.append(spent)
        ys.append(best)
right.step(xs, ys, where="post")
right.set(xlabel="budget spent", ylabel=f"best {campaign.metric} at the top level", title="anytime performance")
figure.tight_layout()
out = os.path.join(campaign.directory, "campaign.png")
figure.savefig(out, dpi=100)
print("plot:", out)
