"""Chapter 1: the add / multiply / exponential operators (1.3.1) against paddle.grad and a float64
central difference, their errors, and the 1.2 / 1.3 scripts."""
import math

import numpy as np
import paddle
import pytest

import book_lines
from nndl import compat
from nndl.gradcheck import numerical_grad, rel_error
from nndl.op import add, exponential, multiply


def test_book_example_value_and_add_grads():
    m1, m2, a, e = multiply(), multiply(), add(), exponential()
    y = e(a(m1(2, 3), m2(2, 2)))
    assert y == 22026.465794806718            # the book's printed value (exp(10))
    add_op = add()
    add_op(1, 4)
    assert add_op.backward(grads=1) == (1, 1)  # "x's grad is: 1", "y's grad is: 1"


def test_scalar_chain_matches_paddle_grad():
    m1, m2, a, e = multiply(), multiply(), add(), exponential()
    vals = (0.3, -1.2, 0.7, 0.9)
    e(a(m1(vals[0], vals[1]), m2(vals[2], vals[3])))
    g_ab, g_cd = a.backward(e.backward(1.0))
    manual = list(m1.backward(g_ab)) + list(m2.backward(g_cd))
    ts = [paddle.to_tensor(v, dtype='float64', stop_gradient=False) for v in vals]
    y = paddle.exp(ts[0] * ts[1] + ts[2] * ts[3])
    auto = [float(g) for g in paddle.grad(y, ts)]
    np.testing.assert_allclose(manual, auto, rtol=1e-13, equal_nan=False)


def _chain(x, y, up):
    """Tensor version of exp(x*y + x) reduced with the upstream weights ``up``."""
    m, a, e = multiply(), add(), exponential()
    out = e(a(m(x, y), x))
    return out, (m, a, e)


def test_tensor_backward_matches_paddle_grad_and_finite_difference():
    rs = np.random.RandomState(0)
    x = rs.randn(3, 4) * 0.5
    y = rs.randn(3, 4) * 0.5
    up = rs.randn(3, 4)
    out, (m, a, e) = _chain(paddle.to_tensor(x), paddle.to_tensor(y), up)
    g_sum = e.backward(paddle.to_tensor(up))
    g_prod, g_x2 = a.backward(g_sum)
    g_x1, g_y = m.backward(g_prod)
    dx = (g_x1 + g_x2).numpy()
    dy = g_y.numpy()

    xt = paddle.to_tensor(x, stop_gradient=False)
    yt = paddle.to_tensor(y, stop_gradient=False)
    loss = (paddle.exp(xt * yt + xt) * paddle.to_tensor(up)).sum()
    ax, ay = paddle.grad(loss, [xt, yt])
    assert rel_error(dx, ax) < 1e-12 and rel_error(dy, ay) < 1e-12

    f_x = lambda t: float((_chain(t, paddle.to_tensor(y), up)[0] * paddle.to_tensor(up)).sum())
    f_y = lambda t: float((_chain(paddle.to_tensor(x), t, up)[0] * paddle.to_tensor(up)).sum())
    assert rel_error(dx, numerical_grad(f_x, x)) < 1e-6
    assert rel_error(dy, numerical_grad(f_y, y)) < 1e-6


def test_broadcast_inputs_get_gradients_of_their_own_shape():
    rs = np.random.RandomState(1)
    x = rs.randn(3, 1)
    y = rs.randn(1, 4)
    up = rs.randn(3, 4)
    for op_cls, fn in ((add, lambda p, q: p + q), (multiply, lambda p, q: p * q)):
        o = op_cls()
        o(paddle.to_tensor(x), paddle.to_tensor(y))
        gx, gy = o.backward(paddle.to_tensor(up))
        assert list(gx.shape) == [3, 1] and list(gy.shape) == [1, 4]
        xt = paddle.to_tensor(x, stop_gradient=False)
        yt = paddle.to_tensor(y, stop_gradient=False)
        ax, ay = paddle.grad((fn(xt, yt) * paddle.to_tensor(up)).sum(), [xt, yt])
        assert rel_error(gx, ax) < 1e-12 and rel_error(gy, ay) < 1e-12
    # a python-number operand gets the summed gradient
    o = multiply()
    o(2.0, paddle.to_tensor(y))
    gx, _ = o.backward(paddle.to_tensor(np.ones([1, 4])))
    assert float(gx) == pytest.approx(float(y.sum()))


