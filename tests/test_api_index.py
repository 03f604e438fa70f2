"""docs/api_index.md is the whole book's API index: every library name is in it, every row resolves
(an `nndl.…` path, or a chapter script for an experiment), and every test it cites exists."""
import importlib
import re
from pathlib import Path

import pytest

import nndl

ROOT = Path(__file__).resolve().parents[1]
INDEX = ROOT / "docs" / "api_index.md"
DOTTED = re.compile(r"`(nndl(?:\.\w+)+)(?:`|\()")   # `nndl.x.y` or `nndl.x.y(signature)`
SCRIPT = re.compile(r"`((?:chapters|bench)/\w+\.py|ch\d+_\w+)(?:\.py)?`")
TEST_REF = re.compile(r"(tests/test_\w+\.py)(?:::(\w+))?")


def rows():
    out = []
    for line in INDEX.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or cells[1] == "name":
            continue
        out.append(cells)
    return out


def resolve(path):
    """The object a dotted path names: the longest importable module prefix, then attributes."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(path)


def test_every_row_resolves():
    problems = []
    for cells in rows():
        paths = DOTTED.findall(cells[2])
        scripts = SCRIPT.findall(cells[2])
        if not paths and not scripts:
            problems.append(f"neither an `nndl.…` path nor a chapter script in the 'where' column: {cells}")
        for name in scripts:
            path = ROOT / name if "/" in name else ROOT / "chapters" / f"{name}.py"
            if not path.exists():
                problems.append(f"{path.relative_to(ROOT)} does not exist")
        for path in paths:
            try:
                resolve(path)
            except (ImportError, AttributeError) as exc:
                problems.append(f"{path}: {type(exc).__name__}: {exc}")
    assert problems == []


def test_every_exported_name_is_indexed():
    indexed = {p.rsplit(".", 1)[1] for cells in rows() for p in DOTTED.findall(cells[2])}
    missing = sorted(set(nndl.__all__) - indexed)
    assert missing == [], f"exported but not in docs/api_index.md: {missing}"


def test_every_chapter_local_name_is_indexed():
    """Names the book gives to two things (``nndl.regression.Linear``) are indexed by their full path."""
    indexed = {p for cells in rows() for p in DOTTED.findall(cells[2])}
    missing = []
    for modname in nndl._MODULES:
        module = importlib.import_module(f"nndl.{modname}")
        for name in getattr(module, "__local__", ()):
            if f"nndl.{modname}.{name}" not in indexed:
                missing.append(f"nndl.{modname}.{name}")
    assert missing == []


def test_cited_tests_exist():
    problems = []
    for cells in rows():
        for file, test in TEST_REF.findall(cells[3]):
            path = ROOT / file
            if not path.exists():
                problems.append(f"{file} does not exist")
            elif test and not re.search(rf"def {test}\b", path.read_text(encoding="utf-8")):
                problems.append(f"{file} has no {test}")
    assert problems == []


@pytest.mark.parametrize("name", ["Linear", "plot", "load_data", "collate_fn", "load_vocab"])
def test_book_names_with_two_meanings_are_not_ambiguous_at_top_level(name):
    """Each such name is one thing at the top level, or only reachable through its chapter's module."""
    owners = [m for m in nndl._MODULES if name in getattr(importlib.import_module(f"nndl.{m}"), "__all__", ())
              and name not in getattr(importlib.import_module(f"nndl.{m}"), "__local__", ())]
    assert len(owners) <= 1, owners
