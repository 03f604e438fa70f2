"""Iris (book 3.3.1.2 load_data, 4.5.2.1 IrisDataset), from scikit-learn's bundled copy.

The book loads Iris with ``sklearn.datasets.load_iris()``, which reads a CSV shipped
inside scikit-learn: nothing is downloaded.  ``load_data`` is the book's function
(min-max scaling over all 150 samples, then a ``paddle.randperm`` shuffle, so
``paddle.seed(102)`` reproduces 3.3's split).

``IrisDataset`` differs from the book on purpose: the book's ``__init__`` calls
``load_data(shuffle=True)`` once per instance, so ``train``, ``dev`` and ``test``
are cut from three different permutations and overlap (the test samples are
mostly training samples).  Here the three modes are cut from ONE permutation,
drawn from the dataset's own generator (``seed``, default 12, the seed of 4.5),
so they are disjoint and the same whichever mode is built first, and building
a dataset does not consume paddle's global random numbers.
"""
import numpy as np
import paddle
import paddle.io as io

__all__ = ["load_data", "load_iris_arrays", "iris_permutation", "IrisDataset"]
__local__ = ("load_data",)   # 6.1.1.2 DigitSum has another load_data

NUM_SAMPLES = 150


def load_iris_arrays():
    """The raw Iris data as ``(X float32 [150, 4], y int32 [150])`` numpy arrays
    (scikit-learn's bundled copy, the book's source)."""
    try:
        from sklearn.datasets import load_iris
    except ImportError as exc:  # pragma: no cover - scikit-learn is a dependency
        raise ImportError("Iris: the book loads it with scikit-learn's load_iris(); "
                          "install scikit-learn (pip install 'scikit-learn>=1.0')") from exc
    iris = load_iris()
    X = np.asarray(iris.data, dtype=np.float32)
    y = np.asarray(iris.target, dtype=np.int32)
    if X.shape != (NUM_SAMPLES, 4) or y.shape != (NUM_SAMPLES,):
        raise ValueError(f"Iris: scikit-learn returned X {X.shape} and y {y.shape}, expected (150, 4) and (150,)")
    return X, y


def _minmax(X):
    # 数据归一化 over all 150 samples, as the book does (paddle ops: same float32 rounding)
    X_min = paddle.min(X, axis=0)
    X_max = paddle.max(X, axis=0)
    return (X - X_min) / (X_max - X_min)


def load_data(shuffle=True):
    """加载鸢尾花数据 (book 3.3.1.2).

    输入:
        - shuffle: 是否打乱数据 (with ``paddle.randperm``: ``paddle.seed`` fixes it), bool
    输出:
        - X: 特征数据, float32 Tensor shape=[150, 4], min-max scaled to [0, 1] per feature
        - y: 标签数据, int32 Tensor shape=[150], classes 0, 1, 2
    """
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"load_data: shuffle must be a bool, got {shuffle!r}")
    X_np, y_np = load_iris_arrays()
    X = _minmax(paddle.to_tensor(X_np))
    y = paddle.to_tensor(y_np)
    if shuffle:
        # the book copies row by row in a python loop; one gather gives the same tensors
        idx = paddle.randperm(X.shape[0])
        X = paddle.gather(X, idx)
        y = paddle.gather(y, idx)
    return X, y


def iris_permutation(seed=12):
    """The one permutation of the 150 samples that ``IrisDataset(seed=seed)`` uses (numpy's
    generator, independent of paddle's global state)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"IrisDataset: seed must be a non-negative int, got {seed!r}")
    return np.random.RandomState(int(seed)).permutation(NUM_SAMPLES)


class IrisDataset(io.Dataset):
    """鸢尾花数据集 (book 4.5.2.1), a ``paddle.io.Dataset`` of ``(x float32 [4], y int32 [])``.

    输入:
        - mode: 'train', 'dev' or 'test'
        - num_train: 训练集样本数 (120)
        - num_dev: 验证集样本数 (15); the test set is the remaining samples
        - seed: the split's own seed (not in the book; see the module docstring)
    """

    def __init__(self, mode='train', num_train=120, num_dev=15, seed=12):
        super().__init__()
        if mode not in ('train', 'dev', 'test'):
            raise ValueError(f"IrisDataset: mode must be 'train', 'dev' or 'test', got {mode!r}")
        for name, v in (("num_train", num_train), ("num_dev", num_dev)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise ValueError(f"IrisDataset: {name} must be a non-negative int, got {v!r}")
        if num_train + num_dev > NUM_SAMPLES:
            raise ValueError(f"IrisDataset: num_train + num_dev = {num_train + num_dev} exceeds the "
                             f"{NUM_SAMPLES} samples")
        bounds = {'train': (0, num_train), 'dev': (num_train, num_train + num_dev),
                  'test': (num_train + num_dev, NUM_SAMPLES)}
        lo, hi = bounds[mode]
        if hi <= lo:
            raise ValueError(f"IrisDataset: the {mode} split is empty (num_train={num_train}, "
                             f"num_dev={num_dev} of {NUM_SAMPLES})")
        X_np, y_np = load_iris_arrays()
        X = _minmax(paddle.to_tensor(X_np)).numpy()
        perm = iris_permutation(seed)
        self.indices = perm[lo:hi]
        self.X = X[self.indices]
        self.y = y_np[self.indices]
        self.mode = mode

    def __getitem__(self, idx):
        return self.X[idx], self.y[idx]

    def __len__(self):
        return len(self.y)
