"""MLP (7.4.2.1 / 7.5.1.2) and MultiConvLayerNet (7.5.1.5): the chapter's claims, modes, shapes, bad input."""
import re

import numpy as np
import paddle
import paddle.nn as nn
import paddle.nn.functional as F
import pytest

from nndl import (MLP, Accuracy, BatchNorm, LayerNorm, MoonsDataset, MultiConvLayerNet, RunnerV3,
                  he_normal_std, xavier_normal_std, xavier_uniform_r)

LAYERS_742 = [100, 200, 400, 300, 200, 100]
LAYERS_751 = [100, 200, 400, 300, 2, 2]


def _n_params(model, trainable_only=True):
    return sum(int(np.prod(p.shape)) for p in model.parameters() if not (trainable_only and p.stop_gradient))


def test_mlp_records_and_shapes():
    model = MLP(LAYERS_742, "normal", xavier_normal_std, nn.Tanh)
    y = model(paddle.randn([3, 100]))
    assert list(y.shape) == [3, 100]
    assert sorted(model.z) == [0, 1, 2, 3, 4] and sorted(model.a) == [0, 1, 2, 3]
    for i in range(4):
        assert list(model.z[i].shape) == [3, LAYERS_742[i + 1]]
        np.testing.assert_allclose(model.a[i].numpy(), np.tanh(model.z[i].numpy()), atol=1e-6)
    # no activation after the last layer: the output is the last linear layer's output
    np.testing.assert_allclose(y.numpy(), model.linear[4](model.a[3]).numpy(), atol=1e-6)
    assert model.z[4] is y


@pytest.mark.parametrize("init_fn_name,init_fn", [("normal", xavier_normal_std), ("uniform", xavier_uniform_r)])
def test_xavier_keeps_variance_and_normal01_saturates(init_fn_name, init_fn):
    """7.4.2.2: under Xavier the per-layer output variance stays within a small factor across
    layers; under N(0, 1) the pre-activations blow up and tanh saturates."""
    ratios, sat_x, sat_n = [], [], []
    for seed in range(5):
        paddle.seed(seed)
        X = paddle.normal(shape=[64, 100], std=0.1)
        xav = MLP(LAYERS_742, init_fn_name, init_fn, nn.Tanh)
        basic = MLP(LAYERS_742, "basic", None, nn.Tanh)
        xav(X)
        basic(X)
        v = [float(xav.a[i].numpy().var()) for i in range(4)]
        ratios.append(max(v) / min(v))
        sat_x.append(np.mean(np.abs(xav.a[3].numpy()) > 0.99))
        sat_n.append(np.mean(np.abs(basic.a[3].numpy()) > 0.99))
        # N(0, 1): pre-activation variance of the deeper layers is ~ fan_in, far above Xavier's
        assert basic.z[2].numpy().var() > 100 * xav.z[2].numpy().var()
    assert max(ratios) < 3.0
    assert max(sat_x) < 0.01
    assert min(sat_n) > 0.5


def test_he_keeps_relu_variance():
    """Exercise 7.7: with ReLU, He keeps the second moment of the pre-activations from layer to
    layer (ratio ~1); Xavier (equal fan in/out) halves it at every layer (ratio ~1/2)."""
    sizes = [300] * 8
    ratios = {"he": [], "xavier": []}
    for seed in range(4):
        paddle.seed(seed)
        X = paddle.randn([256, 300])
        for name, fn in (("he", he_normal_std), ("xavier", xavier_normal_std)):
            model = MLP(sizes, "normal", fn, nn.ReLU)
            model(X)
            m2 = [float((model.z[i].numpy() ** 2).mean()) for i in range(6)]
            ratios[name].extend(m2[i + 1] / m2[i] for i in range(5))
    # geometric mean of the per-layer ratios
    he = float(np.exp(np.mean(np.log(ratios["he"]))))
    xav = float(np.exp(np.mean(np.log(ratios["xavier"]))))
    assert 0.85 < he < 1.18
    assert 0.42 < xav < 0.59


