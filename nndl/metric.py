"""Mean squared error (2.2.3) and accuracy as the book computes it (3.1.5, 4.5.4.1, 7.6.2.3).

Binary outputs are shape [N, 1] (or [N]); multi-class outputs [N, C].
Labels may be [N] or [N, 1] (paddle >= 2.5 hands 0-D items to the DataLoader,
so batches of labels arrive as [N]), of any integer or float dtype.
"""
import numpy as np
import paddle
from paddle.metric import Metric

__all__ = ["mean_squared_error", "accuracy", "accuracy_logits", "Accuracy"]


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


def mean_squared_error(y_true, y_pred):
    """均方误差 (book 2.2.3): ``mean((y_true - y_pred) ** 2)``.

    输入:
        - y_true: tensor, 样本真实标签, shape=[N] or [N, 1]
        - y_pred: tensor, 样本预测标签, shape=[N] or [N, 1]
    输出:
        - error: 0-D tensor, 误差值
    Like the book's code this has no 1/2 (eq. 2.8 has 1/(2N)).  The book only checks
    that the first axes agree, so ``[N]`` labels against ``[N, 1]`` predictions would
    broadcast to an [N, N] difference; here both are compared per sample, and any
    other shape mismatch is an error.
    """
    for name, t in (("y_true", y_true), ("y_pred", y_pred)):
        if not isinstance(t, paddle.Tensor):
            raise TypeError(f"mean_squared_error: {name} must be a paddle.Tensor, got {type(t).__name__}")
    if y_true.shape[0] != y_pred.shape[0]:
        raise ValueError(f"mean_squared_error: y_true has {y_true.shape[0]} samples, y_pred {y_pred.shape[0]}")
    if list(y_true.shape) != list(y_pred.shape):
        if y_true.size == y_pred.size and y_true.ndim <= 2 and y_pred.ndim <= 2:
            y_pred = y_pred.reshape(y_true.shape)
        else:
            raise ValueError(f"mean_squared_error: y_true shape {list(y_true.shape)} and y_pred shape "
                             f"{list(y_pred.shape)} do not match")
    return paddle.mean(paddle.square(y_true - y_pred))


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
