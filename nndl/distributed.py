"""Data-parallel training of :class:`nndl.RunnerV3` under ``paddle.distributed.launch``.

A script that trains with ``RunnerV3`` runs unchanged as
``python -m paddle.distributed.launch --nproc_per_node N script.py`` (N GPUs, or N CPU
processes over gloo); see ``docs/distributed.md``.  The machinery is paddle's own:
``paddle.distributed.init_parallel_env``, ``paddle.DataParallel`` (which all-reduces and
averages the gradients during ``backward``) and its collectives; this module only decides
which samples each process computes on, so that the numbers are those of one process:

- The loader's ``batch_size`` stays the *global* batch.  Every process draws the same
  global batches (the same seed draws the same shuffle) and computes on its slice of each:
  rank r of N gets the rows ``[start_r, start_r + n_r)`` with ``n_r`` = B // N, the first
  ``B % N`` ranks one more (``np.array_split``'s split).  A ``paddle.io.DataLoader`` over
  a map-style data set is copied with a :class:`BatchShardSampler` that does this over the
  loader's own batch sampler, so a process loads only its slice; any other iterable of
  ``(X, y)`` batches (e.g. ``nndl.datasets.mnist.MNISTLoader``) is drawn whole by every
  process, which keeps its slice.
- Each process's loss is its slice's mean; ``DataParallel`` averages the gradients over
  the N processes with equal weights, so the loss is scaled by ``n_r * N / B`` before
  ``backward``: the averaged gradient is the gradient of the global batch's mean loss
  (a ``reduction='sum'`` loss is scaled by N).  A process whose slice is empty (a global
  batch smaller than N, e.g. the last one) still runs ``backward`` on a zero-weighted loss
  of one sample, so the all-reduce has all N members; it contributes nothing.
- One small all-reduce per step gives every process every slice's loss, so the printed and
  recorded training loss is the global batch's; a non-finite loss on any slice stops every
  process with the same ``FloatingPointError`` naming the ranks; processes that drew
  different global batches (unseeded shuffles) stop with an error instead of training on
  the wrong data.
- Evaluation: each process runs the model on its slice of every dev batch, the outputs and
  labels are gathered (``all_gather_object``) into the global batch in order, and every
  process computes the loss and updates its metric on the whole batch, exactly as one
  process does; so ``dev_scores``, ``best_score`` and the dev losses are equal on every rank
  and any metric works unchanged.
"""
import collections
import contextlib
import copy
import os
import re
import sys
import time
import weakref

import numpy as np
import paddle

__all__ = ["is_main_process", "BatchShardSampler"]


def world_size():
    """The number of processes of this launch (1 without a launcher)."""
    return paddle.distributed.get_world_size()


def get_rank():
    """This process's rank (0 without a launcher)."""
    return paddle.distributed.get_rank()


def is_main_process():
    """True on rank 0 of a launch and in a process started without a launcher: the process that
    prints, draws progress bars and writes files (best model, figures, ``results.json``)."""
    return get_rank() == 0


def shard_range(batch_size, rank, nranks):
    """``(start, stop)`` of rank ``rank``'s rows of a global batch of ``batch_size`` rows:
    contiguous slices whose sizes differ by at most one, the larger ones first."""
    q, rem = divmod(int(batch_size), int(nranks))
    start = rank * q + min(rank, rem)
    return start, start + q + (1 if rank < rem else 0)


def _checksum(positions_values):
    """A position-weighted float64 sum: equal on two ranks only if they drew the same batch
    in the same order (up to a collision no real data set hits)."""
    v = np.asarray(positions_values, dtype=np.float64).reshape(len(positions_values), -1).sum(axis=1)
    return float(np.dot(v, np.arange(1, len(v) + 1, dtype=np.float64)))


