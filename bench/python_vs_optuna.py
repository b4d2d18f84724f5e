#!/usr/bin/env python3
"""rungs from Python against Optuna (Debian's python3-optuna), both with their TPE defaults:

1. Per-suggestion time from Python at 100 / 1,000 / 5,000 observations, on one mixed
   conditional space (a categorical optimizer choice, log-scale floats, an integer, and
   parameters that exist only for one choice). rungs: Study.ask() with TPE (BOHB's model, one
   budget level); the observations are told through the same Study first. Optuna:
   study.ask() plus the define-by-run suggest_* calls of one configuration (TPESampler), the
   observations added first with study.add_trials. Mean and standard error over the
   suggestions timed at each size.
2. Quality on the synthetic problems (rungs.problem: augmented Branin and Hartmann-6 at full
   fidelity): simple regret (true value of the best configuration found minus the optimum)
   after the same number of evaluations, 20 seeds, mean +- standard error; one budget level
   for rungs (ASHA with max_trials = evaluations: plain TPE). And what rungs is for: BOHB
   (Hyperband + TPE) over the problems' fidelity s, at the same cost (evaluations x a full-
   fidelity run's 81 units), its incumbent's regret.

    /usr/bin/python3 bench/python_vs_optuna.py                   # both parts (minutes)
    /usr/bin/python3 bench/python_vs_optuna.py --part latency --sizes 100 1000
    PYTHONPATH=build/python when the module is not installed.
"""

import argparse
import math
import statistics
import time

import rungs

SPACE = {
    "optimizer": {"type": "categorical", "choices": ["sgd", "adam", "rmsprop"]},
    "lr": {"type": "float", "low": 1e-5, "high": 1.0, "log": True},
    "momentum": {"type": "float", "low": 0.0, "high": 0.99, "when": {"optimizer": "sgd"}},
    "beta1": {"type": "float", "low": 0.5, "high": 0.999, "when": {"optimizer": "adam"}},
    "beta2": {"type": "float", "low": 0.9, "high": 0.9999, "when": {"optimizer": "adam"}},
    "rho": {"type": "float", "low": 0.8, "high": 0.99, "when": {"optimizer": "rmsprop"}},
    "hidden": {"type": "int", "low": 8, "high": 512, "log": True},
    "layers": {"type": "int", "low": 1, "high": 4},
    "weight_decay": {"type": "float", "low": 1e-6, "high": 1e-2, "log": True},
    "activation": {"type": "categorical", "choices": ["relu", "tanh", "gelu"]},
}


def synthetic_loss(config):
    value = (math.log10(config["lr"]) + 2.5) ** 2 + (math.log2(config["hidden"]) - 7) ** 2 / 10
    value += {"sgd": (config.get("momentum", 0) - 0.9) ** 2, "adam": (config.get("beta1", 0) - 0.9) ** 2,
              "rmsprop": 0.1 + (config.get("rho", 0) - 0.9) ** 2}[config["optimizer"]]
    return value + 0.05 * config["layers"] + (0.1 if config["activation"] == "tanh" else 0)


def mean_se(values):
    mean = statistics.fmean(values)
    se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0
    return mean, se


# --- Optuna side ---------------------------------------------------------------------------

def optuna_distributions(space):
    import optuna
    out = {}
    for name, p in space.items():
        if p["type"] == "categorical":
            out[name] = optuna.distributions.CategoricalDistribution(p["choices"])
        elif p["type"] == "int":
            out[name] = optuna.distributions.IntDistribution(p["low"], p["high"], log=p.get("log", False))
        else:
            out[name] = optuna.distributions.FloatDistribution(p["low"], p["high"], log=p.get("log", False))
    return out


def active(when, config):
    """Whether a parameter's `when` holds in the configuration decided so far."""
    for parent, value in when.items():
        if parent not in config or config[parent] not in (value if isinstance(value, list) else [value]):
            return False
    return True


def optuna_suggest(trial, space):
    """Define-by-run over a space dict (parents are listed before their children)."""
    config = {}
    for name, p in space.items():
        if not active(p.get("when", {}), config):
            continue
        if p["type"] == "categorical":
            config[name] = trial.suggest_categorical(name, p["choices"])
        elif p["type"] == "int":
            config[name] = trial.suggest_int(name, p["low"], p["high"], log=p.get("log", False))
        else:
            config[name] = trial.suggest_float(name, p["low"], p["high"], log=p.get("log", False))
    return config


def optuna_study(seed):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))


# --- 1. per-suggestion time ----------------------------------------------------------------

