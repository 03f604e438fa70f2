"""Layers and models of chapter 7.4-7.5: BatchNorm, LayerNorm, MLP, MultiConvLayerNet.

All are ``paddle.nn.Layer`` s.  The normalization layers follow the book's
formulas (7.20) and (7.21) with the variance computed the *biased* way
(divide by the number of values), as ``paddle.nn.BatchNorm1D/2D`` and
``paddle.nn.LayerNorm`` do, and ``eps`` inside the square root; their outputs
and BatchNorm's moving statistics agree with paddle's layers at the same
epsilon (``tests/test_norm.py``).  See ``docs/errata.md`` (7.5) for the
differences from the printed code.
"""
import numbers

import numpy as np
import paddle
import paddle.nn as nn
import paddle.nn.functional as F

__all__ = ["BatchNorm", "LayerNorm", "MLP", "MultiConvLayerNet"]


def _as_tensor(X, who):
    if isinstance(X, paddle.Tensor):
        return X
    if isinstance(X, np.ndarray):
        return paddle.to_tensor(X)
    raise TypeError(f"{who}: expected a paddle.Tensor, got {type(X).__name__}")


def _affine_values(value, num_features, what, who):
    """gamma/beta as a float32 numpy vector of length num_features (a number is repeated)."""
    arr = np.asarray(value.numpy() if isinstance(value, paddle.Tensor) else value, dtype="float32")
    if arr.ndim == 0:
        return np.full([num_features], float(arr), dtype="float32")
    arr = arr.reshape([-1])
    if arr.size != num_features:
        raise ValueError(f"{who}: {what} has {arr.size} values but num_features is {num_features}")
    return arr


def _check_num_features(num_features, who):
    if isinstance(num_features, bool) or not isinstance(num_features, numbers.Integral):
        raise TypeError(
            f"{who}: num_features must be a positive integer, got {num_features!r} "
            "(pass eps=..., gamma=..., beta=... by keyword)")
    if num_features <= 0:
        raise ValueError(f"{who}: num_features must be a positive integer, got {num_features}")
    return int(num_features)


class BatchNorm(nn.Layer):
    """批量规范化 (book 7.5.1.1, eq. 7.20): ``(X - mu_B) / sqrt(var_B + eps) * gamma + beta``.

    输入:
        - num_features: 输入特征数 (columns of a [N, D] input, channels of a [N, C, H, W] input)
        - eps: 保持数值稳定性而设置的常数 (inside the square root)
        - momentum: 用于计算移动平均值, ``moving = momentum * moving + (1 - momentum) * batch``
        - gamma: 缩放的参数, a number or num_features numbers (a trainable parameter, shape=[num_features])
        - beta: 平移的参数, likewise
    调用: ``bn(X, train_mode=True)``; X shape=[N, D] (after a Linear layer) or [N, C, H, W]
    (after a convolution); 输出 has X's shape.  ``train_mode=None`` follows the layer's
    ``train()`` / ``eval()`` mode (which starts as training, the book's default).

    Training mode normalizes with the batch mean and the biased batch variance and
    updates ``moving_mean`` / ``moving_variance`` (buffers of shape=[1, num_features],
    saved in ``state_dict``); eval mode normalizes with the moving averages.
    """

    def __init__(self, num_features, eps=1e-7, momentum=0.9, gamma=1.0, beta=0.0):
        super().__init__()
        who = "BatchNorm"
        num_features = _check_num_features(num_features, who)
        if not eps >= 0:
            raise ValueError(f"{who}: eps must be >= 0, got {eps}")
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{who}: momentum must be in [0, 1], got {momentum}")
        self.num_features = num_features
        self.eps = float(eps)
        self.momentum = float(momentum)
        shape = (1, num_features)
        self.gamma = self.create_parameter(
            [num_features], dtype="float32",
            default_initializer=nn.initializer.Assign(_affine_values(gamma, num_features, "gamma", who)))
        self.beta = self.create_parameter(
            [num_features], dtype="float32", is_bias=True,
            default_initializer=nn.initializer.Assign(_affine_values(beta, num_features, "beta", who)))
        self.register_buffer("moving_mean", paddle.zeros(shape, dtype="float32"))
        self.register_buffer("moving_variance", paddle.ones(shape, dtype="float32"))

    def _check(self, X):
        X = _as_tensor(X, "BatchNorm")
        if X.ndim not in (2, 4):
            raise ValueError(
                f"BatchNorm: input must be 2-D [N, D] or 4-D [N, C, H, W], got shape {list(X.shape)}")
        if X.shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm: input of shape {list(X.shape)} has {X.shape[1]} features on axis 1, "
                f"but the layer was built with num_features={self.num_features}")
        return X

    def forward(self, X, train_mode=None):
        X = self._check(X)
        if train_mode is None:
            train_mode = self.training
        bshape = [1, self.num_features] + [1] * (X.ndim - 2)   # broadcasts over N (and H, W)
        if not train_mode:
            mean = self.moving_mean.reshape(bshape)
            var = self.moving_variance.reshape(bshape)
        else:
            axes = [0] if X.ndim == 2 else [0, 2, 3]
            if X.size // self.num_features < 2:
                raise ValueError(
                    f"BatchNorm: training mode needs more than one value per feature, got shape {list(X.shape)}")
            mean = paddle.mean(X, axis=axes, keepdim=True)
            var = paddle.mean((X - mean) ** 2, axis=axes, keepdim=True)   # biased, like paddle
            # 保存移动平均值 (no gradient flows into the statistics)
            with paddle.no_grad():
                m = self.momentum
                new_mean = m * self.moving_mean + (1.0 - m) * mean.detach().reshape([1, -1])
                new_var = m * self.moving_variance + (1.0 - m) * var.detach().reshape([1, -1])
                paddle.assign(new_mean.astype(self.moving_mean.dtype), self.moving_mean)
                paddle.assign(new_var.astype(self.moving_variance.dtype), self.moving_variance)
        X_hat = (X - mean) / paddle.sqrt(var + self.eps)
        return self.gamma.reshape(bshape) * X_hat + self.beta.reshape(bshape)

    def extra_repr(self):
        return f"num_features={self.num_features}, eps={self.eps}, momentum={self.momentum}"


