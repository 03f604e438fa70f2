"""Chapter 4's hand-written network against paddle's autograd: one full-batch training step (goal <= 2x).

Variants, timed interleaved (A, B, A, B, ... after a warm-up), medians compared, for each size:

- ``nndl``: ``Model_MLP_L2`` (``nndl.op.Linear`` + ``nndl.op.Logistic``), the loss
  ``BinaryCrossEntropyLoss(model)``, its hand-written ``backward()`` and ``Optimizer_GD.step()``
  -- what ``RunnerV2_1`` does each epoch (4.2);
- ``paddle``: ``Model_MLP_L2_V2`` (``paddle.nn.Linear`` + ``F.sigmoid``) with the same initial
  weights, ``F.binary_cross_entropy``, ``loss.backward()``, ``paddle.optimizer.SGD.step()`` and
  ``clear_grad()`` -- what ``RunnerV2_2`` does (4.3).

Sizes: the book's 4.2 problem (640 samples, 2-5-1) and a wider one (4096 samples, 64-256-1).
The two variants compute the same function: the first losses are reported side by side.

    python bench/bench_ch4_mlp.py [--device cpu] [--repeats 30]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

GOAL = 2.0   # the hand-written step may take at most twice paddle's


def main(argv=None):
    p = common.parser(__doc__.splitlines()[0])
    args = p.parse_args(argv)
    sizes = {"book_4.2": (640, 2, 5), "wide": (4096, 64, 256)}
    if args.tiny:
        sizes = {"book_4.2": (640, 2, 5), "wide": (256, 16, 32)}
        args.repeats = args.repeats or 3
    repeats = args.repeats or 30

    device = common.setup_device(args.device)
    import numpy as np
    import paddle
    import paddle.nn.functional as F
    from nndl import BinaryCrossEntropyLoss, Model_MLP_L2, Model_MLP_L2_V2, Optimizer_GD

    results = {}
    for name, (n, d, h) in sizes.items():
        rng = np.random.default_rng(args.seed)
        X = paddle.to_tensor(rng.standard_normal((n, d)).astype(np.float32))
        y = paddle.to_tensor((rng.random((n, 1)) > 0.5).astype(np.float32))
        paddle.seed(args.seed)
        ours = Model_MLP_L2(d, h, 1)
        ref = Model_MLP_L2_V2(d, h, 1)
        for fc in ("fc1", "fc2"):
            getattr(ref, fc).weight.set_value(getattr(ours, fc).params['W'])
            getattr(ref, fc).bias.set_value(getattr(ours, fc).params['b'].reshape([-1]))
        loss_fn = BinaryCrossEntropyLoss(ours)
        opt_ours = Optimizer_GD(0.01, ours)
        opt_ref = paddle.optimizer.SGD(learning_rate=0.01, parameters=ref.parameters())
        first = {"nndl": loss_fn(ours(X), y).item(), "paddle": F.binary_cross_entropy(ref(X), y).item()}

        def step_ours():
            loss_fn(ours(X), y)
            loss_fn.backward()
            opt_ours.step()

        def step_ref():
            loss = F.binary_cross_entropy(ref(X), y)
            loss.backward()
            opt_ref.step()
            opt_ref.clear_grad()

        t = common.interleave({"nndl": step_ours, "paddle": step_ref}, repeats, device, warmup=3)
        results[name] = {"samples": n, "sizes": [d, h, 1], "first_loss": first,
                         "nndl": common.summary(t["nndl"]), "paddle": common.summary(t["paddle"]),
                         "nndl_over_paddle": common.ratio(t["nndl"], t["paddle"])}
        common.log(f"{name}: {results[name]['nndl_over_paddle']}")

    worst = max(r["nndl_over_paddle"]["ratio_of_medians"] for r in results.values())
    common.emit({"benchmark": "ch4_mlp", "env": common.env_info(device), "repeats": repeats,
                 "results": results,
                 "goal": {"max_ratio": GOAL, "worst_ratio_of_medians": worst, "met": worst <= GOAL}})


if __name__ == "__main__":
    main()
