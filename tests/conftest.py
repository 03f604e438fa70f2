"""Shared test set-up: headless plotting, deterministic seeds, chapter-script runs."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same random state."""
    from nndl.utils import set_seed
    set_seed(1024)
    yield


def run_script(name, out, *extra, quick=True, timeout=600):
    """Run chapters/<name>.py [--quick] --out <out> in a fresh process.

    Returns (stdout, results dict from <out>/results.json); fails the test with
    the script's output if it exits non-zero.
    """
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONWARNINGS="ignore:No ccache found:UserWarning")
    args = [sys.executable, str(CHAPTERS / f"{name}.py"), "--out", str(out), *extra]
    if quick:
        args.insert(2, "--quick")
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout, cwd=str(out))
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    results = json.loads((Path(out) / "results.json").read_text(encoding="utf-8"))
    return proc.stdout, results


@pytest.fixture(scope="session")
def chapter_run(tmp_path_factory):
    """``chapter_run(name)`` -> (stdout, results, out_dir) of the script in quick mode.

    Each script runs once per test session, however many tests look at it.
    """
    cache = {}

    def get(name):
        if name not in cache:
            out = tmp_path_factory.mktemp(name)
            stdout, results = run_script(name, out)
            cache[name] = (stdout, results, out)
        return cache[name]

    return get


def pytest_collection_modifyitems(config, items):
    """Tests marked ``slow`` run only when asked for (``-m slow``): the default suite stays short."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
