"""`pip install .` into a fresh virtualenv gives the book's imports (outside the source tree)."""
import subprocess
import sys
import venv

import pytest

from conftest import ROOT

BOOK_IMPORTS = """
import nndl
import nndl.op as op
from nndl.op import Op, Optimizer, SimpleBatchGD, BatchGD, MLP_3L
from nndl import RunnerV3, make_moons, Accuracy
fc = op.Linear(2, 3, name='fc1'); act = op.Logistic()
m = nndl.Accuracy(is_logist=True)
import nndl.chapters, pathlib
assert 'site-packages' in nndl.__file__, nndl.__file__
scripts = sorted(p.name for p in pathlib.Path(nndl.chapters.__file__).parent.glob('ch7_*.py'))
print('OK', len(scripts))
"""


def test_pip_install_into_fresh_virtualenv(tmp_path):
    env_dir = tmp_path / "venv"
    # system site packages provide paddle and friends (no network, no 1 GB download);
    # nndl itself must come from the wheel built from this tree
    venv.EnvBuilder(system_site_packages=True, with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    build = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                            str(ROOT)], capture_output=True, text=True, cwd=tmp_path)
    assert build.returncode == 0, build.stderr[-3000:]
    run = subprocess.run([str(py), "-W", "ignore", "-c", BOOK_IMPORTS], capture_output=True, text=True,
                         cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("OK")


def test_ci_runs_the_readme_test_command_verbatim():
    import re
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, flags=re.S)
    commands = [b.strip() for b in blocks if "pytest" in b]
    assert len(commands) == 1, "the README shows exactly one test command"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[0] in ci.splitlines()
    main_job = [b.strip() for b in blocks if "python -m nndl run ch7" in b]
    assert len(main_job) == 1, "the README shows exactly one main-job command"
