"""The run report (nndl.app.report): book order, claims, data notes, quick-mode note, animations."""
import base64
import html
import json

import pytest

from nndl.app import report as R

ENV = {"python": "3.11", "paddle": "3.3.1", "device": "cpu", "cpu": "test", "cpu_count": 2}
GIF = base64.b64decode("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==")   # 1x1 GIF
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def _status(name, label, title="t", kind="section", status="ok", seconds=1.0):
    return {"name": name, "label": label, "title": title, "kind": kind, "status": status,
            "returncode": 0 if status == "ok" else 1, "seconds": seconds}


# finishing order, deliberately scrambled; the report must list them in the book's order
NAMES = [
    ("ch7_ex1_iteration_loss", "ex7.1", "exercise"),
    ("ch7_6_appendix_l2decay", "7.6", "section"),
    ("ch7_6_5_dropout", "7.6.5", "section"),
    ("ch8_1_attention", "8.1", "section"),
    ("ch7_10_1_later", "7.10.1", "section"),
    ("ch7_6_seeds_table", "7.6", "section"),
    ("ch7_6_2_overfit", "7.6.2", "section"),
    ("ch7_3_1_setup", "7.3.1", "section"),
    ("ch1_2_tensors", "1.2", "section"),
    ("ch7_2_batch_size", "7.2", "section"),
    ("ch7_ex10_more", "ex7.10", "exercise"),
    ("ch7_ex2_bs_vs_lr", "ex7.2", "exercise"),
]
BOOK_ORDER = ["ch1_2_tensors", "ch7_2_batch_size", "ch7_3_1_setup", "ch7_6_2_overfit", "ch7_6_5_dropout",
              "ch7_6_seeds_table", "ch7_6_appendix_l2decay", "ch7_10_1_later", "ch7_ex1_iteration_loss",
              "ch7_ex2_bs_vs_lr", "ch7_ex10_more", "ch8_1_attention"]


def test_book_order():
    statuses = [_status(n, l, kind=k) for n, l, k in NAMES]
    assert [s["name"] for s in R.book_order(statuses)] == BOOK_ORDER


def test_parent_without_subsections_keeps_its_place():
    statuses = [_status("ch7_6_appendix_x", "7.6"), _status("ch7_5_1_bn", "7.5.1"), _status("ch7_7_y", "7.7")]
    assert [s["name"] for s in R.book_order(statuses)] == ["ch7_5_1_bn", "ch7_6_appendix_x", "ch7_7_y"]


@pytest.fixture
def run_dir(tmp_path):
    statuses = []
    for n, l, k in NAMES:
        folder = tmp_path / n
        folder.mkdir()
        results = {"section": n, "quick": True, "final_loss": 0.5, "figures": []}
        if n == "ch7_3_1_setup":
            results.update({f"k{i:02d}": i for i in range(20)})
            results["nested"] = {"a": {"b": 1.0}}
            results["book_R1"] = [0.1, 0.2]
            results["claims"] = [
                {"book": "损失不断减小", "measured": "loss 0.9 -> 0.1", "supported": True, "verdict": "supported"},
                {"book": "BN 准确率更高", "measured": "0.62 vs 0.63", "supported": False,
                 "verdict": "NOT supported", "note": "quick mode: 2 epochs"},
            ]
            results["data_notes"] = ["MNIST not found: ran on a generated miniature (synthetic digits)"]
            results["figures"] = ["opti-loss.pdf", "opti-loss.png", "opti-3d-anim.gif", "opti-3d-anim.html"]
            (folder / "opti-loss.png").write_bytes(PNG)
            (folder / "opti-3d-anim.gif").write_bytes(GIF)
        if n == "ch7_6_2_overfit":
            results["claims"] = [{"book": "过拟合", "measured": "gap 0.2", "supported": None, "verdict": "not shown",
                                  "note": "too small"}]
        status = "failed" if n == "ch7_ex2_bs_vs_lr" else "ok"
        if status == "ok":
            (folder / "results.json").write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")
        (folder / "stdout.txt").write_text(f"printed by {n}\n", encoding="utf-8")
        (folder / "stderr.txt").write_text("Traceback: boom\n" if status != "ok" else "", encoding="utf-8")
        statuses.append(_status(n, l, kind=k, status=status))
    paths = R.write_report(tmp_path, statuses, chapter=None, quick=True, command="python -m nndl run", env=ENV)
    return tmp_path, paths, statuses