class BatchShardSampler(object):
    """Rank ``rank``'s slice of every batch of ``batch_sampler`` (a ``paddle.io.BatchSampler``).

    输入:
        - batch_sampler: the loader's own batch sampler (its batches are the global batches)
        - rank, nranks: this process and the number of processes
    Yields lists of indices, one per global batch, so ``len`` and the shuffle (drawn by
    ``batch_sampler`` from the same generator as in one process) are unchanged.  A slice
    that would be empty yields the batch's first index (the runner gives it zero weight).
    ``sizes`` receives ``(n_rank, B, checksum)`` of every batch as it is drawn (a loader with
    workers draws ahead; the consumer pops in order).

    Why not ``paddle.io.DistributedBatchSampler``: it splits the *epoch* (rank r gets its own
    batches of ``batch_size`` samples, the epoch padded with repeated samples to a multiple of
    N) and shuffles with its own per-epoch seed, so neither the global batches nor the
    samples counted match one process.
    """

    def __init__(self, batch_sampler, rank, nranks):
        if not 0 <= int(rank) < int(nranks):
            raise ValueError(f"BatchShardSampler: rank {rank} is not in [0, {nranks})")
        self.batch_sampler = batch_sampler
        self.rank = int(rank)
        self.nranks = int(nranks)
        self.sizes = collections.deque()

    def __len__(self):
        return len(self.batch_sampler)

    def __iter__(self):
        self.sizes.clear()
        for batch in self.batch_sampler:
            batch = [int(i) for i in batch]
            lo, hi = shard_range(len(batch), self.rank, self.nranks)
            self.sizes.append((hi - lo, len(batch), _checksum(batch)))
            yield batch[lo:hi] if hi > lo else batch[:1]


# What a collective raises when a peer process is gone (gloo over TCP, NCCL).
_PEER_FAILURE_RE = re.compile(r"gloo|nccl|connection (?:reset|closed|refused)|broken pipe|pair_rank", re.I)
PEER_FAILURE_GRACE = 10.0   # seconds; the launcher looks at its processes every 1-2 s


def _leaves(obj):
    if isinstance(obj, (list, tuple)):
        return [leaf for item in obj for leaf in _leaves(item)]
    return [obj]


def _map(fn, obj):
    if isinstance(obj, (list, tuple)):
        return type(obj)(_map(fn, item) for item in obj)
    return fn(obj)


def _rows(obj):
    first = _leaves(obj)[0]
    if not hasattr(first, "shape") or len(first.shape) == 0:
        raise TypeError(f"RunnerV3 under paddle.distributed.launch: a batch must hold tensors with the "
                        f"batch on axis 0, got {type(first).__name__}")
    return int(first.shape[0])


def _numpy(t):
    return t.numpy() if hasattr(t, "numpy") else np.asarray(t)


class _SlicedLoader(object):
    """Rank r's slices of any iterable of ``(X, y)`` batches, drawn whole by every rank."""

    def __init__(self, loader, rank, nranks):
        self.loader, self.rank, self.nranks = loader, rank, nranks
        self.sizes = collections.deque()

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        self.sizes.clear()
        for batch in self.loader:
            X, y = batch
            B = _rows(X)
            lo, hi = shard_range(B, self.rank, self.nranks)
            if B != _rows(y):
                raise ValueError(f"RunnerV3 under paddle.distributed.launch: a batch has {B} inputs "
                                 f"but {_rows(y)} labels")
            self.sizes.append((hi - lo, B, _checksum(_numpy(_leaves(X)[0]))))
            if hi == lo:   # an empty slice: the batch's first sample, with zero weight
                lo, hi = 0, 1
            cut = (lambda t: t[lo:hi])
            yield _map(cut, X), _map(cut, y)


