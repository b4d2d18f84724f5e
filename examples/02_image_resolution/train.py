#!/usr/bin/python3
"""Fashion-MNIST trial for rungs: a small CNN whose budget is epochs x data fraction x resolution.

Run by rungs (see campaign.yaml) or by hand:

    /usr/bin/python3 train.py --epochs 3 --data-fraction 0.2 --resolution 14 --lr 0.003

Needs Debian's python3-torch and dataset-fashion-mnist (IDX files in
/usr/share/datasets/fashion-mnist/). Call it with /usr/bin/python3: a pyenv `python3` on PATH
may lack Debian's packages.

Parameters and budget
    RUNGS_PARAMS / RUNGS_BUDGET (JSON, read through client/rungs_trial.py), then command-line
    flags, which win, so a campaign may also pass them as argv placeholders ("{lr}").
    Parameters: lr, optimizer (sgd | adam), momentum (sgd), weight_decay, channels, dropout,
    batch_size. Budget: epochs (total to reach), data_fraction, resolution (7, 14 or 28).

Data
    The 60,000 training images are split once, with a fixed seed, into a validation set
    (--val-size, default 10,000) and a training pool (the rest, capped at --train-size). The
    data fraction f trains on the first ceil(f * pool) images of the pool, so a larger fraction
    contains every smaller one. The 10,000 test images are never used for tuning.
    Resolution r: images are average-pooled from 28x28 to r x r (kernel 28 / r), training and
    validation alike. Cost per epoch grows with f * r^2 (about 5 s at 28x28 on 50,000 images
    with two threads, about 0.1 s at 7x7 on 12,500).

Model (shapes independent of the resolution, so weights carry over between resolutions)
    conv3x3(1 -> c) ReLU, maxpool 2 (ceil), conv3x3(c -> 2c) ReLU, adaptive average pool to
    4x4, dropout, linear(2c * 16 -> 10). The adaptive pooling is what makes a 7x7 model and a
    28x28 model the same set of weights.

Reports and checkpoints
    After every epoch: checkpoint.pt is replaced atomically (write .tmp, rename), then
    `@rungs {"step": epoch, "val_error": .., "val_loss": .., "val_acc": .., "train_loss": ..,
    "resolution": r, "data_fraction": f, "seconds": ..}` (seconds: training + validation of
    that epoch). With RUNGS_RESUME=1 (or --resume) the trainer loads checkpoint.pt and trains
    epochs done+1 .. epochs; step numbers keep counting. The checkpoint also holds the report
    printed after it: a run that rungs started again after losing its process
    (RUNGS_RELAUNCH=1) resumes the same way and first prints that report once more, word for
    word, since the lost process may have died before printing it (rungs drops the repeat).
    When rungs promotes a trial to a level
    with a larger resolution or data fraction, the checkpoint was trained at the smaller one:
    the weights and the optimizer state are loaded all the same (a warm start, said on stdout
    as "warm start: ..."), and training continues on the new images. A checkpoint from
    another architecture (channels) or optimizer, or an unreadable one, means training from
    scratch.

Exit status: 0 done, 1 diverged (non-finite loss: reported as null), 2 missing data.
SIGTERM (rungs stopping the trial) ends the process at once with Python's default action;
the last checkpoint stays valid because it is only ever replaced by a rename.
"""

import argparse
import gzip
import math
import os
import struct
import sys
import time

try:
    import rungs_trial
except ImportError:  # run from the source tree: the helper lives in <repo>/client
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "client"))
    import rungs_trial

# Before torch loads libgomp: idle OpenMP threads sleep instead of spinning. With two trials of
# two threads each on two cores (or any other load), spinning threads steal the cores their
# team is waiting for: an epoch measured 10.7 s instead of 0.6 s (14x14, 2,500 images).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

DATA_DIR = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530  # Fashion-MNIST training pixels scaled to [0, 1]
SPLIT_SEED = 20261128       # the validation split; never changes with the trial


