"""Chapter 6 exercises (动手练习 6.1, 6.3-6.6): the hand-written ResidualSRN, BiLSTM (real lengths,
two directions) and GRU against paddle.nn with copied float64 weights (values of every step,
final states, gradients of the inputs and every weight) and float64 finite differences; then each
exercise script in quick mode."""
import contextlib

import numpy as np
import paddle
import pytest

from nndl.gradcheck import numerical_grad, rel_error
from nndl.rnn import GRU, SRN, BiLSTM, Model_BiLSTM_FC, Model_RNN4SeqClass, ResidualSRN

TOL = dict(rtol=0, atol=1e-6)     # the bar: 1e-6 in float64


@contextlib.contextmanager
def float64_default():
    """paddle.nn.LSTM/GRU take no dtype: build them under float64 as the default dtype."""
    old = paddle.get_default_dtype()
    paddle.set_default_dtype("float64")
    try:
        yield
    finally:
        paddle.set_default_dtype(old)


def _np(*tensors):
    return [t.numpy() for t in tensors]


def _cat(layer, kind, gates):
    return np.concatenate([getattr(layer, f"{kind}_{g}").numpy() for g in gates], axis=1)


def paddle_lstm_like(op):
    """paddle.nn.LSTM with ``op``'s weights: gates as rows (i, f, g=a, o), [4D, M]; bias_hh = 0."""
    D = op.hidden_size
    with float64_default():
        ref = paddle.nn.LSTM(op.input_size, D, direction="bidirect" if op.num_directions == 2 else "forward")
    for suffix, part in (("", op.fw), ("_reverse", op.bw)):
        if part is None:
            continue
        order = ("i", "f", "a", "o")
        getattr(ref, f"weight_ih_l0{suffix}").set_value(_cat(part, "W", order).T)
        getattr(ref, f"weight_hh_l0{suffix}").set_value(_cat(part, "U", order).T)
        getattr(ref, f"bias_ih_l0{suffix}").set_value(_cat(part, "b", order)[0])
        getattr(ref, f"bias_hh_l0{suffix}").set_value(np.zeros(4 * D))
    return ref


def lstm_grads_as_paddle(grads):
    """Our per-gate gradients of one direction laid out as paddle's (weight_ih, weight_hh, bias_ih)."""
    order = ("i", "f", "a", "o")
    return (np.concatenate([grads[f"W_{g}"] for g in order], 1).T,
            np.concatenate([grads[f"U_{g}"] for g in order], 1).T,
            np.concatenate([grads[f"b_{g}"] for g in order], 1)[0])


def paddle_gru_like(op):
    """paddle.nn.GRU with a reset_after GRU's weights: gates as rows (r, z, c), [3D, M]."""
    D = op.hidden_size
    with float64_default():
        ref = paddle.nn.GRU(op.input_size, D)
    order = ("r", "z", "h")
    ref.weight_ih_l0.set_value(_cat(op, "W", order).T)
    ref.weight_hh_l0.set_value(_cat(op, "U", order).T)
    ref.bias_ih_l0.set_value(_cat(op, "b", order)[0])
    ref.bias_hh_l0.set_value(np.concatenate([np.zeros(2 * D), op.b_hh.numpy()[0]]))
    return ref


def _backward(loss, tensors):
    """Gradients by .backward() (paddle.grad through paddle's fused rnn op wants every input)."""
    for t in tensors:
        t.clear_gradient(set_to_zero=False)
    loss.backward()
    return [t.grad.numpy() for t in tensors]


