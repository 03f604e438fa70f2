"""The book's hand-written operators (``nndl.op``).

Every ``Op`` computes its forward pass on paddle tensors, keeps exactly what its
backward pass needs, and returns the gradient with respect to its input from
``backward(outputs_grads)`` (book 1.3.1).  Layers with parameters keep them in
``self.params`` and their gradients in ``self.grads`` (dicts keyed 'W', 'b'),
which is what the book's optimizers walk.

The book imports its optimizers from here too (``from nndl.op import
SimpleBatchGD, BatchGD``); they live in :mod:`nndl.optimizer`.
"""
import paddle
import paddle.nn.functional as F

from .optimizer import BatchGD, Optimizer, SimpleBatchGD  # noqa: F401  (book import path)

__all__ = ["Op", "Linear", "Logistic", "ReLU", "MLP_3L"]


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
