"""RunnerV3's contract: histories, evaluation cadence, best-model save/load, modes, errors."""
import math

import numpy as np
import paddle
import pytest

from nndl import Accuracy, MoonsDataset, RunnerV3
from nndl.op import SimpleBatchGD

F = paddle.nn.functional


class Net(paddle.nn.Layer):
    def __init__(self):
        super().__init__()
        self.fc1 = paddle.nn.Linear(2, 8)
        self.drop = paddle.nn.Dropout(0.0)
        self.fc2 = paddle.nn.Linear(8, 1)

    def forward(self, x):
        return self.fc2(self.drop(F.relu(self.fc1(x))))


@pytest.fixture
def loaders():
    paddle.seed(0)
    train, dev = MoonsDataset('train', 300, 200), MoonsDataset('dev', 300, 200)
    return (paddle.io.DataLoader(train, batch_size=20, shuffle=False),
            paddle.io.DataLoader(dev, batch_size=25, shuffle=False))


def _runner(lr=0.2, opt_cls=None):
    paddle.seed(1)
    model = Net()
    opt = (opt_cls or (lambda m: paddle.optimizer.SGD(lr, parameters=m.parameters())))(model)
    return RunnerV3(model, opt, F.binary_cross_entropy_with_logits, Accuracy(is_logist=True))


def test_histories_and_eval_cadence(loaders, tmp_path, capsys):
    train_loader, dev_loader = loaders            # 10 batches per epoch
    runner = _runner()
    save = tmp_path / "sub" / "dir" / "best.pdparams"   # missing directories are created
    runner.train(train_loader, dev_loader, num_epochs=3, log_steps=10, eval_steps=7, save_path=str(save))
    out = capsys.readouterr().out
    assert len(runner.train_step_losses) == 30
    assert [s for s, _ in runner.train_step_losses] == list(range(30))
    assert all(isinstance(l, float) for _, l in runner.train_step_losses)
    assert len(runner.train_epoch_losses) == 3
    # the epoch loss is the mean of that epoch's step losses
    assert runner.train_epoch_losses[1] == pytest.approx(np.mean([l for _, l in runner.train_step_losses[10:20]]))
    # book cadence: every eval_steps steps except step 0, and the last step
    assert [s for s, _ in runner.dev_losses] == [7, 14, 21, 28, 29]
    assert len(runner.dev_scores) == 5
    assert runner.best_score == max(runner.dev_scores)
    assert save.exists()
    assert "[Train] epoch: 0/3, step: 0/30" in out and "[Train] epoch: 2/3, step: 20/30" in out
    assert "[Evaluate] dev score:" in out and "[Train] Training done!" in out
    assert runner.model.training   # left in train mode after the evaluations


def test_best_model_saved_and_loaded(loaders, tmp_path):
    train_loader, dev_loader = loaders
    runner = _runner()
    path = str(tmp_path / "best.pdparams")
    runner.train(train_loader, dev_loader, num_epochs=2, log_steps=0, eval_steps=5, save_path=path)
    best = runner.best_score
    saved = paddle.load(path)
    runner.train(train_loader, num_epochs=1, log_steps=0)   # move away from the best weights
    runner.load_model(path)
    for k, v in runner.model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), saved[k].numpy())
    score, loss = runner.evaluate(dev_loader)
    assert score == pytest.approx(best)
    assert math.isfinite(loss)
    with pytest.raises(FileNotFoundError):
        runner.load_model(str(tmp_path / "missing.pdparams"))


def test_evaluate_and_predict_restore_mode(loaders):
    _, dev_loader = loaders
    runner = _runner()
    runner.model.train()
    runner.evaluate(dev_loader)
    assert runner.model.training
    runner.model.eval()
    runner.evaluate(dev_loader)
    assert not runner.model.training
    runner.model.train()
    X = paddle.randn([4, 2])
    assert runner.predict(X).shape == [4, 1]
    assert runner.model.training


def test_log_steps_zero_is_silent(loaders, capsys, tmp_path):
    train_loader, dev_loader = loaders
    runner = _runner()
    runner.train(train_loader, dev_loader, num_epochs=1, log_steps=0, eval_steps=4,
                 save_path=str(tmp_path / "best.pdparams"))
    assert capsys.readouterr().out == ""


def test_eval_steps_need_dev_loader_and_metric(loaders):
    train_loader, _ = loaders
    with pytest.raises(RuntimeError, match="dev_loader"):
        _runner().train(train_loader, None, num_epochs=1, eval_steps=5)
    runner = _runner()
    runner.metric = None
    with pytest.raises(RuntimeError, match="Metric"):
        runner.train(train_loader, train_loader, num_epochs=1, eval_steps=5)
    with pytest.raises(RuntimeError, match="Metric"):
        runner.evaluate(train_loader)


