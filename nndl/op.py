"""The book's hand-written operators (``nndl.op``).

Every ``Op`` computes its forward pass on paddle tensors, keeps exactly what its
backward pass needs, and returns the gradient with respect to its input from
``backward(outputs_grads)`` (book 1.3.1).  Layers with parameters keep them in
``self.params`` and their gradients in ``self.grads`` (dicts keyed 'W', 'b'),
which is what the book's optimizers walk.

The book imports its optimizers from here too (``from nndl.op import
SimpleBatchGD, BatchGD``); they live in :mod:`nndl.optimizer`.
"""
import math
import numbers

import paddle
import paddle.nn.functional as F

from .optimizer import BatchGD, Optimizer, SimpleBatchGD  # noqa: F401  (book import path)

__all__ = ["Op", "add", "multiply", "exponential", "Linear", "Logistic", "ReLU", "MLP_3L",
           "BinaryCrossEntropyWithLogits", "Dropout", "MLP_3L_dropout"]


def _check_grad_shape(op_name, grads, expected):
    if list(grads.shape) != list(expected):
        raise ValueError(
            f"{op_name}.backward: outputs_grads has shape {list(grads.shape)}, "
            f"but the forward output had shape {list(expected)}"
        )


class Op(object):
    """算子基类 (book 1.3.1): ``op(x)`` runs ``forward``; ``backward`` chains gradients."""

    def __init__(self):
        pass

    def __call__(self, *inputs, **kwargs):
        return self.forward(*inputs, **kwargs)

    # 输入: 张量inputs; 输出: 张量outputs
    def forward(self, inputs):
        raise NotImplementedError

    # 输入: 最终输出对outputs的梯度outputs_grads; 输出: 最终输出对inputs的梯度inputs_grads
    def backward(self, outputs_grads):
        raise NotImplementedError


class Linear(Op):
    """线性层算子 (book 4.2.4.4): ``Y = XW + b``.

    输入:
        - input_size, output_size: 输入/输出维度
        - name: 层名 (used in error messages and by the optimizers' reports)
        - weight_init, bias_init: called as ``f(shape=[...])``; the book draws W
          from N(0,1) and sets b to 0
        - dtype: optional dtype the parameters are cast to (e.g. 'float64' for
          gradient checks); not in the book
    Parameters: ``params['W']`` shape=[input_size, output_size], ``params['b']``
    shape=[1, output_size].  ``backward`` stores ``grads`` with the same shapes
    (the book's ``grads['b']`` is [output_size]; keeping the parameter's shape
    lets the optimizers update it in place).
    """

    def __init__(self, input_size, output_size, name, weight_init=paddle.standard_normal,
                 bias_init=paddle.zeros, dtype=None):
        for arg, value in (("input_size", input_size), ("output_size", output_size)):
            # bool is an int, and a string or float size would fail deep inside paddle
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"Linear '{name}': {arg} must be a positive integer, got {value!r}")
        self.params = {}
        self.params['W'] = weight_init(shape=[input_size, output_size])
        self.params['b'] = bias_init(shape=[1, output_size])
        if dtype is not None:
            self.params = {k: v.astype(dtype) for k, v in self.params.items()}
        self.input_size = input_size
        self.output_size = output_size
        self.inputs = None
        self.grads = {}
        self.name = name

    def forward(self, inputs):
        """输入: inputs shape=[N, input_size]; 输出: shape=[N, output_size]."""
        if inputs.ndim != 2 or inputs.shape[1] != self.params['W'].shape[0]:
            raise ValueError(
                f"Linear '{self.name}': input of shape {list(inputs.shape)} does not match "
                f"weight of shape {list(self.params['W'].shape)} (expected [N, {self.params['W'].shape[0]}])"
            )
        if inputs.dtype != self.params['W'].dtype:
            # paddle's own message names only C++ types; say which tensor and how to fix it
            raise TypeError(
                f"Linear '{self.name}': input dtype {str(inputs.dtype).replace('paddle.', '')} does not match "
                f"parameter dtype {str(self.params['W'].dtype).replace('paddle.', '')}; cast the input "
                "(inputs.astype(...)) or build the layer with dtype=..."
            )
        self.inputs = inputs
        return paddle.matmul(inputs, self.params['W']) + self.params['b']

    def backward(self, grads):
        """输入: 损失对本层输出的梯度 shape=[N, output_size]; 输出: 对本层输入的梯度 shape=[N, input_size]."""
        if self.inputs is None:
            raise RuntimeError(f"Linear '{self.name}': backward() called before forward()")
        _check_grad_shape(f"Linear '{self.name}'", grads, [self.inputs.shape[0], self.params['W'].shape[1]])
        self.grads['W'] = paddle.matmul(self.inputs, grads, transpose_x=True)   # (4.21)
        self.grads['b'] = paddle.sum(grads, axis=0, keepdim=True)                # (4.22)
        return paddle.matmul(grads, self.params['W'], transpose_y=True)          # (4.18)


