"""Support for the chapter scripts (``chapters/ch7_*.py``) and their notebooks.

A chapter script starts with::

    from nndl.app.script import setup
    S = setup("ch7_3_1_sgd")          # parses --quick / --out, honours NNDL_QUICK=1
    import paddle
    ...
    S.savefig(fig, "opti-loss.pdf")   # saves the PDF (the book's name) and a PNG beside it
    S.record(final_loss=...)          # numbers for results.json and the chapter report
    S.save()                          # writes results.json

Importing this module is the entry point's business: it silences paddle's
import-time "No ccache found" notice and BatchNorm's tracking warning by
message (not globally), and uses matplotlib's headless Agg backend unless
running inside Jupyter.  The library modules do none of this.
"""
import argparse
import json
import os
import sys
import warnings
from pathlib import Path

__all__ = ["setup", "Section", "quiet_paddle_warnings", "in_notebook"]

# messages of paddle's notices that say nothing to a reader of the book
_QUIET = (
    r"No ccache found",
    r".*When training, we now always track global mean and variance",
)


def quiet_paddle_warnings():
    """Ignore paddle's import-time ccache notice and BatchNorm's tracking warning (by message)."""
    for message in _QUIET:
        warnings.filterwarnings("ignore", message=message)


def in_notebook():
    """True inside a running Jupyter kernel (not merely when ipykernel was imported: a test
    process that executed a notebook has it in ``sys.modules`` and is still a script)."""
    if "ipykernel" not in sys.modules:
        return False
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    return shell is not None and hasattr(shell, "kernel")


quiet_paddle_warnings()


def quiet_matplotlib_logs():
    """paddle configures the root logger at INFO level, so matplotlib's INFO records (font
    lookups, 'Using categorical units ...') would land on a section's stderr: keep WARNING+."""
    import logging
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    logging.getLogger("PIL").setLevel(logging.WARNING)


quiet_matplotlib_logs()


def _truthy(value):
    return str(value).strip().lower() not in ("", "0", "false", "no", "off")


def default_out_dir(name):
    """Where a section writes when no --out is given: $NNDL_OUT/<name>, else ./nndl_results/<name>."""
    base = os.environ.get("NNDL_OUT")
    return Path(base) / name if base else Path.cwd() / "nndl_results" / name


