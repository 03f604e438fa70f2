"""Chapter 5's exercises 5.1, 5.3, 5.4, 5.5: the scripts in quick mode, and the library pieces they
added (``Model_ResNet18(depth=)``, ``nndl.lr.ScheduledOptimizer``).  The CIFAR-100 loader has its own
file, tests/test_ch5_cifar100.py."""
import os
import subprocess
import sys

import matplotlib.cbook as cbook
import numpy as np
import paddle
import paddle.nn as nn
import paddle.nn.functional as F
import pytest
from PIL import Image

from nndl import Conv2D, Model_ResNet18, ResBlock
from nndl.lr import CosineDecay, ScheduledOptimizer

# 《神经网络与深度学习》图 5.3 (and the sharpening kernel the script adds)
FIGURE_5_3 = {
    'gaussian': np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype='float32') / 16,
    'diagonal edge': np.array([[0, 1, 1], [-1, 0, 1], [-1, -1, 0]], dtype='float32'),
    'laplacian': np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype='float32'),
    'sharpen (not in fig. 5.3)': np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype='float32'),
}


# ---------------------------------------------------------------------------------------------
# exercise 5.1


def _hand_conv(image, kernel):
    conv = Conv2D(kernel_size=3, weight_attr=paddle.ParamAttr(initializer=nn.initializer.Assign(value=kernel)))
    return conv(paddle.to_tensor(image[None])).numpy()[0]


def test_hand_written_conv_equals_paddle_on_the_photo_and_a_digit():
    with cbook.get_sample_data('grace_hopper.jpg') as f:
        photo = np.asarray(Image.open(f).convert('L').resize((96, 80)), dtype='float32')
    from nndl.datasets.mnist import load_mnist_split
    digit = load_mnist_split(1, 0, 0)[0][0][0].reshape(28, 28)
    for image in (photo, digit):
        for name, kernel in FIGURE_5_3.items():
            ours = _hand_conv(image, kernel)
            ref = F.conv2d(paddle.to_tensor(image[None, None]), paddle.to_tensor(kernel[None, None])).numpy()[0, 0]
            assert ours.shape == (image.shape[0] - 2, image.shape[1] - 2)
            np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-3, err_msg=name)
            # and against a direct sum (cross-correlation, the kernel not flipped)
            windows = np.lib.stride_tricks.sliding_window_view(image.astype('float64'), (3, 3))
            np.testing.assert_allclose(ours, np.einsum('ijuv,uv->ij', windows, kernel), rtol=1e-5, atol=1e-3)
    # the middle kernel turned by 180 degrees is its negative: convolution = -cross-correlation
    k = FIGURE_5_3['diagonal edge']
    np.testing.assert_array_equal(k[::-1, ::-1], -k)


def test_ch5_ex1_kernels(chapter_run):
    stdout, results, out = chapter_run("ch5_ex1_kernels")
    assert results["max_relative_error"] < 1e-5
    assert results["kernel_sums"] == {'gaussian': 1.0, 'diagonal edge': 0.0, 'laplacian': 0.0,
                                      'sharpen (not in fig. 5.3)': 1.0}
    assert max(results["flat_response"].values()) < 1e-3
    for image in ("photo", "digit"):
        s = results["stats"][image]
        # blurring removes high frequencies, the edge kernels keep mostly high frequencies
        assert s["gaussian"]["high_frequency"] < 0.7 * s["input_high_frequency"]
        assert s["laplacian"]["high_frequency"] > 0.9 > s["input_high_frequency"]
        assert s["diagonal edge"]["high_frequency"] > s["input_high_frequency"]
        # zero-sum kernels give a mean near 0, unit-sum kernels keep the mean brightness
        assert abs(s["laplacian"]["mean"]) < 1.0 and abs(s["gaussian"]["mean"] - s["sharpen (not in fig. 5.3)"]["mean"]) < 1.0
    edge = results["edge_response"]
    assert edge["45"]["diagonal edge"] < 1.0 < edge["135"]["diagonal edge"]
    assert results["photo_shape"] == [128, 128] and results["digit_shape"] == [28, 28]
    assert [c["supported"] for c in results["claims"]] == [True, True, True]
    assert {"fig5-3-kernels.pdf", "fig5-3-kernels.png"} <= set(results["figures"])
    assert (out / "fig5-3-kernels.pdf").stat().st_size > 1000
    assert "grace_hopper.jpg" in stdout and "label 5" in stdout


# ---------------------------------------------------------------------------------------------
# exercise 5.3: Model_ResNet18(depth=)