class Logistic(Op):
    """Logistic 激活算子 (book 4.2.4.3): ``σ(x) = 1/(1+exp(-x))``, ``σ' = σ(1-σ)``."""

    def __init__(self):
        self.inputs = None
        self.outputs = None
        self.params = None

    def forward(self, inputs):
        self.inputs = inputs
        self.outputs = F.sigmoid(inputs)   # numerically stable for large |x|
        return self.outputs

    def backward(self, grads):
        if self.outputs is None:
            raise RuntimeError("Logistic: backward() called before forward()")
        _check_grad_shape("Logistic", grads, self.outputs.shape)
        return grads * self.outputs * (1.0 - self.outputs)


class ReLU(Op):
    """ReLU 激活算子 (book 7.6.2.1): ``max(x, 0)``; the gradient at 0 is 0, as in paddle."""

    def __init__(self):
        self.inputs = None
        self.outputs = None
        self.params = None

    def forward(self, inputs):
        self.inputs = inputs
        self.outputs = F.relu(inputs)
        return self.outputs

    def backward(self, outputs_grads):
        if self.inputs is None:
            raise RuntimeError("ReLU: backward() called before forward()")
        _check_grad_shape("ReLU", outputs_grads, self.inputs.shape)
        return outputs_grads * (self.inputs > 0).astype(outputs_grads.dtype)


class MLP_3L(Op):
    """三层感知器 (book 7.6.2.2): Linear-ReLU-Linear-ReLU-Linear, outputs logits.

    输入: layers_size = [in, h1, h2, out]; W ~ N(0,1), b = 0 as in the book.
    ``layers`` lists the operators in order (what ``BatchGD`` walks);
    ``backward(loss_grad_z3)`` runs the chain rule by hand and returns the
    gradient with respect to the input.
    """

    def __init__(self, layers_size, dtype=None):
        if len(layers_size) != 4:
            raise ValueError(f"MLP_3L: layers_size must list 4 sizes [in, h1, h2, out], got {layers_size}")
        self.fc1 = Linear(layers_size[0], layers_size[1], name='fc1', dtype=dtype)
        self.act_fn1 = ReLU()
        self.fc2 = Linear(layers_size[1], layers_size[2], name='fc2', dtype=dtype)
        self.act_fn2 = ReLU()
        self.fc3 = Linear(layers_size[2], layers_size[3], name='fc3', dtype=dtype)
        self.layers = [self.fc1, self.act_fn1, self.fc2, self.act_fn2, self.fc3]

    def __call__(self, X, *args, **kwargs):
        return self.forward(X, *args, **kwargs)

    def forward(self, X):
        z1 = self.fc1(X)
        a1 = self.act_fn1(z1)
        z2 = self.fc2(a1)
        a2 = self.act_fn2(z2)
        z3 = self.fc3(a2)
        return z3

    def backward(self, loss_grad_z3):
        loss_grad_a2 = self.fc3.backward(loss_grad_z3)
        loss_grad_z2 = self.act_fn2.backward(loss_grad_a2)
        loss_grad_a1 = self.fc2.backward(loss_grad_z2)
        loss_grad_z1 = self.act_fn1.backward(loss_grad_a1)
        return self.fc1.backward(loss_grad_z1)


# ---------------------------------------------------------------------------
# 7.6 Regularization: the loss with L2 term, Dropout, the MLP with dropout
# ---------------------------------------------------------------------------

