"""Section 7.6: the L2 loss, BatchGD's weight decay, Dropout and the training helpers.

Every hand-written backward is checked against paddle's autograd and a float64
central difference; BatchGD's weight decay against paddle.optimizer.SGD with
L2Decay; Dropout's statistics, mask and modes directly.
"""
import numpy as np
import paddle
import paddle.nn.functional as F
import pytest

from nndl.datasets.toy import make_moons
from nndl.gradcheck import numerical_grad, rel_error
from nndl.op import (BatchGD, BinaryCrossEntropyWithLogits, Dropout, Linear, MLP_3L,
                     MLP_3L_dropout)
from nndl.regularization import (MLP_3L_Paddle, show_class_boundary, train_model,
                                 train_model_paddle)

LAYERS = [2, 20, 3, 1]


def _moons(n=64, dtype='float32', zero_row=True):
    X, y = make_moons(n_samples=n, shuffle=True, noise=0.5)
    X, y = X.astype(dtype), y.reshape([-1, 1]).astype(dtype)
    if zero_row:
        # an all-zero input row gives z1 = b1 = 0, so with zero biases its logit is exactly 0:
        # the point where paddle's binary_cross_entropy_with_logits has a wrong gradient
        X = paddle.concat([X, paddle.zeros([1, 2], dtype=dtype)])
        y = paddle.concat([y, paddle.ones([1, 1], dtype=dtype)])
    return X, y


def _reference_loss(params, X, y, lambd):
    """The same forward loss written with paddle ops, the logistic form (not F.binary_cross_entropy_with_logits)."""
    W1, b1, W2, b2, W3, b3 = params
    a1 = F.relu(paddle.matmul(X, W1) + b1)
    a2 = F.relu(paddle.matmul(a1, W2) + b2)
    o = paddle.matmul(a2, W3) + b3
    n = X.shape[0]
    # -mean(y log σ(o) + (1-y) log(1-σ(o))), with log σ written stably as log_sigmoid
    ce = -paddle.sum(y * F.log_sigmoid(o) + (1 - y) * F.log_sigmoid(-o)) / n
    reg = paddle.sum(W1 ** 2) + paddle.sum(W2 ** 2) + paddle.sum(W3 ** 2)
    return ce + lambd * reg / (2 * n), o


def _leaf_copies(model):
    out = []
    for fc in (model.fc1, model.fc2, model.fc3):
        for k in ('W', 'b'):
            t = fc.params[k].clone()
            t.stop_gradient = False
            out.append(t)
    return out


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("lambd", [0, 0.7, 5.0])
def test_mlp_bce_backward_equals_autograd(dtype, lambd):
    X, y = _moons(dtype=dtype)
    model = MLP_3L(LAYERS, dtype=dtype)
    loss_fn = BinaryCrossEntropyWithLogits(model, lambd=lambd)
    logits = model(X)
    loss = loss_fn(logits, y)
    loss_fn.backward()

    leaves = _leaf_copies(model)
    ref_loss, ref_logits = _reference_loss(leaves, X, y, lambd)
    assert float(ref_logits[-1, 0]) == 0.0          # the exactly-zero logit is in the batch
    grads = paddle.grad(ref_loss, leaves)
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(float(loss), float(ref_loss), rtol=tol)
    for fc, (gW, gb) in zip((model.fc1, model.fc2, model.fc3), zip(grads[0::2], grads[1::2])):
        # parenthesized: `a == b if c else d` would assert the truthy `d` in the float64 branch
        assert fc.grads['W'].dtype == (paddle.float32 if dtype == "float32" else paddle.float64)
        assert fc.grads['b'].dtype == fc.grads['W'].dtype
        np.testing.assert_allclose(fc.grads['W'].numpy(), gW.numpy(), rtol=tol * 10, atol=tol)
        np.testing.assert_allclose(fc.grads['b'].numpy(), gb.numpy(), rtol=tol * 10, atol=tol)


