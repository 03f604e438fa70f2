"""bench/bench_ch4_mlp.py runs in its tiny configuration and prints one well-formed JSON object
(timings are reported, never asserted)."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_ch4_mlp():
    env = dict(os.environ, MPLBACKEND="Agg", NNDL_DEVICE="cpu", PYTHONWARNINGS="ignore:No ccache found:UserWarning")
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_ch4_mlp.py"), "--tiny"],
                          capture_output=True, text=True, env=env, timeout=300, cwd=str(ROOT))
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(proc.stdout)
    assert data["benchmark"] == "ch4_mlp" and data["env"]["device"].startswith("cpu")
    assert set(data["results"]) == {"book_4.2", "wide"}
    for r in data["results"].values():
        # the hand-written network and paddle's compute the same loss from the same weights
        assert abs(r["first_loss"]["nndl"] - r["first_loss"]["paddle"]) < 1e-5 * max(1.0, r["first_loss"]["paddle"])
        assert r["nndl"]["median_s"] > 0 and r["paddle"]["median_s"] > 0
        assert r["nndl_over_paddle"]["ratio_of_medians"] > 0
    assert set(data["goal"]) >= {"max_ratio", "worst_ratio_of_medians", "met"}
