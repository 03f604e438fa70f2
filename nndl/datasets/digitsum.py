"""DigitSum 数字求和 (book 6.1.1): generate_data, load_data, DigitSumDataset.

A sequence of ``length`` digits whose first two are ``n1, n2`` (all 100 pairs) and whose
other positions are 0 except one random position set to a random digit; the label is
``n1 + n2`` (19 classes).  The memory task: the network must remember the first two digits
across the distractor.

File format (``{train,dev,test}.txt`` in one folder per length): one example per line,
``"d d d ... d\\tlabel\\n"`` (digits separated by single spaces, a tab, the label).

The book seeds ``random.seed(0); np.random.seed(0)`` once and then generates, for lengths
5, 10, ..., 35, train (k=3), dev (k=1), test (k=1) in that order from numpy's global generator.
:func:`generate_data` draws from numpy's global generator as the book does (so that sequence
of calls gives the book's files), or from ``rng`` (a ``numpy.random.RandomState``) when given.
"""
import os
from pathlib import Path

import numpy as np
import paddle
from paddle.io import Dataset

from .base import atomic_write

__all__ = ["generate_data", "load_data", "DigitSumDataset", "make_digitsum"]
# load_data is also 3.3.1.2's Iris loader
__local__ = ("load_data",)

BOOK_LENGTHS = (5, 10, 15, 20, 25, 30, 35)


def generate_data(length, k, save_path, rng=None, verbose=True):
    """数据集的构建函数 (book 6.1.1.1): writes ``100 * k`` augmented examples to ``save_path``.

    输入:
        - length: 序列长度 (>= 3); k: 每个数字组合生成的样本数 (>= 1)
        - save_path: the file to write (its folder is created; the book forgot to, L8046)
        - rng: a ``numpy.random.RandomState``; None uses numpy's global generator, as the book
        - verbose: print the book's ``generate data to: ...`` line
    输出:
        - the list of ``(seq, label)`` written
    """
    if not isinstance(length, (int, np.integer)) or length < 3:
        raise ValueError(f"The length of data should be greater than 2, got {length!r}.")
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k should be greater than 0, got {k!r}.")
    randint = (rng or np.random).randint
    examples = []
    for n1 in range(10):
        for n2 in range(10):
            base = [n1, n2] + [0] * (length - 2)
            for _ in range(k):
                # one random position after the first two gets a random digit (order as the book)
                idx = randint(2, length)
                val = randint(0, 10)
                seq = list(base)
                seq[idx] = val
                examples.append((seq, n1 + n2))
    with atomic_write(Path(save_path), mode="w") as f:
        for seq, label in examples:
            f.write(" ".join(str(e) for e in seq) + "\t" + str(label) + "\n")
    if verbose:
        print(f"generate data to: {save_path}.")
    return examples


def make_digitsum(root, lengths=BOOK_LENGTHS, seed=0, verbose=False):
    """The book's seven data sets under ``root/{length}/{train,dev,test}.txt``.

    Seeds ``random`` and numpy's global generator with ``seed`` as the book does (6.1.1.1), then
    generates every length in the book's order, so the files equal the book's for
    ``lengths=BOOK_LENGTHS``.  A subset of lengths differs from the book's after the first
    (the generator is shared): pass all seven to reproduce them.  Returns ``root``.
    """
    import random
    random.seed(seed)
    np.random.seed(seed)
    root = Path(root)
    for length in lengths:
        for name, k in (("train", 3), ("dev", 1), ("test", 1)):
            generate_data(length, k, root / str(length) / f"{name}.txt", verbose=verbose)
    return root


def _read(path):
    examples = []
    with open(path, "r", encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            items = line.split("\t")
            try:
                if len(items) != 2:
                    raise ValueError
                seq = [int(i) for i in items[0].split(" ")]
                label = int(items[1])
            except ValueError:
                raise ValueError(f"load_data: {path}:{lineno}: expected 'd d ... d\\tlabel', got {line[:60]!r}") from None
            examples.append((seq, label))
    return examples


def load_data(data_path):
    """加载指定长度数据集 (book 6.1.1.2).

    输入:
        - data_path: the folder with ``train.txt``, ``dev.txt``, ``test.txt``
    输出:
        - (train_examples, dev_examples, test_examples): lists of ``(seq, label)``
    """
    data_path = str(data_path)
    missing = [n for n in ("train.txt", "dev.txt", "test.txt") if not os.path.isfile(os.path.join(data_path, n))]
    if missing:
        raise FileNotFoundError(f"load_data: {data_path} lacks {', '.join(missing)} "
                                f"(write them with generate_data or make_digitsum)")
    return tuple(_read(os.path.join(data_path, n)) for n in ("train.txt", "dev.txt", "test.txt"))


class DigitSumDataset(Dataset):
    """DigitSum 的 Dataset (book 6.1.1.3): item ``(seq int64 [L], label int64 0-D)``.

    输入:
        - data: list of ``(seq, label)`` from :func:`load_data`; labels must lie in 0..18
    """

    def __init__(self, data, num_classes=19):
        super().__init__()
        for i, example in enumerate(data):
            seq, label = example
            if not 0 <= int(label) < num_classes:
                raise ValueError(f"DigitSumDataset: example {i}: label {label} outside 0..{num_classes - 1}")
            if len(seq) == 0:
                raise ValueError(f"DigitSumDataset: example {i} is an empty sequence")
        self.data = data

    def __getitem__(self, idx):
        example = self.data[idx]
        seq = paddle.to_tensor(example[0], dtype="int64")
        label = paddle.to_tensor(example[1], dtype="int64")
        return seq, label

    def __len__(self):
        return len(self.data)
