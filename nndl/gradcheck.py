"""Numerical gradients for testing hand-written backward passes (cs231n style).

All arithmetic is float64: a central difference ``(f(x+h) - f(x-h)) / 2h`` with
``h = 1e-6`` has a truncation error O(h^2) and a rounding error O(eps/h), about
1e-10 in float64, so an analytic gradient that is right agrees to ~1e-7
relative error and a wrong one does not.
"""
import numpy as np
import paddle

__all__ = ["numerical_grad", "rel_error"]


def _to_numpy64(x):
    if isinstance(x, paddle.Tensor):
        x = x.numpy()
    return np.array(x, dtype=np.float64)


def numerical_grad(f, x, h=1e-6):
    """Central-difference gradient of the scalar function ``f`` at ``x``.

    输入:
        - f: callable taking a float64 paddle Tensor shaped like ``x`` and
          returning a scalar (Tensor or number)
        - x: the point, a Tensor or array
        - h: the step
    输出:
        - numpy float64 array shaped like ``x``
    """
    x = _to_numpy64(x)
    grad = np.zeros_like(x)
    flat = x.reshape(-1)
    g = grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        fp = float(f(paddle.to_tensor(x)))
        flat[i] = old - h
        fm = float(f(paddle.to_tensor(x)))
        flat[i] = old
        g[i] = (fp - fm) / (2 * h)
    return grad


def rel_error(a, b):
    """Largest elementwise relative error ``|a-b| / max(1e-8, |a|+|b|)``."""
    a = _to_numpy64(a)
    b = _to_numpy64(b)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes differ, {a.shape} vs {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
