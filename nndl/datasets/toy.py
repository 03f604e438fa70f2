"""The book's small datasets: make_moons (3.1.1) and MoonsDataset (7.4.2.3).

Random draws use paddle's generator in the book's order (``randperm`` for the
shuffle, then ``normal`` for the noise), so ``paddle.seed(s)`` before a call
reproduces the data on the same device and paddle version.
"""
import math

import numpy as np
import paddle
import paddle.io as io

__all__ = ["make_moons", "MoonsDataset"]


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