class LayerNorm(nn.Layer):
    """层规范化 (book 7.5.2.1, eq. 7.21): normalizes each sample over all its non-batch axes.

    输入 (both of the book's call forms work):
        - num_features: optional (the printed book passes it, the notebook does not).
          None: gamma and beta are single numbers (trainable, shape=[1]); an int: they
          are per-feature (shape=[num_features], on axis 1) and the input's axis 1 must match
        - eps: 保持数值稳定性而设置的常数 (inside the square root)
        - gamma: 缩放的参数; beta: 平移的参数 (numbers, or num_features numbers)
    调用: ``ln(X)``, X shape=[N, D], [N, C, L] or [N, C, H, W]; 输出 has X's shape.
    Mean and (biased) variance are taken per sample over every axis but the first,
    like ``paddle.nn.LayerNorm(X.shape[1:])``.
    """

    def __init__(self, num_features=None, eps=1e-7, gamma=1.0, beta=0.0):
        super().__init__()
        who = "LayerNorm"
        if num_features is not None:
            num_features = _check_num_features(num_features, who)
        elif np.ndim(gamma.numpy() if isinstance(gamma, paddle.Tensor) else gamma) > 0:
            num_features = int(np.size(gamma.numpy() if isinstance(gamma, paddle.Tensor) else gamma))
        if not eps >= 0:
            raise ValueError(f"{who}: eps must be >= 0, got {eps}")
        self.num_features = num_features
        self.eps = float(eps)
        size = 1 if num_features is None else num_features
        self.gamma = self.create_parameter(
            [size], dtype="float32",
            default_initializer=nn.initializer.Assign(_affine_values(gamma, size, "gamma", who)))
        self.beta = self.create_parameter(
            [size], dtype="float32", is_bias=True,
            default_initializer=nn.initializer.Assign(_affine_values(beta, size, "beta", who)))

    def forward(self, X):
        X = _as_tensor(X, "LayerNorm")
        if X.ndim not in (2, 3, 4):
            raise ValueError(
                f"LayerNorm: input must be 2-D, 3-D or 4-D with the batch on axis 0, got shape {list(X.shape)}")
        if self.num_features is not None and X.shape[1] != self.num_features:
            raise ValueError(
                f"LayerNorm: input of shape {list(X.shape)} has {X.shape[1]} features on axis 1, "
                f"but the layer was built with num_features={self.num_features}")
        axes = list(range(1, X.ndim))
        mean = paddle.mean(X, axis=axes, keepdim=True)
        var = paddle.mean((X - mean) ** 2, axis=axes, keepdim=True)   # biased, like paddle
        X_hat = (X - mean) / paddle.sqrt(var + self.eps)
        if self.num_features is None:
            return self.gamma * X_hat + self.beta
        bshape = [1, self.num_features] + [1] * (X.ndim - 2)
        return self.gamma.reshape(bshape) * X_hat + self.beta.reshape(bshape)

    def extra_repr(self):
        return f"num_features={self.num_features}, eps={self.eps}"


_INIT_NAMES = ("normal", "uniform", "basic", "orthogonal")