def test_mlp_bn_gamma_beta_claim():
    """7.5.1.3: with gamma/beta per layer, z[i] has per-unit mean beta[i] and std gamma[i]."""
    gamma = [1, 2, 3, 5, 4]
    beta = [3, 2, 1, 2, 2]
    model = MLP(LAYERS_751, "basic", None, nn.Tanh, norm_name="bn", gamma=gamma, beta=beta)
    model(paddle.randn([200, 100]))
    for i in range(4):
        z = model.z[i].numpy()
        np.testing.assert_allclose(z.mean(axis=0), beta[i], atol=1e-4)
        np.testing.assert_allclose(z.std(axis=0), gamma[i], rtol=1e-4)
    assert len(model.normalization) == 4 and isinstance(model.normalization[3], BatchNorm)
    assert list(model.normalization[3].moving_mean.shape) == [1, 2]


def test_mlp_ln_gamma_beta_claim():
    """7.5.2.2: with LayerNorm, each sample's z[i] has mean beta[i] and std gamma[i]."""
    gamma = [1, 2, 3, 5, 4]
    beta = [3, 2, 1, 2, 2]
    model = MLP(LAYERS_751, "basic", None, nn.Tanh, norm_name="ln", gamma=gamma, beta=beta)
    model(paddle.randn([10, 100]))
    for i in range(4):
        z = model.z[i].numpy()
        np.testing.assert_allclose(z.mean(axis=1), beta[i], atol=1e-4)
        np.testing.assert_allclose(z.std(axis=1), gamma[i], rtol=1e-4)
    assert isinstance(model.normalization[0], LayerNorm)


def test_mlp_train_mode_follows_layer_mode():
    model = MLP([4, 8, 8, 1], "normal", xavier_normal_std, nn.Tanh, norm_name="bn", gamma=[1, 1], beta=[0, 0])
    X = paddle.randn([32, 4]) * 3 + 1
    model(X)                           # training (the default mode): statistics move
    moved = model.normalization[0].moving_mean.numpy().copy()
    assert np.abs(moved).max() > 0
    model.eval()
    y_eval = model(X)                  # eval: statistics fixed, moving averages used
    np.testing.assert_array_equal(model.normalization[0].moving_mean.numpy(), moved)
    np.testing.assert_allclose(y_eval.numpy(), model(X, train_mode=False).numpy())
    model.train()
    y_train = model(X, train_mode=False)   # an explicit train_mode wins over the layer's mode
    np.testing.assert_allclose(y_train.numpy(), y_eval.numpy())
    np.testing.assert_array_equal(model.normalization[0].moving_mean.numpy(), moved)


def test_mlp_with_runnerv3_learns_moons():
    """RunnerV3 calls model(X) and toggles train()/eval(); an MLP with BN trains on moons."""
    paddle.seed(0)
    train_set, dev_set = MoonsDataset(mode="train"), MoonsDataset(mode="dev")
    train_loader = paddle.io.DataLoader(train_set, batch_size=20, shuffle=True)
    dev_loader = paddle.io.DataLoader(dev_set, batch_size=20)
    model = MLP([2, 16, 16, 1], "normal", xavier_normal_std, nn.Tanh, norm_name="bn")
    opt = paddle.optimizer.SGD(learning_rate=0.1, parameters=model.parameters())
    runner = RunnerV3(model, opt, F.binary_cross_entropy_with_logits, Accuracy(is_logist=True))
    before = model.normalization[0].gamma.numpy().copy()
    runner.train(train_loader, num_epochs=15, log_steps=0)
    assert runner.train_epoch_losses[-1] < runner.train_epoch_losses[0]
    assert not np.allclose(model.normalization[0].gamma.numpy(), before)   # gamma is learned
    score, _ = runner.evaluate(dev_loader)
    assert score > 0.6
    assert model.training   # evaluate restored the mode