class DataParallelState(object):
    """What RunnerV3 keeps under a launcher: the process group, the ``DataParallel`` wrapper,
    the sharded loaders and the loss reduction.  Built by :func:`for_runner`."""

    def __init__(self, model, loss_fn, loss_reduction=None):
        self.nranks = world_size()
        if not paddle.distributed.is_initialized():
            paddle.distributed.init_parallel_env()
        reduction = loss_reduction or getattr(loss_fn, "reduction", None) or "mean"
        if reduction not in ("mean", "sum"):
            raise ValueError(f"RunnerV3 under paddle.distributed.launch: loss_fn must return the mean or "
                             f"the sum over the batch (loss_reduction='mean' or 'sum'), got reduction "
                             f"{reduction!r}")
        self.rank = get_rank()
        self.model = model
        self.reduction = reduction
        self._loaders = weakref.WeakKeyDictionary()
        self.bad_ranks = []

    @property
    def wrapper(self):
        """The model's ``paddle.DataParallel``, made on first training (broadcasting rank 0's
        parameters) and shared by every runner of the same model: two wrappers would hook the
        same parameters twice.  A model already wrapped is used as it is."""
        model = self.model
        if isinstance(model, paddle.DataParallel):
            return model
        wrapped = model.__dict__.get("_nndl_data_parallel")
        if wrapped is None:
            wrapped = paddle.DataParallel(model)
            # a plain attribute, not a sublayer (Layer.__setattr__ would put it in the state_dict)
            object.__setattr__(model, "_nndl_data_parallel", wrapped)
        return wrapped

    # -- loaders -----------------------------------------------------------------------
    def shard(self, loader, what):
        """Rank r's view of ``loader`` (cached, so a loader with workers keeps them)."""
        try:
            cached = self._loaders.get(loader)
        except TypeError:   # not weak-referenceable: no cache
            cached = None
        if cached is not None:
            return cached
        if isinstance(loader, paddle.io.DataLoader):
            sampler = getattr(loader, "batch_sampler", None)
            if isinstance(sampler, paddle.io.DistributedBatchSampler):
                raise ValueError(f"RunnerV3 under paddle.distributed.launch: {what} already uses a "
                                 "paddle.io.DistributedBatchSampler; pass the loader you would use in one "
                                 "process (batch_size = the global batch): RunnerV3 splits every batch itself")
            if sampler is None or not hasattr(sampler, "__len__") or \
                    isinstance(getattr(loader, "dataset", None), paddle.io.IterableDataset):
                raise TypeError(f"RunnerV3 under paddle.distributed.launch: {what} must batch a map-style "
                                "data set (paddle.io.Dataset with a batch_size); an IterableDataset or "
                                "batch_size=None cannot be split by index")
            sharded = copy.copy(loader)   # the caller's loader is left as it is
            sharded.batch_sampler = BatchShardSampler(sampler, self.rank, self.nranks)
            if getattr(sharded, "_iterator", None) is not None:   # persistent workers of the original
                sharded._iterator = None
            sharded_sizes = sharded.batch_sampler.sizes
        else:
            if not hasattr(loader, "__iter__") or not hasattr(loader, "__len__"):
                raise TypeError(f"RunnerV3 under paddle.distributed.launch: {what} must be a "
                                f"paddle.io.DataLoader or a sized iterable of (X, y) batches, got "
                                f"{type(loader).__name__}")
            sharded = _SlicedLoader(loader, self.rank, self.nranks)
            sharded_sizes = sharded.sizes
        entry = (sharded, sharded_sizes)
        try:
            self._loaders[loader] = entry
        except TypeError:
            pass
        return entry

    # -- training ----------------------------------------------------------------------
    def train_step(self, loss_fn, data, sizes):
        """Forward and loss on this rank's slice, one all-reduce of every slice's loss.

        Returns ``(loss to backward, the global batch's loss as a float)``; ``bad_ranks``
        lists the ranks whose slice gave a non-finite loss.
        """
        X, y = data
        n, B, check = sizes.popleft()
        logits = self.wrapper(X)
        loss = loss_fn(logits, y)
        N = self.nranks
        vec = np.zeros(3 * N, dtype=np.float64)
        if n > 0:
            local = loss.item()
            vec[self.rank] = local * n if self.reduction == "mean" else local
        vec[N + self.rank] = n
        vec[2 * N + self.rank] = check
        t = paddle.to_tensor(vec)
        paddle.distributed.all_reduce(t)
        vec = t.numpy()
        self._check_same_batch(vec[2 * N:], vec[N:2 * N], B, "training")
        self.bad_ranks = [r for r in range(N) if not np.isfinite(vec[r])]
        total = float(vec[:N].sum())
        value = total / B if self.reduction == "mean" else total
        if self.reduction == "mean":
            scale = n * N / B
        else:
            scale = float(N) if n > 0 else 0.0
        if scale != 1.0:
            loss = loss * scale
        return loss, value

    def _check_same_batch(self, checks, counts, B, where):
        if np.any(checks != checks[0]) or int(round(counts.sum())) != B:
            raise RuntimeError(
                f"RunnerV3 under paddle.distributed.launch: the {self.nranks} processes drew different "
                f"global batches in {where} (batch checksums {checks.tolist()}); seed every process the "
                "same (paddle.seed and np.random.seed) before building the loaders, as the book's scripts do")

    @contextlib.contextmanager
    def peer_failures(self):
        """When a collective fails because another process died (gloo: 'TIMEOUT ... pair_rank',
        a closed connection; NCCL errors), wait ``PEER_FAILURE_GRACE`` seconds before raising:
        the launcher reports the first rank that fails, which should be the one that raised,
        not this one; it stops this process meanwhile.  Any other exception is raised at once."""
        try:
            yield
        except Exception as exc:
            if _PEER_FAILURE_RE.search(f"{type(exc).__name__}: {exc}"):
                sys.stderr.write(f"nndl: rank {self.rank}: a collective failed ({str(exc).splitlines()[0][:200]}); "
                                 f"another process has probably failed: its error is the launch's; waiting "
                                 f"{PEER_FAILURE_GRACE:g} s for the launcher to stop this one\n")
                sys.stderr.flush()
                time.sleep(PEER_FAILURE_GRACE)
            raise

    # -- evaluation --------------------------------------------------------------------
    def sync_state(self, model):
        """Rank 0's untrained state (BatchNorm's running statistics: parameters without gradient
        in paddle; persistable buffers) on every rank, so every rank evaluates the model rank 0
        saves.  The trained parameters are equal already; what is not in the state_dict
        (nn.LSTM's uninitialized scratch ``_dropout_state``) is left alone."""
        for t in model.state_dict().values():
            if t.stop_gradient:
                paddle.distributed.broadcast(t, src=0)

    def gather_batch(self, logits, y, sizes):
        """The global batch's outputs and labels, in order, from every rank's slice."""
        n, B, check = sizes.popleft()
        cut = (lambda t: _numpy(t)[:n])
        gathered = []
        paddle.distributed.all_gather_object(gathered, (check, n, _map(cut, logits), _map(cut, y)))
        checks = np.array([g[0] for g in gathered], dtype=np.float64)
        counts = np.array([g[1] for g in gathered], dtype=np.float64)
        self._check_same_batch(checks, counts, B, "evaluation")
        parts = [g for g in gathered if g[1] > 0]
        return _concat([p[2] for p in parts]), _concat([p[3] for p in parts])


