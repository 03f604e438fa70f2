"""RunnerV2_1 (4.2.5) and RunnerV2_2 (4.3.2) on chapter 4's networks: histories, printed lines,
save/load, training mode restored, and the clear errors the issue asks for."""
import numpy as np
import paddle
import paddle.nn as nn
import paddle.nn.functional as F
import pytest

import nndl
from nndl import (BinaryCrossEntropyLoss, Model_MLP_L2, Model_MLP_L2_V2, Optimizer_GD, RunnerV2_1, RunnerV2_2,
                  accuracy)


def _moons(n=200):
    paddle.seed(0)
    X, y = nndl.make_moons(n_samples=n, shuffle=True, noise=0.5)
    y = y.reshape([-1, 1])
    return [X[:120], y[:120]], [X[120:160], y[120:160]], [X[160:], y[160:]]


def _v2_1(hidden=5):
    paddle.seed(1)
    model = Model_MLP_L2(2, hidden, 1)
    return model, RunnerV2_1(model, Optimizer_GD(0.2, model), accuracy, BinaryCrossEntropyLoss(model))


def test_runner_v2_1_histories_lines_and_per_layer_files(tmp_path, capsys):
    train, dev, test = _moons()
    model, runner = _v2_1()
    save_dir = tmp_path / "model"
    runner.train(train, dev, num_epochs=6, log_epochs=5, save_dir=str(save_dir))
    out = capsys.readouterr().out.splitlines()
    assert len(runner.train_loss) == len(runner.train_scores) == len(runner.dev_loss) == len(runner.dev_scores) == 6
    assert all(np.isfinite(runner.train_loss)) and runner.train_loss[-1] < runner.train_loss[0]
    assert out[0].startswith("[Evaluate] best accuracy performance has been updated: 0.00000 --> ")
    epochs = [l for l in out if l.startswith("[Train] epoch:")]
    assert [l.split(",")[0] for l in epochs] == ["[Train] epoch: 0/6", "[Train] epoch: 5/6"]
    assert sorted(p.name for p in save_dir.iterdir()) == ["fc1.pdparams", "fc2.pdparams"]

    # load_model restores the best model's parameters, layer by layer
    saved = {n: paddle.load(str(save_dir / f"{n}.pdparams")) for n in ("fc1", "fc2")}
    for fc in (model.fc1, model.fc2):
        fc.params['W'] = fc.params['W'] * 0 + 7.0
    runner.load_model(str(save_dir))
    for fc in (model.fc1, model.fc2):
        for k in ("W", "b"):
            np.testing.assert_array_equal(fc.params[k].numpy(), saved[fc.name][k].numpy())
    score, loss = runner.evaluate(test)
    assert 0 <= score <= 1 and np.isfinite(loss)
    assert runner.dev_scores[-1] == score            # evaluate appends to the histories, as in the book


def test_runner_v2_1_errors(tmp_path):
    train, dev, _ = _moons()
    model, runner = _v2_1()
    with pytest.raises(FileNotFoundError, match="no_such_dir"):          # a missing save directory
        runner.load_model(str(tmp_path / "no_such_dir"))
    runner.train(train, dev, num_epochs=2, save_dir=str(tmp_path / "m"), verbose=False)
    other, other_runner = _v2_1(hidden=4)                                # a file from another model
    with pytest.raises(ValueError, match="shape"):
        other_runner.load_model(str(tmp_path / "m"))
    with pytest.raises(ValueError, match="shape"):                       # a wrong label shape: [N] for [N, 1]
        runner.train([train[0], train[1].reshape([-1])], dev, num_epochs=1, verbose=False)
    with pytest.raises(ValueError, match=r"\[5, 2\]|\[2, 5\]|shape"):      # mismatched layer sizes
        runner.train([paddle.randn([10, 3]), paddle.ones([10, 1])], dev, num_epochs=1, verbose=False)


class _ModeProbe(nn.Layer):
    """Model_MLP_L2_V2 that records the mode of every forward call."""

    def __init__(self):
        super().__init__()
        self.net = Model_MLP_L2_V2(2, 5, 1)
        self.modes = []

    def forward(self, x):
        self.modes.append(self.training)
        return self.net(x)