def test_l2_term_is_the_codes_scaling_on_weights_only():
    X, y = _moons(n=40, dtype='float64', zero_row=False)
    model = MLP_3L(LAYERS, dtype='float64')
    plain = float(BinaryCrossEntropyWithLogits(model, lambd=0)(model(X), y))
    lambd, n = 0.7, X.shape[0]
    with_l2 = float(BinaryCrossEntropyWithLogits(model, lambd=lambd)(model(X), y))
    sq = sum(float((fc.params['W'] ** 2).sum()) for fc in (model.fc1, model.fc2, model.fc3))
    np.testing.assert_allclose(with_l2 - plain, lambd * sq / (2 * n), rtol=1e-12)
    # biases do not enter the penalty
    model.fc1.params['b'] = model.fc1.params['b'] + 3.0
    before = float(BinaryCrossEntropyWithLogits(model, lambd=0)(model(X), y))
    after = float(BinaryCrossEntropyWithLogits(model, lambd=lambd)(model(X), y))
    np.testing.assert_allclose(after - before, lambd * sq / (2 * n), rtol=1e-12)


def test_finite_difference_float64():
    paddle.seed(3)
    X, y = _moons(n=12, dtype='float64', zero_row=False)
    model = MLP_3L([2, 5, 4, 1], dtype='float64')
    for fc in (model.fc1, model.fc2, model.fc3):   # nonzero biases: no ReLU input sits on its kink
        fc.params['b'] = paddle.rand(fc.params['b'].shape, dtype='float64') * 0.2 - 0.1
    loss_fn = BinaryCrossEntropyWithLogits(model, lambd=0.7)
    loss_fn(model(X), y)
    loss_fn.backward()
    for fc in (model.fc1, model.fc2, model.fc3):
        for key in ('W', 'b'):
            original = fc.params[key]

            def f(p):
                fc.params[key] = p
                return loss_fn(model(X), y)

            num = numerical_grad(f, original)
            fc.params[key] = original
            assert rel_error(num, fc.grads[key]) < 1e-6, (fc.name, key)


