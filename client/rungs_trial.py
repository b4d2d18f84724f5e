"""rungs_trial: the trial side of the rungs trial protocol, Python standard library only.

rungs launches a trial process with these environment variables:

    RUNGS_TRIAL_ID   trial id
    RUNGS_TRIAL_DIR  the trial's own directory (also its working directory)
    RUNGS_PARAMS     JSON object of the active parameters, e.g. {"lr": 0.01, "optimizer": "adam"}
    RUNGS_BUDGET     JSON object of budget values, e.g. {"epochs": 9, "data_fraction": 0.5}
    RUNGS_RESUME     "1" when the trial was promoted and may resume from its checkpoint
    RUNGS_RESUME_LEVEL  when resumed: the budget level its checkpoint holds (the previous run's)
    RUNGS_INHERITED_FROM  population-based training: the trial whose checkpoint rungs copied
                     into this trial's directory (RUNGS_RESUME is 1 too); the parameters are
                     the new, explored ones: apply them to the loaded weights

and writes the same facts to <trial dir>/params.json
({"trial_id": .., "params": {..}, "budget": {..}, "resume": bool, "resume_level": ..}). Environment variables
win; params.json is the fallback. Outside rungs the accessors return empty values, so a
script using this module still runs standalone.

Reporting is one call::

    import rungs_trial as rt
    rt.report(epoch, val_loss=0.41, val_acc=0.88)   # prints: @rungs {"step": 3, ...}

Non-finite numbers (NaN, +inf, -inf) are written as JSON null, as in rungs_trial.hpp: JSON
has no NaN, and rungs treats a null metric as "no finite value" (worst). Objects with
.item() or __float__ (NumPy scalars, 1-element tensors) are converted to float.
Each line is written with one call and flushed: stdout is a pipe, so without the flush the
reports would sit in a buffer until the process exits.
"""

import json
import math
import os
import sys
import threading

__all__ = ["PREFIX", "trial_id", "trial_dir", "params", "budget", "resume", "resume_level", "inherited_from",
           "checkpoint_path", "launched_by_rungs", "format_report", "report"]

PREFIX = "@rungs "

_lock = threading.Lock()


def launched_by_rungs():
    """True when this process was launched by rungs (RUNGS_TRIAL_ID is set)."""
    return "RUNGS_TRIAL_ID" in os.environ


def trial_dir():
    """The trial directory: RUNGS_TRIAL_DIR, else the working directory."""
    return os.environ.get("RUNGS_TRIAL_DIR") or os.getcwd()


def _params_file():
    path = os.path.join(trial_dir(), "params.json")
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a JSON object")
    return data


def _section(variable, key):
    text = os.environ.get(variable)
    if text is not None:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as e:
            raise ValueError(f"{variable} is not valid JSON: {text!r} ({e})") from None
        if not isinstance(value, dict):
            raise ValueError(f"{variable} is not a JSON object: {text!r}")
        return value
    value = _params_file().get(key)
    return value if isinstance(value, dict) else {}


def trial_id():
    """The trial id, or None outside rungs."""
    if "RUNGS_TRIAL_ID" in os.environ:
        return os.environ["RUNGS_TRIAL_ID"]
    return _params_file().get("trial_id")


def params():
    """Active parameters as a dict; inactive (conditional) parameters are absent."""
    return _section("RUNGS_PARAMS", "params")


def budget():
    """Budget values as a dict, e.g. {"epochs": 9, "data_fraction": 0.5}."""
    return _section("RUNGS_BUDGET", "budget")


def relaunched():
    """True when rungs lost the process that ran this trial (the campaign was interrupted, or
    a kept paused process was ended) and started it again: report the checkpoint's step once
    more after loading it, since its report may never have been printed; rungs drops repeats."""
    return os.environ.get("RUNGS_RELAUNCH") == "1"


def inherited_from():
    """Population-based training: the id (a string) of the trial whose checkpoint rungs copied
    into this trial's directory before this run, or None. The checkpoint then holds another
    trial's weights, trained with other hyperparameters: load it (resume() is True) and train
    on with params(), the new ones (a learning rate read from the checkpoint would undo PBT)."""
    donor = os.environ.get("RUNGS_INHERITED_FROM")
    if donor:
        return donor
    donor = _params_file().get("inherited_from")
    return None if donor is None else str(donor)


def checkpoint_path(name="checkpoint.pt"):
    """Where to save and load the checkpoint: `name` in the trial directory. Everything a
    trial writes in its directory (but rungs' own files) is its checkpoint: rungs copies it
    for population-based training (README, "The trial protocol")."""
    return os.path.join(trial_dir(), name)


def resume():
    """True when the trial should continue from its checkpoint if it has one: it was promoted
    (RUNGS_RESUME=1), or it was out when the campaign stopped and rungs restarted it
    (RUNGS_RELAUNCH=1)."""
    if os.environ.get("RUNGS_RELAUNCH") == "1":
        return True
    flag = os.environ.get("RUNGS_RESUME")
    if flag is not None:
        return flag in ("1", "true")
    return _params_file().get("resume") is True


def resume_level():
    """When resumed (RUNGS_RESUME=1): the budget level (0, 1, ...) the checkpoint was saved at,
    the previous run's; a freeze-thaw leap may skip levels. None otherwise."""
    level = os.environ.get("RUNGS_RESUME_LEVEL")
    if level is not None:
        if not (level.isascii() and level.isdigit()):
            raise ValueError(f"RUNGS_RESUME_LEVEL is not a level (0, 1, ...): {level!r}")
        return int(level)
    level = _params_file().get("resume_level")
    return level if isinstance(level, int) and not isinstance(level, bool) else None


def _clean(value):
    """JSON-ready copy of value: non-finite floats become None (see module doc)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):          # NumPy scalar, 1-element tensor
        return _clean(value.item())
    if hasattr(value, "__float__"):
        return _clean(float(value))
    raise TypeError(f"rungs_trial.report: cannot encode {type(value).__name__} as JSON")


def format_report(step, **metrics):
    """The report line without the newline: '@rungs {"step": 3, "val_loss": 0.41}'."""
    line = {"step": _clean(step)}
    line.update((name, _clean(value)) for name, value in metrics.items())
    return PREFIX + json.dumps(line, allow_nan=False)


def report(step, **metrics):
    """Print one report line on stdout and flush. Thread-safe."""
    line = format_report(step, **metrics) + "\n"
    with _lock:
        sys.stdout.write(line)
        sys.stdout.flush()
