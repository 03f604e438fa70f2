"""Where the supported paddle versions differ: one entry per difference, nowhere else.

nndl supports paddle 2.6.2 (the newest ``paddlepaddle-gpu`` that PyPI serves, and what many
hosted notebook images run) through the newest release (3.3.1 when this was written); CI runs
the whole suite on both ends (``.ci/run``, ``docs/versions.md``).  The library, the scripts and
the tests never ask for ``paddle.__version__``: where the two behave differently they import
the entry below.  Each entry is a constant (what this paddle does) or a tiny function (the one
version-neutral way to do it), with a comment naming the versions measured and the test that
proves it.  The constants are found by asking paddle (a signature, a one-element tensor), not by
comparing version strings, so a version in between gets what it really does.

Differences from the printed book that both supported versions share (0-D results,
``Place(cpu)``, ``None`` for a non-leaf gradient: paddle >= 2.5 against the book's 2.2) are not
version differences; they are errata rows (docs/errata.md, chapter 1) and
``tests/test_book_printed_lines.py`` lists them.

Importing ``nndl`` does not import this module (nor paddle); ``from nndl import compat`` does.
"""
import inspect

import numpy as np
import paddle

__all__ = [
    "PADDLE_VERSION", "TESTED_VERSIONS", "SHAPE_IS_SIZE", "printed_shape", "XAVIER_HAS_GAIN", "xavier_normal",
    "xavier_uniform", "LAYER_CLEAR_GRADIENTS_TAKES_SET_TO_ZERO", "clear_gradients",
    "MIXED_INT_FLOAT_COMPARE_RAISES", "SCALE_BIAS_IS_FLOAT32", "scale", "ZERO_D_FORMATS_AS_NUMBER",
    "ROUND_HALF_TO_EVEN",
    "ENTRIES",
]

# For reports and error messages only (paddle's develop builds say 0.0.0); never branch on it.
PADDLE_VERSION = paddle.__version__
# The versions CI runs the whole suite on (.ci/run); the README, docs/versions.md and
# requirements.txt's lower bound say the same (tests/test_install.py checks them).
TESTED_VERSIONS = ("2.6.2", "3.3.1")

_CPU = paddle.CPUPlace()


def _tensor(value, dtype):
    return paddle.to_tensor(value, dtype=dtype, place=_CPU)


# --- 1. How a shape prints --------------------------------------------------------------------
# 2.6.2: ``Tensor.shape`` is a list and prints ``[640, 2]`` (the book's form);
# 3.3.1: it is a ``paddle.Size`` (a list subclass) and prints ``paddle.Size([640, 2])``.
# Both compare equal to a list of ints; ``list(x.shape)`` is ``[640, 2]`` on both.
# Errata C1-1, C4-15.  Proved by tests/test_compat.py::test_shape_is_size,
# tests/test_book_printed_lines.py, tests/test_ch3_classification.py::test_logistic_regression_script.
SHAPE_IS_SIZE = type(_tensor([0.0], "float32").shape) is not list


def printed_shape(dims):
    """The text ``print(x.shape)`` writes for a tensor of shape ``dims`` on this paddle."""
    text = "[" + ", ".join(str(int(d)) for d in dims) + "]"
    return f"paddle.Size({text})" if SHAPE_IS_SIZE else text


# --- 2. Xavier initializers' gain ---------------------------------------------------------------
# 3.3.1: ``XavierNormal(fan_in, fan_out, gain=1.0)`` / ``XavierUniform(..., gain=1.0)``;
# 2.6.2: no ``gain`` (TypeError).  The book's logistic version (7.4, 4x the tanh value) is
# ``gain=4.0`` on 3.x.  nndl's initializers draw ``Normal(0, xavier_logistic_normal_std(...))`` /
# ``Uniform(-r, r)`` themselves, the same weights on both.
# Proved by tests/test_init.py::test_same_draws_as_paddle_initializer, tests/test_compat.py.
XAVIER_HAS_GAIN = "gain" in inspect.signature(paddle.nn.initializer.XavierNormal.__init__).parameters


def xavier_normal(gain=1.0):
    """paddle's ``XavierNormal(gain=gain)`` where it exists; ``None`` on a paddle without ``gain``
    when ``gain != 1`` (the caller scales ``XavierNormal()``'s draws instead)."""
    if XAVIER_HAS_GAIN:
        return paddle.nn.initializer.XavierNormal(gain=gain)
    return paddle.nn.initializer.XavierNormal() if gain == 1.0 else None


def xavier_uniform(gain=1.0):
    """paddle's ``XavierUniform(gain=gain)``; ``None`` without ``gain`` support when ``gain != 1``."""
    if XAVIER_HAS_GAIN:
        return paddle.nn.initializer.XavierUniform(gain=gain)
    return paddle.nn.initializer.XavierUniform() if gain == 1.0 else None


# --- 3. Layer.clear_gradients(set_to_zero) -----------------------------------------------------
# 3.3.1: ``Layer.clear_gradients(set_to_zero=True)``; ``False`` drops the gradients (``.grad`` is
# None afterwards).  2.6.2: ``Layer.clear_gradients()`` takes no argument and always zeroes.
# ``Tensor.clear_gradient(set_to_zero)`` exists on both, so ``clear_gradients`` below is the
# version-neutral form.  Proved by tests/test_ch6_layers.py::test_custom_print_log_prints_the_srn_gradient_norms,
# tests/test_compat.py::test_clear_gradients.
LAYER_CLEAR_GRADIENTS_TAKES_SET_TO_ZERO = (
    "set_to_zero" in inspect.signature(paddle.nn.Layer.clear_gradients).parameters)


