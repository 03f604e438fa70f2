"""Chapter 5.1-5.2 卷积: ``Conv2D`` (the book's three forms) and ``Pool2D``, from the book's formulas.

The book computes every output position in a Python loop (公式 5.1/5.2/5.5: one
``paddle.sum`` per position), about 8 s per LeNet batch on a laptop CPU.  Here
the same formulas are evaluated at all positions at once: the input is cut into
its ``U x V`` patches (im2col, ``paddle.nn.functional.unfold``), and 公式 (5.5)
``Z^p = sum_d W^{p,d} (x) X^d + b^p`` becomes one matrix product of the
``[P, D*U*V]`` kernels with the ``[D*U*V, M'*N']`` patches.  Autograd gives the
gradients; values and gradients equal ``F.conv2d`` / ``F.max_pool2d`` /
``F.avg_pool2d`` (tests/test_ch5_conv.py).

One class covers the book's three ``Conv2D`` forms (so the printed calls run unchanged):

- 5.1.2 ``Conv2D(kernel_size=2)`` and 5.1.4 ``Conv2D(kernel_size=3, stride=2, padding=1)``:
  single channel, input ``[B, M, N]``, weight ``[U, V]``, no bias (the form chosen
  when ``in_channels`` and ``out_channels`` are not given);
- 5.2.1.2 ``Conv2D(in_channels, out_channels, kernel_size, stride, padding, weight_attr,
  bias_attr)``: input ``[B, D, M, N]``, weight ``[P, D, U, V]``, bias ``[P, 1]``.
"""
import numbers

import paddle
import paddle.nn as nn
import paddle.nn.functional as F

__all__ = ["Conv2D", "Pool2D", "conv_output_size"]
__local__ = ()

# below this many output positions, Conv2D multiplies all patches of the batch at once
_SMALL_OUTPUT = 16


def _pair(value, name, owner, minimum):
    """``value`` as a pair of ints ``>= minimum`` (an int means the same for both sides)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        pair = (int(value), int(value))
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value):
        pair = (int(value[0]), int(value[1]))
    else:
        raise TypeError(f"{owner}: {name} must be an int or a pair of ints, got {value!r}")
    if min(pair) < minimum:
        raise ValueError(f"{owner}: {name} must be >= {minimum}, got {value!r}")
    return pair


def conv_output_size(size, kernel, stride=1, padding=0):
    """公式 (5.3)/(5.4): ``(M + 2P - U) // S + 1`` (the book's floor division)."""
    return (size + 2 * padding - kernel) // stride + 1


def _check_window(owner, in_hw, kernel, stride, padding):
    """The output size ``(M', N')``, or a ValueError when the window does not fit."""
    (m, n), (u, v), (sh, sw), (ph, pw) = in_hw, kernel, stride, padding
    if m + 2 * ph < u or n + 2 * pw < v:
        raise ValueError(f"{owner}: kernel {u}x{v} is larger than the padded input "
                         f"{m + 2 * ph}x{n + 2 * pw} (input {m}x{n}, padding {ph},{pw})")
    return conv_output_size(m, u, sh, ph), conv_output_size(n, v, sw, pw)


