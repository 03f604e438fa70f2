"""RunnerV3 on 1 and N processes (paddle.distributed.launch): a LeNet epoch on MNIST (issue 23).

Each configuration is a fresh run: 1 process is ``python bench_distributed.py --worker ...``,
N processes are ``python -m paddle.distributed.launch --nproc_per_node N bench_distributed.py
--worker ...`` (gloo on a CPU, NCCL on GPUs).  The worker builds the book's 7.2 LeNet
(``paddle.vision.models.LeNet``), trains one warm-up epoch, then times ``--epochs`` epochs
of ``RunnerV3.train`` (rank 0's clock between two barriers), and reports the final
training loss, which must agree across configurations (the same global batches, the
gradients averaged).  Configurations are run interleaved (1, 2, 1, 2, ...) and compared by
the median epoch time; the launch's wall time (imports, process group, warm-up) is the
overhead.

    python bench/bench_distributed.py [--nproc 1,2] [--num-samples 6000] [--batch-size 64] [--repeats 3]
    python bench/bench_distributed.py --device gpu --nproc 1,2,4,8 --num-samples 60000   # a GPU machine
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def worker(args):
    """One configuration (launched or not): train and write rank 0's timings as JSON."""
    import numpy as np
    import paddle
    import paddle.nn.functional as F
    from nndl import RunnerV3
    import nndl.distributed as nd

    common.setup_device(args.device)   # under the launcher 'gpu' is this rank's GPU
    paddle.seed(args.seed)
    np.random.seed(args.seed)
    if args.random_images:
        rng = np.random.RandomState(args.seed)
        images = rng.rand(args.num_samples, 1, 28, 28).astype("float32")
        labels = rng.randint(0, 10, size=(args.num_samples, 1)).astype("int64")
        source = "random images"
    else:
        from nndl.datasets.mnist import MNIST, book_transform
        data = MNIST(mode="train", transform=book_transform, backend="cv2")
        batch = data.loader(batch_size=args.num_samples, indices=range(args.num_samples))
        images, labels = next(iter(batch))
        images, labels = images.numpy(), labels.numpy()
        source = f"MNIST ({data.source})"
    dataset = paddle.io.TensorDataset([paddle.to_tensor(images), paddle.to_tensor(labels)])
    loader = paddle.io.DataLoader(dataset, batch_size=args.batch_size, shuffle=True)
    model = paddle.vision.models.LeNet(num_classes=10)
    opt = paddle.optimizer.Adam(learning_rate=0.001, parameters=model.parameters())
    runner = RunnerV3(model, opt, F.cross_entropy, None)
    launched = nd.world_size() > 1

    def barrier():
        if launched:
            paddle.distributed.barrier()

    runner.train(loader, num_epochs=1, log_steps=0)   # warm-up (and DataParallel's first sync)
    times = []
    for _ in range(args.epochs):
        barrier()
        common.sync(args.device or "")
        start = time.perf_counter()
        runner.train(loader, num_epochs=1, log_steps=0)
        common.sync(args.device or "")
        barrier()
        times.append(time.perf_counter() - start)
    if nd.is_main_process():
        out = {"epoch_s": times, "final_loss": runner.train_step_losses[-1][1],
               "steps_per_epoch": len(loader), "nproc": nd.world_size(), "data": source,
               "device": paddle.get_device()}
        with open(args.worker, "w", encoding="utf-8") as f:
            json.dump(out, f)


