"""Chapter 7 end to end: quick mode measured (goal <= 3 minutes), full mode measured or extrapolated.

quick: ``python -m nndl run ch7 --out <tmp>`` in a subprocess (wall time; per-script
seconds from the CLI's run.json).  Without the CLI, each ``chapters/ch7_*.py --quick``
runs in its own process and the times are summed.

full (``--full-timeout S`` > 0): every script runs once with ``--full`` under a limit
of S seconds.  Finished: the measured time.  Over the limit: an extrapolation
``fixed + (quick - fixed) * ratio``, ``fixed`` the time of a process that only
imports paddle and nndl, ``ratio`` the full/quick ratio of the training work read
from the script's ``S.pick`` constants (table ``WORK_RATIO`` below: epochs x images,
or iterations x runs).  Evaluation, plotting and data loading are scaled alike,
which makes the figure a rough estimate; scripts without an entry are reported
as "> S".

    python bench/bench_chapter.py [--sections 7.3.1,ex7.4] [--full-timeout 60]
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# full-mode training work / quick-mode training work, from each script's S.pick constants
# (checked against chapters/ at the commit of this file; a changed script needs its entry updated)
MNIST_TRAIN = 60000
WORK_RATIO = {
    "ch7_2_batch_size": (30 / 2) * (MNIST_TRAIN / 1280),         # epochs 30/2, images 60000/1280
    "ch7_4_2_3_xavier_moons": 100 / 10,                          # epochs
    "ch7_5_1_5_bn_mnist": (5 / 1) * (MNIST_TRAIN / 960),         # epochs, images
    "ch7_6_2_overfit": 50000 / 2000,                             # full-batch iterations
    "ch7_6_3_l2": 50000 / 2000,
    "ch7_6_4_weight_decay": 50000 / 2000,
    "ch7_6_5_dropout": 50000 / 1500,
    "ch7_6_appendix_l2decay": 50000 / 1000,
    "ch7_6_seeds_table": (50000 / 300) * (5 / 2),                # iterations, seeds
    "ch7_ex1_iteration_loss": (30 / 2) * (MNIST_TRAIN / 1280),
    "ch7_ex2_bs_vs_lr": (10 / 2) * (MNIST_TRAIN / 1280),
    "ch7_ex5_adamw_lenet": (3 / 1) * (MNIST_TRAIN / 1280),
    "ch7_ex6_optimizers_mnist": (3 / 1) * (MNIST_TRAIN / 640),
    "ch7_ex7_he_init": 100 / 8,
    "ch7_ex8_layernorm_mnist": (5 / 1) * (MNIST_TRAIN / 960),
    "ch7_ex9_sweeps": (50000 / 400) * (18 / 9),                  # iterations, sweep points 6x3 / 3x3
}


def child_env():
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONWARNINGS="ignore:No ccache found:UserWarning")
    env.pop("NNDL_QUICK", None)
    env["PYTHONPATH"] = os.pathsep.join([ROOT] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    return env


def run(args, timeout=None, cwd=None):
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(args, capture_output=True, text=True, env=child_env(), timeout=timeout, cwd=cwd)
        return time.perf_counter() - t0, proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"") + (exc.stderr or b"")
        return time.perf_counter() - t0, "timeout", out.decode(errors="replace") if isinstance(out, bytes) else out


def script_times(run_json):
    """{script name: seconds} from the CLI's run.json (any list of dicts with name/seconds)."""
    found = {}

    def walk(obj):
        if isinstance(obj, dict):
            if "name" in obj and "seconds" in obj:
                found[obj["name"]] = {"seconds": obj["seconds"], "status": obj.get("status")}
            for v in obj.values():
                walk(v)
        elif isinstance(obj, list):
            for v in obj:
                walk(v)
    walk(run_json)
    return found


