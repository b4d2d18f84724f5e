"""The Python Study makes the C++ Study's decisions: examples/03_ask_tell (Hyperband + random
search on Rosenbrock, seed 3) written in Python prints exactly what the C++ program prints;
and with TPE and ASHA a Python loop and the C++ loop of tests/study agree on every job."""

import math
import os
import subprocess
import unittest

import rungs

BIN = os.environ.get("RUNGS_BIN_DIR", "")


def minimize_rosenbrock(config, steps):
    """examples/03_ask_tell/main.cpp's gradient descent, operation for operation."""
    name = config["optimizer"]
    lr = config["lr"]
    x, y, vx, vy, mx, my, sx, sy = -1.5, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    for t in range(1, steps + 1):
        gx = -2 * (1 - x) - 400 * x * (y - x * x)
        gy = 200 * (y - x * x)
        if name == "sgd":
            momentum = config["momentum"]
            vx = momentum * vx - lr * gx
            vy = momentum * vy - lr * gy
            x += vx
            y += vy
        else:
            b1, b2 = config["beta1"], config["beta2"]
            mx, my = b1 * mx + (1 - b1) * gx, b1 * my + (1 - b1) * gy
            sx, sy = b2 * sx + (1 - b2) * gx * gx, b2 * sy + (1 - b2) * gy * gy
            c1, c2 = 1 - math.pow(b1, t), 1 - math.pow(b2, t)
            x -= lr * (mx / c1) / (math.sqrt(sx / c2) + 1e-8)
            y -= lr * (my / c1) / (math.sqrt(sy / c2) + 1e-8)
        if not (math.isfinite(x) and math.isfinite(y)):
            return math.inf
    return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)


SPACE = {
    "optimizer": {"type": "categorical", "choices": ["sgd", "adam"]},
    "lr": {"type": "float", "low": 1e-5, "high": 1e-1, "log": True},
    "momentum": {"type": "float", "low": 0.0, "high": 0.99, "when": {"optimizer": "sgd"}},
    "beta1": {"type": "float", "low": 0.5, "high": 0.99, "when": {"optimizer": "adam"}},
    "beta2": {"type": "float", "low": 0.9, "high": 0.9999, "when": {"optimizer": "adam"}},
}
# BudgetLadder(100, 8100, 3, {steps: int, continued, geometric 100..8100}), priced in units
# as the C++ example's ladder is (a campaign file defaults to the product of the dimensions).
BUDGET = {"min": 100, "max": 8100, "cost": "units",
          "dimensions": {"steps": {"type": "int", "growth": "continued", "min": 100, "max": 8100}}}


def cpp_number(value):
    """fmt's "{}" for a double: the shortest text that reads back, as Python's repr, but
    without a trailing ".0" and with a two-digit exponent."""
    text = repr(float(value))
    if text.endswith(".0"):
        text = text[:-2]
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        text = f"{mantissa}e{sign}{exponent.lstrip('+-').rjust(2, '0')}"
    return text


class SameAsCpp(unittest.TestCase):
    def test_the_ask_tell_example_prints_the_same(self):
        program = os.path.join(BIN, "ask-tell-example")
        if not os.path.exists(program):
            self.skipTest("examples are not built (RUNGS_BUILD_EXAMPLES=OFF)")
        expected = subprocess.run([program], check=True, capture_output=True, text=True).stdout

        study = rungs.Study(SPACE, budget=BUDGET, scheduler="hyperband", seed=3)
        runs = 0
        while (trial := study.ask()) is not None:
            study.tell(trial, minimize_rosenbrock(trial.config, int(trial.budget["steps"])))
            runs += 1
        best = study.best()
        lines = [f"{runs} runs; best f = {best['value']:.3g} (trial {best['trial']}, "
                 f"{cpp_number(best['budget']['steps'])} steps)"]
        for name, value in sorted(best["config"].items()):
            lines.append(f"  {name}: {cpp_number(value) if isinstance(value, float) else value}")
        self.assertEqual(expected, "\n".join(lines) + "\n")

    def test_every_scheduler_and_optimizer_decides_as_in_cpp(self):
        program = os.path.join(BIN, "study-trace")
        if not os.path.exists(program):
            self.skipTest("study-trace is not built")
        for scheduler in ["hyperband", "successive_halving", "asha", "async_hyperband"]:
            for optimizer in ["random", "tpe", "gp"]:
                with self.subTest(scheduler=scheduler, optimizer=optimizer):
                    expected = subprocess.run([program, scheduler, optimizer, "5"], check=True,
                                              capture_output=True, text=True).stdout
                    self.assertEqual(expected, trace(scheduler, optimizer, 5))


def trace_objective(config, steps, step):
    """study_trace.cpp's objective."""
    value = (math.log10(config["lr"]) + 2.5) ** 2
    if config["optimizer"] == "sgd":
        value += (config["momentum"] - 0.9) ** 2
    else:
        value += (config["beta1"] - 0.8) ** 2 + 0.3
    return value + 10.0 / (1.0 + min(step, steps))


def trace(scheduler, optimizer, seed):
    """study_trace.cpp's loop in Python: the same jobs, stops and best, printed alike."""
    settings = {"type": scheduler, "stopping_rule": {"type": "median"}}
    if scheduler in ("asha", "async_hyperband"):
        settings["max_trials"] = 40
    # BudgetLadder(1, 27, 3, {epochs: int, continued, geometric 1..27}), priced in units.
    budget = {"min": 1, "max": 27, "cost": "units",
              "dimensions": {"epochs": {"type": "int", "growth": "continued", "min": 1, "max": 27}}}
    study = rungs.Study(SPACE, budget=budget, scheduler=settings, optimizer=optimizer, seed=seed)
    out = []
    while (trial := study.ask()) is not None:
        epochs = trial.budget["epochs"]
        config = "".join(f" {name}={'%.17g' % value if isinstance(value, float) else value}"
                         for name, value in sorted(trial.config.items()))
        out.append(f"job {trial.id} level {trial.level}{config}")
        start = int(trial.resume_from["epochs"]) if trial.resume_from else 0
        value = 0.0
        for epoch in range(start + 1, int(epochs) + 1):
            value = trace_objective(trial.config, epochs, epoch)
            if study.report(trial, epoch, value):
                out.append(f"stop {trial.id} at {epoch}")
                break
        study.tell(trial, value)
    best = study.best()
    if best is not None:
        out.append(f"best {best['trial']} {'%.17g' % best['value']}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    unittest.main()