def test_runner_v2_2_modes_histories_hook_and_state_dict(tmp_path, capsys):
    train, dev, test = _moons()
    paddle.seed(2)
    model = _ModeProbe()
    opt = paddle.optimizer.SGD(learning_rate=0.2, parameters=model.parameters())
    runner = RunnerV2_2(model, opt, accuracy, F.binary_cross_entropy)
    seen = []
    path = str(tmp_path / "best.pdparams")
    runner.train(train, dev, num_epochs=4, log_epochs=2, save_path=path, custom_print_log=seen.append)
    assert seen == [runner] * 4                                  # custom_print_log(runner), once per epoch
    # train forward in train mode, evaluate in eval mode, every epoch (the book stays in eval mode)
    assert model.modes == [True, False] * 4
    assert model.training
    assert len(runner.train_loss) == len(runner.dev_scores) == 4
    out = capsys.readouterr().out
    assert "[Train] epoch: 0/4, loss: " in out and "[Train] epoch: 2/4, loss: " in out
    # evaluate / predict: no gradient, eval mode, and the caller's mode is restored
    pred = runner.predict(test[0])
    assert pred.stop_gradient and model.training and model.modes[-1] is False
    model.eval()
    runner.evaluate(dev)
    assert not model.training
    model.train()
    # state_dict save / load
    best = paddle.load(path)
    for p in model.parameters():
        p.set_value(p * 0)
    runner.load_model(path)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), best[k].numpy())


def test_runner_v2_2_errors(tmp_path):
    train, dev, _ = _moons()
    model = Model_MLP_L2_V2(2, 5, 1)
    runner = RunnerV2_2(model, paddle.optimizer.SGD(0.1, parameters=model.parameters()), accuracy,
                        F.binary_cross_entropy)
    with pytest.raises(FileNotFoundError):
        runner.load_model(str(tmp_path / "missing" / "best.pdparams"))
    with pytest.raises(ValueError):                               # a wrong label shape: [N] for [N, 1]
        runner.train([train[0], train[1].reshape([-1])], dev, num_epochs=1, verbose=False)


def test_runner_v2_2_load_model_of_another_model_is_an_error(tmp_path):
    other = nndl.Model_MLP_L5(2, 1)
    path = str(tmp_path / "other.pdparams")
    paddle.save(other.state_dict(), path)
    model = Model_MLP_L2_V2(2, 5, 1)
    runner = RunnerV2_2(model, paddle.optimizer.SGD(0.1, parameters=model.parameters()), accuracy,
                        F.binary_cross_entropy)
    before = [p.numpy().copy() for p in model.parameters()]
    with pytest.raises(ValueError, match="another model"):
        runner.load_model(path)
    for a, p in zip(before, model.parameters()):
        np.testing.assert_array_equal(a, p.numpy())


def test_runner_v2_2_load_model_with_a_wrong_shape_is_an_error(tmp_path):
    path = str(tmp_path / "wider.pdparams")
    paddle.save(Model_MLP_L2_V2(2, 7, 1).state_dict(), path)      # same names, other hidden width
    model = Model_MLP_L2_V2(2, 5, 1)
    runner = RunnerV2_2(model, paddle.optimizer.SGD(0.1, parameters=model.parameters()), accuracy,
                        F.binary_cross_entropy)
    with pytest.raises(ValueError, match=r"has shape \[2, 7\], the model's has shape \[2, 5\]"):
        runner.load_model(path)


@pytest.mark.parametrize("kwargs", [{"log_epochps": None}, {"eval_steps": 5}])
def test_full_batch_runner_rejects_unknown_keywords(kwargs):
    model = Model_MLP_L2_V2(2, 5, 1)
    runner = RunnerV2_2(model, paddle.optimizer.SGD(0.1, parameters=model.parameters()), accuracy,
                        F.binary_cross_entropy)
    data = [paddle.randn([8, 2]), paddle.ones([8, 1])]
    with pytest.raises(TypeError, match=f"unknown keyword argument\\(s\\) {next(iter(kwargs))}"):
        runner.train(data, data, num_epochs=1, **kwargs)


def test_runner_v3_load_model_of_another_model_and_unknown_keywords_are_errors(tmp_path):
    from nndl import Accuracy, RunnerV3
    path = str(tmp_path / "other.pdparams")
    paddle.save(nndl.Model_MLP_L5(2, 1).state_dict(), path)
    model = Model_MLP_L2_V2(2, 5, 1)
    runner = RunnerV3(model, paddle.optimizer.SGD(0.1, parameters=model.parameters()), F.binary_cross_entropy,
                      Accuracy())
    with pytest.raises(ValueError, match="another model"):
        runner.load_model(path)
    with pytest.raises(TypeError, match="unknown keyword argument\\(s\\) log_epochs"):
        runner.train([], None, num_epochs=1, log_epochs=10)