class Conv2D(nn.Layer):
    """二维卷积 (5.1.2, 5.1.4) 与多通道卷积层算子 (5.2.1.2, Table 1.1).

    输入 (multi-channel form, 5.2.1.2):
        - in_channels: 输入通道数 D
        - out_channels: 输出通道数 P
        - kernel_size: 卷积核大小 U (= V), or a pair ``(U, V)``
        - stride: 步长 S (int or pair, >= 1); padding: 零填充 P (int or pair, >= 0)
        - weight_attr: 卷积核的 ``paddle.ParamAttr``; None = the book's default
          ``Constant(1.0)``.  ``paddle.ParamAttr()`` (as 5.3's LeNet passes) = paddle's
          default initializer
        - bias_attr: 偏置的 ``paddle.ParamAttr``; None = the book's ``Constant(0.0)``;
          ``False`` = no bias
        - dtype: parameter dtype (extra; the book's 'float32')
    输入 (single-channel form, 5.1.2/5.1.4): ``Conv2D(kernel_size=..., stride=1, padding=0,
    weight_attr=...)``, i.e. without ``in_channels``/``out_channels``.

    forward(X):
        - X: multi-channel ``shape=[B, D, M, N]``; single-channel ``shape=[B, M, N]``
        - 输出: ``shape=[B, P, M', N']`` (single-channel: ``[B, M', N']``) with
          ``M' = (M + 2P - U) // S + 1`` (公式 5.3), ``N'`` alike (公式 5.4)

    Attributes as in the book: ``weight`` (``[P, D, U, V]``, single-channel ``[U, V]``),
    ``bias`` (``[P, 1]``), ``stride``, ``padding``, ``in_channels``, ``out_channels``.
    """

    def __init__(self, in_channels=None, out_channels=None, kernel_size=None, stride=1, padding=0,
                 weight_attr=None, bias_attr=None, dtype='float32'):
        super(Conv2D, self).__init__()
        owner = type(self).__name__
        if kernel_size is None:
            raise TypeError(f"{owner}: kernel_size is required "
                            f"(5.1.2: Conv2D(kernel_size=2); 5.2.1.2: Conv2D(in_channels, out_channels, kernel_size))")
        self.single_channel = in_channels is None and out_channels is None
        if not self.single_channel:
            for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
                if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                    raise ValueError(f"{owner}: {name} must be a positive int, got {value!r} "
                                     f"(omit both in_channels and out_channels for the single-channel form of 5.1.2)")
        u, v = self.kernel_size = _pair(kernel_size, "kernel_size", owner, 1)
        self._stride = _pair(stride, "stride", owner, 1)
        self._padding = _pair(padding, "padding", owner, 0)
        # the book's scalars when given scalars
        self.stride, self.padding = stride, padding
        if weight_attr is None:
            weight_attr = paddle.ParamAttr(initializer=nn.initializer.Constant(value=1.0))
        if self.single_channel:
            if bias_attr not in (None, False):
                raise ValueError(f"{owner}: the single-channel form of 5.1.2/5.1.4 has no bias, got "
                                 f"bias_attr={bias_attr!r} (give in_channels and out_channels for a bias)")
            self.in_channels = self.out_channels = None
            # 使用 'paddle.create_parameter' 创建卷积核 (5.1.2: shape=[U, V], no bias)
            self.weight = paddle.create_parameter(shape=[u, v], dtype=dtype, attr=weight_attr)
            self.bias = None
        else:
            self.in_channels, self.out_channels = int(in_channels), int(out_channels)
            self.weight = paddle.create_parameter(shape=[self.out_channels, self.in_channels, u, v],
                                                  dtype=dtype, attr=weight_attr)
            if bias_attr is False:
                self.bias = None
            else:
                if bias_attr is None:
                    bias_attr = paddle.ParamAttr(initializer=nn.initializer.Constant(value=0.0))
                # 偏置 shape=[P, 1] as in the book
                self.bias = paddle.create_parameter(shape=[self.out_channels, 1], dtype=dtype,
                                                    attr=bias_attr, is_bias=True)

    # ----------------------------------------------------------------- the computation
    def _check_input(self, X, ndim, channels):
        owner = type(self).__name__
        if not isinstance(X, paddle.Tensor):
            raise TypeError(f"{owner}: input must be a paddle.Tensor, got {type(X).__name__}")
        if X.ndim != ndim:
            want = "[B, M, N]" if ndim == 3 else "[B, D, M, N]"
            raise ValueError(f"{owner}: input must have shape {want}, got {list(X.shape)}")
        if channels is not None and X.shape[1] != channels:
            raise ValueError(f"{owner}: input has {X.shape[1]} channels (shape {list(X.shape)}), "
                             f"expected in_channels={channels}")

    def _conv(self, X, weight, bias):
        """公式 (5.5) at every position: X [B, D, M, N], weight [P, D, U, V], bias [P] or None."""
        if X.dtype != weight.dtype:
            raise TypeError(f"{type(self).__name__}: input dtype {X.dtype} differs from the kernel's {weight.dtype} "
                            f"(cast the input, or build the layer with dtype=...)")
        B, D = X.shape[0], X.shape[1]
        P, _, u, v = weight.shape
        mo, no = _check_window(type(self).__name__, X.shape[2:], (u, v), self._stride, self._padding)
        # im2col: [B, D*U*V, M'*N'], patch rows ordered (d, u, v) like weight.reshape([P, D*U*V])
        cols = F.unfold(X, kernel_sizes=[u, v], strides=list(self._stride), paddings=list(self._padding))
        K, L = D * u * v, mo * no
        if L <= _SMALL_OUTPUT:
            # few positions (LeNet's conv3 has one): one [B*L, K] x [K, P] product is far
            # faster than B broadcast products with L columns each
            out = paddle.matmul(cols.transpose([0, 2, 1]).reshape([B * L, K]), weight.reshape([P, K]),
                                transpose_y=True)                          # [B*L, P]
            if bias is not None:
                out = out + bias.reshape([1, P])
            return out.reshape([B, mo, no, P]).transpose([0, 3, 1, 2])
        out = paddle.matmul(weight.reshape([P, K]), cols)                  # [B, P, M'*N']
        if bias is not None:
            out = out + bias.reshape([1, P, 1])
        return out.reshape([B, P, mo, no])

    def single_forward(self, X, weight):
        """基础卷积运算 (5.1.2/5.1.4, 公式 5.1/5.2).

        输入:
            - X: shape=[B, M, N]
            - weight: 二维卷积核 shape=[U, V]
        输出:
            - shape=[B, M', N']
        """
        self._check_input(X, 3, None)
        if weight.ndim != 2:
            raise ValueError(f"{type(self).__name__}.single_forward: weight must be [U, V], got {list(weight.shape)}")
        out = self._conv(X.unsqueeze(1), weight.reshape([1, 1] + list(weight.shape)), None)
        return out.squeeze(1)

    def multi2single_forward(self, inputs, weight, b):
        """多输入通道到单个输出通道的卷积运算 (公式 5.5 for one p).

        输入:
            - inputs: 输入矩阵 shape=[B, D, M, N]
            - weight: 一组二维卷积核 shape=[D, U, V]
            - b: 偏置 shape=[1]
        输出:
            - shape=[B, M', N']
        """
        self._check_input(inputs, 4, weight.shape[0])
        return self._conv(inputs, weight.unsqueeze(0), b.reshape([1])).squeeze(1)

    def multi2multi_forward(self, inputs, weights, bias):
        """多输入通道到多输出通道的卷积运算.

        输入:
            - inputs: 输入矩阵 shape=[B, D, M, N]
            - weights: P 组二维卷积核 shape=[P, D, U, V]
            - bias: P 个偏置 shape=[P, 1] (or None)
        输出:
            - shape=[B, P, M', N']
        """
        self._check_input(inputs, 4, weights.shape[1])
        return self._conv(inputs, weights, None if bias is None else bias.reshape([-1]))

    def forward(self, inputs):
        if self.single_channel:
            return self.single_forward(inputs, self.weight)
        self._check_input(inputs, 4, self.in_channels)
        return self.multi2multi_forward(inputs, self.weight, self.bias)

    def extra_repr(self):
        if self.single_channel:
            return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
        return (f"in_channels={self.in_channels}, out_channels={self.out_channels}, "
                f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}")


