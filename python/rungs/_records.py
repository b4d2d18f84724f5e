"""Campaigns from Python: run / simulate one (the code of `rungs run` / `rungs simulate`) and
read its store (rungs.db) into plain records, or pandas DataFrames when pandas is installed."""

import json
import os

from . import _rungs

__all__ = ["Campaign", "load", "run", "simulate"]


class Campaign:
    """A campaign's results, read from its directory in one transaction (even while it runs).

    trials, runs, reports, warnings: lists of dicts, one per row, with the columns of
    `rungs export` (docs/storage.md); info: what the campaign is (name, metric, direction,
    space, ladder, its YAML); best: DIR/best.json (None until the campaign has finished).
    """

    def __init__(self, directory):
        self.directory = os.path.abspath(os.fspath(directory))
        data = _rungs._read_store(self.directory)
        self.info = data["campaign"]
        self.trials = data["trials"]
        self.runs = data["runs"]
        self.reports = data["reports"]
        self.warnings = data["warnings"]
        best = os.path.join(self.directory, "best.json")
        self.best = None
        if os.path.exists(best):
            with open(best, encoding="utf-8") as f:
                self.best = json.load(f)

    @property
    def name(self):
        return self.info["name"]

    @property
    def metric(self):
        return self.info["metric"]

    @property
    def direction(self):
        return self.info["direction"]

    def __repr__(self):
        return (f"rungs.Campaign({self.name!r}: {len(self.trials)} trials, {len(self.runs)} runs, "
                f"{len(self.reports)} reports, in {self.directory})")

    # pandas views: nested columns (params, budget, metrics) flattened with dots, as the CSV
    # export does ("params.lr", "budget.epochs", "metrics.val_acc").
    def trials_dataframe(self):
        return _dataframe(self.trials)

    def runs_dataframe(self):
        return _dataframe(self.runs)

    def reports_dataframe(self):
        return _dataframe(self.reports)

    def warnings_dataframe(self):
        return _dataframe(self.warnings)


def _pandas():
    try:
        import pandas
    except ImportError as error:
        raise ImportError("rungs: the *_dataframe() methods need pandas (Debian: apt-get install python3-pandas); "
                          "the records are plain lists of dicts without it (.trials, .runs, .reports)") from error
    return pandas


def _dataframe(rows):
    return _pandas().json_normalize(rows, sep=".") if rows else _pandas().DataFrame()


def load(directory):
    """A campaign's results (rungs.Campaign) from its directory, e.g. runs/quickstart-20261128-133736."""
    return Campaign(directory)


def run(campaign_file, output=None, quiet=False, programs=None):
    """Runs a campaign file as `rungs run` does (trial processes, rungs.db, best.json) and
    returns its results (rungs.Campaign: .best, .directory, .trials ...). `output`: the results
    directory (default: the file's `output:` or runs/NAME-TIMESTAMP); an existing campaign
    there is resumed. Ctrl-C stops every trial and raises KeyboardInterrupt. `programs`: the
    folder of rungs-supervisor and of trial programs named without a path (after PATH);
    default the build's bin/ (rungs._rungs.PROGRAM_DIR)."""
    return Campaign(_rungs._run(os.fspath(campaign_file), None if output is None else os.fspath(output), quiet,
                                _rungs.PROGRAM_DIR if programs is None else os.fspath(programs)))


def simulate(campaign_file, output=None, quiet=True, workers=0, seed=None, epoch_seconds=60.0):
    """Dry-runs a campaign's settings as `rungs simulate` does (synthetic trials on virtual
    workers) and returns its results (rungs.Campaign)."""
    return Campaign(_rungs._simulate(os.fspath(campaign_file), None if output is None else os.fspath(output), quiet,
                                     workers, seed, epoch_seconds))