def clear_gradients(layer, set_to_zero=True):
    """``layer.clear_gradients(set_to_zero)`` on every paddle: zero (True) or drop (False) the
    gradients of ``layer``'s trainable parameters."""
    for p in layer.parameters():
        if not p.stop_gradient:
            p.clear_gradient(set_to_zero)


# --- 4. Comparing a float tensor with an integer tensor ------------------------------------------
# 3.3.1: ``float32 < int64`` raises ``TypeError (InvalidType) Type promotion only support ...``
# (the book's masks, errata C6/C8 rows on ``paddle.arange(..., dtype='float32') < valid_lens``);
# 2.6.2: it compares (the int64 side is cast) and returns the right mask.  nndl's masks compare
# integers with integers, so both give the same masks.
# Proved by tests/test_ch8_attention.py::test_masks_are_integer_comparisons_for_any_length_dtype.
def _mixed_compare_raises():
    try:
        _ = _tensor([0.0, 1.0], "float32") < _tensor([1], "int64")
    except (TypeError, ValueError, RuntimeError):
        return True
    return False


MIXED_INT_FLOAT_COMPARE_RAISES = _mixed_compare_raises()


# --- 5. The bias of paddle.scale (and tensor + python float) ------------------------------------
# 2.6.2: ``paddle.scale``'s ``bias`` is a float32 op attribute, and ``x + c`` / ``x - c`` with a
# python float ``c`` go through it, so a float64 ``G + 1e-7`` adds float32(1e-7) =
# 1.0000000116860974e-07 (``scale``'s factor is exact).  3.3.1: float64 exact.  This moved
# nndl's Adagrad (``rsqrt(G + eps)``) by 3e-8 from ``paddle.optimizer.Adagrad`` (which matches
# the book's float64 formula on both) after 60 float64 steps on 2.6.2; ``scale`` below is exact
# on both.  Proved by tests/test_optimizers.py::test_parity_with_paddle_float64,
# tests/test_compat.py::test_scale_bias_is_exact.
SCALE_BIAS_IS_FLOAT32 = paddle.scale(_tensor([0.0], "float64"), 1.0, bias=1e-7).item() != 1e-7


def scale(x, scale=1.0, bias=0.0):
    """``paddle.scale(x, scale, bias)`` = ``scale * x + bias``, with ``bias`` exact in ``x``'s dtype
    on every paddle (a float64 ``x`` gets a float64 ``bias``)."""
    bias = float(bias)
    if SCALE_BIAS_IS_FLOAT32 and x.dtype == paddle.float64 and float(np.float32(bias)) != bias:
        return paddle.add(paddle.scale(x, scale), paddle.full([], bias, dtype=x.dtype))
    return paddle.scale(x, scale, bias=bias)


# --- 6. format() of a 0-D tensor ------------------------------------------------------------
# 3.3.1: ``"{}".format(t)`` / ``f"{t}"`` of a 0-D tensor writes the number (``5.0``);
# 2.6.2: the tensor's repr (``Tensor(shape=[], dtype=float32, ..., 5.)``).  ``print(t)`` is the
# repr on both.  The book (paddle 2.2) prints ``a.grad`` with ``format`` as a ``shape=[1]`` repr
# (1.3.2, L1397); errata C1-6.  Proved by tests/test_book_printed_lines.py,
# tests/test_compat.py::test_zero_d_format.
ZERO_D_FORMATS_AS_NUMBER = "{}".format(_tensor(5.0, "float32")) == "5.0"


# --- 7. paddle.round of exact halves ------------------------------------------------------------
# 3.3.1: halves round to even, as numpy does (``round(2.5) = 2``, ``round(-0.5) = -0``);
# 2.6.2: halves round away from zero (``round(2.5) = 3``, ``round(-0.5) = -1``), float32 and
# float64 alike.  Elsewhere both agree with numpy.  The book (1.2.5.1) rounds no exact half;
# exercise 1.2 shows the rule of the installed paddle.
# Proved by tests/test_ch1_3_4_exercises.py::test_round_of_halves_per_version,
# tests/test_compat.py::test_round_half_to_even.
ROUND_HALF_TO_EVEN = _tensor([2.5], "float32").round().item() == 2.0

# One line per entry, for ``python -m nndl doctor`` and docs/versions.md.
ENTRIES = {
    "SHAPE_IS_SIZE": "Tensor.shape prints as paddle.Size([...]) (3.x) or [...] (2.6)",
    "XAVIER_HAS_GAIN": "XavierNormal/XavierUniform take gain= (3.x; not on 2.6)",
    "LAYER_CLEAR_GRADIENTS_TAKES_SET_TO_ZERO": "Layer.clear_gradients(set_to_zero) (3.x; 2.6 always zeroes)",
    "MIXED_INT_FLOAT_COMPARE_RAISES": "float tensor < int tensor raises (3.x) or compares (2.6)",
    "SCALE_BIAS_IS_FLOAT32": "paddle.scale's bias / tensor + float is float32 (2.6) or exact (3.x)",
    "ZERO_D_FORMATS_AS_NUMBER": "format(0-D tensor) is the number (3.x) or the repr (2.6)",
    "ROUND_HALF_TO_EVEN": "paddle.round of exact halves: to even as numpy (3.x) or away from zero (2.6)",
}
