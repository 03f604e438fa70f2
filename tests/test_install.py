"""`pip install .` into a fresh virtualenv gives the book's imports (outside the source tree)."""
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from conftest import ROOT

BOOK_IMPORTS = """
import nndl
import nndl.op as op
from nndl.op import Op, Optimizer, SimpleBatchGD, BatchGD, MLP_3L
from nndl import RunnerV3, make_moons, Accuracy, accuracy
from nndl import RunnerV3, metric
fc = op.Linear(2, 3, name='fc1'); act = op.Logistic()
m = metric.Accuracy(is_logist=True)
assert len(nndl.__all__) > 80                       # every module of the whole book imports
import nndl.app.cli, nndl.app.report, nndl.app.script, nndl.datasets.base, nndl.datasets.mnist
import nndl.chapters, pathlib
assert 'site-packages' in nndl.__file__, nndl.__file__
scripts = sorted(p.name for p in pathlib.Path(nndl.chapters.__file__).parent.glob('ch*_*.py'))
assert any(s.startswith('ch7_') for s in scripts)
print('OK', len(scripts))
"""


def test_pip_install_into_fresh_virtualenv(tmp_path):
    env_dir = tmp_path / "venv"
    # a fresh venv that sees the packages of the environment running the tests (paddle and
    # friends: no network, no 1 GB download) through a .pth file, not the base interpreter's
    # system site packages; .pth files in those folders are not processed, so the editable
    # install of this tree stays invisible and nndl itself must come from the wheel built here
    venv.EnvBuilder(system_site_packages=False, with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    here = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "outer-env.pth").write_text("\n".join(sorted(here)) + "\n", encoding="utf-8")
    # build from a copy: pip builds in the source folder (build/, *.egg-info), never in the clone
    import shutil
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", ".venv*",
                                                            "results", "nndl_results", "__pycache__"))
    build = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                            str(src)], capture_output=True, text=True, cwd=tmp_path)
    assert build.returncode == 0, build.stderr[-3000:]
    run = subprocess.run([str(py), "-W", "ignore", "-c", BOOK_IMPORTS], capture_output=True, text=True,
                         cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("OK")
    # the README's main job lists and runs the chapters both from the installed package and from
    # the clone's root (where `python -m nndl` imports the clone's nndl, beside the installed one)
    for cwd in (tmp_path, ROOT):
        listing = subprocess.run([str(py), "-W", "ignore", "-m", "nndl", "list"], capture_output=True, text=True,
                                 cwd=cwd)
        assert listing.returncode == 0, (cwd, listing.stderr[-3000:])
        assert "ch7 网络优化与正则化: " in listing.stdout and "script(s)" in listing.stdout, listing.stdout


def test_ci_runs_the_readme_test_command_verbatim():
    import re
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, flags=re.S)
    commands = [b.strip() for b in blocks if "pytest" in b]
    assert len(commands) == 1, "the README shows exactly one test command"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[0] in ci.splitlines()
    assert "python3 -m venv" in ci and "source \"$VENV/bin/activate\"" in ci   # a fresh virtualenv
    main_job = [b.strip() for b in blocks if "python -m nndl run all" in b]
    assert len(main_job) == 1, "the README shows exactly one main-job command"
