"""Chapter 5.1-5.2: every Conv2D form and Pool2D against paddle's F.conv2d / F.max_pool2d /
F.avg_pool2d (values and autograd gradients), the book's printed outputs, and bad input."""
import numpy as np
import paddle
import paddle.nn.functional as F
import pytest

from nndl.conv import Conv2D, Pool2D, conv_output_size
from nndl.gradcheck import numerical_grad, rel_error


def _t(a, grad=False):
    t = paddle.to_tensor(np.asarray(a))
    t.stop_gradient = not grad
    return t


def _grads(y, up, wrt):
    return [g.numpy() for g in paddle.grad((y * up).sum(), wrt)]


def _close(a, b, tol=1e-12):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(b))
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol, equal_nan=False)


# ---------------------------------------------------------------- multi-channel form (5.2.1.2)
@pytest.mark.parametrize("B,D,P,M,N,k,s,p", [
    (2, 3, 4, 7, 6, 3, 1, 0),
    (2, 3, 4, 7, 6, 3, 2, 1),
    (1, 1, 6, 32, 32, 5, 1, 0),     # LeNet conv1
    (3, 16, 120, 5, 5, 5, 1, 0),    # LeNet conv3: one output position (the [B*L, K] product)
    (2, 2, 3, 9, 8, (2, 3), (2, 1), (1, 0)),
])
def test_conv2d_matches_paddle_values_and_gradients(B, D, P, M, N, k, s, p):
    rs = np.random.RandomState(0)
    conv = Conv2D(D, P, k, stride=s, padding=p, weight_attr=paddle.ParamAttr(), dtype='float64')
    conv.bias.set_value(_t(rs.randn(P, 1)))
    x = _t(rs.randn(B, D, M, N), grad=True)
    y = conv(x)
    ref = F.conv2d(x, conv.weight, conv.bias.reshape([-1]), stride=s, padding=p)
    kh, kw = (k, k) if isinstance(k, int) else k
    sh, sw = (s, s) if isinstance(s, int) else s
    ph, pw = (p, p) if isinstance(p, int) else p
    assert list(y.shape) == [B, P, conv_output_size(M, kh, sh, ph), conv_output_size(N, kw, sw, pw)]
    assert list(conv.weight.shape) == [P, D, kh, kw] and list(conv.bias.shape) == [P, 1]
    _close(y.numpy(), ref.numpy())
    up = _t(rs.randn(*y.shape))
    wrt = [x, conv.weight, conv.bias]
    for ours, theirs in zip(_grads(y, up, wrt), _grads(ref, up, wrt)):
        _close(ours, theirs)


def test_conv2d_gradient_finite_difference():
    rs = np.random.RandomState(1)
    conv = Conv2D(2, 3, 2, stride=2, padding=1, weight_attr=paddle.ParamAttr(), dtype='float64')
    x = rs.randn(1, 2, 3, 4)
    up = _t(rs.randn(1, 3, 2, 3))
    xt = _t(x, grad=True)
    gx, gw = _grads(conv(xt), up, [xt, conv.weight])
    W = conv.weight.numpy()

    def f_x(t):
        return (conv(t) * up).sum()

    def f_w(w):
        return (F.conv2d(_t(x), w, stride=2, padding=1) * up).sum()
    assert rel_error(gx, numerical_grad(f_x, x)) < 1e-6
    assert rel_error(gw, numerical_grad(f_w, W)) < 1e-6


def test_book_method_names_and_defaults():
    conv = Conv2D(in_channels=2, out_channels=3, kernel_size=2)
    # the book's defaults: weight Constant(1.0), bias Constant(0.0) of shape [P, 1]
    assert np.all(conv.weight.numpy() == 1.0) and np.all(conv.bias.numpy() == 0.0)
    x = paddle.randn([2, 2, 4, 4])
    full = conv(x)
    one = conv.multi2single_forward(x, conv.weight[0], conv.bias[0])
    _close(one.numpy(), full[:, 0].numpy(), 1e-6)
    single = conv.single_forward(x[:, 0], conv.weight[0, 0])
    _close(single.numpy(), F.conv2d(x[:, :1], conv.weight[:1, :1]).numpy()[:, 0], 1e-6)
    _close(conv.multi2multi_forward(x, conv.weight, conv.bias).numpy(), full.numpy(), 0)


def test_printed_5_2_1_2_every_channel_is_20_28_44_52():
    inputs = paddle.to_tensor([[[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]],
                                [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]])
    outputs = Conv2D(in_channels=2, out_channels=3, kernel_size=2)(inputs)
    assert list(outputs.shape) == [1, 3, 2, 2]
    np.testing.assert_array_equal(outputs.numpy(), np.tile([[20., 28.], [44., 52.]], (1, 3, 1, 1)))