def _scalar(value, dtype):
    # a tensor of the input's dtype: a python float would be applied in float32
    return paddle.to_tensor(value, dtype=dtype)


def _first_max(parts):
    """Elementwise maximum of ``parts`` (a window's elements, in order) whose gradient goes to
    the first maximal one: ``where(best >= next)`` keeps the earlier on ties, as
    ``F.max_pool2d`` does.  (``paddle.maximum`` would split a tie's gradient in halves, and
    ``paddle.max`` over two non-adjacent axes gives a wrong gradient in paddle 3.3.)"""
    best = parts[0]
    for part in parts[1:]:
        with paddle.no_grad():
            keep = best >= part
        best = paddle.where(keep, best, part)
    return best


class Pool2D(nn.Layer):
    """汇聚层算子 (5.2.2): 最大汇聚 ('max') 或平均汇聚 ('avg').

    输入:
        - size: 汇聚窗口 ``(h, w)`` (or an int); the book's default (2, 2)
        - mode: 'max' or 'avg'
        - stride: 步长 (int or pair, >= 1); the book's default 1
    forward(x):
        - x: shape=[B, C, H, W]
        - 输出: shape=[B, C, (H - h) // S + 1, (W - w) // S + 1]

    Each output is the maximum (or mean) of its window, as the book's loop computes it,
    for all windows at once (a loop over the h*w window offsets, never over positions);
    the maximum passes its gradient to the first maximal element of the window in
    row-major order (the one ``F.max_pool2d`` chooses; ties are common after a ReLU).
    The book's loop swaps H and W in its output-size names and window slices (harmless
    for its square windows); here ``h`` runs along H.
    """

    def __init__(self, size=(2, 2), mode='max', stride=1):
        super(Pool2D, self).__init__()
        owner = type(self).__name__
        if mode not in ('max', 'avg'):
            raise ValueError(f"{owner}: mode must be 'max' or 'avg', got {mode!r}")
        self.mode = mode
        self.h, self.w = _pair(size, "size", owner, 1)
        self._stride = _pair(stride, "stride", owner, 1)
        self.stride = stride

    def forward(self, x):
        owner = type(self).__name__
        if not isinstance(x, paddle.Tensor):
            raise TypeError(f"{owner}: input must be a paddle.Tensor, got {type(x).__name__}")
        if x.ndim != 4:
            raise ValueError(f"{owner}: input must have shape [B, C, H, W], got {list(x.shape)}")
        B, C, H, W = x.shape
        ho, wo = _check_window(owner, (H, W), (self.h, self.w), self._stride, (0, 0))
        k = self.h * self.w
        if self._stride == (self.h, self.w) and H % self.h == 0 and W % self.w == 0:
            # non-overlapping windows that tile the input (LeNet's 2x2/2): a reshape, no copy;
            # window rows on axis 3, window columns on axis 5
            win = x.reshape([B, C, ho, self.h, wo, self.w])
            if self.mode == 'avg':
                return paddle.sum(win, axis=[3, 5]) * _scalar(1.0 / k, win.dtype)
            # the columns of each window row first, then the rows: the row-major first maximum
            rows = _first_max(paddle.unbind(win, axis=5))          # [B, C, ho, h, wo]
            return _first_max(paddle.unbind(rows, axis=3))         # [B, C, ho, wo]
        # every window as a column, in row-major order: [B*C, h*w, H'*W']
        win = F.unfold(x.reshape([B * C, 1, H, W]), kernel_sizes=[self.h, self.w],
                       strides=list(self._stride))
        if self.mode == 'avg':
            out = paddle.sum(win, axis=1) * _scalar(1.0 / k, win.dtype)
        else:
            out = _first_max(paddle.unbind(win, axis=1))
        return out.reshape([B, C, ho, wo])

    def extra_repr(self):
        return f"size=({self.h}, {self.w}), mode={self.mode!r}, stride={self.stride}"
