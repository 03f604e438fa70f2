"""Shared test set-up: headless plotting, deterministic seeds, paths."""
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same random state."""
    from nndl.utils import set_seed
    set_seed(1024)
    yield


def run_chapter(name, out, *extra):
    """Run chapters/<name>.py --quick --out <out> in a subprocess; return (stdout, results dict)."""
    import json
    import subprocess
    env = dict(os.environ, NNDL_QUICK="1", MPLBACKEND="Agg",
               PYTHONWARNINGS="ignore:No ccache found:UserWarning")
    proc = subprocess.run([sys.executable, str(ROOT / "chapters" / f"{name}.py"), "--quick",
                           "--out", str(out), *extra], capture_output=True, text=True, env=env,
                          timeout=600)
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    results = json.loads((Path(out) / "results.json").read_text(encoding="utf-8"))
    return proc.stdout, results
