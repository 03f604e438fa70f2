"""Chapter 4 前馈神经网络: Model_MLP_L2 (hand-written backward), the paddle MLPs, print_grads, plot.

Names, in the book's order:

* 4.2.4.5 :class:`Model_MLP_L2` -- the two-layer network built from the hand-written
  operators ``nndl.op.Linear`` and ``nndl.op.Logistic``; ``backward`` is the chain rule
  (4.15, 4.18, 4.21, 4.22) called layer by layer.
* 4.3.1 :class:`Model_MLP_L2_V2` -- the same network from ``paddle.nn.Linear`` (autograd).
* 4.5.3 :class:`Model_MLP_L2_V3` -- the Iris network (logits out).  Table 1.1 of the book
  lists this model under the name ``Model_MLP_L2_V2`` too, while its code calls it
  ``Model_MLP_L2_V3`` and gives it another argument order; one name cannot be two classes,
  so ``Model_MLP_L2_V2`` is 4.3.1's network and takes the keywords that make it 4.5.3's
  (``Model_MLP_L2_V2(4, 6, 3, weight_std=0.01, bias_value=1.0, logits=True)`` is
  ``Model_MLP_L2_V3(4, 3, 6)``, same parameters from the same seed).
* 4.4.2.1 :class:`Model_MLP_L5`, 4.4.2.2 :func:`print_grads`.
* 4.3.3 / 4.5.5 ``plot(runner, fig_name=None)`` -- local to this module (``nndl.mlp.plot``):
  the book defines three different ``plot`` functions.
"""
import functools
import numbers

import numpy as np
import paddle
import paddle.nn as nn
import paddle.nn.functional as F
from paddle.nn.initializer import Constant, Normal

from .op import Linear, Logistic, Op

__all__ = ["Model_MLP_L2", "Model_MLP_L2_V2", "Model_MLP_L2_V3", "Model_MLP_L5", "print_grads", "plot"]
__local__ = ("plot",)


def _check_inputs(layer, inputs):
    """A clear error for inputs whose last axis does not match the first linear layer."""
    expected = layer.fc1.weight.shape[0]
    if not isinstance(inputs, paddle.Tensor) or inputs.ndim < 2 or inputs.shape[-1] != expected:
        got = list(inputs.shape) if isinstance(inputs, paddle.Tensor) else type(inputs).__name__
        raise ValueError(f"{type(layer).__name__}: inputs must be a Tensor of shape [N, {expected}], got {got}")


