"""Chapter 8.1-8.2: masked softmax and QKV attention against the book's printed numbers,
the scoring functions against their formulas, MultiHeadSelfAttention against
paddle.nn.MultiHeadAttention (values and gradients), masks and bad input."""
import numpy as np
import paddle
import pytest

from nndl import compat
from nndl.attention import (AdditiveScore, Attention, BilinearScore, DotProductScore, ScaledDotProductScore, Model_LSTMAttention,
                            Model_LSTMSeftAttention, Model_LSTMSelfAttention, MultiHeadSelfAttention,
                            QKVAAttention, QKVAttention, SimpleSelfAttention, masked_softmax, sequence_mask, split_head_reshape)


def _close(a, b, atol, rtol=0.0):
    a, b = np.asarray(a), np.asarray(b)
    assert np.isfinite(a).all() and np.isfinite(b).all()
    np.testing.assert_allclose(a, b, atol=atol, rtol=rtol, equal_nan=False)


# -------------------------------------------------------------------- printed numbers

BOOK_ROWS = [[0.19593432, 0.21654092, 0.26448367, 0.32304109] + [0.0] * 7,
             [0.07279236, 0.06586525, 0.080448, 0.05959734, 0.06586525, 0.08890879, 0.080448, 0.09825941,
              0.10859344, 0.13263633, 0.14658581]]


def test_masked_softmax_reproduces_the_two_printed_rows():
    # 8.1.2.2 (L12192-12195): the first sentence has 4 words and 7 [PAD]
    scores = paddle.to_tensor([[0.1, 0.2, 0.4, 0.6] + [0.5] * 7,
                               [0.3, 0.2, 0.4, 0.1, 0.2, 0.5, 0.4, 0.6, 0.7, 0.9, 1.0]])
    w = masked_softmax(scores, paddle.to_tensor([4, 11])).numpy()
    _close(w, BOOK_ROWS, atol=1e-7)
    assert (w[0, 4:] == 0).all()                 # exactly 0, not paddle's clipped exp(-64)
    _close(w.sum(-1), [1.0, 1.0], atol=1e-6)


QKV_Q = [[[0.04542791, 0.85057974, 0.33361533], [0.946391, 0.23847368, 0.36302885]],
         [[0.76614064, 0.37495252, 0.33336037], [0.63866454, 0.9760425, 0.5480451]]]
QKV_K = [[[0.6862119, 0.1342062, 0.26786622], [0.17106912, 0.677116, 0.06587131]],
         [[0.6739144, 0.5215646, 0.44378713], [0.04872252, 0.88483167, 0.71042657]]]
QKV_V = [[[7.9257507e-04, 2.5841364e-01, 8.8483751e-01], [9.9241227e-01, 7.3286706e-01, 2.2684735e-01]],
         [[1.4830844e-01, 9.9669349e-01, 3.9105463e-01], [5.9856153e-01, 1.6353825e-01, 1.5453905e-01]]]
QKV_CONTEXT = [[[7.9257507e-04, 2.5841364e-01, 8.8483751e-01], [7.9257507e-04, 2.5841364e-01, 8.8483751e-01]],
               [[3.5696453e-01, 6.1059302e-01, 2.8144866e-01], [3.8002339e-01, 5.6792462e-01, 2.6933601e-01]]]
QKV_WEIGHTS = [[[1.0, 0.0], [1.0, 0.0]], [[0.5365804, 0.46341962], [0.4853674, 0.51463264]]]


@pytest.mark.parametrize("valid_lens", [[1, 1, 2, 2], [1, 2], [[1, 1], [2, 2]]],
                         ids=["per-query-row (book)", "per-sequence", "2-D"])
