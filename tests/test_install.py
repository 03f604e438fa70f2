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
    # without the caller's PYTHONPATH (a clone on it would shadow the installed package)
    import os
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    build = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                            str(src)], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert build.returncode == 0, build.stderr[-3000:]
    run = subprocess.run([str(py), "-W", "ignore", "-c", BOOK_IMPORTS], capture_output=True, text=True,
                         cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("OK")
    # the README's main job lists and runs the chapters both from the installed package and from
    # the clone's root (where `python -m nndl` imports the clone's nndl, beside the installed one)
    for cwd in (tmp_path, ROOT):
        listing = subprocess.run([str(py), "-W", "ignore", "-m", "nndl", "list"], capture_output=True, text=True,
                                 cwd=cwd, env=env)
        assert listing.returncode == 0, (cwd, listing.stderr[-3000:])
        assert "ch7 网络优化与正则化: " in listing.stdout and "script(s)" in listing.stdout, listing.stdout


def test_ci_runs_the_readme_test_command_verbatim():
    import re
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, flags=re.S)
    commands = [b.strip() for b in blocks if "pytest" in b]
    assert len(commands) == 1, "the README shows exactly one test command"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [l.strip() for l in ci.splitlines()]
    assert commands[0] in ci.splitlines() or commands[0] in lines
    assert "python3 -m venv" in ci and "source \"$VENV/bin/activate\"" in ci   # a fresh virtualenv
    main_job = [b.strip() for b in blocks if "python -m nndl run all" in b]
    assert len(main_job) == 1, "the README shows exactly one main-job command"


def test_ci_tests_the_newest_paddle_and_the_lowest_supported_one():
    """Two legs, each the README's test command verbatim in its own fresh virtualenv: the newest
    paddle, then paddle 2.6.2 installed with the README's command for 2.6 readers; the lower bound
    in requirements.txt (and so setup.py) is the version the second leg proves."""
    import re
    from nndl import compat
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, flags=re.S)
    test_command = [b.strip() for b in blocks if "pytest" in b][0]
    lowest = compat.TESTED_VERSIONS[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    legs = re.search(r'LEGS="\$\{CI_LEGS:-(.*?)\}"', ci).group(1).split()
    assert legs == ["newest", lowest]
    # each leg (a case branch) runs the README's test command verbatim
    branches = dict(re.findall(r"^\s*([\w.]+)\)\n(.*?);;", ci, flags=re.S | re.M))
    assert set(legs) <= set(branches)
    for leg in legs:
        assert test_command in [l.strip() for l in branches[leg].splitlines()], leg
    # the 2.6 leg installs paddle first, as the README tells 2.6 readers, and checks what it got
    readers_26 = [b.strip() for b in blocks if f'pip install "paddlepaddle=={lowest}"' in b]
    assert len(readers_26) == 1, "the README shows the install command for paddle 2.6 readers"
    pre = [l for l in branches[lowest].splitlines() if l.strip()]
    assert pre[0].strip() == f'python -m pip install -q "paddlepaddle=={lowest}"'
    assert f"paddle.__version__ != '{lowest}'" in branches[lowest]
    # the lower bound CI proves, in requirements.txt (setup.py reads it) and the README / docs
    reqs = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert re.search(rf"^paddlepaddle>={re.escape(lowest)}\b", reqs, flags=re.M)
    setup = (ROOT / "setup.py").read_text(encoding="utf-8")
    assert "requirements.txt" in setup and "install_requires=read_requirements()" in setup
    for doc in (readme, (ROOT / "docs" / "versions.md").read_text(encoding="utf-8")):
        for version in compat.TESTED_VERSIONS:
            assert version in doc
    # the GPU section gives both routes
    gpu = readme[readme.index("## GPU"):]
    assert f"pip install paddlepaddle-gpu=={lowest}" in gpu
    assert re.search(r"pip install paddlepaddle-gpu==3\.\d+\.\d+ -i https://www\.paddlepaddle\.org\.cn/packages/stable/cu\d+/", gpu)
    assert "python -m nndl doctor" in gpu
