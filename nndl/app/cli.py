"""``python -m nndl``: run a chapter's scripts with a report, list them, make the notebooks.

::

    python -m nndl list [ch7]
    python -m nndl run all|ch1..ch8 [--full] [--out DIR] [--sections 7.3.1,7.6,ex7.1] [--timeout S] [-v] [--nproc N]
    python -m nndl notebooks [--check]
    python -m nndl doctor [--run-check]

``run`` executes every section script of the chapter (``all``: of the whole
book, chapter by chapter), then its exercises, in the book's order, each in its own Python process (``python <script> --quick
--out DIR/<script name>``), and finally writes the report of :mod:`nndl.app.report`
into DIR (``index.md``, ``index.html``, ``report.json``, ``run.json``).

Why a process per script and not ``runpy`` in this process: paddle's import
costs ~1.5-2 s per script on a 2-core CPU (measured: ``python -c "import
nndl.app.script, paddle"`` 1.4-1.7 s), a few percent of a chapter's quick run,
and it buys isolation: paddle's global seed, default dtype and device,
matplotlib's open figures and each script's module globals cannot leak from
one section into the next, so a section gives the same numbers whether it runs
alone (``--sections``), in the whole chapter, or as ``python chapters/x.py``;
a crash (even a segfault) fails that section only.

The chapters folder is the installed ``nndl.chapters`` package (``chapters/``
in a clone); ``--chapters-dir DIR`` or ``NNDL_CHAPTERS=DIR`` choose another.
Script names follow ``docs/conventions.md``: ``ch7_3_2_lr_adjust.py`` is
section 7.3.2, ``ch7_ex1_xxx.py`` is exercise 7.1 (label ``ex7.1``).

``--nproc N`` runs each section that trains with ``RunnerV3`` (and no full-batch runner:
:func:`data_parallel`) as ``python -m paddle.distributed.launch --nproc_per_node N
<script>``, the launcher's logs in ``<out>/<name>/launch_log``; the other sections run
in one process.  See ``docs/distributed.md``.
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nndl.app.script  # noqa: F401  (installs the warning filters before anything imports paddle)

__all__ = ["main", "Script", "discover", "select", "run_chapter", "default_chapters_dir"]

_EXERCISE_RE = re.compile(r"^ch(\d+)_ex(\d+)(?:_(.*))?$")

# The book's chapters, in order (a chapter may have no scripts yet).
BOOK_CHAPTERS = {
    "ch1": "实践基础",
    "ch2": "机器学习概述",
    "ch3": "线性分类",
    "ch4": "前馈神经网络",
    "ch5": "卷积神经网络",
    "ch6": "循环神经网络",
    "ch7": "网络优化与正则化",
    "ch8": "注意力机制",
}


class UsageError(Exception):
    """Bad command-line input: printed as ``nndl: error: ...`` with exit status 2."""


class Script(object):
    """One chapter script: ``name`` (file stem), ``path``, ``chapter`` (int),
    ``kind`` ('section' or 'exercise'), ``numbers`` (tuple of ints), ``label``
    ('7.3.2' or 'ex7.1') and ``title`` (its first Markdown heading)."""

    def __init__(self, path):
        self.path = Path(path)
        self.name = self.path.stem
        m = _EXERCISE_RE.match(self.name)
        if m:
            self.chapter, self.kind = int(m.group(1)), "exercise"
            self.numbers = (int(m.group(2)),)
            self.label = f"ex{self.chapter}.{self.numbers[0]}"
        else:
            # ch7_3_4_3d_compare: the numbers are the all-digit parts after ch7, the slug the rest ('3d_compare')
            parts = self.name.split("_")
            digits = 0
            while 1 + digits < len(parts) and parts[1 + digits].isdigit():
                digits += 1
            m = re.match(r"^ch(\d+)$", parts[0])
            if not m or digits == 0 or 1 + digits == len(parts):
                raise ValueError(f"{self.name}: not a chapter script name (ch7_3_2_slug or ch7_ex1_slug)")
            self.chapter, self.kind = int(m.group(1)), "section"
            self.numbers = tuple(int(n) for n in parts[1:1 + digits])
            self.label = ".".join(str(n) for n in (self.chapter,) + self.numbers)
        title = _title(self.path)
        if title.startswith(self.label + " "):   # '# # 7.3.1 小批量' -> '小批量'
            title = title[len(self.label):].strip()
        self.title = title

    @property
    def sort_key(self):
        return (self.chapter, self.kind != "section", self.numbers, self.name)

    def matches(self, token):
        """True when ``token`` names this script: its name, its label, a section prefix
        ('7.6' selects 7.6.1 and 7.6.2.3, not 7.61) or an exercise as 'ex1' / 'ex7.1'."""
        token = token.strip()
        if token in (self.name, self.path.name, self.label):
            return True
        if self.kind == "exercise":
            return token.lower() in (f"ex{self.numbers[0]}", f"{self.chapter}.ex{self.numbers[0]}")
        parts = token.split(".")
        return all(p.isdigit() for p in parts) and self.label.split(".")[:len(parts)] == parts

    def __repr__(self):
        return f"Script({self.label} {self.name})"


def _title(path):
    """The first Markdown heading of a percent-format script ('# # 7.3 ...' -> '7.3 ...')."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    in_md = False
    for line in lines:
        if line.startswith("# %%"):
            in_md = "[markdown]" in line
            continue
        if in_md:
            m = re.match(r"^#\s*#+\s+(.*\S)", line)
            if m:
                return m.group(1).strip()
    return ""


