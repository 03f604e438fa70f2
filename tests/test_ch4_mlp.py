"""Chapter 4 library (nndl.mlp): Model_MLP_L2's hand-written backward, the paddle networks,
print_grads, plot, and the book's claims of 4.4 (vanishing gradients, dead ReLU)."""
import io
from types import SimpleNamespace

import numpy as np
import paddle
import paddle.nn.functional as F
import pytest
from paddle.nn.initializer import Constant, Normal

import nndl
from nndl.gradcheck import numerical_grad, rel_error
from nndl.mlp import (Model_MLP_L2, Model_MLP_L2_V2, Model_MLP_L2_V3, Model_MLP_L5, plot,
                      print_grads)


def _float64_problem(n=9, d=3, h=5, seed=0):
    rs = np.random.RandomState(seed)
    paddle.seed(seed)
    model = Model_MLP_L2(d, h, 1, dtype='float64')
    # non-zero biases, so every term of (4.22) is exercised
    for layer in (model.fc1, model.fc2):
        layer.params['b'] = paddle.to_tensor(rs.randn(*layer.params['b'].shape) * 0.5)
    X = rs.randn(n, d)
    y = (rs.rand(n, 1) > 0.5).astype(np.float64)
    return model, X, y


def _bce_from_leaves(X, y, W1, b1, W2, b2):
    a1 = F.sigmoid(paddle.matmul(X, W1) + b1)
    a2 = F.sigmoid(paddle.matmul(a1, W2) + b2)
    return -paddle.mean(y * paddle.log(a2) + (1 - y) * paddle.log(1 - a2))


def test_model_mlp_l2_backward_through_bce_loss_matches_autograd_and_finite_difference():
    model, X, y = _float64_problem()
    Xt, yt = paddle.to_tensor(X), paddle.to_tensor(y)
    loss_fn = nndl.BinaryCrossEntropyLoss(model)
    loss = loss_fn(model(Xt), yt)
    dX = loss_fn.backward()       # drives model.backward(dR/da2), which returns dR/dX

    names = [("fc1", "W"), ("fc1", "b"), ("fc2", "W"), ("fc2", "b")]
    values = [getattr(model, l).params[k].numpy() for l, k in names]
    leaves = [paddle.to_tensor(v, stop_gradient=False) for v in values]
    x_leaf = paddle.to_tensor(X, stop_gradient=False)
    ref = _bce_from_leaves(x_leaf, yt, *leaves)
    np.testing.assert_allclose(loss.item(), ref.item(), rtol=1e-12)
    auto = paddle.grad(ref, leaves + [x_leaf])
    for (l, k), g in zip(names, auto):
        ours = getattr(model, l).grads[k]
        assert list(ours.shape) == list(getattr(model, l).params[k].shape), (l, k)
        assert rel_error(ours, g) < 1e-10, (l, k)
    assert rel_error(dX, auto[-1]) < 1e-10

    for i, (l, k) in enumerate(names):
        def f(p, i=i):
            args = [paddle.to_tensor(v) for v in values]
            args[i] = p
            return _bce_from_leaves(Xt, yt, *args)
        fd = numerical_grad(f, values[i])
        assert rel_error(getattr(model, l).grads[k], fd) < 1e-6, (l, k)


