"""Chapter 6 layers: Embedding, SRN, LSTM against paddle.nn with copied weights (values and
gradients), float64 finite differences, AveragePooling against a masked mean, the models."""
import numpy as np
import paddle
import pytest

import nndl
from nndl import compat
from nndl.gradcheck import numerical_grad, rel_error
from nndl.rnn import (LSTM, SRN, AveragePooling, Embedding, GradNormLog, Model_BiLSTM_FC,
                      Model_RNN4SeqClass, custom_print_log, lstm_gates)


def _srn_reference(srn):
    ref = paddle.nn.SimpleRNN(srn.input_size, srn.hidden_size)
    ref.weight_ih_l0.set_value(srn.W.numpy().T)
    ref.weight_hh_l0.set_value(srn.U.numpy().T)
    ref.bias_ih_l0.set_value(srn.b.numpy()[0])
    ref.bias_hh_l0.set_value(np.zeros(srn.hidden_size, "float32"))   # paddle has two biases
    return ref


def _lstm_reference(lstm):
    # paddle.nn.LSTM stacks its gates as (i, f, g=candidate, o) along the rows of weight_ih
    D = lstm.hidden_size
    ref = paddle.nn.LSTM(lstm.input_size, D)
    order = ("i", "f", "a", "o")
    ref.weight_ih_l0.set_value(np.concatenate([getattr(lstm, f"W_{g}").numpy() for g in order], 1).T)
    ref.weight_hh_l0.set_value(np.concatenate([getattr(lstm, f"U_{g}").numpy() for g in order], 1).T)
    ref.bias_ih_l0.set_value(np.concatenate([getattr(lstm, f"b_{g}").numpy() for g in order], 1)[0])
    ref.bias_hh_l0.set_value(np.zeros(4 * D, "float32"))
    return ref


def _grads(out, tensors):
    return [g.numpy() for g in paddle.grad(out, tensors)]


def _backward_grads(out, tensors):
    """Gradients by .backward() (paddle.grad through paddle's fused rnn op wants every input)."""
    for t in tensors:
        t.clear_gradient(set_to_zero=False)
    out.backward()
    return [t.grad.numpy() for t in tensors]


def test_embedding_matches_paddle_embedding_values_and_grads():
    emb = Embedding(10, 5)
    ref = paddle.nn.Embedding(10, 5)
    ref.weight.set_value(emb.W.numpy())
    ids = paddle.to_tensor([[0, 1, 2, 3], [3, 3, 9, 0]])
    up = paddle.randn([2, 4, 5])
    a, b = emb(ids), ref(ids)
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=0, atol=0)
    ga, = _grads((a * up).sum(), [emb.W])
    gb, = _grads((b * up).sum(), [ref.weight])
    np.testing.assert_allclose(ga, gb, rtol=1e-6, atol=1e-7)
    assert abs(ga[3]).sum() > 0 and not abs(ga[4]).sum()   # row 3 used three times, row 4 never


def test_embedding_is_the_book_lookup():
    emb = Embedding(10, 5)
    out = emb(paddle.to_tensor([0, 1, 2, 3]))
    assert list(out.shape) == [4, 5]
    np.testing.assert_array_equal(out.numpy(), emb.W.numpy()[:4])


