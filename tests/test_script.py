"""nndl.app.script: the chapter scripts' options, output folder, figures and results.json."""
import json
import sys

import numpy as np
import paddle
import pytest

from nndl.app.script import Section, setup


def test_quick_mode_from_flag_env_and_full_override(tmp_path, monkeypatch):
    monkeypatch.delenv("NNDL_QUICK", raising=False)
    assert not setup("s", argv=["--out", str(tmp_path)]).quick
    assert setup("s", argv=["--quick", "--out", str(tmp_path)]).quick
    monkeypatch.setenv("NNDL_QUICK", "1")
    assert setup("s", argv=["--out", str(tmp_path)]).quick
    assert not setup("s", argv=["--full", "--out", str(tmp_path)]).quick
    monkeypatch.setenv("NNDL_QUICK", "0")
    assert not setup("s", argv=["--out", str(tmp_path)]).quick


def test_default_out_dir_is_never_the_source_tree(tmp_path, monkeypatch):
    monkeypatch.setenv("NNDL_OUT", str(tmp_path / "o"))
    S = setup("ch7_x", argv=[])
    assert S.out == tmp_path / "o" / "ch7_x" and S.out.is_dir()
    monkeypatch.delenv("NNDL_OUT")
    monkeypatch.chdir(tmp_path)
    assert setup("ch7_y", argv=[]).out == tmp_path / "nndl_results" / "ch7_y"


def test_savefig_pdf_and_png_and_results_json(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    S = Section("s", quick=True, out=tmp_path)
    fig = plt.figure()
    plt.plot([0, 1], [1, 0])
    S.savefig(fig, "opti-vis-para2. pdf")       # R0's file name, with its space
    plt.close(fig)
    assert (tmp_path / "opti-vis-para2.pdf").stat().st_size > 0
    assert (tmp_path / "opti-vis-para2.png").stat().st_size > 0
    S.record(loss=paddle.to_tensor(0.25), acc=np.float32(0.5), hist=[np.array([1, 2])], bad=float("nan"))
    data = json.loads(S.save().read_text(encoding="utf-8"))
    assert data["loss"] == 0.25 and data["acc"] == 0.5 and data["hist"] == [[1, 2]]
    assert data["bad"] == "nan" and data["quick"] is True
    assert data["figures"] == ["opti-vis-para2.pdf", "opti-vis-para2.png"]
    assert not list(tmp_path.glob("*.tmp"))


def test_pick(tmp_path):
    assert Section("s", quick=True, out=tmp_path).pick(100, 3) == 3
    assert Section("s", quick=False, out=tmp_path).pick(100, 3) == 100


def test_out_that_is_a_file_is_a_clear_error(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(SystemExit, match="cannot create output folder"):
        Section("s", out=f)


def test_matplotlib_info_logs_stay_off_stderr(tmp_path):
    """paddle sets the root logger to INFO with a stderr handler; matplotlib's INFO records
    (font lookups, categorical units) must not reach a section's stderr.txt."""
    import subprocess
    import sys
    code = ("from nndl.app.script import setup\nS = setup('probe', argv=['--out', r'%s'])\nimport paddle, logging\n"
            "logging.getLogger('matplotlib.category').info('INFO-PROBE')\n"
            "logging.getLogger('matplotlib.font_manager').warning('WARNING-PROBE')\n" % tmp_path)
    proc = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "INFO-PROBE" not in proc.stderr
    assert "WARNING-PROBE" in proc.stderr          # warnings still reach the reader


def test_recorded_numbers_keep_small_values_and_nine_significant_digits(tmp_path):
    from nndl.app.script import Section
    S = Section("probe", out=tmp_path)
    S.record(tiny=7.15e-11, big=123456.789012345, nan=float("nan"), inf=float("inf"))
    assert S.results["tiny"] == 7.15e-11            # not rounded away to 0.0
    assert S.results["big"] == 123456.789
    assert S.results["nan"] == "nan" and S.results["inf"] == "inf"


def test_claim_takes_numpy_bools_and_rejects_other_verdicts(tmp_path):
    import json

    import numpy as np

    from nndl.app.script import Section
    S = Section("probe", out=tmp_path)
    S.claim("更深的网络更好", "0.9 > 0.8", np.float32(0.9) > np.float32(0.8))
    with pytest.raises(ValueError, match="supported must be True, False or None"):
        S.claim("x", "y", "yes")
    saved = json.loads(S.save().read_text(encoding="utf-8"))
    assert saved["claims"] == [{"book": "更深的网络更好", "measured": "0.9 > 0.8", "supported": True,
                                "verdict": "supported"}]


def test_data_uses_the_real_data_or_a_labelled_standin_in_quick_mode_only(tmp_path):
    from nndl.app.script import Section
    from nndl.datasets.base import DataNotFoundError

    def absent():
        raise DataNotFoundError("Toy", "toy.csv", [("nndl cache", "not found")], "put toy.csv in $NNDL_DATA")

    quick = Section("probe", quick=True, out=tmp_path / "q")
    assert quick.data(lambda: "real", lambda: "mini", "Toy") == ("real", False)
    assert quick.data(absent, lambda: "mini", "Toy") == ("mini", True)
    assert quick.results["data_notes"][0].startswith("synthetic stand-in: Toy not found")
    full = Section("probe", quick=False, out=tmp_path / "f")
    built = []
    with pytest.raises(DataNotFoundError, match="put toy.csv"):
        full.data(absent, lambda: built.append(1), "Toy")
    assert built == [] and "data_notes" not in full.results     # nothing built, nothing claimed


def test_sample_examples_is_fixed_in_order_and_checked():
    from nndl.datasets.base import sample_examples
    data = list(range(100))
    a, b = sample_examples(data, 10), sample_examples(data, 10)
    assert a == b and a == sorted(a) and len(set(a)) == 10 and a != data[:10]
    assert sample_examples(data, None) is data and sample_examples(data, 500) is data
    assert sample_examples(data, 10, seed=1) != a
    with pytest.raises(ValueError, match="n must be >= 0"):
        sample_examples(data, -1)


def test_data_samples_each_split_in_quick_mode_only(tmp_path):
    from nndl.app.script import Section
    from nndl.datasets.base import sample_examples
    splits = (list(range(100)), list(range(50)), list(range(10)))
    quick = Section("probe", quick=True, out=tmp_path / "q")
    (train, dev, test), standin = quick.data(lambda: splits, None, "Toy", sample=(20, 5, 5))
    assert not standin
    assert (train, dev, test) == tuple(sample_examples(s, n) for s, n in zip(splits, (20, 5, 5)))
    assert [len(train), len(dev), len(test)] == [20, 5, 5]
    full = Section("probe", quick=False, out=tmp_path / "f")
    assert full.data(lambda: splits, None, "Toy", sample=(20, 5, 5))[0] is splits
    with pytest.raises(ValueError, match="2 sizes for 3 splits"):
        quick.data(lambda: splits, None, "Toy", sample=(20, 5))


def test_an_imported_ipykernel_is_not_a_notebook(monkeypatch, tmp_path):
    # a test process that executed a notebook has ipykernel imported; its command line still counts
    import types
    from nndl.app import script
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    assert not script.in_notebook()
    S = script.setup("ch0_probe", argv=["--quick", "--out", str(tmp_path)])
    assert S.quick and S.out == tmp_path
