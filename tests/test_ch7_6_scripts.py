"""Smoke runs of the section 7.6 scripts (quick mode): printed lines, results and figures."""
import numpy as np
import pytest


def _figures(out, *names):
    for name in names:
        for ext in ('.pdf', '.png'):
            path = out / (name + ext)
            assert path.is_file() and path.stat().st_size > 0, path


def _acc(x):
    assert 0.0 <= x <= 1.0
    return x


def test_overfit_baseline(chapter_run):
    stdout, results, out = chapter_run("ch7_6_2_overfit")
    assert "train dataset X shape:  [200, 2]" in stdout
    assert "train dataset y shape:  [200, 1]" in stdout
    assert f"train accuracy: " in stdout and "test accuracy: " in stdout
    assert _acc(results["acc_train"]) > 0.75 and _acc(results["acc_test"]) > 0.5
    _figures(out, "opti-regularization")


def test_l2_shrinks_the_weights(chapter_run):
    _, base, _ = chapter_run("ch7_6_2_overfit")
    stdout, results, out = chapter_run("ch7_6_3_l2")
    assert results["lambd"] == 0.7 and results["num_iters"] == base["num_iters"]
    _acc(results["acc_train"]), _acc(results["acc_test"])
    assert "test accuracy: " in stdout
    # same data, same initialization, same iterations: the penalty gives smaller weights
    assert results["weight_sq_norm"] < base["weight_sq_norm"]
    _figures(out, "opti-regularization2")


def test_weight_decay(chapter_run):
    stdout, results, out = chapter_run("ch7_6_4_weight_decay")
    assert results["weight_decay"] == 0.001
    assert results["equivalent_L2Decay_coeff"] == pytest.approx(0.005)
    assert "train accuracy: " in stdout
    _figures(out, "opti-regularization3")


def test_dropout_both_rates(chapter_run):
    stdout, results, out = chapter_run("ch7_6_5_dropout")
    assert "drop_rate = 0.3" in stdout and "drop_rate = 0.5" in stdout
    assert stdout.count("train accuracy: ") == 2
    assert set(results["results"]) == {"0.3", "0.5"}
    for r in results["results"].values():
        _acc(r["acc_train"]), _acc(r["acc_test"])
    _figures(out, "opti-regularization4", "opti-regularization4-p05")


def test_appendix_l2decay_equivalence(chapter_run):
    stdout, results, out = chapter_run("ch7_6_appendix_l2decay")
    assert stdout.count("train accuracy: ") == 2
    eq = results["equivalence"]
    assert eq["L2Decay"] == pytest.approx(0.01) and eq["beta"] == pytest.approx(0.002)
    assert eq["max_abs_diff"] < 1e-10 * max(1.0, eq["max_abs_param"])
    _figures(out, "opti-regularization-paddle", "opti-regularization5")
    assert not (out / "opti-regularization4.pdf").exists()   # the book's name clash is resolved


def test_seeds_table(chapter_run):
    stdout, results, out = chapter_run("ch7_6_seeds_table")
    table = results["table"]
    assert set(table) == {"none", "L2 (lambda=0.7)", "weight decay 0.001", "dropout 0.3", "dropout 0.5"}
    for row in table.values():
        assert len(row["train"]) == len(results["seeds"]) >= 2
        # the summary numbers are those of the per-seed lists (sample std, ddof=1)
        for split in ("train", "test"):
            assert row[f"{split}_mean"] == pytest.approx(np.mean(row[split]), abs=1e-7)
            assert row[f"{split}_std"] == pytest.approx(np.std(row[split], ddof=1), abs=1e-7)
        gaps = np.array(row["train"]) - np.array(row["test"])
        assert row["gap_mean"] == pytest.approx(gaps.mean(), abs=1e-7)
        assert row["gap_std"] == pytest.approx(gaps.std(ddof=1), abs=1e-7)
    assert "mean±std" in stdout
    _figures(out, "opti-regularization-seeds")


def test_ex9_sweeps_reach_underfitting(chapter_run):
    stdout, results, out = chapter_run("ch7_ex9_sweeps")
    sweeps = results["sweeps"]
    base = sweeps["lambd"][0]
    assert base["value"] == 0
    for name in ("lambd", "weight_decay", "drop_rate"):
        rows = sweeps[name]
        assert [r["value"] for r in rows] == sorted(r["value"] for r in rows)
        # the largest value underfits: the training accuracy falls well below the unregularized one
        assert rows[-1]["acc_train"] < base["acc_train"] - 0.1, name
    assert "lambd=200" in stdout and "drop_rate=0.9" in stdout
    _figures(out, "opti-regularization-sweep")


@pytest.mark.parametrize("name,expected", [
    ("ch7_6_2_overfit", [True]),
    ("ch7_6_3_l2", [True]),
    ("ch7_6_4_weight_decay", [True]),
    ("ch7_6_5_dropout", [True, False]),     # dropout relieves overfitting; "less than L2" does not show (one seed)
    ("ch7_6_appendix_l2decay", [True, True]),
    ("ch7_ex9_sweeps", [True]),
])
def test_claims_7_6(chapter_run, name, expected):
    _, results, _ = chapter_run(name)
    assert [c["supported"] for c in results["claims"]] == expected, results["claims"]


def test_claims_compare_with_the_baseline_at_the_same_size(chapter_run):
    _, base, _ = chapter_run("ch7_6_2_overfit")
    for name in ("ch7_6_3_l2", "ch7_6_4_weight_decay"):
        _, results, _ = chapter_run(name)
        assert results["baseline"]["acc_train"] == pytest.approx(base["acc_train"])
        assert results["baseline"]["acc_test"] == pytest.approx(base["acc_test"])


def test_seeds_table_claims_say_what_quick_mode_cannot_show(chapter_run):
    _, results, _ = chapter_run("ch7_6_seeds_table")
    claims = results["claims"]
    assert len(claims) == 2
    assert claims[1]["supported"] is None and "cannot estimate the spread" in claims[1]["note"]
    assert "docs/errata.md R12" in claims[0]["note"]