class MLP(nn.Layer):
    """多层感知器 (book 7.4.2.1, with 逐层规范化 from 7.5.1.2).

    输入:
        - layers_size: 每层神经元的数量, e.g. [100, 200, 400, 300, 200, 100]
        - init_fn_name: 网络中参数初始化方法:
            'normal'  权重 ~ N(0, init_fn(M_{l-1}, M_l)^2)  (Xavier with ``xavier_normal_std``)
            'uniform' 权重 ~ U[-r, r], r = init_fn(M_{l-1}, M_l)  (``xavier_uniform_r``)
            'basic'   权重 ~ N(0, 1) (the book's catch-all, which its experiments call 'basic')
            'orthogonal' 正交初始化 with gain init_fn(M_{l-1}, M_l) (or 1 when init_fn is None)
          Other names raise ValueError.  Biases start at 0 (paddle's default).
        - init_fn: 函数, 用来计算高斯分布标准差或均匀分布r值 (required for 'normal' / 'uniform')
        - act_fn: 激活函数, a layer class such as ``paddle.nn.Tanh`` (an instance or a
          function also works); applied after every hidden layer, not after the last
        - norm_name: None, 'bn' (:class:`BatchNorm`) or 'ln' (:class:`LayerNorm`), placed
          between every hidden linear layer and its activation
        - gamma, beta: 缩放和平移变换的参数, one per hidden layer (a list at least as long as
          the number of hidden layers; a single number is used for all; None: 1 and 0)
    调用: ``model(X, train_mode=None)``, X shape=[N, layers_size[0]] -> shape=[N, layers_size[-1]]
    (``train_mode=None`` follows ``model.train()`` / ``model.eval()``, which is what ``RunnerV3``
    toggles; only BatchNorm uses it).
    Records: ``z[i]`` the pre-activation output of hidden layer i (after the normalization,
    if any), ``z[num_layers - 1]`` the network output; ``a[i]`` the output of hidden layer i
    after the activation.
    """

    def __init__(self, layers_size, init_fn_name, init_fn, act_fn, norm_name=None, gamma=None, beta=None):
        super().__init__()
        layers_size = [int(s) for s in layers_size]
        if len(layers_size) < 2 or any(s <= 0 for s in layers_size):
            raise ValueError(f"MLP: layers_size must list at least 2 positive sizes, got {layers_size}")
        if init_fn_name not in _INIT_NAMES:
            raise ValueError(f"MLP: unknown init_fn_name {init_fn_name!r}; use one of {list(_INIT_NAMES)}")
        if init_fn_name in ("normal", "uniform") and not callable(init_fn):
            raise ValueError(f"MLP: init_fn_name={init_fn_name!r} needs init_fn(input_size, output_size), "
                             f"got {init_fn!r}")
        if norm_name not in (None, "bn", "ln"):
            raise ValueError(f"MLP: unknown norm_name {norm_name!r}; use None, 'bn' or 'ln'")
        if act_fn is None:
            raise ValueError("MLP: act_fn is required (e.g. paddle.nn.Tanh)")
        self.layers_size = layers_size
        self.init_fn_name = init_fn_name
        self.num_layers = len(layers_size) - 1
        num_hidden = self.num_layers - 1
        self.linear = nn.Sequential()
        for i in range(self.num_layers):
            input_size, output_size = layers_size[i], layers_size[i + 1]
            if init_fn_name == "normal":
                weight_init = nn.initializer.Normal(mean=0.0, std=float(init_fn(input_size, output_size)))
            elif init_fn_name == "uniform":
                r = float(init_fn(input_size, output_size))
                weight_init = nn.initializer.Uniform(low=-r, high=r)
            elif init_fn_name == "orthogonal":
                gain = 1.0 if init_fn is None else float(init_fn(input_size, output_size))
                weight_init = nn.initializer.Orthogonal(gain=gain)
            else:  # 'basic': N(0, 1)
                weight_init = nn.initializer.Normal(mean=0.0, std=1.0)
            self.linear.add_sublayer(str(i), nn.Linear(input_size, output_size, weight_attr=weight_init))

        self.norm_name = norm_name
        self.normalization = nn.LayerList()
        if norm_name is not None:
            gamma = self._per_layer(gamma, 1.0, num_hidden, "gamma")
            beta = self._per_layer(beta, 0.0, num_hidden, "beta")
            for i in range(num_hidden):
                output_size = layers_size[i + 1]
                if norm_name == "bn":
                    self.normalization.append(BatchNorm(output_size, gamma=gamma[i], beta=beta[i]))
                else:
                    # LayerNorm: 对一个中间层的所有神经元进行规范化
                    self.normalization.append(LayerNorm(gamma=gamma[i], beta=beta[i]))
        self.act_fn = act_fn() if isinstance(act_fn, type) else act_fn
        if not callable(self.act_fn):
            raise ValueError(f"MLP: act_fn must be a layer class or a callable, got {act_fn!r}")
        self.z = {}
        self.a = {}

    @staticmethod
    def _per_layer(values, default, n, what):
        if values is None:
            return [default] * n
        if isinstance(values, numbers.Number):
            return [values] * n
        values = list(values)
        if len(values) < n:
            raise ValueError(f"MLP: {what} has {len(values)} values but the network has {n} hidden layers "
                             f"(one value per hidden layer is needed)")
        return values

    def forward(self, X, train_mode=None):
        X = _as_tensor(X, "MLP")
        if X.ndim != 2 or X.shape[1] != self.layers_size[0]:
            raise ValueError(f"MLP: input of shape {list(X.shape)} does not match layers_size[0]="
                             f"{self.layers_size[0]} (expected [N, {self.layers_size[0]}])")
        if train_mode is None:
            train_mode = self.training
        y = X
        for num_layer in range(self.num_layers):
            y = self.linear[num_layer](y)
            if num_layer != self.num_layers - 1:
                if self.norm_name == "bn":
                    y = self.normalization[num_layer](y, train_mode)
                elif self.norm_name == "ln":
                    y = self.normalization[num_layer](y)
                # 为了展示逐层规范化后的输出的均值和方差, 使用z[num_layer]进行记录
                self.z[num_layer] = y
                y = self.act_fn(y)
                self.a[num_layer] = y
        self.z[self.num_layers - 1] = y
        return y


