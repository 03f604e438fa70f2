"""Learning-rate schedules (exercise 7.3) against paddle.optimizer.lr, step by step."""
import math

import numpy as np
import paddle
import pytest

from nndl import lr as L
from nndl.optimizer import Momentum, SimpleBatchGD

PL = paddle.optimizer.lr

PAIRS = {
    "piecewise": (lambda: L.PiecewiseConstantDecay([10, 30], [0.5, 0.1, 0.01]),
                  lambda: PL.PiecewiseDecay([10, 30], [0.5, 0.1, 0.01])),
    "inverse_time": (lambda: L.InverseTimeDecay(0.5, 0.1), lambda: PL.InverseTimeDecay(0.5, gamma=0.1)),
    "exponential": (lambda: L.ExponentialDecay(0.5, 0.95), lambda: PL.ExponentialDecay(0.5, gamma=0.95)),
    "natural_exp": (lambda: L.NaturalExpDecay(0.5, 0.05), lambda: PL.NaturalExpDecay(0.5, gamma=0.05)),
    "cosine": (lambda: L.CosineDecay(0.5, 20, eta_min=0.01),
               lambda: PL.CosineAnnealingDecay(0.5, T_max=20, eta_min=0.01)),
    "warmup": (lambda: L.LinearWarmup(0.5, 10, 0.0), lambda: PL.LinearWarmup(0.5, 10, 0.0, 0.5)),
    "warmup_then_exp": (lambda: L.LinearWarmup(L.ExponentialDecay(0.5, 0.9), 10, 0.05),
                        lambda: PL.LinearWarmup(PL.ExponentialDecay(0.5, gamma=0.9), 10, 0.05, 0.5)),
    "cyclic": (lambda: L.CyclicLR(0.01, 0.5, 7), lambda: PL.CyclicLR(0.01, 0.5, step_size_up=7)),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_schedule_matches_paddle(name):
    ours, ref = PAIRS[name][0](), PAIRS[name][1]()
    got, want = [], []
    for _ in range(80):
        got.append(ours())
        want.append(ref())
        ours.step()
        ref.step()
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    assert len(set(np.round(got, 12))) > 2     # it does change


def test_formulas_from_the_book():
    s = L.InverseTimeDecay(1.0, 0.5)
    e = L.ExponentialDecay(1.0, 0.5)
    c = L.CosineDecay(1.0, 10)
    for t in range(10):
        assert s() == pytest.approx(1 / (1 + 0.5 * t))
        assert e() == pytest.approx(0.5 ** t)
        assert c() == pytest.approx(0.5 * (1 + math.cos(t * math.pi / 10)))
        for x in (s, e, c):
            x.step()


def test_schedule_drives_an_nndl_optimizer_like_paddle_sgd():
    lin = paddle.nn.Linear(3, 2)
    ref = paddle.nn.Linear(3, 2)
    ref.set_state_dict(lin.state_dict())
    s1, s2 = L.CosineDecay(0.1, 15), PL.CosineAnnealingDecay(0.1, T_max=15)
    opt = SimpleBatchGD(s1, lin)
    ref_opt = paddle.optimizer.SGD(s2, parameters=ref.parameters())
    X = paddle.randn([8, 3])
    for _ in range(30):
        for m, o, s in ((lin, opt, s1), (ref, ref_opt, s2)):
            (m(X) ** 2).mean().backward()
            o.step()
            o.clear_grad()
            s.step()
    np.testing.assert_allclose(lin.weight.numpy(), ref.weight.numpy(), rtol=1e-5, atol=1e-7)
    assert Momentum(L.ExponentialDecay(0.1, 0.9), lin).get_lr() == pytest.approx(0.1)


@pytest.mark.parametrize("make", [
    lambda: L.ExponentialDecay(0.1, 1.5), lambda: L.ExponentialDecay(-0.1, 0.9),
    lambda: L.InverseTimeDecay(0.0, 0.1), lambda: L.InverseTimeDecay(0.1, -1),
    lambda: L.CosineDecay(0.1, 0), lambda: L.PiecewiseConstantDecay([5], [0.1]),
    lambda: L.PiecewiseConstantDecay([5, 3], [0.1, 0.2, 0.3]), lambda: L.CyclicLR(0.5, 0.1, 5),
    lambda: L.LinearWarmup(0.1, 0),
])
def test_bad_schedules_raise(make):
    with pytest.raises(ValueError):
        make()