class BinaryCrossEntropyWithLogits(Op):
    """二分类交叉熵损失, 输入为对率, 可带 ℓ2 正则化 (book 7.6.2.3 and 7.6.3).

    R(y, o) = -1/N (y^T log σ(o) + (1-y)^T log(1-σ(o))) + λ/(2N) Σ_layers ||W||_F^2

    The L2 term follows the book's *code* (7.6.3), not its text: the penalty is
    ``lambd / (2N) * sum(W**2)`` over the weights ``W`` of every
    :class:`Linear` in ``model.layers`` (biases are not penalized), and
    ``backward`` adds ``lambd * W / N`` to each ``grads['W']``.  The text's
    ``1/2 ||θ||^2`` and ``λθ`` would make the book's ``lambd=0.7`` a different
    (N=200 times stronger) regularizer.

    The cross-entropy is computed in the stable form
    ``mean(max(o, 0) - o*y + log(1 + exp(-|o|)))``, equal to the formula above
    but finite for any logit (the book's ``log(σ(o))`` is -inf once σ(o)
    rounds to 0 or 1).

    输入:
        - model: the model whose ``backward`` is driven and whose ``layers``
          hold the :class:`Linear` operators to regularize
        - lambd: 正则化系数 λ >= 0 (0: plain cross-entropy, book 7.6.2.3)
    调用 ``loss_fn(logits, labels)``:
        - logits: 对率 shape=[N, 1]
        - labels: 标签 shape=[N, 1], values 0/1, same shape as logits (a [N]
          label vector, what paddle >= 2.5 loaders hand out, is rejected with
          a ValueError rather than broadcast to [N, N])
    输出:
        - loss: 0-D Tensor
    ``backward()``: computes dR/do = (σ(o) - y) / N, calls
    ``model.backward`` with it and adds the L2 gradient; returns nothing.
    """

    def __init__(self, model, lambd=0):
        if isinstance(lambd, bool) or not isinstance(lambd, (int, float)) or lambd != lambd:
            raise TypeError(f"BinaryCrossEntropyWithLogits: lambd must be a number >= 0, got {lambd!r}")
        if lambd < 0:
            raise ValueError(f"BinaryCrossEntropyWithLogits: lambd must be >= 0, got {lambd}")
        if not hasattr(model, "backward"):
            raise TypeError(f"BinaryCrossEntropyWithLogits: model {type(model).__name__} has no backward()")
        self.predicts = None
        self.labels = None
        self.data_size = None
        self.model = model
        self.lambd = float(lambd)
        self.params = None

    def __call__(self, logits, labels):
        return self.forward(logits, labels)

    def _linear_layers(self):
        return [layer for layer in getattr(self.model, "layers", ()) if isinstance(layer, Linear)]

    def forward(self, logits, labels):
        if not isinstance(labels, paddle.Tensor):
            labels = paddle.to_tensor(labels)
        if list(labels.shape) != list(logits.shape):
            raise ValueError(
                f"BinaryCrossEntropyWithLogits: labels of shape {list(labels.shape)} do not match "
                f"logits of shape {list(logits.shape)}; reshape the labels, e.g. labels.reshape([-1, 1])"
            )
        if logits.ndim == 0 or logits.shape[0] == 0:
            raise ValueError(f"BinaryCrossEntropyWithLogits: need logits of shape [N, 1], got {list(logits.shape)}")
        labels = labels.astype(logits.dtype)
        self.labels = labels
        self.predicts = F.sigmoid(logits)
        self.data_size = logits.shape[0]
        # stable: -[y log σ(o) + (1-y) log(1-σ(o))] = max(o,0) - o*y + log(1+exp(-|o|))
        per_sample = F.relu(logits) - logits * labels + paddle.log1p(paddle.exp(-paddle.abs(logits)))
        loss = paddle.sum(per_sample) / self.data_size
        if self.lambd:
            reg = 0
            for layer in self._linear_layers():
                reg = reg + paddle.sum(paddle.square(layer.params['W']))
            loss = loss + self.lambd * reg / (2 * self.data_size)
        return loss

    def backward(self):
        if self.predicts is None:
            raise RuntimeError("BinaryCrossEntropyWithLogits: backward() called before forward()")
        inputs_grads = (self.predicts - self.labels) / self.data_size
        self.model.backward(inputs_grads)
        if self.lambd:
            for layer in self._linear_layers():
                if 'W' not in layer.grads:
                    raise RuntimeError(f"Linear '{layer.name}' has no gradient after model.backward()")
                layer.grads['W'] = layer.grads['W'] + self.lambd * layer.params['W'] / self.data_size


