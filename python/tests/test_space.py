"""rungs.Space: from dicts and from YAML, conditions, sampling, and the CLI's messages."""

import os
import tempfile
import unittest

import rungs

SOURCE = os.environ.get("RUNGS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))

SPACE = {
    "optimizer": {"type": "categorical", "choices": ["sgd", "adam"]},
    "lr": {"type": "float", "low": 1e-4, "high": 1.0, "log": True},
    "momentum": {"type": "float", "low": 0.0, "high": 0.95, "when": {"optimizer": "sgd"}},
    "beta1": {"type": "float", "low": 0.5, "high": 0.99, "when": {"optimizer": "adam"}},
    "layers": {"type": "int", "low": 1, "high": 3},
    "width2": {"type": "int", "low": 16, "high": 128, "log": True, "when": {"layers": [2, 3]}},
}


class SpaceFromDicts(unittest.TestCase):
    def test_keeps_the_order_and_round_trips(self):
        space = rungs.Space(SPACE)
        self.assertEqual(list(SPACE), space.names)
        self.assertEqual(6, len(space))
        again = rungs.Space(space.to_dict())
        self.assertEqual(space.to_dict(), again.to_dict())
        self.assertEqual({"type": "float", "low": 0.0, "high": 0.95, "when": {"optimizer": "sgd"}},
                         space.to_dict()["momentum"])
        self.assertEqual({"layers": [2, 3]}, space.to_dict()["width2"]["when"])

    def test_samples_only_active_parameters(self):
        space = rungs.Space(SPACE)
        seen = set()
        for seed in range(40):
            config = space.sample(seed)
            seen.add(config["optimizer"])
            self.assertEqual(config["optimizer"] == "sgd", "momentum" in config)
            self.assertEqual(config["optimizer"] == "adam", "beta1" in config)
            self.assertEqual(config["layers"] >= 2, "width2" in config)
            self.assertIsInstance(config["layers"], int)
            self.assertIsInstance(config["lr"], float)
            self.assertTrue(1e-4 <= config["lr"] <= 1.0)
            space.validate(config)
        self.assertEqual({"sgd", "adam"}, seen)
        self.assertEqual(space.sample(7), space.sample(7))

    def test_conditions(self):
        space = rungs.Space(SPACE)
        self.assertTrue(space.is_active("momentum", {"optimizer": "sgd"}))
        self.assertFalse(space.is_active("momentum", {"optimizer": "adam"}))
        self.assertTrue(space.is_active("width2", {"layers": 3}))
        with self.assertRaisesRegex(ValueError, "momentum"):
            space.validate({"optimizer": "adam", "lr": 0.1, "layers": 1, "momentum": 0.5, "beta1": 0.9})
        space.validate({"optimizer": "adam", "lr": 1, "layers": 1, "beta1": 0.9})  # 1 for a float: 1.0

    def test_errors_carry_the_cli_messages(self):
        bad = dict(SPACE, lr={"type": "float", "low": 1.0, "high": 0.1})
        with self.assertRaises(rungs.ConfigError) as caught:
            rungs.Space(bad)
        self.assertIsInstance(caught.exception, ValueError)
        self.assertTrue(str(caught.exception).startswith("space.lr"), str(caught.exception))
        self.assertIn("low", str(caught.exception))
        typo = dict(SPACE, momentum={"type": "float", "low": 0, "high": 1, "when": {"optimizer": "sdg"}})
        with self.assertRaisesRegex(rungs.ConfigError, r"^space\.momentum\.when\.optimizer: 'sdg' is not a choice"):
            rungs.Space(typo)
        with self.assertRaisesRegex(rungs.ConfigError, "space.x.type.*float"):
            rungs.Space({"x": {"type": "real", "low": 0, "high": 1}})
        with self.assertRaises(TypeError):
            rungs.Space({"x": {"type": "float", "low": object(), "high": 1}})

    def test_numpy_numbers_are_numbers(self):
        import numpy
        space = rungs.Space({"x": {"type": "float", "low": numpy.float64(0.5), "high": numpy.int64(2)}})
        self.assertEqual({"x": {"type": "float", "low": 0.5, "high": 2.0}}, space.to_dict())


class SpaceFromYaml(unittest.TestCase):
    def test_reads_a_campaign_files_space(self):
        space = rungs.Space.from_yaml(os.path.join(SOURCE, "examples", "01_quickstart", "campaign.yaml"))
        self.assertIn("lr", space.names)
        self.assertIn("when", space.to_dict()["momentum"])

    def test_reads_a_space_file_and_names_file_line_and_column(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "space.yaml")
            with open(path, "w") as f:
                f.write("opt: {type: categorical, choices: [sgd, adam]}\n"
                        "momentum: {type: float, low: 0, high: 1, when: {opt: sgd}}\n")
            space = rungs.Space.from_yaml(path)
            self.assertEqual(["opt", "momentum"], space.names)
            with open(path, "w") as f:
                f.write("opt: {type: categorical, choices: [sgd, adam]}\n"
                        "momentum: {type: float, low: 0, high: 1, when: {opt: sdg}}\n")
            with self.assertRaises(rungs.ConfigError) as caught:
                rungs.Space.from_yaml(path)
            error = caught.exception
            self.assertTrue(str(error).startswith(f"{path}:2:"), str(error))
            self.assertEqual(2, error.line)
            self.assertEqual("momentum.when.opt", error.key_path)
            self.assertIn("'sdg' is not a choice", error.message)


if __name__ == "__main__":
    unittest.main()
