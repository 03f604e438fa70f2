"""The book's hand-written losses (3.1.3 BinaryCrossEntropyLoss, 3.2.3 MultiCrossEntropyLoss,
4.2.3 BinaryCrossEntropyLoss(model)).

Both take probabilities (the outputs of ``Model_LR``/``Model_SR`` or of a network ending
in a logistic), not logits, and return the mean loss as a tensor of shape [1], as the
book prints it.  ``BinaryCrossEntropyLoss`` is one class for both of the book's forms:
given the model (4.2.3), ``backward()`` starts back-propagation from the loss.
"""
import paddle

from .op import Op

__all__ = ["BinaryCrossEntropyLoss", "MultiCrossEntropyLoss"]


def class_labels(who, labels, n, num_classes):
    """``labels`` as class indices ``[n]`` (``[n, 1]`` is accepted), checked: a tensor, integer,
    ``n`` of them, each in ``[0, num_classes)``.  Errors name ``who`` and what was received."""
    if not isinstance(labels, paddle.Tensor):
        raise TypeError(f"{who}: labels must be a paddle.Tensor, got {type(labels).__name__}")
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels.reshape([-1])
    if labels.ndim != 1 or labels.shape[0] != n:
        raise ValueError(f"{who}: labels must have shape [{n}] (class indices), got {list(labels.shape)}")
    if paddle.is_floating_point(labels) or labels.dtype == paddle.bool:
        raise TypeError(f"{who}: labels must be integer class indices, got {labels.dtype}")
    lab = labels.numpy()
    if n and (lab.min() < 0 or lab.max() >= num_classes):
        raise ValueError(f"{who}: labels must lie in [0, {num_classes}), got values in "
                         f"[{int(lab.min())}, {int(lab.max())}]")
    return labels


def _check_probs(who, predicts):
    if not isinstance(predicts, paddle.Tensor):
        raise TypeError(f"{who}: predicts must be a paddle.Tensor, got {type(predicts).__name__}")
    if not paddle.is_floating_point(predicts):
        raise TypeError(f"{who}: predicts must be floating-point probabilities, got {predicts.dtype}")


class BinaryCrossEntropyLoss(Op):
    """二分类交叉熵损失 (book 3.1.3, eq. 3.5; with ``backward`` book 4.2.3, eq. 4.10).

    输入:
        - model: 模型 whose ``backward(grads)`` receives ∂R/∂ŷ (4.2.3); None for the
          forward-only loss of 3.1.3
    """

    def __init__(self, model=None):
        self.predicts = None
        self.labels = None
        self.num = None
        self.model = model

    def __call__(self, predicts, labels):
        return self.forward(predicts, labels)

    def forward(self, predicts, labels):
        """
        输入:
            - predicts: 预测值 (probabilities in (0, 1)), shape=[N, 1], N为样本数量
            - labels: 真实标签 (0./1.), shape=[N, 1], a floating-point tensor
        输出:
            - 损失值: shape=[1]
        """
        who = "BinaryCrossEntropyLoss"
        _check_probs(who, predicts)
        if not isinstance(labels, paddle.Tensor):
            raise TypeError(f"{who}: labels must be a paddle.Tensor, got {type(labels).__name__}")
        if predicts.ndim != 2 or predicts.shape[1] != 1:
            raise ValueError(f"{who}: predicts must have shape [N, 1], got {list(predicts.shape)}")
        if list(labels.shape) != list(predicts.shape):
            raise ValueError(f"{who}: labels must have the predictions' shape {list(predicts.shape)}, "
                             f"got {list(labels.shape)} (reshape them with labels.reshape([-1, 1]))")
        if not paddle.is_floating_point(labels):
            raise TypeError(f"{who}: labels must be floating-point 0./1. values, got {labels.dtype} "
                            "(use labels.astype('float32'))")
        self.predicts = predicts
        self.labels = labels
        self.num = predicts.shape[0]
        loss = -1. / self.num * (paddle.matmul(labels.t(), paddle.log(predicts))
                                 + paddle.matmul(1 - labels.t(), paddle.log(1 - predicts)))
        return paddle.squeeze(loss, axis=1)

    def backward(self):
        """计算损失函数对输入的导数 ∂R/∂ŷ = -(y/ŷ - (1-y)/(1-ŷ))/N (eq. 4.10) and pass it to
        ``model.backward``; returns what the model's backward returns."""
        if self.model is None:
            raise RuntimeError("BinaryCrossEntropyLoss.backward: no model; construct the loss as "
                               "BinaryCrossEntropyLoss(model) to back-propagate from it (book 4.2.3)")
        if self.predicts is None:
            raise RuntimeError("BinaryCrossEntropyLoss.backward: called before forward()")
        inputs_grads = -1.0 * (self.labels / self.predicts
                               - (1 - self.labels) / (1 - self.predicts)) / self.num
        return self.model.backward(inputs_grads)


class MultiCrossEntropyLoss(Op):
    """多类交叉熵损失 (book 3.2.3, eq. 3.16): ``-1/N Σ_n log ŷ[n, y_n]``.

    The book sums in a python loop over the samples; one gather gives the same mean.
    """

    def __init__(self):
        self.predicts = None
        self.labels = None
        self.num = None

    def __call__(self, predicts, labels):
        return self.forward(predicts, labels)

    def forward(self, predicts, labels):
        """
        输入:
            - predicts: 预测值 (each row a distribution), shape=[N, C], N为样本数量
            - labels: 真实标签 (class indices in [0, C)), shape=[N] (or [N, 1]), an integer tensor
        输出:
            - 损失值: shape=[1]
        """
        who = "MultiCrossEntropyLoss"
        _check_probs(who, predicts)
        if predicts.ndim != 2:
            raise ValueError(f"{who}: predicts must have shape [N, C], got {list(predicts.shape)}")
        n, c = predicts.shape
        labels = class_labels(who, labels, n, c)
        self.predicts = predicts
        self.labels = labels
        self.num = n
        picked = paddle.take_along_axis(predicts, labels.astype('int64').reshape([-1, 1]), axis=1)
        return (-paddle.sum(paddle.log(picked)) / self.num).reshape([1])