def read_idx(path):
    """An IDX file (gzip) as a NumPy array: magic 0x0000 0x08 (ubyte) ndim, then big-endian sizes."""
    with gzip.open(path, "rb") as f:
        data = bytearray(f.read())  # writable: torch.from_numpy warns about read-only buffers
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_split(data_dir, val_size, train_size):
    """(train pool images, labels, validation images, labels) as uint8/int64 tensors."""
    images = read_idx(os.path.join(data_dir, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte.gz"))
    order = np.random.RandomState(SPLIT_SEED).permutation(len(images))
    val, pool = order[:val_size], order[val_size:]
    if train_size:
        pool = pool[:train_size]
    x, y = torch.from_numpy(images), torch.from_numpy(labels.astype(np.int64))
    return x[pool], y[pool], x[val], y[val]


def prepare(images, resolution):
    """uint8 N x 28 x 28 -> normalised float N x 1 x r x r (average pooling, kernel 28 / r)."""
    x = images.unsqueeze(1).float().div_(255.0)
    if resolution != 28:
        x = F.avg_pool2d(x, kernel_size=28 // resolution)
    return x.sub_(MEAN).div_(STD)


class Net(nn.Module):
    def __init__(self, channels, dropout):
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, 2 * channels, 3, padding=1)
        # 28 -> 14 -> 4x4, 14 -> 7 -> 4x4, 7 -> 4 -> 4x4: the head sees the same shape at every
        # resolution, which is what lets a promotion warm-start at a larger resolution.
        self.pool = nn.AdaptiveAvgPool2d(4)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(2 * channels * 16, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2, ceil_mode=True)
        x = self.pool(F.relu(self.conv2(x)))
        return self.head(self.dropout(torch.flatten(x, 1)))


def make_optimizer(model, p):
    if p["optimizer"] == "sgd":
        return torch.optim.SGD(model.parameters(), lr=p["lr"], momentum=p["momentum"],
                               weight_decay=p["weight_decay"])
    return torch.optim.Adam(model.parameters(), lr=p["lr"], weight_decay=p["weight_decay"])


def evaluate(model, x, y):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), 2000):
            out = model(x[i:i + 2000])
            loss += F.cross_entropy(out, y[i:i + 2000], reduction="sum").item()
            correct += (out.argmax(1) == y[i:i + 2000]).sum().item()
    return loss / len(x), correct / len(x)


def save_checkpoint(path, state):
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)  # atomic: a SIGTERM/SIGKILL mid-write leaves the previous file intact


def load_checkpoint(path, channels, optimizer):
    """The checkpoint dict, or None (missing, unreadable, another architecture or optimizer)."""
    if not os.path.exists(path):
        return None
    try:
        state = torch.load(path)
    except Exception as e:  # a truncated or foreign file: train from scratch
        print(f"checkpoint unreadable ({e}): training from scratch")
        return None
    if (state.get("channels"), state.get("optimizer_kind")) != (channels, optimizer):
        print(f"checkpoint is for {state.get('channels')} channels and {state.get('optimizer_kind')}, "
              f"not {channels} and {optimizer}: training from scratch")
        return None
    return state


