"""rungs: multi-fidelity hyperparameter optimization (Hyperband, ASHA, BOHB's TPE, GP) with
a C++ core.

    import rungs
    space = {"lr": {"type": "float", "low": 1e-4, "high": 1.0, "log": True},
             "optimizer": {"type": "categorical", "choices": ["sgd", "adam"]}}
    study = rungs.Study(space, budget={"min": 1, "max": 27}, scheduler="hyperband", optimizer="tpe", seed=1)
    while (trial := study.ask()) is not None:
        study.tell(trial, train(trial.config, trial.budget))
    print(study.best())

- Space(dict) / Space.from_yaml(path): a search space, with the keys of a campaign file's
  `space:` section (type, low, high, log, choices, when).
- Study(space, budget=, scheduler=, optimizer=, seed=, maximize=): ask() -> Trial (id,
  config, budget, level, resume_from), report(trial, step, value) -> stop?, tell(trial,
  value), tell_failed(trial), best(); Study.from_yaml(campaign file).
- run(campaign.yaml, output=) / simulate(...): a campaign, as `rungs run` / `rungs simulate`.
- load(directory): a campaign's results as records (and pandas DataFrames).
- rungs.trial: the trial side (report(step, **metrics), params(), budget(), resume(), resume_level()).
- problem(name): the synthetic benchmark problems (branin, hartmann6, counting_ones_*).

Settings errors raise rungs.ConfigError (a ValueError) with the CLI's message.
"""

from ._rungs import ConfigError, Problem, Space, Study, Trial, problem, problem_names
from ._records import Campaign, load, run, simulate
from . import trial

__all__ = ["ConfigError", "Space", "Study", "Trial", "Campaign", "run", "simulate", "load", "trial",
           "Problem", "problem", "problem_names"]