def default_chapters_dir():
    """$NNDL_CHAPTERS, else the ``nndl.chapters`` package folder, else ``<repo>/chapters``."""
    env = os.environ.get("NNDL_CHAPTERS")
    if env:
        return Path(env)
    import importlib.util
    try:
        spec = importlib.util.find_spec("nndl.chapters")
    except ImportError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    return Path(__file__).resolve().parents[2] / "chapters"


def discover(chapters_dir=None):
    """All chapter scripts in ``chapters_dir``, in the book's order, as a dict chapter -> [Script].

    Sections first by their numbers (7.2 < 7.3.1 < 7.3.2 < 7.10), then exercises by number; a
    summary or appendix numbered like its parent (7.6 seeds table, 7.6 appendix) after that
    section's subsections (:func:`nndl.app.report.book_order`, so the run and the report agree).
    Files whose names do not follow the convention (``__init__.py``, helpers) are ignored.
    """
    chapters_dir = Path(chapters_dir) if chapters_dir is not None else default_chapters_dir()
    if not chapters_dir.is_dir():
        raise UsageError(f"chapters folder {chapters_dir} does not exist")
    scripts = []
    for path in chapters_dir.glob("ch*.py"):
        try:
            scripts.append(Script(path))
        except ValueError:
            continue
    import nndl.app.report as report_mod   # the report's order is the run's order
    by_name = {s.name: s for s in scripts}
    scripts = [by_name[st["name"]] for st in report_mod.book_order([{"name": n} for n in by_name])]
    chapters = {}
    for s in scripts:
        chapters.setdefault(f"ch{s.chapter}", []).append(s)
    return chapters


def _chapter_order(key):
    return int(key[2:])


def chapter_key(chapter):
    """'ch7', '7' -> 'ch7'; 'all' and 'book' -> 'all'."""
    chapter = str(chapter).strip().lower()
    if chapter in ("all", "book"):
        return "all"
    return chapter if chapter.startswith("ch") else f"ch{chapter}"


def select(chapters, chapter, tokens=None):
    """The scripts of ``chapter`` ('ch7', '7', or 'all' for the whole book) named by ``tokens``
    (all when empty), in the book's order.

    Raises :class:`UsageError` listing the valid chapters or sections for an unknown name,
    and naming a book chapter that has no scripts yet.
    """
    key = chapter_key(chapter)
    if key == "all":
        scripts = [s for ch in sorted(chapters, key=_chapter_order) for s in chapters[ch]]
        if not scripts:
            raise UsageError("no chapter scripts found")
    elif key not in chapters:
        valid = ", ".join(sorted(chapters, key=_chapter_order)) or "none (no chapter scripts found)"
        if key in BOOK_CHAPTERS:
            raise UsageError(f"{key} ({BOOK_CHAPTERS[key]}) has no scripts yet; chapters with scripts: {valid}")
        raise UsageError(f"unknown chapter '{chapter}'; valid chapters: all, {valid}")
    else:
        scripts = chapters[key]
    tokens = [t.strip() for t in (tokens or []) if t.strip()]
    if not tokens:
        return list(scripts)
    unknown = [t for t in tokens if not any(s.matches(t) for s in scripts)]
    if unknown:
        valid = "\n".join(f"  {s.label:<10} {s.name}" for s in scripts)
        raise UsageError(f"unknown section(s) {', '.join(unknown)} in {key}; valid sections "
                         f"(a label, a prefix such as 7.3, or a script name):\n{valid}")
    return [s for s in scripts if any(s.matches(t) for t in tokens)]