def bilstm_against_paddle(B=3, L=5, M=4, D=3, lengths=(5, 2, 1), direction="bidirect", seed=0):
    """Max abs differences (forward, gradients) between BiLSTM and paddle.nn.LSTM, float64."""
    paddle.seed(seed)
    op = BiLSTM(M, D, direction=direction, dtype="float64")
    ref = paddle_lstm_like(op)
    rng = np.random.RandomState(seed)
    x_np = rng.randn(B, L, M)
    nd = op.num_directions
    ups = [paddle.to_tensor(rng.randn(*s)) for s in ([B, L, nd * D], [nd, B, D], [nd, B, D])]
    seq = None if lengths is None else paddle.to_tensor(np.array(lengths, "int64"))

    def loss(out, h, c):
        return (out * ups[0]).sum() + (h * ups[1]).sum() + (c * ups[2]).sum()

    x = paddle.to_tensor(x_np, stop_gradient=False)
    out, (h, c) = op(x, sequence_length=seq)
    params = dict(op.named_parameters())
    names = sorted(params)
    grads = dict(zip(["x"] + names, _np(*paddle.grad(loss(out, h, c), [x] + [params[n] for n in names]))))

    x_ref = paddle.to_tensor(x_np, stop_gradient=False)
    out_r, (h_r, c_r) = ref(x_ref, sequence_length=seq)
    ref_names = [n for n, _ in ref.named_parameters() if "bias_hh" not in n]
    ref_params = dict(ref.named_parameters())
    ref_grads = dict(zip(["x"] + ref_names, _backward(loss(out_r, h_r, c_r), [x_ref] + [ref_params[n] for n in ref_names])))

    fwd = max(float(np.max(np.abs(a - b))) for a, b in zip(_np(out, h, c), _np(out_r, h_r, c_r)))
    pairs = [(grads["x"], ref_grads["x"])]
    for prefix, suffix in (("fw", ""), ("bw", "_reverse"))[:nd]:
        ours = lstm_grads_as_paddle({k[len(prefix) + 1:]: v for k, v in grads.items() if k.startswith(prefix + ".")})
        theirs = [ref_grads[f"{k}_l0{suffix}"] for k in ("weight_ih", "weight_hh", "bias_ih")]
        pairs += list(zip(ours, theirs))
    for a, b in pairs:
        assert a.shape == b.shape and np.isfinite(a).all() and np.isfinite(b).all()
    grad = max(float(np.max(np.abs(a - b))) for a, b in pairs)
    return fwd, grad, (out, h, c), (out_r, h_r, c_r)


@pytest.mark.parametrize("lengths", [None, (5, 2, 1), (3, 5, 4)])
@pytest.mark.parametrize("direction", ["bidirect", "forward"])
def test_bilstm_equals_paddle_lstm_with_sequence_length_values_and_grads(direction, lengths):
    fwd, grad, ours, theirs = bilstm_against_paddle(direction=direction, lengths=lengths)
    assert fwd < 1e-6 and grad < 1e-6, (fwd, grad)
    out, h, c = (t.numpy() for t in ours)
    assert out.shape == (3, 5, (2 if direction == "bidirect" else 1) * 3) and h.shape == c.shape
    if lengths is not None:
        for b, n in enumerate(lengths):
            np.testing.assert_array_equal(out[b, n:], 0)                      # paddle's zeros at [PAD]
            np.testing.assert_allclose(h[0, b], out[b, n - 1, :3], **TOL)      # forward: last real step
            if direction == "bidirect":
                np.testing.assert_allclose(h[1, b], out[b, 0, 3:], **TOL)      # backward: step 0


def test_bilstm_bigger_batch_against_paddle():
    fwd, grad, _, _ = bilstm_against_paddle(B=6, L=9, M=5, D=4, lengths=(9, 1, 4, 7, 9, 2), seed=3)
    assert fwd < 1e-6 and grad < 1e-6, (fwd, grad)


