"""The test functions and the fitting experiment of book 7.3 (the optimizer comparisons).

- :class:`OptimizedFunction`: the weighted sphere ``w^T x^2`` (7.3.1.1);
- :class:`OptimizedFunction3D`: ``x0^2 + x1^2 + x1^3 + x0*x1`` (7.3.4.1), with a
  local minimum at (0, 0) and a saddle at (0.25, -0.5) (:func:`hessian_3d`);
- :class:`LinearFit`: the 7.3.1.2 one-output linear model whose ``backward(labels)``
  returns the gradient of the loss ``1/(2K) sum (y - z)^2``.  The book calls it
  ``Linear``, which is also ``nndl.op.Linear`` (4.2.4.4, a layer with
  ``backward(grads)``); the book's spelling is kept here as
  ``nndl.functions.Linear`` (``from nndl.functions import Linear``) and the
  top-level name is ``nndl.LinearFit``;
- :func:`train_f`, :func:`train`, :func:`train_and_plot_f`, :func:`train_and_plot`.

The figures are drawn by :mod:`nndl.plot` (``Visualization``, ``plot_loss``).
"""
import numpy as np
import paddle
import paddle.nn as nn

from .op import Op
from .plot import Visualization, plot_loss

__all__ = ["OptimizedFunction", "OptimizedFunction3D", "LinearFit", "hessian_3d", "make_fit_data",
           "train_f", "train", "train_and_plot_f", "train_and_plot"]


def _first_axis_weights(w, x):
    """Reshape ``w`` [D] to broadcast along x's first axis ([D, ...])."""
    return w.reshape([w.shape[0]] + [1] * (x.ndim - 1)).astype(x.dtype)


class OptimizedFunction(Op):
    """被优化函数 sphere(x) = w^T x^2 (book 7.3.1.1, eq. 7.3-7.4).

    输入:
        - w: 权重, shape=[D] (the book uses [0.2, 2])
    forward(x): x shape=[D] (or [D, ...] for a grid of points, the coordinate first);
    输出 shape=[] (or [...]).  backward(): ``grads['x'] = 2 w ⊙ x``.
    """

    def __init__(self, w):
        super().__init__()
        self.w = w if isinstance(w, paddle.Tensor) else paddle.to_tensor(w, dtype="float32")
        if self.w.ndim != 1:
            raise ValueError(f"OptimizedFunction: w must have shape [D], got {list(self.w.shape)}")
        self.params = {'x': 0}
        self.grads = {'x': 0}

    def _check(self, x):
        if x.ndim < 1 or x.shape[0] != self.w.shape[0]:
            raise ValueError(f"OptimizedFunction: x must have shape [{self.w.shape[0]}, ...], "
                             f"got {list(x.shape)}")

    def forward(self, x):
        self._check(x)
        self.params['x'] = x
        return paddle.sum(_first_axis_weights(self.w, x) * paddle.square(x), axis=0)

    def backward(self):
        x = self.params['x']
        if not isinstance(x, paddle.Tensor):
            raise RuntimeError("OptimizedFunction: backward() called before forward()")
        self.grads['x'] = 2 * paddle.multiply(_first_axis_weights(self.w, x), x)


class OptimizedFunction3D(Op):
    """被优化函数 f(x) = x[0]^2 + x[1]^2 + x[1]^3 + x[0]*x[1] (book 7.3.4.1).

    forward(x): x shape=[2] (or [2, ...]); 输出 shape=[] (or [...]).
    backward(): ``grads['x'] = [2x0 + x1, 2x1 + 3x1^2 + x0]``, shape=[2] (stacked: on
    paddle >= 2.5 ``x[0]`` is 0-D and the book's ``paddle.concat`` fails).
    (0, 0) is a local minimum (Hessian [[2, 1], [1, 2]]), not the saddle the book
    names; the saddle is at (0.25, -0.5) (see :func:`hessian_3d`).
    """

    def __init__(self):
        super().__init__()
        self.params = {'x': 0}
        self.grads = {'x': 0}

    def forward(self, x):
        if x.ndim < 1 or x.shape[0] != 2:
            raise ValueError(f"OptimizedFunction3D: x must have shape [2, ...], got {list(x.shape)}")
        self.params['x'] = x
        return x[0] ** 2 + x[1] ** 2 + x[1] ** 3 + x[0] * x[1]

    def backward(self):
        x = self.params['x']
        if not isinstance(x, paddle.Tensor):
            raise RuntimeError("OptimizedFunction3D: backward() called before forward()")
        gradient1 = 2 * x[0] + x[1]
        gradient2 = 2 * x[1] + 3 * x[1] ** 2 + x[0]
        self.grads['x'] = paddle.stack([gradient1, gradient2])


