"""Accuracy as the book computes it (3.1.5, 4.5.4.1, 7.6.2.3).

Binary outputs are shape [N, 1] (or [N]); multi-class outputs [N, C].
Labels may be [N] or [N, 1] (paddle >= 2.5 hands 0-D items to the DataLoader,
so batches of labels arrive as [N]), of any integer or float dtype.
"""
import numpy as np
import paddle
from paddle.metric import Metric

__all__ = ["accuracy", "accuracy_logits", "Accuracy"]


def _predictions(outputs, threshold, strict):
    """Class predictions as an int64 Tensor [N]."""
    if outputs.ndim == 1 or (outputs.ndim == 2 and outputs.shape[1] == 1):
        outputs = outputs.reshape([-1])
        hit = outputs > threshold if strict else outputs >= threshold
        return hit.astype('int64')
    if outputs.ndim != 2:
        raise ValueError(f"outputs must be [N], [N, 1] or [N, C], got shape {list(outputs.shape)}")
    return paddle.argmax(outputs, axis=1).astype('int64')


def _labels(labels, n):
    if not isinstance(labels, paddle.Tensor):
        labels = paddle.to_tensor(np.asarray(labels))
    labels = labels.reshape([-1])
    if labels.shape[0] != n:
        raise ValueError(f"{labels.shape[0]} labels for {n} predictions")
    return labels.astype('int64')


def _mean_correct(preds, labels):
    labels = _labels(labels, preds.shape[0])
    return paddle.mean((preds == labels).astype('float32'))


def accuracy(preds, labels):
    """准确率 (book 3.1.5).

    输入:
        - preds: 预测概率, 二分类 shape=[N, 1] (class 1 when >= 0.5), 多分类 shape=[N, C]
        - labels: 真实标签, shape=[N] or [N, 1]
    输出:
        - 准确率, a 0-D float32 Tensor
    """
    return _mean_correct(_predictions(preds, 0.5, strict=False), labels)


def accuracy_logits(logits, labels):
    """准确率, 输入为对率 (book 7.6.2.3): class 1 when the logit is > 0, argmax for [N, C]."""
    return _mean_correct(_predictions(logits, 0.0, strict=True), labels)


class Accuracy(Metric):
    """准确率评价指标 (book 4.5.4.1), a ``paddle.metric.Metric``.

    输入:
        - is_logist: whether ``outputs`` are logits (binary: class 1 when >= 0)
          or probabilities (class 1 when >= 0.5); multi-class uses argmax either way
    """

    def __init__(self, is_logist=True):
        super().__init__()
        self.is_logist = is_logist
        self.num_correct = 0
        self.num_count = 0

    def update(self, outputs, labels):
        """outputs: [N, 1], [N] or [N, C]; labels: [N] or [N, 1]."""
        preds = _predictions(outputs, 0.0 if self.is_logist else 0.5, strict=False)
        labels = _labels(labels, preds.shape[0])
        self.num_correct += int((preds == labels).astype('int64').sum())
        self.num_count += int(preds.shape[0])

    def accumulate(self):
        if self.num_count == 0:
            return 0
        return self.num_correct / self.num_count

    def reset(self):
        self.num_correct = 0
        self.num_count = 0

    def name(self):
        return "Accuracy"