def test_nan_loss_stops_with_step_number(loaders):
    train_loader, _ = loaders
    runner = _runner(lr=1e30)
    with pytest.raises(FloatingPointError, match=r"at step \d+"):
        runner.train(train_loader, num_epochs=5, log_steps=0)
    assert len(runner.train_step_losses) >= 1


def test_runner_trains_with_nndl_optimizer(loaders):
    """The book's hand-written optimizer drives a paddle.nn.Layer through RunnerV3."""
    train_loader, dev_loader = loaders
    runner = _runner(opt_cls=lambda m: SimpleBatchGD(0.2, m))
    runner.train(train_loader, num_epochs=15, log_steps=0)
    assert runner.train_epoch_losses[-1] < 0.8 * runner.train_epoch_losses[0]
    score, _ = runner.evaluate(dev_loader)
    assert score > 0.6


def test_training_is_deterministic(loaders):
    train_loader, _ = loaders
    histories = []
    for _ in range(2):
        runner = _runner()
        runner.train(train_loader, num_epochs=2, log_steps=0)
        histories.append(runner.train_step_losses)
    assert histories[0] == histories[1]


def test_dev_loss_is_the_mean_of_the_batch_losses(loaders):
    """evaluate's loss is the mean over the dev batches of loss_fn, computed in eval mode
    (errata F6: the printed code averages inside the loop)."""
    _, dev_loader = loaders            # 4 batches of 25
    runner = _runner()
    runner.train(loaders[0], num_epochs=1, log_steps=0)
    model = runner.model
    model.eval()
    with paddle.no_grad():
        per_batch = [F.binary_cross_entropy_with_logits(model(X), y).item() for X, y in dev_loader]
        logits = paddle.concat([model(X) for X, _ in dev_loader])
        labels = paddle.concat([y for _, y in dev_loader])
    model.train()
    assert len(per_batch) == 4 and np.std(per_batch) > 1e-3      # the batches differ
    score, loss = runner.evaluate(dev_loader, global_step=5)
    assert loss == pytest.approx(np.mean(per_batch), rel=1e-6)
    assert loss != pytest.approx(np.sum(per_batch), rel=1e-3)
    assert runner.dev_losses[-1] == (5, loss)
    # equal batches: the mean of the batch means is the mean over all samples
    assert loss == pytest.approx(F.binary_cross_entropy_with_logits(logits, labels).item(), rel=1e-5)
    acc = float(((logits.numpy() > 0).astype("float32") == labels.numpy()).mean())
    assert score == pytest.approx(acc) and runner.dev_scores[-1] == score


def test_evaluate_runs_the_model_in_eval_mode(loaders):
    _, dev_loader = loaders
    runner = _runner()
    runner.model.drop.p = 0.9          # dropout on: a train-mode evaluation would differ from run to run
    a = runner.evaluate(dev_loader)
    b = runner.evaluate(dev_loader)
    runner.model.eval()
    with paddle.no_grad():
        per_batch = [F.binary_cross_entropy_with_logits(runner.model(X), y).item() for X, y in dev_loader]
    assert a == b and a[1] == pytest.approx(np.mean(per_batch), rel=1e-6)


def test_train_step_losses_are_the_loss_values(loaders):
    train_loader, _ = loaders
    runner = _runner(lr=1e-12)   # the weights barely move: each step's loss is the initial model's
    model = runner.model
    with paddle.no_grad():
        expected = [F.binary_cross_entropy_with_logits(model(X), y).item() for X, y in train_loader]
    runner.train(train_loader, num_epochs=1, log_steps=0)
    np.testing.assert_allclose([l for _, l in runner.train_step_losses], expected, rtol=1e-5)
    assert runner.train_epoch_losses[0] == pytest.approx(np.mean(expected), rel=1e-5)


# ---- mutation survivors (docs/mutation.md): defaults, hooks, messages ---------------------------

def _tiny_loader(n, batch_size):
    paddle.seed(0)
    return paddle.io.DataLoader(MoonsDataset('train', n + 100, n), batch_size=batch_size, shuffle=False)


def test_train_defaults_are_the_books(loaders, tmp_path, monkeypatch, capsys):
    train_loader, dev_loader = loaders
    runner = _runner()
    runner.train(train_loader)                    # num_epochs defaults to 0: nothing happens
    assert runner.train_step_losses == [] and runner.train_epoch_losses == []
    assert capsys.readouterr().out.splitlines() == ["[Train] Training done!"]
    monkeypatch.chdir(tmp_path)                   # save_path defaults to best_model.pdparams
    runner.train(train_loader, dev_loader, num_epochs=1, eval_steps=5, log_steps=0)
    assert (tmp_path / "best_model.pdparams").exists()