def test_bilstm_padding_changes_nothing_and_equals_each_sequence_alone():
    """The question of 6.4.2: with the lengths, [PAD] values (here garbage) affect no output, final
    state or weight gradient; each sequence gives what it gives alone without padding."""
    paddle.seed(1)
    op = BiLSTM(3, 2, dtype="float64")
    rng = np.random.RandomState(1)
    x = rng.randn(2, 6, 3)
    lengths = [6, 3]
    junk = x.copy()
    junk[1, 3:] = 1e3 * rng.randn(3, 3)

    def run(inp, lens):
        out, (h, c) = op(paddle.to_tensor(inp), sequence_length=None if lens is None else paddle.to_tensor(lens))
        g = paddle.grad(out.sum() + h.sum() + c.sum(), list(op.parameters()))
        return out.numpy(), h.numpy(), [t.numpy() for t in g]

    a, b = run(x, lengths), run(junk, lengths)
    for u, v in zip([a[0], a[1]] + a[2], [b[0], b[1]] + b[2]):
        np.testing.assert_array_equal(u, v)
    alone0, alone1 = run(x[:1], None), run(x[1:, :3], None)
    np.testing.assert_allclose(a[0][1, :3], alone1[0][0], **TOL)
    np.testing.assert_allclose(a[1][:, 1], alone1[1][:, 0], **TOL)
    np.testing.assert_allclose(a[0][0], alone0[0][0], **TOL)
    for g_batch, g0, g1 in zip(a[2], alone0[2], alone1[2]):          # the batch's gradient is the sum
        np.testing.assert_allclose(g_batch, g0 + g1, **TOL)
    # without the lengths the backward direction reads the pads first: the output changes
    assert np.abs(run(x, None)[0][1, :3] - run(junk, None)[0][1, :3]).max() > 1e-3


def test_bilstm_finite_difference():
    paddle.seed(2)
    op = BiLSTM(2, 2, dtype="float64")
    rng = np.random.RandomState(2)
    x = rng.randn(2, 3, 2)
    up = paddle.to_tensor(rng.randn(2, 3, 4))
    lens = paddle.to_tensor([3, 2])

    def f(t):
        out, (h, c) = op(t, sequence_length=lens)
        return (out * up).sum() + c.sum()
    xt = paddle.to_tensor(x, stop_gradient=False)
    gx, gU = _np(*paddle.grad(f(xt), [xt, op.bw.U_f]))
    assert rel_error(gx, numerical_grad(f, x)) < 1e-6
    U0 = op.bw.U_f.numpy().copy()

    def f_of_U(u):
        op.bw.U_f.set_value(u.numpy())
        return f(paddle.to_tensor(x))
    fd = numerical_grad(f_of_U, U0)
    op.bw.U_f.set_value(U0)
    assert rel_error(gU, fd) < 1e-6


def gru_numpy(op, x, lengths=None):
    """Eqs. 6.59-6.61 of 《神经网络与深度学习》 (or paddle's reset_after form) step by step in numpy."""
    p = {n: v.numpy() for n, v in op.named_parameters()}
    sig = lambda z: 1 / (1 + np.exp(-z))
    B, L, _ = x.shape
    h = np.zeros((B, op.hidden_size))
    lengths = [L] * B if lengths is None else lengths
    for t in range(L):
        xt = x[:, t]
        z = sig(xt @ p["W_z"] + h @ p["U_z"] + p["b_z"])
        r = sig(xt @ p["W_r"] + h @ p["U_r"] + p["b_r"])
        if op.reset_after:
            cand = np.tanh(xt @ p["W_h"] + p["b_h"] + r * (h @ p["U_h"] + p["b_hh"]))
        else:
            cand = np.tanh(xt @ p["W_h"] + (r * h) @ p["U_h"] + p["b_h"])
        new = z * h + (1 - z) * cand
        keep = (t < np.array(lengths))[:, None]
        h = np.where(keep, new, h)
    return h


@pytest.mark.parametrize("reset_after", [False, True])
def test_gru_is_its_equations(reset_after):
    paddle.seed(4)
    op = GRU(3, 4, reset_after=reset_after, dtype="float64")
    x = np.random.RandomState(4).randn(3, 6, 3)
    np.testing.assert_allclose(op(paddle.to_tensor(x)).numpy(), gru_numpy(op, x), **TOL)
    lens = [6, 1, 4]
    np.testing.assert_allclose(op(paddle.to_tensor(x), sequence_length=lens).numpy(), gru_numpy(op, x, lens), **TOL)