def test_mlp_bad_input():
    with pytest.raises(ValueError, match="init_fn_name"):
        MLP([4, 3, 1], "xavier", xavier_normal_std, nn.Tanh)
    with pytest.raises(ValueError, match="norm_name"):
        MLP([4, 3, 1], "basic", None, nn.Tanh, norm_name="batchnorm")
    with pytest.raises(ValueError, match="gamma has 2 values .* 3 hidden"):
        MLP([4, 3, 3, 3, 1], "basic", None, nn.Tanh, norm_name="bn", gamma=[1, 1], beta=[0, 0, 0])
    with pytest.raises(ValueError, match="beta has 1 values"):
        MLP([4, 3, 3, 1], "basic", None, nn.Tanh, norm_name="ln", gamma=[1, 1], beta=[0])
    with pytest.raises(ValueError, match="init_fn"):
        MLP([4, 3, 1], "normal", None, nn.Tanh)
    with pytest.raises(ValueError, match=r"\[5, 3\]"):
        MLP([4, 3, 1], "basic", None, nn.Tanh)(paddle.randn([5, 3]))


def test_multiconv_shapes_and_parameter_count():
    X = paddle.randn([3, 1, 28, 28])
    plain = MultiConvLayerNet(use_bn=False)
    bn = MultiConvLayerNet(use_bn=True)
    assert list(plain(X).shape) == [3, 10] and list(bn(X).shape) == [3, 10]
    conv1, conv2, fc = 1 * 20 * 5 * 5 + 20, 20 * 20 * 5 * 5 + 20, 980 * 10 + 10
    assert _n_params(plain) == conv1 + conv2 + fc == 20350
    assert _n_params(bn) == 20350 + 2 * (20 + 20)         # gamma and beta of two BN layers
    assert isinstance(bn.batch_norm1, nn.BatchNorm2D)
    with pytest.raises(ValueError, match=r"\[3, 28, 28\]"):
        plain(paddle.randn([3, 28, 28]))
    with pytest.raises(ValueError, match=r"\[2, 3, 28, 28\]"):
        plain(paddle.randn([2, 3, 28, 28]))


def test_multiconv_train_vs_eval():
    paddle.seed(1)
    X = paddle.randn([8, 1, 28, 28])
    plain = MultiConvLayerNet(use_bn=False)
    np.testing.assert_allclose(plain(X).numpy(), (plain.eval() or plain)(X).numpy())  # no BN: same in both
    model = MultiConvLayerNet(use_bn=True)
    y_train = model(X)
    model.eval()
    y_eval = model(X)
    assert not np.allclose(y_train.numpy(), y_eval.numpy(), atol=1e-3)
    # eval is per-sample: the output for one image does not depend on the rest of the batch
    np.testing.assert_allclose(model(X[:1]).numpy(), y_eval[:1].numpy(), rtol=1e-4, atol=1e-5)
    # explicit train_mode wins over the mode, and the mode is restored afterwards
    np.testing.assert_allclose(model(X, train_mode=True).numpy(), y_train.numpy(), rtol=1e-4, atol=1e-5)
    assert not model.batch_norm1.training


def test_multiconv_with_nndl_batchnorm_matches_paddle():
    """bn_impl='nndl' uses our 4-D BatchNorm: same outputs as paddle's BatchNorm2D from the same weights."""
    paddle.seed(2)
    ours = MultiConvLayerNet(use_bn=True, bn_impl="nndl")
    ref = MultiConvLayerNet(use_bn=True)
    for name in ("conv1", "conv2", "fc"):
        getattr(ref, name).set_state_dict(getattr(ours, name).state_dict())
    for _ in range(3):
        X = paddle.randn([6, 1, 28, 28])
        np.testing.assert_allclose(ours(X).numpy(), ref(X).numpy(), rtol=1e-4, atol=1e-4)
    ours.eval()
    ref.eval()
    X = paddle.randn([4, 1, 28, 28])
    np.testing.assert_allclose(ours(X).numpy(), ref(X).numpy(), rtol=1e-4, atol=1e-4)


# ---- mutation survivors (docs/mutation.md): initializers, defaults, messages -------------------

def _weights(model):
    return [l.weight.numpy() for l in model.linear]


def test_basic_init_is_standard_normal():
    paddle.seed(0)
    W = _weights(MLP([300, 400, 1], 'basic', None, act_fn=paddle.nn.Tanh))[0]
    assert abs(W.mean()) < 0.01 and abs(W.std() - 1.0) < 0.01