def test_qkv_attention_reproduces_the_printed_example(valid_lens):
    # 8.2.1.2 (L12761-12781), the printed Q, K, V; the class printed as QKVAAttention
    assert QKVAAttention is QKVAttention
    att = QKVAAttention(3)
    out = att(paddle.to_tensor(QKV_Q), paddle.to_tensor(QKV_K), paddle.to_tensor(QKV_V),
              paddle.to_tensor(valid_lens))
    _close(out.numpy(), QKV_CONTEXT, atol=1e-6)
    _close(att.attention_weights.numpy(), QKV_WEIGHTS, atol=1e-6)
    assert (att.attention_weights.numpy()[0, :, 1] == 0).all()


# -------------------------------------------------------------------- masks

def test_masks_are_integer_comparisons_for_any_length_dtype():
    # the book's float32 arange < int64 valid_lens (L12209) raises on paddle 3 and compares on
    # paddle 2.6 (nndl.compat.MIXED_INT_FLOAT_COMPARE_RAISES); nndl's masks are the same on both
    book_lhs, book_rhs = paddle.arange(4, dtype="float32").unsqueeze(0), paddle.to_tensor([[2]], dtype="int64")
    if compat.MIXED_INT_FLOAT_COMPARE_RAISES:
        with pytest.raises(TypeError):
            _ = book_lhs < book_rhs
    else:
        assert (book_lhs < book_rhs).numpy().tolist() == [[True, True, False, False]]
    for dtype in ("int32", "int64", "float32"):
        mask = sequence_mask(paddle.to_tensor([1, 3], dtype=dtype), 4).numpy()
        assert mask.tolist() == [[True, False, False, False], [True, True, True, False]]


def test_padded_positions_get_zero_weight_and_do_not_change_the_context():
    rs = np.random.RandomState(0)
    X = rs.randn(3, 6, 8).astype("float32")
    lens = paddle.to_tensor([2, 6, 4])
    for use_additive in (True, False):
        paddle.seed(1)
        att = Attention(8, use_additive=use_additive)
        ctx = att(paddle.to_tensor(X), lens).numpy()
        w = att.attention_weights.numpy()
        assert (w[0, 2:] == 0).all() and (w[2, 4:] == 0).all()
        _close(w.sum(-1), np.ones(3), atol=1e-6)
        X2 = X.copy()
        X2[0, 2:] = 1e3                      # garbage in the padding
        X2[2, 4:] = -1e3
        _close(att(paddle.to_tensor(X2), lens).numpy(), ctx, atol=1e-6)


def test_multi_head_padding_does_not_reach_valid_positions():
    paddle.seed(3)
    mhsa = MultiHeadSelfAttention(8, heads_num=2)
    rs = np.random.RandomState(1)
    X = rs.randn(2, 5, 8).astype("float32")
    lens = paddle.to_tensor([3, 5])
    out = mhsa(paddle.to_tensor(X), lens).numpy()
    w = mhsa.attention.attention_weights.numpy()            # [B*M, L, L]
    assert w.shape == (4, 5, 5)
    assert (w[:2, :, 3:] == 0).all()                        # both heads of sequence 0
    X2 = X.copy()
    X2[0, 3:] = 50.0
    _close(mhsa(paddle.to_tensor(X2), lens).numpy()[0, :3], out[0, :3], atol=1e-5)


# -------------------------------------------------------------------- scoring functions

def test_additive_and_dot_scores_follow_their_formulas():
    rs = np.random.RandomState(2)
    X = rs.randn(2, 5, 4).astype("float32")
    paddle.seed(5)
    add = AdditiveScore(4)
    W, U, v, q = (p.numpy().astype("float64") for p in (add.W.weight, add.U.weight, add.v.weight, add.q))
    want = (np.tanh(X @ W + q @ U) @ v)[..., 0]             # eq. 8.3: v^T tanh(XW + q^T U)
    _close(add(paddle.to_tensor(X)).numpy(), want, atol=1e-5)
    assert add.q.shape == [1, 4] and -0.5 <= add.q.numpy().min() and add.q.numpy().max() <= 0.5
    dot = DotProductScore(4)
    _close(dot(paddle.to_tensor(X)).numpy(), (X @ dot.q.numpy())[..., 0], atol=1e-5)   # eq. 8.4


