"""Exercises 1.2 (tensor operations), 3.1 (the split's labels and format) and 4.3 (zero initialization)."""
import numpy as np
import paddle
import pytest

from nndl import BinaryCrossEntropyLoss, Model_MLP_L2, Optimizer_GD, make_moons


# ---------------------------------------------------------------------------------------------
# exercise 1.2


def test_ch1_ex2_tensor_ops(chapter_run):
    stdout, results, out = chapter_run("ch1_ex2_tensor_ops")
    ops = results["ops"]
    # every function of 1.2.5.1-1.2.5.3 and every rewritten operator is there and equals numpy
    for line in ("x.abs()", "x.ceil()", "x.floor()", "x.round()", "x.exp()", "p.log()", "x.reciprocal()",
                 "x.square()", "p.sqrt()", "x.sin()", "x.cos()", "x.add(y)", "x.subtract(y)", "x.multiply(y)",
                 "x.divide(y)", "x.mod(y)", "p.pow(y)", "x.max()", "x.min()", "x.prod()", "x.sum()",
                 "x + y", "x - y", "x * y", "x / y", "x % y", "p ** y",
                 "w.isfinite()", "x.equal_all(y)", "x.equal(y)", "x.not_equal(y)", "x.less_than(y)",
                 "x.less_equal(y)", "x.greater_than(y)", "x.greater_equal(y)", "x.allclose(y)",
                 "x.t()", "x.transpose([1, 0])", "x.norm('fro')", "x.dist(y, p=2)", "x.matmul(y.t())"):
        assert ops[line]["ok"], line
    assert ops["x.equal_all(y)"]["dtype"] == "bool" and ops["x.t()"]["shape"] == [3, 2]
    assert results["reductions_0d"] is True       # the book printed shape [1]
    assert results["broadcast_shapes"] == {"same": [2, 3, 4], "different": [2, 3, 4, 5]}
    assert "Broadcast dimension mismatch" in results["broadcast_mismatch"]
    assert all(results["matmul"].values()) and len(results["matmul"]) == 5
    assert all(results["inplace"].values())
    assert "broadcasting with two different shape tensor: [2, 3, 4, 5]" in stdout
    assert [c["supported"] for c in results["claims"]] == [True, True, True]


def test_round_of_halves_per_version(chapter_run):
    """paddle 3.x rounds halves to even (numpy), paddle 2.6 away from zero (nndl.compat entry);
    exercise 1.2 reports the installed paddle's rule."""
    from nndl import compat
    halves = np.array([-2.5, -0.5, 0.5, 2.5], dtype='float32')
    got = paddle.to_tensor(halves).round().numpy()
    away = np.sign(halves) * np.floor(np.abs(halves) + 0.5)
    np.testing.assert_array_equal(got, np.round(halves) if compat.ROUND_HALF_TO_EVEN else away)
    _, results, _ = chapter_run("ch1_ex2_tensor_ops")
    assert results["round_halves"]["rule"] == ("half to even (as numpy)" if compat.ROUND_HALF_TO_EVEN
                                               else "half away from zero")
    # away from halves both rules agree with numpy
    other = np.array([-2.6, -0.4, 0.6, 2.4, 3.7], dtype='float32')
    np.testing.assert_array_equal(paddle.to_tensor(other).round().numpy(), np.round(other))


# ---------------------------------------------------------------------------------------------
# exercise 3.1


def test_ch3_ex1_labels(chapter_run):
    stdout, results, out = chapter_run("ch3_ex1_labels")
    assert all(results["checks"].values()) and len(results["checks"]) == 8
    splits = results["splits"]
    assert [splits[n]["y_shape"] for n in ("train", "dev", "test")] == [[640, 1], [160, 1], [200, 1]]
    assert splits["train"]["X_shape"] == [640, 2] and splits["train"]["y_dtype"] == "float32"
    # the first 5 labels are those of the same seed's data, drawn here independently
    paddle.set_device("cpu")
    paddle.seed(0)
    X, y = make_moons(n_samples=1000, shuffle=True, noise=0.5)
    assert splits["train"]["first5"] == y[:5].numpy().tolist()
    assert splits["test"]["first5"] == y[800:805].numpy().tolist()
    assert abs(results["noise_std"] - 0.5) < 0.05
    assert "y_train shape:  [640, 1]" in stdout
    assert results["claims"][0]["supported"] is True


# ---------------------------------------------------------------------------------------------
# exercise 4.3


def _spread(model):
    per_unit = np.vstack([model.fc1.params['W'].numpy(), model.fc1.params['b'].numpy(),
                          model.fc2.params['W'].numpy().T])
    return float(np.max(np.ptp(per_unit, axis=1)))


