"""BatchNorm and LayerNorm (7.5.1.1, 7.5.2.1) against paddle.nn, the book's claims, bad input."""
import numpy as np
import paddle
import paddle.nn as nn
import pytest

from nndl import BatchNorm, LayerNorm, numerical_grad, rel_error

EPS = 1e-5   # paddle's default epsilon; both sides use it


def _close(a, b, atol=2e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=2e-5, atol=atol)


@pytest.mark.parametrize("shape,ref_cls", [((32, 6), nn.BatchNorm1D), ((4, 3, 5, 5), nn.BatchNorm2D)])
def test_batchnorm_matches_paddle(shape, ref_cls):
    """Training outputs, moving statistics after several batches and eval outputs match paddle."""
    C = shape[1]
    gamma = np.linspace(0.5, 2.0, C).astype("float32")
    beta = np.linspace(-1.0, 1.0, C).astype("float32")
    bn = BatchNorm(C, eps=EPS, momentum=0.9, gamma=gamma, beta=beta)
    ref = ref_cls(C, momentum=0.9, epsilon=EPS)
    ref.weight.set_value(paddle.to_tensor(gamma))
    ref.bias.set_value(paddle.to_tensor(beta))
    ref.train()
    for k in range(5):   # a new batch each time, shifted and scaled per feature
        X = paddle.randn(shape) * (1.0 + k) + float(k)
        _close(bn(X, train_mode=True).numpy(), ref(X).numpy())
    _close(bn.moving_mean.numpy().reshape(-1), ref._mean.numpy())
    _close(bn.moving_variance.numpy().reshape(-1), ref._variance.numpy(), atol=1e-4)
    assert list(bn.moving_mean.shape) == [1, C] and list(bn.moving_variance.shape) == [1, C]
    ref.eval()
    X = paddle.randn(shape) * 2.0
    _close(bn(X, train_mode=False).numpy(), ref(X).numpy())
    bn.eval()   # train_mode=None follows the layer's mode
    _close(bn(X).numpy(), ref(X).numpy())


def test_batchnorm_gradients_match_paddle():
    """Gradients through the batch statistics agree with paddle's BatchNorm1D."""
    X0 = paddle.randn([16, 4]) * 2 + 1
    g = paddle.randn([16, 4])
    bn = BatchNorm(4, eps=EPS, gamma=[1.0, 2.0, 0.5, 3.0], beta=0.5)
    ref = nn.BatchNorm1D(4, epsilon=EPS)
    ref.weight.set_value(paddle.to_tensor([1.0, 2.0, 0.5, 3.0]))
    ref.bias.set_value(paddle.full([4], 0.5))
    grads = []
    for layer in (bn, ref):
        X = X0.clone()
        X.stop_gradient = False
        (layer(X) * g).sum().backward()
        w = layer.gamma if layer is bn else layer.weight
        b = layer.beta if layer is bn else layer.bias
        grads.append((X.grad.numpy(), w.grad.numpy(), b.grad.numpy()))
    for mine, theirs in zip(*grads):
        _close(mine, theirs, atol=1e-4)


@pytest.mark.parametrize("which", ["batchnorm", "layernorm"])
def test_gradient_float64_paddle_grad_and_finite_difference(which):
    """The layer itself in float64: its gradient by paddle.grad, by paddle's own layer and by a
    central difference of the layer's forward (not of a copy of its formula) all agree."""
    X0 = np.random.RandomState(0).randn(6, 3) * 2 + 1
    g = paddle.to_tensor(np.random.RandomState(1).randn(6, 3))
    if which == "batchnorm":
        layer = BatchNorm(3, eps=EPS, gamma=[1.0, 2.0, 0.5], beta=0.3)
        ref = nn.BatchNorm1D(3, epsilon=EPS)
        ref.weight.set_value(paddle.to_tensor([1.0, 2.0, 0.5]))
        ref.bias.set_value(paddle.full([3], 0.3))
    else:
        # gamma = 1 here: paddle 3.3.1's nn.LayerNorm returns a wrong input gradient when its weight
        # is not all ones (test_paddle_layernorm_input_gradient_with_weight below)
        layer = LayerNorm(3, eps=EPS, gamma=1.0, beta=0.3)
        ref = nn.LayerNorm([3], epsilon=EPS)
        ref.bias.set_value(paddle.full([3], 0.3))
    layer.to(dtype="float64")
    ref.to(dtype="float64")

    def f(X):
        return (layer(X) * g).sum()

    X = paddle.to_tensor(X0, stop_gradient=False)
    (ours,) = paddle.grad(f(X), X)
    X = paddle.to_tensor(X0, stop_gradient=False)
    (theirs,) = paddle.grad((ref(X) * g).sum(), X)
    fd = numerical_grad(f, X0)
    assert np.all(np.isfinite(ours.numpy())) and np.abs(ours.numpy()).max() > 1e-3
    assert rel_error(ours.numpy(), theirs.numpy()) < 1e-10
    assert rel_error(ours.numpy(), fd) < 1e-6