def test_batchgd_weight_decay_equals_sgd_l2decay():
    lr, wd, steps = 0.2, 0.01, 300
    X, y = _moons(n=100, dtype='float64', zero_row=False)
    model = MLP_3L(LAYERS, dtype='float64')
    default = paddle.get_default_dtype()
    paddle.set_default_dtype('float64')
    try:
        ref = MLP_3L_Paddle(2, 1)
    finally:
        paddle.set_default_dtype(default)
    for fc, pfc in zip((model.fc1, model.fc2, model.fc3), (ref.fc1, ref.fc2, ref.fc3)):
        pfc.weight.set_value(fc.params['W'])
        pfc.bias.set_value(fc.params['b'].reshape([-1]))
    W1_start = model.fc1.params['W'].numpy().copy()

    opt = BatchGD(init_lr=lr, model=model, weight_decay=wd)
    loss_fn = BinaryCrossEntropyWithLogits(model, lambd=0)
    ref_opt = paddle.optimizer.SGD(learning_rate=lr, parameters=ref.parameters(),
                                   weight_decay=paddle.regularizer.L2Decay(wd / lr))
    for _ in range(steps):
        loss_fn(model(X), y)
        loss_fn.backward()
        opt.step()
        o = ref(X)
        ref_loss = -paddle.mean(y * F.log_sigmoid(o) + (1 - y) * F.log_sigmoid(-o))
        ref_loss.backward()
        ref_opt.step()
        ref_opt.clear_grad()
    for fc, pfc in zip((model.fc1, model.fc2, model.fc3), (ref.fc1, ref.fc2, ref.fc3)):
        np.testing.assert_allclose(fc.params['W'].numpy(), pfc.weight.numpy(), rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(fc.params['b'].numpy().reshape(-1), pfc.bias.numpy(), rtol=1e-9, atol=1e-11)
    # the decay was not negligible: the weights moved far from where they started
    assert np.abs(model.fc1.params['W'].numpy() - W1_start).max() > 0.05


def test_dropout_statistics_scaling_and_mask():
    p = 0.3
    drop = Dropout(p)
    x = paddle.ones([4000, 50])
    out = drop(x)
    kept = (out.numpy() != 0)
    assert abs(kept.mean() - (1 - p)) < 0.01
    np.testing.assert_allclose(out.numpy()[kept], 1 / (1 - p), rtol=1e-6)
    assert abs(float(out.mean()) - 1.0) < 0.02            # E[dropout(x)] = x
    g = paddle.rand([4000, 50]) + 0.5
    gx = drop.backward(g).numpy()
    assert np.all(gx[~kept] == 0)                           # dropped units get no gradient
    np.testing.assert_allclose(gx[kept], g.numpy()[kept] / (1 - p), rtol=1e-6)
    # the same as autograd of x * M / (1 - p) with the stored mask
    xv = paddle.rand([30, 7])
    xv.stop_gradient = False
    y = drop(xv)
    up = paddle.rand([30, 7])
    (ref,) = paddle.grad((xv * drop.mask / (1 - p) * up).sum(), xv)
    np.testing.assert_allclose(y.numpy(), (xv * drop.mask / (1 - p)).numpy(), rtol=1e-6)
    np.testing.assert_allclose(drop.backward(up).numpy(), ref.numpy(), rtol=1e-6)


def test_dropout_eval_is_identity_and_rate_zero():
    x = paddle.randn([20, 6])
    drop = Dropout(0.5)
    for mode in ('dev', 'test', 'eval'):
        np.testing.assert_array_equal(drop(x, mode=mode).numpy(), x.numpy())
        g = paddle.randn([20, 6])
        np.testing.assert_array_equal(drop.backward(g).numpy(), g.numpy())
    np.testing.assert_array_equal(Dropout(0)(x).numpy(), x.numpy())
    x64 = x.astype('float64')
    assert Dropout(0.2)(x64).dtype == paddle.float64


def test_mlp_dropout_modes_and_backward():
    X, y = _moons(n=80, dtype='float64', zero_row=False)
    model = MLP_3L_dropout(LAYERS, drop_rate=0.5, dtype='float64')
    a = model(X, 'dev').numpy()
    b = model(X, mode='dev').numpy()
    np.testing.assert_array_equal(a, b)                      # deterministic in 'dev'
    plain = MLP_3L(LAYERS, dtype='float64')
    plain.fc1, plain.fc2, plain.fc3 = model.fc1, model.fc2, model.fc3
    np.testing.assert_array_equal(plain(X).numpy(), a)       # 'dev' = the MLP without dropout
    assert not np.array_equal(model(X).numpy(), model(X).numpy())   # 'train' draws new masks
    assert model.layers == [model.fc1, model.act_fn1, model.fc2, model.act_fn2, model.fc3]

    loss_fn = BinaryCrossEntropyWithLogits(model, lambd=0.7)
    loss = loss_fn(model(X, mode='train'), y)
    loss_fn.backward()
    leaves = _leaf_copies(model)
    W1, b1, W2, b2, W3, b3 = leaves
    m1, m2, q = model.dropout1.mask, model.dropout2.mask, 1 - 0.5
    a1 = F.relu(paddle.matmul(X, W1) + b1) * m1 / q
    a2 = F.relu(paddle.matmul(a1, W2) + b2) * m2 / q
    o = paddle.matmul(a2, W3) + b3
    n = X.shape[0]
    ref = -paddle.sum(y * F.log_sigmoid(o) + (1 - y) * F.log_sigmoid(-o)) / n \
        + 0.7 * sum(paddle.sum(w ** 2) for w in (W1, W2, W3)) / (2 * n)
    np.testing.assert_allclose(float(loss), float(ref), rtol=1e-12)
    grads = paddle.grad(ref, leaves)
    mine = [fc.grads[k] for fc in (model.fc1, model.fc2, model.fc3) for k in ('W', 'b')]
    for g_mine, g_ref in zip(mine, grads):
        np.testing.assert_allclose(g_mine.numpy(), g_ref.numpy(), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("rate", [-0.1, 1, 1.0, 1.5])
def test_bad_drop_rate(rate):
    with pytest.raises(ValueError, match="drop_rate"):
        Dropout(rate)
    with pytest.raises(ValueError, match="drop_rate"):
        MLP_3L_dropout(LAYERS, drop_rate=rate)


def test_bad_mode_and_bad_lambd():
    with pytest.raises(ValueError, match="mode"):
        MLP_3L_dropout(LAYERS, 0.3)(paddle.randn([4, 2]), mode='eval_')
    with pytest.raises(ValueError, match="lambd"):
        BinaryCrossEntropyWithLogits(MLP_3L(LAYERS), lambd=-0.1)


def test_label_shape_mismatch_names_both_shapes():
    model = MLP_3L(LAYERS)
    loss_fn = BinaryCrossEntropyWithLogits(model)
    X = paddle.randn([8, 2])
    with pytest.raises(ValueError, match=r"\[8\].*\[8, 1\]"):
        loss_fn(model(X), paddle.ones([8]))                 # 0-D items batched by a paddle>=2.5 loader
    with pytest.raises(ValueError, match=r"\[7, 1\].*\[8, 1\]"):
        loss_fn(model(X), paddle.ones([7, 1]))
    with pytest.raises(RuntimeError, match="before forward"):
        BinaryCrossEntropyWithLogits(model).backward()


def test_stable_loss_for_large_logits():
    model = MLP_3L(LAYERS)
    loss_fn = BinaryCrossEntropyWithLogits(model)
    logits = paddle.to_tensor([[200.0], [-200.0]])
    loss = loss_fn(logits, paddle.to_tensor([[0.0], [1.0]]))
    np.testing.assert_allclose(float(loss), 200.0, rtol=1e-6)   # the book's log(σ) form gives inf


def test_train_model_and_boundary(tmp_path, capsys):
    X, y = _moons(n=120, zero_row=False)
    model = MLP_3L(LAYERS)
    opt = BatchGD(init_lr=0.2, model=model)
    loss_fn = BinaryCrossEntropyWithLogits(model, lambd=0.7)
    losses, acc_train, acc_test = train_model(X[:80], y[:80], X[80:], y[80:], model, opt, loss_fn,
                                              600, return_acc=True)
    out = capsys.readouterr().out
    assert "train accuracy: " + str(np.float32(acc_train)) + "\n" in out and "test accuracy:" in out
    assert len(losses) == 6 and losses[-1] < losses[0]
    assert acc_train > 0.7
    fig = show_class_boundary(model, X[:80], y[:80], fig_name=str(tmp_path / "b.png"))
    assert (tmp_path / "b.png").stat().st_size > 0 and fig.axes
    dmodel = MLP_3L_dropout(LAYERS, 0.3)
    show_class_boundary(dmodel, X.numpy(), y.numpy(), 'dev')  # numpy input, eval arguments pass through


def test_train_model_paddle_runs_with_l2decay(capsys):
    X, y = _moons(n=120, zero_row=False)
    model = MLP_3L_Paddle(in_features=2, out_features=1)
    opt = paddle.optimizer.SGD(learning_rate=0.2, parameters=model.parameters(),
                               weight_decay=paddle.regularizer.L2Decay(coeff=0.01))
    losses, acc_train, _ = train_model_paddle(X[:80], y[:80], X[80:], y[80:], model, opt,
                                              F.binary_cross_entropy_with_logits, 300, return_acc=True)
    assert "train accuracy:" in capsys.readouterr().out
    assert losses[-1] < losses[0] and acc_train > 0.7
    with pytest.raises(ValueError, match=r"\[N, 1\]"):
        train_model_paddle(X, y.reshape([-1]), X, y, model, opt, F.binary_cross_entropy_with_logits, 1)