def settings():
    """Parameters and budget: rungs' environment first, then flags (which win)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=DATA_DIR)
    ap.add_argument("--epochs", type=float)
    ap.add_argument("--data-fraction", type=float)
    ap.add_argument("--resolution", type=float)
    ap.add_argument("--lr", type=float)
    ap.add_argument("--optimizer", choices=["sgd", "adam"])
    ap.add_argument("--momentum", type=float)
    ap.add_argument("--weight-decay", type=float)
    ap.add_argument("--channels", type=int)
    ap.add_argument("--dropout", type=float)
    ap.add_argument("--batch-size", type=int)
    ap.add_argument("--val-size", type=int, default=10000, help="validation images (default 10000)")
    ap.add_argument("--train-size", type=int, default=0, help="cap on the training pool (0: all 50000)")
    ap.add_argument("--seed", type=int, default=0, help="initialisation and batch order")
    ap.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    ap.add_argument("--checkpoint", default="checkpoint.pt", help="relative to the trial directory")
    ap.add_argument("--resume", action="store_true", help="resume without RUNGS_RESUME=1")
    args = ap.parse_args()

    p = {"lr": 1e-3, "optimizer": "adam", "momentum": 0.9, "weight_decay": 0.0,
         "channels": 16, "dropout": 0.0, "batch_size": 128}
    p.update(rungs_trial.params())
    b = {"epochs": 1, "data_fraction": 1.0, "resolution": 28}
    b.update(rungs_trial.budget())
    for key in list(p) + list(b):
        flag = getattr(args, key, None)
        if flag is not None:
            (p if key in p else b)[key] = flag
    p["lr"], p["momentum"], p["weight_decay"], p["dropout"] = (
        float(p["lr"]), float(p["momentum"]), float(p["weight_decay"]), float(p["dropout"]))
    p["channels"], p["batch_size"] = int(p["channels"]), int(p["batch_size"])
    b["epochs"], b["resolution"] = int(round(float(b["epochs"]))), int(round(float(b["resolution"])))
    b["data_fraction"] = float(b["data_fraction"])
    if b["resolution"] not in (7, 14, 28):
        ap.error(f"resolution must be 7, 14 or 28, got {b['resolution']}")
    if not 0 < b["data_fraction"] <= 1:
        ap.error(f"data_fraction must be in (0, 1], got {b['data_fraction']}")
    return args, p, b


def main():
    args, p, b = settings()
    torch.set_num_threads(args.threads)
    started = time.monotonic()
    try:
        xtr_u8, ytr_all, xva_u8, yva = load_split(args.data_dir, args.val_size, args.train_size)
    except OSError as e:
        print(f"cannot read Fashion-MNIST ({e}); install dataset-fashion-mnist", file=sys.stderr)
        return 2
    n_train = math.ceil(b["data_fraction"] * len(xtr_u8))
    xtr, ytr = prepare(xtr_u8[:n_train], b["resolution"]), ytr_all[:n_train]
    xva = prepare(xva_u8, b["resolution"])

    torch.manual_seed(args.seed)
    model = Net(p["channels"], p["dropout"])
    opt = make_optimizer(model, p)
    ckpt_path = os.path.join(rungs_trial.trial_dir(), args.checkpoint)
    done = 0
    # RUNGS_RESUME: promoted to a larger budget. RUNGS_RELAUNCH: rungs lost this run's process
    # (the campaign was interrupted, ...) and starts it again. Either way, continue from the
    # checkpoint if there is one.
    relaunched = os.environ.get("RUNGS_RELAUNCH") == "1"
    last_report = None  # the report printed after the checkpoint was written
    same_fidelity = False
    if rungs_trial.resume() or args.resume or relaunched:
        state = load_checkpoint(ckpt_path, p["channels"], p["optimizer"])
        if state is not None:
            model.load_state_dict(state["model"])
            opt.load_state_dict(state["optimizer"])
            done = state["epoch"]
            last_report = state.get("report")
            same_fidelity = (state["resolution"], state["data_fraction"]) == (b["resolution"], b["data_fraction"])
            warm = ""
            if (state["resolution"], state["data_fraction"]) != (b["resolution"], b["data_fraction"]):
                # Same weights at a new fidelity: conv kernels and the head do not depend on the
                # image size (adaptive pooling), so the smaller run's training is a warm start.
                warm = (f"; warm start: resolution {state['resolution']} -> {b['resolution']}, "
                        f"data fraction {state['data_fraction']:g} -> {b['data_fraction']:g}")
            print(f"resumed from epoch {done}{warm}")
    todo = f"epochs {done + 1}..{b['epochs']}" if done < b["epochs"] else f"nothing to train ({done} epochs done)"
    print(f"trial {rungs_trial.trial_id()}: {todo} on {n_train} images "
          f"at {b['resolution']}x{b['resolution']}, params {p} (setup {time.monotonic() - started:.2f} s)")

    if relaunched and last_report is not None and done < b["epochs"]:
        rungs_trial.report(done, **last_report)  # maybe lost with the previous process
    if done >= b["epochs"]:  # nothing left to train: report the model once at its step
        if last_report is not None and same_fidelity:
            rungs_trial.report(done, **last_report)  # the same line as before: rungs drops a repeat
        else:
            loss, acc = evaluate(model, xva, yva)
            rungs_trial.report(done, val_error=1 - acc, val_loss=loss, val_acc=acc, train_loss=None,
                               resolution=b["resolution"], data_fraction=b["data_fraction"])
        return 0

    bs = p["batch_size"]
    for epoch in range(done + 1, b["epochs"] + 1):
        t0 = time.monotonic()
        model.train()
        # The batch order depends on the seed and the epoch only, so a resumed run shuffles
        # as an uninterrupted one would.
        order = torch.randperm(n_train, generator=torch.Generator().manual_seed(args.seed * 1000003 + epoch))
        total, batches = 0.0, 0
        for i in range(0, n_train, bs):
            idx = order[i:i + bs]
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            if not torch.isfinite(loss):
                break
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total, batches = total + loss.item(), batches + 1
        else:
            train_loss = total / max(batches, 1)
            val_loss, val_acc = evaluate(model, xva, yva)
            if math.isfinite(val_loss):
                report = {"val_error": 1 - val_acc, "val_loss": val_loss, "val_acc": val_acc,
                          "train_loss": train_loss, "resolution": b["resolution"],
                          "data_fraction": b["data_fraction"], "seconds": round(time.monotonic() - t0, 3)}
                # Checkpoint before reporting: rungs may stop the trial right after a report.
                save_checkpoint(ckpt_path, {"model": model.state_dict(), "optimizer": opt.state_dict(),
                                            "epoch": epoch, "channels": p["channels"],
                                            "optimizer_kind": p["optimizer"], "resolution": b["resolution"],
                                            "data_fraction": b["data_fraction"], "report": report})
                rungs_trial.report(epoch, **report)
                continue
        print(f"diverged at epoch {epoch}")
        rungs_trial.report(epoch, val_error=None, val_loss=None, train_loss=None)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