class MultiConvLayerNet(nn.Layer):
    """多层卷积神经网络 (book 7.5.1.5), for 28x28 single-channel images (MNIST).

    Conv(1->20, 5x5, pad 2)-[BN]-ReLU-MaxPool(2)-Conv(20->20, 5x5, pad 2)-[BN]-ReLU-MaxPool(2)-Linear(980->10).

    输入:
        - use_bn: 是否在卷积层后使用批量规范化
        - bn_impl: 'paddle' (``paddle.nn.BatchNorm2D``, as the book) or 'nndl' (this module's
          :class:`BatchNorm` with paddle's eps 1e-5); not in the book
    调用: ``model(inputs, train_mode=None)``, inputs shape=[N, 1, 28, 28] -> logits shape=[N, 10];
    ``train_mode=None`` follows ``model.train()`` / ``model.eval()``.
    """

    def __init__(self, use_bn=False, bn_impl="paddle"):
        super().__init__()
        if bn_impl not in ("paddle", "nndl"):
            raise ValueError(f"MultiConvLayerNet: bn_impl must be 'paddle' or 'nndl', got {bn_impl!r}")
        self.conv1 = nn.Conv2D(in_channels=1, out_channels=20, kernel_size=5, stride=1, padding=2)
        self.max_pool1 = nn.MaxPool2D(kernel_size=2, stride=2)
        self.conv2 = nn.Conv2D(in_channels=20, out_channels=20, kernel_size=5, stride=1, padding=2)
        self.max_pool2 = nn.MaxPool2D(kernel_size=2, stride=2)
        self.fc = nn.Linear(980, 10)
        if use_bn:
            if bn_impl == "paddle":
                self.batch_norm1 = nn.BatchNorm2D(num_features=20)
                self.batch_norm2 = nn.BatchNorm2D(num_features=20)
            else:
                self.batch_norm1 = BatchNorm(20, eps=1e-5)
                self.batch_norm2 = BatchNorm(20, eps=1e-5)
        self.use_bn = bool(use_bn)
        self.bn_impl = bn_impl

    @staticmethod
    def _norm(layer, x, train_mode):
        if isinstance(layer, BatchNorm):
            return layer(x, train_mode)
        if train_mode is None or bool(train_mode) == layer.training:
            return layer(x)
        was = layer.training
        layer.training = bool(train_mode)
        try:
            return layer(x)
        finally:
            layer.training = was

    def forward(self, inputs, train_mode=None):
        inputs = _as_tensor(inputs, "MultiConvLayerNet")
        if inputs.ndim != 4 or list(inputs.shape[1:]) != [1, 28, 28]:
            raise ValueError(f"MultiConvLayerNet: input must have shape [N, 1, 28, 28], got {list(inputs.shape)}")
        x = self.conv1(inputs)
        if self.use_bn:
            x = self._norm(self.batch_norm1, x, train_mode)
        x = F.relu(x)
        x = self.max_pool1(x)
        x = self.conv2(x)
        if self.use_bn:
            x = self._norm(self.batch_norm2, x, train_mode)
        x = F.relu(x)
        x = self.max_pool2(x)
        x = paddle.reshape(x, [x.shape[0], 980])
        return self.fc(x)
