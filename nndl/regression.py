"""Chapter 2 机器学习概述: linear and polynomial regression, least squares, and the
helpers of the Boston experiment (train_test_split, boxplot).

``Linear`` here is 2.2.2.1's ``Linear(dimension)`` (a weight vector and a bias, no
backward); it stays in this module (``nndl.regression.Linear``) because ``nndl.Linear``
is 4.2.4.4's layer operator.
"""
import numbers

import numpy as np
import paddle

from .op import Op

__all__ = ["Linear", "optimizer_lsm", "polynomial_basis_function", "train_test_split", "boxplot"]
__local__ = ("Linear",)


def _check_tensor(who, name, t, ndim=None):
    if not isinstance(t, paddle.Tensor):
        raise TypeError(f"{who}: {name} must be a paddle.Tensor, got {type(t).__name__}")
    if not paddle.is_floating_point(t):
        raise TypeError(f"{who}: {name} must be a floating-point tensor, got {t.dtype}")
    if ndim is not None and t.ndim not in ndim:
        raise ValueError(f"{who}: {name} must have {' or '.join(f'{d}' for d in ndim)} axes, "
                         f"got shape {list(t.shape)}")


class Linear(Op):
    """线性算子 (book 2.2.2.1): ``y = Xw + b``.

    输入:
        - dimension: 模型要处理的数据特征向量长度 D (0: the model is the constant b)
    Parameters: ``params['w']`` shape=[D, 1] drawn from N(0, 1) (``paddle.randn``, so
    ``paddle.seed`` fixes it), ``params['b']`` shape=[1] zeros.
    """

    def __init__(self, dimension):
        if isinstance(dimension, bool) or not isinstance(dimension, numbers.Integral) or dimension < 0:
            raise ValueError(f"Linear: dimension must be a non-negative int, got {dimension!r}")
        self.dim = int(dimension)
        # 模型参数
        self.params = {}
        self.params['w'] = paddle.randn(shape=[self.dim, 1], dtype='float32')
        self.params['b'] = paddle.zeros(shape=[1], dtype='float32')

    def __call__(self, X):
        return self.forward(X)

    def forward(self, X):
        """
        输入:
            - X: tensor, shape=[N, D] (N 个 x 向量的转置拼接成的矩阵)
        输出:
            - y_pred: tensor, shape=[N, 1]
        """
        _check_tensor("Linear", "X", X, ndim=(2,))
        N, D = X.shape
        if self.dim == 0:
            # degree-0 polynomial: a constant; the input's features are not used
            return paddle.ones([N, 1], dtype=self.params['b'].dtype) * self.params['b'].reshape([1, 1])
        if D != self.dim:  # 输入数据维度合法性验证
            raise ValueError(f"Linear: X has {D} features (shape {list(X.shape)}), the model expects "
                             f"{self.dim}")
        w = self.params['w'].reshape([self.dim, 1])
        return paddle.matmul(X, w) + self.params['b'].reshape([1])


