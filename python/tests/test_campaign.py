"""rungs.run / rungs.simulate / rungs.load: a campaign run from Python by the code of
`rungs run`, with a trial written with rungs.trial, read back as records and DataFrames."""

import os
import signal
import sys
import tempfile
import threading
import time
import unittest

import rungs

CAMPAIGN = """\
name: from-python
seed: 1
metric: {name: loss, mode: min}
space:
  x:    {type: float, low: -2, high: 2}
  kind: {type: categorical, choices: [a, b]}
  bonus: {type: float, low: 0, high: 1, when: {kind: b}}
budget:
  min: 1
  max: 9
  dimensions:
    epochs: {type: int, growth: continued, min: 1, max: 9}
scheduler: {type: hyperband, eta: 3, max_concurrent: 2}
optimizer: tpe
trial:
  command: [/usr/bin/python3, "{campaign_dir}/trial.py"]
  timeout: 120s
"""

TRIAL = """\
import os, time
from rungs import trial

params, budget = trial.params(), trial.budget()
delay = float(os.environ.get("EPOCH_SECONDS", "0"))
checkpoint = os.path.join(trial.trial_dir(), "epoch")  # a promoted run continues from here
start = 1
if trial.resume() and os.path.exists(checkpoint):
    start = int(open(checkpoint).read()) + 1
for epoch in range(start, int(budget["epochs"]) + 1):
    time.sleep(delay)
    loss = (params["x"] - 0.5) ** 2 + 1.0 / epoch + (params.get("bonus", 0) if params["kind"] == "b" else 0.2)
    trial.report(epoch, loss=loss, accuracy=1 - loss / 10)
    with open(checkpoint, "w") as f:
        f.write(str(epoch))
"""


