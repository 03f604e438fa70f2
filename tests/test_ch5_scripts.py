"""Chapter 5 scripts in quick mode: the book's printed lines, figures and claims."""
import os

import pytest


def _claims(results):
    return {c["book"].split(":")[0]: c for c in results.get("claims", [])}


def test_ch5_1_conv(chapter_run):
    stdout, results, out = chapter_run("ch5_1_conv")
    assert results["book_input_max_error"] < 1e-6
    assert "When kernel_size=3, padding=1 stride=1, input's shape: [2, 8, 8], output's shape: [2, 8, 8]" in stdout
    assert "When kernel_size=3, padding=1 stride=2, input's shape: [2, 8, 8], output's shape: [2, 4, 4]" in stdout
    assert results["edge_flat_max"] == 0 and 0 < results["edge_fraction"] < 0.3
    assert all(c["supported"] is True for c in results["claims"])
    assert (out / "fig5-5-edge-detection.pdf").is_file() and (out / "fig5-5-edge-detection.png").is_file()


def test_ch5_2_conv_pool(chapter_run):
    stdout, results, out = chapter_run("ch5_2_conv_pool")
    assert results["conv_printed_ok"] and results["pool_printed_ok"]
    assert "[[20., 28.]," in stdout and "[44., 52.]]" in stdout
    assert results["conv_vs_paddle"] < 1e-5 and results["max_pool_vs_paddle"] == 0
    assert results["avg_pool_vs_paddle"] < 1e-6
    assert all(c["supported"] is True for c in results["claims"])


def test_ch5_3_lenet(chapter_run):
    stdout, results, out = chapter_run("ch5_3_lenet")
    assert "Length of train/dev/test set:1000/200/200" in stdout
    assert "The number in the picture is 5" in stdout
    assert "[Test] accuracy/loss: " in stdout
    assert "The true category is 2 and the predicted category is" in stdout
    claims = _claims(results)
    assert claims["5.3.2"]["supported"] is True
    # the book's claim that LeNet learns the subset: a test that can fail
    assert results["test_score"] >= 0.8, results["test_score"]
    for name in ("conv-number7.pdf", "conv-number7.png", "fig5-13-lenet-loss-acc.pdf"):
        assert (out / name).is_file()
    # the figure is drawn before it is saved (the book saves an empty one)
    from PIL import Image
    import numpy as np
    png = np.asarray(Image.open(out / "conv-number7.png").convert("L"))
    assert png.std() > 10


def test_ch5_4_resnet(chapter_run):
    stdout, results, out = chapter_run("ch5_4_resnet")
    assert stdout.count("[Test] accuracy/loss: ") == 2
    assert "-> [2, 16, 8, 8]" in stdout
    for name in ("fig5-18-resnet-plain.pdf", "fig5-19-resnet-residual.pdf", "fig5-resnet-compare.pdf"):
        assert (out / name).is_file()
    claims = _claims(results)
    # the residual network trains faster at the book's settings even at quick-mode size
    assert claims["5.4"]["supported"] is True
    assert results["residual"]["final_train_loss"] < results["plain"]["final_train_loss"]


def test_ch5_5_cifar10_quick_runs_on_the_miniature_when_absent(chapter_run):
    stdout, results, out = chapter_run("ch5_5_cifar10")
    assert "batch of imgs shape: " in stdout and "[Test] accuracy/loss: " in stdout
    assert "The true category is" in stdout
    assert (out / "cnn-test-vis.pdf").is_file() and (out / "fig5-22-cifar-loss-acc.pdf").is_file()
    if results["standin"]:
        assert "synthetic stand-in: CIFAR-10 not found" in stdout
        assert results["data_notes"]
        # 4 training batches of the miniature, as in the real split
        assert results["sizes"][0] == 4 * results["sizes"][1]
        # the miniature is learnable: the pipeline learns something in a few steps
        assert results["test_score"] > 0.3


def test_ch5_5_cifar10_full_mode_without_data_stops_at_once(tmp_path):
    import subprocess
    import sys
    from conftest import CHAPTERS
    env = dict(os.environ, NNDL_DATA=str(tmp_path / "empty"), MPLBACKEND="Agg")
    from nndl.datasets.base import paddle_data_home
    if (paddle_data_home() / "cifar" / "cifar-10-python.tar.gz").is_file():
        pytest.skip("CIFAR-10 is in paddle's cache here")
    proc = subprocess.run([sys.executable, str(CHAPTERS / "ch5_5_cifar10.py"), "--full", "--out", str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=120, cwd=str(tmp_path))
    assert proc.returncode != 0
    assert "DataNotFoundError" in proc.stderr and "cifar-10-python.tar.gz" in proc.stderr
    assert "[Train]" not in proc.stdout


def test_ch5_ex2_bottleneck(chapter_run):
    stdout, results, out = chapter_run("ch5_ex2_bottleneck")
    # 256 channels: 2 x (256*256*9 + 256) against 256*64+64 + 64*64*9+64 + 64*256+256
    assert results["basic_params"] == 1180160 and results["bottleneck_params"] == 70016
    assert "BottleneckBlock output: [2, 256, 8, 8]" in stdout
    assert results["claims"][0]["supported"] is True
