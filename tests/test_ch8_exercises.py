"""Exercises 8.4 and 8.7: the attention-only text classifier (Model_SelfAttention) and its
blindness to word order, the per-head attention measures (attention_head_patterns), and the
two chapter scripts in quick mode."""
import numpy as np
import paddle
import pytest

from nndl.attention import Model_LSTMSeftAttention, Model_SelfAttention, MultiHeadSelfAttention
from nndl.transformer import HEAD_PATTERNS, attention_head_patterns, get_sinusoid_encoding


def _close(a, b, atol, rtol=0.0):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert np.isfinite(a).all() and np.isfinite(b).all()
    np.testing.assert_allclose(a, b, atol=atol, rtol=rtol)


def _batch(rng, vocab=30, lens=(7, 4, 9), L=9):
    ids = np.zeros((len(lens), L), dtype="int64")
    for b, n in enumerate(lens):
        ids[b, :n] = rng.integers(1, vocab, n)
    return ids, np.array(lens, dtype="int64")


def _shuffled(ids, lens, rng):
    out = ids.copy()
    for row, n in zip(out, lens):
        row[:n] = row[:n][rng.permutation(int(n))]
    assert (out != ids).any()
    return out


def _logits(model, ids, lens):
    model.eval()
    with paddle.no_grad():
        return model((paddle.to_tensor(ids), paddle.to_tensor(lens))).numpy()


# -------------------------------------------------------------------- exercise 8.4

def test_attention_only_model_is_embedding_attention_mean_linear():
    paddle.seed(3)
    rng = np.random.default_rng(0)
    model = Model_SelfAttention(16, 30, n_classes=3, attention=MultiHeadSelfAttention(16, heads_num=4))
    ids, lens = _batch(rng)
    got = _logits(model, ids, lens)
    X = paddle.to_tensor(model.embedding.weight.numpy()[ids])
    with paddle.no_grad():
        H = model.attention(X, paddle.to_tensor(lens)).numpy()
    pooled = np.stack([H[b, :n].mean(0) for b, n in enumerate(lens)])
    expected = pooled @ model.cls_fc.weight.numpy() + model.cls_fc.bias.numpy()
    _close(got, expected, atol=1e-5)
    assert got.shape == (3, 3)


def test_attention_only_model_default_attention_and_padding():
    paddle.seed(4)
    rng = np.random.default_rng(1)
    model = Model_SelfAttention(32, 30, n_classes=2)
    assert isinstance(model.attention, MultiHeadSelfAttention) and model.attention.heads_num == 8
    assert model.position is None
    ids, lens = _batch(rng)
    other_pads = ids.copy()
    for row, n in zip(other_pads, lens):
        row[n:] = rng.integers(1, 30, len(row) - n)      # what stands in the padded positions does not matter
    longer = np.concatenate([ids, np.zeros((3, 4), dtype="int64")], axis=1)
    _close(_logits(model, other_pads, lens), _logits(model, ids, lens), atol=1e-6)
    _close(_logits(model, longer, lens), _logits(model, ids, lens), atol=1e-6)


def test_permuting_the_words_changes_nothing_without_lstm_or_positions():
    """The exercise's reason: self-attention + average pooling is a function of the bag of words."""
    rng = np.random.default_rng(2)
    ids, lens = _batch(rng)
    shuffled = _shuffled(ids, lens, rng)
    paddle.seed(5)
    attention_only = Model_SelfAttention(16, 30, n_classes=2, attention=MultiHeadSelfAttention(16, heads_num=4))
    _close(_logits(attention_only, shuffled, lens), _logits(attention_only, ids, lens), atol=1e-5)
    paddle.seed(5)
    with_lstm = Model_LSTMSeftAttention(8, 16, 30, n_classes=2, attention=MultiHeadSelfAttention(16, heads_num=4))
    assert np.abs(_logits(with_lstm, shuffled, lens) - _logits(with_lstm, ids, lens)).max() > 1e-3
    paddle.seed(5)
    with_positions = Model_SelfAttention(16, 30, n_classes=2, attention=MultiHeadSelfAttention(16, heads_num=4),
                                         position_size=32)
    assert np.abs(_logits(with_positions, shuffled, lens) - _logits(with_positions, ids, lens)).max() > 1e-3


