import random
import subprocess
import sys

import numpy as np
import paddle

import nndl
from nndl.utils import default_device, set_seed, use_device


def test_set_seed_fixes_python_numpy_and_paddle():
    def draw():
        return random.random(), np.random.rand(), float(paddle.rand([1]).numpy()[0])

    set_seed(3)
    a = draw()
    set_seed(3)
    assert draw() == a


def test_device_helpers(monkeypatch):
    expected = "gpu" if paddle.device.is_compiled_with_cuda() and paddle.device.cuda.device_count() > 0 else "cpu"
    assert default_device() == expected
    monkeypatch.setenv("NNDL_DEVICE", "cpu")
    assert default_device() == "cpu"
    before = paddle.get_device()
    try:
        assert use_device("cpu") == "cpu"
    finally:
        paddle.set_device(before)


def test_import_has_no_side_effects():
    """``import nndl`` imports no paddle, seeds nothing and installs no warning filter."""
    code = ("import sys, warnings; n = len(warnings.filters); import nndl; "
            "assert 'paddle' not in sys.modules, 'paddle imported'; "
            "assert len(warnings.filters) == n, 'warning filters changed'; "
            "print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "ok" in out.stdout


def test_top_level_names_resolve_and_are_unique():
    names = nndl.__all__
    for book_name in ("RunnerV3", "make_moons", "MoonsDataset", "Accuracy", "accuracy",
                      "accuracy_logits", "set_seed"):
        assert book_name in names
        assert getattr(nndl, book_name) is not None
    assert nndl.op.Linear.__module__ == "nndl.op"