def hessian_3d(x):
    """Hessian of OptimizedFunction3D at ``x`` = (x0, x1): [[2, 1], [1, 2 + 6 x1]] (numpy)."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    return np.array([[2.0, 1.0], [1.0, 2.0 + 6.0 * x[1]]])


class LinearFit(Op):
    """单层线性网络 of the fitting experiment (book 7.3.1.2, the book's ``Linear``).

    输入:
        - input_size: 输入维度 D
        - weight_init, bias_init: called with ``shape=``; W ~ N(0, 1), b = 0 as in the book
    forward(inputs): inputs shape=[K, D]; 输出 z = XW + b, shape=[K, 1].
    backward(labels): labels shape=[K, 1] (or [K]: the book's one-step check passes
    ``data[0, -1].unsqueeze(0)``, shape [1], against outputs [1, 1]); stores the gradients of
    ``L = 1/(2K) sum (y - z)^2`` (7.6-7.8): ``grads['W']`` [D, 1], ``grads['b']`` [1].
    """

    def __init__(self, input_size, weight_init=paddle.standard_normal, bias_init=paddle.zeros):
        super().__init__()
        self.params = {}
        self.params['W'] = weight_init(shape=[input_size, 1])
        self.params['b'] = bias_init(shape=[1])
        self.inputs = None
        self.outputs = None
        self.grads = {}

    def forward(self, inputs):
        if inputs.ndim != 2 or inputs.shape[1] != self.params['W'].shape[0]:
            raise ValueError(f"LinearFit: inputs must have shape [K, {self.params['W'].shape[0]}], "
                             f"got {list(inputs.shape)}")
        self.inputs = inputs
        self.outputs = paddle.matmul(self.inputs, self.params['W']) + self.params['b']
        return self.outputs

    def backward(self, labels):
        if self.outputs is None:
            raise RuntimeError("LinearFit: backward() called before forward()")
        K = self.inputs.shape[0]
        if list(labels.shape) == [K]:
            # one label per sample as a vector: the book's class broadcasts [K, 1] - [K], which is
            # right only for K = 1 (for K > 1 it makes a [K, K] difference); a column is meant
            labels = labels.reshape([K, 1])
        if list(labels.shape) != list(self.outputs.shape):
            raise ValueError(f"LinearFit.backward: labels have shape {list(labels.shape)}, "
                             f"expected [{K}, 1] or [{K}] (outputs have shape {list(self.outputs.shape)})")
        diff = self.outputs - labels
        self.grads['W'] = 1. / K * paddle.matmul(self.inputs, diff, transpose_x=True)   # (7.7)
        self.grads['b'] = 1. / K * paddle.sum(diff, axis=0)                            # (7.8)


# The book's name for the 7.3.1.2 model (``from nndl.functions import Linear``).  It is
# deliberately not exported at the top level, where ``Linear`` would clash with
# ``nndl.op.Linear``.
Linear = LinearFit


def make_fit_data(num_samples=1000, seed=0):
    """简单拟合实验的数据 (book 7.3.1.2): X ~ N(0, 1) [N, 2], y = 0.5 x1 + 0.8 x2 + 0.01 noise.

    输入: num_samples (1000), seed (0, set with ``paddle.seed`` as the book does; None: leave
    the random state alone).
    输出: data shape=[N, 3] (X, y) in the book's random order.
    """
    if seed is not None:
        paddle.seed(seed)
    X = paddle.randn([num_samples, 2])
    w = paddle.unsqueeze(paddle.to_tensor([0.5, 0.8]), axis=1)
    noise = paddle.unsqueeze(0.01 * paddle.rand([num_samples]), axis=1)
    y = paddle.matmul(X, w) + noise
    return paddle.concat((X, y), axis=1)


def train_f(model, optimizer, x_init, epoch):
    """训练函数 (book 7.3.1.1): ``epoch`` steps of ``optimizer`` on the test function ``model``.

    输入:
        - model: 被优化函数 (OptimizedFunction / OptimizedFunction3D)
        - optimizer: 优化器 (built on ``model``)
        - x_init: x初始值, shape=[2]; never changed (the optimizers give book models new
          tensors), so one ``x_init`` can start several runs, as in 7.3.4
        - epoch: 训练回合数
    输出:
        - all_x: paddle Tensor shape=[epoch, 2], x before each step
        - losses: list of ``epoch`` python floats, f(x) before each step
    """
    if not isinstance(x_init, paddle.Tensor):
        x_init = paddle.to_tensor(x_init, dtype="float32")
    x = x_init
    all_x = []
    losses = []
    for i in range(epoch):
        all_x.append(x.numpy().copy())
        loss = model(x)
        losses.append(float(loss))
        model.backward()
        optimizer.step()
        x = model.params['x']
    return paddle.to_tensor(np.array(all_x)), losses


def train(data, num_epochs, batch_size, model, calculate_loss, optimizer, verbose=False):
    """训练神经网络 (book 7.3.1.2), without shuffling so optimizers are compared fairly.

    输入:
        - data: 训练样本 shape=[N, D+1] (the last column is y)
        - num_epochs: 训练回合数; batch_size: 批大小
        - model: 实例化的模型 (``model(inputs)`` and ``model.backward(labels)``)
        - calculate_loss: 损失函数 (the book uses ``nn.MSELoss()``, without the 1/2 of the gradient's loss)
        - optimizer: 优化器
        - verbose: 打印每个回合的平均损失
    输出:
        - iter_loss: 每一次迭代的损失值 (python floats)
        - epoch_loss: 每个回合的平均损失值 (the mean over that epoch's iterations; the
          book's code averages over all iterations so far, see docs/errata.md)
    """
    if data.ndim != 2 or data.shape[1] < 2:
        raise ValueError(f"train: data must have shape [N, D+1], got {list(data.shape)}")
    if batch_size < 1:
        raise ValueError(f"train: batch_size must be positive, got {batch_size}")
    epoch_loss = []
    iter_loss = []
    N = len(data)
    for epoch_id in range(num_epochs):
        mini_batches = [data[i:i + batch_size] for i in range(0, N, batch_size)]
        start = len(iter_loss)
        for iter_id, mini_batch in enumerate(mini_batches):
            inputs = mini_batch[:, :-1]
            labels = mini_batch[:, -1:]
            outputs = model(inputs)
            loss = float(calculate_loss(outputs, labels))
            model.backward(labels)
            optimizer.step()
            iter_loss.append(loss)
        epoch_loss.append(float(np.mean(iter_loss[start:])))
        if verbose:
            print('Epoch {:3d}, loss = {:.4f}'.format(epoch_id, epoch_loss[-1]))
    return iter_loss, epoch_loss


def _save(fig, fig_name, savefig):
    if fig_name:
        if savefig is not None:
            savefig(fig, fig_name)
        else:
            fig.savefig(fig_name.replace(" ", ""), bbox_inches="tight")


def train_and_plot_f(model, optimizer, epoch, fig_name=None, x_init=None, savefig=None, **plot_kwargs):
    """训练并可视化参数更新轨迹 (book 7.3.1.1).

    输入:
        - model, optimizer, epoch: as in :func:`train_f`
        - fig_name: 图片文件名 (None: not saved)
        - x_init: x初始值 (default [3, 4], the book's)
        - savefig: ``savefig(fig, fig_name)`` instead of ``fig.savefig`` (chapter scripts
          pass ``S.savefig``)
    Prints the book's line ``x1 initiate: [3.], x2 initiate: [4.]``.
    输出: (all_x numpy [epoch, 2], losses numpy [epoch], the figure)
    """
    if x_init is None:
        x_init = paddle.to_tensor([3, 4], dtype='float32')
    print('x1 initiate: {}, x2 initiate: {}'.format(x_init[0:1].numpy(), x_init[1:2].numpy()))
    x, losses = train_f(model, optimizer, x_init, epoch)
    losses = np.array(losses)
    vis = Visualization()
    fig = vis.plot_2d(model, x.numpy(), None, **plot_kwargs)
    _save(fig, fig_name, savefig)
    return x.numpy(), losses, fig


def _book_fit_data():
    """The book's 7.3.1.2 samples (``paddle.seed(0)``; 1000 x 3), drawn without disturbing
    the caller's random state (the book draws them once, before it seeds and builds the model)."""
    state = paddle.get_rng_state()
    try:
        return make_fit_data(1000, seed=0)
    finally:
        paddle.set_rng_state(state)


def train_and_plot(optimizer, fig_name=None, data=None, model=None, num_epochs=30, batch_size=64,
                   savefig=None):
    """训练网络并画出损失函数的变化趋势 (book 7.3.1.2).

    Called as the book calls it, ``train_and_plot(opt, 'opti-loss.pdf')``.

    输入:
        - optimizer: 优化器; the model is ``optimizer.model`` unless given (the book's global
          ``model`` is the one its optimizer was built on)
        - fig_name: 图片文件名 (None: not saved)
        - data: 训练样本 [N, 3]; default: the book's data (:func:`make_fit_data`, seed 0), which
          the book reads from a global ``data``
        - num_epochs (30), batch_size (64): the book's
        - savefig: as in :func:`train_and_plot_f`
    Loss: ``paddle.nn.MSELoss()`` as in the book.
    输出: (iter_loss, epoch_loss, the figure)
    """
    if data is None:
        data = _book_fit_data()
    model = optimizer.model if model is None else model
    mse = nn.MSELoss()
    iter_loss, epoch_loss = train(data, num_epochs=num_epochs, batch_size=batch_size, model=model,
                                  calculate_loss=mse, optimizer=optimizer)
    fig = plot_loss(iter_loss, epoch_loss, None)
    _save(fig, fig_name, savefig)
    return iter_loss, epoch_loss, fig
