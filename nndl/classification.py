"""Chapter 3 线性分类: Model_LR (Logistic 回归), Model_SR (Softmax 回归) and the chapter's
``plot(runner)``.

Both models start from zero parameters, as the book's, and their ``backward(labels)``
stores the gradient of the *loss* (cross entropy after the logistic / softmax) with
respect to the parameters: the fused gradients of eq. 3.6-3.7 and 3.17-3.18, not the
gradient of ``forward`` alone.  ``plot`` stays local (``nndl.classification.plot``):
chapter 4 and 5 have their own ``plot``.
"""
import numbers

import paddle
import paddle.nn.functional as F

from .activation import logistic, softmax
from .loss import class_labels
from .op import Op

__all__ = ["Model_LR", "Model_SR", "plot"]
__local__ = ("plot",)


def _check_inputs(who, inputs, dim):
    if not isinstance(inputs, paddle.Tensor):
        raise TypeError(f"{who}: inputs must be a paddle.Tensor, got {type(inputs).__name__}")
    if not paddle.is_floating_point(inputs):
        raise TypeError(f"{who}: inputs must be floating-point, got {inputs.dtype}")
    if inputs.ndim != 2 or inputs.shape[1] != dim:
        raise ValueError(f"{who}: inputs must have shape [N, {dim}] (input_dim={dim}), "
                         f"got {list(inputs.shape)}")


