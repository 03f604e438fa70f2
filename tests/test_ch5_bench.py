"""bench/bench_conv.py runs in its tiny configuration and prints one well-formed JSON object.

Timings are never asserted (speed is measured by the benchmark, not tested); the two LeNets
compute the same function (same first loss from copied weights)."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_conv_tiny():
    env = dict(os.environ, MPLBACKEND="Agg", NNDL_DEVICE="cpu", PYTHONWARNINGS="ignore:No ccache found:UserWarning")
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_conv.py"), "--tiny"],
                          capture_output=True, text=True, env=env, timeout=300, cwd=str(ROOT))
    assert proc.returncode == 0, proc.stderr[-3000:]
    d = json.loads(proc.stdout)
    assert d["benchmark"] == "conv" and d["env"]["device"].startswith("cpu")
    first = d["lenet_epoch"]["first_loss"]
    assert abs(first["nndl"] - first["paddle"]) < 1e-5
    assert set(d["layers_forward_backward"]) == {"conv1", "conv2", "conv3", "max_pool", "avg_pool"}
    for r in list(d["layers_forward_backward"].values()) + [d["lenet_epoch"]]:
        assert r["nndl"]["median_s"] > 0 and r["paddle"]["median_s"] > 0
        assert r["nndl_over_paddle"]["ratio_of_medians"] > 0
    assert set(d["goal"]) >= {"max_ratio", "lenet_ratio_of_medians", "met"}
