"""The book's small datasets: create_toy_data, linear_func and sin (2.2.1, 2.3.1),
make_moons (3.1.1), make_multiclass_classification (3.2.1) and MoonsDataset (7.4.2.3).

Random draws use paddle's generator in the book's order (``randperm`` for the
shuffle, then ``normal`` for the noise), so ``paddle.seed(s)`` before a call
reproduces the data on the same device and paddle version.
"""
import math

import numpy as np
import paddle
import paddle.io as io

__all__ = ["create_toy_data", "linear_func", "sin", "make_moons", "make_multiclass_classification",
           "MoonsDataset"]


def create_toy_data(func, interval, sample_num, noise=0.0, add_outlier=False, outlier_ratio=0.001):
    """根据给定的函数, 生成样本 (book 2.2.1.1).

    输入:
        - func: 函数, applied elementwise to a float32 Tensor
        - interval: x的取值范围 ``(low, high)``, x ~ U[low, high)
        - sample_num: 样本数目
        - noise: 噪声标准差 (Gaussian label noise, >= 0)
        - add_outlier: 是否生成异常值 (labels of ``int(N * outlier_ratio)`` random samples x5)
        - outlier_ratio: 异常值占比
    输出:
        - X: 特征数据, shape=[sample_num]
        - y: 标签数据, shape=[sample_num]
    Draws (``paddle.rand``, ``paddle.normal``, ``paddle.randint``) in the book's order.
    """
    if not callable(func):
        raise TypeError(f"create_toy_data: func must be callable, got {type(func).__name__}")
    try:
        low, high = (float(v) for v in interval)
    except (TypeError, ValueError):
        raise ValueError(f"create_toy_data: interval must be a pair (low, high), got {interval!r}") from None
    if not low < high:
        raise ValueError(f"create_toy_data: interval must have low < high, got {interval!r}")
    if isinstance(sample_num, bool) or not isinstance(sample_num, (int, np.integer)) or sample_num < 1:
        raise ValueError(f"create_toy_data: sample_num must be a positive int, got {sample_num!r}")
    if not noise >= 0:
        raise ValueError(f"create_toy_data: noise must be >= 0, got {noise!r}")
    if not 0 <= outlier_ratio <= 1:
        raise ValueError(f"create_toy_data: outlier_ratio must be in [0, 1], got {outlier_ratio!r}")
    # 均匀采样
    X = paddle.rand(shape=[int(sample_num)]) * (high - low) + low
    y = func(X)
    # 生成高斯分布的标签噪声 (the book's ``noisy`` is an undefined name: the argument is ``noise``)
    epsilon = paddle.normal(0.0, float(noise), shape=[y.shape[0]])
    y = y + epsilon
    if add_outlier:  # 生成额外的异常点
        outlier_num = int(len(y) * outlier_ratio)
        if outlier_num != 0:
            outlier_idx = paddle.randint(len(y), shape=[outlier_num])
            # a new tensor, not an in-place write (a repeated index is scaled once, as in the book)
            mask = np.zeros([len(y)], dtype=bool)
            mask[outlier_idx.numpy()] = True
            y = paddle.where(paddle.to_tensor(mask), y * 5, y)
    return X, y


def linear_func(x, w=1.2, b=0.5):
    """真实函数 (book 2.2.1.2): ``y = w * x + b`` (缺省值 w=1.2, b=0.5)."""
    return w * x + b


def sin(x):
    """sin函数 (book 2.3.1): ``sin(2 * pi * x)`` of a float tensor."""
    if not isinstance(x, paddle.Tensor):
        raise TypeError(f"sin: expected a paddle.Tensor, got {type(x).__name__}")
    return paddle.sin(2 * math.pi * x)


def make_moons(n_samples=1000, shuffle=True, noise=None):
    """生成带噪音的弯月形状数据 (book 3.1.1).

    输入:
        - n_samples: 数据量大小
        - shuffle: 是否打乱数据
        - noise: 噪声标准差, None 时不加噪声
    输出:
        - X: 特征数据, float32 Tensor shape=[n_samples, 2]
        - y: 标签数据, float32 Tensor shape=[n_samples] (0 for the outer moon, 1 for the inner)
    """
    n_samples = int(n_samples)
    if n_samples < 2:
        raise ValueError(f"make_moons: n_samples must be at least 2, got {n_samples}")
    if noise is not None and noise < 0:
        raise ValueError(f"make_moons: noise must be None or >= 0, got {noise}")
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = paddle.linspace(0, math.pi, n_out)
    t_in = paddle.linspace(0, math.pi, n_in)
    X = paddle.stack(
        [paddle.concat([paddle.cos(t_out), 1 - paddle.cos(t_in)]),
         paddle.concat([paddle.sin(t_out), 0.5 - paddle.sin(t_in)])],
        axis=1)
    y = paddle.concat([paddle.zeros(shape=[n_out]), paddle.ones(shape=[n_in])])
    if shuffle:
        # the book copies element by element in a python loop; a gather gives the same result
        idx = paddle.randperm(X.shape[0])
        X = paddle.gather(X, idx)
        y = paddle.gather(y, idx)
    if noise is not None:
        X = X + paddle.normal(mean=0.0, std=noise, shape=X.shape)
    return X, y