def _check_drop_rate(drop_rate):
    if isinstance(drop_rate, bool) or not isinstance(drop_rate, (int, float)):
        raise TypeError(f"drop_rate must be a number in [0, 1), got {drop_rate!r}")
    if not 0 <= drop_rate < 1:
        raise ValueError(f"drop_rate must be in [0, 1), got {drop_rate}")
    return float(drop_rate)


_MODES = ('train', 'dev', 'test', 'eval')


def _check_mode(owner, mode):
    if mode not in _MODES:
        raise ValueError(f"{owner}: mode must be 'train' or 'dev' (or 'test'/'eval'), got {mode!r}")
    return mode


class Dropout(Op):
    """暂退法算子 (book 7.6.5.1), inverted dropout.

    训练阶段: X̃ = (X ⊙ M) / (1 - p), M_ij ~ Bernoulli(1 - p) (kept with probability 1-p);
    反向: δ_X = δ_X̃ ⊙ M / (1 - p) with the same mask; dropped units get no gradient.
    评价阶段 (mode 'dev'/'test'/'eval'): the identity, in forward and backward.

    输入:
        - drop_rate: 暂退概率 p in [0, 1)
    调用 ``dropout(inputs, mode='train')``: inputs shape=[N, D]; 输出 shape=[N, D].
    The mask is drawn from paddle's generator (``paddle.seed`` reproduces it).
    """

    def __init__(self, drop_rate):
        self.drop_rate = _check_drop_rate(drop_rate)
        self.mask = None
        self.mode = 'train'
        self.params = None

    def forward(self, inputs, mode='train'):
        self.mode = _check_mode("Dropout", mode)
        self.inputs_shape = list(inputs.shape)
        if mode != 'train':
            self.mask = None
            return inputs
        rand = paddle.rand(inputs.shape, dtype=inputs.dtype if inputs.dtype in (paddle.float32, paddle.float64) else 'float32')
        self.mask = (rand > self.drop_rate).astype(inputs.dtype)
        return inputs * self.mask / (1.0 - self.drop_rate)

    def backward(self, outputs_grads):
        if self.mode != 'train':
            return outputs_grads
        if self.mask is None:
            raise RuntimeError("Dropout: backward() called before forward()")
        _check_grad_shape("Dropout", outputs_grads, self.mask.shape)
        return outputs_grads * self.mask / (1.0 - self.drop_rate)


class MLP_3L_dropout(MLP_3L):
    """带暂退法的三层感知器 (book 7.6.5.1): Dropout after each hidden ReLU.

    输入:
        - layers_size: [in, h1, h2, out]
        - drop_rate: 暂退概率 p in [0, 1) (the book's code uses 0.3, its text 0.5)
        - dtype: optional parameter dtype (not in the book)
    调用 ``model(X, mode='train')`` (dropout on) or ``model(X, 'dev')`` (dropout off,
    deterministic); ``backward`` follows the mode of the last forward.
    ``layers`` lists the same five operators as ``MLP_3L`` (dropout has no parameters).
    """

    def __init__(self, layers_size, drop_rate, dtype=None):
        super().__init__(layers_size, dtype=dtype)
        self.dropout1 = Dropout(drop_rate)
        self.dropout2 = Dropout(drop_rate)
        self.drop_rate = self.dropout1.drop_rate
        self.mode = 'train'

    def __call__(self, X, mode='train'):
        return self.forward(X, mode)

    def forward(self, X, mode='train'):
        self.mode = _check_mode("MLP_3L_dropout", mode)
        z1 = self.fc1(X)
        a1 = self.dropout1(self.act_fn1(z1), mode)
        z2 = self.fc2(a1)
        a2 = self.dropout2(self.act_fn2(z2), mode)
        return self.fc3(a2)

    def backward(self, loss_grad_z3):
        loss_grad_a2 = self.dropout2.backward(self.fc3.backward(loss_grad_z3))
        loss_grad_z2 = self.act_fn2.backward(loss_grad_a2)
        loss_grad_a1 = self.dropout1.backward(self.fc2.backward(loss_grad_z2))
        loss_grad_z1 = self.act_fn1.backward(loss_grad_a1)
        return self.fc1.backward(loss_grad_z1)