@pytest.mark.parametrize("hidden", [3, 5])
def test_zero_initialization_keeps_the_hidden_units_identical(hidden):
    paddle.set_device("cpu")
    paddle.seed(0)
    X, y = make_moons(n_samples=200, shuffle=True, noise=0.3)
    X, y = X[:150], y[:150].reshape([-1, 1])          # not exactly half of each class (see below)
    assert float(y.mean()) != 0.5
    model = Model_MLP_L2(2, hidden, 1)
    for fc in (model.fc1, model.fc2):
        fc.params['W'] = paddle.zeros_like(fc.params['W'])
    loss_fn, opt = BinaryCrossEntropyLoss(model), Optimizer_GD(0.5, model)
    for step in range(60):
        loss_fn(model(X), y)
        loss_fn.backward()
        if step == 0:
            # fc2's weights are 0, so no gradient reaches fc1 in the first step; fc2's gradient is
            # 0.5 (every hidden unit's output) x (0.5 - mean label)
            assert float(np.abs(model.fc1.grads['W'].numpy()).max()) == 0.0
            np.testing.assert_allclose(model.fc2.grads['W'].numpy(), 0.5 * (0.5 - float(y.mean())), rtol=1e-5)
        opt.step()
        # equal up to float rounding: a vectorized matmul may round one column differently by an ulp
        assert _spread(model) <= 1e-6
    W1 = model.fc1.params['W'].numpy()
    assert np.abs(W1).max() > 1e-3                          # fc1 did learn, all columns alike
    acts = model.act_fn1.outputs.numpy()
    np.testing.assert_allclose(acts, np.repeat(acts[:, :1], hidden, axis=1), rtol=0, atol=1e-6)


def test_zero_initialization_on_exactly_balanced_classes_never_moves():
    """All weights 0: every output is 0.5 and every gradient is proportional to 0.5 - mean label, so with
    exactly half of each class (make_moons' full set) the all-zero network is a stationary point."""
    paddle.set_device("cpu")
    paddle.seed(0)
    X, y = make_moons(n_samples=200, shuffle=True, noise=0.3)
    y = y.reshape([-1, 1])
    assert float(y.mean()) == 0.5
    model = Model_MLP_L2(2, 5, 1)
    for fc in (model.fc1, model.fc2):
        fc.params['W'] = paddle.zeros_like(fc.params['W'])
    loss_fn, opt = BinaryCrossEntropyLoss(model), Optimizer_GD(0.5, model)
    for _ in range(20):
        loss_fn(model(X), y)
        loss_fn.backward()
        opt.step()
    for fc in (model.fc1, model.fc2):
        assert float(np.abs(fc.params['W'].numpy()).max()) == 0.0 and float(np.abs(fc.params['b'].numpy()).max()) == 0.0


def test_a_non_zero_initialization_breaks_the_symmetry():
    paddle.set_device("cpu")
    paddle.seed(0)
    X, y = make_moons(n_samples=200, shuffle=True, noise=0.3)
    y = y.reshape([-1, 1])
    model = Model_MLP_L2(2, 5, 1)
    for fc in (model.fc1, model.fc2):
        fc.params['W'] = paddle.normal(0.0, 0.01, fc.params['W'].shape)
    start = _spread(model)
    loss_fn, opt = BinaryCrossEntropyLoss(model), Optimizer_GD(0.5, model)
    for _ in range(200):
        loss_fn(model(X), y)
        loss_fn.backward()
        opt.step()
    assert 0 < start < 0.1 and _spread(model) > 3 * start


def test_ch4_ex3_zero_init(chapter_run):
    stdout, results, out = chapter_run("ch4_ex3_zero_init")
    runs = results["runs"]
    zero, normal, small = runs["zeros"], runs["N(0, 1) (4.2)"], runs["N(0, 0.01^2)"]
    assert zero["max_param_spread"] <= 1e-6 and zero["max_activation_spread"] <= 1e-6
    assert normal["final_param_spread"] > 0.1 and small["final_param_spread"] > 10 * small["initial_param_spread"]
    W1 = np.array(results["zero_init_W1"])
    assert W1.shape == (2, 5) and np.abs(W1).max() > 0.01
    np.testing.assert_allclose(W1, np.repeat(W1[:, :1], 5, axis=1), rtol=0, atol=1e-6)
    g = results["first_grad"]
    assert g["fc1_max"] == 0.0 and abs(g["fc2"] - 0.5 * (0.5 - g["mean_label"])) < 1e-6 and g["mean_label"] != 0.5
    # quick mode (300 epochs): the zero-initialized network still lags at the end
    assert zero["early_train_loss"] > normal["early_train_loss"]
    assert [c["supported"] for c in results["claims"]] == [True, None, True]
    assert {"fw-zero-init.pdf", "fw-zero-init.png"} <= set(results["figures"])
