"""Initializers of 7.4 and exercise 7.7: formulas, empirical statistics, and parity with paddle.nn.initializer."""
import math

import numpy as np
import paddle
import paddle.nn as nn
import pytest

from nndl import compat
from nndl import (MLP, he_normal_std, he_uniform_r, orthogonal, xavier_logistic_normal_std,
                  xavier_logistic_uniform_r, xavier_normal_std, xavier_uniform_r)

I = nn.initializer
SIZES = [(100, 200), (300, 500), (700, 400)]


def _weight(init, shape, seed=7):
    paddle.seed(seed)
    return nn.Linear(*shape, weight_attr=init).weight.numpy()


@pytest.mark.parametrize("m_in,m_out", SIZES)
def test_formulas(m_in, m_out):
    assert xavier_normal_std(m_in, m_out) == pytest.approx(math.sqrt(2 / (m_in + m_out)))
    assert xavier_uniform_r(m_in, m_out) == pytest.approx(math.sqrt(6 / (m_in + m_out)))
    assert xavier_logistic_normal_std(m_in, m_out) == pytest.approx(4 * math.sqrt(2 / (m_in + m_out)))
    assert xavier_logistic_uniform_r(m_in, m_out) == pytest.approx(4 * math.sqrt(6 / (m_in + m_out)))
    assert he_normal_std(m_in, m_out) == pytest.approx(math.sqrt(2 / m_in))
    assert he_uniform_r(m_in) == pytest.approx(math.sqrt(6 / m_in))
    # a uniform U[-r, r] has variance r^2/3: the uniform r matches the Gaussian variance
    assert xavier_uniform_r(m_in, m_out) ** 2 / 3 == pytest.approx(xavier_normal_std(m_in, m_out) ** 2)
    assert he_uniform_r(m_in) ** 2 / 3 == pytest.approx(he_normal_std(m_in) ** 2)


@pytest.mark.parametrize("ours,kind,theirs,gain", [
    (xavier_normal_std, "normal", lambda: I.XavierNormal(), 1.0),
    (xavier_uniform_r, "uniform", lambda: I.XavierUniform(), 1.0),
    (xavier_logistic_normal_std, "normal", lambda: compat.xavier_normal(gain=4.0), 4.0),
    (xavier_logistic_uniform_r, "uniform", lambda: compat.xavier_uniform(gain=4.0), 4.0),
    (he_normal_std, "normal", lambda: I.KaimingNormal(), 1.0),
    (he_uniform_r, "uniform", lambda: I.KaimingUniform(), 1.0),
])
@pytest.mark.parametrize("m_in,m_out", SIZES[:2])
def test_same_draws_as_paddle_initializer(ours, kind, theirs, gain, m_in, m_out):
    """Under one seed, Normal(0, std)/Uniform(-r, r) with our value draw paddle's initializer's weights.

    The logistic versions are paddle's ``gain=4.0`` (paddle 3); paddle 2.6 has no ``gain``
    (``nndl.compat.XAVIER_HAS_GAIN``), so there they are 4 times ``XavierNormal()``'s draws."""
    v = ours(m_in, m_out)
    mine = I.Normal(0.0, v) if kind == "normal" else I.Uniform(-v, v)
    a = _weight(mine, (m_in, m_out))
    if theirs() is None:                   # no gain on this paddle
        assert not compat.XAVIER_HAS_GAIN
        with pytest.raises(TypeError):
            I.XavierNormal(gain=gain)
        plain = I.XavierNormal() if kind == "normal" else I.XavierUniform()
        b = gain * _weight(plain, (m_in, m_out))
    else:
        b = _weight(theirs(), (m_in, m_out))
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    if gain != 1.0:                        # on every paddle: the gain is 4x the plain draws
        plain = I.XavierNormal() if kind == "normal" else I.XavierUniform()
        np.testing.assert_allclose(a, gain * _weight(plain, (m_in, m_out)), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("m_in,m_out", SIZES)
def test_empirical_statistics(m_in, m_out):
    n = m_in * m_out
    w = _weight(I.Normal(0.0, xavier_normal_std(m_in, m_out)), (m_in, m_out))
    # std of a sample std is about std/sqrt(2n): allow 5 of those
    assert w.std() == pytest.approx(xavier_normal_std(m_in, m_out), rel=5 / math.sqrt(2 * n))
    assert abs(w.mean()) < 5 * xavier_normal_std(m_in, m_out) / math.sqrt(n)
    r = he_uniform_r(m_in)
    w = _weight(I.Uniform(-r, r), (m_in, m_out))
    assert w.max() <= r and w.min() >= -r
    assert w.max() > 0.99 * r and w.min() < -0.99 * r
    assert w.std() == pytest.approx(r / math.sqrt(3), rel=0.02)


def test_mlp_init_names_build_paddle_weights():
    """MLP('normal', xavier_normal_std) draws XavierNormal's weights; 'basic' is N(0, 1)."""
    sizes = [20, 30, 40, 10]
    paddle.seed(3)
    mlp = MLP(sizes, "normal", xavier_normal_std, paddle.nn.Tanh)
    paddle.seed(3)
    ref = [nn.Linear(sizes[i], sizes[i + 1], weight_attr=I.XavierNormal()) for i in range(3)]
    for i in range(3):
        np.testing.assert_array_equal(mlp.linear[i].weight.numpy(), ref[i].weight.numpy())
        np.testing.assert_array_equal(mlp.linear[i].bias.numpy(), 0)
    paddle.seed(3)
    mlp = MLP(sizes, "uniform", he_uniform_r, paddle.nn.ReLU)
    paddle.seed(3)
    ref = [nn.Linear(sizes[i], sizes[i + 1], weight_attr=I.KaimingUniform()) for i in range(3)]
    for i in range(3):
        np.testing.assert_array_equal(mlp.linear[i].weight.numpy(), ref[i].weight.numpy())
    w = MLP([300, 400, 1], "basic", None, paddle.nn.Tanh).linear[0].weight.numpy()
    assert w.std() == pytest.approx(1.0, rel=0.02)


@pytest.mark.parametrize("shape", [[30, 50], [50, 30], [8, 3, 5, 5], [16, 16]])
def test_orthogonal(shape):
    gain = 1.5
    paddle.seed(11)
    w = orthogonal(shape, gain=gain).numpy()
    assert list(w.shape) == shape
    w2 = w.reshape(shape[0], -1).astype(np.float64)
    gram = w2 @ w2.T if w2.shape[0] <= w2.shape[1] else w2.T @ w2
    np.testing.assert_allclose(gram, gain ** 2 * np.eye(gram.shape[0]), atol=1e-5)
    paddle.seed(11)
    param = paddle.create_parameter(shape, "float32", default_initializer=I.Orthogonal(gain=gain))
    np.testing.assert_allclose(w, param.numpy(), rtol=1e-6, atol=1e-6)


def test_orthogonal_in_mlp():
    mlp = MLP([40, 40, 40], "orthogonal", None, paddle.nn.Tanh)
    w = mlp.linear[0].weight.numpy().astype(np.float64)
    np.testing.assert_allclose(w @ w.T, np.eye(40), atol=1e-5)


def test_bad_sizes():
    with pytest.raises(ValueError, match="input_size"):
        xavier_normal_std(0, 10)
    with pytest.raises(TypeError, match="output_size"):
        xavier_uniform_r(10, 2.5)
    with pytest.raises(ValueError, match="at least 2"):
        orthogonal([5])