def test_layernorm_per_feature_gamma_gradient_float64():
    """Per-feature gamma (the printed book's LayerNorm(num_features)): paddle.grad through the layer
    equals a float64 central difference of the layer, and the chain rule written out by hand."""
    X0 = np.random.RandomState(0).randn(6, 8) * 2 + 1
    gvals = np.random.RandomState(1).randn(6, 8)
    gamma = np.linspace(0.5, 2.0, 8).astype("float32").astype("float64")   # the layer stores float32 values
    layer = LayerNorm(8, eps=EPS, gamma=gamma, beta=0.3)
    layer.to(dtype="float64")
    g = paddle.to_tensor(gvals)

    def f(X):
        return (layer(X) * g).sum()

    X = paddle.to_tensor(X0, stop_gradient=False)
    (ours,) = paddle.grad(f(X), X)
    # d/dX of sum(G * (gamma * X_hat + beta)) per row: (dX_hat - mean(dX_hat) - X_hat mean(dX_hat X_hat)) / std
    mu = X0.mean(axis=1, keepdims=True)
    std = np.sqrt(X0.var(axis=1, keepdims=True) + EPS)
    xh = (X0 - mu) / std
    dxh = gvals * gamma
    by_hand = (dxh - dxh.mean(axis=1, keepdims=True) - xh * (dxh * xh).mean(axis=1, keepdims=True)) / std
    assert rel_error(ours.numpy(), numerical_grad(f, X0)) < 1e-6
    assert rel_error(ours.numpy(), by_hand) < 1e-10


def test_paddle_layernorm_input_gradient_with_weight():
    """A measured paddle fact (errata): paddle's nn.LayerNorm gradient w.r.t. its input is wrong
    when the weight is not all ones, so nndl's tests use a central difference there.  If paddle
    fixes it, this test fails and the workaround can go."""
    X0 = np.random.RandomState(0).randn(6, 8) * 2 + 1
    g = paddle.to_tensor(np.random.RandomState(1).randn(6, 8))
    ref = nn.LayerNorm([8], epsilon=EPS)
    ref.to(dtype="float64")
    ref.weight.set_value(paddle.to_tensor(np.linspace(0.5, 2.0, 8)))
    X = paddle.to_tensor(X0, stop_gradient=False)
    (theirs,) = paddle.grad((ref(X) * g).sum(), X)
    assert rel_error(theirs.numpy(), numerical_grad(lambda X: (ref(X) * g).sum(), X0)) > 1e-2


@pytest.mark.parametrize("which", ["batchnorm", "layernorm"])
def test_epsilon_sits_inside_the_square_root(which):
    """Eq. (7.20)/(7.21): (X - mu) / sqrt(var + eps).  With eps = 1 and a variance ~1e-2 the
    placement is plain: equal to paddle's layer (which adds eps inside), far from eps outside."""
    # paddle's LayerNorm accepts eps <= 1e-3 only: there the variance is ~1e-4
    eps, scale = (1.0, 0.1) if which == "batchnorm" else (1e-3, 0.01)
    X = paddle.randn([16, 5]) * scale
    x = X.numpy().astype(np.float64)
    if which == "batchnorm":
        ours = BatchNorm(5, eps=eps)(X, train_mode=True).numpy()
        ref = nn.BatchNorm1D(5, epsilon=eps)
        mu, var = x.mean(axis=0), x.var(axis=0)
    else:
        ours = LayerNorm(eps=eps)(X).numpy()
        ref = nn.LayerNorm([5], epsilon=eps)
        mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    _close(ours, ref(X).numpy(), atol=1e-6)
    outside = (x - mu) / (np.sqrt(var) + eps)
    inside = (x - mu) / np.sqrt(var + eps)
    _close(ours, inside, atol=1e-6)
    assert np.abs(ours - outside).max() > 1e-2


def test_batchnorm_eval_epsilon_inside_the_square_root():
    """Eval mode uses the moving statistics with the same placement of eps."""
    bn = BatchNorm(4, eps=1.0)
    ref = nn.BatchNorm1D(4, epsilon=1.0)
    X = paddle.randn([32, 4]) * 0.1
    bn(X)
    ref.train()
    ref(X)
    bn.eval()
    ref.eval()
    Y = paddle.randn([8, 4]) * 0.1
    _close(bn(Y).numpy(), ref(Y).numpy(), atol=1e-6)
    mm, mv = bn.moving_mean.numpy(), bn.moving_variance.numpy()
    outside = (Y.numpy() - mm) / (np.sqrt(mv) + 1.0)
    assert np.abs(bn(Y).numpy() - outside).max() > 1e-3