def gru_against_paddle(B=3, L=5, M=4, D=3, lengths=None, seed=5):
    paddle.seed(seed)
    op = GRU(M, D, reset_after=True, dtype="float64")
    ref = paddle_gru_like(op)
    rng = np.random.RandomState(seed)
    x_np = rng.randn(B, L, M)
    up = paddle.to_tensor(rng.randn(B, D))
    seq = None if lengths is None else paddle.to_tensor(np.array(lengths, "int64"))
    x = paddle.to_tensor(x_np, stop_gradient=False)
    h = op(x, sequence_length=seq)
    x_ref = paddle.to_tensor(x_np, stop_gradient=False)
    out_r, h_r = ref(x_ref, sequence_length=seq)
    # every step: our state after t steps is paddle's output at step t-1
    steps = max(float(np.max(np.abs(op(paddle.to_tensor(x_np[:, :t])).numpy() - out_r.numpy()[:, t - 1])))
                for t in range(1, L + 1)) if lengths is None else 0.0
    fwd = max(float(np.max(np.abs(h.numpy() - h_r.numpy()[0]))), steps)
    names = ["W_r", "W_z", "W_h", "U_r", "U_z", "U_h", "b_r", "b_z", "b_h", "b_hh"]
    g = dict(zip(["x"] + names, _np(*paddle.grad((h * up).sum(), [x] + [getattr(op, n) for n in names]))))
    gx, gwi, gwh, gbi, gbh = _backward((h_r[0] * up).sum(), [x_ref, ref.weight_ih_l0, ref.weight_hh_l0,
                                                             ref.bias_ih_l0, ref.bias_hh_l0])
    pairs = [(g["x"], gx), (np.concatenate([g["W_r"], g["W_z"], g["W_h"]], 1).T, gwi),
             (np.concatenate([g["U_r"], g["U_z"], g["U_h"]], 1).T, gwh),
             (np.concatenate([g["b_r"], g["b_z"], g["b_h"]], 1)[0], gbi),
             (g["b_hh"][0], gbh[2 * D:]), (np.concatenate([g["b_r"], g["b_z"]], 1)[0], gbh[:2 * D])]
    for a, b in pairs:
        assert a.shape == b.shape and np.isfinite(a).all() and np.isfinite(b).all()
    return fwd, max(float(np.max(np.abs(a - b))) for a, b in pairs), op, ref, x_np


@pytest.mark.parametrize("lengths", [None, (5, 2, 4)])
def test_gru_reset_after_equals_paddle_gru_values_and_grads(lengths):
    fwd, grad, *_ = gru_against_paddle(lengths=lengths)
    assert fwd < 1e-6 and grad < 1e-6, (fwd, grad)


def test_paddle_gru_is_not_the_books_form():
    """Same weights, the book's form (reset before the matmul) differs from paddle.nn.GRU."""
    _, _, op, ref, x = gru_against_paddle()
    book = GRU(op.input_size, op.hidden_size, dtype="float64")
    for n, p in book.named_parameters():
        p.set_value(getattr(op, n).numpy())
    _, h_ref = ref(paddle.to_tensor(x))
    np.testing.assert_allclose(gru_numpy(book, x), book(paddle.to_tensor(x)).numpy(), **TOL)
    assert np.abs(book(paddle.to_tensor(x)).numpy() - h_ref.numpy()[0]).max() > 1e-3


