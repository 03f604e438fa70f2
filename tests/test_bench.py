"""Each benchmark of bench/ runs in its tiny configuration and prints one well-formed JSON object.

Timings are never asserted (speed is measured by the benchmarks, not tested).
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"


def run_bench(name, *extra, timeout=300):
    env = dict(os.environ, MPLBACKEND="Agg", NNDL_DEVICE="cpu",
               PYTHONWARNINGS="ignore:No ccache found:UserWarning")
    proc = subprocess.run([sys.executable, str(BENCH / f"{name}.py"), "--tiny", *extra],
                          capture_output=True, text=True, env=env, timeout=timeout, cwd=str(ROOT))
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    data = json.loads(proc.stdout)   # stdout holds exactly one JSON object
    assert isinstance(data, dict)
    env_info = data["env"]
    for key in ("device", "paddle", "date", "command"):
        assert env_info[key], key
    assert env_info["device"].startswith("cpu")
    return data


def test_bench_runner():
    d = run_bench("bench_runner")
    assert d["benchmark"] == "runner"
    assert set(d["results"]) == {"16", "64"}
    for r in d["results"].values():
        for variant in ("raw", "runner"):
            assert r[variant]["median_s"] > 0
        assert r["runner_over_raw"]["ratio_of_medians"] > 0
    assert set(d["goal"]) >= {"max_ratio", "worst_ratio_of_medians", "met"}


def test_bench_optimizers():
    d = run_bench("bench_optimizers", "--only", "SimpleBatchGD,Momentum,Adam")
    assert d["benchmark"] == "optimizers"
    import nndl.optimizer as nopt
    expected = {n for n in ("SimpleBatchGD", "Momentum", "Adam") if hasattr(nopt, n)}
    assert set(d["results"]) == expected
    assert set(d["skipped"]) == {"SimpleBatchGD", "Momentum", "Adam"} - expected
    for r in d["results"].values():
        assert r["step"]["nndl_us"] > 0 and r["step"]["paddle_us"] > 0
        assert r["epoch"]["nndl_over_paddle"]["ratio_of_medians"] > 0
        assert r["parity"]["finite"]
        assert r["parity"]["max_abs_diff"] < 1e-4   # float32 tolerance over a few steps
    assert "worst_epoch_ratio" in d["goal"]


def test_bench_mnist():
    d = run_bench("bench_mnist")
    assert d["benchmark"] == "mnist"
    if "skipped" in d:
        pytest.skip(d["skipped"])
    for k in ("cold", "warm", "paddle"):
        assert d["results"][k]["median_s"] > 0
    assert d["config"]["modes"] == ["test"]
    assert d["sources"]["warm"][0].startswith("cache ")


def test_bench_transform():
    d = run_bench("bench_transform")
    assert d["benchmark"] == "transform"
    if "skipped" in d:
        pytest.skip(d["skipped"])
    assert d["first_batch_equal"] is True
    for k in ("per_item", "vectorized"):
        assert d["results"][k]["images_per_s"] > 0


def test_bench_chapter(tmp_path):
    d = run_bench("bench_chapter", "--full-timeout", "60", timeout=400)
    assert d["benchmark"] == "chapter"
    assert d["quick"]["returncode"] == 0
    assert d["quick"]["total_s"] > 0
    assert d["quick"]["scripts"], "no chapter script ran"
    assert set(d["full"]["scripts"]) == set(d["quick"]["scripts"])
    goal = d["goal"]
    # the verdict follows from the measurement (not a constant read back): met exactly when the
    # measured quick time fits the goal and every script succeeded
    assert goal["quick_s"] == pytest.approx(d["quick"]["total_s"]) and goal["quick_s"] > 0
    assert all(v["seconds"] > 0 for v in d["quick"]["scripts"].values())
    assert goal["met"] in (None, (goal["quick_s"] <= goal["max_quick_s"] and d["quick"]["returncode"] == 0))