class Section(object):
    """What a chapter script needs from its command line: quick mode, output folder, results.

    Attributes: ``name``, ``quick`` (bool), ``out`` (Path, created), ``results`` (dict),
    ``device`` (set by :func:`setup`: paddle's device for the script).
    """

    def __init__(self, name, quick=False, out=None):
        self.name = name
        self.quick = bool(quick)
        self.out = Path(out) if out is not None else default_out_dir(name)
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SystemExit(f"{name}: cannot create output folder {self.out}: {exc}") from exc
        if not os.access(self.out, os.W_OK):
            raise SystemExit(f"{name}: output folder {self.out} is not writable")
        self.results = {"section": name, "quick": self.quick}
        self.device = None
        self.figures = []

    def pick(self, full, quick):
        """The full-mode value, or the quick-mode one under --quick."""
        return quick if self.quick else full

    def path(self, filename):
        return self.out / filename

    def savefig(self, fig, filename, png=True):
        """Save ``fig`` as ``filename`` (the book's PDF name) and, by default, a PNG beside it."""
        filename = filename.replace(" ", "")  # the notebook rendering has 'opti-vis-para2. pdf'
        target = self.out / filename
        if not _main_process():   # under paddle.distributed.launch rank 0 writes
            return target
        fig.savefig(target, bbox_inches="tight")
        saved = [target.name]
        if png and target.suffix.lower() != ".png":
            png_path = target.with_suffix(".png")
            fig.savefig(png_path, dpi=110, bbox_inches="tight")
            saved.append(png_path.name)
        self.figures.extend(saved)
        return target

    def record(self, **values):
        """Add key numbers to ``results.json`` (numbers, strings, lists or dicts of them)."""
        self.results.update(_jsonable(values))

    def claim(self, book, measured, supported, note=None):
        """State the book's claim for this section and what this run measured.

        输入:
            - book: the claim in the book's words (e.g. "带批量规范化的网络收敛更快、准确率更高")
            - measured: what this run measured, with its numbers (a string)
            - supported: True when this run supports the claim, False when it contradicts it,
              None when this run cannot tell (too small, a synthetic stand-in, ...)
            - note: why it cannot tell, or at what size the claim appears
        Prints one line and records it; the report shows every claim of every section.
        """
        if supported not in (True, False, None):
            raise ValueError(f"claim: supported must be True, False or None, got {supported!r}")
        supported = None if supported is None else bool(supported)   # numpy bools are JSON too
        verdict = {True: "supported", False: "NOT supported", None: "not shown"}[supported]
        entry = {"book": str(book), "measured": str(measured), "supported": supported, "verdict": verdict}
        if note:
            entry["note"] = str(note)
        self.results.setdefault("claims", []).append(entry)
        print(f"[claim] book: {book}")
        print(f"[claim] this run: {measured} -> {verdict}" + (f" ({note})" if note else ""))
        return entry

    def standin(self, notice):
        """Record (and print) that this section ran on a synthetic stand-in of its data set
        (see :func:`nndl.datasets.base.standin_notice`); the report shows it."""
        self.results.setdefault("data_notes", []).append(str(notice))
        print(f"[data] {notice}")

    def data(self, load, standin, title, sample=None):
        """The section's data: ``load()``, or, when the real data is absent, a stand-in.

        输入:
            - load: returns the real data; raises ``nndl.datasets.base.DataNotFoundError`` when
              no source has it
            - standin: returns the same kind of data from a generated miniature in the real
              file format (called only in quick mode, only when ``load`` failed)
            - title: the data set's name in the notice (``'CIFAR-10'``)
            - sample: quick mode only, with ``data`` a tuple of splits: keep a fixed random sample
              of each split, of these sizes (``(320, 160, 160)`` for train / dev / test; see
              :func:`nndl.datasets.base.sample_examples`); full mode keeps everything
        输出: ``(data, is_standin)``.  In full mode an absent data set stops the section with
        the error naming every source tried, before any work; in quick mode the stand-in is
        used and the section says so (:meth:`standin`, shown in the report).
        """
        from ..datasets.base import DataNotFoundError, sample_examples, standin_notice
        try:
            data, is_standin = load(), False
        except DataNotFoundError as err:
            if not self.quick:
                raise
            self.standin(standin_notice(title, err))
            data, is_standin = standin(), True
        if self.quick and sample is not None:
            if len(sample) != len(data):
                raise ValueError(f"data: sample gives {len(sample)} sizes for {len(data)} splits")
            data = tuple(sample_examples(split, n) for split, n in zip(data, sample))
        return data, is_standin

    def save(self):
        """Write ``results.json`` atomically and return its path."""
        self.results["figures"] = sorted(set(self.figures))
        path = self.out / "results.json"
        if not _main_process():   # under paddle.distributed.launch rank 0 writes
            return path
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.results, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                       encoding="utf-8")
        os.replace(tmp, path)
        return path


def _main_process():
    """False on the ranks > 0 of ``paddle.distributed.launch`` (docs/distributed.md)."""
    from ..distributed import is_main_process
    return is_main_process()


def _jsonable(obj):
    """Turn paddle tensors / numpy values into plain JSON types."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "numpy") and callable(obj.numpy):   # paddle.Tensor
        obj = obj.numpy()
    if hasattr(obj, "tolist"):                          # numpy array or scalar
        return _jsonable(obj.tolist())
    if isinstance(obj, float):
        # 9 significant digits, not 8 decimals: a 7e-11 gradient norm must not become 0.0
        return float(f"{obj:.9g}") if obj == obj and abs(obj) != float("inf") else str(obj)
    return obj


def setup(name, argv=None, description=None):
    """Parse a chapter script's options and return its :class:`Section`.

    ``--quick`` (or NNDL_QUICK=1) chooses the small, fast configuration;
    ``--full`` forces the book's; ``--out DIR`` chooses where figures and
    ``results.json`` go.  In a notebook the command line is ignored and only
    NNDL_QUICK / NNDL_OUT count.
    """
    if not in_notebook():
        import matplotlib
        matplotlib.use("Agg")
    parser = argparse.ArgumentParser(prog=name, description=description)
    parser.add_argument("--quick", action="store_true", help="small sizes, seconds on a CPU (or NNDL_QUICK=1)")
    parser.add_argument("--full", action="store_true", help="the book's sizes even if NNDL_QUICK=1")
    parser.add_argument("--out", default=None, help="folder for figures and results.json")
    if argv is None:
        argv = [] if in_notebook() else sys.argv[1:]
    args = parser.parse_args(argv)
    quick = args.quick or (_truthy(os.environ.get("NNDL_QUICK", "")) and not args.full)
    section = Section(name, quick=quick, out=args.out)
    # the GPU when paddle has one, else the CPU; NNDL_DEVICE=cpu forces the CPU
    from ..utils import use_device
    section.device = use_device()
    return section
