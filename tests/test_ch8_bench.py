"""bench/bench_attention.py runs in its tiny configuration and prints one well-formed JSON object
(timings are measured by the benchmark, never asserted)."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_attention_tiny():
    env = dict(os.environ, NNDL_DEVICE="cpu", PYTHONWARNINGS="ignore:No ccache found:UserWarning")
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_attention.py"), "--tiny", "--device", "cpu"],
                          capture_output=True, text=True, timeout=300, env=env, cwd=str(ROOT))
    assert proc.returncode == 0, proc.stderr[-2000:]
    d = json.loads(proc.stdout)
    assert d["benchmark"] == "attention" and d["env"]["device"].startswith("cpu")
    assert d["mhsa"]["max_abs_output_difference"] < 1e-5      # the timed layers compute the same thing
    for kind in ("mhsa", "block"):
        entry = d[kind]
        assert entry["nndl"]["n"] == entry["paddle"]["n"] == 2
        assert entry["ratio"]["ratio_of_medians"] > 0