def test_position_encoding_is_the_fixed_sinusoid_added_to_the_word_vectors():
    paddle.seed(6)
    rng = np.random.default_rng(3)
    model = Model_SelfAttention(16, 30, n_classes=2, attention=MultiHeadSelfAttention(16, heads_num=2),
                                position_size=12)
    ids, lens = _batch(rng)
    X = model.embedding.weight.numpy()[ids] + get_sinusoid_encoding(12, 16)[: ids.shape[1]][None]
    with paddle.no_grad():
        H = model.attention(paddle.to_tensor(X.astype("float32")), paddle.to_tensor(lens)).numpy()
    pooled = np.stack([H[b, :n].mean(0) for b, n in enumerate(lens)])
    _close(_logits(model, ids, lens), pooled @ model.cls_fc.weight.numpy() + model.cls_fc.bias.numpy(), atol=1e-5)
    trainable = {p.name for p in model.parameters() if not p.stop_gradient}
    assert model.position.pos_encoder.weight.name not in trainable      # the table is not trained


def test_attention_only_model_bad_input():
    with pytest.raises(ValueError, match=r"^attention works on 32 features, but the word vectors have "
                                         r"embedding_size = 16$"):
        Model_SelfAttention(16, 30, attention=MultiHeadSelfAttention(32, heads_num=4))
    model = Model_SelfAttention(16, 30, attention=MultiHeadSelfAttention(16, heads_num=4), position_size=5)
    with pytest.raises(ValueError, match="input_ids must lie in"):
        model((paddle.to_tensor([[1, 30]]), paddle.to_tensor([2])))
    with pytest.raises(ValueError, match="position_ids must lie in"):
        model((paddle.to_tensor([[1, 2, 3, 4, 5, 6]]), paddle.to_tensor([6])))
    with pytest.raises(TypeError, match="inputs must be"):
        model(paddle.to_tensor([[1, 2]]))


# -------------------------------------------------------------------- exercise 8.7: head measures

CLS, SEP = 101, 102
# [CLS] a b c [SEP] b d [SEP] [PAD] [PAD]: 'b' occurs in both sentences
IDS = np.array([[CLS, 5, 6, 7, SEP, 6, 8, SEP, 0, 0]])
SEG = np.array([[0, 0, 0, 0, 0, 1, 1, 1, 0, 0]])
N = 8


def _heads(*rows_per_head):
    """[1, heads, 10, 10] weights from [8, 8] matrices over the valid positions."""
    w = np.zeros((1, len(rows_per_head), 10, 10))
    for h, m in enumerate(rows_per_head):
        w[0, h, :N, :N] = m
        w[0, h, N:, :N] = 1.0 / N                     # padded query rows: ignored
    return w


def test_head_measures_of_known_heads():
    identity, uniform, to_cls = np.eye(N), np.full((N, N), 1.0 / N), np.zeros((N, N))
    to_cls[:, 0] = 1.0
    prev = np.eye(N, k=-1)
    prev[0, 0] = 1.0
    measured, base = attention_head_patterns(_heads(identity, uniform, to_cls, prev), IDS, SEG, CLS, SEP)
    assert set(measured) == set(HEAD_PATTERNS) == set(base)
    _close(measured["to_self"], [1, 1 / N, 1 / 8, 1 / 8], atol=1e-12)   # prev: only row 0 on itself
    _close(measured["entropy"], [0, np.log(N), 0, 0], atol=1e-12)
    _close(measured["entropy_ratio"], [0, 1, 0, 0], atol=1e-12)
    _close(measured["to_cls"], [1 / N, 1 / N, 1, 2 / N], atol=1e-12)   # prev: rows 0 and 1
    _close(measured["to_sep"], [2 / N, 2 / N, 0, 1 / N], atol=1e-12)   # prev: row 5 -> 4
    _close(measured["to_prev"], [0, 1 / N, 1 / 7, 1], atol=1e-12)      # rows 1..7; to_cls: only row 1
    _close(measured["to_next"], [0, 1 / N, 0, 0], atol=1e-12)
    _close(measured["to_top_key"], [1 / N, 1 / N, 1, 2 / N], atol=1e-12)   # prev: key 0 gets rows 0 and 1
    for name in HEAD_PATTERNS:                                          # the uniform head is the baseline
        _close(measured[name][1], base[name], atol=1e-12)
    _close([base["to_cls"], base["to_sep"], base["to_self"], base["entropy"]], [1 / N, 2 / N, 1 / N, np.log(N)],
           atol=1e-12)
    # characters a b c | b d: from A 2 keys of B, from B 3 keys of A -> (3*2 + 2*3) / 5 / 8
    _close(base["to_other_sentence"], (3 * 2 + 2 * 3) / 5 / N, atol=1e-12)
    _close(base["to_same_char_other"], 1 / N, atol=1e-12)


