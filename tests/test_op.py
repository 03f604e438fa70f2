"""Every foundation Op's backward against paddle.grad and a float64 central difference."""
import re

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


# ---- mutation survivors (docs/mutation.md): messages, initial state, modes ---------------------

from nndl.op import BinaryCrossEntropyWithLogits, Dropout, Logistic, MLP_3L_dropout, ReLU  # noqa: E402


@pytest.mark.parametrize("make,call,name", [
    (lambda: op.Linear(2, 3, name="fc"), lambda o: o.backward(paddle.ones([1, 3])), "Linear 'fc'"),
    (Logistic, lambda o: o.backward(paddle.ones([1, 3])), "Logistic"),
    (ReLU, lambda o: o.backward(paddle.ones([1, 3])), "ReLU"),
    (lambda: Dropout(0.5), lambda o: o.backward(paddle.ones([1, 3])), "Dropout"),
    (lambda: BinaryCrossEntropyWithLogits(MLP_3L([2, 3, 3, 1])), lambda o: o.backward(),
     "BinaryCrossEntropyWithLogits"),
])
def test_backward_before_forward_is_named(make, call, name):
    with pytest.raises(RuntimeError, match=rf"^{re.escape(name)}: backward\(\) called before forward\(\)$"):
        call(make())


@pytest.mark.parametrize("make,x,name", [
    (Logistic, paddle.ones([2, 3]), "Logistic"),
    (ReLU, paddle.ones([2, 3]), "ReLU"),
    (lambda: Dropout(0.5), paddle.ones([2, 3]), "Dropout"),
])
def test_backward_shape_errors_name_the_operator(make, x, name):
    o = make()
    o(x)
    with pytest.raises(ValueError, match=rf"^{name}.backward: outputs_grads has shape \[2, 4\], but the forward "
                                         r"output had shape \[2, 3\]$"):
        o.backward(paddle.ones([2, 4]))


def test_linear_attributes_and_shape_message():
    lin = op.Linear(2, 3, name="fc")
    assert (lin.input_size, lin.output_size, lin.inputs) == (2, 3, None)
    with pytest.raises(ValueError, match=r"^Linear 'fc': input of shape \[4, 3\] does not match weight of shape "
                                         r"\[2, 3\] \(expected \[N, 2\]\)$"):
        lin(paddle.ones([4, 3]))
    with pytest.raises(TypeError, match=r"cast the input \(inputs.astype\(...\)\) or build the layer with "
                                        r"dtype=...$"):
        lin(paddle.ones([4, 2], dtype="float64"))
    lin(paddle.ones([4, 2]))
    with pytest.raises(ValueError, match=r"^Linear 'fc'.backward: outputs_grads has shape \[4, 2\]"):
        lin.backward(paddle.ones([4, 2]))


def test_initial_state_of_the_operators():
    for o in (Logistic(), ReLU()):
        assert o.inputs is None and o.params is None
    assert Logistic().outputs is None
    d = Dropout(0.25)
    assert (d.mask, d.mode, d.params, d.drop_rate) == (None, 'train', None, 0.25)
    bce = BinaryCrossEntropyWithLogits(MLP_3L([2, 3, 3, 1]), lambd=0.5)
    assert (bce.predicts, bce.labels, bce.data_size, bce.params, bce.lambd) == (None, None, None, None, 0.5)
    m = MLP_3L_dropout([2, 3, 3, 1], drop_rate=0.4)
    assert (m.drop_rate, m.mode) == (0.4, 'train')


def test_dropout_mode_checks_and_messages():
    d = Dropout(0.5)
    with pytest.raises(ValueError, match=r"^Dropout: mode must be 'train' or 'dev' \(or 'test'/'eval'\), got 'TRAIN'$"):
        d(paddle.ones([2, 2]), mode='TRAIN')
    with pytest.raises(TypeError, match=r"^drop_rate must be a number in \[0, 1\), got True$"):
        Dropout(True)
    with pytest.raises(TypeError, match=r"^drop_rate must be a number in \[0, 1\), got '0.5'$"):
        Dropout('0.5')
    m = MLP_3L_dropout([2, 3, 3, 1], drop_rate=0.5)
    with pytest.raises(ValueError, match=r"^MLP_3L_dropout: mode must be"):
        m(paddle.ones([2, 2]), 'TRAIN')
    X = paddle.randn([8, 2])
    a, b = m(X, 'dev'), m(X, 'dev')                     # __call__ passes the mode on: no dropout
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert m.mode == 'dev' and m.dropout1.mode == 'dev' and m.dropout1.mask is None