@pytest.mark.parametrize("reset_after", [False, True])
def test_gru_finite_difference(reset_after):
    paddle.seed(6)
    op = GRU(2, 3, reset_after=reset_after, dtype="float64")
    rng = np.random.RandomState(6)
    x = rng.randn(2, 4, 2)
    up = paddle.to_tensor(rng.randn(2, 3))
    f = lambda t: (op(t, sequence_length=[4, 3]) * up).sum()
    xt = paddle.to_tensor(x, stop_gradient=False)
    gx, gU = _np(*paddle.grad(f(xt), [xt, op.U_h]))
    assert rel_error(gx, numerical_grad(f, x)) < 1e-6
    U0 = op.U_h.numpy().copy()

    def f_of_U(u):
        op.U_h.set_value(u.numpy())
        return f(paddle.to_tensor(x))
    fd = numerical_grad(f_of_U, U0)
    op.U_h.set_value(U0)
    assert rel_error(gU, fd) < 1e-6


def test_residual_srn_is_eq_6_50_and_its_gradient():
    paddle.seed(7)
    op = ResidualSRN(3, 4, dtype="float64")
    x = np.random.RandomState(7).randn(2, 5, 3)
    W, U, b = (t.numpy() for t in (op.W, op.U, op.b))
    h = np.zeros((2, 4))
    for t in range(5):
        h = h + np.tanh(x[:, t] @ W + h @ U + b)
    np.testing.assert_allclose(op(paddle.to_tensor(x)).numpy(), h, **TOL)
    srn = SRN(3, 4, dtype="float64")
    for n in ("W", "U", "b"):
        getattr(srn, n).set_value(getattr(op, n).numpy())
    assert np.abs(srn(paddle.to_tensor(x)).numpy() - h).max() > 1e-2   # not the plain SRN
    up = paddle.to_tensor(np.random.RandomState(8).randn(2, 4))
    f = lambda t: (op(t) * up).sum()
    xt = paddle.to_tensor(x, stop_gradient=False)
    gx, gU = _np(*paddle.grad(f(xt), [xt, op.U]))
    assert rel_error(gx, numerical_grad(f, x)) < 1e-6
    U0 = op.U.numpy().copy()

    def f_of_U(u):
        op.U.set_value(u.numpy())
        return f(paddle.to_tensor(x))
    fd = numerical_grad(f_of_U, U0)
    op.U.set_value(U0)
    assert rel_error(gU, fd) < 1e-6


def test_new_ops_fit_the_books_models():
    for op in (ResidualSRN(8, 6), GRU(8, 6)):
        model = Model_RNN4SeqClass(op, 10, 8, 6, 19)
        assert list(model(paddle.randint(0, 10, [4, 7])).shape) == [4, 19]
    paddle.seed(0)
    ids = paddle.to_tensor([[5, 6, 7, 0, 0], [1, 2, 3, 4, 9]])
    lens = paddle.to_tensor([3, 5])
    ours = Model_BiLSTM_FC(30, 8, 6, lstm=BiLSTM(8, 6))
    assert list(ours((ids, lens)).shape) == [2, 2]
    deep = Model_BiLSTM_FC(30, 8, 6, num_layers=3)
    assert deep.lstm_layer.num_layers == 3 and list(deep((ids, lens)).shape) == [2, 2]
    with pytest.raises(ValueError, match="num_layers"):
        Model_BiLSTM_FC(30, 8, 6, num_layers=0)


def test_new_ops_reject_bad_input():
    op = BiLSTM(4, 3)
    x = paddle.randn([2, 5, 4])
    with pytest.raises(ValueError, match=r"1\.\.5"):
        op(x, sequence_length=paddle.to_tensor([5, 6]))       # longer than the padded length
    with pytest.raises(ValueError, match=r"1\.\.5"):
        op(x, sequence_length=paddle.to_tensor([0, 2]))
    with pytest.raises(ValueError, match="3 sequence lengths for a batch of 2"):
        op(x, sequence_length=paddle.to_tensor([1, 2, 3]))
    with pytest.raises(TypeError, match="int64/int32"):
        op(x, sequence_length=paddle.to_tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="float64 but the parameters are .*float32|inputs are"):
        op(paddle.randn([2, 5, 4]).astype("float64"))
    with pytest.raises(ValueError, match=r"\[batch_size, seq_len, 4\]"):
        op(paddle.randn([2, 5, 3]))
    with pytest.raises(ValueError, match="direction"):
        BiLSTM(4, 3, direction="backward")
    with pytest.raises(ValueError, match=r"\[batch_size, seq_len, 4\]"):
        GRU(4, 3)(paddle.randn([2, 4]))
    with pytest.raises(ValueError, match=r"1\.\.5"):
        GRU(4, 3)(x, sequence_length=[5, 9])
    with pytest.raises(TypeError, match="inputs are"):
        ResidualSRN(4, 3, dtype="float64")(x)
    before = x.numpy().copy()
    GRU(4, 3)(x, sequence_length=[5, 2])
    np.testing.assert_array_equal(x.numpy(), before)                  # the caller's tensor is unchanged


