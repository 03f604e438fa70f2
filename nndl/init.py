"""Parameter initialization (book 7.4): variance scaling (Xavier, He) and orthogonal init.

The ``*_std`` / ``*_r`` helpers take the sizes of two adjacent layers
``(input_size, output_size) = (M_{l-1}, M_l)`` and return the standard
deviation of a Gaussian ``N(0, std^2)`` or the half-width ``r`` of a uniform
``U[-r, r]``; the book's ``MLP`` calls them as ``init_fn(input_size, output_size)``
(7.4.2.1).  Table (《神经网络与深度学习》7.3.2, the lecture slides in the book's
related texts):

| method | activation | uniform r | Gaussian variance |
|---|---|---|---|
| Xavier | Logistic | 4 * sqrt(6 / (M_{l-1} + M_l)) | 16 * 2 / (M_{l-1} + M_l) |
| Xavier | Tanh | sqrt(6 / (M_{l-1} + M_l)) | 2 / (M_{l-1} + M_l) |
| He | ReLU | sqrt(6 / M_{l-1}) | 2 / M_{l-1} |

Each agrees with ``paddle.nn.initializer`` for a ``paddle.nn.Linear`` weight of
shape [input_size, output_size] (paddle's fan_in = input_size, fan_out =
output_size): ``XavierNormal()`` / ``XavierUniform()`` (``gain=4.0`` for the
Logistic variant), ``KaimingNormal()`` / ``KaimingUniform()``; under the same
seed ``nn.initializer.Normal(0, std)`` / ``Uniform(-r, r)`` with these values
draw bit-identical weights (``tests/test_init.py``).
"""
import math

import paddle

__all__ = [
    "xavier_normal_std",
    "xavier_uniform_r",
    "xavier_logistic_normal_std",
    "xavier_logistic_uniform_r",
    "he_normal_std",
    "he_uniform_r",
    "orthogonal",
]


def _check_size(fn, name, value):
    """A layer size must be a positive integer (python or numpy), not a float or a bool."""
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(f"{fn}: {name} must be a positive integer, got {value!r}")
    value = int(value)
    if value <= 0:
        raise ValueError(f"{fn}: {name} must be a positive integer, got {value}")
    return value


def xavier_normal_std(input_size, output_size):
    """Xavier 高斯分布初始化的标准差 (book 7.4.2.1, Tanh).

    输入:
        - input_size: 第 l-1 层神经元个数 M_{l-1}
        - output_size: 第 l 层神经元个数 M_l
    输出:
        - std = sqrt(2 / (M_{l-1} + M_l)), a python float (``paddle.normal`` takes a std, not a variance)
    """
    m_in = _check_size("xavier_normal_std", "input_size", input_size)
    m_out = _check_size("xavier_normal_std", "output_size", output_size)
    return math.sqrt(2.0 / (m_in + m_out))


def xavier_uniform_r(input_size, output_size):
    """Xavier 均匀分布初始化的区间 [-r, r] (book 7.4.2.2, Tanh).

    输入: input_size = M_{l-1}, output_size = M_l
    输出: r = sqrt(6 / (M_{l-1} + M_l)) (the variance r^2/3 equals Xavier's 2/(M_{l-1}+M_l))
    """
    m_in = _check_size("xavier_uniform_r", "input_size", input_size)
    m_out = _check_size("xavier_uniform_r", "output_size", output_size)
    return math.sqrt(6.0 / (m_in + m_out))


def xavier_logistic_normal_std(input_size, output_size):
    """Xavier 高斯分布初始化的标准差, Logistic 激活函数版本 (4x the Tanh value).

    输入: input_size = M_{l-1}, output_size = M_l
    输出: std = 4 * sqrt(2 / (M_{l-1} + M_l)) (variance 16 * 2/(M_{l-1}+M_l));
    equals ``paddle.nn.initializer.XavierNormal(gain=4.0)``
    """
    return 4.0 * xavier_normal_std(input_size, output_size)


def xavier_logistic_uniform_r(input_size, output_size):
    """Xavier 均匀分布初始化的 r, Logistic 激活函数版本: r = 4 * sqrt(6 / (M_{l-1} + M_l)).

    Equals ``paddle.nn.initializer.XavierUniform(gain=4.0)``.
    """
    return 4.0 * xavier_uniform_r(input_size, output_size)


def he_normal_std(input_size, output_size=None):
    """He (Kaiming) 高斯分布初始化的标准差, ReLU 激活函数 (exercise 7.7).

    输入:
        - input_size: M_{l-1} (fan in)
        - output_size: M_l, ignored (kept so that ``MLP`` can call ``init_fn(input_size, output_size)``)
    输出: std = sqrt(2 / M_{l-1}); equals ``paddle.nn.initializer.KaimingNormal()``
    """
    m_in = _check_size("he_normal_std", "input_size", input_size)
    if output_size is not None:
        _check_size("he_normal_std", "output_size", output_size)
    return math.sqrt(2.0 / m_in)


def he_uniform_r(input_size, output_size=None):
    """He (Kaiming) 均匀分布初始化的 r, ReLU 激活函数 (exercise 7.7).

    输入: input_size = M_{l-1}; output_size ignored (see :func:`he_normal_std`)
    输出: r = sqrt(6 / M_{l-1}); equals ``paddle.nn.initializer.KaimingUniform()``
    """
    m_in = _check_size("he_uniform_r", "input_size", input_size)
    if output_size is not None:
        _check_size("he_uniform_r", "output_size", output_size)
    return math.sqrt(6.0 / m_in)


def orthogonal(shape, gain=1.0, dtype="float32"):
    """正交初始化 (《神经网络与深度学习》7.3.3): a (semi-)orthogonal matrix times ``gain``.

    输入:
        - shape: [rows, cols, ...] with at least 2 dimensions; the trailing ones are
          flattened into ``cols`` (as ``paddle.nn.initializer.Orthogonal`` does)
        - gain: 缩放系数
        - dtype: 'float32' or 'float64'
    输出:
        - W, a Tensor of ``shape``: with W2 = W.reshape([rows, -1]), W2 @ W2.T = gain^2 I
          when rows <= cols, else W2.T @ W2 = gain^2 I.

    Draws a standard normal [max(rows, cols), min(rows, cols)] matrix, takes its
    reduced QR decomposition and fixes the signs by diag(R), like paddle; under
    the same seed the result equals ``paddle.nn.initializer.Orthogonal(gain)``.
    """
    shape = [int(s) for s in shape]
    if len(shape) < 2:
        raise ValueError(f"orthogonal: shape needs at least 2 dimensions, got {shape}")
    if any(s <= 0 for s in shape):
        raise ValueError(f"orthogonal: every dimension must be positive, got {shape}")
    if dtype not in ("float32", "float64"):
        raise ValueError(f"orthogonal: dtype must be 'float32' or 'float64', got {dtype!r}")
    rows = shape[0]
    cols = int(math.prod(shape[1:]))
    with paddle.no_grad():
        normal = paddle.normal(mean=0.0, std=1.0, shape=[max(rows, cols), min(rows, cols)])
        normal = normal.astype(dtype)
        q, r = paddle.linalg.qr(normal, mode="reduced")
        q = q * paddle.sign(paddle.diag(r))   # make the decomposition unique (R with a positive diagonal)
        if rows < cols:
            q = q.t()
        return (q.reshape(shape) * gain).astype(dtype)