def _check_dim(who, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{who}: {name} must be a positive int, got {value!r}")


class Model_LR(Op):
    """Logistic 回归模型 (book 3.1.2, backward 3.1.4.1).

    输入:
        - input_dim: 特征维度 D
        - dtype: parameter dtype ('float32'; 'float64' for gradient checks; not in the book)
    Parameters: ``params['w']`` shape=[D, 1], ``params['b']`` shape=[1], both zeros.
    """

    def __init__(self, input_dim, dtype='float32'):
        super(Model_LR, self).__init__()
        _check_dim("Model_LR", "input_dim", input_dim)
        self.input_dim = input_dim = int(input_dim)
        # 存放线性层参数, 全部初始化为0
        self.params = {'w': paddle.zeros(shape=[input_dim, 1], dtype=dtype),
                       'b': paddle.zeros(shape=[1], dtype=dtype)}
        # 存放参数的梯度
        self.grads = {}
        self.X = None
        self.outputs = None

    def __call__(self, inputs):
        return self.forward(inputs)

    def forward(self, inputs):
        """输入: inputs shape=[N, D]; 输出: 标签为1的概率 shape=[N, 1]."""
        _check_inputs("Model_LR", inputs, self.input_dim)
        self.X = inputs
        score = paddle.matmul(inputs, self.params['w']) + self.params['b']   # 线性计算
        self.outputs = logistic(score)
        return self.outputs

    def backward(self, labels):
        """∂R/∂w = -Xᵀ(y - ŷ)/N, ∂R/∂b = -1ᵀ(y - ŷ)/N (eq. 3.6-3.7), R the mean BCE.

        输入: labels, 真实标签 (0./1.), shape=[N, 1] floating-point.
        Stores ``grads['w']`` [D, 1] and ``grads['b']`` [1] (the book's is 0-D on paddle 3).
        """
        if self.outputs is None:
            raise RuntimeError("Model_LR.backward: called before forward()")
        if not isinstance(labels, paddle.Tensor):
            raise TypeError(f"Model_LR.backward: labels must be a paddle.Tensor, got {type(labels).__name__}")
        if list(labels.shape) != list(self.outputs.shape):
            raise ValueError(f"Model_LR.backward: labels must have shape {list(self.outputs.shape)} "
                             f"(the last forward's output), got {list(labels.shape)}")
        if not paddle.is_floating_point(labels):
            raise TypeError(f"Model_LR.backward: labels must be floating-point 0./1., got {labels.dtype}")
        N = labels.shape[0]
        diff = labels.astype(self.outputs.dtype) - self.outputs
        self.grads['w'] = -1 / N * paddle.matmul(self.X.t(), diff)
        self.grads['b'] = (-1 / N * paddle.sum(diff)).reshape([1])


class Model_SR(Op):
    """Softmax 回归模型 (book 3.2.2.2, backward 3.2.4.1).

    输入:
        - input_dim: 特征维度 D
        - output_dim: 类别数 C
        - dtype: parameter dtype ('float32'; not in the book)
    Parameters: ``params['W']`` shape=[D, C], ``params['b']`` shape=[C], both zeros.
    """

    def __init__(self, input_dim, output_dim, dtype='float32'):
        super(Model_SR, self).__init__()
        _check_dim("Model_SR", "input_dim", input_dim)
        _check_dim("Model_SR", "output_dim", output_dim)
        self.input_dim = input_dim = int(input_dim)
        self.output_dim = output_dim = int(output_dim)
        # 将线性层的权重参数和偏置参数全部初始化为0
        self.params = {'W': paddle.zeros(shape=[input_dim, output_dim], dtype=dtype),
                       'b': paddle.zeros(shape=[output_dim], dtype=dtype)}
        self.grads = {}
        self.X = None
        self.outputs = None

    def __call__(self, inputs):
        return self.forward(inputs)

    def forward(self, inputs):
        """输入: inputs shape=[N, D]; 输出: 类别概率 shape=[N, C] (rows sum to 1)."""
        _check_inputs("Model_SR", inputs, self.input_dim)
        self.X = inputs
        score = paddle.matmul(self.X, self.params['W']) + self.params['b']   # 线性计算
        self.outputs = softmax(score)
        return self.outputs

    def backward(self, labels):
        """∂R/∂W = -Xᵀ(Y - Ŷ)/N, ∂R/∂b = -1ᵀ(Y - Ŷ)/N (eq. 3.17-3.18), Y one-hot, R the mean CE.

        输入: labels, 真实标签 (class indices), shape=[N] (or [N, 1]), an integer tensor.
        """
        who = "Model_SR.backward"
        if self.outputs is None:
            raise RuntimeError(f"{who}: called before forward()")
        N = self.outputs.shape[0]
        labels = class_labels(who, labels, N, self.output_dim)
        Y = F.one_hot(labels.astype('int64'), self.output_dim).astype(self.outputs.dtype)
        diff = Y - self.outputs
        self.grads['W'] = -1 / N * paddle.matmul(self.X.t(), diff)
        self.grads['b'] = -1 / N * paddle.sum(diff, axis=0)


def plot(runner, path=None):
    """可视化观察训练集与验证集的指标变化情况 (book 3.1.7): score (left) and loss (right)
    per epoch from a RunnerV2's ``train_scores``, ``dev_scores``, ``train_loss``, ``dev_loss``.

    输入:
        - runner: a trained RunnerV2 (or anything with those four lists)
        - path: save the figure there when given
    输出: the matplotlib figure (never shown)
    """
    import matplotlib.pyplot as plt
    for name in ("train_scores", "dev_scores", "train_loss", "dev_loss"):
        if not hasattr(runner, name):
            raise TypeError(f"plot: runner has no `{name}` history (expects a RunnerV2)")
    n = len(runner.train_scores)
    if n == 0:
        raise ValueError("plot: the runner has no history yet; train it first")
    epochs = list(range(n))
    fig = plt.figure(figsize=(10, 4))
    ax = fig.add_subplot(1, 2, 1)
    ax.plot(epochs, runner.train_scores, color='red', label="Train accuracy")
    ax.plot(epochs, runner.dev_scores[:n], color='blue', label="Dev accuracy")
    ax.set_xlabel("epoch")
    ax.set_ylabel("score")
    ax.legend(loc='upper left')
    ax = fig.add_subplot(1, 2, 2)
    ax.plot(epochs, runner.train_loss, color='red', label="Train loss")
    ax.plot(epochs, runner.dev_loss[:n], color='blue', label="Dev loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend(loc='upper left')
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, bbox_inches="tight")
    return fig
