"""Exercise 6.2: the LSTM's two ways of computing a sequence (``impl='loop'``: autograd through the
fused step loop; ``impl='bptt'``: one PyLayer operator, numpy recurrence, hand-written
backpropagation through time) against paddle.nn.LSTM in float64 (values and gradients), a float64
central difference, paddle.grad of parameter subsets, the recorded gates and the 'auto' choice.
No timings here: speed lives in bench/bench_lstm.py."""
import numpy as np
import paddle
import pytest

from nndl.gradcheck import numerical_grad, rel_error
from nndl.rnn import LSTM, Model_RNN4SeqClass, lstm_book_loop

GATES = ("i", "f", "a", "o")    # paddle.nn.LSTM's order of the stacked gates


def _params(lstm):
    return [getattr(lstm, f"{p}_{g}") for p in "WUb" for g in GATES]


def _reference64(lstm):
    """paddle.nn.LSTM in float64 with the layer's weights copied (its second bias zero)."""
    old = paddle.get_default_dtype()
    paddle.set_default_dtype("float64")
    try:
        ref = paddle.nn.LSTM(lstm.input_size, lstm.hidden_size)
    finally:
        paddle.set_default_dtype(old)
    cat = lambda p: np.concatenate([getattr(lstm, f"{p}_{g}").numpy() for g in GATES], 1)
    ref.weight_ih_l0.set_value(cat("W").T)
    ref.weight_hh_l0.set_value(cat("U").T)
    ref.bias_ih_l0.set_value(cat("b")[0])
    ref.bias_hh_l0.set_value(np.zeros(4 * lstm.hidden_size))
    return ref


def _layer(M, D, impl, seed=0, dtype="float64"):
    paddle.seed(seed)
    lstm = LSTM(M, D, dtype=dtype, impl=impl)
    rng = np.random.RandomState(seed)
    for p in lstm.parameters():     # larger than the default init so that the gates saturate a little
        p.set_value(rng.uniform(-0.8, 0.8, p.shape).astype(dtype))
    return lstm


@pytest.mark.parametrize("impl", ["loop", "bptt", "printed"])
@pytest.mark.parametrize("B,L,M,D", [(3, 5, 4, 6), (8, 12, 32, 32), (2, 1, 3, 2)])
def test_float64_values_and_gradients_equal_paddle_lstm(impl, B, L, M, D):
    """impl 'printed': the book's per-gate loop (lstm_book_loop) on the layer's parameters."""
    lstm = _layer(M, D, "loop" if impl == "printed" else impl)
    ref = _reference64(lstm)
    rng = np.random.RandomState(1)
    x_np, up = rng.randn(B, L, M), paddle.to_tensor(rng.randn(B, D))
    x = paddle.to_tensor(x_np, stop_gradient=False)
    x_ref = paddle.to_tensor(x_np, stop_gradient=False)
    h = lstm_book_loop(lstm, x) if impl == "printed" else lstm(x)
    _, (h_n, _) = ref(x_ref)
    assert h.dtype == paddle.float64 and list(h.shape) == [B, D]
    np.testing.assert_allclose(h.numpy(), h_n[0].numpy(), rtol=1e-6, atol=1e-10)
    ours = [g.numpy() for g in paddle.grad((h * up).sum(), [x] + _params(lstm))]
    (h_n[0] * up).sum().backward()
    np.testing.assert_allclose(ours[0], x_ref.grad.numpy(), rtol=1e-6, atol=1e-10)
    for k, (ref_p, ours_p) in enumerate([(ref.weight_ih_l0, ours[1:5]), (ref.weight_hh_l0, ours[5:9]),
                                         (ref.bias_ih_l0, ours[9:13])]):
        theirs = ref_p.grad.numpy()
        np.testing.assert_allclose(np.concatenate(ours_p, 1), theirs.T if k < 2 else theirs[None],
                                   rtol=1e-6, atol=1e-10)
    assert np.isfinite(ours[0]).all()
    assert (np.abs(ours[5]).sum() > 0) == (L > 1)         # U acts from the second step on (H_0 = 0)


@pytest.mark.parametrize("impl", ["bptt", "loop"])
def test_float64_central_difference_for_inputs_and_every_parameter(impl):
    lstm = _layer(2, 3, impl, seed=3)
    rng = np.random.RandomState(4)
    x = rng.randn(2, 4, 2)
    up = paddle.to_tensor(rng.randn(2, 3))
    xt = paddle.to_tensor(x, stop_gradient=False)
    params = _params(lstm)
    grads = paddle.grad((lstm(xt) * up).sum(), [xt] + params)
    assert rel_error(grads[0], numerical_grad(lambda t: (lstm(t) * up).sum(), x)) < 1e-6
    xc = paddle.to_tensor(x)
    for p, g in zip(params, grads[1:]):
        p0 = p.numpy().copy()

        def f(v, p=p):
            p.set_value(v.numpy())
            return (lstm(xc) * up).sum()
        fd = numerical_grad(f, p0)
        p.set_value(p0)
        assert rel_error(g, fd) < 1e-6, p.name


