"""Chapter 6 scripts in quick mode: the book's printed lines and claims (each script runs once)."""
import statistics

import numpy as np


def test_6_1_1_prints_the_books_examples(chapter_run):
    stdout, results, out = chapter_run("ch6_1_1_digitsum")
    assert "dev example: [([0, 0, 6, 0, 0], 0), ([0, 1, 0, 0, 8], 1)]" in stdout
    assert "训练集数量:  300" in stdout and "验证集数量:  100" in stdout and "测试集数量:  100" in stdout
    assert all(c["supported"] is True for c in results["claims"])
    assert (out / "datasets" / "35" / "test.txt").is_file()


def test_6_1_3_srn_accuracy_falls_with_length(chapter_run):
    stdout, results, out = chapter_run("ch6_1_3_srn_lengths")
    test = results["test_accuracy"]
    assert results["lengths"] == [5, 10, 20] and np.isfinite(test).all()
    assert test[0] > test[-1] + 0.2          # the book's claim, with a margin
    assert "[SRN] length:20, Score:" in stdout
    for name in ("6.6-srn-loss.pdf", "6.7-srn-accuracy.pdf", "6.7-srn-accuracy.png"):
        assert (out / name).is_file()


def test_6_2_reproduces_the_books_log_and_clipping_tames_it(chapter_run):
    stdout, results, out = chapter_run("ch6_2_grad_explosion")
    # the book's printed log (L8604-8613), steps 0-2, reproduce on the CPU
    assert "[Train] epoch: 0/20, step: 0/100, loss: 185.85355" in stdout
    assert "[Training] W_grad_l2: 17.70298, U_grad_l2: 54.53837, b_grad_l2: 17.50586" in stdout
    assert "[Train] epoch: 0/20, step: 1/100, loss: 356.53052" in stdout
    no_clip, clip = results["no_clip"], results["clip"]
    np.testing.assert_allclose(no_clip["losses"][:3], [185.85355, 356.53052, 742.90344], rtol=1e-5)
    np.testing.assert_allclose(no_clip["W"][:3], [17.70298, 70.45609, 641.59662], rtol=1e-5)
    assert no_clip["W"][3] > 100 * no_clip["W"][0]               # explosion
    # then tanh saturates and the gradients vanish (medians: robust to the chaotic exploded steps)
    assert statistics.median(no_clip["W"][10:]) < 0.1
    assert clip["ended"] == "completed" and max(clip["W"]) < max(no_clip["W"]) / 10
    assert statistics.median(clip["W"][10:]) > 1.0                # clipped training keeps useful gradients
    assert clip["losses"][-1] < clip["losses"][0]
    assert all(c["supported"] is True for c in results["claims"])
    assert (out / "6.8-grad-norm.pdf").is_file() and (out / "6.9-grad-norm-clip.pdf").is_file()


def test_6_3_lstm_beats_srn_and_records_gates(chapter_run):
    stdout, results, out = chapter_run("ch6_3_lstm_lengths")
    lstm, srn = results["lstm_test_accuracy"], results["srn_test_accuracy"]
    assert np.mean(lstm) > np.mean(srn) + 0.05
    assert lstm[0] > lstm[-1]
    gates = results["gates"]
    assert set(gates) == {"input", "forget", "output", "cell"}
    assert np.array(gates["input"]).shape == (10, 32)
    for name in ("6.11-lstm-loss.pdf", "6.12-lstm-srn-accuracy.pdf", "6.13-lstm-gates.pdf"):
        assert (out / name).is_file()


def test_6_4_runs_on_the_miniature_and_says_so(chapter_run):
    stdout, results, out = chapter_run("ch6_4_imdb_bilstm")
    if results["standin"]:
        assert any("synthetic stand-in" in n for n in results["data_notes"])
        assert all(c["supported"] is None for c in results["claims"])
    assert "训练集样本数: " in stdout and "Evaluate on test set, Accuracy: " in stdout
    assert "Label:  积极情绪" in stdout or "Label:  消极情绪" in stdout
    # the miniature's sentiment words are learnable; a quick run on real IMDB is only above chance
    assert results["test_accuracy"] > (0.7 if results["standin"] else 0.55)
    assert (out / "6.15-bilstm-loss.pdf").is_file() and (out / "vocab.txt").is_file()


def test_6_4_full_mode_without_data_stops_before_work(tmp_path, monkeypatch):
    import subprocess
    import sys
    from pathlib import Path
    monkeypatch.setenv("NNDL_DATA", str(tmp_path / "no_data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))    # paddle's cache too
    script = Path(__file__).resolve().parents[1] / "chapters" / "ch6_4_imdb_bilstm.py"
    proc = subprocess.run([sys.executable, str(script), "--full", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=300, cwd=str(tmp_path))
    assert proc.returncode != 0
    assert "DataNotFoundError" in proc.stderr and "aclImdb_v1.tar.gz" in proc.stderr
    assert "[Train]" not in proc.stdout
