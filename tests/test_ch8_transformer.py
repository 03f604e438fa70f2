"""Chapter 8.3.2: the embeddings (padding row, sinusoid table), the Transformer block
against paddle.nn.TransformerEncoderLayer, Model_Transformer's padding mask, bad input,
and the figure helpers' CJK fallback."""
import math
import warnings

import numpy as np
import paddle
import pytest

from nndl.transformer import (AddNorm, Model_Transformer, PositionalEmbedding, PositionwiseFFN,
                              SegmentEmbedding, TransformerBlock, TransformerEmbeddings, WordEmbedding,
                              get_sinusoid_encoding, plot_attention_heads)


def _close(a, b, atol, rtol=0.0):
    a, b = np.asarray(a), np.asarray(b)
    assert np.isfinite(a).all() and np.isfinite(b).all()
    np.testing.assert_allclose(a, b, atol=atol, rtol=rtol, equal_nan=False)


def test_word_embedding_padding_row_is_zero_and_gets_no_gradient():
    # 8.3.2.1 prints WordEmbedding(10, 4) on [1, 0, 2]: the middle row is [0, 0, 0, 0]
    paddle.seed(2021)
    emb = WordEmbedding(10, 4)
    out = emb(paddle.to_tensor([1, 0, 2]))
    assert (out.numpy()[1] == 0).all()
    table = emb.word_embedding.weight.numpy()
    _close(out.numpy()[[0, 2]], 2.0 * table[[1, 2]], atol=1e-6)        # x sqrt(emb_size)
    out.sum().backward()
    grad = emb.word_embedding.weight.grad.numpy()
    assert (grad[0] == 0).all() and (grad[1] != 0).all()
    # N(0, emb_size^-0.5): the standard deviation of a large table
    big = WordEmbedding(2000, 64).word_embedding.weight.numpy()[1:]
    assert abs(big.std() - 64 ** -0.5) < 0.01


def test_segment_embedding_looks_up_two_rows():
    seg = SegmentEmbedding(2, 4)
    out = seg(paddle.to_tensor([0, 0, 1, 1])).numpy()
    _close(out, seg.seg_embedding.weight.numpy()[[0, 0, 1, 1]], atol=0)