def test_dropout_float64_mask_and_backward_in_dev_mode():
    paddle.seed(3)
    d = Dropout(0.5)
    x = paddle.ones([200, 50], dtype="float64")
    y = d(x)
    assert y.dtype == paddle.float64 and d.mask.dtype == paddle.float64
    assert 0.45 < float(d.mask.mean()) < 0.55
    np.testing.assert_array_equal(np.unique(y.numpy()), [0.0, 2.0])
    g = paddle.full([200, 50], 3.0, dtype="float64")
    np.testing.assert_array_equal(d.backward(g).numpy(), (3.0 * d.mask / 0.5).numpy())
    d(x, mode='dev')
    assert d.backward(g) is g                          # identity in dev mode


def test_bce_checks():
    model = MLP_3L([2, 3, 3, 1])
    for bad in (True, "0.1", float("nan")):
        with pytest.raises(TypeError, match=rf"^BinaryCrossEntropyWithLogits: lambd must be a number >= 0, got "):
            BinaryCrossEntropyWithLogits(model, lambd=bad)
    with pytest.raises(ValueError, match=r"^BinaryCrossEntropyWithLogits: lambd must be >= 0, got -1$"):
        BinaryCrossEntropyWithLogits(model, lambd=-1)
    with pytest.raises(TypeError, match=r"^BinaryCrossEntropyWithLogits: model object has no backward\(\)$"):
        BinaryCrossEntropyWithLogits(object())
    bce = BinaryCrossEntropyWithLogits(model)
    logits = model(paddle.randn([3, 2]))
    # labels may be numpy; a single sample [1, 1] is fine; an empty batch is not
    a = float(bce(logits, np.array([[1.0], [0.0], [1.0]], dtype="float32")))
    b = float(bce(logits, paddle.to_tensor([[1.0], [0.0], [1.0]])))
    assert a == b
    assert np.isfinite(float(bce(logits[:1], paddle.to_tensor([[1.0]]))))
    with pytest.raises(ValueError, match=r"^BinaryCrossEntropyWithLogits: need logits of shape \[N, 1\], got \[0, 1\]$"):
        bce(paddle.zeros([0, 1]), paddle.zeros([0, 1]))


def test_bce_l2_ignores_a_model_without_layers():
    class NoLayers:
        def backward(self, grads):
            return grads
    bce = BinaryCrossEntropyWithLogits(NoLayers(), lambd=0.7)
    assert bce._linear_layers() == []
    loss = bce(paddle.to_tensor([[0.3], [-0.2]]), paddle.to_tensor([[1.0], [0.0]]))
    assert np.isfinite(float(loss))


def test_operator_records_and_dropout_random_stream():
    lg, x = Logistic(), paddle.randn([2, 3])
    lg(x)
    assert lg.inputs is x and ReLU().outputs is None
    bce = BinaryCrossEntropyWithLogits(MLP_3L([2, 3, 3, 1]))
    assert np.isfinite(float(bce(paddle.to_tensor([0.3, -0.2]), paddle.to_tensor([1.0, 0.0]))))   # [N] works
    d = Dropout(0.5)
    x64 = paddle.ones([30, 20], dtype="float64")
    paddle.seed(5)
    d(x64)
    assert d.inputs_shape == [30, 20]
    paddle.seed(5)
    expected = (paddle.rand([30, 20], dtype="float64") > 0.5).astype("float64")   # the mask is drawn in the input's dtype
    np.testing.assert_array_equal(d.mask.numpy(), expected.numpy())
    y = d(paddle.ones([4, 4], dtype="int64"))                                      # integer input: a float32 draw
    assert y.shape == [4, 4]
