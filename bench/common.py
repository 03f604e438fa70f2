"""Shared helpers of the benchmarks: command line, device, timing, JSON output.

Every benchmark prints exactly one JSON object on stdout (logs go to stderr) with
an ``env`` entry naming the device that ran it, paddle's version and the date.
Compared variants are timed interleaved (A, B, A, B, ...) and summarized by
their medians, so a load change on a shared machine hits both alike.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time

import nndl.app.script  # noqa: F401  (silences paddle's import notice before paddle is imported)


def parser(description):
    """An ArgumentParser with the flags every benchmark takes (--device, --tiny, --repeats)."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--device", default=None,
                   help="'cpu', 'gpu', 'gpu:1' (default: the GPU when paddle has one, else the CPU)")
    p.add_argument("--tiny", action="store_true", help="a configuration that runs in seconds (tests)")
    p.add_argument("--repeats", type=int, default=None, help="interleaved repetitions per variant")
    p.add_argument("--seed", type=int, default=0)
    return p


def setup_device(device=None):
    """Make ``device`` (default: GPU when available) paddle's device; return its name."""
    from nndl.utils import use_device
    return use_device(device)


def env_info(device):
    import numpy as np
    import paddle
    return {
        "device": device,
        "paddle": paddle.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join([os.path.basename(sys.executable)] + sys.argv),
    }


def sync(device):
    """Wait for queued GPU work so wall-clock times are complete (no-op on the CPU)."""
    if str(device).startswith("gpu"):
        import paddle
        paddle.device.synchronize()


def timed(fn, device="cpu"):
    """Seconds one call of ``fn()`` takes (device synchronized before and after)."""
    sync(device)
    t0 = time.perf_counter()
    fn()
    sync(device)
    return time.perf_counter() - t0


def interleave(variants, repeats, device="cpu", warmup=1):
    """Time each variant ``repeats`` times in the order A, B, A, B, ... after ``warmup`` rounds.

    ``variants``: dict name -> zero-argument callable.  Returns dict name -> list of seconds.
    """
    for _ in range(warmup):
        for fn in variants.values():
            fn()
    times = {name: [] for name in variants}
    names = list(variants)
    for r in range(repeats):
        # alternate the order too, so neither variant always runs first
        order = names if r % 2 == 0 else names[::-1]
        for name in order:
            times[name].append(timed(variants[name], device))
    return times


def summary(seconds):
    """Median, min and max of a list of seconds (rounded for JSON)."""
    return {"median_s": round(statistics.median(seconds), 6), "min_s": round(min(seconds), 6),
            "max_s": round(max(seconds), 6), "n": len(seconds)}


def ratio(a, b):
    """Median of ``a`` over median of ``b``, and the median of the pairwise ratios."""
    pair = [x / y for x, y in zip(a, b)]
    return {"ratio_of_medians": round(statistics.median(a) / statistics.median(b), 4),
            "median_pairwise_ratio": round(statistics.median(pair), 4)}


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def emit(result):
    """Print the benchmark's one JSON object on stdout."""
    json.dump(result, sys.stdout, indent=1, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
    sys.stdout.flush()


def synthetic_mnist(n, seed=0):
    """MNIST-shaped random data: float32 images [n, 1, 28, 28] in [0, 1), int64 labels [n, 1]."""
    import numpy as np
    rng = np.random.default_rng(seed)
    X = rng.random((n, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, size=(n, 1), dtype=np.int64)
    return X, y


def real_mnist(n):
    """The first ``n`` MNIST training images through the book's transform (vectorized), labels [n, 1]."""
    import numpy as np
    from nndl.datasets.mnist import MNIST, mnist_to_tensor
    ds = MNIST(mode="train")
    images, labels = ds.arrays()
    return (mnist_to_tensor(images[:n], as_tensor=False),
            labels[:n].reshape(-1, 1).astype(np.int64))


def batches(X, y, batch_size):
    """A list of (X, y) paddle tensor batches (drop_last), built once before timing."""
    import paddle
    Xt, yt = paddle.to_tensor(X), paddle.to_tensor(y)
    n = (len(X) // batch_size) * batch_size
    return [(Xt[s:s + batch_size], yt[s:s + batch_size]) for s in range(0, n, batch_size)]
