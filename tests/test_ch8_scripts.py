"""Chapter 8 scripts in quick mode: they run, print the book's lines, save the book's
figures, and state each claim (exact ones supported; training claims not shown in quick mode)."""
import pytest


def _claims(results):
    return {c["book"]: c for c in results.get("claims", [])}


def _figures(out, names):
    for name in names:
        assert (out / name).stat().st_size > 0
        assert (out / name.replace(".pdf", ".png")).stat().st_size > 0


def test_8_1_lstm_attention(chapter_run):
    stdout, results, out = chapter_run("ch8_1_lstm_attention")
    assert "句子1: [0.19593433 0.2165409  0.26448366 0.32304108 0.         0." in stdout
    assert stdout.count("Evaluate on test set, Accuracy:") == 3
    assert "输入的文本为: this great science fiction film is really awesome" in stdout
    _figures(out, ["fig8-4_additive_loss_acc.pdf", "fig8-5_dot_loss_acc.pdf", "fig8-6_attention_heatmap.pdf"])
    claims = list(_claims(results).values())
    assert claims[0]["supported"] is True                      # the printed masked-softmax rows
    assert results["masked_softmax_max_abs_error"] < 1e-7
    assert len(results["heatmap_weights"]) == 8
    assert abs(sum(results["heatmap_weights"]) - 1) < 1e-5
    if results["quick"] and results.get("data_notes"):
        assert "synthetic stand-in" in results["data_notes"][0]
        assert all(c["supported"] is None for c in claims[1:])


def test_8_2_1_self_attention_prints_the_book_numbers(chapter_run):
    stdout, results, out = chapter_run("ch8_2_1_self_attention")
    assert "[[3.5696453e-01 6.1059302e-01 2.8144866e-01]" in stdout
    assert "[[0.5365804  0.46341962]" in stdout
    assert results["qkv_max_abs_error"] < 1e-6
    assert all(c["supported"] is True for c in results["claims"])


def test_8_2_2_lstm_mhsa(chapter_run):
    stdout, results, out = chapter_run("ch8_2_2_lstm_mhsa")
    assert "Evaluate on test set, Accuracy:" in stdout
    assert "Label: " in stdout and results["prediction"] in ("积极情绪", "消极情绪")
    _figures(out, ["fig8-14_mhsa_loss_acc.pdf"])
    assert 0.0 <= results["test_accuracy"] <= 1.0


def test_8_3_2_1_embeddings(chapter_run):
    stdout, results, out = chapter_run("ch8_3_2_1_embeddings")
    assert " [ 0.          0.          0.          0.        ]" in stdout      # the [PAD] row
    assert "位置 1: [0.84147096 0.5403023  0.38767424 0.92179644" in stdout
    _figures(out, ["fig8-16_positional_encoding.pdf"])
    assert all(c["supported"] is True for c in results["claims"])


def test_8_3_transformer_lcqmc(chapter_run):
    stdout, results, out = chapter_run("ch8_3_transformer_lcqmc")
    assert "Evaluate on test set, Accuracy:" in stdout
    assert "预测的label标签" in stdout
    assert "输入的文本: ['[CLS]', '电', '脑', '怎', '么', '录', '像', '？', '[SEP]'" in stdout
    _figures(out, ["fig8-18_transformer_loss_acc.pdf", "fig8-19_attention_heads.pdf"])
    if results.get("data_notes"):                                # generated miniature
        assert "[101, 784, 720, 5709, 671, 2399, 1724, 2108, 6963, 2458, 102," in stdout
        assert "[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1" in stdout
        assert results["pair_ids"][0] == 101 and results["pair_ids"][-1] == 102
    assert results["first_batch_shape"][0] == 32
    assert results["first_batch_shape"][1] <= 512


def test_ex8_5_position_dot(chapter_run):
    stdout, results, out = chapter_run("ch8_ex5_position_dot")
    assert "PE(p)·PE(p) = D/2 = 384.0" in stdout
    assert results["diagonal_spread"] < 1e-3 and results["direction_gap"] < 1e-3
    assert results["monotone_until"] > 10
    _figures(out, ["ex8-5_position_dot.pdf"])
    assert results["claims"][0]["supported"] is True


def test_ex8_1_scores(chapter_run):
    stdout, results, out = chapter_run("ch8_ex1_scores")
    for score in ("additive", "dot", "scaled_dot", "bilinear"):
        assert f"{score:>10}: Evaluate on test set, Accuracy:" in stdout
        assert 0.0 <= results["test_accuracy"][score] <= 1.0
    _figures(out, ["ex8-1_scaled_dot_loss_acc.pdf", "ex8-1_bilinear_loss_acc.pdf"])


def test_ex8_2_simple_self_attention(chapter_run):
    stdout, results, out = chapter_run("ch8_ex2_simple_self_attention")
    assert "lstm_simple_self_attention: Evaluate on test set, Accuracy:" in stdout
    assert set(results["test_accuracy"]) == {"lstm_attention", "lstm_simple_self_attention"}
    _figures(out, ["ex8-2_simple_self_attention_loss_acc.pdf"])


def test_ex8_6_stack_blocks(chapter_run):
    stdout, results, out = chapter_run("ch8_ex6_stack_blocks")
    for n in (1, 2, 3):
        assert f"n_block={n}: Evaluate on test set, Accuracy:" in stdout
        assert 0.0 <= results["test_accuracy"][f"n_block={n}"] <= 1.0
    _figures(out, ["ex8-6_stacked_blocks_loss_acc.pdf"])


def test_ex8_3_mhsa_bias(chapter_run):
    stdout, results, out = chapter_run("ch8_ex3_mhsa_bias")
    for name in ("linear", "affine"):
        assert f"{name}: Evaluate on test set, Accuracy:" in stdout
        assert 0.0 <= results["test_accuracy"][name] <= 1.0
    _figures(out, ["ex8-3_mhsa_no_bias_loss_acc.pdf"])