# ---------------------------------------------------------------- single-channel forms (5.1.2, 5.1.4)
# 5.1.2's printed input (seed 100 on the book's GPU) and output (L6516-6530)
BOOK_5_1_2_INPUT = [[[-2.84111667, 0.00813386, -1.10186338],
                     [-0.98983365, 0.82590210, 1.86596942],
                     [-0.00606005, 0.84462112, -0.55158448]],
                    [[-0.38196096, 1.69304919, -1.76249516],
                     [-0.76220298, 1.71323478, -0.87099439],
                     [-0.94921637, 0.42173341, 0.02119463]]]
BOOK_5_1_2_OUTPUT = [[[-2.99691439, 1.59814215], [0.67462951, 2.98490834]],
                     [[2.26212001, 0.77279443], [0.42354882, 1.28516841]]]


def test_printed_5_1_2_output_from_printed_input():
    conv2d = Conv2D(kernel_size=2)
    assert conv2d.single_channel and list(conv2d.weight.shape) == [2, 2] and conv2d.bias is None
    outputs = conv2d(paddle.to_tensor(BOOK_5_1_2_INPUT, dtype='float32'))
    np.testing.assert_allclose(outputs.numpy(), BOOK_5_1_2_OUTPUT, atol=3e-7, rtol=0, equal_nan=False)


def test_printed_5_1_4_shapes():
    inputs = paddle.randn(shape=[2, 8, 8])
    assert list(Conv2D(kernel_size=3, padding=1)(inputs).shape) == [2, 8, 8]
    assert list(Conv2D(kernel_size=3, stride=2, padding=1)(inputs).shape) == [2, 4, 4]


@pytest.mark.parametrize("k,s,p", [(2, 1, 0), (3, 1, 1), (3, 2, 1), (3, 3, 2)])
def test_single_channel_matches_paddle(k, s, p):
    rs = np.random.RandomState(2)
    conv = Conv2D(kernel_size=k, stride=s, padding=p, weight_attr=paddle.ParamAttr(), dtype='float64')
    x = _t(rs.randn(3, 9, 7), grad=True)
    y = conv(x)
    ref = F.conv2d(x.unsqueeze(1), conv.weight.reshape([1, 1, k, k]), stride=s, padding=p).squeeze(1)
    _close(y.numpy(), ref.numpy())
    up = _t(rs.randn(*y.shape))
    for ours, theirs in zip(_grads(y, up, [x, conv.weight]), _grads(ref, up, [x, conv.weight])):
        _close(ours, theirs)


def test_laplacian_kernel_is_zero_on_flat_regions():
    """5.1.5: the Laplacian kernel sums to 0, so it answers only at edges."""
    w = np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype='float32')
    conv = Conv2D(kernel_size=3, weight_attr=paddle.ParamAttr(initializer=paddle.nn.initializer.Assign(w)))
    img = np.zeros((1, 12, 12), dtype='float32')
    img[0, 3:9, 3:9] = 255.0
    out = conv(paddle.to_tensor(img)).numpy()[0]
    assert out[0, 0] == 0 and out[4, 4] == 0          # flat background, flat inside
    assert out[1, 1] < 0 and out[2, 2] > 0              # the square's outer and inner edge


# ---------------------------------------------------------------- Pool2D (5.2.2)
def test_printed_5_2_2_max_pool():
    inputs = paddle.to_tensor([[[[0.30856404, 0.41556627, 0.55406243],
                                 [0.26652551, 1.64261794, -0.52476674],
                                 [-1.02183867, -1.02233613, -0.07201923]]]])
    outputs = Pool2D()(inputs)
    np.testing.assert_array_equal(outputs.numpy(), np.full((1, 1, 2, 2), np.float32(1.64261794)))


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("size,stride,shape", [
    ((2, 2), 2, (2, 3, 8, 8)),      # tiling windows (LeNet)
    ((2, 2), 1, (2, 3, 5, 6)),      # overlapping (the book's default stride 1)
    ((3, 2), 2, (1, 2, 9, 7)),      # rectangular, does not tile
    (3, (2, 1), (1, 2, 7, 6)),
])
def test_pool2d_matches_paddle(mode, size, stride, shape):
    rs = np.random.RandomState(3)
    x = _t(rs.randn(*shape), grad=True)
    y = Pool2D(size=size, mode=mode, stride=stride)(x)
    ks = list(size) if isinstance(size, tuple) else size
    st = list(stride) if isinstance(stride, tuple) else stride
    ref = F.max_pool2d(x, ks, st) if mode == 'max' else F.avg_pool2d(x, ks, st)
    _close(y.numpy(), ref.numpy())
    up = _t(rs.randn(*y.shape))
    g = _grads(y, up, [x])[0]
    # paddle's float64 avg_pool2d backward scales by a float32 1/k (rel. error ~3e-8 for k=6):
    # compare with it at that precision, and with the exact float64 gradient tightly
    _close(g, _grads(ref, up, [x])[0], 1e-12 if mode == 'max' else 1e-7)
    fd = numerical_grad(lambda t: (Pool2D(size=size, mode=mode, stride=stride)(t) * up).sum(), x.numpy())
    assert rel_error(g, fd) < 1e-6


