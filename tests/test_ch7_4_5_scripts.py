"""Smoke runs of the 7.4 / 7.5 / exercise 7.7 chapter scripts (quick mode): printed lines, results, figures."""
import re

import numpy as np
import pytest


def _figures(out, *names):
    for name in names:
        for ext in (".pdf", ".png"):
            path = out / (name + ext)
            assert path.exists() and path.stat().st_size > 0, f"missing figure {path.name}"


def _value(stdout, prefix):
    """The number(s) printed after ``prefix`` on its line (numpy prints arrays as [a b ...])."""
    for line in stdout.splitlines():
        if line.startswith(prefix):
            return np.array([float(v) for v in re.findall(r"-?\d+\.?\d*(?:e[-+]?\d+)?", line[len(prefix):])])
    raise AssertionError(f"no line starting with {prefix!r} in:\n{stdout}")


def test_variance_by_layer(chapter_run):
    stdout, results, out = chapter_run("ch7_4_2_2_variance")
    lines = re.findall(r"^layer (\d): , (\d+\.\d{6})$", stdout, flags=re.M)
    assert [int(i) for i, _ in lines] == [0, 1, 2, 3] * 2          # normal, then uniform, as the book prints
    printed = [float(v) for _, v in lines]
    np.testing.assert_allclose(printed[:4], results["xavier_normal"]["output_var"], rtol=1e-3, atol=1e-6)
    for key in ("xavier_normal", "xavier_uniform"):
        v = results[key]["output_var"]
        assert max(v) / min(v) < 3, (key, v)                         # Xavier keeps the variance
        assert max(results[key]["saturated"]) == 0
    assert min(results["normal01"]["saturated"][1:]) > 0.5            # N(0,1) saturates tanh
    assert results["normal01"]["net_input_var"][2] > 100 * results["xavier_normal"]["net_input_var"][2]
    _figures(out, "opti-xavier-variance")


def test_xavier_vs_normal_on_moons(chapter_run):
    stdout, results, out = chapter_run("ch7_4_2_3_xavier_moons")
    assert "xavier initializer: final train loss" in stdout and "N(0,1) initializer: final train loss" in stdout
    assert len(results["xavier"]["epoch_losses"]) == results["num_epochs"]
    # the book's conclusion: with Xavier the loss is smaller
    assert results["xavier"]["final_loss"] < results["normal01"]["final_loss"]
    assert results["xavier"]["final_loss"] < results["xavier"]["epoch_losses"][0]
    _figures(out, "opti-xavier")


def test_he_init_exercise(chapter_run):
    stdout, results, out = chapter_run("ch7_ex7_he_init")
    he = results["moments"]["he normal"]["net_input"]
    xav = results["moments"]["xavier normal"]["net_input"]
    n01 = results["moments"]["N(0,1)"]["net_input"]
    assert max(he) / min(he) < 1.5                     # He keeps the scale through ReLU layers
    assert xav[-1] < xav[0] / 4                         # Xavier shrinks it
    assert n01[-1] > 1e4 * n01[0]                       # N(0,1) blows it up
    he_run = results["training"]["he initializer"]
    assert he_run["final_loss"] < he_run["first_loss"]
    n01_run = results["training"]["N(0,1) initializer"]
    assert "diverged" in n01_run or n01_run["final_loss"] > he_run["final_loss"]
    assert "he initializer: first-epoch loss" in stdout
    _figures(out, "opti-he")


def test_covariate_shift(chapter_run):
    stdout, results, out = chapter_run("ch7_5_1_3_covariate_shift")
    for line in ("data mean: ", "no batch normalization: ", "with batch normalization: ",
                 "batch normalization with different gamma and beta for different layer: "):
        assert line in stdout
    # without BN the layer-4 outputs are far from N(0, 1); with BN they are mean 0, std 1
    assert np.all(np.array(results["no_bn"]["std"]) > 3)
    np.testing.assert_allclose(results["bn"]["mean"], 0, atol=1e-4)
    np.testing.assert_allclose(results["bn"]["std"], 1, atol=1e-4)
    # with gamma/beta: means beta, stds gamma (printed and recorded)
    assert _value(stdout, "output means with bn 0: ") == pytest.approx(3, abs=1e-4)
    assert _value(stdout, "output stds with bn 0: ") == pytest.approx(1, abs=1e-4)
    assert _value(stdout, "output means with bn 3: ") == pytest.approx(2, abs=1e-4)
    assert _value(stdout, "output stds with bn 3: ") == pytest.approx(5, abs=1e-4)
    gb = results["bn_gamma_beta"]
    for i in range(4):
        np.testing.assert_allclose(gb["per_unit_std"][i], gb["gamma"][i], rtol=1e-4)
        assert gb["mean"][i] == pytest.approx(gb["beta"][i], abs=1e-4)


def test_moving_average(chapter_run):
    stdout, results, out = chapter_run("ch7_5_1_4_moving_average")
    mean = _value(stdout, "batch norm 3 moving mean: ")
    var = _value(stdout, "batch norm 3 moving variance: ")
    np.testing.assert_allclose(mean, np.ravel(results["moving_mean"]), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(var, np.ravel(results["moving_variance"]), rtol=1e-4)
    # after 51 batches the moving averages track the statistics of the input distribution
    pop_mean, pop_var = np.array(results["population_mean"]), np.array(results["population_variance"])
    assert np.all(np.abs(mean - pop_mean) < 0.15 * np.sqrt(pop_var))
    np.testing.assert_allclose(var, pop_var, rtol=0.3)
    assert "equals its output in the batch:  True" in stdout
    _figures(out, "opti-bn-moving-average")


def test_layernorm_experiment(chapter_run):
    stdout, results, out = chapter_run("ch7_5_2_2_layernorm")
    assert "layer normalization with different gamma and beta for different layer: " in stdout
    np.testing.assert_allclose(_value(stdout, "output means with ln 0: "), 3, atol=1e-4)
    np.testing.assert_allclose(_value(stdout, "output stds with ln 0: "), 1, atol=1e-4)
    np.testing.assert_allclose(_value(stdout, "output means with ln 1: "), 2, atol=1e-4)
    np.testing.assert_allclose(_value(stdout, "output stds with ln 1: "), 5, atol=1e-4)
    assert len(results["ln0"]["mean"]) == 10
    assert results["per_sample_independent"] is True


@pytest.mark.parametrize("name,expected", [
    ("ch7_4_2_2_variance", [True, True]),
    ("ch7_4_2_3_xavier_moons", [True]),
    ("ch7_5_1_3_covariate_shift", [True, True]),
    ("ch7_5_1_4_moving_average", [True, True]),
    ("ch7_5_2_2_layernorm", [True, True]),
    ("ch7_ex7_he_init", [True, True]),
])
def test_claims_7_4_and_7_5(chapter_run, name, expected):
    _, results, _ = chapter_run(name)
    assert [c["supported"] for c in results["claims"]] == expected, results["claims"]