@pytest.mark.parametrize("B,L,M,D", [(3, 5, 4, 6), (8, 12, 32, 32)])
def test_srn_matches_simple_rnn_values_and_grads(B, L, M, D):
    srn = SRN(M, D)
    ref = _srn_reference(srn)
    x = paddle.randn([B, L, M])
    x.stop_gradient = False
    x_ref = paddle.to_tensor(x.numpy(), stop_gradient=False)
    up = paddle.randn([B, D])
    h = srn(x)
    out, final = ref(x_ref)
    np.testing.assert_allclose(h.numpy(), out[:, -1].numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h.numpy(), final[0].numpy(), rtol=1e-5, atol=1e-6)
    ours = _grads((h * up).sum(), [x, srn.W, srn.U, srn.b])
    theirs = _backward_grads((out[:, -1] * up).sum(), [x_ref, ref.weight_ih_l0, ref.weight_hh_l0, ref.bias_ih_l0])
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(ours[1], theirs[1].T, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(ours[2], theirs[2].T, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(ours[3][0], theirs[3], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("B,L,M,D", [(3, 5, 4, 6), (8, 12, 32, 32)])
def test_lstm_matches_paddle_lstm_values_and_grads(B, L, M, D):
    lstm = LSTM(M, D)
    ref = _lstm_reference(lstm)
    x = paddle.randn([B, L, M])
    x.stop_gradient = False
    x_ref = paddle.to_tensor(x.numpy(), stop_gradient=False)
    up = paddle.randn([B, D])
    h = lstm(x)
    out, (h_n, c_n) = ref(x_ref)
    np.testing.assert_allclose(h.numpy(), h_n[0].numpy(), rtol=1e-5, atol=1e-6)
    params = [lstm.W_i, lstm.W_f, lstm.W_a, lstm.W_o, lstm.U_i, lstm.U_f, lstm.U_a, lstm.U_o,
              lstm.b_i, lstm.b_f, lstm.b_a, lstm.b_o]
    ours = _grads((h * up).sum(), [x] + params)
    gx, gwi, gwh, gb = _backward_grads((h_n[0] * up).sum(), [x_ref, ref.weight_ih_l0, ref.weight_hh_l0, ref.bias_ih_l0])
    np.testing.assert_allclose(ours[0], gx, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(np.concatenate(ours[1:5], 1), gwi.T, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(np.concatenate(ours[5:9], 1), gwh.T, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(np.concatenate(ours[9:13], 1)[0], gb, rtol=1e-4, atol=1e-6)


def test_lstm_is_the_books_equations():
    """The fused computation equals eqs. 6.7-6.13 written out step by step in numpy."""
    M, D = 3, 4
    lstm = LSTM(M, D)
    x = np.random.RandomState(0).randn(2, 6, M).astype("float32")
    p = {n: v.numpy() for n, v in lstm.named_parameters()}
    sig = lambda z: 1 / (1 + np.exp(-z))
    h = np.zeros((2, D)); c = np.zeros((2, D))
    for t in range(6):
        xt = x[:, t]
        i = sig(xt @ p["W_i"] + h @ p["U_i"] + p["b_i"])
        f = sig(xt @ p["W_f"] + h @ p["U_f"] + p["b_f"])
        o = sig(xt @ p["W_o"] + h @ p["U_o"] + p["b_o"])
        a = np.tanh(xt @ p["W_a"] + h @ p["U_a"] + p["b_a"])
        c = f * c + i * a
        h = o * np.tanh(c)
    np.testing.assert_allclose(lstm(paddle.to_tensor(x)).numpy(), h, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls", [SRN, LSTM])
def test_float64_finite_difference(cls):
    layer = cls(2, 3, dtype="float64")
    x = np.random.RandomState(1).randn(2, 4, 2)
    up = paddle.to_tensor(np.random.RandomState(2).randn(2, 3))
    xt = paddle.to_tensor(x, stop_gradient=False)
    U = layer.U if cls is SRN else layer.U_f
    gx, gU = _grads((layer(xt) * up).sum(), [xt, U])
    assert rel_error(gx, numerical_grad(lambda t: (layer(t) * up).sum(), x)) < 1e-6
    U0 = U.numpy().copy()

    def f_of_U(u):
        U.set_value(u.numpy())
        return (layer(paddle.to_tensor(x)) * up).sum()
    fd = numerical_grad(f_of_U, U0)
    U.set_value(U0)
    assert rel_error(gU, fd) < 1e-6


def test_lstm_gates_recorded_for_figure_6_13():
    paddle.seed(0)
    model = Model_RNN4SeqClass(LSTM(8, 5), 10, 8, 5, 19)
    seq = [6, 7, 0, 0, 1, 0, 0, 0, 0, 0]
    gates = lstm_gates(model, seq)
    assert set(gates) == {"input", "forget", "output", "cell"}
    for key, value in gates.items():
        assert value.shape == (10, 5) and np.isfinite(value).all()
    for key in ("input", "forget", "output"):
        assert ((gates[key] > 0) & (gates[key] < 1)).all()
    # the recorded last step gives the LSTM's output h_L = o * tanh(c_L)
    emb = model.embedding(paddle.to_tensor([seq]))
    h = model.model(emb).numpy()[0]
    np.testing.assert_allclose(gates["output"][-1] * np.tanh(gates["cell"][-1]), h, rtol=1e-5, atol=1e-6)
    assert model.model.record_gates is False and model.training


def test_average_pooling_is_a_masked_mean_and_pads_do_not_count():
    out = paddle.randn([3, 5, 4])
    lens = paddle.to_tensor([1, 5, 3])
    got = AveragePooling()(out, lens).numpy()
    ref = np.stack([out.numpy()[i, :n].mean(0) for i, n in enumerate([1, 5, 3])])
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-6, equal_nan=False)
    # changing a padded position changes nothing
    poisoned = out.numpy().copy()
    poisoned[0, 1:] = 1e6
    np.testing.assert_allclose(AveragePooling()(paddle.to_tensor(poisoned), lens).numpy(), got, rtol=1e-6)


def test_average_pooling_accepts_int32_and_column_lengths():
    out = paddle.randn([2, 3, 2])
    a = AveragePooling()(out, paddle.to_tensor([[2], [3]], dtype="int32"))
    b = AveragePooling()(out, paddle.to_tensor([2, 3]))
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=0, atol=0)


def test_average_pooling_bad_input():
    pool = AveragePooling()
    with pytest.raises(ValueError, match="1..4"):
        pool(paddle.randn([2, 4, 3]), paddle.to_tensor([2, 5]))     # longer than the padded length
    with pytest.raises(ValueError, match="1..4"):
        pool(paddle.randn([2, 4, 3]), paddle.to_tensor([0, 2]))     # empty sequence
    with pytest.raises(ValueError, match=r"\[batch_size, seq_len, hidden\]"):
        pool(paddle.randn([2, 4]), paddle.to_tensor([2, 2]))        # wrong rank
    with pytest.raises(ValueError, match="3 lengths for a batch of 2"):
        pool(paddle.randn([2, 4, 3]), paddle.to_tensor([1, 2, 3]))
    with pytest.raises(TypeError, match="int64/int32"):
        pool(paddle.randn([2, 4, 3]), paddle.to_tensor([1.0, 2.0]))


def test_layers_reject_wrong_input():
    with pytest.raises(ValueError, match=r"\[batch_size, seq_len, 4\]"):
        SRN(4, 3)(paddle.randn([2, 4]))                              # wrong rank
    with pytest.raises(ValueError, match=r"\[batch_size, seq_len, 4\]"):
        LSTM(4, 3)(paddle.randn([2, 5, 3]))                          # wrong feature size
    with pytest.raises(ValueError, match="out of range"):
        Embedding(10, 3)(paddle.to_tensor([3, 10]))
    with pytest.raises(TypeError, match="int64/int32"):
        Embedding(10, 3)(paddle.to_tensor([1.0]))
    model = Model_RNN4SeqClass(SRN(4, 3), 10, 4, 3, 19)
    with pytest.raises(ValueError, match=r"\[batch_size, seq_len\]"):
        model(paddle.to_tensor([1, 2, 3]))
    bilstm = Model_BiLSTM_FC(20, 4, 3)
    with pytest.raises(ValueError, match="pair"):
        bilstm(paddle.to_tensor([[1, 2]]))


def test_model_rnn4seqclass_shapes_and_parameter_names():
    model = Model_RNN4SeqClass(SRN(32, 32), 10, 32, 32, 19)
    logits = model(paddle.randint(0, 10, [8, 10]))
    assert list(logits.shape) == [8, 19]
    names = {n for n, _ in model.named_parameters()}
    assert {"model.W", "model.U", "model.b", "embedding.W"} <= names


def test_custom_print_log_prints_the_srn_gradient_norms(capsys):
    model = Model_RNN4SeqClass(SRN(4, 3), 10, 4, 3, 19)
    loss = paddle.nn.functional.cross_entropy(model(paddle.randint(0, 10, [5, 6])), paddle.randint(0, 19, [5]))
    loss.backward()

    class R:
        pass
    runner = R()
    runner.model = model
    w, u, b = custom_print_log(runner)
    assert capsys.readouterr().out.startswith("[Training] W_grad_l2: ")
    np.testing.assert_allclose([w, u, b], [np.linalg.norm(model.model.W.grad.numpy()),
                                           np.linalg.norm(model.model.U.grad.numpy()),
                                           np.linalg.norm(model.model.b.grad.numpy())], rtol=1e-6)
    log = GradNormLog(verbose=False)
    log(runner)
    assert log.W == [w] and log.U == [u] and log.b == [b]
    compat.clear_gradients(model, set_to_zero=False)   # Layer.clear_gradients(False) is paddle 3 only
    with pytest.raises(ValueError, match="no gradient"):
        custom_print_log(runner)


def test_bilstm_ignores_padding():
    """Padding after the real length changes neither the output nor the loss (paddle.nn.LSTM
    with sequence_length, then the masked mean)."""
    paddle.seed(0)
    model = Model_BiLSTM_FC(30, 8, 6)
    model.eval()
    ids = paddle.to_tensor([[5, 6, 7, 0, 0], [1, 2, 3, 4, 9]])
    lens = paddle.to_tensor([3, 5])
    a = model((ids, lens)).numpy()
    b = model((paddle.to_tensor([[5, 6, 7, 21, 29], [1, 2, 3, 4, 9]]), lens)).numpy()
    c = model((paddle.to_tensor([[5, 6, 7]]), paddle.to_tensor([3]))).numpy()
    assert a.shape == (2, 2)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a[:1], c, rtol=1e-5, atol=1e-6)


def test_top_level_names():
    assert nndl.SRN is SRN and nndl.LSTM is LSTM and nndl.AveragePooling is AveragePooling
    assert nndl.Model_BiLSTM_FC is Model_BiLSTM_FC and nndl.Embedding is Embedding


def test_plot_length_losses_needs_runners():
    from nndl import plot_length_losses
    with pytest.raises(ValueError, match="no runners to plot"):
        plot_length_losses({}, "SRN")