@pytest.mark.parametrize("stride", [1, 2])
def test_max_pool_ties_go_to_the_first_maximum_like_paddle(stride):
    rs = np.random.RandomState(4)
    x = np.maximum(0, rs.randn(2, 3, 6, 6)).round(1)    # ReLU-like: many tied zeros, some tied values
    xt = _t(x, grad=True)
    y = Pool2D((2, 2), 'max', stride)(xt)
    ref = F.max_pool2d(xt, 2, stride)
    up = _t(rs.randn(*y.shape))
    g, gref = _grads(y, up, [xt])[0], _grads(ref, up, [xt])[0]
    _close(y.numpy(), ref.numpy())
    _close(g, gref)


def test_layers_do_not_modify_their_input():
    x = paddle.randn([2, 2, 6, 6])
    before = x.numpy().copy()
    Conv2D(2, 3, 3, padding=1)(x)
    Pool2D((2, 2), 'avg', 2)(x)
    np.testing.assert_array_equal(x.numpy(), before)


# ---------------------------------------------------------------- bad input
def test_conv2d_channel_mismatch():
    with pytest.raises(ValueError, match=r"3 channels.*in_channels=2"):
        Conv2D(2, 4, 3)(paddle.randn([1, 3, 8, 8]))


def test_conv2d_kernel_larger_than_padded_input():
    with pytest.raises(ValueError, match=r"kernel 5x5 is larger than the padded input 4x4"):
        Conv2D(1, 1, 5, padding=1)(paddle.randn([1, 1, 2, 2]))
    with pytest.raises(ValueError, match=r"larger than the padded input"):
        Conv2D(kernel_size=4)(paddle.randn([1, 3, 3]))


@pytest.mark.parametrize("stride", [0, -1, (1, 0)])
def test_nonpositive_stride(stride):
    with pytest.raises(ValueError, match="stride must be >= 1"):
        Conv2D(1, 1, 3, stride=stride)
    with pytest.raises(ValueError, match="stride must be >= 1"):
        Pool2D(stride=stride)


def test_other_bad_arguments():
    with pytest.raises(ValueError, match="padding must be >= 0"):
        Conv2D(kernel_size=3, padding=-1)
    with pytest.raises(TypeError, match="kernel_size is required"):
        Conv2D(2, 3)
    with pytest.raises(ValueError, match="out_channels must be a positive int"):
        Conv2D(2, kernel_size=3)
    with pytest.raises(ValueError, match="single-channel form of 5.1.2/5.1.4 has no bias"):
        Conv2D(kernel_size=2, bias_attr=paddle.ParamAttr())
    with pytest.raises(TypeError, match="kernel_size must be an int or a pair"):
        Conv2D(kernel_size=2.5)
    with pytest.raises(ValueError, match=r"input must have shape \[B, D, M, N\]"):
        Conv2D(1, 1, 2)(paddle.randn([1, 4, 4]))
    with pytest.raises(ValueError, match=r"input must have shape \[B, M, N\]"):
        Conv2D(kernel_size=2)(paddle.randn([1, 1, 4, 4]))
    with pytest.raises(TypeError, match="paddle.Tensor"):
        Conv2D(kernel_size=2)(np.zeros((1, 4, 4), dtype='float32'))
    with pytest.raises(TypeError, match="input dtype .*float64 differs from the kernel's .*float32"):
        Conv2D(1, 1, 2)(paddle.zeros([1, 1, 4, 4], dtype='float64'))


def test_pool2d_bad_input():
    with pytest.raises(ValueError, match=r"mode must be 'max' or 'avg', got 'min'"):
        Pool2D(mode='min')
    with pytest.raises(ValueError, match=r"kernel 2x2 is larger"):
        Pool2D()(paddle.randn([1, 1, 1, 5]))
    with pytest.raises(ValueError, match=r"\[B, C, H, W\]"):
        Pool2D()(paddle.randn([3, 3]))
