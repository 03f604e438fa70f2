"""Notebooks generated from the chapter scripts: ``python -m nndl notebooks [--check]``.

``chapters/<name>.py`` (jupytext percent format) becomes ``notebooks/<name>.ipynb``:
the script's cells, outputs stripped, after one generated first cell that
works locally and on AI Studio (prints the paddle version, makes ``nndl``
importable from a clone, sets quick mode via ``NNDL_QUICK``, default 1).
The conversion is deterministic (fixed cell ids, sorted JSON), so a test can
regenerate a notebook in memory and compare it with the file byte for byte.
Notebooks are never edited by hand: edit the script and regenerate.

jupytext and nbformat are needed here only (the ``test`` extra installs them).
"""
import json
from pathlib import Path

__all__ = ["SETUP_CELL", "script_to_notebook", "notebook_text", "notebook_scripts",
           "write_notebooks", "check_notebooks", "default_notebooks_dir"]

GENERATOR = "python -m nndl notebooks"

# The generated first cell.  Kept free of paddle until the warning filters of nndl.app.script are in place.
SETUP_CELL = '''\
# 本单元由 `python -m nndl notebooks` 生成（notebook 由 chapters/ 下的脚本生成，请勿手工编辑）。
# 本地与 AI Studio 通用：让 nndl 可导入，打印 paddle 版本，选择快速/完整模式。
import os, sys

# NNDL_QUICK=1：快速模式（小规模，CPU 上几秒到几十秒）；改成 "0" 运行书中的完整配置。
os.environ.setdefault("NNDL_QUICK", "1")

try:
    import nndl
except ImportError:
    # 在仓库的克隆中运行（notebooks/ 与 nndl/ 同级）：把仓库根目录加入 sys.path
    for _root in (os.path.abspath(".."), os.path.abspath("."), os.path.expanduser("~/work/nndl")):
        if os.path.isfile(os.path.join(_root, "nndl", "__init__.py")):
            sys.path.insert(0, _root)
            break
    try:
        import nndl
    except ImportError:
        raise ImportError("找不到 nndl：在仓库根目录执行 `pip install -e .`；在 AI Studio 上把仓库上传到 "
                          "~/work/nndl 后执行 `!pip install -e ~/work/nndl`（或把本 notebook 放在仓库的 notebooks/ 下）")

import nndl.app.script  # 先于 paddle 导入：屏蔽 paddle 导入时无关的提示
import paddle
print(f"paddle {paddle.__version__}, nndl {nndl.__version__}, device {paddle.get_device()}, "
      f"NNDL_QUICK={os.environ['NNDL_QUICK']}")'''


def default_notebooks_dir(chapters_dir):
    """``notebooks/`` beside the chapters folder of a clone (the one holding setup.py)."""
    root = Path(chapters_dir).resolve().parent
    if not (root / "setup.py").exists():
        raise SystemExit(f"nndl: {chapters_dir} is not the chapters/ folder of a clone; give --out DIR")
    return root / "notebooks"


def notebook_scripts(chapters_dir):
    """The scripts that get a notebook: every ``chapters/*.py`` but ``__init__.py`` and ``_*.py``."""
    return sorted(p for p in Path(chapters_dir).glob("*.py") if not p.name.startswith("_"))


def script_to_notebook(path):
    """The notebook (an nbformat NotebookNode) generated from the percent-format script ``path``."""
    import jupytext
    import nbformat

    path = Path(path)
    source = jupytext.reads(path.read_text(encoding="utf-8"), fmt="py:percent")
    cells = [nbformat.v4.new_code_cell(SETUP_CELL, id="nndl-setup", metadata={"tags": ["nndl-setup"]})]
    for i, cell in enumerate(source.cells, 1):
        # keep user metadata (tags); drop jupytext's round-trip bookkeeping
        meta = {k: v for k, v in cell.metadata.items() if k == "tags"}
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(cell.source, id=f"cell-{i}", metadata=meta)
        elif cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(cell.source, id=f"cell-{i}", metadata=meta)
        else:
            new = nbformat.v4.new_raw_cell(cell.source, id=f"cell-{i}", metadata=meta)
        cells.append(new)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.nbformat_minor = 5   # cell ids
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "nndl": {"generated_from": f"chapters/{path.name}", "generator": GENERATOR},
    }
    return nb


def notebook_text(path):
    """The exact text of the notebook generated from ``path`` (nbformat's sorted JSON, sources as lines)."""
    import nbformat
    text = nbformat.writes(script_to_notebook(path), version=4)
    return text if text.endswith("\n") else text + "\n"


def write_notebooks(chapters_dir, out_dir):
    """(Re)generate ``out_dir/<name>.ipynb`` for every script; remove generated notebooks whose
    script is gone. Returns (written paths, removed paths)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    scripts = notebook_scripts(chapters_dir)
    written = []
    for script in scripts:
        target = out_dir / f"{script.stem}.ipynb"
        text = notebook_text(script)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        written.append(target)
    removed = []
    for nb_path in stale_notebooks(scripts, out_dir):
        nb_path.unlink()
        removed.append(nb_path)
    return written, removed


def stale_notebooks(scripts, out_dir):
    """Generated notebooks in ``out_dir`` whose script no longer exists."""
    names = {s.stem for s in scripts}
    stale = []
    for nb_path in sorted(Path(out_dir).glob("*.ipynb")):
        if nb_path.stem in names:
            continue
        try:
            meta = json.loads(nb_path.read_text(encoding="utf-8")).get("metadata", {})
        except (OSError, ValueError):
            continue
        if meta.get("nndl", {}).get("generator") == GENERATOR:
            stale.append(nb_path)
    return stale


def check_notebooks(chapters_dir, out_dir):
    """Problems (strings) where ``out_dir`` disagrees with the scripts; empty when in sync."""
    scripts = notebook_scripts(chapters_dir)
    problems = []
    for script in scripts:
        target = Path(out_dir) / f"{script.stem}.ipynb"
        if not target.exists():
            problems.append(f"missing: {target} (from {script})")
        elif target.read_text(encoding="utf-8") != notebook_text(script):
            problems.append(f"out of date: {target} differs from what {script} generates")
    problems += [f"stale: {p} (its script is gone)" for p in stale_notebooks(scripts, out_dir)]
    return problems
