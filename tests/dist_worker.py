"""The training runs tests/test_distributed.py compares: run once in one process and once
under ``python -m paddle.distributed.launch --nproc_per_node 2`` (not a test module itself).

    python tests/dist_worker.py OUT [--crash-rank R]

Each process writes ``OUT/rank<r>.json``: per scenario the final parameters, the histories,
the training samples it computed on (indices, step by step), what it printed and how many
times it called ``paddle.save``.  ``--crash-rank R``: rank R raises in its loss at step 3.
"""
import argparse
import contextlib
import io
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import paddle  # noqa: E402
import paddle.nn.functional as F  # noqa: E402

from nndl import Accuracy, RunnerV3  # noqa: E402

CRASH_MESSAGE = "deliberate failure in the loss of rank"


class LoggedDataset(paddle.io.Dataset):
    """A map-style data set that logs every index it is asked for."""

    def __init__(self, n, seed):
        rng = np.random.RandomState(seed)
        self.X = rng.randn(n, 4).astype("float32")
        self.y = rng.randint(0, 3, size=n).astype("int64")
        self.log = []

    def __getitem__(self, idx):
        self.log.append(int(idx))
        return self.X[idx], self.y[idx]

    def __len__(self):
        return len(self.y)


class TensorBatches(object):
    """Not a paddle.io.DataLoader: shuffled (numpy's generator) batches sliced from two tensors,
    like nndl.datasets.mnist.MNISTLoader; the batches carry their sample ids as a third column."""

    def __init__(self, dataset, batch_size):
        self.X = paddle.to_tensor(dataset.X)
        self.y = paddle.to_tensor(dataset.y)
        self.batch_size = batch_size

    def __len__(self):
        return -(-int(self.X.shape[0]) // self.batch_size)

    def __iter__(self):
        idx = paddle.to_tensor(np.random.permutation(int(self.X.shape[0])))
        X, y = paddle.gather(self.X, idx), paddle.gather(self.y, idx)
        for s in range(0, int(X.shape[0]), self.batch_size):
            yield X[s:s + self.batch_size], y[s:s + self.batch_size]


class MLP(paddle.nn.Layer):
    """A small MLP that counts the rows it trains on (evaluation is not counted)."""

    def __init__(self):
        super().__init__()
        self.fc1 = paddle.nn.Linear(4, 8)
        self.fc2 = paddle.nn.Linear(8, 3)
        self.rows = []

    def forward(self, x):
        if self.training:
            self.rows.append(int(x.shape[0]))
        return self.fc2(F.relu(self.fc1(x)))


def scenario(name, out, optimizer, batch_size, n_train, loss_fn=None, plain_loader=False, crash_rank=None):
    paddle.seed(0)
    np.random.seed(0)
    train_set, dev_set = LoggedDataset(n_train, 1), LoggedDataset(13, 2)
    if plain_loader:
        train_loader = TensorBatches(train_set, batch_size)
    else:
        train_loader = paddle.io.DataLoader(train_set, batch_size=batch_size, shuffle=True)
    dev_loader = paddle.io.DataLoader(dev_set, batch_size=4)
    model = MLP()
    opt = optimizer(model)
    step = [0]
    base_loss = loss_fn or F.cross_entropy

    def counted_loss(logits, labels):
        if model.training:
            step[0] += 1
            if crash_rank is not None and step[0] == 3 and paddle.distributed.get_rank() == crash_rank:
                raise RuntimeError(f"{CRASH_MESSAGE} {crash_rank} at time {time.time():.3f}")
        return base_loss(logits, labels)

    runner = RunnerV3(model, opt, counted_loss, Accuracy(),
                      loss_reduction=getattr(loss_fn, "reduction", None))
    save_path = os.path.join(out, name, "best.pdparams")
    saves = []
    real_save = paddle.save

    def logged_save(obj, path, *args, **kwargs):
        saves.append(str(path))
        return real_save(obj, path, *args, **kwargs)

    printed = io.StringIO()
    paddle.save = logged_save
    try:
        with contextlib.redirect_stdout(printed):
            runner.train(train_loader, dev_loader, num_epochs=2, log_steps=2, eval_steps=3, save_path=save_path)
    finally:
        paddle.save = real_save
    runner.load_model(save_path)   # every rank: the file rank 0 wrote
    score, loss = runner.evaluate(dev_loader)
    return {
        "params": {k: v.numpy().tolist() for k, v in model.state_dict().items()},
        "train_step_losses": runner.train_step_losses,
        "train_epoch_losses": runner.train_epoch_losses,
        "dev_scores": runner.dev_scores,
        "dev_losses": runner.dev_losses,
        "best_score": runner.best_score,
        "reloaded": [score, loss],
        "rows": model.rows,
        "indices": train_set.log if not plain_loader else None,
        "printed": printed.getvalue(),
        "saves": saves,
    }


def nan_on_one_slice(out):
    """Rank 1's slice (or, in one process, the batch) gives a NaN loss at step 2."""
    paddle.seed(0)
    np.random.seed(0)
    loader = paddle.io.DataLoader(LoggedDataset(16, 1), batch_size=4)
    model = MLP()
    calls = [0]

    def loss_fn(logits, labels):
        calls[0] += 1
        loss = F.cross_entropy(logits, labels)
        if calls[0] == 3 and paddle.distributed.get_rank() == paddle.distributed.get_world_size() - 1:
            loss = loss * float("nan")
        return loss

    runner = RunnerV3(model, paddle.optimizer.SGD(0.1, parameters=model.parameters()), loss_fn)
    try:
        runner.train(loader, num_epochs=1, log_steps=0)
    except FloatingPointError as exc:
        return {"error": str(exc), "steps": len(runner.train_step_losses)}
    return {"error": None}


def refusals():
    """Under a launcher: what the runners say to input they cannot split (message or None)."""
    from nndl import RunnerV2_2
    out = {}

    def attempt(key, fn):
        try:
            fn()
            out[key] = None
        except (RuntimeError, TypeError, ValueError) as exc:
            out[key] = f"{type(exc).__name__}: {exc}"

    model = MLP()
    sgd = paddle.optimizer.SGD(0.1, parameters=model.parameters())
    data = LoggedDataset(8, 3)
    attempt("RunnerV2_2", lambda: RunnerV2_2(model, sgd, Accuracy(), F.cross_entropy))
    dist_sampler = paddle.io.DistributedBatchSampler(data, batch_size=2)
    attempt("DistributedBatchSampler", lambda: RunnerV3(model, sgd, F.cross_entropy).train(
        paddle.io.DataLoader(data, batch_sampler=dist_sampler), num_epochs=1, log_steps=0))
    attempt("not a loader", lambda: RunnerV3(model, sgd, F.cross_entropy).train(42, num_epochs=1, log_steps=0))
    attempt("reduction none", lambda: RunnerV3(model, sgd, paddle.nn.CrossEntropyLoss(reduction="none")))
    # a model already wrapped in DataParallel is used as it is
    paddle.seed(0)
    wrapped = paddle.DataParallel(MLP())
    runner = RunnerV3(wrapped, paddle.optimizer.SGD(0.1, parameters=wrapped.parameters()), F.cross_entropy)
    runner.train(paddle.io.DataLoader(data, batch_size=4), num_epochs=1, log_steps=0)
    out["wrapped_params"] = {k: v.numpy().tolist() for k, v in wrapped.state_dict().items()}
    out["wrapped_rows"] = wrapped._layers.rows
    # BatchNorm's running statistics differ per slice; evaluation uses rank 0's on every rank.
    # An LSTM has a scratch buffer that is never broadcast.
    paddle.seed(0)
    bn = BNLSTM()
    runner = RunnerV3(bn, paddle.optimizer.SGD(0.1, parameters=bn.parameters()), F.cross_entropy, Accuracy())
    loader = paddle.io.DataLoader(data, batch_size=4)
    runner.train(loader, num_epochs=1, log_steps=0)
    out["bn_mean_after_train"] = bn.bn._mean.numpy().tolist()
    out["bn_eval"] = list(runner.evaluate(loader))
    out["bn_mean_after_eval"] = bn.bn._mean.numpy().tolist()
    return out


class BNLSTM(paddle.nn.Layer):
    def __init__(self):
        super().__init__()
        self.bn = paddle.nn.BatchNorm1D(4)
        self.lstm = paddle.nn.LSTM(1, 3)
        self.fc = paddle.nn.Linear(3, 3)

    def forward(self, x):
        h, _ = self.lstm(self.bn(x).unsqueeze(-1))
        return self.fc(h[:, -1])


def run(out, crash_rank=None):
    rank = paddle.distributed.get_rank()
    sgd = (lambda m: paddle.optimizer.SGD(learning_rate=0.1, parameters=m.parameters()))
    adam = (lambda m: paddle.optimizer.Adam(learning_rate=0.01, parameters=m.parameters()))
    results = {}
    if crash_rank is not None:
        scenario("crash", out, sgd, 6, 20, crash_rank=crash_rank)
    # 20 samples in batches of 6: 6, 6, 6, 2 (halves of 3, 3, 3, 1)
    results["sgd"] = scenario("sgd", out, sgd, 6, 20)
    # 21 in batches of 5: 5, 5, 5, 5, 1 (slices of 3 and 2; the last: 1 and none)
    results["adam"] = scenario("adam", out, adam, 5, 21)
    # a summed loss over a loader that is not a paddle.io.DataLoader
    results["sum"] = scenario("sum", out, sgd_small, 5, 21, loss_fn=paddle.nn.CrossEntropyLoss(reduction="sum"),
                              plain_loader=True)
    results["nan"] = nan_on_one_slice(out)
    results["world_size"] = paddle.distributed.get_world_size()
    if results["world_size"] > 1:
        results["refusals"] = refusals()
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, f"rank{rank}.json"), "w", encoding="utf-8") as f:
        json.dump(results, f)
    return results


def sgd_small(m):
    return paddle.optimizer.SGD(learning_rate=0.01, parameters=m.parameters())


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--crash-rank", type=int, default=None)
    a = p.parse_args()
    paddle.set_device("cpu")
    run(a.out, a.crash_rank)