def test_sinusoid_table_is_the_formula():
    table = get_sinusoid_encoding(50, 20)
    assert table.dtype == np.float32 and table.shape == (50, 20)
    assert table[0].tolist() == [0.0, 1.0] * 10
    _close(table[1, :4], [0.84147096, 0.5403023, 0.38767424, 0.92179644], atol=1e-7)
    for pos in (0, 1, 7, 49):                      # eqs. 8.22-8.23, element by element
        for j in range(20):
            angle = pos / 10000 ** (2 * (j // 2) / 20)
            want = math.sin(angle) if j % 2 == 0 else math.cos(angle)
            assert abs(table[pos, j] - want) < 1e-7, (pos, j)


def test_positional_embedding_is_the_frozen_table():
    pe = PositionalEmbedding(max_length=30, emb_size=8)
    out = pe(paddle.arange(30).reshape([1, 30]))
    _close(out.numpy()[0], get_sinusoid_encoding(30, 8), atol=0)
    assert out.stop_gradient and pe.pos_encoder.weight.stop_gradient
    # an optimizer leaves it alone (the book only stops the gradient at the output)
    emb = TransformerEmbeddings(20, hidden_size=8, hidden_dropout_prob=0.0, position_size=30)
    before = emb.position_embeddings.pos_encoder.weight.numpy().copy()
    opt = paddle.optimizer.AdamW(learning_rate=0.1, parameters=emb.parameters(), weight_decay=0.5)
    emb(paddle.to_tensor([[1, 2, 3]])).sum().backward()
    opt.step()
    _close(emb.position_embeddings.pos_encoder.weight.numpy(), before, atol=0)


def test_transformer_embeddings_sum_the_three_codes():
    paddle.seed(4)
    emb = TransformerEmbeddings(20, hidden_size=8, hidden_dropout_prob=0.0, position_size=16)
    emb.layer_norm.weight.set_value(np.full(8, 1.0, dtype="float32"))
    ids = paddle.to_tensor([[2, 5, 7, 0]])
    seg = paddle.to_tensor([[0, 0, 1, 1]])
    got = emb(ids, seg).numpy()[0]
    raw = (math.sqrt(8) * emb.word_embeddings.word_embedding.weight.numpy()[[2, 5, 7, 0]]
           + emb.segment_embeddings.seg_embedding.weight.numpy()[[0, 0, 1, 1]]
           + get_sinusoid_encoding(4, 8))
    raw[3] -= math.sqrt(8) * emb.word_embeddings.word_embedding.weight.numpy()[0]   # [PAD] row is zero
    want = (raw - raw.mean(-1, keepdims=True)) / np.sqrt(raw.var(-1, keepdims=True) + 1e-5)
    _close(got, want, atol=1e-5)
    _close(emb(ids).numpy(), emb(ids, paddle.zeros_like(ids)).numpy(), atol=0)     # segment_ids None


def _copy_block(block, ref, rs):
    """Copy our block's weights into paddle's encoder layer, with distinct random LayerNorms."""
    mha, rmha = block.multi_head_attention, ref.self_attn
    for name in ("q_proj", "k_proj", "v_proj", "out_proj"):
        for attr in ("weight", "bias"):
            getattr(getattr(rmha, name), attr).set_value(getattr(getattr(mha, name), attr).numpy())
    for mine, theirs in ((block.ffn.W_1, ref.linear1), (block.ffn.W_2, ref.linear2)):
        theirs.weight.set_value(mine.weight.numpy())
        theirs.bias.set_value(mine.bias.numpy())
    for mine, theirs in ((block.addnorm.layer_norm, ref.norm1), (block.addnorm2.layer_norm, ref.norm2)):
        w = (1.0 + 0.3 * rs.randn(*mine.weight.shape)).astype("float32")
        b = (0.3 * rs.randn(*mine.bias.shape)).astype("float32")
        mine.weight.set_value(w)
        mine.bias.set_value(b)
        theirs.weight.set_value(w)
        theirs.bias.set_value(b)


def test_transformer_block_matches_paddle_encoder_layer_values_and_gradients():
    paddle.seed(21)
    B, L, D, H, F = 2, 6, 16, 4, 32
    block = TransformerBlock(D, H, F, dropout=0.0)
    ref = paddle.nn.TransformerEncoderLayer(D, H, F, dropout=0.0, activation="relu", normalize_before=False)
    _copy_block(block, ref, np.random.RandomState(0))
    X = np.random.RandomState(1).randn(B, L, D).astype("float32")
    mask = paddle.to_tensor(np.array([[0.0] * 6, [0.0] * 3 + [-1e9] * 3], dtype="float32")).unsqueeze([1, 2])
    up = paddle.to_tensor(np.random.RandomState(2).randn(B, L, D).astype("float32"))
    x1 = paddle.to_tensor(X, stop_gradient=False)
    out1, weights = block(x1, src_mask=mask)
    x2 = paddle.to_tensor(X, stop_gradient=False)
    out2 = ref(x2, src_mask=mask)
    _close(out1.numpy(), out2.numpy(), atol=1e-5)
    assert list(weights.shape) == [B, H, L, L]
    g1 = paddle.grad((out1 * up).sum(), [x1, block.addnorm.layer_norm.weight, block.addnorm2.layer_norm.weight,
                                         block.ffn.W_1.weight])
    g2 = paddle.grad((out2 * up).sum(), [x2, ref.norm1.weight, ref.norm2.weight, ref.linear1.weight])
    for a, b in zip(g1, g2):
        _close(a.numpy(), b.numpy(), atol=1e-4, rtol=1e-4)


def test_each_add_norm_has_its_own_layer_norm():
    block = TransformerBlock(8, 2, 16)
    assert block.addnorm.layer_norm is not block.addnorm2.layer_norm
    names = [n for n, _ in block.named_parameters() if "layer_norm" in n]
    assert len(names) == 4          # two weights, two biases


def test_add_norm_and_ffn_formulas():
    paddle.seed(5)
    X = paddle.rand([2, 3, 4])
    H = paddle.rand([2, 3, 4])
    an = AddNorm(4, 0.0)
    s = (X + H).numpy()
    _close(an(X, H).numpy(), (s - s.mean(-1, keepdims=True)) / np.sqrt(s.var(-1, keepdims=True) + 1e-5), atol=1e-5)
    ffn = PositionwiseFFN(4, 6, dropout=0.0)
    want = np.maximum(X.numpy() @ ffn.W_1.weight.numpy() + ffn.W_1.bias.numpy(), 0) @ ffn.W_2.weight.numpy() \
        + ffn.W_2.bias.numpy()
    _close(ffn(X).numpy(), want, atol=1e-5)


def test_model_transformer_ignores_padding():
    paddle.seed(6)
    model = Model_Transformer(30, n_block=2, hidden_size=16, heads_num=4, intermediate_size=32, position_size=20)
    model.eval()
    ids = paddle.to_tensor([[2, 5, 6, 3, 7, 3], [2, 8, 3, 9, 3, 0]])
    seg = paddle.to_tensor([[0, 0, 0, 1, 1, 1], [0, 0, 0, 1, 1, 0]])
    logits = model((ids, seg)).numpy()
    w = model.attention_weights[0].numpy()
    assert len(model.attention_weights) == 2 and w.shape == (2, 4, 6, 6)
    assert w[1, :, :, 5].max() < 1e-20                      # the [PAD] key gets no weight
    pad = paddle.zeros([2, 4], dtype="int64")                # four more [PAD] columns
    longer = model((paddle.concat([ids, pad], 1), paddle.concat([seg, pad], 1))).numpy()
    _close(longer, logits, atol=1e-5)


# -------------------------------------------------------------------- bad input

def test_bad_input_errors():
    with pytest.raises(ValueError, match=r"hidden_size \(30\) must be divisible by heads_num \(4\)"):
        Model_Transformer(10, hidden_size=30, heads_num=4)
    with pytest.raises(ValueError, match="divisible"):
        TransformerBlock(10, 3, 8)
    model = Model_Transformer(10, n_block=1, hidden_size=8, heads_num=2, intermediate_size=8, position_size=5)
    seg = paddle.zeros([1, 3], dtype="int64")
    with pytest.raises(ValueError, match=r"input_ids must lie in \[0, 9\].*got values in \[1, 12\]"):
        model((paddle.to_tensor([[1, 12, 3]]), seg))
    with pytest.raises(ValueError, match=r"sequence length 6 exceeds the position table \(position_size=5\)"):
        model((paddle.ones([1, 6], dtype="int64"), paddle.zeros([1, 6], dtype="int64")))
    with pytest.raises(ValueError, match="segment_ids must lie"):
        model((paddle.to_tensor([[1, 2, 3]]), paddle.to_tensor([[0, 1, 2]])))
    with pytest.raises(ValueError, match="position_ids must lie"):
        model((paddle.to_tensor([[1, 2, 3]]), seg), position_ids=paddle.to_tensor([[0, 1, 5]]))
    with pytest.raises(TypeError, match="integer ids"):
        WordEmbedding(10, 4)(paddle.to_tensor([1.0, 2.0]))


# -------------------------------------------------------------------- figure 8.19

def test_attention_heads_without_a_cjk_font_use_code_points_and_warn_nothing():
    import matplotlib
    matplotlib.use("Agg")
    tokens = ["[CLS]", "电", "脑", "[SEP]"]
    w = np.random.RandomState(0).rand(2, 4, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                 # a missing glyph would warn at draw time
        fig = plot_attention_heads(w, tokens, font_path=None)
        fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == ["[CLS]", "U+7535", "U+8111", "[SEP]"]
    with pytest.raises(ValueError, match="tokens"):
        plot_attention_heads(w, tokens[:3], font_path=None)


def test_cjk_font_takes_only_a_font_that_has_the_glyphs(monkeypatch, tmp_path):
    import matplotlib
    from matplotlib import font_manager
    import nndl.datasets.base as base
    import nndl.transformer as tr

    dejavu = font_manager.findfont("DejaVu Sans")
    assert tr._covers(dejavu, "abc") and not tr._covers(dejavu, "电脑")
    assert not tr._covers(tmp_path / "not-a-font.otf", "a")
    monkeypatch.setattr(tr, "_CJK_FAMILIES", ())                      # no system CJK font
    monkeypatch.setattr(base, "package_file", lambda dist, rel: dejavu)   # a package font without the glyphs
    assert tr.cjk_font("电脑") is None
    assert tr.cjk_font("abc") == dejavu                               # one that has them is taken
    monkeypatch.setattr(base, "package_file", lambda dist, rel: None)     # mplfonts not installed
    assert tr.cjk_font("电脑") is None