def latency(sizes, timed):
    import optuna
    space = rungs.Space(SPACE)
    distributions = optuna_distributions(SPACE)
    rows = []
    for n in sizes:
        # rungs: n observations told through the Study (its own TPE suggestions), then `timed` asks.
        study = rungs.Study(space, scheduler={"type": "asha", "max_trials": n + timed}, optimizer="tpe", seed=1)
        for _ in range(n):
            trial = study.ask()
            study.tell(trial, synthetic_loss(trial.config))
        times = []
        for _ in range(timed):
            start = time.perf_counter()
            trial = study.ask()
            times.append(time.perf_counter() - start)
            study.tell(trial, synthetic_loss(trial.config))
        rungs_ms = mean_se([1000 * t for t in times])

        # Optuna: the same number of observations (random configurations of the space), then
        # `timed` suggestions, each an ask() and the suggest_* calls of one configuration.
        ostudy = optuna_study(1)
        trials = []
        for i in range(n):
            config = space.sample(1000 + i)
            trials.append(optuna.trial.create_trial(params=config, value=synthetic_loss(config),
                                                    distributions={k: distributions[k] for k in config}))
        ostudy.add_trials(trials)
        times = []
        for _ in range(timed):
            start = time.perf_counter()
            trial = ostudy.ask()
            config = optuna_suggest(trial, SPACE)
            times.append(time.perf_counter() - start)
            ostudy.tell(trial, synthetic_loss(config))
        optuna_ms = mean_se([1000 * t for t in times])
        rows.append((n, rungs_ms, optuna_ms))
        print(f"| {n:,} | {rungs_ms[0]:.3f} +- {rungs_ms[1]:.3f} | {optuna_ms[0]:.1f} +- {optuna_ms[1]:.1f} | "
              f"{optuna_ms[0] / rungs_ms[0]:.0f}x |", flush=True)
    return rows


# --- 2. quality on the synthetic problems --------------------------------------------------

def rungs_regret(problem, evaluations, seed):
    study = rungs.Study(problem.space, scheduler={"type": "asha", "max_trials": evaluations}, optimizer="tpe", seed=seed)
    best_value, best_config = math.inf, None
    while (trial := study.ask()) is not None:
        value = problem.evaluate(trial.config, seed=seed * 100003 + trial.id)
        study.tell(trial, value)
        if value < best_value:
            best_value, best_config = value, trial.config
    return problem.regret(best_config)


# The problems' fidelity ladder (problems/problem.hpp: fidelity_s_ladder): units 1, 3, 9, 27,
# 81 (eta 3), fidelity s = 0, 0.25, 0.5, 0.75, 1; a run costs its units.
FIDELITY_S = {"min": 1, "max": 81, "cost": "units", "dimensions": {"s": {"type": "float", "values": [0, 0.25, 0.5, 0.75, 1]}}}


def bohb_regret(problem, evaluations, seed):
    """BOHB (Hyperband + TPE) over the fidelity s, stopped once it has spent what
    `evaluations` runs at full fidelity cost (81 units each); the regret of its incumbent."""
    study = rungs.Study(problem.space, budget=FIDELITY_S, scheduler={"type": "hyperband", "iterations": 1000},
                        optimizer="tpe", seed=seed)
    spent, limit = 0.0, evaluations * 81.0
    while spent < limit and (trial := study.ask()) is not None:
        spent += trial.units
        study.tell(trial, problem.evaluate(trial.config, fidelity=trial.budget["s"], seed=seed * 100003 + trial.id))
    best = study.best()
    return problem.regret(best["config"]) if best else math.nan


def optuna_regret(problem, evaluations, seed):
    space = problem.space.to_dict()
    study = optuna_study(seed)
    counter = iter(range(10**9))
    study.optimize(lambda t: problem.evaluate(optuna_suggest(t, space), seed=seed * 100003 + next(counter)),
                   n_trials=evaluations)
    return problem.regret(study.best_params)


def quality(problems, evaluations, seeds):
    for name in problems:
        problem = rungs.problem(name)
        r = mean_se([rungs_regret(problem, evaluations, s) for s in range(seeds)])
        o = mean_se([optuna_regret(problem, evaluations, s) for s in range(seeds)])
        b = mean_se([bohb_regret(problem, evaluations, s) for s in range(seeds)])
        print(f"| {name} | {evaluations} | {r[0]:.4g} +- {r[1]:.2g} | {o[0]:.4g} +- {o[1]:.2g} | "
              f"{b[0]:.4g} +- {b[1]:.2g} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description="rungs (Python) against Optuna: suggestion time and TPE quality")
    parser.add_argument("--part", choices=["latency", "quality", "both"], default="both")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--timed", type=int, default=20, help="suggestions timed per size")
    parser.add_argument("--problems", nargs="+", default=["branin", "hartmann6"])
    parser.add_argument("--evaluations", type=int, default=100)
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    import optuna
    print(f"rungs from Python; Optuna {optuna.__version__} (TPESampler defaults)\n")
    if args.part in ("latency", "both"):
        print("| observations | rungs ask() ms | Optuna ask()+suggest ms | ratio |\n|---|---|---|---|")
        latency(args.sizes, args.timed)
        print()
    if args.part in ("quality", "both"):
        print("| problem | evaluations | rungs TPE regret | Optuna TPE regret | rungs BOHB regret, same cost |\n"
              "|---|---|---|---|---|")
        quality(args.problems, args.evaluations, args.seeds)


if __name__ == "__main__":
    main()