def test_exercise_8_1_scores_follow_their_formulas_and_are_selectable():
    rs = np.random.RandomState(8)
    X = rs.randn(2, 5, 4).astype("float32")
    scaled = ScaledDotProductScore(4)
    _close(scaled(paddle.to_tensor(X)).numpy(), (X @ scaled.q.numpy())[..., 0] / 2.0, atol=1e-5)
    bil = BilinearScore(4)
    _close(bil(paddle.to_tensor(X)).numpy(), (X @ bil.W.weight.numpy() @ bil.q.numpy())[..., 0], atol=1e-5)
    for name, cls in (("additive", AdditiveScore), ("dot", DotProductScore), ("scaled_dot", ScaledDotProductScore),
                      ("bilinear", BilinearScore)):
        att = Attention(4, score=name)
        assert type(att.scores) is cls and att.use_additive == (name == "additive")
        assert type(Model_LSTMAttention(2, 4, 10, score=name).attention.scores) is cls
    assert type(Attention(4, use_additive=True).scores) is AdditiveScore      # the book's switch
    assert type(Attention(4).scores) is DotProductScore
    with pytest.raises(ValueError, match="score must be one of"):
        Attention(4, score="cosine")


def test_exercise_8_2_simple_self_attention_is_eq_8_7_with_padding_masked():
    X = np.random.RandomState(9).randn(2, 4, 3).astype("float32")
    att = SimpleSelfAttention()
    out = att(paddle.to_tensor(X), paddle.to_tensor([4, 2])).numpy()
    s = X[0] @ X[0].T
    w = np.exp(s - s.max(-1, keepdims=True))
    _close(out[0], (w / w.sum(-1, keepdims=True)) @ X[0], atol=1e-5)           # eq. 8.7
    assert (att.attention_weights.numpy()[1, :, 2:] == 0).all()
    X2 = X.copy()
    X2[1, 2:] = 9.0
    _close(att(paddle.to_tensor(X2), paddle.to_tensor([4, 2])).numpy()[1, :2], out[1, :2], atol=1e-5)
    model = Model_LSTMAttention(3, 4, 10, n_classes=2, self_attention=SimpleSelfAttention())
    assert model((paddle.to_tensor([[1, 2, 3], [4, 5, 0]]), paddle.to_tensor([3, 2]))).shape == [2, 2]


def test_attention_gradient_matches_finite_difference_in_float64():
    from nndl.gradcheck import numerical_grad, rel_error
    paddle.seed(7)
    paddle.set_default_dtype("float64")
    try:
        att = Attention(4, use_additive=True)
    finally:
        paddle.set_default_dtype("float32")
    assert all(p.dtype == paddle.float64 for p in att.parameters())
    X = np.random.RandomState(3).randn(2, 5, 4)
    lens = paddle.to_tensor([3, 5])
    up = paddle.to_tensor(np.random.RandomState(4).randn(2, 4))
    xt = paddle.to_tensor(X, stop_gradient=False)
    (g,) = paddle.grad((att(xt, lens) * up).sum(), [xt])
    fd = numerical_grad(lambda t: (att(t, lens) * up).sum(), X)
    assert rel_error(g.numpy(), fd) < 1e-6
    assert np.abs(g.numpy()[0, 3:]).max() == 0               # padding gets no gradient


# -------------------------------------------------------------------- parity with paddle

def _copy_projections(ours, ref):
    for mine, theirs in ((ours.Q_proj, ref.q_proj), (ours.K_proj, ref.k_proj), (ours.V_proj, ref.v_proj),
                         (ours.out_proj, ref.out_proj)):
        theirs.weight.set_value(mine.weight.numpy())
        theirs.bias.set_value(mine.bias.numpy())


