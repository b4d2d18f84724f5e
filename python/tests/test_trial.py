"""rungs.trial is the trial helper client/rungs_trial.py, importable from the package."""

import io
import json
import os
import subprocess
import sys
import unittest
from contextlib import redirect_stdout

import rungs
from rungs import trial

SOURCE = os.environ.get("RUNGS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


class TrialHelper(unittest.TestCase):
    def test_it_is_the_client_helper(self):
        with open(os.path.join(SOURCE, "client", "rungs_trial.py"), encoding="utf-8") as f:
            source = f.read()
        with open(trial.__file__, encoding="utf-8") as f:
            self.assertEqual(source, f.read())
        self.assertIs(trial, rungs.trial)

    def test_report_prints_a_protocol_line(self):
        out = io.StringIO()
        with redirect_stdout(out):
            trial.report(step=3, val_loss=0.25, val_acc=float("nan"))
        line = out.getvalue()
        self.assertTrue(line.startswith(trial.PREFIX))
        self.assertEqual({"step": 3, "val_loss": 0.25, "val_acc": None}, json.loads(line[len(trial.PREFIX):]))

    def test_flags_and_params_come_from_the_environment(self):
        env = dict(os.environ, RUNGS_TRIAL_ID="7", RUNGS_PARAMS='{"lr": 0.1}', RUNGS_BUDGET='{"epochs": 9}',
                   RUNGS_RESUME="1", RUNGS_RELAUNCH="0")
        code = ("from rungs import trial; "
                "print(trial.trial_id(), trial.params(), trial.budget(), trial.resume(), trial.launched_by_rungs())")
        out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True).stdout
        self.assertEqual("7 {'lr': 0.1} {'epochs': 9} True True\n", out)


if __name__ == "__main__":
    unittest.main()