@pytest.mark.parametrize("direction", ["bidirect", "forward"])
def test_bilstm_to_paddle_is_the_layout_above(direction):
    op = BiLSTM(3, 2, direction=direction, dtype="float64")
    mine, theirs = dict(paddle_lstm_like(op).named_parameters()), dict(op.to_paddle().named_parameters())
    assert sorted(mine) == sorted(theirs) and all(p.dtype == paddle.float64 for p in theirs.values())
    for name in mine:
        np.testing.assert_array_equal(mine[name].numpy(), theirs[name].numpy())
    assert paddle.get_default_dtype() == "float32"


def test_gru_to_paddle_is_the_layout_above_and_only_for_reset_after():
    op = GRU(3, 2, reset_after=True, dtype="float64")
    mine, theirs = dict(paddle_gru_like(op).named_parameters()), dict(op.to_paddle().named_parameters())
    assert sorted(mine) == sorted(theirs)
    for name in mine:
        np.testing.assert_array_equal(mine[name].numpy(), theirs[name].numpy())
    with pytest.raises(ValueError, match="reset_after"):
        GRU(3, 2).to_paddle()


def test_paddle_differences_reports_tiny_numbers_and_catches_a_wrong_weight():
    from nndl.rnn import paddle_differences
    paddle.seed(9)
    x = np.random.RandomState(9).randn(3, 5, 4)
    for op, lens in ((BiLSTM(4, 3, dtype="float64"), [5, 2, 4]), (BiLSTM(4, 3, "forward", dtype="float64"), None),
                     (GRU(4, 3, reset_after=True, dtype="float64"), [5, 1, 3])):
        d = paddle_differences(op, x, lens)
        assert d["forward"] < 1e-6 and d["gradients"] < 1e-6, d
        wrong = op.to_paddle()
        w = wrong.weight_hh_l0.numpy()
        w[0, 0] += 1e-3
        wrong.weight_hh_l0.set_value(w)
        bad = paddle_differences(op, x, lens, reference=wrong)
        assert bad["forward"] > 1e-6 and bad["gradients"] > 1e-6, bad
    with pytest.raises(ValueError, match="reset_after"):
        paddle_differences(GRU(4, 3, dtype="float64"), x)


# ------------------------------------------------------------------ the exercise scripts (quick mode)

def test_ex6_1_residual_srn(chapter_run):
    stdout, results, out = chapter_run("ch6_ex1_residual_srn")
    res, srn = results["residual_test_accuracy"], results["srn_test_accuracy"]
    assert results["lengths"] == [10, 20] and np.isfinite(res + srn).all()
    assert np.mean(res) > np.mean(srn) + 0.05            # the residual connection helps here
    ratio = results["first_over_last_gradient"]
    assert ratio["ResidualSRN"] > 10 * ratio["SRN"]       # more gradient reaches the first digit
    assert all(c["supported"] is True for c in results["claims"])
    assert "[ResidualSRN] length:20, Score:" in stdout
    for name in ("ex6-1-gradient-by-step.pdf", "ex6-1-residual-srn-loss.pdf", "ex6-1-residual-srn-accuracy.pdf",
                 "ex6-1-residual-srn-accuracy.png"):
        assert (out / name).is_file()