class MoonsDataset(io.Dataset):
    """弯月数据集 (book 7.4.2.3): ``num_samples`` draws of make_moons(noise=0.5), split at ``num_train``.

    Items are ``(x, y)`` with x float32 shape=[2] and y float32 shape=[1], so
    that a batch's labels are [B, 1] like the logits of a one-output network
    (paddle >= 2.5 would make a scalar label 0-D and batches [B], which
    ``binary_cross_entropy_with_logits`` rejects against [B, 1] logits).
    """

    def __init__(self, mode='train', num_samples=300, num_train=200):
        super().__init__()
        if mode not in ('train', 'dev', 'test'):
            raise ValueError(f"MoonsDataset: mode must be 'train', 'dev' or 'test', got {mode!r}")
        if not 0 < num_train < num_samples:
            raise ValueError(f"MoonsDataset: need 0 < num_train < num_samples, got {num_train}, {num_samples}")
        X, y = make_moons(n_samples=num_samples, shuffle=True, noise=0.5)
        X, y = X.numpy(), y.numpy().reshape([-1, 1])
        if mode == 'train':
            self.X, self.y = X[:num_train], y[:num_train]
        else:
            self.X, self.y = X[num_train:], y[num_train:]

    def __getitem__(self, idx):
        return self.X[idx], self.y[idx]

    def __len__(self):
        return len(self.y)


def make_multiclass_classification(n_samples=100, n_features=2, n_classes=3, shuffle=True, noise=0.1):
    """生成带噪音的多类别数据 (book 3.2.1).

    输入:
        - n_samples: 数据量大小, int
        - n_features: 特征数量, int (1..8: the class centres are corners of the unit cube,
          drawn from the bits of ``randperm(2 ** n_features)``)
        - n_classes: 类别数, int (<= 2 ** n_features)
        - shuffle: 是否打乱数据, bool
        - noise: 标签噪声比例 in [0, 1]: each label is replaced by a random class with this
          probability; None or 0 adds none
    输出:
        - X: 特征数据, float32 Tensor shape=[n_samples, n_features]
        - y: 标签数据, int32 Tensor shape=[n_samples]
    ``paddle.seed(102)`` then ``(1000, 2, 3, noise=0.2)`` gives the book's Multi1000: random
    numbers are drawn in the book's order (its per-sample loops are vectorized).
    """
    for name, v in (("n_samples", n_samples), ("n_features", n_features), ("n_classes", n_classes)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"make_multiclass_classification: {name} must be a positive int, got {v!r}")
    if n_features > 8:
        raise ValueError(f"make_multiclass_classification: n_features must be <= 8 (centres come from "
                         f"one byte), got {n_features}")
    if n_classes > 2 ** n_features:
        raise ValueError(f"make_multiclass_classification: n_classes={n_classes} exceeds the "
                         f"2**n_features={2 ** n_features} possible centres")
    if n_samples < n_classes:
        raise ValueError(f"make_multiclass_classification: n_samples={n_samples} < n_classes={n_classes}")
    if noise is not None and not 0 <= noise <= 1:
        raise ValueError(f"make_multiclass_classification: noise must be None or in [0, 1], got {noise!r}")
    # 计算每个类别的样本数量
    n_per_class = [int(n_samples / n_classes) for _ in range(n_classes)]
    for i in range(n_samples - sum(n_per_class)):
        n_per_class[i % n_classes] += 1
    # 随机生成类别中心 (corners of the cube, scaled to {-1, 0.5})
    centroids = paddle.randperm(2 ** n_features)[:n_classes]
    bits = np.unpackbits(centroids.numpy().astype('uint8')).reshape((-1, 8))[:, -n_features:]
    centroids = 1.5 * paddle.to_tensor(bits, dtype='float32') - 1
    X = paddle.randn(shape=[n_samples, n_features])
    parts, labels = [], []
    stop = 0
    for k in range(n_classes):
        start, stop = stop, stop + n_per_class[k]
        # 控制每个类别特征值的分散程度
        A = 2 * paddle.rand(shape=[n_features, n_features]) - 1
        parts.append(paddle.matmul(X[start:stop], A) + centroids[k])
        labels.append(np.full([n_per_class[k]], k % n_classes, dtype=np.int32))
    X = paddle.concat(parts, axis=0)
    y = paddle.to_tensor(np.concatenate(labels))
    if noise is not None and noise > 0.0:
        # 给加噪声的样本随机赋标签值 (one randint per noisy sample, in sample order, as the book)
        noise_mask = (paddle.rand([n_samples]) < noise).numpy()
        m = int(noise_mask.sum())
        if m:
            y_np = y.numpy().copy()
            y_np[noise_mask] = paddle.randint(n_classes, shape=[m]).numpy().astype(np.int32)
            y = paddle.to_tensor(y_np)
    if shuffle:
        idx = paddle.randperm(X.shape[0])
        X = paddle.gather(X, idx)
        y = paddle.gather(y, idx)
    return X, y