def test_report_lists_sections_in_book_order_with_every_chapter(run_dir):
    out, paths, _ = run_dir
    report = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert [s["name"] for s in report["sections"]] == BOOK_ORDER
    run = json.loads(paths["run"].read_text(encoding="utf-8"))
    assert [s["name"] for s in run["sections"]] == BOOK_ORDER
    md = paths["markdown"].read_text(encoding="utf-8")
    page = paths["html"].read_text(encoding="utf-8")
    positions = [md.index(f"[{n}](#") for n in BOOK_ORDER]
    assert positions == sorted(positions)
    for ch, title in R.CHAPTER_TITLES.items():          # the run spans chapters 1, 7, 8: all eight listed
        assert f"第{ch}章 {title}" in md and f"第{ch}章 {title}" in page
    assert md.count("not in this run") == 5          # chapters 2-6


def test_quick_mode_note_and_keys_note(run_dir):
    _, paths, _ = run_dir
    for path in (paths["markdown"], paths["html"]):
        text = html.unescape(path.read_text(encoding="utf-8"))
        assert "not the book's results" in text
        assert "book_R0" in text and "book_R1" in text and "printed book" in text
    assert "not the book's results" in json.loads(paths["json"].read_text(encoding="utf-8"))["note"]


def test_full_mode_has_no_quick_note(tmp_path):
    (tmp_path / "ch7_2_x").mkdir()
    (tmp_path / "ch7_2_x" / "results.json").write_text('{"a": 1}', encoding="utf-8")
    paths = R.write_report(tmp_path, [_status("ch7_2_x", "7.2")], chapter="ch7", quick=False, env=ENV)
    md = paths["markdown"].read_text(encoding="utf-8")
    assert "not the book's results" not in md and "Full mode" in md
    assert "第1章" not in md            # one chapter: no empty chapters listed


def test_claims_per_section_and_run_level_table(run_dir):
    _, paths, _ = run_dir
    report = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert report["claim_counts"] == {"supported": 1, "NOT supported": 1, "not shown": 1}
    assert [(c["label"], c["verdict"]) for c in report["claims"]] == [
        ("7.3.1", "supported"), ("7.3.1", "NOT supported"), ("7.6.2", "not shown")]
    md = paths["markdown"].read_text(encoding="utf-8")
    page = paths["html"].read_text(encoding="utf-8")
    run_table = md.index("## The book's claims and this run")
    section = md.index("## 7.3.1 t")
    assert run_table < section
    assert "1 supported, 1 not supported, 1 not shown" in md
    assert md.count("| 损失不断减小 | loss 0.9 -> 0.1 |") == 2         # run table and section table
    assert "✘ NOT supported" in md and "quick mode: 2 epochs" in md
    assert "NOT-supported" in page and "BN 准确率更高" in page and "too small" in page


def test_data_notes_shown_prominently(run_dir):
    _, paths, _ = run_dir
    md = paths["markdown"].read_text(encoding="utf-8")
    note = "> **Data:** MNIST not found: ran on a generated miniature (synthetic digits)"
    assert note in md
    sec = md.index("## 7.3.1 t")
    assert sec < md.index(note) < md.index("| key | value |", sec)   # before the key numbers
    assert 'class="data"><b>Data:</b> MNIST not found' in paths["html"].read_text(encoding="utf-8")


def test_key_numbers_are_few_and_the_rest_folded(run_dir):
    _, paths, _ = run_dir
    md = paths["markdown"].read_text(encoding="utf-8")
    sec = md[md.index("## 7.3.1 t"):md.index("## 7.6.2")]
    shown = sec[:sec.index("<details>")]
    rows = [l for l in shown.splitlines() if l.startswith("| ") and not l.startswith(("| key |", "| the book"))]
    rows = [l for l in rows if not l.startswith("| 损失") and not l.startswith("| BN")]
    assert len(rows) == R.MAX_KEYS
    assert "| nested.a.b | 1 |" in sec[sec.index("<details>"):]          # nested keys folded
    assert "| claims" not in sec and "| data_notes" not in sec


def test_animation_embedded_in_html_and_linked_in_markdown(run_dir):
    _, paths, _ = run_dir
    page = paths["html"].read_text(encoding="utf-8")
    assert "data:image/gif;base64," + base64.b64encode(GIF).decode("ascii") in page
    assert "data:image/png;base64," in page
    assert "](ch7_3_1_setup/opti-3d-anim.gif)" in paths["markdown"].read_text(encoding="utf-8")


def test_failure_and_determinism(run_dir, tmp_path):
    out, paths, statuses = run_dir
    md = paths["markdown"].read_text(encoding="utf-8")
    assert "Traceback: boom" in md
    first = paths["json"].read_bytes()
    R.write_report(out, list(reversed(statuses)), quick=True, env=ENV)
    assert paths["json"].read_bytes() == first        # order of statuses does not matter
