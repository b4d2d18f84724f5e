"""rungs.Study: ask/tell with every scheduler and optimizer, stop decisions, best(), errors."""

import math
import threading
import unittest

import rungs

SPACE = {
    "optimizer": {"type": "categorical", "choices": ["sgd", "adam"]},
    "lr": {"type": "float", "low": 1e-4, "high": 1.0, "log": True},
    "momentum": {"type": "float", "low": 0.0, "high": 0.95, "when": {"optimizer": "sgd"}},
    "hidden": {"type": "int", "low": 8, "high": 128, "log": True},
}
BUDGET = {"min": 1, "max": 9, "dimensions": {"epochs": {"type": "int", "growth": "continued", "min": 1, "max": 9}}}


def loss(config, epochs):
    value = (math.log10(config["lr"]) + 2) ** 2 + abs(config["hidden"] - 64) / 64
    if config["optimizer"] == "sgd":
        value += (config["momentum"] - 0.9) ** 2
    return value + 1.0 / epochs


def run_to_the_end(study):
    trials = 0
    while (trial := study.ask()) is not None:
        study.tell(trial, loss(trial.config, trial.budget["epochs"]))
        trials += 1
    return trials


class EverySchedulerAndOptimizer(unittest.TestCase):
    def test_each_pair_runs_to_the_end_and_finds_a_best(self):
        schedulers = [{"type": "hyperband"}, {"type": "successive_halving"}, {"type": "asha", "max_trials": 20},
                      {"type": "async_hyperband", "max_trials": 20}, {"type": "asha", "mode": "stopping", "max_trials": 20}]
        for scheduler in schedulers:
            for optimizer in ["random", "tpe", {"type": "gp", "acquisition": "ucb"}]:
                with self.subTest(scheduler=scheduler, optimizer=optimizer):
                    study = rungs.Study(SPACE, budget=BUDGET, scheduler=scheduler, optimizer=optimizer, seed=2)
                    self.assertGreater(run_to_the_end(study), 5)
                    self.assertTrue(study.finished)
                    best = study.best()
                    self.assertEqual(2, best["level"])
                    self.assertEqual({"epochs": 9.0}, best["budget"])
                    self.assertAlmostEqual(loss(best["config"], 9), best["value"])
                    self.assertIn(study.state(best["trial"]), ("completed", "waiting", "stopped"))

    def test_the_same_seed_makes_the_same_decisions(self):
        def trajectory(seed):
            study = rungs.Study(SPACE, budget=BUDGET, scheduler="hyperband", optimizer="tpe", seed=seed)
            out = []
            while (trial := study.ask()) is not None:
                out.append((trial.id, trial.level, sorted(trial.config.items())))
                study.tell(trial, loss(trial.config, trial.budget["epochs"]))
            return out
        self.assertEqual(trajectory(4), trajectory(4))
        self.assertNotEqual(trajectory(4), trajectory(5))

    def test_promotions_say_what_was_trained(self):
        study = rungs.Study(SPACE, budget=BUDGET, scheduler="successive_halving", seed=1)
        promoted = 0
        while (trial := study.ask()) is not None:
            if trial.level > 0:
                promoted += 1
                self.assertIsNotNone(trial.resume_from)
                self.assertEqual(trial.level - 1, trial.resume_level)
                self.assertLess(trial.resume_from["epochs"], trial.budget["epochs"])
            else:
                self.assertIsNone(trial.resume_from)
            self.assertIn("Trial(id=", repr(trial))
            study.tell(trial.id, loss(trial.config, trial.budget["epochs"]))  # an id is a trial too
        self.assertGreater(promoted, 0)

    def test_maximize(self):
        study = rungs.Study(SPACE, budget=BUDGET, scheduler={"type": "asha", "max_trials": 15}, seed=3, maximize=True)
        told = {}
        while (trial := study.ask()) is not None:
            told[trial.id] = -loss(trial.config, trial.budget["epochs"])
            study.tell(trial, told[trial.id])
        best = study.best()
        self.assertGreater(best["value"], -10)
        self.assertEqual(best["value"], told[best["trial"]])

    def test_from_yaml_takes_the_campaigns_settings(self):
        import os
        source = os.environ.get("RUNGS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
        study = rungs.Study.from_yaml(os.path.join(source, "examples", "01_quickstart", "campaign.yaml"))
        trial = study.ask()
        self.assertIn("epochs", trial.budget)
        self.assertIn("lr", trial.config)
        # Its limits.cost (330) bounds the study: ask() ends once the next run would not fit.
        asked = 1
        study.tell(trial, 1.0)
        while (trial := study.ask()) is not None:
            asked += 1
            study.tell(trial, trial.config["lr"])
        self.assertTrue(study.finished)
        self.assertGreater(asked, 20)
        self.assertLess(asked, 1000)


class StopDecisions(unittest.TestCase):
    def test_the_median_rule_stops_poor_curves(self):
        study = rungs.Study(SPACE, budget=BUDGET, seed=1,
                            scheduler={"type": "asha", "max_trials": 30, "mode": "stopping",
                                       "stopping_rule": {"type": "median", "grace_period": 1, "min_samples": 2}})
        stops = 0
        while (trial := study.ask()) is not None:
            start = int(trial.resume_from["epochs"]) if trial.resume_from else 0
            value = None
            for epoch in range(start + 1, int(trial.budget["epochs"]) + 1):
                value = loss(trial.config, epoch)
                if study.report(trial, epoch, value):
                    stops += 1
                    break
            study.tell(trial, value)
        self.assertGreater(stops, 0)
        self.assertIsNotNone(study.best())

    def test_failures_and_missing_values_rank_last(self):
        study = rungs.Study(SPACE, budget=BUDGET, scheduler="successive_halving", seed=1)
        first = study.ask()
        study.tell_failed(first)
        self.assertEqual("failed", study.state(first))
        second = study.ask()
        study.tell(second, None)
        while (trial := study.ask()) is not None:
            study.tell(trial, loss(trial.config, trial.budget["epochs"]))
        self.assertNotIn(study.best()["trial"], (first.id, second.id))


class Errors(unittest.TestCase):
    def test_settings_errors_carry_the_cli_messages(self):
        with self.assertRaisesRegex(rungs.ConfigError, r"^scheduler\.type: unknown scheduler 'hyperbnd'"):
            rungs.Study(SPACE, budget=BUDGET, scheduler="hyperbnd")
        with self.assertRaisesRegex(rungs.ConfigError, r"^optimizer"):
            rungs.Study(SPACE, budget=BUDGET, optimizer="bayes")
        with self.assertRaisesRegex(rungs.ConfigError, r"^budget\.max: must be at least min"):
            rungs.Study(SPACE, budget={"min": 9, "max": 1})
        with self.assertRaisesRegex(rungs.ConfigError, r"^scheduler\.eta: must be greater than 1"):
            rungs.Study(SPACE, budget=BUDGET, scheduler={"type": "hyperband", "eta": 1})
        with self.assertRaisesRegex(ValueError, "max_trials|limit"):
            rungs.Study(SPACE, budget=BUDGET, scheduler="asha")

    def test_telling_an_unknown_trial_fails(self):
        study = rungs.Study(SPACE, budget=BUDGET, seed=1)
        with self.assertRaisesRegex(RuntimeError, "no job outstanding"):
            study.tell(12345, 1.0)
        with self.assertRaises(KeyError):
            study.state(12345)
        with self.assertRaises(TypeError):
            rungs.Study(["not", "a", "space"])


class Threads(unittest.TestCase):
    def test_studies_run_in_threads(self):
        # The GIL is released while C++ suggests: studies in threads run side by side, and
        # each gives what it gives alone.
        def alone(seed):
            study = rungs.Study(SPACE, budget=BUDGET, scheduler="hyperband", optimizer="tpe", seed=seed)
            run_to_the_end(study)
            return study.best()
        expected = {seed: alone(seed) for seed in range(3)}
        results = {}
        threads = [threading.Thread(target=lambda s=s: results.__setitem__(s, alone(s))) for s in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(expected, results)


if __name__ == "__main__":
    unittest.main()