def test_multi_head_self_attention_matches_paddle_values_and_gradients():
    paddle.seed(11)
    B, L, D, M = 3, 7, 16, 4
    ours = MultiHeadSelfAttention(D, heads_num=M)
    ref = paddle.nn.MultiHeadAttention(D, M, need_weights=True)
    _copy_projections(ours, ref)
    X = np.random.RandomState(5).randn(B, L, D).astype("float32")
    lens = paddle.to_tensor([7, 4, 1])
    mask = (paddle.arange(L).unsqueeze(0) < lens.unsqueeze(1)).unsqueeze([1, 2])   # [B,1,1,L], True = keep
    up = paddle.to_tensor(np.random.RandomState(6).randn(B, L, D).astype("float32"))

    x1 = paddle.to_tensor(X, stop_gradient=False)
    out1 = ours(x1, lens)
    x2 = paddle.to_tensor(X, stop_gradient=False)
    out2, w2 = ref(x2, attn_mask=mask)
    _close(out1.numpy(), out2.numpy(), atol=1e-5)
    _close(ours.attention.attention_weights.numpy().reshape(B, M, L, L), w2.numpy(), atol=1e-6)

    params1 = [ours.Q_proj.weight, ours.K_proj.bias, ours.V_proj.weight, ours.out_proj.weight]
    params2 = [ref.q_proj.weight, ref.k_proj.bias, ref.v_proj.weight, ref.out_proj.weight]
    g1 = paddle.grad((out1 * up).sum(), [x1] + params1)
    g2 = paddle.grad((out2 * up).sum(), [x2] + params2)
    for a, b in zip(g1, g2):
        _close(a.numpy(), b.numpy(), atol=1e-4, rtol=1e-4)


def test_multi_head_without_lengths_matches_paddle_without_mask():
    paddle.seed(12)
    ours = MultiHeadSelfAttention(8, heads_num=2)
    ref = paddle.nn.MultiHeadAttention(8, 2)
    _copy_projections(ours, ref)
    X = paddle.to_tensor(np.random.RandomState(7).randn(2, 3, 8).astype("float32"))
    _close(ours(X).numpy(), ref(X).numpy(), atol=1e-5)


def test_multi_head_without_bias_is_the_walk_through_formula():
    # exercise 8.3 / eqs. 8.12-8.16 without biases: concat_m softmax(Q_m K_m^T / sqrt(D_m)) V_m, then W'
    paddle.seed(14)
    mhsa = MultiHeadSelfAttention(6, heads_num=2, bias_attr=False)
    assert mhsa.Q_proj.bias is None and mhsa.out_proj.bias is None
    X = np.random.RandomState(10).randn(1, 4, 6)
    W = {k: getattr(mhsa, k).weight.numpy().astype("float64") for k in ("Q_proj", "K_proj", "V_proj", "out_proj")}
    Q, K, V = X[0] @ W["Q_proj"], X[0] @ W["K_proj"], X[0] @ W["V_proj"]
    heads = []
    for m in range(2):
        sl = slice(3 * m, 3 * m + 3)
        s = Q[:, sl] @ K[:, sl].T / np.sqrt(3)
        w = np.exp(s - s.max(-1, keepdims=True))
        heads.append((w / w.sum(-1, keepdims=True)) @ V[:, sl])
    want = np.concatenate(heads, -1) @ W["out_proj"]
    _close(mhsa(paddle.to_tensor(X.astype("float32"))).numpy()[0], want, atol=1e-5)


def test_split_head_reshape_groups_features_by_head():
    X = np.arange(2 * 3 * 6, dtype="float32").reshape(2, 3, 6)
    out = split_head_reshape(paddle.to_tensor(X), 3, 2).numpy()
    assert out.shape == (6, 3, 2)
    # sample b, head m is row b*M + m; head m holds features 2m, 2m+1
    _close(out[1 * 3 + 2], X[1][:, 4:6], atol=0)


# -------------------------------------------------------------------- models

