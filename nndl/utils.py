"""Seeding and device helpers (one of each, used by the whole package)."""
import os
import random

import numpy as np
import paddle

__all__ = ["set_seed", "default_device", "use_device"]


def set_seed(seed=0):
    """Seed python's ``random``, numpy and paddle with one number.

    The book seeds with ``paddle.seed(...)`` and ``np.random.seed(...)`` by hand;
    this does both (and python's ``random``) so a chapter script is reproducible
    on the CPU.
    """
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    paddle.seed(seed)
    return seed


def default_device():
    """'gpu' when this paddle is built with CUDA and sees a GPU, else 'cpu'.

    ``paddle.set_device('gpu')`` raises on the CPU build, so ask first.
    ``NNDL_DEVICE`` overrides (for example ``NNDL_DEVICE=cpu`` on a GPU box).
    """
    env = os.environ.get("NNDL_DEVICE")
    if env:
        return env
    try:
        if paddle.device.is_compiled_with_cuda() and paddle.device.cuda.device_count() > 0:
            return "gpu"
    except Exception:  # a broken CUDA install must not stop CPU work
        pass
    return "cpu"


def use_device(device=None):
    """Make ``device`` (default: :func:`default_device`) paddle's current device.

    Returns the device string paddle reports afterwards (``'cpu'``, ``'gpu:0'``).
    """
    device = device or default_device()
    paddle.set_device(device)
    return paddle.get_device()
