"""Every foundation Op's backward against paddle.grad and a float64 central difference."""
import numpy as np
import paddle
import pytest

import nndl.op as op
from nndl.gradcheck import numerical_grad, rel_error
from nndl.op import MLP_3L, Op


def _autograd(fn, x):
    x = paddle.to_tensor(x, stop_gradient=False)
    y = fn(x)
    (g,) = paddle.grad(y, [x])
    return g.numpy()


@pytest.mark.parametrize("make", [op.Logistic, op.ReLU])
def test_activation_backward_matches_autograd_and_finite_difference(make):
    x = np.random.RandomState(0).randn(6, 4)
    x[np.abs(x) < 1e-3] = 0.5  # keep the finite difference away from ReLU's kink
    up = np.random.RandomState(1).randn(6, 4)
    act = make()
    act(paddle.to_tensor(x))
    ours = act.backward(paddle.to_tensor(up)).numpy()

    ref_fn = paddle.nn.functional.sigmoid if make is op.Logistic else paddle.nn.functional.relu
    auto = _autograd(lambda t: (ref_fn(t) * paddle.to_tensor(up)).sum(), x)
    fd = numerical_grad(lambda t: (make()(t) * paddle.to_tensor(up)).sum(), x)
    assert rel_error(ours, auto) < 1e-10
    assert rel_error(ours, fd) < 1e-6


def test_linear_backward_all_gradients():
    rs = np.random.RandomState(2)
    lin = op.Linear(3, 5, name='fc', dtype='float64')
    X = rs.randn(7, 3)
    up = paddle.to_tensor(rs.randn(7, 5))
    lin(paddle.to_tensor(X))
    dX = lin.backward(up).numpy()
    W, b = lin.params['W'], lin.params['b']

    def loss(x, w, bb):
        return (paddle.matmul(x, w) + bb).multiply(up).sum()

    xt = paddle.to_tensor(X, stop_gradient=False)
    wt = paddle.to_tensor(W.numpy(), stop_gradient=False)
    bt = paddle.to_tensor(b.numpy(), stop_gradient=False)
    gX, gW, gb = paddle.grad(loss(xt, wt, bt), [xt, wt, bt])
    assert rel_error(dX, gX) < 1e-10
    assert rel_error(lin.grads['W'], gW) < 1e-10
    assert rel_error(lin.grads['b'], gb) < 1e-10
    assert lin.grads['b'].shape == lin.params['b'].shape == [1, 5]
    assert rel_error(lin.grads['W'], numerical_grad(lambda w: loss(paddle.to_tensor(X), w, b), W)) < 1e-6
    assert rel_error(dX, numerical_grad(lambda x: loss(x, W, b), X)) < 1e-6


def test_mlp_3l_manual_backward_equals_autograd():
    paddle.seed(3)
    model = MLP_3L([2, 6, 4, 1], dtype='float64')
    for layer in (model.fc1, model.fc2, model.fc3):      # non-zero biases: no exactly-dead rows
        layer.params['b'] = paddle.to_tensor(np.random.RandomState(4).randn(*layer.params['b'].shape))
    X = paddle.to_tensor(np.random.RandomState(5).randn(16, 2))
    up = paddle.to_tensor(np.random.RandomState(6).randn(16, 1))
    model(X)
    model.backward(up)

    leaves = {}
    for layer in (model.fc1, model.fc2, model.fc3):
        for k, v in layer.params.items():
            leaves[f"{layer.name}.{k}"] = paddle.to_tensor(v.numpy(), stop_gradient=False)
    h = X
    for i, name in enumerate(("fc1", "fc2", "fc3")):
        h = paddle.matmul(h, leaves[f"{name}.W"]) + leaves[f"{name}.b"]
        if i < 2:
            h = paddle.nn.functional.relu(h)
    grads = paddle.grad((h * up).sum(), list(leaves.values()))
    for (name, _), g in zip(leaves.items(), grads):
        layer = getattr(model, name.split(".")[0])
        assert rel_error(layer.grads[name.split(".")[1]], g) < 1e-10, name


def test_linear_rejects_wrong_input_shape_naming_both():
    lin = op.Linear(3, 2, name='fc1')
    with pytest.raises(ValueError, match=r"\[4, 5\].*\[3, 2\]"):
        lin(paddle.randn([4, 5]))


def test_backward_rejects_wrong_gradient_shape():
    lin = op.Linear(3, 2, name='fc1')
    lin(paddle.randn([4, 3]))
    with pytest.raises(ValueError, match=r"\[4, 3\].*\[4, 2\]"):
        lin.backward(paddle.ones([4, 3]))


def test_op_interface():
    class Square(Op):
        def forward(self, x):
            self.x = x
            return x * x

        def backward(self, g):
            return 2 * self.x * g

    sq = Square()
    y = sq(paddle.to_tensor([3.0]))
    assert y.item() == 9.0 and sq.backward(paddle.to_tensor([1.0])).item() == 6.0
    with pytest.raises(NotImplementedError):
        Op()(1)
    with pytest.raises(NotImplementedError):
        Op().backward(1)


def test_mlp_3l_layers_and_book_init():
    paddle.seed(0)
    model = MLP_3L([2, 20, 3, 1])
    assert [type(l).__name__ for l in model.layers] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert float(model.fc2.params['b'].abs().sum()) == 0.0
    W = paddle.concat([model.fc1.params['W'].reshape([-1]), model.fc2.params['W'].reshape([-1])]).numpy()
    assert 0.6 < W.std() < 1.4       # N(0, 1) as in the book
    with pytest.raises(ValueError, match="4 sizes"):
        MLP_3L([2, 3, 1])


@pytest.mark.parametrize("sizes", [(0, 5), (3, 0), (-1, 2), ("2", 3), (2, "3"), (2.0, 3), (True, 3)])
def test_linear_rejects_bad_sizes(sizes):
    with pytest.raises(ValueError, match=r"Linear 'fc': (input|output)_size must be a positive integer, got"):
        op.Linear(*sizes, name="fc")


def test_linear_accepts_numpy_integer_sizes():
    lin = op.Linear(np.int64(3), np.int32(2), name="fc")
    assert lin.params['W'].shape == [3, 2]


def test_linear_float64_input_names_the_dtypes():
    lin = op.Linear(2, 3, name="fc")
    with pytest.raises(TypeError, match=r"Linear 'fc': input dtype float64 does not match parameter dtype float32"):
        lin(paddle.ones([4, 2], dtype="float64"))
    lin64 = op.Linear(2, 3, name="fc64", dtype="float64")
    out = lin64(paddle.ones([4, 2], dtype="float64"))
    assert out.dtype == paddle.float64 and out.shape == [4, 3]
