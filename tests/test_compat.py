"""nndl.compat: each entry says what this paddle does, and the version-neutral helpers do the same
thing on every supported paddle (2.6.2 ... 3.3.1).  Each test states both versions' behaviour."""
import ast
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import paddle
import pytest

from nndl import compat

ROOT = Path(__file__).resolve().parents[1]


def test_every_entry_is_listed_and_documented():
    flags = [n for n in compat.__all__ if n.isupper() and n not in ("PADDLE_VERSION", "TESTED_VERSIONS", "ENTRIES")]
    assert sorted(flags) == sorted(compat.ENTRIES)
    assert all(isinstance(getattr(compat, n), bool) for n in flags)
    versions = (ROOT / "docs" / "versions.md").read_text(encoding="utf-8")
    source = (ROOT / "nndl" / "compat.py").read_text(encoding="utf-8")
    for n in flags:
        assert f"`{n}`" in versions, f"docs/versions.md does not describe {n}"
        # the comment block above the entry names both measured versions and a proving test
        block = source[:source.index(f"\n{n} =")].rsplit("# ---", 1)[1]
        assert "2.6.2" in block and "3.3.1" in block and "tests/test_" in block, n


def test_no_version_checks_outside_compat():
    """The library, the scripts and the tests ask nndl.compat, never ``paddle.__version__``
    (printing it, as the report and the notebooks' first cell do, is fine)."""
    offenders = []
    for folder in ("nndl", "chapters", "tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "compat.py" and path.parent.name == "nndl":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Attribute) and node.attr == "__version__"
                        and ast.unparse(node.value).split(".")[-1] == "paddle"):
                    continue
                parent = parents.get(node)
                used = (isinstance(parent, (ast.Compare, ast.Attribute, ast.Subscript))
                        or (isinstance(parent, ast.Call) and ast.unparse(parent.func).split(".")[-1] in (
                            "parse", "Version", "LooseVersion", "StrictVersion", "int", "float", "tuple", "map",
                            "findall", "match", "search", "split")))
                if used:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(parent)}")
    assert offenders == []


def test_import_nndl_does_not_import_compat_or_paddle():
    code = "import nndl, sys; print('paddle' in sys.modules, 'nndl.compat' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_shape_is_size():
    x = paddle.zeros([640, 2])
    assert x.shape == [640, 2] and list(x.shape) == [640, 2]     # equal to a list on every paddle
    if compat.SHAPE_IS_SIZE:      # paddle 3.x
        assert str(x.shape) == "paddle.Size([640, 2])" and type(x.shape).__name__ == "Size"
    else:                         # paddle 2.6: a list, the book's form
        assert str(x.shape) == "[640, 2]" and type(x.shape) is list
    assert compat.printed_shape([640, 2]) == str(x.shape)
    assert compat.printed_shape([]) == str(paddle.to_tensor(1.0).shape)


def test_xavier_gain():
    if compat.XAVIER_HAS_GAIN:    # paddle 3.x
        assert compat.xavier_normal(4.0) is not None and compat.xavier_uniform(4.0) is not None
    else:                         # paddle 2.6
        with pytest.raises(TypeError):
            paddle.nn.initializer.XavierNormal(gain=4.0)
        assert compat.xavier_normal(4.0) is None and compat.xavier_uniform(4.0) is None
    assert compat.xavier_normal() is not None and compat.xavier_uniform() is not None


def test_clear_gradients():
    layer = paddle.nn.Linear(3, 2)
    for set_to_zero in (True, False):
        layer(paddle.ones([4, 3])).sum().backward()
        assert layer.weight.grad is not None
        compat.clear_gradients(layer, set_to_zero=set_to_zero)
        if set_to_zero:
            np.testing.assert_array_equal(layer.weight.grad.numpy(), 0)
        else:
            assert layer.weight.grad is None and layer.bias.grad is None
    if compat.LAYER_CLEAR_GRADIENTS_TAKES_SET_TO_ZERO:   # paddle 3.x
        layer.clear_gradients(set_to_zero=False)
    else:                                                # paddle 2.6
        with pytest.raises(TypeError):
            layer.clear_gradients(set_to_zero=False)


def test_mixed_compare():
    lhs, rhs = paddle.arange(4, dtype="float32"), paddle.to_tensor([2], dtype="int64")
    if compat.MIXED_INT_FLOAT_COMPARE_RAISES:   # paddle 3.x
        with pytest.raises(TypeError):
            _ = lhs < rhs
    else:                                       # paddle 2.6
        assert (lhs < rhs).numpy().tolist() == [True, True, False, False]


@pytest.mark.parametrize("bias", [1e-7, 1e-8, 2.0 ** -23, 0.0, 0.1])
@pytest.mark.parametrize("factor", [1.0, 1.0 / (1.0 - 0.99 ** 3)])
def test_scale_bias_is_exact(bias, factor):
    x = paddle.to_tensor([0.0, 1.0, 3.0, 1e-6], dtype="float64")
    want = x.numpy() * factor + bias
    np.testing.assert_array_equal(compat.scale(x, factor, bias=bias).numpy(), want)
    raw = paddle.scale(x, factor, bias=bias).numpy()
    if compat.SCALE_BIAS_IS_FLOAT32 and float(np.float32(bias)) != bias:   # paddle 2.6
        assert not np.array_equal(raw, want)
        np.testing.assert_array_equal(raw, x.numpy() * factor + float(np.float32(bias)))
    else:                                                                 # paddle 3.x
        np.testing.assert_array_equal(raw, want)
    x32 = paddle.to_tensor([1.0, 3.0], dtype="float32")                  # float32 untouched
    np.testing.assert_array_equal(compat.scale(x32, factor, bias=bias).numpy(),
                                  paddle.scale(x32, factor, bias=bias).numpy())
    assert compat.scale(x32, 1.0, bias=bias).dtype == paddle.float32


def test_zero_d_format():
    t = paddle.to_tensor(5.0)
    if compat.ZERO_D_FORMATS_AS_NUMBER:   # paddle 3.x
        assert "{}".format(t) == "5.0"
    else:                                 # paddle 2.6
        assert "{}".format(t) == str(t) and str(t).startswith("Tensor(shape=[]")
    assert str(t).startswith("Tensor(shape=[], dtype=float32")   # print() is the repr on both


def test_round_half_to_even():
    halves = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5], dtype="float64")
    got = paddle.to_tensor(halves).round().numpy()
    if compat.ROUND_HALF_TO_EVEN:   # paddle 3.x: numpy's rule
        np.testing.assert_array_equal(got, [-2.0, -2.0, -0.0, 0.0, 2.0, 2.0])
    else:                           # paddle 2.6: away from zero
        np.testing.assert_array_equal(got, [-3.0, -2.0, -1.0, 1.0, 2.0, 3.0])