def optimizer_lsm(model, X, y, reg_lambda=0):
    """最小二乘法 (book 2.2.4, eq. 2.12-2.14): set ``model.params`` to the closed-form fit.

    输入:
        - model: 模型 with ``params['w']`` and ``params['b']`` (``Linear``)
        - X: tensor, 特征数据, shape=[N, D]
        - y: tensor, 标签数据, shape=[N] or [N, 1]
        - reg_lambda: float >= 0, ℓ2 正则化系数 (ridge term λI of eq. 2.14), 默认为0
    输出:
        - model: 优化好的模型; ``params['w']`` shape=[D, 1], ``params['b']`` shape=[1]

    ``w* = ((X - x̄)ᵀ(X - x̄) + λI)⁻¹ (X - x̄)ᵀ (y - ȳ)``, ``b* = ȳ - x̄ᵀw*``, computed in
    float32 with ``paddle.inverse`` as the book does (so its printed Boston weights are
    reproduced); when every feature is constant, ``w* = 0`` and ``b* = ȳ``.
    """
    who = "optimizer_lsm"
    params = getattr(model, "params", None)
    if not isinstance(params, dict):
        raise TypeError(f"{who}: model must have a `params` dict, got {type(model).__name__}")
    _check_tensor(who, "X", X, ndim=(2,))
    _check_tensor(who, "y", y, ndim=(1, 2))
    N, D = X.shape
    if N == 0:
        raise ValueError(f"{who}: X is empty (shape {list(X.shape)})")
    if y.shape[0] != N or (y.ndim == 2 and y.shape[1] != 1):
        raise ValueError(f"{who}: y must have shape [{N}] or [{N}, 1] to match X {list(X.shape)}, "
                         f"got {list(y.shape)}")
    dim = getattr(model, "dim", None)
    if dim not in (None, 0) and dim != D:
        raise ValueError(f"{who}: X has {D} features, the model expects {dim}")
    if not isinstance(reg_lambda, numbers.Real) or not reg_lambda >= 0:
        raise ValueError(f"{who}: reg_lambda must be a number >= 0, got {reg_lambda!r}")
    y = y.reshape([N]).astype(X.dtype)

    # 对输入特征数据所有特征向量求平均
    x_bar_tran = paddle.mean(X, axis=0)
    # 求标签的均值
    y_bar = paddle.mean(y)
    x_sub = paddle.subtract(X, x_bar_tran)
    if bool(paddle.all(x_sub == 0)):
        # constant features (the degree-0 basis): the best fit is the mean label
        params['b'] = y_bar.reshape([1])
        params['w'] = paddle.zeros(shape=[D, 1], dtype=X.dtype)
        return model
    # paddle.inverse 求方阵的逆 (float32, as the book; ill-conditioned for high degrees)
    tmp = paddle.inverse(paddle.matmul(x_sub.T, x_sub) + reg_lambda * paddle.eye(num_rows=D, dtype=X.dtype))
    w = paddle.matmul(paddle.matmul(tmp, x_sub.T), (y - y_bar))          # [D]
    b = y_bar - paddle.matmul(x_bar_tran, w)                             # 0-D
    if not bool(paddle.all(paddle.isfinite(w))):
        raise ValueError(f"{who}: (X - x̄)ᵀ(X - x̄) + λI is singular for X of shape {list(X.shape)} "
                         f"and reg_lambda={reg_lambda}; use reg_lambda > 0 or fewer features")
    params['b'] = b.reshape([1])
    params['w'] = w.reshape([D, 1])
    return model


def polynomial_basis_function(x, degree=2):
    """多项式基函数 (book 2.3.2): ``[x, x², ..., x^degree]``.

    输入:
        - x: tensor, 输入的数据, shape=[N, 1]
        - degree: int >= 0, 多项式的阶数
    输出:
        - x_result: tensor shape=[N, degree]; degree 0 gives ones of x's shape [N, 1]
    example: ``[[2], [3], [4]]``, degree=2 -> ``[[2, 4], [3, 9], [4, 16]]``
    """
    _check_tensor("polynomial_basis_function", "x", x, ndim=(2,))
    if x.shape[1] != 1:
        raise ValueError(f"polynomial_basis_function: x must have shape [N, 1], got {list(x.shape)}")
    if isinstance(degree, bool) or not isinstance(degree, numbers.Integral) or degree < 0:
        raise ValueError(f"polynomial_basis_function: degree must be a non-negative int, got {degree!r}")
    if degree == 0:
        # degree为0时生成形状与输入相同的全1张量
        return paddle.ones(shape=x.shape, dtype=x.dtype)
    x_tmp = x
    columns = [x]
    for _ in range(2, degree + 1):
        x_tmp = paddle.multiply(x_tmp, x)   # 逐元素相乘: the book's repeated product, same rounding
        columns.append(x_tmp)
    return paddle.concat(columns, axis=-1)