def test_ex6_3_bilstm_op(chapter_run):
    stdout, results, out = chapter_run("ch6_ex3_bilstm_op")
    d = results["paddle_differences"]
    assert d["forward"] < 1e-6 and d["gradients"] < 1e-6 and d["outputs"] < 1e-6
    assert "outputs: " in stdout and "[2, 4, 3]" in stdout
    assert results["bilstm_test_accuracy"][0] > results["lstm_test_accuracy"][0] + 0.2
    assert all(c["supported"] is True for c in results["claims"])
    assert (out / "ex6-3-bilstm-lstm-accuracy.pdf").is_file()


def test_ex6_4_gru(chapter_run):
    stdout, results, out = chapter_run("ch6_ex4_gru")
    assert results["paddle_gru_forward_diff"] < 1e-6 and results["paddle_gru_grad_diff"] < 1e-6
    assert results["book_form_vs_paddle"] > 1e-3
    gru, lstm = results["gru_test_accuracy"], results["lstm_test_accuracy"]
    assert np.isfinite(gru + lstm).all() and max(gru) > 0.3          # the GRU learns the task
    assert results["recurrent_parameters"] == {"GRU": 3 * (32 * 32 + 32 * 32 + 32), "LSTM": 4 * (32 * 32 + 32 * 32 + 32)}
    claims = results["claims"]
    assert claims[0]["supported"] is True and claims[1]["supported"] is None
    assert "[GRU] length:20, Score:" in stdout
    for name in ("ex6-4-gru-loss.pdf", "ex6-4-gru-lstm-accuracy.pdf"):
        assert (out / name).is_file()


def test_ex6_5_bilstm_lengths(chapter_run):
    stdout, results, out = chapter_run("ch6_ex5_bilstm_lengths")
    d = results["paddle_differences"]
    assert d["forward"] < 1e-6 and d["gradients"] < 1e-6
    no, yes = results["pad_effect"]["without sequence_length"], results["pad_effect"]["with sequence_length"]
    assert no["weight_gradients"] > 1e-3 and yes == {"outputs": 0.0, "weight_gradients": 0.0}
    assert results["max_loss_difference"] < 1e-4 and results["train_steps"] >= 3
    assert all(c["supported"] is True for c in results["claims"])
    assert "outputs at [PAD] (sequence 1, steps 3..6) all zero: True" in stdout
    assert (out / "ex6-5-bilstm-op-vs-paddle-loss.pdf").is_file()


def test_ex6_6_stacked_lstm(chapter_run):
    stdout, results, out = chapter_run("ch6_ex6_stacked_lstm")
    acc = results["test_accuracy"]
    assert sorted(acc) == ["num_layers=1", "num_layers=2", "num_layers=3"]
    assert all(v > (0.7 if results["standin"] else 0.55) for v in acc.values())
    p = results["lstm_parameters"]
    assert p["num_layers=1"] < p["num_layers=2"] < p["num_layers=3"]
    assert results["claims"][0]["supported"] is None
    assert "num_layers=3: Evaluate on test set, Accuracy:" in stdout
    assert (out / "ex6-6-stacked-lstm.pdf").is_file()


def test_ex6_6_full_mode_without_data_stops_before_work(tmp_path, monkeypatch):
    import subprocess
    import sys
    from pathlib import Path
    monkeypatch.setenv("NNDL_DATA", str(tmp_path / "no_data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))    # paddle's cache too
    script = Path(__file__).resolve().parents[1] / "chapters" / "ch6_ex6_stacked_lstm.py"
    proc = subprocess.run([sys.executable, str(script), "--full", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=300, cwd=str(tmp_path))
    assert proc.returncode != 0
    assert "DataNotFoundError" in proc.stderr and "aclImdb_v1.tar.gz" in proc.stderr
    assert "[Train]" not in proc.stdout and "====>" not in proc.stdout