def test_resnet_depth_builds_the_asked_residual_units():
    resnet34 = Model_ResNet18(in_channels=1, num_classes=10, width=4, depth=(3, 4, 6, 3))
    names = [name for name, layer in resnet34.named_children() if isinstance(layer, ResBlock)]
    assert names == ([f"res2{c}" for c in "abc"] + [f"res3{c}" for c in "abcd"] + [f"res4{c}" for c in "abcdef"]
                     + [f"res5{c}" for c in "abc"])
    assert len(resnet34.block_list) == 16 and resnet34.depth == [3, 4, 6, 3]
    # only the first unit of modules 3-5 changes the size (stride 2 and a 1x1 shortcut)
    downsampling = [n for n in names if not getattr(resnet34, n).shortcut]
    assert downsampling == ["res3a", "res4a", "res5a"]
    assert list(resnet34(paddle.randn([2, 1, 32, 32])).shape) == [2, 10]
    # the default is the book's ResNet18, parameter for parameter
    paddle.seed(0)
    default = Model_ResNet18(in_channels=3, num_classes=10, width=4)
    paddle.seed(0)
    explicit = Model_ResNet18(in_channels=3, num_classes=10, width=4, depth=[2, 2, 2, 2])
    a, b = default.state_dict(), explicit.state_dict()
    assert list(a) == list(b)
    for key in a:
        np.testing.assert_array_equal(a[key].numpy(), b[key].numpy())
    count = lambda m: sum(int(p.size) for p in m.parameters())
    assert count(default) < count(resnet34)
    assert len(Model_ResNet18(width=4, depth=(1, 1, 1, 1)).block_list) == 4


@pytest.mark.parametrize("depth", [(2, 2, 2), (2, 2, 2, 0), (2, 2, 2, 2.0), "2222", (2, 2, 2, True), 3])
def test_resnet_bad_depth(depth):
    with pytest.raises(ValueError, match="depth must be 4 ints"):
        Model_ResNet18(width=4, depth=depth)


def test_ch5_ex3_deeper_resnet(chapter_run):
    stdout, results, out = chapter_run("ch5_ex3_deeper_resnet")
    runs = results["runs"]
    assert [(n, runs[n]["layers"]) for n in sorted(runs)] == [("ResNet10", 10), ("ResNet18", 18), ("ResNet34", 34)]
    assert runs["ResNet10"]["params"] < runs["ResNet18"]["params"] < runs["ResNet34"]["params"]
    for r in runs.values():
        assert 0.0 <= r["test_score"] <= 1.0 and np.isfinite(r["test_loss"]) and r["best_dev"] > 0
    # quick mode cannot answer the question and says so
    assert [c["supported"] for c in results["claims"]] == [None, None]
    assert "quick mode" in results["claims"][0]["note"]
    assert "fig5-ex3-resnet-depths.pdf" in results["figures"]
    assert "--- ResNet34: depth [3, 4, 6, 3], 34 layers" in stdout


# ---------------------------------------------------------------------------------------------
# exercise 5.4: ScheduledOptimizer and the script


def test_scheduled_optimizer_equals_paddle_with_its_scheduler_stepped_by_hand():
    def model():
        paddle.seed(3)
        return nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2))

    x, y = paddle.randn([16, 4]), paddle.randn([16, 2])
    ours_model, ref_model = model(), model()
    sched = CosineDecay(0.05, T=12)
    ours = ScheduledOptimizer(paddle.optimizer.Adam(learning_rate=sched, parameters=ours_model.parameters(),
                                                    weight_decay=0.005), sched)
    ref_sched = paddle.optimizer.lr.CosineAnnealingDecay(0.05, T_max=12)
    ref = paddle.optimizer.Adam(learning_rate=ref_sched, parameters=ref_model.parameters(), weight_decay=0.005)
    rates = []
    for _ in range(30):
        rates.append(ours.get_lr())
        for m, o in ((ours_model, ours), (ref_model, ref)):
            loss = F.mse_loss(m(x), y)
            loss.backward()
            o.step()
            o.clear_grad()
        ref_sched.step()
    np.testing.assert_allclose(rates[:13], [0.025 * (1 + np.cos(np.pi * t / 12)) for t in range(13)], rtol=1e-6)
    assert sched.last_epoch == 30
    for p, q in zip(ours_model.parameters(), ref_model.parameters()):
        np.testing.assert_allclose(p.numpy(), q.numpy(), rtol=1e-6, atol=1e-7)
    # the rate really moved the parameters differently from a constant rate
    const_model = model()
    const = paddle.optimizer.Adam(learning_rate=0.05, parameters=const_model.parameters(), weight_decay=0.005)
    for _ in range(30):
        loss = F.mse_loss(const_model(x), y)
        loss.backward()
        const.step()
        const.clear_grad()
    assert not np.allclose(const_model.parameters()[0].numpy(), ours_model.parameters()[0].numpy())


