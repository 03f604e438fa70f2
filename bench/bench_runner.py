"""RunnerV3 against a raw paddle training loop on LeNet (issue 8, goal <= 1.03x).

Both variants train their own LeNet (same initial weights) with paddle's Adam on
the same batches; epochs are timed interleaved (raw, runner, raw, ...), medians
compared.  The raw loop is what any logging loop does per batch::

    logits = model(X); loss = F.cross_entropy(logits, y); loss_value = loss.item()
    loss.backward(); opt.step(); opt.clear_grad()

RunnerV3 adds its bookkeeping (finite check, step-loss list, log cadence test).
The data are pre-built tensor batches (``--loader list``, default: isolates the
loop) or a ``paddle.io.DataLoader`` over a TensorDataset (``--loader dataloader``),
the same object for both variants.

    python bench/bench_runner.py [--device cpu] [--batch-sizes 16,64,256] [--num-samples 8192] [--repeats 5]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def raw_epoch(model, opt, loader, loss_fn):
    total = 0.0
    for X, y in loader:
        logits = model(X)
        loss = loss_fn(logits, y)
        total += loss.item()
        loss.backward()
        opt.step()
        opt.clear_grad()
    return total


def main(argv=None):
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--batch-sizes", default="16,64,256")
    p.add_argument("--num-samples", type=int, default=8192, help="images per epoch (MNIST: 60000)")
    p.add_argument("--loader", choices=("list", "dataloader"), default="list")
    p.add_argument("--mnist", action="store_true", help="real MNIST images via nndl.MNIST instead of random ones")
    args = p.parse_args(argv)
    if args.tiny:
        args.batch_sizes, args.num_samples = "16,64", 256
        args.repeats = args.repeats or 1
    repeats = args.repeats or 5

    device = common.setup_device(args.device)
    import paddle
    import paddle.nn.functional as F
    from nndl import RunnerV3

    if args.mnist:
        X, y = common.real_mnist(args.num_samples)
        data = "MNIST train (nndl.MNIST, book transform)"
    else:
        X, y = common.synthetic_mnist(args.num_samples, args.seed)
        data = "synthetic uniform random [N,1,28,28] float32, labels 0..9"

    results = {}
    for bs in [int(b) for b in args.batch_sizes.split(",")]:
        if args.loader == "list":
            loader = common.batches(X, y, bs)
        else:
            ds = paddle.io.TensorDataset([paddle.to_tensor(X), paddle.to_tensor(y)])
            loader = paddle.io.DataLoader(ds, batch_size=bs, shuffle=False, drop_last=True)
        paddle.seed(args.seed)
        model_raw = paddle.vision.models.LeNet()
        model_run = paddle.vision.models.LeNet()
        model_run.set_state_dict(model_raw.state_dict())
        opt_raw = paddle.optimizer.Adam(learning_rate=1e-3, parameters=model_raw.parameters())
        opt_run = paddle.optimizer.Adam(learning_rate=1e-3, parameters=model_run.parameters())
        runner = RunnerV3(model_run, opt_run, F.cross_entropy)
        model_raw.train()

        times = common.interleave({
            "raw": lambda: raw_epoch(model_raw, opt_raw, loader, F.cross_entropy),
            "runner": lambda: runner.train(loader, num_epochs=1, log_steps=0),
        }, repeats, device)
        steps = len(loader)
        results[str(bs)] = {
            "steps_per_epoch": steps,
            "raw": common.summary(times["raw"]),
            "runner": common.summary(times["runner"]),
            "runner_over_raw": common.ratio(times["runner"], times["raw"]),
            "raw_images_per_s": round(steps * bs / min(times["raw"]), 1),
            "runner_overhead_per_step_us": round(
                (sorted(times["runner"])[len(times["runner"]) // 2] - sorted(times["raw"])[len(times["raw"]) // 2])
                / steps * 1e6, 1),
        }
        common.log(f"batch {bs}: {results[str(bs)]['runner_over_raw']}")

    worst = max(r["runner_over_raw"]["ratio_of_medians"] for r in results.values())
    common.emit({
        "benchmark": "runner",
        "env": common.env_info(device),
        "config": {"model": "paddle.vision.models.LeNet", "optimizer": "paddle.optimizer.Adam(1e-3)",
                   "loss": "F.cross_entropy", "num_samples": args.num_samples, "loader": args.loader,
                   "data": data, "repeats": repeats,
                   "raw_loop": "forward, cross_entropy, loss.item(), backward, step, clear_grad"},
        "results": results,
        "goal": {"max_ratio": 1.03, "worst_ratio_of_medians": worst, "met": worst <= 1.03},
    })


if __name__ == "__main__":
    main()