def _concat(parts):
    first = parts[0]
    if isinstance(first, (list, tuple)):
        return type(first)(_concat([p[i] for p in parts]) for i in range(len(first)))
    return paddle.to_tensor(np.concatenate(parts, axis=0))


def for_runner(model, loss_fn, loss_reduction=None):
    """``None`` in a single process (the runner's own loop runs untouched), else the
    :class:`DataParallelState` of this launch."""
    if world_size() <= 1:
        return None
    return DataParallelState(model, loss_fn, loss_reduction)


def refuse_under_launcher(who):
    """The full-batch runners train on the whole ``[X, y]`` at once: no data-parallel mode."""
    if world_size() > 1:
        raise RuntimeError(
            f"{who} trains on the whole training set at once and has no data-parallel mode; run this "
            "script without paddle.distributed.launch (or train with RunnerV3 and a paddle.io.DataLoader, "
            "which splits every batch over the processes)")


def save_on_main(state_dict, save_path):
    """Rank 0 writes ``state_dict`` (atomically: another rank or machine never reads half a file),
    then every rank waits for it, so a ``load_model`` right after sees the file."""
    if is_main_process():
        directory = os.path.dirname(os.path.abspath(save_path))
        os.makedirs(directory, exist_ok=True)
        tmp = f"{save_path}.tmp{os.getpid()}"
        paddle.save(state_dict, tmp)
        os.replace(tmp, save_path)
    paddle.distributed.barrier()