def main(argv=None):
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--sections", default=None, help="the CLI's --sections (default: the whole chapter)")
    p.add_argument("--full-timeout", type=float, default=0.0, help="seconds per script in full mode (0: skip)")
    p.add_argument("--chapter", default="ch7")
    p.add_argument("--keep", default=None, help="keep the outputs in this folder")
    args = p.parse_args(argv)
    if args.tiny:
        args.sections = args.sections or "7.3.1"
    device = common.setup_device(args.device)
    out = {"benchmark": "chapter", "env": common.env_info(device)}
    work = args.keep or tempfile.mkdtemp(prefix="nndl-bench-chapter-")
    os.makedirs(work, exist_ok=True)
    try:
        # fixed cost of a script process: python + paddle + nndl imports
        fixed, _, _ = run([sys.executable, "-c", "import nndl.app.script, paddle, nndl; nndl.RunnerV3"])

        have_cli = os.path.exists(os.path.join(ROOT, "nndl", "app", "cli.py"))
        quick = {}
        if have_cli:
            cmd = [sys.executable, "-m", "nndl", "run", args.chapter, "--out", os.path.join(work, "quick")]
            if args.sections:
                cmd += ["--sections", args.sections]
            total, rc, log = run(cmd, cwd=work)
            try:
                with open(os.path.join(work, "quick", "run.json"), encoding="utf-8") as f:
                    quick = script_times(json.load(f))
            except (OSError, ValueError):
                pass
            how = " ".join(["python -m nndl run", args.chapter, "--out", "<tmp>"] +
                           (["--sections", args.sections] if args.sections else []))
        else:
            total, rc = 0.0, 0
            pattern = os.path.join(ROOT, "chapters", f"{args.chapter}_*.py")
            for path in sorted(glob.glob(pattern)):
                name = os.path.splitext(os.path.basename(path))[0]
                s, code, _ = run([sys.executable, path, "--quick", "--out", os.path.join(work, "quick", name)],
                                 cwd=work)
                quick[name] = {"seconds": round(s, 2), "status": "ok" if code == 0 else f"rc {code}"}
                total += s
                rc = rc or code
            log = ""
            how = f"each chapters/{args.chapter}_*.py --quick in its own process, summed"
        failed = {k: v for k, v in quick.items() if v.get("status") not in ("ok", None)}
        out["quick"] = {"command": how, "total_s": round(total, 2), "returncode": rc,
                        "scripts": quick, "failed": failed,
                        "log_tail": log[-2000:] if rc else ""}
        out["fixed_process_s"] = round(fixed, 2)
        out["goal"] = {"max_quick_s": 180, "quick_s": round(total, 2),
                       "met": (total <= 180 and rc == 0) if not args.sections else None}

        if args.full_timeout > 0:
            full = {}
            for name in quick:
                path = os.path.join(ROOT, "chapters", name + ".py")
                s, code, _ = run([sys.executable, path, "--full", "--out", os.path.join(work, "full", name)],
                                 timeout=args.full_timeout, cwd=work)
                if code == 0:
                    full[name] = {"seconds": round(s, 1), "how": "measured"}
                elif code == "timeout" and name in WORK_RATIO:
                    q = quick[name]["seconds"]
                    est = fixed + max(q - fixed, 0.0) * WORK_RATIO[name]
                    full[name] = {"seconds": round(max(est, args.full_timeout), 1), "how": "extrapolated",
                                  "ratio": round(WORK_RATIO[name], 1)}
                elif code == "timeout":
                    full[name] = {"seconds": None, "how": f"> {args.full_timeout} s, no work ratio"}
                else:
                    full[name] = {"seconds": None, "how": f"failed (rc {code})"}
                common.log(f"full {name}: {full[name]}")
            known = [v["seconds"] for v in full.values() if v["seconds"] is not None]
            out["full"] = {"timeout_s": args.full_timeout, "scripts": full,
                           "total_s_known": round(sum(known), 1),
                           "total_min_known": round(sum(known) / 60, 1),
                           "unknown": [k for k, v in full.items() if v["seconds"] is None]}
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    common.emit(out)


if __name__ == "__main__":
    main()