def test_exponential_of_tensor_and_number():
    e = exponential()
    assert e(1.5) == math.exp(1.5)
    assert e.backward(2.0) == pytest.approx(2 * math.exp(1.5))
    t = paddle.to_tensor([0.0, 1.0], dtype='float64')
    np.testing.assert_allclose(e(t).numpy(), np.exp([0.0, 1.0]), rtol=1e-15)


@pytest.mark.parametrize("op_cls", [add, multiply])
def test_bad_input_errors(op_cls):
    o = op_cls()
    with pytest.raises(RuntimeError, match="before forward"):
        o.backward(1)
    with pytest.raises(TypeError, match="x must be a number or a paddle.Tensor"):
        o("2", 3)
    o(1, 2)
    with pytest.raises(TypeError, match="grads must be"):
        o.backward("1")


def test_exponential_errors():
    with pytest.raises(RuntimeError, match="before forward"):
        exponential().backward(1.0)
    with pytest.raises(TypeError, match="number or a paddle.Tensor"):
        exponential()([1.0])


def test_operators_script(chapter_run):
    stdout, results, out = chapter_run("ch1_3_operators")
    assert "y:  22026.465794806718" in stdout
    assert "x's grad is:  1" in stdout and "y's grad is:  1" in stdout
    np.testing.assert_allclose(results["grads_manual"], results["grads_autograd"], rtol=1e-12)
    # dy/da = b * exp(ab + cd) = 3 e^10
    assert results["grads_manual"][0] == pytest.approx(3 * math.exp(10), rel=1e-8)   # results.json keeps 9 digits
    assert all(c["supported"] is True for c in results["claims"])


def test_tensor_tour_script(chapter_run):
    stdout, results, out = chapter_run("ch1_2_tensor")
    shapes = results["shapes"]
    assert shapes["reshape_0_5_2"] == [3, 5, 2] and shapes["reshape_-1"] == [30]
    assert shapes["unsqueeze_1_2"] == [5, 1, 1, 10]
    assert shapes["broadcast"] == [2, 3, 4, 5] and shapes["matmul"] == [10, 3, 5, 5]
    assert shapes["first_element"] == []          # paddle >= 2.5 (2.6, 3.x): 0-D, the book printed shape=[1]
    assert results["ragged_error"].startswith("ValueError")
    assert "Broadcast dimension mismatch" in results["broadcast_error"]
    assert "Elements number along the last axis of Tensor: 5" in stdout
    assert "Tensor dtype from Python integers: paddle.int64" in stdout


@pytest.mark.parametrize("script", ["ch1_2_tensor", "ch1_3_operators"])
def test_book_printed_lines_ch1(chapter_run, script):
    """The book's printed lines of 1.2-1.3 on the installed paddle (tests/book_lines.py: the book's
    text, edited only by the errata rows and the nndl.compat entries that apply here)."""
    assert book_lines.check(script, chapter_run(script)[0]) >= 3


def test_exercise_1_1_install_check(chapter_run):
    """Exercise 1.1: paddle.__version__, run_check's verdict and the device nndl uses (nndl.app.doctor)."""
    import paddle
    stdout, results, out = chapter_run("ch1_ex1_install_check")
    assert f"paddle.__version__: {paddle.__version__}" in stdout
    assert "PaddlePaddle is installed successfully!" in stdout and results["run_check_ok"] is True
    assert results["paddle_version"] == compat.PADDLE_VERSION
    assert ("GPU build" if paddle.device.is_compiled_with_cuda() else "CPU build") in results["build"]
    assert "[ok] device" in stdout and results["device_ok"] is True
    assert "nndl doctor:" not in stdout          # only doctor's paddle lines, not its data summary
    assert [c["supported"] for c in results["claims"]] == [True]