def test_orthogonal_init_with_and_without_gain():
    paddle.seed(0)
    W = _weights(MLP([50, 30, 1], 'orthogonal', None, act_fn=paddle.nn.Tanh))[0]     # [50, 30]
    np.testing.assert_allclose(W.T @ W, np.eye(30), atol=1e-4)
    W = _weights(MLP([50, 30, 1], 'orthogonal', lambda m_in, m_out: 0.5 + m_in / 100 - m_out / 100,
                     act_fn=paddle.nn.Tanh))[0]                                      # gain 0.7
    np.testing.assert_allclose(W.T @ W, 0.49 * np.eye(30), atol=1e-4)


def test_mlp_norm_defaults_and_scalar_gamma_beta():
    paddle.seed(0)
    X = paddle.randn([64, 10]) * 3 + 1
    m = MLP([10, 8, 6, 2], 'basic', None, act_fn=paddle.nn.Tanh, norm_name='bn')
    m(X)
    for i in range(2):                          # defaults gamma 1, beta 0
        z = m.z[i].numpy()
        np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-4)
        np.testing.assert_allclose(z.std(axis=0), 1.0, atol=1e-3)
    m = MLP([10, 8, 6, 2], 'basic', None, act_fn=paddle.nn.Tanh, norm_name='bn', gamma=2.0, beta=-1.0)
    m(X)
    for i in range(2):                          # one number for every layer
        z = m.z[i].numpy()
        np.testing.assert_allclose(z.mean(axis=0), -1.0, atol=1e-4)
        np.testing.assert_allclose(z.std(axis=0), 2.0, atol=1e-3)


def test_inputs_may_be_numpy_and_other_types_are_named():
    X = np.random.RandomState(0).randn(8, 4).astype("float32")
    bn, ln = BatchNorm(4), LayerNorm()
    np.testing.assert_allclose(bn(X).numpy(), bn(paddle.to_tensor(X)).numpy(), atol=1e-6)
    np.testing.assert_allclose(ln(X).numpy(), ln(paddle.to_tensor(X)).numpy(), atol=1e-6)
    mlp = MLP([4, 3, 1], 'basic', None, act_fn=paddle.nn.Tanh)
    assert mlp(X).shape == [8, 1]
    for layer, who in ((bn, "BatchNorm"), (ln, "LayerNorm"), (mlp, "MLP"),
                       (MultiConvLayerNet(use_bn=False), "MultiConvLayerNet")):
        with pytest.raises(TypeError, match=rf"^{who}: expected a paddle.Tensor, got list"):
            layer([[1.0, 2.0]])