def test_log_steps_default_is_100(capsys):
    loader = _tiny_loader(220, 2)                 # 110 steps
    runner = _runner()
    runner.train(loader, num_epochs=1)
    lines = capsys.readouterr().out.splitlines()
    steps = [l for l in lines if l.startswith("[Train] epoch")]
    assert [l.split("step: ")[1].split("/")[0] for l in steps] == ["0", "100"]
    assert lines[-1] == "[Train] Training done!"


def test_one_batch_epoch_loss_and_eval_every_step(tmp_path):
    runner = _runner()
    runner.train(_tiny_loader(20, 20), num_epochs=2, log_steps=0)      # one batch per epoch
    assert runner.train_epoch_losses == [l for _, l in runner.train_step_losses]
    runner = _runner()
    runner.train(_tiny_loader(40, 10), _tiny_loader(20, 10), num_epochs=1, eval_steps=1, log_steps=0,
                 save_path=str(tmp_path / "b.pdparams"))
    assert [s for s, _ in runner.dev_losses] == [1, 2, 3]               # every step but step 0


def test_custom_print_log_and_progress(loaders, capsys):
    train_loader, _ = loaders
    seen = []
    runner = _runner()
    runner.train(train_loader, num_epochs=1, log_steps=0,
                 custom_print_log=lambda r: seen.append((r is runner, len(r.train_step_losses))))
    assert seen == [(True, k) for k in range(1, 11)]            # after each step's backward
    runner.train(train_loader, num_epochs=1, log_steps=0, progress=True)
    err = capsys.readouterr().err
    assert "train:" in err and "0/10" in err    # a bar named train over the 10 steps
    runner.train(train_loader, num_epochs=1, log_steps=0)          # progress defaults to False
    assert capsys.readouterr().err == ""


def test_runner_messages(loaders, tmp_path):
    train_loader, dev_loader = loaders
    runner = RunnerV3(Net(), paddle.optimizer.SGD(0.1, parameters=Net().parameters()),
                      F.binary_cross_entropy_with_logits, None)
    with pytest.raises(RuntimeError, match=r"^Error: Metric can not be None!$"):
        runner.train(train_loader, dev_loader, num_epochs=1, eval_steps=5)
    runner = _runner()
    with pytest.raises(RuntimeError, match=r"^Error: dev_loader can not be None!$"):
        runner.train(train_loader, None, num_epochs=1, eval_steps=5)
    with pytest.raises(TypeError, match=r"^RunnerV3.train: unknown keyword argument\(s\) log_epochps; it takes "
                                        r"num_epochs, log_steps, eval_steps, save_path, custom_print_log, progress$"):
        runner.train(train_loader, log_epochps=1)
    with pytest.raises(FileNotFoundError, match=r"^RunnerV3.load_model: no saved model at "):
        runner.load_model(str(tmp_path / "missing.pdparams"))
    with pytest.raises(FloatingPointError, match=r"training stopped \(try a smaller learning rate\)$"):
        bad = RunnerV3(Net(), paddle.optimizer.SGD(0.1, parameters=Net().parameters()),
                       lambda logits, y: logits.sum() * float("nan"), Accuracy())
        bad.train(train_loader, num_epochs=1, log_steps=0)


def test_device_argument_moves_the_model(loaders):
    runner = RunnerV3(Net(), None, F.binary_cross_entropy_with_logits, device="cpu")
    assert runner.device == "cpu"
    assert all(p.place.is_cpu_place() for p in runner.model.parameters())
    runner = RunnerV3(Net(), None, F.binary_cross_entropy_with_logits)
    assert runner.device == paddle.get_device()


def test_best_score_needs_a_strict_improvement(loaders, tmp_path, capsys):
    train_loader, dev_loader = loaders
    runner = _runner(lr=1e-12)                    # the score never changes
    runner.train(train_loader, dev_loader, num_epochs=2, eval_steps=5, log_steps=1000,
                 save_path=str(tmp_path / "b.pdparams"))
    out = capsys.readouterr().out
    assert len(set(runner.dev_scores)) == 1 and len(runner.dev_scores) == 4
    assert out.count("best accuracy performance has been updated") == 1


def test_model_without_train_eval_methods():
    class Plain:                                   # a book-style callable model: no train()/eval()
        def __call__(self, X):
            return X.sum(axis=1, keepdim=True)

    runner = RunnerV3(Plain(), None, F.binary_cross_entropy_with_logits, Accuracy())
    X = paddle.ones([2, 2])
    assert runner.predict(X).numpy().tolist() == [[2.0], [2.0]]


def test_train_puts_the_model_in_train_mode(loaders):
    train_loader, _ = loaders
    runner = _runner()
    runner.model.eval()
    runner.train(train_loader, num_epochs=1, log_steps=0)
    assert runner.model.training and runner.model.drop.training
