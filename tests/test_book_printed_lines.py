"""The table of the book's printed lines (tests/book_lines.py) is the book's text, and each
difference it applies is an errata row, either shared by every supported paddle or an
nndl.compat entry.  The comparison itself runs in the chapters' tests, where each script runs
once: tests/test_ch1_ops.py, tests/test_ch2_regression.py, tests/test_ch3_classification.py
(``test_book_printed_lines_*``)."""
import re
from pathlib import Path

import pytest

import book_lines
from nndl import compat

ROOT = Path(__file__).resolve().parents[1]
# the book's text, beside the clone in CI (../shared) or the worktree (../../shared); readers lack it
BOOK = next((p for p in (ROOT.parent / "shared" / "book" / "001_cea504e706142e10.txt",
                         ROOT.parent.parent / "shared" / "book" / "001_cea504e706142e10.txt") if p.is_file()),
            ROOT.parent / "shared" / "book" / "001_cea504e706142e10.txt")


def test_every_difference_is_an_errata_row_and_every_version_difference_a_compat_entry():
    errata = (ROOT / "docs" / "errata.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| (C\d+-\d+) \|", errata, flags=re.M))
    for name, rule in book_lines.RULES.items():
        assert rule.errata in rows, f"rule {name} cites {rule.errata}, not a row of docs/errata.md"
        assert rule.applies == "both" or rule.applies in compat.ENTRIES, name
    used = {r for e in book_lines.EXCERPTS for r in e.rules}
    assert used == set(book_lines.RULES), "every rule is used, every used rule is defined"
    # the errata rows of the version differences say which paddle prints what
    for name in ("size", "format_0d"):
        row = re.search(rf"^\| {book_lines.RULES[name].errata} \|.*$", errata, flags=re.M).group(0)
        assert "2.6" in row and "3" in row and "nndl.compat" in row, row


def test_the_scripts_with_excerpts_are_the_ones_the_chapter_tests_check():
    sources = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_ch[123]_*.py")}
    for script in {e.script for e in book_lines.EXCERPTS}:
        assert any(f'"{script}"' in src and "book_lines.check(script" in src for src in sources.values()), script


@pytest.mark.skipif(not BOOK.is_file(), reason="the book's text is not beside this clone")
def test_the_excerpts_are_the_books_text():
    lines = BOOK.read_text(encoding="utf-8").splitlines()
    for e in book_lines.EXCERPTS:
        a, _, b = e.lines[1:].partition("-")
        a, b = int(a), int(b or a)
        book = "\n".join(l for l in lines[a - 1:b] if l.strip() != "```")
        assert book_lines.normalize(book) == book_lines.normalize(e.text), e.lines


def test_on_this_paddle():
    """What the comparison means on the installed paddle: on 2.6 no version rule applies (the
    lines are the book's but for the rows every paddle >= 2.5 shares); on 3.x the compat ones."""
    applied = {n for e in book_lines.EXCERPTS for n in book_lines.expected(e)[1]}
    version_rules = {n for n, r in book_lines.RULES.items() if r.applies != "both"}
    active = {n for n in version_rules if getattr(compat, book_lines.RULES[n].applies)}
    assert applied & version_rules == active
    if not active:       # paddle 2.6: shapes print as the book's, 0-D tensors format as their repr
        assert compat.printed_shape([640, 2]) == "[640, 2]" and not compat.ZERO_D_FORMATS_AS_NUMBER
    untouched = [e.lines for e in book_lines.EXCERPTS if not book_lines.expected(e)[1]]
    assert len(untouched) >= 15, untouched   # half the excerpts (19 of 36) are the book's text exactly on every paddle
