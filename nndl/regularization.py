"""Training and plotting helpers of book section 7.6 (网络正则化方法) and its appendix.

The operators (``BinaryCrossEntropyWithLogits``, ``Dropout``, ``MLP_3L_dropout``)
live in :mod:`nndl.op` as in the book; this module holds the training loops
``train_model`` (Op models, hand-written backward) and ``train_model_paddle``
(``paddle.nn.Layer`` models, autograd), the class-boundary figure
``show_class_boundary``, and the appendix model ``MLP_3L_Paddle``.
"""
import numpy as np
import paddle
import paddle.nn as nn

from .metric import accuracy_logits

__all__ = ["train_model", "show_class_boundary", "MLP_3L_Paddle", "train_model_paddle"]


def _as_tensor(x, name):
    if isinstance(x, paddle.Tensor):
        return x
    try:
        return paddle.to_tensor(np.asarray(x, dtype=np.float32))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a paddle Tensor or an array, got {type(x).__name__}") from exc


def _check_num_iters(num_iters):
    if isinstance(num_iters, bool) or not isinstance(num_iters, (int, np.integer)) or num_iters < 0:
        raise ValueError(f"num_iters must be an integer >= 0, got {num_iters!r}")
    return int(num_iters)


def _report(model_call, X_train, y_train, X_test, y_test, verbose):
    acc_train = accuracy_logits(model_call(X_train), y_train)
    acc_test = accuracy_logits(model_call(X_test), y_test)
    if verbose:
        # acc.numpy() is a 0-D float32 array: prints as the book does, e.g. "0.865"
        print('train accuracy:', acc_train.numpy())
        print('test accuracy:', acc_test.numpy())
    return float(acc_train), float(acc_test)


def train_model(X_train, y_train, X_test, y_test, model, optimizer, loss_fn, num_iters, *args,
                log_every=100, verbose=True, return_acc=False):
    """训练模型 (book 7.6.2.4): full-batch training of an Op model with a hand-written backward.

    输入:
        - X_train, y_train: 训练集数据, shape=[N, D] and [N, 1]
        - X_test, y_test: 测试集数据
        - model: 定义网络 (an Op model such as ``MLP_3L``)
        - optimizer: 优化器 (``BatchGD``)
        - loss_fn: 损失函数 (``BinaryCrossEntropyWithLogits(model, lambd)``)
        - num_iters: 训练迭代次数
        - args: passed to the model at evaluation only, e.g. ``'dev'`` turns dropout off
        - log_every: keep the loss every ``log_every`` iterations (the book: 100)
        - verbose: print the train/test accuracy lines as the book does
        - return_acc: also return the accuracies (not in the book)
    输出:
        - losses: list of python floats (every ``log_every``-th loss);
          ``(losses, acc_train, acc_test)`` when ``return_acc``
    Each iteration: ``logits = model(X_train)`` (training mode), ``loss_fn``,
    ``loss_fn.backward()``, ``optimizer.step()``.
    """
    num_iters = _check_num_iters(num_iters)
    X_train, y_train = _as_tensor(X_train, "X_train"), _as_tensor(y_train, "y_train")
    X_test, y_test = _as_tensor(X_test, "X_test"), _as_tensor(y_test, "y_test")
    losses = []
    for i in range(num_iters):
        train_logits = model(X_train)
        loss = loss_fn(train_logits, y_train)
        loss_fn.backward()
        optimizer.step()
        if log_every and i % log_every == 0:
            losses.append(float(loss))
    acc_train, acc_test = _report(lambda X: model(X, *args), X_train, y_train, X_test, y_test, verbose)
    if return_acc:
        return losses, acc_train, acc_test
    return losses