class CampaignFromPython(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = cls.tmp.name
        with open(os.path.join(cls.dir, "campaign.yaml"), "w") as f:
            f.write(CAMPAIGN)
        with open(os.path.join(cls.dir, "trial.py"), "w") as f:
            f.write(TRIAL)
        cls.result = rungs.run(os.path.join(cls.dir, "campaign.yaml"), output=os.path.join(cls.dir, "out"), quiet=True)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_run_returns_the_best_and_where_it_is(self):
        result = self.result
        self.assertEqual(os.path.join(self.dir, "out"), result.directory)
        self.assertEqual("loss", result.best["metric"])
        self.assertEqual(2, result.best["level"])
        self.assertIn("x", result.best["params"])
        finals = [t["values_by_level"].get("2") for t in result.trials]
        self.assertEqual(min(v for v in finals if v is not None), result.best["value"])

    def test_load_reads_the_records(self):
        campaign = rungs.load(os.path.join(self.dir, "out"))
        self.assertEqual("from-python", campaign.name)
        self.assertEqual(("loss", "min"), (campaign.metric, campaign.direction))
        self.assertEqual(["x", "kind", "bonus"], [p["name"] for p in campaign.info["space"]])
        self.assertGreater(len(campaign.trials), 5)
        self.assertGreater(len(campaign.runs), len(campaign.trials))  # promotions are runs too
        self.assertEqual({"trial", "state", "params", "budget", "values_by_level"} - set(campaign.trials[0]), set())
        for report in campaign.reports:
            self.assertEqual(report["value"], report["metrics"]["loss"])
            self.assertIn("accuracy", report["metrics"])
        self.assertEqual(sorted(t["trial"] for t in campaign.trials), [t["trial"] for t in campaign.trials])
        self.assertIn("rungs.Campaign('from-python'", repr(campaign))

    def test_dataframes_with_pandas(self):
        try:
            import pandas  # noqa: F401
        except ImportError:
            self.skipTest("pandas is not installed")
        campaign = rungs.load(os.path.join(self.dir, "out"))
        trials = campaign.trials_dataframe()
        self.assertEqual(len(campaign.trials), len(trials))
        self.assertIn("params.x", trials.columns)
        self.assertIn("budget.epochs", trials.columns)
        reports = campaign.reports_dataframe()
        self.assertIn("metrics.accuracy", reports.columns)
        self.assertEqual(len(campaign.runs), len(campaign.runs_dataframe()))
        self.assertEqual(0, len(campaign.warnings_dataframe()))

    def test_dataframes_without_pandas_say_what_to_install(self):
        saved = sys.modules.get("pandas")
        sys.modules["pandas"] = None  # `import pandas` now raises ImportError
        try:
            campaign = rungs.load(os.path.join(self.dir, "out"))
            self.assertGreater(len(campaign.trials), 0)  # the records need no pandas
            with self.assertRaisesRegex(ImportError, "python3-pandas"):
                campaign.trials_dataframe()
        finally:
            if saved is None:
                del sys.modules["pandas"]
            else:
                sys.modules["pandas"] = saved

    def test_run_again_resumes_the_finished_campaign(self):
        again = rungs.run(os.path.join(self.dir, "campaign.yaml"), output=os.path.join(self.dir, "out"), quiet=True)
        self.assertEqual(self.result.best, again.best)
        self.assertEqual(len(self.result.runs), len(again.runs))


class Simulate(unittest.TestCase):
    def test_simulate_needs_no_trial_program(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "campaign.yaml")
            with open(path, "w") as f:
                f.write(CAMPAIGN.replace("/usr/bin/python3", "no-such-program"))
            campaign = rungs.simulate(path, output=os.path.join(tmp, "sim"), workers=4)
            self.assertEqual("simulate", campaign.info["mode"])
            self.assertIsNotNone(campaign.best)
            self.assertGreater(len(campaign.reports), len(campaign.runs))


class Errors(unittest.TestCase):
    def test_a_bad_campaign_file_names_file_line_and_column(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "campaign.yaml")
            with open(path, "w") as f:
                f.write(CAMPAIGN.replace("when: {kind: b}", "when: {kind: c}"))
            with self.assertRaises(rungs.ConfigError) as caught:
                rungs.run(path, output=os.path.join(tmp, "out"))
            self.assertRegex(str(caught.exception), rf"^{path}:7:\d+: space\.bonus\.when\.kind: 'c' is not a choice")
            self.assertFalse(os.path.exists(os.path.join(tmp, "out")))
            with self.assertRaisesRegex(RuntimeError, "rungs.db|campaign"):
                rungs.load(tmp)

    def test_a_missing_program_is_refused_before_anything_runs(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "campaign.yaml")
            with open(path, "w") as f:
                f.write(CAMPAIGN.replace("/usr/bin/python3", "no-such-program"))
            with self.assertRaisesRegex(rungs.ConfigError, "no-such-program"):
                rungs.run(path, output=os.path.join(tmp, "out"))


class Interrupt(unittest.TestCase):
    def test_ctrl_c_stops_the_campaign_and_python_gets_it_back(self):
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "campaign.yaml"), "w") as f:
                f.write(CAMPAIGN)
            with open(os.path.join(tmp, "trial.py"), "w") as f:
                f.write(TRIAL)
            os.environ["EPOCH_SECONDS"] = "0.5"
            timer = threading.Timer(3.0, lambda: os.kill(os.getpid(), signal.SIGINT))
            try:
                timer.start()
                with self.assertRaises(KeyboardInterrupt):
                    rungs.run(os.path.join(tmp, "campaign.yaml"), output=os.path.join(tmp, "out"), quiet=True)
            finally:
                timer.cancel()
                del os.environ["EPOCH_SECONDS"]
            campaign = rungs.load(os.path.join(tmp, "out"))
            self.assertGreater(len(campaign.runs), 0)
            self.assertIsNone(campaign.best)
            # Python's own handler is back: a second Ctrl-C is a KeyboardInterrupt, not an exit.
            self.assertIs(signal.default_int_handler, signal.getsignal(signal.SIGINT))
            with self.assertRaises(KeyboardInterrupt):
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(5)


if __name__ == "__main__":
    unittest.main()
