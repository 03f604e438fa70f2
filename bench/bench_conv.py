"""nndl's Conv2D/Pool2D (5.2) against paddle's layers: a LeNet epoch and each layer alone (goal <= 2x).

Variants, timed interleaved (A, B, A, B, ... after a warm-up), medians compared:

- ``lenet``: one epoch of SGD training (forward, ``F.cross_entropy``, backward, step) of
  ``nndl.Model_LeNet`` (the package's own Conv2D/Pool2D, the book's layers) against the same
  network of ``paddle.nn.Conv2D``/``MaxPool2D``/``AvgPool2D``/``Linear`` with copied weights,
  on the same pre-built ``[64, 1, 32, 32]`` batches;
- ``layers``: forward+backward of each LeNet layer alone (conv1, conv2, conv3, the max and the
  average pooling) against ``F.conv2d``/``F.max_pool2d``/``F.avg_pool2d``;
- ``--loop``: one forward+backward of a LeNet batch with convolution and pooling computed by a
  Python loop over output positions (the book's printed form), for scale.

    python bench/bench_conv.py [--device cpu] [--num-samples 2048] [--batch-size 64] [--repeats 5] [--loop]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def paddle_lenet(in_channels=1, num_classes=10):
    import paddle.nn as nn
    import paddle.nn.functional as F

    class PaddleLeNet(nn.Layer):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2D(in_channels, 6, 5)
            self.pool1 = nn.MaxPool2D(2, 2)
            self.conv2 = nn.Conv2D(6, 16, 5)
            self.pool2 = nn.AvgPool2D(2, 2)
            self.conv3 = nn.Conv2D(16, 120, 5)
            self.linear1 = nn.Linear(120, 84)
            self.linear2 = nn.Linear(84, num_classes)

        def forward(self, x):
            x = self.pool1(F.relu(self.conv1(x)))
            x = self.pool2(F.relu(self.conv2(x)))
            x = self.conv3(x).reshape([x.shape[0], -1])
            return self.linear2(F.relu(self.linear1(x)))

    return PaddleLeNet()


def copy_weights(ours, ref):
    for name in ("conv1", "conv2", "conv3"):
        getattr(ref, name).weight.set_value(getattr(ours, name).weight)
        getattr(ref, name).bias.set_value(getattr(ours, name).bias.reshape([-1]))
    for name in ("linear1", "linear2"):
        getattr(ref, name).weight.set_value(getattr(ours, name).weight)
        getattr(ref, name).bias.set_value(getattr(ours, name).bias)


def epoch(model, opt, batches):
    import paddle.nn.functional as F
    total = 0.0
    for X, y in batches:
        loss = F.cross_entropy(model(X), y)
        total += loss.item()
        loss.backward()
        opt.step()
        opt.clear_grad()
    return total


def loop_lenet_step(model, X, y):
    """One forward+backward of LeNet with the book's loop form of 公式 (5.5) and 汇聚 (5.2.2):
    one paddle.sum per output position (written here only to measure it)."""
    import paddle
    import paddle.nn.functional as F

    def conv(x, w, b):
        B, D, M, N = x.shape
        P, _, U, V = w.shape
        rows = []
        for i in range(M - U + 1):
            cols = []
            for j in range(N - V + 1):
                patch = x[:, :, i:i + U, j:j + V].unsqueeze(1)                 # [B, 1, D, U, V]
                cols.append(paddle.sum(patch * w.unsqueeze(0), axis=[2, 3, 4]))  # [B, P]
            rows.append(paddle.stack(cols, axis=-1))
        return paddle.stack(rows, axis=-2) + b.reshape([1, P, 1, 1])

    def pool(x, mode):
        B, C, H, W = x.shape
        rows = []
        for i in range(H // 2):
            cols = []
            for j in range(W // 2):
                win = x[:, :, 2 * i:2 * i + 2, 2 * j:2 * j + 2]
                cols.append(paddle.max(win, axis=[2, 3]) if mode == 'max' else paddle.mean(win, axis=[2, 3]))
            rows.append(paddle.stack(cols, axis=-1))
        return paddle.stack(rows, axis=-2)

    h = pool(F.relu(conv(X, model.conv1.weight, model.conv1.bias)), 'max')
    h = pool(F.relu(conv(h, model.conv2.weight, model.conv2.bias)), 'avg')
    h = conv(h, model.conv3.weight, model.conv3.bias).reshape([X.shape[0], -1])
    logits = model.linear2(F.relu(model.linear1(h)))
    loss = F.cross_entropy(logits, y)
    loss.backward()
    model.clear_gradients()
    return loss.item()


def main(argv=None):
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--num-samples", type=int, default=2048, help="images per epoch")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--loop", action="store_true", help="also time one batch of the loop form")
    args = p.parse_args(argv)
    if args.tiny:
        args.num_samples = 128
        args.repeats = args.repeats or 1
    repeats = args.repeats or 5

    device = common.setup_device(args.device)
    import numpy as np
    import paddle
    import paddle.nn.functional as F
    from nndl import Conv2D, Model_LeNet, Pool2D

    rng = np.random.default_rng(args.seed)
    X = rng.standard_normal((args.num_samples, 1, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, size=(args.num_samples,)).astype(np.int64)
    batches = common.batches(X, y, args.batch_size)

    paddle.seed(args.seed)
    ours = Model_LeNet(in_channels=1, num_classes=10)
    ref = paddle_lenet()
    copy_weights(ours, ref)
    opt_ours = paddle.optimizer.SGD(learning_rate=0.1, parameters=ours.parameters())
    opt_ref = paddle.optimizer.SGD(learning_rate=0.1, parameters=ref.parameters())
    # the same first loss on the same batch: the two networks compute the same function
    first = [float(F.cross_entropy(m(batches[0][0]), batches[0][1])) for m in (ours, ref)]
    times = common.interleave({"nndl": lambda: epoch(ours, opt_ours, batches),
                               "paddle": lambda: epoch(ref, opt_ref, batches)}, repeats, device)
    lenet = {"steps_per_epoch": len(batches), "nndl": common.summary(times["nndl"]),
             "paddle": common.summary(times["paddle"]),
             "nndl_over_paddle": common.ratio(times["nndl"], times["paddle"]),
             "nndl_ms_per_step": round(sorted(times["nndl"])[len(times["nndl"]) // 2] / len(batches) * 1e3, 3),
             "first_loss": {"nndl": first[0], "paddle": first[1]}}
    common.log(f"lenet epoch: {lenet['nndl_over_paddle']}")

    # each layer alone, forward + backward, on LeNet's shapes
    B = args.batch_size
    layers = {}
    specs = [("conv1", (B, 1, 32, 32), 1, 6), ("conv2", (B, 6, 14, 14), 6, 16), ("conv3", (B, 16, 5, 5), 16, 120)]
    for name, shape, d, pch in specs:
        x = paddle.to_tensor(rng.standard_normal(shape).astype(np.float32), stop_gradient=False)
        layer = Conv2D(d, pch, 5, weight_attr=paddle.ParamAttr())
        w, b = layer.weight, layer.bias

        def ours_fb(layer=layer, x=x):
            layer(x).sum().backward()

        def ref_fb(x=x, w=w, b=b):
            F.conv2d(x, w, b.reshape([-1])).sum().backward()
        t = common.interleave({"nndl": ours_fb, "paddle": ref_fb}, max(repeats, 3) * 4, device)
        layers[name] = {"input": list(shape), "nndl": common.summary(t["nndl"]), "paddle": common.summary(t["paddle"]),
                        "nndl_over_paddle": common.ratio(t["nndl"], t["paddle"])}
    for name, shape, mode in (("max_pool", (B, 6, 28, 28), "max"), ("avg_pool", (B, 16, 10, 10), "avg")):
        x = paddle.to_tensor(rng.standard_normal(shape).astype(np.float32), stop_gradient=False)
        pool = Pool2D((2, 2), mode, 2)
        fn = F.max_pool2d if mode == "max" else F.avg_pool2d

        def ours_fb(pool=pool, x=x):
            pool(x).sum().backward()

        def ref_fb(fn=fn, x=x):
            fn(x, 2, 2).sum().backward()
        t = common.interleave({"nndl": ours_fb, "paddle": ref_fb}, max(repeats, 3) * 4, device)
        layers[name] = {"input": list(shape), "nndl": common.summary(t["nndl"]), "paddle": common.summary(t["paddle"]),
                        "nndl_over_paddle": common.ratio(t["nndl"], t["paddle"])}
    for name, r in layers.items():
        common.log(f"{name}: {r['nndl_over_paddle']}")

    result = {
        "benchmark": "conv",
        "env": common.env_info(device),
        "config": {"num_samples": args.num_samples, "batch_size": args.batch_size, "repeats": repeats,
                   "optimizer": "paddle.optimizer.SGD(0.1)", "loss": "F.cross_entropy",
                   "data": "synthetic standard normal [N,1,32,32] float32, labels 0..9",
                   "reference": "the same LeNet of paddle.nn.Conv2D/MaxPool2D/AvgPool2D/Linear, copied weights"},
        "lenet_epoch": lenet,
        "layers_forward_backward": layers,
        "goal": {"max_ratio": 2.0, "lenet_ratio_of_medians": lenet["nndl_over_paddle"]["ratio_of_medians"],
                 "met": lenet["nndl_over_paddle"]["ratio_of_medians"] <= 2.0},
    }
    if args.loop:
        Xb, yb = batches[0]
        loop_s = common.timed(lambda: loop_lenet_step(ours, Xb, yb), device)
        result["loop_form_batch"] = {"seconds_forward_backward": round(loop_s, 3),
                                     "over_nndl_step": round(loop_s / (lenet["nndl_ms_per_step"] / 1e3), 1)}
        common.log(f"loop form: {loop_s:.2f} s per batch")
    common.emit(result)


if __name__ == "__main__":
    main()