def test_head_measures_across_sentences_and_unknown_characters():
    match = np.eye(N)
    match[2], match[5] = 0.0, 0.0
    match[2, 5] = match[5, 2] = 1.0                  # the two 'b' look at each other
    measured, _ = attention_head_patterns(_heads(match), IDS, SEG, CLS, SEP)
    _close(measured["to_same_char_other"], [1.0], atol=1e-12)
    _close(measured["to_other_sentence"], [2 / 5], atol=1e-12)    # 2 of the 5 character rows look across
    measured, base = attention_head_patterns(_heads(match), IDS, SEG, CLS, SEP, unk_id=6)
    assert np.isnan(measured["to_same_char_other"]).all() and np.isnan(base["to_same_char_other"])


def test_head_measures_agree_with_a_loop_on_random_weights():
    rng = np.random.default_rng(7)
    ids = np.array([[CLS, 5, 6, 7, SEP, 6, 8, 9, SEP, 0], [CLS, 4, SEP, 4, 4, SEP, 0, 0, 0, 0]])
    seg = np.array([[0, 0, 0, 0, 0, 1, 1, 1, 1, 0], [0, 0, 0, 1, 1, 1, 0, 0, 0, 0]])
    w = rng.random((2, 3, 10, 10)) * (ids[:, None, None, :] != 0)
    w /= w.sum(-1, keepdims=True)
    measured, _ = attention_head_patterns(w.astype("float32"), ids, seg, CLS, SEP)
    for h in range(3):
        other, same, entropy, top, rows_o, rows_s, rows = 0.0, 0.0, 0.0, 0.0, 0, 0, 0
        for b in range(2):
            valid = np.flatnonzero(ids[b] != 0)
            k = valid[np.argmax([w[b, h, valid, j].sum() for j in valid])]
            top += w[b, h, valid, k].sum()
            for i in range(10):
                if ids[b, i] == 0:
                    continue
                rows += 1
                p = w[b, h, i][ids[b] != 0]
                entropy += -(p * np.log(p)).sum()
                if ids[b, i] in (CLS, SEP):
                    continue
                keys = [j for j in range(10) if ids[b, j] not in (0, CLS, SEP) and seg[b, j] != seg[b, i]]
                other += sum(w[b, h, i, j] for j in keys)
                rows_o += 1
                twins = [j for j in keys if ids[b, j] == ids[b, i]]
                if twins:
                    same += sum(w[b, h, i, j] for j in twins)
                    rows_s += 1
        _close(measured["to_other_sentence"][h], other / rows_o, atol=1e-6)
        _close(measured["to_same_char_other"][h], same / rows_s, atol=1e-6)
        _close(measured["entropy"][h], entropy / rows, atol=1e-5)
        _close(measured["to_top_key"][h], top / rows, atol=1e-6)


