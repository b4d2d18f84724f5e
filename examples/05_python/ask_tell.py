#!/usr/bin/env python3
"""The quickstart's idea as a pure-Python ask/tell loop: Hyperband + TPE (BOHB) tunes a
one-hidden-layer MLP written in NumPy on the digits data, with epochs as the budget. Each
epoch's validation loss is reported; rungs says when a poor run should stop, and promotes the
good ones to more epochs, where they continue from where they were (the weights are kept in
memory here: a "checkpoint" per trial).

    python3 examples/05_python/ask_tell.py                  # seconds: 69 runs, 20 stopped early
    python3 examples/05_python/ask_tell.py --max-epochs 3   # the smoke test: seconds

Needs NumPy (Debian: python3-numpy) and the rungs module (`import rungs`, see the README).
"""

import argparse
import gzip
import os

import numpy as np

import rungs

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "01_quickstart", "data", "digits.csv.gz")

SPACE = {
    "optimizer": {"type": "categorical", "choices": ["sgd", "adam"]},
    "lr": {"type": "float", "low": 1e-4, "high": 1.0, "log": True},
    "momentum": {"type": "float", "low": 0.0, "high": 0.95, "when": {"optimizer": "sgd"}},
    "beta1": {"type": "float", "low": 0.5, "high": 0.99, "when": {"optimizer": "adam"}},
    "hidden": {"type": "int", "low": 8, "high": 128, "log": True},
    "weight_decay": {"type": "float", "low": 1e-6, "high": 1e-2, "log": True},
}


def load_digits():
    with gzip.open(DATA, "rt") as f:
        data = np.loadtxt(f, delimiter=",")
    x, y = data[:, :-1] / 16.0, data[:, -1].astype(int)
    order = np.random.default_rng(0).permutation(len(y))
    x, y = x[order], y[order]
    split = int(0.8 * len(y))
    return (x[:split], y[:split]), (x[split:], y[split:])


class Mlp:
    """64 -> hidden (ReLU) -> 10 (softmax), trained by minibatch SGD with momentum or Adam."""

    def __init__(self, config, seed):
        rng = np.random.default_rng(seed)
        h = config["hidden"]
        self.params = [rng.normal(0, np.sqrt(2 / 64), (64, h)), np.zeros(h),
                       rng.normal(0, np.sqrt(2 / h), (h, 10)), np.zeros(10)]
        self.state = [[np.zeros_like(p), np.zeros_like(p)] for p in self.params]
        self.config, self.t, self.rng = config, 0, rng

    def forward(self, x):
        w1, b1, w2, b2 = self.params
        hidden = np.maximum(x @ w1 + b1, 0)
        logits = hidden @ w2 + b2
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return hidden, p / p.sum(axis=1, keepdims=True)

    def loss(self, x, y):
        _, p = self.forward(x)
        return float(-np.mean(np.log(p[np.arange(len(y)), y] + 1e-12)))

    def epoch(self, x, y, batch=32):
        c = self.config
        order = self.rng.permutation(len(y))
        for start in range(0, len(y), batch):
            idx = order[start:start + batch]
            xb, yb = x[idx], y[idx]
            hidden, p = self.forward(xb)
            p[np.arange(len(yb)), yb] -= 1
            d_logits = p / len(yb)
            w1, _, w2, _ = self.params
            d_hidden = (d_logits @ w2.T) * (hidden > 0)
            grads = [xb.T @ d_hidden, d_hidden.sum(0), hidden.T @ d_logits, d_logits.sum(0)]
            self.t += 1
            for param, grad, (m, v) in zip(self.params, grads, self.state):
                grad = grad + c["weight_decay"] * param
                if c["optimizer"] == "sgd":
                    m *= c["momentum"]
                    m -= c["lr"] * grad
                    param += m
                else:
                    m[...] = c["beta1"] * m + (1 - c["beta1"]) * grad
                    v[...] = 0.999 * v + 0.001 * grad * grad
                    m_hat, v_hat = m / (1 - c["beta1"] ** self.t), v / (1 - 0.999 ** self.t)
                    param -= c["lr"] * m_hat / (np.sqrt(v_hat) + 1e-8)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-epochs", type=int, default=27)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    (x_train, y_train), (x_val, y_val) = load_digits()

    study = rungs.Study(
        SPACE,
        budget={"min": 1, "max": args.max_epochs,
                "dimensions": {"epochs": {"type": "int", "growth": "continued", "min": 1, "max": args.max_epochs}}},
        scheduler={"type": "hyperband", "eta": 3, "stopping_rule": {"type": "median"}},
        optimizer="tpe", seed=args.seed)

    models = {}  # trial id -> its model: what a promoted run continues from
    runs = stopped = 0
    while (trial := study.ask()) is not None:
        runs += 1
        model = models.get(trial.id) if trial.resume_from else None
        if model is None:
            model = models[trial.id] = Mlp(trial.config, seed=trial.id)
        done = int(trial.resume_from["epochs"]) if trial.resume_from else 0
        val_loss = float("nan")
        for epoch in range(done + 1, int(trial.budget["epochs"]) + 1):
            model.epoch(x_train, y_train)
            val_loss = model.loss(x_val, y_val)
            if not np.isfinite(val_loss) or study.report(trial, epoch, val_loss):
                stopped += 1
                break
        study.tell(trial, val_loss)

    best = study.best()
    accuracy = float(np.mean(models[best["trial"]].forward(x_val)[1].argmax(axis=1) == y_val))
    print(f"{runs} runs, {stopped} stopped early; best val_loss {best['value']:.4f} "
          f"(accuracy {accuracy:.3f}), trial {best['trial']} at {best['budget']['epochs']:g} epochs")
    for name, value in sorted(best["config"].items()):
        print(f"  {name}: {value:.4g}" if isinstance(value, float) else f"  {name}: {value}")


if __name__ == "__main__":
    main()