def check_writable(out):
    """Create ``out`` and prove it writable (a real file, since root ignores modes)."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".nndl-write-test-{os.getpid()}"
        probe.write_text("ok", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"cannot write to the output folder {out}: {exc.strerror or exc}") from exc
    return out


def _child_env():
    env = dict(os.environ)
    for var in ("NNDL_QUICK", "NNDL_OUT"):   # the command line decides, explicitly
        env.pop(var, None)
    env["MPLBACKEND"] = "Agg"
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONUNBUFFERED"] = "1"
    # the child imports the same nndl as this process, installed or not
    pkg_parent = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join([pkg_parent] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    return env


_FULL_BATCH_RUNNER_RE = re.compile(r"\bRunnerV(?:1|2|2_1|2_2)\s*\(")
_RUNNER_V3_RE = re.compile(r"\bRunnerV3\s*\(")


def data_parallel(script):
    """True when ``script`` can run under ``--nproc N``: its source builds a ``RunnerV3`` and
    none of the full-batch runners (which refuse to run under a launcher)."""
    try:
        text = Path(script.path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return bool(_RUNNER_V3_RE.search(text)) and not _FULL_BATCH_RUNNER_RE.search(text)


def launch_command(nproc, log_dir, python=None):
    """The argv prefix that runs a script on ``nproc`` processes of this machine."""
    return [python or sys.executable, "-m", "paddle.distributed.launch", "--nproc_per_node", str(int(nproc)),
            "--log_dir", str(log_dir)]


def _stop(proc, group):
    """Kill ``proc`` (and, for a launcher, the workers it started: its process group)."""
    if group:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    proc.kill()
    proc.wait()


def run_script(script, out, quick=True, timeout=None, echo=False, nproc=1):
    """Run one chapter script in a fresh process into ``out``; return its status dict.

    ``out/stdout.txt`` and ``out/stderr.txt`` keep what it printed; a stale
    ``results.json`` from an earlier run is removed first so it cannot pass for this one.
    ``nproc`` > 1: under ``paddle.distributed.launch`` on that many processes (stdout is
    rank 0's, the launcher's lines and the logs of every rank are in ``out/launch_log``).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("results.json", "stdout.txt", "stderr.txt"):
        (out / stale).unlink(missing_ok=True)
    args = [sys.executable, str(script.path), "--quick" if quick else "--full", "--out", str(out)]
    env = _child_env()
    launched = nproc > 1
    if launched:
        args = launch_command(nproc, out / "launch_log") + args[1:]
        if env.get("NNDL_DEVICE", "").startswith("cpu"):
            env["PADDLE_DISTRI_BACKEND"] = "gloo"   # CPU processes on a GPU machine
        env.setdefault("GLOG_minloglevel", "1")    # not the process group's INFO lines in stdout.txt
    start = time.perf_counter()
    status, returncode = "ok", None
    with open(out / "stdout.txt", "w", encoding="utf-8") as fout, \
            open(out / "stderr.txt", "w", encoding="utf-8") as ferr:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=ferr, cwd=str(out), env=env,
                                text=True, encoding="utf-8", errors="replace", start_new_session=launched)
        def pump():   # tee line by line: progress stays visible with -v
            for line in proc.stdout:
                fout.write(line)
                if echo:
                    sys.stdout.write("    | " + line)
                    sys.stdout.flush()

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        try:
            returncode = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop(proc, launched)
            status = "timeout"
            ferr.write(f"nndl: stopped after {timeout:g} s (--timeout {timeout:g}); what it printed "
                       f"until then is in stdout.txt\n")
        except BaseException:
            _stop(proc, launched)
            raise
        finally:
            reader.join(timeout=10)
    seconds = time.perf_counter() - start
    if status == "ok" and returncode != 0:
        status = "failed"
    elif status == "ok" and not (out / "results.json").exists():
        status = "failed"   # exited 0 without S.save(): its numbers are missing
    st = {"name": script.name, "label": script.label, "title": script.title, "kind": script.kind,
          "status": status, "returncode": returncode, "seconds": round(seconds, 2)}
    if launched:
        st["nproc"] = int(nproc)
    return st


def default_jobs():
    """Scripts run at once: one per CPU core, at most 4 (each paddle process uses one thread)."""
    return max(1, min(4, os.cpu_count() or 1))