def test_lstm_models_run_and_ignore_padding():
    paddle.seed(13)
    ids = paddle.to_tensor([[3, 4, 5, 0, 0], [6, 7, 8, 9, 2]])
    lens = paddle.to_tensor([3, 5])
    for model in (Model_LSTMAttention(6, 8, 10, n_classes=2, use_additive=True),
                  Model_LSTMAttention(6, 8, 10, n_classes=2),
                  Model_LSTMSeftAttention(8, 8, 10, n_classes=2)):       # attention=None: MHSA(16, 8)
        model.eval()
        logits = model((ids, lens)).numpy()
        assert logits.shape == (2, 2) and np.isfinite(logits).all()
        ids2 = paddle.to_tensor([[3, 4, 5, 7, 1], [6, 7, 8, 9, 2]])   # other tokens in the padding
        _close(model((ids2, lens)).numpy(), logits, atol=1e-5)
    assert Model_LSTMSelfAttention is Model_LSTMSeftAttention


# -------------------------------------------------------------------- bad input

def test_valid_lens_of_the_wrong_length_is_an_error():
    with pytest.raises(ValueError, match=r"valid_lens must have shape \[2\]"):
        masked_softmax(paddle.rand([2, 5]), paddle.to_tensor([1, 2, 3]))
    with pytest.raises(ValueError, match="valid_lens"):
        QKVAttention(3)(*(paddle.to_tensor(t) for t in (QKV_Q, QKV_K, QKV_V)), paddle.to_tensor([1, 2, 2]))
    with pytest.raises(ValueError, match="valid_lens"):
        MultiHeadSelfAttention(4, 2)(paddle.rand([2, 3, 4]), paddle.to_tensor([1, 2, 3, 3]))
    with pytest.raises(ValueError, match="valid_lens"):
        Attention(4)(paddle.rand([2, 3, 4]), paddle.to_tensor([3]))
    with pytest.raises(ValueError, match="valid_lens"):
        Model_LSTMAttention(4, 4, 10, n_classes=2)((paddle.to_tensor([[1, 2], [3, 4]]), paddle.to_tensor([2])))
    with pytest.raises(ValueError, match=r"valid_lens must lie in 1..2"):
        Model_LSTMAttention(4, 4, 10, n_classes=2)((paddle.to_tensor([[1, 2], [3, 4]]), paddle.to_tensor([2, 3])))
    with pytest.raises(ValueError, match=">= 0"):
        masked_softmax(paddle.rand([2, 5]), paddle.to_tensor([-1, 2]))
    with pytest.raises(ValueError, match="whole numbers"):
        masked_softmax(paddle.rand([2, 5]), paddle.to_tensor([1.5, 2.0]))


def test_hidden_size_not_divisible_by_heads_is_an_error():
    with pytest.raises(ValueError, match=r"inputs_size \(10\) must be divisible by heads_num \(4\)"):
        MultiHeadSelfAttention(10, 4)
    with pytest.raises(ValueError, match="heads_num"):
        split_head_reshape(paddle.rand([1, 2, 10]), 4, 2)


def test_wrong_feature_size_and_token_ids_beyond_the_vocabulary_are_errors():
    with pytest.raises(ValueError, match=r"\[batch_size, seq_len, 4\]"):
        DotProductScore(4)(paddle.rand([1, 3, 5]))
    with pytest.raises(ValueError, match=r"\[batch_size, seq_len, 8\]"):
        MultiHeadSelfAttention(8, 2)(paddle.rand([1, 3, 6]))
    model = Model_LSTMAttention(4, 4, 10, n_classes=2)
    with pytest.raises(ValueError, match=r"input_ids must lie in \[0, 9\]"):
        model((paddle.to_tensor([[1, 10]]), paddle.to_tensor([2])))
    with pytest.raises(ValueError, match="2\\*hidden_size"):
        Model_LSTMSeftAttention(8, 8, 10, attention=MultiHeadSelfAttention(8, 2))
