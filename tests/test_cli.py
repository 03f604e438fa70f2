"""``python -m nndl``: discovery and order, bad input, the report, failing sections, determinism.

Stand-in chapter folders are written into tmp dirs (``--chapters-dir``); one test runs
a real fast subset of chapter 7 when its scripts exist.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nndl.app import cli
from nndl.app.report import split_volatile

ROOT = Path(__file__).resolve().parents[1]

# a section that trains a little paddle model from a fixed seed, prints, plots and records
OK_PADDLE = '''# %% [markdown]
# # 一个替身小节
# %%
from nndl.app.script import setup
S = setup("{name}")
import numpy as np
import paddle
import matplotlib.pyplot as plt
paddle.seed(7)
np.random.seed(7)
X = paddle.randn([64, 3])
w = paddle.create_parameter([3, 1], "float32")
opt = paddle.optimizer.SGD(learning_rate=0.1, parameters=[w])
losses = []
for step in range({steps}):
    loss = ((X @ w - 1.0) ** 2).mean()
    loss.backward(); opt.step(); opt.clear_grad()
    losses.append(float(loss))
print(f"[Train] final loss: {{losses[-1]:.5f}}")
fig = plt.figure(); plt.plot(losses)
S.savefig(fig, "opti-standin.pdf")
S.record(final_loss=losses[-1], losses=losses, w=w, train_time_s=np.random.rand(), noise=np.random.rand(3))
S.save()
'''

OK_NUMPY = '''# %%
from nndl.app.script import setup
S = setup("{name}")
import numpy as np
rng = np.random.default_rng(0)
print("mean", rng.random(4).mean())
S.record(mean=rng.random(4).mean())
S.save()
'''

FAILING = '''# %% [markdown]
# # 习题 一个会失败的替身
# %%
from nndl.app.script import setup
S = setup("{name}")
print("started")
raise RuntimeError("stand-in broke on purpose")
'''


def write_chapter(folder, scripts):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "__init__.py").write_text("", encoding="utf-8")
    for name, template in scripts.items():
        (folder / f"{name}.py").write_text(template.format(name=name, steps=20), encoding="utf-8")
    return folder


def run_cli(*args, cwd=None, timeout=600):
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "nndl", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=str(cwd or ROOT), timeout=timeout)


# ---------------------------------------------------------------- discovery, order, selection

ORDER = ["ch7_2_b", "ch7_3_1_c", "ch7_3_2_a", "ch7_3_4_3d_compare", "ch7_3_10_z", "ch7_10_y",
         "ch7_ex1_q", "ch7_ex2_p", "ch7_ex10_o"]


@pytest.fixture
def order_dir(tmp_path):
    names = list(reversed(ORDER)) + ["ch8_1_other", "helpers", "ch7_notes", "ch7_3_4"]
    return write_chapter(tmp_path / "chapters", {n: OK_NUMPY for n in names})


def test_discover_orders_sections_by_number_then_exercises(order_dir):
    chapters = cli.discover(order_dir)
    assert sorted(chapters) == ["ch7", "ch8"]
    assert [s.name for s in chapters["ch7"]] == ORDER
    assert [s.label for s in chapters["ch7"]] == ["7.2", "7.3.1", "7.3.2", "7.3.4", "7.3.10", "7.10",
                                                  "ex7.1", "ex7.2", "ex7.10"]


def test_select_by_label_prefix_exercise_and_name(order_dir):
    chapters = cli.discover(order_dir)
    pick = lambda *t: [s.name for s in cli.select(chapters, "ch7", list(t))]
    assert pick("7.3") == ["ch7_3_1_c", "ch7_3_2_a", "ch7_3_4_3d_compare", "ch7_3_10_z"]
    with pytest.raises(cli.UsageError):
        pick("7.1")                                                   # a prefix of nothing here
    assert pick("7.10", "ex2") == ["ch7_10_y", "ch7_ex2_p"]          # 7.10 is not 7.1
    assert pick("ex7.10", "ch7_2_b") == ["ch7_2_b", "ch7_ex10_o"]     # run order, not argument order
    assert pick() == ORDER
    assert [s.name for s in cli.select(chapters, "7")] == ORDER


def test_unknown_chapter_and_section_list_the_valid_ones(order_dir, capsys):
    chapters = cli.discover(order_dir)
    with pytest.raises(cli.UsageError, match=r"unknown chapter 'ch9'; valid chapters: all, ch7, ch8"):
        cli.select(chapters, "ch9")
    with pytest.raises(cli.UsageError) as err:
        cli.select(chapters, "ch7", ["7.3.1", "7.9", "ex5"])
    msg = str(err.value)
    assert "7.9" in msg and "ex5" in msg and "7.3.1," not in msg
    assert all(name in msg for name in ORDER)
    # through the command line: exit status 2, message on stderr, nothing run
    rc = cli.main(["run", "ch7", "--sections", "7.3.1,7.99", "--chapters-dir", str(order_dir),
                   "--out", str(order_dir.parent / "out")])
    err = capsys.readouterr().err
    assert rc == 2 and "unknown section(s) 7.99" in err and "ch7_ex10_o" in err
    assert not (order_dir.parent / "out").exists()
    assert cli.main(["run", "ch12", "--chapters-dir", str(order_dir)]) == 2
    assert "valid chapters: all, ch7, ch8" in capsys.readouterr().err


def test_unwritable_output_folder_fails_before_any_work(tmp_path, capsys):
    chapters = write_chapter(tmp_path / "chapters", {"ch7_2_x": OK_NUMPY})
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    rc = cli.main(["run", "ch7", "--chapters-dir", str(chapters), "--out", str(blocker / "ch7")])
    captured = capsys.readouterr()
    assert rc == 2
    assert f"cannot write to the output folder {blocker / 'ch7'}" in captured.err
    assert "running" not in captured.out      # no section started


def test_list_command(order_dir, capsys):
    assert cli.main(["list", "ch7", "--chapters-dir", str(order_dir)]) == 0
    out = capsys.readouterr().out
    assert out.index("ch7_3_2_a") < out.index("ch7_10_y") < out.index("ch7_ex1_q")
    assert "ch8_1_other" not in out


def test_list_shows_the_whole_book_in_order(order_dir, capsys):
    assert cli.main(["list", "--chapters-dir", str(order_dir)]) == 0
    out = capsys.readouterr().out
    heads = [line.split(":")[0] for line in out.splitlines() if line.startswith("ch")]
    assert heads == ["ch1 实践基础", "ch2 机器学习概述", "ch3 线性分类", "ch4 前馈神经网络", "ch5 卷积神经网络",
                     "ch6 循环神经网络", "ch7 网络优化与正则化", "ch8 注意力机制"]
    assert "ch3 线性分类: no scripts yet" in out
    assert out.index("ch7_ex10_o") < out.index("ch8_1_other")       # exercises close their chapter


def test_all_selects_the_whole_book_in_order(order_dir):
    chapters = cli.discover(order_dir)
    assert [s.name for s in cli.select(chapters, "all")] == ORDER + ["ch8_1_other"]
    assert [s.name for s in cli.select(chapters, "all", ["8.1", "7.10"])] == ["ch7_10_y", "ch8_1_other"]
    with pytest.raises(cli.UsageError, match="unknown section"):
        cli.select(chapters, "all", ["5.9"])


def test_a_book_chapter_without_scripts_says_so(order_dir, capsys):
    with pytest.raises(cli.UsageError, match=r"ch3 \(线性分类\) has no scripts yet; chapters with scripts: ch7, ch8"):
        cli.select(cli.discover(order_dir), "ch3")
    out = order_dir.parent / "out3"
    assert cli.main(["run", "ch3", "--chapters-dir", str(order_dir), "--out", str(out)]) == 2
    assert "has no scripts yet" in capsys.readouterr().err and not out.exists()


def test_run_all_runs_every_chapter_into_one_report(tmp_path):
    chapters = write_chapter(tmp_path / "chapters", {"ch8_2_x": OK_NUMPY, "ch2_1_y": OK_NUMPY, "ch7_ex1_z": OK_NUMPY})
    out = tmp_path / "book"
    proc = run_cli("run", "all", "--chapters-dir", chapters, "--out", out, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 script(s) of the whole book" in proc.stdout
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [s["name"] for s in report["sections"]] == ["ch2_1_y", "ch7_ex1_z", "ch8_2_x"]
    assert (out / "index.md").read_text(encoding="utf-8").startswith("# The whole book results (quick mode)")
    assert all((out / n / "results.json").exists() for n in ("ch2_1_y", "ch7_ex1_z", "ch8_2_x"))


def test_timed_out_section_says_so_in_its_stderr(tmp_path):
    slow = "# %%\nfrom nndl.app.script import setup\nS = setup('{name}')\nprint('working')\nimport time\ntime.sleep(60)\n"
    chapters = write_chapter(tmp_path / "chapters", {"ch7_2_slow": slow})
    out = tmp_path / "out"
    proc = run_cli("run", "ch7", "--chapters-dir", chapters, "--out", out, "--timeout", "8", cwd=tmp_path)
    assert proc.returncode == 1 and "timeout" in proc.stdout
    assert "stopped after 8 s (--timeout 8)" in (out / "ch7_2_slow" / "stderr.txt").read_text(encoding="utf-8")
    assert "working" in (out / "ch7_2_slow" / "stdout.txt").read_text(encoding="utf-8")


def test_notebooks_without_jupytext_name_the_extra(tmp_path, monkeypatch, capsys):
    import builtins
    real_import = builtins.__import__

    def no_jupytext(name, *args, **kwargs):
        if name == "jupytext":
            raise ImportError("No module named 'jupytext'", name="jupytext")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_jupytext)
    assert cli.main(["notebooks", "--check", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "jupytext is not installed" in err and 'pip install "nndl[notebooks]"' in err
    assert "Traceback" not in err


def test_volatile_keys_are_wall_times_only():
    keep, volatile = split_volatile({"train_time_s": 1.0, "time": 2, "elapsed": 3, "epoch_seconds": 4,
                                     "final_loss": 0.5, "timesteps": 10, "lr_schedule": [1],
                                     "runs": {"bs16": {"seconds": 3.0, "loss": 0.1}}})
    assert volatile == {"train_time_s": 1.0, "time": 2, "elapsed": 3, "epoch_seconds": 4, "runs.bs16.seconds": 3.0}
    assert keep == {"final_loss": 0.5, "timesteps": 10, "lr_schedule": [1], "runs": {"bs16": {"loss": 0.1}}}


# ---------------------------------------------------------------- a stand-in chapter, run twice

STANDIN = {"ch7_3_1_standin": OK_PADDLE, "ch7_2_standin": OK_NUMPY, "ch7_ex1_broken": FAILING}


@pytest.fixture(scope="module")
def standin_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("standin")
    chapters = write_chapter(base / "chapters", STANDIN)
    runs = []
    for k in range(2):
        out = base / f"run{k}"
        proc = run_cli("run", "ch7", "--chapters-dir", chapters, "--out", out, cwd=base)
        runs.append((proc, out))
    return runs


def test_failing_section_is_named_exit_nonzero_and_others_reported(standin_runs):
    proc, out = standin_runs[0]
    assert proc.returncode == 1, proc.stderr
    assert "failed: ex7.1 ch7_ex1_broken" in proc.stdout
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [s["name"] for s in report["sections"]] == ["ch7_2_standin", "ch7_3_1_standin", "ch7_ex1_broken"]
    status = {s["name"]: s["status"] for s in report["sections"]}
    assert status == {"ch7_2_standin": "ok", "ch7_3_1_standin": "ok", "ch7_ex1_broken": "failed"}
    ok = report["sections"][1]["results"]
    assert ok["quick"] is True and len(ok["losses"]) == 20 and ok["final_loss"] < ok["losses"][0]
    assert "stand-in broke on purpose" in (out / "ch7_ex1_broken" / "stderr.txt").read_text(encoding="utf-8")


def test_report_has_every_section_output_numbers_and_figures(standin_runs):
    _, out = standin_runs[0]
    md = (out / "index.md").read_text(encoding="utf-8")
    page = (out / "index.html").read_text(encoding="utf-8")
    for name in STANDIN:
        assert name in md and name in page
    assert "[Train] final loss:" in md and "[Train] final loss:" in page       # printed output
    assert "| final_loss |" in md and "final_loss" in page                       # key numbers
    assert "](ch7_3_1_standin/opti-standin.png)" in md                           # figure linked
    assert (out / "ch7_3_1_standin" / "opti-standin.pdf").exists()
    assert "data:image/png;base64," in page                                     # self-contained
    assert "stand-in broke on purpose" in md and "RuntimeError" in page          # the failure shown
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["failed"] == ["ch7_ex1_broken"] and run["ok"] == 2
    assert run["environment"]["paddle"] and run["environment"]["device"]
    timed = {s["name"]: s for s in run["sections"]}
    assert timed["ch7_3_1_standin"]["seconds"] > 0
    assert "train_time_s" in timed["ch7_3_1_standin"]["volatile"]                # wall times live here
    assert "train_time_s" not in json.dumps(json.loads((out / "report.json").read_text(encoding="utf-8")))


def test_same_seed_same_report(standin_runs):
    (_, out0), (_, out1) = standin_runs
    assert (out0 / "report.json").read_bytes() == (out1 / "report.json").read_bytes()


def test_relative_out_and_stale_results_cannot_pass_for_a_failed_rerun(tmp_path):
    chapters = write_chapter(tmp_path / "chapters", {"ch7_2_x": OK_NUMPY})
    out = tmp_path / "results" / "ch7"           # given relative to the working folder, as in the README
    proc = run_cli("run", "ch7", "--chapters-dir", chapters, "--out", "results/ch7", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "ch7_2_x" / "results.json").exists() and (out / "report.json").exists()
    (chapters / "ch7_2_x.py").write_text(FAILING.format(name="ch7_2_x"), encoding="utf-8")
    proc = run_cli("run", "ch7", "--chapters-dir", chapters, "--out", "results/ch7", cwd=tmp_path)
    assert proc.returncode == 1
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["sections"][0]["status"] == "failed" and report["sections"][0]["results"] is None


# ---------------------------------------------------------------- the real chapter 7

# fast real sections (5-6 s each in quick mode on a 2-core CPU); the chapter's scripts are
# written in parallel, so whichever of these exist are used
FAST_REAL = ("7.5.2.2", "7.5.1.3", "7.3.1", "7.4.2.2")


def test_real_chapter_subset_runs_twice_with_identical_report(tmp_path):
    chapters = cli.discover(cli.default_chapters_dir()) if cli.default_chapters_dir().is_dir() else {}
    scripts = chapters.get("ch7", [])
    picks = [s for s in scripts if s.label in FAST_REAL][:2]
    if not picks:
        pytest.skip("none of the fast chapter 7 sections exists yet")
    names = [s.name for s in picks]
    reports = []
    for k in range(2):
        out = tmp_path / f"ch7_{k}"
        proc = run_cli("run", "ch7", "--sections", ",".join(s.label for s in picks), "--out", out,
                       cwd=tmp_path, timeout=900)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        assert [s["name"] for s in report["sections"]] == names
        assert all(s["status"] == "ok" and s["results"]["quick"] is True for s in report["sections"])
        page = (out / "index.html").read_text(encoding="utf-8")
        assert all(n in page for n in names)
        reports.append((out / "report.json").read_bytes())
    assert reports[0] == reports[1], "same seed, same CPU: the report's numbers must not change"


def test_summary_and_appendix_run_after_the_subsections_and_progress_follows_book_order(tmp_path):
    names = ["ch7_6_appendix_x", "ch7_6_seeds_table", "ch7_6_2_a", "ch7_6_5_b", "ch7_ex1_c"]
    chapters = write_chapter(tmp_path / "chapters", {n: OK_NUMPY for n in names})
    order = [s.name for s in cli.discover(chapters)["ch7"]]
    assert order == ["ch7_6_2_a", "ch7_6_5_b", "ch7_6_seeds_table", "ch7_6_appendix_x", "ch7_ex1_c"]
    proc = run_cli("run", "ch7", "--chapters-dir", chapters, "--out", tmp_path / "out", "-j", "2", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    progress = {line.split("] ")[1].split()[1]: line.split("]")[0].strip("[ ").split("/")[0]
                for line in proc.stdout.splitlines() if line.startswith("[")}
    assert progress == {name: str(i) for i, name in enumerate(order, 1)}


def test_source_tree_paths_point_at_the_repository(monkeypatch):
    """Run from a clone with a non-editable install, ``import nndl`` is the clone's package,
    where ``nndl.chapters`` does not exist: the chapters are ``<repo>/chapters``, and a section's
    process must import the same nndl (the folder that holds the package, not the package)."""
    import importlib.util
    monkeypatch.delenv("NNDL_CHAPTERS", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    assert cli.default_chapters_dir() == ROOT / "chapters"
    first = cli._child_env()["PYTHONPATH"].split(os.pathsep)[0]
    assert (Path(first) / "nndl" / "__init__.py").is_file()