# -- 1.3.1 the arithmetic operators ----------------------------------------------------
# They work on python numbers (the book's example) and on paddle tensors alike.

def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check_operand(op_name, name, v):
    if not (_is_number(v) or isinstance(v, paddle.Tensor)):
        raise TypeError(f"{op_name}: {name} must be a number or a paddle.Tensor, got {type(v).__name__}")


def _unbroadcast(grads, like):
    """The gradient of a broadcast input: ``grads`` summed over the axes that the forward
    pass broadcast ``like`` along (the book returns ``grads`` unreduced, which has the
    output's shape, not the input's)."""
    if not isinstance(grads, paddle.Tensor):
        return grads
    if not isinstance(like, paddle.Tensor):
        return paddle.sum(grads) if grads.ndim else grads
    shape = list(like.shape)
    extra = grads.ndim - len(shape)
    if extra > 0:
        grads = paddle.sum(grads, axis=list(range(extra)))
    axes = [i for i, (g, s) in enumerate(zip(grads.shape, shape)) if s == 1 and g != 1]
    if axes:
        grads = paddle.sum(grads, axis=axes, keepdim=True)
    return grads.reshape(shape)


class add(Op):
    """加法算子 (book 1.3.1.1): ``z = x + y``; ``δx = δz``, ``δy = δz``.

    输入: x, y (numbers or tensors that broadcast); backward(grads) -> (grads_x, grads_y),
    each with its input's shape.
    """

    def __init__(self):
        super(add, self).__init__()
        self.x = None
        self.y = None

    def __call__(self, x, y):
        return self.forward(x, y)

    def forward(self, x, y):
        _check_operand("add", "x", x)
        _check_operand("add", "y", y)
        self.x = x
        self.y = y
        return x + y

    def backward(self, grads):
        if self.x is None:
            raise RuntimeError("add: backward() called before forward()")
        _check_operand("add.backward", "grads", grads)
        return _unbroadcast(grads * 1, self.x), _unbroadcast(grads * 1, self.y)


class multiply(Op):
    """乘法算子 (book 1.3.1.2): ``z = x * y``; ``δx = δz * y``, ``δy = δz * x``.

    输入: x, y (numbers or tensors that broadcast); backward(grads) -> (grads_x, grads_y).
    One instance remembers its last call only: use one instance per product when
    back-propagating (the book's example reuses one for ``a*b`` and ``c*d``).
    """

    def __init__(self):
        super(multiply, self).__init__()
        self.x = None
        self.y = None

    def __call__(self, x, y):
        return self.forward(x, y)

    def forward(self, x, y):
        _check_operand("multiply", "x", x)
        _check_operand("multiply", "y", y)
        self.x = x
        self.y = y
        return x * y

    def backward(self, grads):
        if self.x is None:
            raise RuntimeError("multiply: backward() called before forward()")
        _check_operand("multiply.backward", "grads", grads)
        return _unbroadcast(grads * self.y, self.x), _unbroadcast(grads * self.x, self.y)


class exponential(Op):
    """指数算子 (book 1.3.1.3): ``z = exp(x)``; ``δx = δz * exp(x)``.

    输入: x, a python number (``math.exp``, as the book) or a float tensor (``paddle.exp``).
    """

    def __init__(self):
        super(exponential, self).__init__()
        self.x = None
        self.outputs = None

    def forward(self, x):
        _check_operand("exponential", "x", x)
        self.x = x
        if isinstance(x, paddle.Tensor):
            self.outputs = paddle.exp(x)
        else:
            self.outputs = math.exp(x)
        return self.outputs

    def backward(self, grads):
        if self.x is None:
            raise RuntimeError("exponential: backward() called before forward()")
        _check_operand("exponential.backward", "grads", grads)
        # exp' = exp: the forward output is the derivative
        return grads * self.outputs