def _check_size(owner, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {name} must be a positive int, got {value!r}")
    if value < 1:
        raise ValueError(f"{owner}: {name} must be a positive int, got {value}")
    return int(value)


# ---------------------------------------------------------------------------
# 4.2: the network from hand-written operators
# ---------------------------------------------------------------------------

class Model_MLP_L2(Op):
    """两层前馈神经网络 (book 4.2.2.3, 4.2.4.5): Linear -> Logistic -> Linear -> Logistic.

    输入:
        - input_size: 输入维度
        - hidden_size: 隐藏层神经元数量
        - output_size: 输出维度
        - dtype: optional parameter dtype ('float64' for gradient checks); not in the book
    Parameters live in ``fc1.params`` / ``fc2.params`` (W ~ N(0, 1), b = 0, as the book's
    ``Linear``); ``layers = [fc1, act_fn1, fc2, act_fn2]`` is what ``Optimizer_GD`` walks and
    what ``RunnerV2_1`` saves layer by layer (files ``fc1.pdparams``, ``fc2.pdparams``).

    调用 ``model(X)``: X shape=[N, input_size]; 输出 a2 shape=[N, output_size] (概率).
    ``backward(loss_grad_a2)``: 输入 ∂R/∂a2 shape=[N, output_size]; fills ``fc1.grads`` and
    ``fc2.grads`` and returns ∂R/∂X shape=[N, input_size] (the book returns nothing).
    """

    def __init__(self, input_size, hidden_size, output_size, dtype=None):
        input_size = _check_size("Model_MLP_L2", "input_size", input_size)
        hidden_size = _check_size("Model_MLP_L2", "hidden_size", hidden_size)
        output_size = _check_size("Model_MLP_L2", "output_size", output_size)
        # 线性层
        self.fc1 = Linear(input_size, hidden_size, name="fc1", dtype=dtype)
        # Logistic激活函数层
        self.act_fn1 = Logistic()
        self.fc2 = Linear(hidden_size, output_size, name="fc2", dtype=dtype)
        self.act_fn2 = Logistic()
        self.layers = [self.fc1, self.act_fn1, self.fc2, self.act_fn2]

    def __call__(self, X):
        return self.forward(X)

    # 前向计算
    def forward(self, X):
        if not isinstance(X, paddle.Tensor):
            raise TypeError(f"Model_MLP_L2: X must be a paddle.Tensor of shape [N, input_size], "
                            f"got {type(X).__name__}")
        z1 = self.fc1(X)          # shape check of X happens here, with the layer's name
        a1 = self.act_fn1(z1)
        z2 = self.fc2(a1)
        a2 = self.act_fn2(z2)
        return a2

    # 反向计算
    def backward(self, loss_grad_a2):
        loss_grad_z2 = self.act_fn2.backward(loss_grad_a2)   # (4.15)
        loss_grad_a1 = self.fc2.backward(loss_grad_z2)        # (4.18), (4.21), (4.22)
        loss_grad_z1 = self.act_fn1.backward(loss_grad_a1)
        loss_grad_inputs = self.fc1.backward(loss_grad_z1)
        return loss_grad_inputs


# ---------------------------------------------------------------------------
# 4.3.1 and 4.5.3: the same network from paddle's layers
# ---------------------------------------------------------------------------

class Model_MLP_L2_V2(nn.Layer):
    """两层前馈神经网络, 飞桨预定义算子 (book 4.3.1).

    输入:
        - input_size, hidden_size, output_size: 各层维度
        - weight_std: 权重 ~ Normal(0, weight_std) (book 4.3.1: 1.0)
        - bias_value: 偏置常量初始化 (book 4.3.1: 0.0)
        - logits: False (4.3.1) puts the Logistic function on the output too; True returns the
          output layer's logits, as 4.5.3's network (Table 1.1 lists that one as V2 too)
    调用 ``model(inputs)``: inputs shape=[N, input_size]; 输出 shape=[N, output_size].
    """

    def __init__(self, input_size, hidden_size, output_size, weight_std=1.0, bias_value=0.0, logits=False):
        super().__init__()
        owner = type(self).__name__
        input_size = _check_size(owner, "input_size", input_size)
        hidden_size = _check_size(owner, "hidden_size", hidden_size)
        output_size = _check_size(owner, "output_size", output_size)
        if isinstance(weight_std, bool) or not isinstance(weight_std, numbers.Real) or not weight_std > 0:
            raise ValueError(f"{owner}: weight_std must be a positive number, got {weight_std!r}")
        if isinstance(bias_value, bool) or not isinstance(bias_value, numbers.Real):
            raise TypeError(f"{owner}: bias_value must be a number, got {bias_value!r}")
        self.fc1 = nn.Linear(input_size, hidden_size,
                             weight_attr=paddle.ParamAttr(initializer=Normal(mean=0., std=float(weight_std))),
                             bias_attr=paddle.ParamAttr(initializer=Constant(value=float(bias_value))))
        self.fc2 = nn.Linear(hidden_size, output_size,
                             weight_attr=paddle.ParamAttr(initializer=Normal(mean=0., std=float(weight_std))),
                             bias_attr=paddle.ParamAttr(initializer=Constant(value=float(bias_value))))
        # Logistic 激活函数
        self.act_fn = F.sigmoid
        self.logits = bool(logits)

    def forward(self, inputs):
        _check_inputs(self, inputs)
        z1 = self.fc1(inputs)
        a1 = self.act_fn(z1)
        z2 = self.fc2(a1)
        if self.logits:
            return z2
        return self.act_fn(z2)


class Model_MLP_L2_V3(Model_MLP_L2_V2):
    """两层前馈神经网络, 输出层不带激活函数 (book 4.5.3; Table 1.1 calls it Model_MLP_L2_V2).

    输入 (the book's order):
        - input_size: 输入维度 (Iris: 4)
        - output_size: 输出维度, 类别数 (Iris: 3)
        - hidden_size: 隐藏层神经元数量 (Iris: 6)
    W ~ Normal(0, 0.01), b = 1.0, Logistic hidden activation, logits out (分类用对率).
    调用: inputs shape=[N, input_size]; 输出 logits shape=[N, output_size].
    """

    def __init__(self, input_size, output_size, hidden_size):
        super().__init__(input_size, hidden_size, output_size, weight_std=0.01, bias_value=1.0, logits=True)
        # 定义网络使用的激活函数: the book's 4.5.3 uses the layer form, the same function as F.sigmoid
        self.act = nn.Sigmoid()

    def forward(self, inputs):
        _check_inputs(self, inputs)
        outputs = self.fc1(inputs)
        outputs = self.act(outputs)
        outputs = self.fc2(outputs)
        return outputs


# ---------------------------------------------------------------------------
# 4.4: vanishing gradients and dead ReLU
# ---------------------------------------------------------------------------

_ACTS = {'sigmoid': F.sigmoid, 'relu': F.relu, 'lrelu': F.leaky_relu}


class Model_MLP_L5(nn.Layer):
    """五层前馈神经网络 (book 4.4.2.1): 4 hidden layers of width 3, a Logistic output.

    输入:
        - input_size, output_size: 输入/输出维度
        - act: 隐藏层激活函数, 'sigmoid', 'relu' or 'lrelu' (``F.leaky_relu``, slope 0.01)
        - w_init: 权重初始化 (book: Normal(mean=0.0, std=0.01))
        - b_init: 偏置初始化 (book: Constant(value=1.0); 4.4.3 uses Constant(-8.0))
        - negative_slope: 'lrelu' only, the slope for z < 0 (``F.leaky_relu``'s 0.01 as in the
          book; 4.4.3.2 suggests a larger one); not in the book's signature
    调用: inputs shape=[N, input_size]; 输出 shape=[N, output_size] (概率).
    """

    def __init__(self, input_size, output_size, act='sigmoid', w_init=Normal(mean=0.0, std=0.01),
                 b_init=Constant(value=1.0), negative_slope=0.01):
        super().__init__()
        input_size = _check_size("Model_MLP_L5", "input_size", input_size)
        output_size = _check_size("Model_MLP_L5", "output_size", output_size)
        # the activation is checked before any layer is built, so a typo costs no random draws
        if act not in _ACTS:
            raise ValueError(f"Model_MLP_L5: act must be 'sigmoid', 'relu' or 'lrelu', got {act!r}")
        for name, init in (("w_init", w_init), ("b_init", b_init)):
            if not callable(init):
                raise TypeError(f"Model_MLP_L5: {name} must be a paddle initializer "
                                f"(e.g. Normal(mean=0.0, std=0.01)), got {init!r}")
        if isinstance(negative_slope, bool) or not isinstance(negative_slope, numbers.Real):
            raise TypeError(f"Model_MLP_L5: negative_slope must be a number, got {negative_slope!r}")
        self.fc1 = nn.Linear(input_size, 3)
        self.fc2 = nn.Linear(3, 3)
        self.fc3 = nn.Linear(3, 3)
        self.fc4 = nn.Linear(3, 3)
        self.fc5 = nn.Linear(3, output_size)
        # 定义网络使用的激活函数
        self.act_name = act
        self.negative_slope = float(negative_slope)
        if act == 'lrelu':
            self.act = functools.partial(F.leaky_relu, negative_slope=self.negative_slope)
        else:
            self.act = _ACTS[act]
        # 初始化线性层权重和偏置参数
        self.init_weights(w_init, b_init)

    def init_weights(self, w_init, b_init):
        """Apply ``w_init`` to every linear layer's weight and ``b_init`` to its bias.

        (The printed book has ``b_init(m.bias)`` outside the ``isinstance`` test.)
        """
        for _, m in self.named_sublayers():
            if isinstance(m, nn.Linear):
                w_init(m.weight)
                b_init(m.bias)

    def forward(self, inputs):
        _check_inputs(self, inputs)
        outputs = self.act(self.fc1(inputs))
        outputs = self.act(self.fc2(outputs))
        outputs = self.act(self.fc3(outputs))
        outputs = self.act(self.fc4(outputs))
        outputs = self.fc5(outputs)
        return F.sigmoid(outputs)


def print_grads(model, file=None):
    """打印每一层权重梯度的 ℓ2 范数 (book 4.4.2.2).

    输入:
        - model: a ``paddle.nn.Layer``, or a runner holding one in ``.model`` (RunnerV2_2 calls
          its ``custom_print_log(self)`` with itself, RunnerV2 calls ``print_grads(self.model)``)
        - file: where to print (default stdout)
    输出:
        - dict ``{full_name: norm}`` (numpy float32) of every sublayer with two parameters,
          in the order printed
    Each norm is a 0-D tensor on paddle >= 2.5, so the book's ``.numpy()[0]`` fails; the
    value is read as a float32 scalar and printed as the book prints it.
    """
    layer = model
    if not isinstance(layer, nn.Layer):
        layer = getattr(model, "model", None)
    if not isinstance(layer, nn.Layer):
        raise TypeError(f"print_grads: expected a paddle.nn.Layer or a runner with a .model Layer, "
                        f"got {type(model).__name__}")
    print('The gradient of the Layers: ', file=file)
    norms = {}
    for item in layer.sublayers():
        params = item.parameters(include_sublayers=False)
        if len(params) == 2:
            grad = params[0].grad
            if grad is None:
                raise RuntimeError(f"print_grads: {item.full_name()}.{params[0].name} has no gradient; "
                                   "call loss.backward() first")
            norm = np.float32(paddle.norm(grad, p=2.).numpy().reshape(-1)[0])
            norms[item.full_name()] = norm
            print(item.full_name(), norm, file=file)
    return norms


# ---------------------------------------------------------------------------
# 4.3.3 / 4.5.5: training curves of a runner
# ---------------------------------------------------------------------------

def _np_pairs(pairs, what):
    arr = np.asarray(pairs, dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"plot: runner.{what} must be a list of (step, value) pairs, got shape {list(arr.shape)}")
    return arr[:, 0], arr[:, 1]


def plot(runner, fig_name=None, sample_every=30):
    """可视化训练过程 (book 4.3.3 and 4.5.5; chapter 5 calls it as ``plot(runner)``).

    输入:
        - runner: a RunnerV2/V2_1/V2_2 (epoch histories ``train_loss``, ``dev_loss``,
          ``train_scores``, ``dev_scores``) or a RunnerV3 (step histories
          ``train_step_losses`` and ``dev_losses`` of (step, loss), ``dev_scores``)
        - fig_name: saved there when given (the book's 'fw-acc.pdf', 'fw-loss.pdf')
        - sample_every: RunnerV3 only, plot every k-th training step (the book's ``[::30]``)
    输出:
        - the matplotlib figure: loss (left) and accuracy (right)
    """
    import matplotlib.pyplot as plt

    if hasattr(runner, "train_step_losses"):
        return _plot_steps(runner, fig_name, sample_every, plt)
    missing = [a for a in ("train_loss", "dev_loss", "train_scores", "dev_scores") if not hasattr(runner, a)]
    if missing:
        raise TypeError(f"plot: {type(runner).__name__} has neither RunnerV3's train_step_losses nor "
                        f"RunnerV2_2's {', '.join(missing)}")
    if not runner.train_loss:
        raise ValueError("plot: the runner has no history yet; train it first")
    fig = plt.figure(figsize=(10, 5))
    epochs = np.arange(len(runner.train_scores))
    ax = fig.add_subplot(1, 2, 1)
    ax.plot(epochs, np.asarray(runner.train_loss, dtype=float), color="#8E004D", label="Train loss")
    # evaluate() appends to dev_loss, so a final test evaluation would add one point more
    n_dev = min(len(runner.dev_loss), len(epochs))
    ax.plot(epochs[:n_dev], np.asarray(runner.dev_loss[:n_dev], dtype=float), color="#E20079", label="Dev loss")
    ax.set_ylabel("loss", fontsize='x-large')
    ax.set_xlabel("epoch", fontsize='x-large')
    ax.legend(loc='upper right', fontsize='x-large')
    ax = fig.add_subplot(1, 2, 2)
    ax.plot(epochs, np.asarray(runner.train_scores, dtype=float), color="#8E004D", label="Train accuracy")
    n_dev = min(len(runner.dev_scores), len(epochs))
    ax.plot(epochs[:n_dev], np.asarray(runner.dev_scores[:n_dev], dtype=float), color="#E20079",
            label="Dev accuracy")
    ax.set_ylabel("score", fontsize='x-large')
    ax.set_xlabel("epoch", fontsize='x-large')
    ax.legend(loc='lower right', fontsize='x-large')
    if fig_name:
        fig.savefig(fig_name)
    return fig


def _plot_steps(runner, fig_name, sample_every, plt):
    if isinstance(sample_every, bool) or not isinstance(sample_every, numbers.Integral) or sample_every < 1:
        raise ValueError(f"plot: sample_every must be a positive int, got {sample_every!r}")
    if not runner.train_step_losses:
        raise ValueError("plot: the runner has no history yet; train it first")
    fig = plt.figure(figsize=(10, 5))
    ax = fig.add_subplot(1, 2, 1)
    train_steps, train_losses = _np_pairs(runner.train_step_losses[::sample_every], "train_step_losses")
    ax.plot(train_steps, train_losses, color="#8E004D", label="Train loss")
    # evaluate() outside training records step -1: then there is no step axis for the dev curve
    # (the book tests only the first entry; a later test evaluation is left out here too)
    with_steps = bool(runner.dev_losses) and runner.dev_losses[0][0] != -1
    if with_steps:
        steps, losses = _np_pairs(runner.dev_losses, "dev_losses")
        keep = steps != -1
        dev_steps, dev_losses = steps[keep], losses[keep]
        ax.plot(dev_steps, dev_losses, color="#E20079", linestyle="--", label="Dev loss")
    ax.set_ylabel("loss", fontsize='x-large')
    ax.set_xlabel("step", fontsize='x-large')
    ax.legend(loc='upper right', fontsize='x-large')
    ax = fig.add_subplot(1, 2, 2)
    scores = np.asarray(runner.dev_scores, dtype=float)
    if with_steps:
        scores = scores[:len(keep)][keep[:len(scores)]]   # the scores that belong to a training step
        ax.plot(dev_steps[:len(scores)], scores, color="#E20079", linestyle="--", label="Dev accuracy")
    else:
        ax.plot(np.arange(len(scores)), scores, color="#E20079", linestyle="--", label="Dev accuracy")
    ax.set_ylabel("score", fontsize='x-large')
    ax.set_xlabel("step", fontsize='x-large')
    ax.legend(loc='lower right', fontsize='x-large')
    if fig_name:
        fig.savefig(fig_name)
    return fig