def test_batchnorm_constructor_checks_and_initial_state():
    for momentum in (0.0, 1.0):
        BatchNorm(3, momentum=momentum)
    for momentum in (-0.1, 1.5):
        with pytest.raises(ValueError, match=rf"^BatchNorm: momentum must be in \[0, 1\], got {momentum}"):
            BatchNorm(3, momentum=momentum)
    assert BatchNorm(3, eps=0).eps == 0.0
    with pytest.raises(ValueError, match=r"^BatchNorm: eps must be >= 0, got -1"):
        BatchNorm(3, eps=-1)
    with pytest.raises(ValueError, match=r"^BatchNorm: gamma has 2 values but num_features is 3"):
        BatchNorm(3, gamma=[1.0, 2.0])
    with pytest.raises(ValueError, match=r"^BatchNorm: beta has 2 values but num_features is 3"):
        BatchNorm(3, beta=[1.0, 2.0])
    with pytest.raises(TypeError, match=r"^BatchNorm: num_features must be a positive integer, got 2.5 "
                                        r"\(pass eps=..., gamma=..., beta=... by keyword\)"):
        BatchNorm(2.5)
    with pytest.raises(ValueError, match=r"^BatchNorm: num_features must be a positive integer, got 0"):
        BatchNorm(0)
    old = paddle.get_default_dtype()
    paddle.set_default_dtype("float64")
    try:
        bn = BatchNorm(3)
    finally:
        paddle.set_default_dtype(old)
    for t in (bn.gamma, bn.beta, bn.moving_mean, bn.moving_variance):
        assert t.dtype == paddle.float32
    assert list(bn.moving_mean.shape) == [1, 3] and list(bn.moving_variance.shape) == [1, 3]
    np.testing.assert_array_equal(bn.moving_mean.numpy(), 0.0)
    np.testing.assert_array_equal(bn.moving_variance.numpy(), 1.0)
    # eval mode before any training: (X - 0) / sqrt(1 + eps) * gamma + beta
    bn = BatchNorm(3, eps=0.0, gamma=[1.0, 2.0, 3.0], beta=1.0)
    bn.eval()
    X = paddle.to_tensor([[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(bn(X).numpy(), [[2.0, 5.0, 10.0]], rtol=1e-6)


def test_batchnorm_needs_two_values_per_feature_in_training():
    bn = BatchNorm(3)
    bn(paddle.randn([2, 3]))                   # two values per feature: fine
    with pytest.raises(ValueError, match=r"^BatchNorm: training mode needs more than one value per feature, "
                                         r"got shape \[1, 3\]"):
        bn(paddle.randn([1, 3]))
    bn(paddle.randn([1, 3]), train_mode=False)   # eval mode uses the moving statistics


def test_layernorm_per_feature_affine_on_4d_and_tensor_gamma():
    X = paddle.randn([2, 3, 4, 5]) * 2 + 1
    gamma, beta = [1.0, 2.0, 3.0], [0.5, -0.5, 1.5]
    y = LayerNorm(3, eps=1e-5, gamma=gamma, beta=beta)(X).numpy()
    x = X.numpy()
    mu = x.mean(axis=(1, 2, 3), keepdims=True)
    xh = (x - mu) / np.sqrt(x.var(axis=(1, 2, 3), keepdims=True) + 1e-5)
    expected = xh * np.array(gamma).reshape(1, 3, 1, 1) + np.array(beta).reshape(1, 3, 1, 1)
    np.testing.assert_allclose(y, expected, atol=1e-4)
    ln = LayerNorm(gamma=paddle.to_tensor(gamma))          # the size of a tensor gamma sets num_features
    assert ln.num_features == 3 and list(ln.gamma.shape) == [3]
    with pytest.raises(ValueError, match=r"^LayerNorm: gamma has 2 values but num_features is 3"):
        LayerNorm(3, gamma=[1.0, 2.0])


def test_mlp_messages():
    with pytest.raises(ValueError, match=r"^MLP: act_fn is required \(e.g. paddle.nn.Tanh\)"):
        MLP([2, 3, 1], 'basic', None, act_fn=None)
    mlp = MLP([4, 3, 1], 'basic', None, act_fn=paddle.nn.Tanh)
    with pytest.raises(ValueError, match=r"^MLP: input of shape \[2, 5\] does not match layers_size\[0\]=4 "
                                         r"\(expected \[N, 4\]\)"):
        mlp(paddle.randn([2, 5]))


def test_multiconv_nndl_batchnorm_uses_paddles_epsilon():
    net = MultiConvLayerNet(use_bn=True, bn_impl="nndl")
    assert net.batch_norm1.eps == 1e-5 and net.batch_norm2.eps == 1e-5


def test_mlp_constructor_checks_and_normal_init():
    from nndl import xavier_normal_std
    MLP([2, 1], 'basic', None, act_fn=paddle.nn.Tanh)                 # two sizes are enough
    for sizes in ([3], [2, 0, 1], [2, -1, 1]):
        with pytest.raises(ValueError, match=rf"^MLP: layers_size must list at least 2 positive sizes, got "
                                             rf"{re.escape(str(sizes))}$"):
            MLP(sizes, 'basic', None, act_fn=paddle.nn.Tanh)
    for name in ('normal', 'uniform'):
        with pytest.raises(ValueError, match=rf"^MLP: init_fn_name='{name}' needs init_fn\(input_size, "
                                             r"output_size\), got None$"):
            MLP([2, 3, 1], name, None, act_fn=paddle.nn.Tanh)
    paddle.seed(0)
    m = MLP([300, 400, 1], 'normal', xavier_normal_std, act_fn=paddle.nn.Tanh())   # an instance works too
    assert m.init_fn_name == 'normal'
    W = m.linear[0].weight.numpy()
    assert abs(W.mean()) < 0.005 and abs(W.std() - xavier_normal_std(300, 400)) < 0.002
    assert isinstance(m.act_fn, paddle.nn.Tanh)


def test_norm_small_sizes_and_eps_zero():
    bn = BatchNorm(1)
    assert bn(paddle.randn([4, 1])).shape == [4, 1]
    assert LayerNorm(eps=0).eps == 0.0
    with pytest.raises(ValueError, match=r"^LayerNorm: eps must be >= 0, got -1$"):
        LayerNorm(eps=-1)


def test_multiconv_layer_shapes_modes_and_input_check():
    net = MultiConvLayerNet(use_bn=True)
    assert net.bn_impl == "paddle"
    shapes = []
    hook = net.conv1.register_forward_post_hook(lambda layer, inp, out: shapes.append(list(out.shape)))
    net(paddle.randn([2, 1, 28, 28]))
    hook.remove()
    assert shapes == [[2, 20, 28, 28]]                   # 5x5 kernel, padding 2, stride 1
    # an explicit train_mode overrides the layer's mode for that call only
    net.train()
    net(paddle.randn([2, 1, 28, 28]), train_mode=False)
    assert net.batch_norm1.training is True and net.batch_norm2.training is True
    nn_net = MultiConvLayerNet(use_bn=True, bn_impl="nndl")
    nn_net.eval()
    before = nn_net.batch_norm1.moving_mean.numpy().copy()
    nn_net(paddle.randn([4, 1, 28, 28]) + 3, train_mode=True)
    assert not np.allclose(nn_net.batch_norm1.moving_mean.numpy(), before)
    with pytest.raises(ValueError, match=r"^MultiConvLayerNet: input must have shape \[N, 1, 28, 28\], "
                                         r"got \[2, 3, 28, 28\]$"):
        net(paddle.randn([2, 3, 28, 28]))


def test_more_constructor_messages_and_uniform_init():
    from nndl import xavier_uniform_r
    with pytest.raises(TypeError, match=r"^LayerNorm: num_features must be a positive integer, got 2.5"):
        LayerNorm(2.5)
    with pytest.raises(ValueError, match=r"^MLP: act_fn must be a layer class or a callable, got 3$"):
        MLP([2, 3, 1], 'basic', None, act_fn=3)
    with pytest.raises(ValueError, match=r"^MultiConvLayerNet: bn_impl must be 'paddle' or 'nndl', got 'x'$"):
        MultiConvLayerNet(use_bn=True, bn_impl='x')
    paddle.seed(0)
    W = MLP([300, 400, 1], 'uniform', xavier_uniform_r, act_fn=paddle.nn.Tanh).linear[0].weight.numpy()
    r = xavier_uniform_r(300, 400)
    assert np.abs(W).max() <= r and np.abs(W).max() > 0.99 * r and abs(W.mean()) < 0.005


def test_gamma_given_as_a_matrix_is_flattened():
    bn = BatchNorm(4, gamma=[[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(bn.gamma.numpy(), [1.0, 2.0, 3.0, 4.0])


def test_layernorm_list_gamma_dtype_and_beta_message():
    ln = LayerNorm(gamma=[1.0, 2.0, 3.0])                 # a list gamma sets num_features too
    assert ln.num_features == 3
    with pytest.raises(ValueError, match=r"^LayerNorm: beta has 2 values but num_features is 3$"):
        LayerNorm(3, beta=[1.0, 2.0])
    old = paddle.get_default_dtype()
    paddle.set_default_dtype("float64")
    try:
        ln = LayerNorm(3)
    finally:
        paddle.set_default_dtype(old)
    assert ln.gamma.dtype == paddle.float32 and ln.beta.dtype == paddle.float32


def test_multiconv_default_is_the_books_plain_network():
    # book 7.5.1.5 (L11135): def __init__(self, use_bn=False); the bare constructor has no BatchNorm
    paddle.seed(3)
    default = MultiConvLayerNet()
    paddle.seed(3)
    plain = MultiConvLayerNet(use_bn=False)
    assert default.use_bn is False and default.bn_impl == "paddle"
    assert not hasattr(default, "batch_norm1") and not hasattr(default, "batch_norm2")
    assert _n_params(default) == 20350
    X = paddle.randn([2, 1, 28, 28])
    np.testing.assert_array_equal(default(X).numpy(), plain(X).numpy())
