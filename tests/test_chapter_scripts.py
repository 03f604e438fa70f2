"""Every chapter script follows the convention and runs in quick mode somewhere in the suite.

A chapter's own tests (tests/test_ch<N>_*.py) run its scripts through the ``chapter_run``
fixture and check the book's numbers and claims; a script no test names is run here, once, so no
section of the book goes untested.
"""
import re
from pathlib import Path

import pytest

from conftest import CHAPTERS, ROOT
from nndl.app.cli import Script, discover

SCRIPTS = [s for ch in discover(CHAPTERS).values() for s in ch]
THIS = Path(__file__).name


def _named_by_a_test(name):
    for test in (ROOT / "tests").glob("test_*.py"):
        if test.name != THIS and re.search(rf"\b{re.escape(name)}\b", test.read_text(encoding="utf-8")):
            return True
    return False


UNTESTED = [s for s in SCRIPTS if not _named_by_a_test(s.name)]


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_script_follows_the_convention(script):
    text = script.path.read_text(encoding="utf-8")
    assert script.title, f"{script.name}: no '# # <section> <title>' markdown heading"
    assert f'setup("{script.name}")' in text, f"{script.name}: setup() must be called with the script's own name"
    assert text.index("from nndl.app.script import setup") < text.index("import paddle") \
        if "import paddle" in text else True, f"{script.name}: setup() comes before import paddle"
    assert "S.save()" in text, f"{script.name}: results.json is never written"
    assert "S.claim(" in text, f"{script.name}: every section states the book's claim (S.claim)"
    assert ".show()" not in text, f"{script.name}: figures are saved with S.savefig, never shown"


@pytest.mark.parametrize("script", UNTESTED, ids=[s.name for s in UNTESTED])
def test_script_no_other_test_runs_runs_in_quick_mode(script, chapter_run):
    stdout, results, out = chapter_run(script.name)
    assert results["quick"] is True and results["section"] == script.name
    assert results.get("claims"), f"{script.name} recorded no claim"
    for figure in results.get("figures", []):
        assert (out / figure).exists()