def run_config(nproc, args, tmp, i):
    target = os.path.join(tmp, f"n{nproc}_{i}.json")
    script = [os.path.abspath(__file__), "--worker", target, "--num-samples", str(args.num_samples),
              "--batch-size", str(args.batch_size), "--epochs", str(args.epochs), "--seed", str(args.seed)]
    if args.device:
        script += ["--device", args.device]
    if args.random_images:
        script += ["--random-images"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    if nproc == 1:
        cmd = [sys.executable] + script
    else:
        cmd = [sys.executable, "-m", "paddle.distributed.launch", "--nproc_per_node", str(nproc),
               "--log_dir", os.path.join(tmp, f"log_n{nproc}_{i}")] + script
        if not str(args.device or "").startswith("gpu"):
            env.setdefault("PADDLE_DISTRI_BACKEND", "gloo")
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=args.timeout)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"bench_distributed: {nproc} process(es) failed (exit {proc.returncode})")
    with open(target, encoding="utf-8") as f:
        out = json.load(f)
    out["launch_wall_s"] = wall
    return out


def main(argv=None):
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--nproc", default="1,2", help="process counts to compare (the first is the baseline)")
    p.add_argument("--num-samples", type=int, default=6000, help="training images per epoch (MNIST: 60000)")
    p.add_argument("--batch-size", type=int, default=64, help="the global batch (the book's 7.2 sweeps 16..256)")
    p.add_argument("--epochs", type=int, default=2, help="timed epochs per run, after one warm-up epoch")
    p.add_argument("--random-images", action="store_true", help="random images of MNIST's shape (no data set)")
    p.add_argument("--timeout", type=float, default=1800, help="seconds allowed per run")
    p.add_argument("--worker", default=None, help=argparse_hidden())
    args = p.parse_args(argv)
    if args.worker:
        return worker(args)
    if args.tiny:
        args.num_samples, args.epochs = 256, 1
        args.repeats = args.repeats or 1
        args.random_images = True
    repeats = args.repeats or 3
    counts = [int(n) for n in args.nproc.split(",") if n.strip()]
    device = args.device or ("gpu" if os.environ.get("NNDL_DEVICE", "") != "cpu" and _has_gpu() else "cpu")
    args.device = device
    runs = {n: [] for n in counts}
    with tempfile.TemporaryDirectory(prefix="nndl-bench-dist-") as tmp:
        for i in range(repeats):
            order = counts if i % 2 == 0 else counts[::-1]
            for n in order:
                sys.stderr.write(f"run {i + 1}/{repeats}: {n} process(es)\n")
                runs[n].append(run_config(n, args, tmp, i))
    import statistics
    results = {}
    for n, rs in runs.items():
        epochs = [t for r in rs for t in r["epoch_s"]]
        results[str(n)] = {"median_epoch_s": statistics.median(epochs), "epoch_s": epochs,
                           "launch_wall_s": [round(r["launch_wall_s"], 2) for r in rs],
                           "final_loss": [r["final_loss"] for r in rs], "steps_per_epoch": rs[0]["steps_per_epoch"],
                           "data": rs[0]["data"], "worker_device": rs[0]["device"]}
    base = results[str(counts[0])]
    for n in counts[1:]:
        r = results[str(n)]
        r["epoch_ratio_vs_" + str(counts[0])] = r["median_epoch_s"] / base["median_epoch_s"]
        r["speedup"] = base["median_epoch_s"] / r["median_epoch_s"]
        r["final_loss_diff"] = max(abs(a - b) for a, b in zip(r["final_loss"], base["final_loss"]))
    print(json.dumps({"benchmark": "distributed", "env": common.env_info(device),
                      "config": {"nproc": counts, "num_samples": args.num_samples, "batch_size": args.batch_size,
                                 "timed_epochs_per_run": args.epochs, "repeats": repeats, "model": "paddle.vision.models.LeNet",
                                 "optimizer": "Adam(0.001)", "loader": "paddle.io.DataLoader(TensorDataset, shuffle=True)"},
                      "results": results}, indent=2))


def argparse_hidden():
    import argparse
    return argparse.SUPPRESS


def _has_gpu():
    try:
        import paddle
        return paddle.device.is_compiled_with_cuda() and paddle.device.cuda.device_count() > 0
    except Exception:
        return False


if __name__ == "__main__":
    main()