@pytest.mark.parametrize("shape", [(12, 7), (3, 4, 6), (2, 3, 4, 4)])
def test_layernorm_matches_paddle(shape):
    X = paddle.randn(shape) * 3 + 2
    ref = nn.LayerNorm(list(shape[1:]), epsilon=EPS)
    _close(LayerNorm(eps=EPS)(X).numpy(), ref(X).numpy())
    # with per-feature gamma/beta on a 2-D input: paddle's weight/bias on the last axis
    if len(shape) == 2:
        gamma = np.linspace(0.5, 2.0, shape[1]).astype("float32")
        beta = np.linspace(-1.0, 1.0, shape[1]).astype("float32")
        ref.weight.set_value(paddle.to_tensor(gamma))
        ref.bias.set_value(paddle.to_tensor(beta))
        _close(LayerNorm(shape[1], eps=EPS, gamma=gamma, beta=beta)(X).numpy(), ref(X).numpy())


def test_layernorm_both_call_forms():
    X = paddle.randn([5, 8])
    a = LayerNorm(eps=1e-7, gamma=2.0, beta=1.0)(X)        # the notebook's form
    b = LayerNorm(8, eps=1e-7, gamma=2.0, beta=1.0)(X)     # the printed book's form
    _close(a.numpy(), b.numpy())
    with pytest.raises(TypeError, match="num_features"):
        LayerNorm(1e-5)                                    # eps passed positionally by mistake
    with pytest.raises(ValueError, match="num_features=8"):
        LayerNorm(8)(paddle.randn([5, 9]))


@pytest.mark.parametrize("shape", [(200, 10), (8, 4, 5, 5)])
def test_batchnorm_gamma_beta_claim(shape):
    """7.5.1.3: the normalized outputs have mean beta and std gamma (per feature)."""
    C = shape[1]
    gamma = np.arange(1, C + 1, dtype="float32")
    beta = np.arange(C, dtype="float32") - 2
    X = paddle.randn(shape) * 7 - 3
    y = BatchNorm(C, gamma=gamma, beta=beta)(X).numpy()
    axes = (0,) if len(shape) == 2 else (0, 2, 3)
    _close(y.mean(axis=axes), beta, atol=1e-4)
    _close(y.std(axis=axes), gamma, atol=1e-4)


def test_layernorm_gamma_beta_claim():
    """7.5.2.2: each sample's outputs have mean beta and std gamma."""
    X = paddle.randn([10, 300]) * 5 + 1
    y = LayerNorm(gamma=5.0, beta=2.0)(X).numpy()
    _close(y.mean(axis=1), np.full(10, 2.0), atol=1e-4)
    _close(y.std(axis=1), np.full(10, 5.0), atol=1e-4)


def test_constant_feature_gives_no_nan():
    """The printed code's sqrt(var, eps) drops eps: a constant column would give 0/0."""
    X = paddle.randn([16, 3])
    X[:, 1] = 4.0
    y = BatchNorm(3)(X).numpy()
    assert np.isfinite(y).all()
    np.testing.assert_allclose(y[:, 1], 0.0, atol=1e-6)
    y = LayerNorm()(paddle.full([4, 6], 2.5)).numpy()
    assert np.isfinite(y).all()
    Xc = paddle.randn([4, 2, 3, 3])
    Xc[:, 0] = -1.0
    assert np.isfinite(BatchNorm(2)(Xc).numpy()).all()


def test_moving_average_rule_and_no_graph():
    """moving = momentum * moving + (1 - momentum) * batch, starting from 0 and 1; stats carry no gradient."""
    bn = BatchNorm(3, momentum=0.8)
    X = paddle.randn([50, 3]) * 2 + 5
    X.stop_gradient = False
    bn(X)
    x = X.numpy()
    _close(bn.moving_mean.numpy(), 0.2 * x.mean(axis=0, keepdims=True), atol=1e-5)
    _close(bn.moving_variance.numpy(), 0.8 + 0.2 * x.var(axis=0, keepdims=True), atol=1e-4)
    assert bn.moving_mean.stop_gradient and bn.moving_variance.stop_gradient
    assert "moving_mean" in bn.state_dict() and "moving_variance" in bn.state_dict()
    # eval mode does not change the statistics
    before = bn.moving_mean.numpy().copy()
    bn(paddle.randn([5, 3]), train_mode=False)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), before)


def test_batchnorm_bad_input():
    bn = BatchNorm(4)
    with pytest.raises(ValueError, match=r"\[2, 4, 3\]"):
        bn(paddle.randn([2, 4, 3]))
    with pytest.raises(ValueError, match=r"\[8\]"):
        bn(paddle.randn([8]))
    with pytest.raises(ValueError, match="num_features=4"):
        bn(paddle.randn([8, 5]))
    with pytest.raises(ValueError, match="num_features=4"):
        bn(paddle.randn([2, 3, 5, 5]))
    with pytest.raises(ValueError, match="gamma"):
        BatchNorm(4, gamma=[1.0, 2.0])
    with pytest.raises(TypeError, match="num_features"):
        BatchNorm(2.5)
    with pytest.raises(ValueError, match="shape"):
        LayerNorm()(paddle.randn([3]))
