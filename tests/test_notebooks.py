"""notebooks/ is generated from chapters/: in sync, outputs stripped, and each executes in quick mode."""
import json
import os
from pathlib import Path

import pytest

import nndl.app.notebooks as nbgen

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
NOTEBOOKS = ROOT / "notebooks"
SCRIPTS = nbgen.notebook_scripts(CHAPTERS)
NOTEBOOK_FILES = sorted(NOTEBOOKS.glob("*.ipynb"))
REGENERATE = "regenerate with `python -m nndl notebooks` (notebooks are never edited by hand)"


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_notebook_matches_its_script(script):
    target = NOTEBOOKS / f"{script.stem}.ipynb"
    assert target.exists(), f"{target} is missing; {REGENERATE}"
    assert target.read_text(encoding="utf-8") == nbgen.notebook_text(script), \
        f"{target} disagrees with {script}; {REGENERATE}"


def test_no_notebook_without_a_script():
    assert nbgen.stale_notebooks(SCRIPTS, NOTEBOOKS) == [], REGENERATE
    assert {p.stem for p in NOTEBOOK_FILES} <= {s.stem for s in SCRIPTS}


def test_generated_notebook_shape(tmp_path):
    script = tmp_path / "ch7_9_1_demo.py"
    script.write_text('# %% [markdown]\n# # 7.9.1 演示\n#\n# 一段说明。\n\n# %%\nfrom nndl.app.script import setup\n'
                      'S = setup("ch7_9_1_demo")\nprint(1 + 1)\n\n# %% tags=["keep"]\nx = 2\n', encoding="utf-8")
    nb = json.loads(nbgen.notebook_text(script))
    cells = nb["cells"]
    assert [c["cell_type"] for c in cells] == ["code", "markdown", "code", "code"]
    setup_src = "".join(cells[0]["source"])
    assert 'os.environ.setdefault("NNDL_QUICK", "1")' in setup_src
    assert "paddle.__version__" in setup_src and "sys.path.insert" in setup_src
    assert setup_src.index("import nndl.app.script") < setup_src.index("import paddle")
    assert "".join(cells[1]["source"]).startswith("# 7.9.1 演示")
    assert "".join(cells[2]["source"]).startswith("from nndl.app.script import setup")
    assert cells[3]["metadata"] == {"tags": ["keep"]}
    assert all(c.get("outputs", []) == [] and c.get("execution_count") is None for c in cells)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert nbgen.notebook_text(script) == nbgen.notebook_text(script)        # deterministic


def test_check_detects_drift_and_stale(tmp_path):
    chapters, out = tmp_path / "chapters", tmp_path / "notebooks"
    chapters.mkdir()
    (chapters / "__init__.py").write_text("")
    a, b = chapters / "ch7_9_1_a.py", chapters / "ch7_9_2_b.py"
    a.write_text("# %%\nprint('a')\n")
    b.write_text("# %%\nprint('b')\n")
    written, removed = nbgen.write_notebooks(chapters, out)
    assert sorted(p.name for p in written) == ["ch7_9_1_a.ipynb", "ch7_9_2_b.ipynb"] and removed == []
    assert not (out / "__init__.ipynb").exists()
    assert nbgen.check_notebooks(chapters, out) == []
    a.write_text("# %%\nprint('a, edited')\n")
    b.unlink()
    problems = nbgen.check_notebooks(chapters, out)
    assert any("out of date" in p and "ch7_9_1_a" in p for p in problems)
    assert any("stale" in p and "ch7_9_2_b" in p for p in problems)
    nbgen.write_notebooks(chapters, out)
    assert nbgen.check_notebooks(chapters, out) == [] and not (out / "ch7_9_2_b.ipynb").exists()


def _one_per_chapter(notebooks):
    """The first notebook of each chapter in book order.  Every notebook is its script, cell for
    cell (tested above), and every script runs in quick mode in the suite (tests/test_ch*.py, or
    tests/test_chapter_scripts.py for the ones no chapter test runs); executing one notebook per
    chapter proves the notebook harness (setup cell, quick mode, NNDL_OUT, inline backend) for each."""
    from nndl.app.cli import Script
    firsts = {}
    for nb in sorted(notebooks, key=lambda p: Script(p).sort_key):
        firsts.setdefault(Script(nb).chapter, nb)
    return [firsts[ch] for ch in sorted(firsts)]


EXECUTED = _one_per_chapter(NOTEBOOK_FILES)


@pytest.mark.parametrize("notebook", EXECUTED, ids=[p.stem for p in EXECUTED])
def test_notebook_executes_in_quick_mode(notebook, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("NNDL_QUICK", "1")
    monkeypatch.setenv("NNDL_OUT", str(tmp_path))
    monkeypatch.delenv("MPLBACKEND", raising=False)     # the kernel picks the inline backend, as in Jupyter
    monkeypatch.setenv("PYTHONWARNINGS", "ignore:No ccache found:UserWarning")
    nb = nbformat.read(str(notebook), as_version=4)
    client = nbclient.NotebookClient(nb, timeout=900, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    first = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.get("output_type") == "stream")
    assert first.startswith("paddle ") and "NNDL_QUICK=1" in first
    results = json.loads((tmp_path / notebook.stem / "results.json").read_text(encoding="utf-8"))
    assert results["section"] == notebook.stem and results["quick"] is True


_UNINSTALL = ("import sys\n"   # hide the editable install, as on a machine where nndl is not installed
              "sys.meta_path[:] = [f for f in sys.meta_path\n"
              "                    if 'editable' not in str(getattr(f, '__module__', '')) + type(f).__module__]\n"
              "import os\n"   # a `setup.py develop` install puts the clone itself on sys.path (.pth)
              "sys.path[:] = [p for p in sys.path if p not in ('', '.')\n"
              "               and not os.path.isfile(os.path.join(p, 'nndl', '__init__.py'))]\n")


def _run_setup_cell(cwd, home):
    import subprocess
    import sys
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NNDL_QUICK")}
    env["HOME"] = str(home)
    code = _UNINSTALL + nbgen.SETUP_CELL + "\nprint('nndl from', nndl.__file__)\n"
    return subprocess.run([sys.executable, "-c", code], cwd=str(cwd), env=env, capture_output=True,
                          text=True, timeout=300)


def test_setup_cell_finds_nndl_in_a_clone_without_install(tmp_path):
    proc = _run_setup_cell(NOTEBOOKS, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("paddle ") and "NNDL_QUICK=1" in proc.stdout
    assert f"nndl from {ROOT / 'nndl' / '__init__.py'}" in proc.stdout


def test_setup_cell_says_how_to_install_when_nndl_is_nowhere(tmp_path):
    proc = _run_setup_cell(tmp_path, tmp_path)
    assert proc.returncode != 0
    assert "找不到 nndl" in proc.stderr and "pip install -e" in proc.stderr