def show_class_boundary(model, X_train, y_train, *args, fig_name=None, ax=None, resolution=200):
    """可视化分类界面 (book 7.6.2.4).

    输入:
        - model: a model returning logits [M, 1]; called as ``model(x, *args)``
          (``'dev'`` for ``MLP_3L_dropout``)
        - X_train: 训练数据 shape=[N, 2] (Tensor or numpy array)
        - y_train: 标签 shape=[N] or [N, 1]
        - args: extra arguments for the model
        - fig_name: path to save the figure to (the book's 'opti-regularization.pdf'); None: do not save
        - ax: draw into this axes instead of a new figure (not in the book)
        - resolution: grid points per axis over [-2, 3] x [-3, 3] (the book: 200, i.e. 40 000 points)
    输出:
        - the matplotlib figure (never shown)
    The book scatters 40 000 coloured points; the same grid is drawn here as one
    image (same colours: '#f5f5f5' for class 1, '#f19ec2' for class 0; training
    points as stars, black for 0 and '#e4007f' for 1).
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    X_np = X_train.numpy() if isinstance(X_train, paddle.Tensor) else np.asarray(X_train)
    y_np = y_train.numpy() if isinstance(y_train, paddle.Tensor) else np.asarray(y_train)
    y_np = y_np.reshape(-1)
    if X_np.ndim != 2 or X_np.shape[1] != 2:
        raise ValueError(f"show_class_boundary: X_train must be [N, 2], got shape {list(X_np.shape)}")
    if y_np.shape[0] != X_np.shape[0]:
        raise ValueError(f"show_class_boundary: {y_np.shape[0]} labels for {X_np.shape[0]} points")
    x1 = np.linspace(-2, 3, resolution, dtype=np.float32)
    x2 = np.linspace(-3, 3, resolution, dtype=np.float32)
    g1, g2 = np.meshgrid(x1, x2, indexing='ij')
    grid = paddle.to_tensor(np.stack([g1.ravel(), g2.ravel()], axis=1))
    if isinstance(model, nn.Layer):
        dtype = next(iter(model.parameters())).dtype
        grid = grid.astype(dtype)
    elif hasattr(model, "fc1"):
        grid = grid.astype(model.fc1.params['W'].dtype)
    with paddle.no_grad():
        logits = model(grid, *args)
    cls = (logits.numpy().reshape(resolution, resolution) > 0).astype(int)

    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 5))
    else:
        fig = ax.figure
    ax.pcolormesh(x1, x2, cls.T, cmap=ListedColormap(['#f19ec2', '#f5f5f5']), vmin=0, vmax=1, shading='auto')
    colors = np.where(y_np == 0, '#000000', '#e4007f')
    ax.scatter(X_np[:, 0], X_np[:, 1], marker='*', c=list(colors))
    ax.set_xlabel('x1')
    ax.set_ylabel('x2')
    ax.set_xlim(-2, 3)
    ax.set_ylim(-3, 3)
    if fig_name:
        fig.savefig(fig_name, bbox_inches='tight')
    return fig


class MLP_3L_Paddle(nn.Layer):
    """三层感知器, 飞桨API版 (book 7.6 appendix): Linear(in,20)-ReLU-Linear(20,3)-ReLU-Linear(3,out).

    输入: in_features, out_features; paddle's default initialization (Xavier
    uniform weights, zero biases).  ``forward(X)``: X shape=[N, in] -> logits [N, out].
    """

    def __init__(self, in_features, out_features):
        super().__init__()
        self.fc1 = nn.Linear(in_features, 20)
        self.fc2 = nn.Linear(20, 3)
        self.fc3 = nn.Linear(3, out_features)
        self.act_fn = nn.ReLU()

    def forward(self, X):
        z1 = self.fc1(X)
        a1 = self.act_fn(z1)
        z2 = self.fc2(a1)
        a2 = self.act_fn(z2)
        return self.fc3(a2)


def train_model_paddle(X_train, y_train, X_test, y_test, model, optimizer, loss_fn, num_iters,
                       log_every=100, verbose=True, return_acc=False):
    """训练模型, 飞桨API版 (book 7.6 appendix): autograd and a ``paddle.optimizer``.

    输入: as :func:`train_model`, with ``model`` a ``paddle.nn.Layer``,
    ``optimizer`` a ``paddle.optimizer.Optimizer`` (e.g. ``SGD`` with
    ``weight_decay=paddle.regularizer.L2Decay(coeff)``) and ``loss_fn(logits,
    labels)`` returning a scalar Tensor (the book: ``F.binary_cross_entropy_with_logits``).
    输出: losses (python floats), or ``(losses, acc_train, acc_test)`` when ``return_acc``.
    """
    num_iters = _check_num_iters(num_iters)
    X_train, y_train = _as_tensor(X_train, "X_train"), _as_tensor(y_train, "y_train")
    X_test, y_test = _as_tensor(X_test, "X_test"), _as_tensor(y_test, "y_test")
    if list(y_train.shape) != [X_train.shape[0], 1]:
        raise ValueError(f"train_model_paddle: y_train must be [N, 1] like the logits, got {list(y_train.shape)}")
    losses = []
    model.train()
    for i in range(num_iters):
        train_logits = model(X_train)
        loss = loss_fn(train_logits, y_train)
        loss.backward()
        optimizer.step()
        optimizer.clear_grad()
        if log_every and i % log_every == 0:
            losses.append(float(loss))
    model.eval()
    with paddle.no_grad():
        acc_train, acc_test = _report(model, X_train, y_train, X_test, y_test, verbose)
    model.train()
    if return_acc:
        return losses, acc_train, acc_test
    return losses