def test_scheduled_optimizer_bad_arguments():
    layer = nn.Linear(2, 2)
    sched = CosineDecay(0.1, T=4)
    with pytest.raises(TypeError, match="scheduler must be an LRScheduler"):
        ScheduledOptimizer(paddle.optimizer.SGD(learning_rate=0.1, parameters=layer.parameters()), 0.1)
    with pytest.raises(ValueError, match="does not read its rate from this scheduler"):
        ScheduledOptimizer(paddle.optimizer.SGD(learning_rate=0.1, parameters=layer.parameters()), sched)
    with pytest.raises(TypeError, match="has no step"):
        ScheduledOptimizer(object(), sched)


def test_ch5_ex4_optimizers_cifar(chapter_run):
    stdout, results, out = chapter_run("ch5_ex4_optimizers_cifar")
    runs = results["runs"]
    assert set(runs) == {"SGD", "Momentum", "Adam", "Adam + cosine decay"}     # results.json sorts keys
    for r in runs.values():
        assert 0.0 <= r["test_score"] <= 1.0 and np.isfinite(r["test_loss"])
        np.testing.assert_allclose(r["gap"], r["final_train_score"] - r["final_dev_score"], atol=1e-6)
    assert results["total_steps"] == 2 * 4
    if results["standin"]:
        assert "synthetic stand-in: CIFAR-10 not found" in stdout
    assert [c["supported"] for c in results["claims"]] == [None, None]
    assert "fig5-ex4-optimizers-cifar.pdf" in results["figures"]


# ---------------------------------------------------------------------------------------------
# exercise 5.5


def test_ch5_ex5_cifar100(chapter_run):
    stdout, results, out = chapter_run("ch5_ex5_cifar100")
    assert set(results["runs"]) == {"ResNet18 / CIFAR-10", "ResNet18 / CIFAR-100", "LeNet-5 / CIFAR-10",
                                    "LeNet-5 / CIFAR-100"}
    for name, r in results["runs"].items():
        assert 0.0 <= r["test_score"] <= 1.0 and np.isfinite(r["test_loss"])
        assert r["chance"] == (0.01 if name.endswith("CIFAR-100") else 0.1)
    assert results["cifar100_classes"] == [100, 20]
    assert "100 fine / 20 coarse classes" in stdout
    if results["standin"]["CIFAR-100"]:
        assert "synthetic stand-in: CIFAR-100 not found" in stdout
        assert "CIFAR-100: 100 classes, train/dev/test 256/64/64" in stdout
    assert [c["supported"] for c in results["claims"]] == [None, None]
    assert "fig5-ex5-cifar100.pdf" in results["figures"]


@pytest.mark.parametrize("script, archive", [("ch5_ex4_optimizers_cifar", "cifar-10-python.tar.gz")])
def test_cifar_exercises_in_full_mode_without_data_stop_at_once(script, archive, tmp_path):
    from conftest import CHAPTERS
    from nndl.datasets.base import paddle_data_home
    if (paddle_data_home() / "cifar" / archive).is_file():
        pytest.skip(f"{archive} is in paddle's cache here")
    env = dict(os.environ, NNDL_DATA=str(tmp_path / "empty"), MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, str(CHAPTERS / f"{script}.py"), "--full", "--out", str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=120, cwd=str(tmp_path))
    assert proc.returncode != 0
    assert "DataNotFoundError" in proc.stderr and archive in proc.stderr and "paddle cache" in proc.stderr
    assert "[Train]" not in proc.stdout


def test_cifar100_full_mode_names_cifar100_when_only_cifar10_is_there(tmp_path):
    """With CIFAR-10 supplied (an extracted folder in $NNDL_DATA), 5.5's exercise stops at CIFAR-100."""
    from conftest import CHAPTERS
    from nndl.datasets import cifar
    from nndl.datasets.base import paddle_data_home
    if (paddle_data_home() / "cifar" / "cifar-100-python.tar.gz").is_file():
        pytest.skip("CIFAR-100 is in paddle's cache here")
    data = tmp_path / "data"
    cifar.extract_cifar10(cifar.make_miniature(tmp_path / "c10.tar.gz", num_per_batch=4), data)
    env = dict(os.environ, NNDL_DATA=str(data), MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, str(CHAPTERS / "ch5_ex5_cifar100.py"), "--full", "--out",
                           str(tmp_path / "out")], capture_output=True, text=True, env=env, timeout=120,
                          cwd=str(tmp_path))
    assert proc.returncode != 0
    assert "CIFAR-100: no valid copy of cifar-100-python.tar.gz" in proc.stderr
    assert "[Train]" not in proc.stdout