def _as_array(v, who, name):
    if hasattr(v, "to_numpy"):          # pandas DataFrame / Series
        return v.to_numpy(copy=True)
    if isinstance(v, paddle.Tensor):
        return v
    try:
        return np.asarray(v)
    except Exception:
        raise TypeError(f"{who}: {name} must be a DataFrame, Series, array or tensor, got {type(v).__name__}")


def train_test_split(X, y, train_percent=0.8):
    """划分训练集和测试集 (book 2.5.1.3), with ``paddle.randperm`` (``paddle.seed`` fixes it).

    输入:
        - X: 特征, shape=[N, D] (pandas DataFrame, numpy array or tensor)
        - y: 标签, shape=[N] (pandas Series, numpy array or tensor)
        - train_percent: 训练集比例, in (0, 1); both parts must be non-empty
    输出:
        - X_train, X_test, y_train, y_test: numpy arrays (tensors when X and y are tensors);
          the first ``int(N * train_percent)`` shuffled samples form the training set
    """
    who = "train_test_split"
    X = _as_array(X, who, "X")
    y = _as_array(y, who, "y")
    n = len(X)
    if len(y) != n:
        raise ValueError(f"{who}: X has {n} samples but y has {len(y)}")
    if not isinstance(train_percent, numbers.Real) or not 0 < train_percent < 1:
        raise ValueError(f"{who}: train_percent must be in (0, 1), got {train_percent!r}")
    train_set_size = int(n * train_percent)
    if train_set_size == 0 or train_set_size == n:
        raise ValueError(f"{who}: train_percent={train_percent} of {n} samples leaves an empty "
                         f"{'training' if train_set_size == 0 else 'test'} set")
    shuffled_indices = paddle.randperm(n)  # 0..n-1 的随机排列
    idx = shuffled_indices.numpy()
    train_idx, test_idx = idx[:train_set_size], idx[train_set_size:]
    if isinstance(X, paddle.Tensor) or isinstance(y, paddle.Tensor):
        take = lambda a, i: paddle.gather(a, paddle.to_tensor(i)) if isinstance(a, paddle.Tensor) else a[i]
    else:
        take = lambda a, i: a[i]
    return take(X, train_idx), take(X, test_idx), take(y, train_idx), take(y, test_idx)


def boxplot(data, path=None, title=None):
    """箱线图查看异常值分布 (book 2.5.1.2): one box plot per column of ``data`` on a 3x5 grid.

    输入:
        - data: pandas DataFrame (at most 15 numeric columns)
        - path: save the figure there when given
        - title: an optional figure title
    输出: the matplotlib figure (never shown)
    """
    import matplotlib.pyplot as plt
    columns = list(getattr(data, "columns", []))
    if not columns:
        raise TypeError(f"boxplot: data must be a pandas DataFrame with columns, got {type(data).__name__}")
    if len(columns) > 15:
        raise ValueError(f"boxplot: the book's 3x5 grid holds 15 columns, data has {len(columns)}")
    fig = plt.figure(figsize=(5, 5), dpi=100)
    fig.subplots_adjust(wspace=0.6)
    for i, col_name in enumerate(columns):
        ax = fig.add_subplot(3, 5, i + 1)
        ax.boxplot(np.asarray(data[col_name], dtype=float),
                   showmeans=True,
                   whiskerprops={"color": "g", "linewidth": 0.4, "linestyle": "--"},
                   flierprops={"markersize": 0.4},
                   meanprops={"markersize": 1})
        ax.set_title(col_name, fontdict={"size": 5}, pad=2)
        ax.tick_params(axis="y", labelsize=4, labelrotation=90, pad=0.5)
        ax.set_xticks([])
        ax.set_ylabel("value", fontsize=4, labelpad=0.5)
    if title:
        fig.suptitle(title, fontsize=6)
    if path is not None:
        fig.savefig(path, bbox_inches="tight")
    return fig
