"""bench/bench_lstm.py runs in its tiny configuration and prints one well-formed JSON object
(timings are measured by the benchmark, never asserted)."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_lstm_tiny():
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_lstm.py"), "--tiny", "--device", "cpu"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    d = json.loads(proc.stdout)
    assert d["benchmark"] == "lstm" and d["env"]["device"].startswith("cpu")
    for key in ("lstm:tiny", "srn:tiny"):
        entry = d["results"][key]
        assert entry["max_abs_diff_vs_paddle"] < 1e-5          # the timed layers compute the same thing
        assert entry["nndl"]["n"] == entry["paddle"]["n"] == 3
        assert entry["nndl_over_paddle"]["ratio_of_medians"] > 0
    assert "book" in d["results"]["lstm:tiny"]
