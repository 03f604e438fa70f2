"""The book's activation functions on paddle tensors (3.1, 3.2.2.1, 4.1.2).

Each is the book's formula, written so that it does not overflow: ``logistic``
and ``tanh`` of a large negative input are 0 and -1, not NaN, and ``softmax``
subtracts the row maximum as the book does.  They are plain functions, so
paddle's autograd differentiates them; the hand-written operators that need a
backward pass (``nndl.op.Logistic``) use them for their forward.
"""
import paddle

__all__ = ["logistic", "softmax", "tanh", "relu", "leaky_relu"]


def _tensor(x, who):
    if not isinstance(x, paddle.Tensor):
        raise TypeError(f"{who}: expected a paddle.Tensor, got {type(x).__name__}")
    if not paddle.is_floating_point(x):
        raise TypeError(f"{who}: expected a floating-point tensor, got {x.dtype}")
    return x


def logistic(x):
    """Logistic 函数 (book 3.1, 4.1.2.1): ``1 / (1 + exp(-x))``, elementwise, any shape."""
    x = _tensor(x, "logistic")
    # exp(-|x|) never overflows; the two branches are the same formula rearranged
    e = paddle.exp(-paddle.abs(x))
    return paddle.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(X):
    """Softmax 函数 (book 3.2.2.1): row-wise along the last axis, max subtracted first.

    输入: X shape=[N, C] (or [C]); 输出: same shape, each row sums to 1.
    """
    X = _tensor(X, "softmax")
    x_max = paddle.max(X, axis=-1, keepdim=True)
    x_exp = paddle.exp(X - x_max)
    return x_exp / paddle.sum(x_exp, axis=-1, keepdim=True)


def tanh(z):
    """Tanh 函数 (book 4.1.2.1): ``(exp(z) - exp(-z)) / (exp(z) + exp(-z))``, computed as
    ``2 * logistic(2z) - 1`` (the same function, without exp overflow)."""
    z = _tensor(z, "tanh")
    return 2.0 * logistic(2.0 * z) - 1.0


def relu(z):
    """ReLU 函数 (book 4.1.2.2): ``max(0, z)``."""
    z = _tensor(z, "relu")
    return paddle.maximum(z, paddle.zeros_like(z))


def leaky_relu(z, negative_slope=0.1):
    """带泄露的ReLU (book 4.1.2.2): ``z`` where ``z > 0``, else ``negative_slope * z``."""
    z = _tensor(z, "leaky_relu")
    if not isinstance(negative_slope, (int, float)) or isinstance(negative_slope, bool):
        raise TypeError(f"leaky_relu: negative_slope must be a number, got {negative_slope!r}")
    return paddle.where(z > 0, z, negative_slope * z)