def run_chapter(scripts, out, quick=True, timeout=None, echo=False, command=None, chapter=None,
                stream=sys.stdout, jobs=1, nproc=1):
    """Run ``scripts`` into ``out/<name>/``, print progress, write the report.

    ``jobs`` scripts run at once (each in its own process, so the numbers do not
    depend on it); progress lines appear as scripts finish, the report lists them
    in chapter order.  ``nproc`` > 1: the sections :func:`data_parallel` accepts run on
    that many processes each (and ``jobs`` is divided by ``nproc``), the others on one.
    Returns the list of status dicts (one per script, in order).
    """
    import nndl.app.report as report_mod   # not `from . import`: nndl's lazy __getattr__ would load paddle
    from concurrent.futures import ThreadPoolExecutor

    out = check_writable(Path(out).absolute())   # absolute: each script runs with its own folder as cwd
    n = len(scripts)
    jobs = max(1, int(jobs or 1))
    nproc = max(1, int(nproc or 1))
    if nproc > 1:
        jobs = max(1, jobs // nproc)
    if echo:
        jobs = 1   # interleaved echoes would be unreadable
    width = max(len(s.label) for s in scripts) if scripts else 0
    mode = "quick" if quick else "full"
    where = "the whole book" if chapter == "all" else (chapter or "the chapter")
    print(f"nndl: running {n} script(s) of {where} in {mode} mode into {out}"
          + (f", {jobs} at a time" if jobs > 1 else ""), file=stream)
    if nproc > 1:
        single = [s.label for s in scripts if not data_parallel(s)]
        print(f"nndl: {n - len(single)} section(s) on {nproc} processes each (paddle.distributed.launch)"
              + (f"; on one process (they do not train with RunnerV3): {', '.join(single)}" if single else ""),
              file=stream)
    results = {}
    started = time.time()
    lock = threading.Lock()

    def one(i, s):
        if jobs == 1:
            print(f"[{i:>{len(str(n))}}/{n}] {s.label:<{width}} {s.name} ...", end="" if not echo else "\n",
                  file=stream, flush=True)
        st = run_script(s, out / s.name, quick=quick, timeout=timeout, echo=echo,
                        nproc=nproc if nproc > 1 and data_parallel(s) else 1)
        with lock:
            results[s.name] = st
            tail = f"{st['status']} ({st['seconds']:.1f} s" + (f", {st['nproc']} processes)" if "nproc" in st else ")")
            if jobs == 1:
                print(f" {tail}" if not echo else f"    -> {tail}", file=stream, flush=True)
            else:
                # the script's own place in the book, not the order in which scripts finish
                print(f"[{i:>{len(str(n))}}/{n}] {s.label:<{width}} {s.name} ... {tail}",
                      file=stream, flush=True)
        return st

    try:
        if jobs == 1:
            for i, s in enumerate(scripts, 1):
                one(i, s)
        else:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                futures = [pool.submit(one, i, s) for i, s in enumerate(scripts, 1)]
                for f in futures:
                    f.result()
    finally:
        statuses = []
        for s in scripts:   # chapter order; interrupted (Ctrl-C): the rest are listed as not run
            statuses.append(results.get(s.name) or {
                "name": s.name, "label": s.label, "title": s.title, "kind": s.kind,
                "status": "not run", "returncode": None, "seconds": 0.0})
        paths = report_mod.write_report(out, statuses, chapter=chapter, quick=quick,
                                        command=command, started=started)
    failed = [st for st in statuses if st["status"] != "ok"]
    total = sum(st["seconds"] for st in statuses)
    wall = time.time() - started
    print(f"nndl: {n - len(failed)}/{n} ok in {wall:.1f} s ({total:.1f} s of script time); "
          f"report: {paths['html']} and {paths['markdown']}", file=stream)
    if failed:
        print("nndl: failed: " + ", ".join(f"{st['label']} {st['name']} ({st['status']}, see "
                                           f"{out / st['name'] / 'stderr.txt'})" for st in failed), file=stream)
    return statuses


def _split_tokens(values):
    tokens = []
    for v in values or []:
        tokens.extend(t for t in re.split(r"[,\s]+", v) if t)
    return tokens


def _cmd_list(args):
    """The whole book in order (chapters without scripts say so), or one chapter."""
    chapters = discover(args.chapters_dir)
    key = chapter_key(args.chapter) if args.chapter else "all"
    if key == "all":
        names = sorted(set(BOOK_CHAPTERS) | set(chapters), key=_chapter_order)
    else:
        select(chapters, key)   # unknown chapter or one without scripts: the usage error says which
        names = [key]
    for ch in names:
        title = BOOK_CHAPTERS.get(ch, "")
        scripts = chapters.get(ch, [])
        if not scripts:
            print(f"{ch} {title}: no scripts yet")
            continue
        print(f"{ch} {title}: {len(scripts)} script(s) in {scripts[0].path.parent}")
        width = max(len(s.label) for s in scripts)
        for s in scripts:
            print(f"  {s.label:<{width}}  {s.name:<36} {s.title}")
    return 0


def _cmd_run(args):
    chapters = discover(args.chapters_dir)
    scripts = select(chapters, args.chapter, _split_tokens(args.sections))
    key = chapter_key(args.chapter)
    out = Path(args.out) if args.out else Path("results") / key
    command = "python -m nndl " + " ".join(args.argv)
    if args.nproc < 1:
        raise UsageError(f"--nproc must be >= 1, got {args.nproc}")
    statuses = run_chapter(scripts, out, quick=not args.full, timeout=args.timeout, echo=args.verbose,
                           command=command, chapter=key, jobs=args.jobs, nproc=args.nproc)
    return 0 if all(st["status"] == "ok" for st in statuses) else 1


def _cmd_notebooks(args):
    import nndl.app.notebooks as notebooks
    try:
        import jupytext  # noqa: F401
        import nbformat  # noqa: F401
    except ImportError as exc:
        raise UsageError(f"notebooks need jupytext and nbformat ({exc.name} is not installed); "
                         "install them with: pip install \"nndl[notebooks]\" "
                         "(or pip install jupytext nbformat)") from None
    chapters_dir = Path(args.chapters_dir) if args.chapters_dir else default_chapters_dir()
    out = Path(args.out) if args.out else notebooks.default_notebooks_dir(chapters_dir)
    if args.check:
        problems = notebooks.check_notebooks(chapters_dir, out)
        for p in problems:
            print(p)
        if problems:
            print("nndl: notebooks out of date; regenerate with `python -m nndl notebooks`")
            return 1
        print(f"nndl: notebooks in {out} match the scripts in {chapters_dir}")
        return 0
    written, removed = notebooks.write_notebooks(chapters_dir, out)
    print(f"nndl: {len(written)} notebook(s) written to {out}" + (f", {len(removed)} stale removed" if removed else ""))
    return 0


def _cmd_doctor(args):
    import nndl.app.doctor as doctor
    return doctor.main(run_check=args.run_check)


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m nndl", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", metavar="{run,list,notebooks,doctor}")
    sub.required = True

    def chapters_opt(p):
        p.add_argument("--chapters-dir", default=None,
                       help="folder of the chapter scripts (default: $NNDL_CHAPTERS or the installed chapters)")

    p = sub.add_parser("run", help="run a chapter's sections and exercises in order and write a report")
    p.add_argument("chapter", help="all (the whole book), or a chapter: ch1 ... ch8")
    p.add_argument("--full", action="store_true", help="the book's sizes (default: quick mode, minutes on a CPU)")
    p.add_argument("--quick", action="store_true", help="quick mode (the default)")
    p.add_argument("--out", default=None, help="output folder (default: results/<chapter>)")
    p.add_argument("--sections", action="append", default=None,
                   help="only these, comma-separated: labels (7.3.1), prefixes (7.6), ex7.1, or script names")
    p.add_argument("--timeout", type=float, default=None, help="seconds allowed per script (default: no limit)")
    p.add_argument("-v", "--verbose", action="store_true", help="echo each script's output as it runs")
    p.add_argument("-j", "--jobs", type=int, default=default_jobs(),
                   help="scripts run at once, each in its own process (default: CPU cores, at most 4)")
    p.add_argument("--nproc", type=int, default=1,
                   help="processes per section for the sections that train with RunnerV3 (data-parallel "
                        "under paddle.distributed.launch: N GPUs, or N CPU processes over gloo; the others "
                        "run once); see docs/distributed.md")
    chapters_opt(p)
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("list", help="list the chapters' scripts in run order")
    p.add_argument("chapter", nargs="?", default=None)
    chapters_opt(p)
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("notebooks", help="generate notebooks/<name>.ipynb from the chapter scripts")
    p.add_argument("--out", default=None, help="notebook folder (default: notebooks/ beside the chapters folder)")
    p.add_argument("--check", action="store_true", help="only check that the notebooks match the scripts")
    chapters_opt(p)
    p.set_defaults(func=_cmd_notebooks)

    p = sub.add_parser("doctor", help="what this machine has for the book (paddle build, device, data, fonts) "
                                      "and what to do about each missing piece")
    p.add_argument("--run-check", action="store_true", help="also run paddle.utils.run_check()")
    p.set_defaults(func=_cmd_doctor)
    return parser


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = argv
    if getattr(args, "full", False) and getattr(args, "quick", False):
        parser.error("--full and --quick exclude each other")
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"nndl: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("nndl: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:   # `python -m nndl list | head`
        sys.stdout = open(os.devnull, "w")
        return 0