def test_head_measures_bad_input():
    w = _heads(np.eye(N))
    with pytest.raises(ValueError, match=r"weights must be \[batch_size, heads_num, L, L\]"):
        attention_head_patterns(w[0], IDS, SEG, CLS, SEP)
    with pytest.raises(ValueError, match="input_ids"):
        attention_head_patterns(w, IDS[:, :8], SEG, CLS, SEP)
    bad = w.copy()
    bad[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        attention_head_patterns(bad, IDS, SEG, CLS, SEP)
    with pytest.raises(ValueError, match="valid position"):
        attention_head_patterns(w, np.array([[CLS] + [0] * 9]), SEG, CLS, SEP)


# -------------------------------------------------------------------- the scripts

def _figures(out, names):
    for name in names:
        assert (out / name).stat().st_size > 0
        assert (out / name.replace(".pdf", ".png")).stat().st_size > 0


def test_ex8_4_attention_only(chapter_run):
    stdout, results, out = chapter_run("ch8_ex4_attention_only")
    for name in ("lstm_mhsa", "mhsa_only", "mhsa_position"):
        assert f"{name}: Evaluate on test set, Accuracy:" in stdout
        assert 0.0 <= results["test_accuracy"][name] <= 1.0
    _figures(out, ["ex8-4_attention_only_loss_acc.pdf"])
    shift = results["shuffle_max_logit_change"]
    assert shift["mhsa_only"] < 1e-4 and results["shuffle_prediction_changes"]["mhsa_only"] == 0
    assert shift["lstm_mhsa"] > 1e-3 and shift["mhsa_position"] > 1e-3
    assert results["order_task_test_accuracy"]["mhsa_only"] == 0.5          # each pair: one right, one wrong
    assert results["order_task_pair_logit_gap"]["mhsa_only"] < 1e-4
    assert results["order_task_test_accuracy"]["lstm_mhsa"] > 0.9
    claims = results["claims"]
    assert claims[0]["supported"] is None and claims[1]["supported"] is True


def test_ex8_7_attention_heads(chapter_run):
    stdout, results, out = chapter_run("ch8_ex7_attention_heads")
    assert "Evaluate on test set, Accuracy:" in stdout
    n_block, heads = results["n_block"], results["heads_num"]
    _figures(out, [f"ex8-7_block{k + 1}_heads.pdf" for k in range(n_block)] + ["ex8-7_head_patterns.pdf"])
    saved = np.load(out / "ex8-7_test_weights.npz")
    w, ids, seg = saved["weights"], saved["input_ids"], saved["segment_ids"]
    assert w.shape[:2] == (n_block, results["pattern_pairs"]) and w.shape[2] == heads
    valid = ids != 0
    sums = w.sum(-1)                                             # [n_block, B, heads, L]
    _close(sums[np.broadcast_to(valid[None, :, None, :], sums.shape)], 1.0, atol=1e-5)
    assert w[np.broadcast_to(~valid[None, :, None, None, :], w.shape)].max(initial=0.0) < 1e-6
    # the recorded measures come from these weights: recompute two of them by hand
    table = results["test_patterns"]["block1"]["measured"]
    cls_id = int(ids[0, 0])
    for h in range(heads):
        to_cls = np.mean([w[0, b, h, i, ids[b] == cls_id].sum() for b in range(len(ids)) for i in np.flatnonzero(valid[b])])
        to_self = np.mean([w[0, b, h, i, i] for b in range(len(ids)) for i in np.flatnonzero(valid[b])])
        _close(table["to_cls"][h], to_cls, atol=1e-6)
        _close(table["to_self"][h], to_self, atol=1e-6)
    pair = np.load(out / "ex8-7_pair_weights.npz")
    assert list(pair["tokens"]) == results["pair_tokens"]
    pw = pair["weights"]                                         # [n_block, heads, L, L]
    _close(pw.sum(-1), 1.0, atol=1e-5)
    entropy = -np.where(pw[0] > 0, pw[0] * np.log(np.where(pw[0] > 0, pw[0], 1.0)), 0.0).sum(-1).mean(-1)
    _close(results["pair_patterns"]["block1"]["measured"]["entropy"], entropy, atol=1e-5)
    # the book's observation (c): "视" -> "频", over the uniform weight 1/L
    t = list(pair["tokens"])
    shi, pin = t.index("视"), t.index("频")
    _close(np.ravel(results["book_observations"]["shi_to_pin"]), (pw[:, :, shi, pin] * len(t)).ravel(), atol=1e-5)
    assert len(results["head_summary"]) == n_block * heads
    claims = results["claims"]
    assert claims[1]["supported"] is True                        # rows are distributions, [PAD] gets 0
    if results["quick"]:
        assert claims[0]["supported"] is None and claims[2]["supported"] is None