def test_bptt_equals_loop_for_paddle_grad_of_any_subset_and_for_backward():
    """paddle.grad of some parameters only (paddle prunes the others' paths), of the inputs only,
    and .backward() with inputs that need no gradient: the same gradients as the loop."""
    loop, bptt = _layer(4, 5, "loop"), _layer(4, 5, "bptt")
    rng = np.random.RandomState(2)
    x_np, up = rng.randn(3, 6, 4), paddle.to_tensor(rng.randn(3, 5))
    for pick in (lambda m: [m.U_f], lambda m: [m.b_a, m.W_o], lambda m: "x"):
        got = []
        for m in (loop, bptt):
            x = paddle.to_tensor(x_np, stop_gradient=False)
            wanted = [x] if pick(m) == "x" else pick(m)
            got.append([g.numpy() for g in paddle.grad((m(x) * up).sum(), wanted)])
        for a, b in zip(*got):
            np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)
    for m in (loop, bptt):
        m.clear_gradients()
        (m(paddle.to_tensor(x_np)) * up).sum().backward()       # x: stop_gradient=True
    for a, b in zip(_params(loop), _params(bptt)):
        np.testing.assert_allclose(b.grad.numpy(), a.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_bptt_float32_training_follows_the_loop():
    """Five Adam steps of the 6.3 model (embedding, LSTM, linear) give the same losses either way."""
    losses = {}
    ids = paddle.to_tensor(np.random.RandomState(0).randint(0, 10, (8, 7)))
    labels = paddle.to_tensor(np.random.RandomState(1).randint(0, 19, (8,)))
    for impl in ("loop", "bptt"):
        paddle.seed(5)
        model = Model_RNN4SeqClass(LSTM(16, 16, impl=impl), 10, 16, 16, 19)
        opt = paddle.optimizer.Adam(learning_rate=0.01, parameters=model.parameters())
        losses[impl] = []
        for _ in range(5):
            loss = paddle.nn.functional.cross_entropy(model(ids), labels)
            loss.backward()
            opt.step()
            opt.clear_grad()
            losses[impl].append(float(loss))
    assert losses["loop"][-1] < losses["loop"][0]
    np.testing.assert_allclose(losses["bptt"], losses["loop"], rtol=1e-5)


def test_bptt_records_the_loops_gates_and_leaves_the_inputs_alone():
    loop, bptt = _layer(3, 4, "loop", dtype="float32"), _layer(3, 4, "bptt", dtype="float32")
    loop.record_gates = bptt.record_gates = True
    x = paddle.randn([2, 5, 3])
    x_before = x.numpy().copy()
    h = bptt(x)
    loop(x)
    np.testing.assert_array_equal(x.numpy(), x_before)
    assert set(bptt.gates) == {"input", "forget", "output", "cell"}
    for key in bptt.gates:
        assert bptt.gates[key].shape == (2, 5, 4)
        np.testing.assert_allclose(bptt.gates[key], loop.gates[key], rtol=1e-5, atol=1e-6)
    g = bptt.gates
    np.testing.assert_allclose(g["output"][:, -1] * np.tanh(g["cell"][:, -1]), h.numpy(), rtol=1e-5, atol=1e-6)


def test_auto_takes_bptt_only_for_small_float_cpu_steps():
    small = LSTM(32, 32)
    assert small.impl == "auto"
    assert small._use_bptt(paddle.zeros([8, 10, 32])) and small._use_bptt(paddle.zeros([32, 10, 32]))
    assert not LSTM(256, 256)._use_bptt(paddle.zeros([128, 4, 256]))          # 6.4's size: the loop
    assert not LSTM(32, 32, impl="loop")._use_bptt(paddle.zeros([8, 10, 32]))
    assert LSTM(256, 256, impl="bptt")._use_bptt(paddle.zeros([128, 4, 256]))


def test_bptt_has_no_second_derivative_and_says_so():
    x = paddle.randn([2, 3, 2])
    x.stop_gradient = False
    (gx,) = paddle.grad(LSTM(2, 3, impl="bptt")(x).sum(), [x])
    assert np.isfinite(gx.numpy()).all()
    with pytest.raises(Exception, match="no second derivative"):     # paddle re-raises it as an OSError
        paddle.grad(LSTM(2, 3, impl="bptt")(x).sum(), [x], create_graph=True)


def test_unknown_impl_and_half_precision_bptt_are_errors():
    with pytest.raises(ValueError, match="impl must be one of"):
        LSTM(2, 3, impl="fast")
    with pytest.raises(TypeError, match="float32/float64"):
        LSTM(2, 3, impl="bptt")(paddle.randn([2, 3, 2]).astype("float16"))


def test_ex6_2_efficient_lstm_measures_the_variants(chapter_run):
    """The exercise script runs, the variants compute paddle.nn.LSTM's values and gradients, and
    it records a time and a ratio for each (the times themselves are never asserted)."""
    stdout, results, out = chapter_run("ch6_ex2_efficient_lstm")
    names = ["(a) book loop", "(b) impl='loop'", "(c) BPTT, paddle ops", "(d) impl='bptt'", "paddle.nn.LSTM"]
    assert list(results["max_abs_diff_vs_paddle"]) == names
    for name in names:
        assert results["max_abs_diff_vs_paddle"][name] < 1e-5
        assert len(results["median_ms"][name]) == len(results["lengths"]) == len(results["ratio_to_paddle"][name])
        assert all(np.isfinite(v) and v > 0 for v in results["median_ms"][name])
    assert results["ratio_to_paddle"]["paddle.nn.LSTM"] == [1.0] * len(results["lengths"])
    assert len(results["claims"]) == 3
    assert all(c["supported"] in (True, False) for c in results["claims"])
    assert "L=35:" in stdout
    for name in ("ex6-2-lstm-variants.pdf", "ex6-2-lstm-variants.png"):
        assert (out / name).stat().st_size > 0