def test_model_mlp_l2_matches_model_mlp_l2_v2_with_copied_weights():
    paddle.seed(1)
    ours = Model_MLP_L2(2, 5, 1)
    ref = Model_MLP_L2_V2(2, 5, 1)
    ref.fc1.weight.set_value(ours.fc1.params['W'])
    ref.fc1.bias.set_value(paddle.full([5], 0.3))
    ours.fc1.params['b'] = paddle.full([1, 5], 0.3)
    ref.fc2.weight.set_value(ours.fc2.params['W'])
    rs = np.random.RandomState(2)
    X = paddle.to_tensor(rs.randn(16, 2).astype('float32'))
    y = paddle.to_tensor((rs.rand(16, 1) > 0.5).astype('float32'))

    loss_fn = nndl.BinaryCrossEntropyLoss(ours)
    a_ours = ours(X)
    loss_ours = loss_fn(a_ours, y)
    loss_fn.backward()
    a_ref = ref(X)
    loss_ref = F.binary_cross_entropy(a_ref, y)
    loss_ref.backward()
    np.testing.assert_allclose(a_ours.numpy(), a_ref.numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(loss_ours.item(), loss_ref.item(), rtol=1e-5)
    for fc in ("fc1", "fc2"):
        np.testing.assert_allclose(getattr(ours, fc).grads['W'].numpy(), getattr(ref, fc).weight.grad.numpy(),
                                   rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(getattr(ours, fc).grads['b'].numpy().reshape(-1),
                                   getattr(ref, fc).bias.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_model_mlp_l2_trains_with_optimizer_gd():
    """Optimizer_GD walks model.layers (4.2.4.6); the loss falls on a separable problem."""
    paddle.seed(3)
    model = Model_MLP_L2(2, 5, 1)
    rs = np.random.RandomState(3)
    X = rs.randn(64, 2).astype('float32')
    y = (X[:, :1] + X[:, 1:] > 0).astype('float32')
    X, y = paddle.to_tensor(X), paddle.to_tensor(y)
    loss_fn = nndl.BinaryCrossEntropyLoss(model)
    opt = nndl.Optimizer_GD(0.2, model)
    first = loss_fn(model(X), y).item()
    for _ in range(100):
        loss_fn(model(X), y)
        loss_fn.backward()
        opt.step()
    last = loss_fn(model(X), y).item()
    assert np.isfinite(last) and last < 0.5 * first


def test_model_mlp_l2_bad_input():
    with pytest.raises(ValueError, match="hidden_size"):
        Model_MLP_L2(2, 0, 1)
    with pytest.raises(TypeError, match="input_size"):
        Model_MLP_L2(2.5, 3, 1)
    model = Model_MLP_L2(2, 3, 1)
    with pytest.raises(ValueError, match=r"\[4, 3\]"):    # mismatched layer sizes: 3 features for 2 inputs
        model(paddle.randn([4, 3]))
    with pytest.raises(TypeError, match="paddle.Tensor"):
        model(np.zeros((4, 2), dtype='float32'))
    with pytest.raises(RuntimeError, match="before forward"):
        Model_MLP_L2(2, 3, 1).backward(paddle.ones([4, 1]))
    model(paddle.randn([4, 2]))
    with pytest.raises(ValueError, match="shape"):
        model.backward(paddle.ones([4, 2]))
    loss_fn = nndl.BinaryCrossEntropyLoss(model)
    with pytest.raises(ValueError, match="shape"):        # a [N] label vector against [N, 1] predictions
        loss_fn(model(paddle.randn([4, 2])), paddle.ones([4]))


def test_v2_v3_structure_and_initialization():
    paddle.seed(4)
    v2 = Model_MLP_L2_V2(2, 5, 1)
    assert float(paddle.abs(v2.fc1.bias).max()) == 0.0 and float(paddle.abs(v2.fc2.bias).max()) == 0.0
    w = paddle.concat([v2.fc1.weight.flatten(), v2.fc2.weight.flatten()]).numpy()
    assert 0.3 < w.std() < 3.0           # N(0, 1) weights (book 4.3.1), 15 draws
    out = v2(paddle.randn([6, 2]))
    assert out.shape == [6, 1] and float(out.min()) > 0 and float(out.max()) < 1

    paddle.seed(5)
    v3 = Model_MLP_L2_V3(input_size=4, output_size=3, hidden_size=6)
    assert v3.fc1.weight.shape == [4, 6] and v3.fc2.weight.shape == [6, 3]
    np.testing.assert_array_equal(v3.fc1.bias.numpy(), np.ones(6, 'float32'))
    np.testing.assert_array_equal(v3.fc2.bias.numpy(), np.ones(3, 'float32'))
    assert float(paddle.abs(v3.fc1.weight).max()) < 0.06      # N(0, 0.01): 24 draws stay within 6 sigma
    x = paddle.randn([7, 4])
    logits = v3(x)
    manual = paddle.matmul(F.sigmoid(paddle.matmul(x, v3.fc1.weight) + v3.fc1.bias), v3.fc2.weight) + v3.fc2.bias
    np.testing.assert_allclose(logits.numpy(), manual.numpy(), rtol=1e-6)   # logits, no output activation

    # Table 1.1's second name for the 4.5.3 network: the V2 class with 4.5.3's keywords
    paddle.seed(5)
    same = Model_MLP_L2_V2(4, 6, 3, weight_std=0.01, bias_value=1.0, logits=True)
    for a, b in zip(v3.parameters(), same.parameters()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(same(x).numpy(), logits.numpy())
    assert nndl.Model_MLP_L2_V3 is Model_MLP_L2_V3 and nndl.Model_MLP_L2_V2 is Model_MLP_L2_V2


@pytest.mark.parametrize("act,fn", [("sigmoid", F.sigmoid), ("relu", F.relu),
                                    ("lrelu", lambda z: F.leaky_relu(z, 0.01))])
def test_model_mlp_l5_forward_and_initialization(act, fn):
    paddle.seed(6)
    model = Model_MLP_L5(2, 1, act=act, b_init=Constant(value=-0.5) if act != 'sigmoid' else Constant(1.0))
    fcs = [model.fc1, model.fc2, model.fc3, model.fc4, model.fc5]
    assert [list(fc.weight.shape) for fc in fcs] == [[2, 3], [3, 3], [3, 3], [3, 3], [3, 1]]
    bias = -0.5 if act != 'sigmoid' else 1.0
    for fc in fcs:   # every layer's bias is b_init's constant (the printed book misses the ones after the first)
        np.testing.assert_array_equal(fc.bias.numpy(), np.full(fc.bias.shape, bias, 'float32'))
    w = np.concatenate([fc.weight.numpy().ravel() for fc in fcs])
    assert 0.004 < w.std() < 0.02         # Normal(0, 0.01), 36 draws
    x = paddle.randn([5, 2]) * 100        # large inputs reach the negative side of every unit
    h = x
    for fc in fcs[:-1]:
        h = fn(fc(h))
    np.testing.assert_allclose(model(x).numpy(), F.sigmoid(fcs[-1](h)).numpy(), rtol=1e-6)


def test_paddle_networks_bad_input():
    with pytest.raises(ValueError, match="weight_std"):
        Model_MLP_L2_V2(2, 5, 1, weight_std=0)
    with pytest.raises(TypeError, match="bias_value"):
        Model_MLP_L2_V2(2, 5, 1, bias_value='one')
    with pytest.raises(ValueError, match="hidden_size"):
        Model_MLP_L2_V3(4, 3, 0)
    for model, n_in in ((Model_MLP_L2_V2(2, 5, 1), 2), (Model_MLP_L2_V3(4, 3, 6), 4), (Model_MLP_L5(2, 1), 2)):
        with pytest.raises(ValueError, match=rf"\[N, {n_in}\], got \[3, 7\]"):   # mismatched layer sizes
            model(paddle.randn([3, 7]))


def test_model_mlp_l5_bad_input():
    with pytest.raises(ValueError, match="'tanh'"):
        Model_MLP_L5(2, 1, act='tanh')
    with pytest.raises(TypeError, match="w_init"):
        Model_MLP_L5(2, 1, w_init=0.01)
    with pytest.raises(ValueError, match="output_size"):
        Model_MLP_L5(2, 0)


def _grads_of(model, X, y):
    loss = F.binary_cross_entropy(model(X), y)
    loss.backward()


def test_print_grads_prints_the_books_lines_and_returns_norms():
    paddle.seed(7)
    model = Model_MLP_L5(2, 1)
    X = paddle.randn([10, 2])
    y = paddle.ones([10, 1])
    with pytest.raises(RuntimeError, match="backward"):
        print_grads(model)
    _grads_of(model, X, y)
    buf = io.StringIO()
    norms = print_grads(model, file=buf)
    lines = buf.getvalue().splitlines()
    assert lines[0].strip() == 'The gradient of the Layers:'
    fcs = [model.fc1, model.fc2, model.fc3, model.fc4, model.fc5]
    assert list(norms) == [fc.full_name() for fc in fcs]
    for line, fc in zip(lines[1:], fcs):
        name, value = line.split()
        expected = np.linalg.norm(fc.weight.grad.numpy().astype(np.float64))
        assert name == fc.full_name()
        np.testing.assert_allclose(float(value), expected, rtol=1e-5)
        assert isinstance(norms[name], np.float32)
    # RunnerV2_2 calls custom_print_log(runner): the runner's model is used
    buf2 = io.StringIO()
    assert print_grads(SimpleNamespace(model=model), file=buf2) == norms
    assert buf2.getvalue() == buf.getvalue()
    with pytest.raises(TypeError, match="Layer"):
        print_grads(object())


def _moons(seed=0, n=1000):
    paddle.seed(seed)
    X, y = nndl.make_moons(n_samples=n, shuffle=True, noise=0.5)
    return X[:640], y[:640].reshape([-1, 1])


def _first_step_norms(act, b_init, seed=102, data_seed=0):
    X, y = _moons(data_seed)
    paddle.seed(seed)
    model = Model_MLP_L5(2, 1, act=act, b_init=b_init)
    _grads_of(model, X, y)
    return np.array([float(paddle.linalg.norm(fc.weight.grad)) for fc in
                     (model.fc1, model.fc2, model.fc3, model.fc4, model.fc5)])


def test_claim_sigmoid_gradient_norm_falls_layer_by_layer():
    """4.4.2: '梯度经过每一个神经层的传递都会不断衰减' -- each layer's norm is over 10x its predecessor's."""
    for data_seed in (0, 1):
        norms = _first_step_norms('sigmoid', Constant(1.0), data_seed=data_seed)
        assert np.all(np.isfinite(norms)) and np.all(norms > 0)
        assert np.all(norms[1:] / norms[:-1] > 10), norms
        assert norms[0] < 1e-8 < norms[-1]


def test_claim_dead_relu_gives_exactly_zero_and_leaky_relu_does_not():
    """4.4.3: with biases -8 every ReLU unit is dead: the gradient norms are exactly 0.0."""
    dead = _first_step_norms('relu', Constant(-8.0))
    np.testing.assert_array_equal(dead, np.zeros(5))
    leaky = _first_step_norms('lrelu', Constant(-8.0))
    assert np.all(np.isfinite(leaky)) and np.all(leaky > 0), leaky
    assert np.all(leaky[1:] > leaky[:-1])     # and still shrinking towards the input (slope 0.01)
    # 4.4.2.3: ReLU (default bias 1.0) mitigates the vanishing: every layer keeps a gradient and
    # the first-to-last ratio is over 100x the sigmoid network's (measured ~500x: with N(0, 0.01)
    # weights each layer still scales the gradient by ~|W|, only the sigmoid's factor <= 1/4 is gone)
    relu = _first_step_norms('relu', Constant(1.0))
    assert np.all(relu > 0)
    sig = _first_step_norms('sigmoid', Constant(1.0))
    assert relu[0] / relu[-1] > 100 * sig[0] / sig[-1]


def _fake_v2_runner(n=5):
    return SimpleNamespace(train_loss=list(np.linspace(1, 0.5, n)), dev_loss=list(np.linspace(1.1, 0.6, n)),
                           train_scores=list(np.linspace(0.5, 0.8, n)), dev_scores=list(np.linspace(0.4, 0.7, n)))


def test_plot_epoch_histories(tmp_path):
    import matplotlib.pyplot as plt
    runner = _fake_v2_runner()
    runner.dev_loss.append(9.0)          # a later test evaluation is not drawn as an epoch
    runner.dev_scores.append(1.0)
    fig = plot(runner, str(tmp_path / 'fw-acc.pdf'))
    assert (tmp_path / 'fw-acc.pdf').stat().st_size > 0
    left, right = fig.axes
    assert left.get_xlabel() == 'epoch' and left.get_ylabel() == 'loss' and right.get_ylabel() == 'score'
    np.testing.assert_allclose(left.lines[0].get_ydata(), runner.train_loss)
    np.testing.assert_allclose(left.lines[1].get_ydata(), runner.dev_loss[:5])
    np.testing.assert_allclose(right.lines[1].get_ydata(), runner.dev_scores[:5])
    plt.close(fig)


def test_plot_step_histories_of_runner_v3():
    import matplotlib.pyplot as plt
    runner = SimpleNamespace(train_step_losses=[(i, 1.0 / (i + 1)) for i in range(100)],
                             dev_losses=[(50, 0.4), (99, 0.3), (-1, 0.2)], dev_scores=[0.6, 0.8, 1.0])
    fig = plot(runner)                    # chapter 5 calls plot(runner)
    left, right = fig.axes
    np.testing.assert_allclose(left.lines[0].get_xdata(), [0, 30, 60, 90])
    np.testing.assert_allclose(left.lines[1].get_xdata(), [50, 99])     # the test evaluation (-1) is left out
    np.testing.assert_allclose(right.lines[0].get_ydata(), [0.6, 0.8])
    assert left.get_xlabel() == 'step' and right.get_ylabel() == 'score'
    plt.close(fig)
    # evaluated only outside training: dev curve over evaluation index
    runner = SimpleNamespace(train_step_losses=[(0, 1.0)], dev_losses=[(-1, 0.5)], dev_scores=[0.9])
    fig = plot(runner)
    assert len(fig.axes[0].lines) == 1
    np.testing.assert_allclose(fig.axes[1].lines[0].get_ydata(), [0.9])
    plt.close(fig)


def test_plot_bad_input():
    with pytest.raises(TypeError, match="train_loss"):
        plot(SimpleNamespace(dev_loss=[]))
    with pytest.raises(ValueError, match="no history"):
        plot(SimpleNamespace(train_loss=[], dev_loss=[], train_scores=[], dev_scores=[]))
    with pytest.raises(ValueError, match="sample_every"):
        plot(SimpleNamespace(train_step_losses=[(0, 1.0)], dev_losses=[], dev_scores=[]), sample_every=0)
    assert getattr(nndl, 'plot', None) is not plot      # local to nndl.mlp (the book has three plots)


def test_model_mlp_l5_negative_slope():
    paddle.seed(8)
    model = Model_MLP_L5(2, 1, act='lrelu', b_init=Constant(-8.0), negative_slope=0.2)
    x = paddle.randn([6, 2])
    h = x
    for fc in (model.fc1, model.fc2, model.fc3, model.fc4):
        h = F.leaky_relu(fc(h), 0.2)
    np.testing.assert_allclose(model(x).numpy(), F.sigmoid(model.fc5(h)).numpy(), rtol=1e-6)
    with pytest.raises(TypeError, match="negative_slope"):
        Model_MLP_L5(2, 1, act='lrelu', negative_slope='big')
