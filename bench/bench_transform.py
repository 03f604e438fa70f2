"""The book's per-item MNIST transform through paddle.io.DataLoader vs nndl's vectorized loader.

* per_item: ``paddle.io.DataLoader(MNIST(mode='train', transform=book_transform, backend='cv2'), batch_size)``
  (over a ``Subset`` of the first ``--num-images``), the book's way: one
  ``paddle.to_tensor(image / 255)`` per image, then the batch is stacked;
* vectorized: ``MNIST(mode='train').loader(batch_size, indices=...)``: one
  ``mnist_to_tensor`` over the whole array, then slices (its construction is timed too).

Both pass over the same images (no shuffle); the first batches are checked equal.
Figures are images/s, variants interleaved.

    python bench/bench_transform.py [--num-images 10000] [--batch-size 64] [--repeats 3]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def main(argv=None):
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--num-images", type=int, default=10000)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--num-workers", type=int, default=0, help="DataLoader workers of the per-item path")
    args = p.parse_args(argv)
    if args.tiny:
        args.num_images = 512
        args.repeats = args.repeats or 1
    repeats = args.repeats or 3
    device = common.setup_device(args.device)
    out = {"benchmark": "transform", "env": common.env_info(device)}
    try:
        from nndl.datasets.mnist import MNIST, book_transform
        if not hasattr(MNIST, "loader"):
            raise AttributeError("MNIST.loader")
    except (ImportError, AttributeError) as exc:
        out["skipped"] = f"nndl.datasets.mnist has no vectorized path ({exc})"
        common.emit(out)
        return
    import numpy as np
    import paddle

    n, bs = args.num_images, args.batch_size
    per_item_ds = MNIST(mode="train", transform=book_transform, backend="cv2")   # the book: cv2
    plain_ds = MNIST(mode="train", backend="cv2")
    subset = paddle.io.Subset(per_item_ds, list(range(n)))

    def per_item():
        loader = paddle.io.DataLoader(subset, batch_size=bs, shuffle=False, num_workers=args.num_workers)
        for X, y in loader:
            pass
        return X

    def vectorized():
        for X, y in plain_ds.loader(batch_size=bs, indices=range(n)):
            pass
        return X

    a = next(iter(paddle.io.DataLoader(subset, batch_size=bs, shuffle=False)))
    b = next(iter(plain_ds.loader(batch_size=bs, indices=range(n))))
    same = bool(np.array_equal(a[0].numpy(), b[0].numpy()) and np.array_equal(a[1].numpy(), b[1].numpy()))

    t = common.interleave({"per_item": per_item, "vectorized": vectorized}, repeats, device)
    res = {k: dict(common.summary(v), images_per_s=round(n / sorted(v)[len(v) // 2], 1)) for k, v in t.items()}
    res["speedup"] = common.ratio(t["per_item"], t["vectorized"])
    out.update({
        "config": {"num_images": n, "batch_size": bs, "num_workers": args.num_workers, "repeats": repeats,
                   "per_item": "io.DataLoader(Subset(MNIST(transform=book_transform, backend='cv2')))",
                   "vectorized": "MNIST().loader(batch_size, indices=range(n)) incl. construction"},
        "first_batch_equal": same,
        "results": res,
    })
    common.emit(out)


if __name__ == "__main__":
    main()
