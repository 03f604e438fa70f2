"""Every chapter-7 script states the book's claims (S.claim) and is titled by its section number.

Static checks (no script is run here); the claims' verdicts are tested where the scripts run
(tests/test_ch7_*_scripts.py)."""
import ast
import re
from pathlib import Path

import pytest

CHAPTERS = Path(__file__).resolve().parents[1] / "chapters"
SCRIPTS = sorted(p for p in CHAPTERS.glob("ch7_*.py"))


def _calls(tree, attr):
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and n.func.attr == attr and isinstance(n.func.value, ast.Name) and n.func.value.id == "S"]


def test_there_are_chapter_7_scripts():
    assert len(SCRIPTS) >= 26


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.stem)
def test_script_states_claims_before_saving(path):
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    claims = _calls(tree, "claim")
    saves = _calls(tree, "save")
    assert claims, f"{path.name}: no S.claim(...)"
    assert saves and max(c.lineno for c in claims) < max(s.lineno for s in saves), \
        f"{path.name}: S.save() must come after the claims"
    for c in claims:
        kws = {k.arg for k in c.keywords}
        assert {"book", "measured", "supported"} <= kws, f"{path.name}:{c.lineno}: claim without {kws ^ {'book', 'measured', 'supported'}}"


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.stem)
def test_first_heading_names_the_section(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    heading = next(l for l in lines if re.match(r"^#\s*#\s+\S", l))
    m = re.match(r"^ch7_ex(\d+)_", path.stem)
    if m:
        assert re.match(rf"^# # 动手练习 7\.{m.group(1)}\b", heading), heading
        return
    numbers = ".".join(re.findall(r"(?<=_)\d+(?=_)", "_" + path.stem.split("_", 1)[1]))
    assert heading.startswith(f"# # 7.{numbers} ") or heading.startswith(f"# # 7.{numbers}\u3000"), \
        f"{path.name}: first heading {heading!r} does not start with 7.{numbers}"
