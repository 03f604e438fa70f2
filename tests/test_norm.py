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


def test_batchnorm_gradient_float64_finite_difference():
    """paddle's autograd through our formula equals a float64 central difference."""
    X0 = np.random.RandomState(0).randn(6, 3)
    g = np.random.RandomState(1).randn(6, 3)
    eps = 1e-5

    def f(X):
        mean = X.mean(axis=0, keepdim=True)
        var = ((X - mean) ** 2).mean(axis=0, keepdim=True)
        return ((X - mean) / paddle.sqrt(var + eps) * paddle.to_tensor(g)).sum()

    bn = BatchNorm(3, eps=eps)
    X = paddle.to_tensor(X0.astype("float32"), stop_gradient=False)
    (bn(X) * paddle.to_tensor(g.astype("float32"))).sum().backward()
    assert rel_error(X.grad.numpy(), numerical_grad(f, X0)) < 1e-3


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
