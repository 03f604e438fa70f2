"""One mechanism for every data set of the book: find a file, check it, cache it atomically.

A data set describes each file it needs with a :class:`DataFile` (its name, its
checksum, where paddle's cache keeps it, which registry package ships it, the
published URL, and how a user supplies it).  :func:`locate` then tries the
sources in this fixed order and returns the first file whose checksum matches:

1. an explicit ``path`` given by the caller (if it is given, only that; a wrong
   file there is an error, never silently replaced by another source);
2. ``$NNDL_DATA/<file>`` and ``$NNDL_DATA/<dataset>/<file>``;
3. nndl's own cache, :func:`cache_dir` (``$NNDL_DATA/<dataset>`` or
   ``~/.cache/nndl/<dataset>``);
4. paddle's dataset cache (``~/.cache/paddle/dataset/<subdir>/<file>``);
5. a file shipped inside an installed registry package (read in place, its code is
   never imported);
6. a download into paddle's cache, only when ``download=True`` (or, for data sets
   whose :attr:`DataFile.auto_download` is set, when ``download=None`` and the
   server answers a short probe).

A file that exists but fails its checksum (truncated, corrupt, another version)
is reported and skipped; a corrupt file in nndl's own cache is removed.  When
nothing matches, :class:`DataNotFoundError` names every source tried, what was
wrong with each, and how to supply the data.

Caches are written atomically (:func:`atomic_write`: a temporary file in the same
folder, flushed, then ``os.replace``), so two processes filling one cache at the
same time both end with a complete file, and an interrupted write leaves no
partial file behind.  An unwritable cache is not an error: the data is used from
its source and a warning names the cache that could not be written.
"""
import contextlib
import hashlib
import os
import socket
import tempfile
import warnings
from pathlib import Path

__all__ = [
    "DataFile", "DataNotFoundError", "locate", "cached", "data_home", "cache_dir",
    "paddle_data_home", "package_file", "file_checksum", "verify_file", "atomic_write", "probe",
    "standin_notice", "sample_examples",
]


class DataNotFoundError(FileNotFoundError):
    """No source gave a valid copy of a data file.

    Attributes: ``dataset``, ``filename``, ``tried`` (list of ``(source, detail)``),
    ``how_to`` (text).  ``str(err)`` says all of it.
    """

    def __init__(self, dataset, filename, tried, how_to=""):
        self.dataset, self.filename, self.tried, self.how_to = dataset, filename, list(tried), how_to
        lines = [f"{dataset}: no valid copy of {filename} found. Sources tried, in order:"]
        lines += [f"  {i}. {source}: {detail}" for i, (source, detail) in enumerate(self.tried, 1)]
        if how_to:
            lines.append(how_to.rstrip())
        self.message = "\n".join(lines)
        super().__init__(self.message)

    def __str__(self):   # OSError would format its four constructor arguments as errno/strerror
        return self.message

    def __reduce__(self):  # picklable across DataLoader workers
        return (type(self), (self.dataset, self.filename, self.tried, self.how_to))


class DataFile(object):
    """One file of a data set and everywhere it may be found.

    输入:
        - dataset: the data set's folder name (``'cifar'``, ``'imdb'``): nndl's cache is
          ``cache_dir(dataset)``
        - filename: the file's published name (``'cifar-10-python.tar.gz'``)
        - checksum: ``'sha256:<hex>'`` or ``'md5:<hex>'`` (paddle publishes MD5s); None
          accepts any file that exists (only for files that have no published version)
        - paddle_subdir: the folder of paddle's cache that holds it (``'cifar'``)
        - package: ``(distribution, 'path/inside/it')`` of a registry package that ships it
        - url: where paddle's downloader fetches it
        - title: the data set's name in messages (``'CIFAR-10'``)
        - how_to: how a user supplies the file (appended to the error)
        - auto_download: with ``download=None``, probe the server and download when it
          answers (MNIST, as paddle does); False: download only when asked
    """

    def __init__(self, dataset, filename, checksum=None, paddle_subdir=None, package=None, url=None,
                 title=None, how_to="", auto_download=False):
        if checksum is not None:
            algo, _, digest = str(checksum).partition(":")
            if algo not in ("sha256", "md5") or not digest:
                raise ValueError(f"DataFile {filename}: checksum must be 'sha256:<hex>' or 'md5:<hex>', "
                                 f"got {checksum!r}")
        self.dataset, self.filename, self.checksum = dataset, filename, checksum
        self.paddle_subdir, self.package, self.url = paddle_subdir, package, url
        self.title = title or dataset
        self.how_to = how_to
        self.auto_download = auto_download

    def __repr__(self):
        return f"DataFile({self.dataset!r}, {self.filename!r})"


def data_home():
    """nndl's data root: ``$NNDL_DATA`` when set, else ``~/.cache/nndl``."""
    base = os.environ.get("NNDL_DATA")
    return Path(base).expanduser() if base else Path.home() / ".cache" / "nndl"


def cache_dir(dataset):
    """nndl's cache folder of one data set (``data_home()/dataset``); not created here."""
    return data_home() / dataset


def paddle_data_home():
    """paddle's dataset cache (``paddle.dataset.common.DATA_HOME``, ``~/.cache/paddle/dataset``)."""
    try:
        from paddle.dataset.common import DATA_HOME
        return Path(DATA_HOME)
    except Exception:  # paddle's layout changed: its documented default
        return Path.home() / ".cache" / "paddle" / "dataset"


def package_file(distribution, relpath):
    """Path of ``relpath`` inside the installed ``distribution``, found through its file
    list (the package is never imported), or None when it is not installed or lacks it."""
    try:
        import importlib.metadata as metadata
        files = metadata.files(distribution) or ()
    except Exception:
        return None
    want = tuple(Path(relpath).parts)
    for f in files:
        if tuple(f.parts[-len(want):]) == want:
            path = Path(f.locate())
            if path.is_file():
                return path
    return None


def file_checksum(path, algo="sha256"):
    h = hashlib.new(algo)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_file(path, checksum):
    """None when ``path`` matches ``checksum`` (or no checksum is given), else what is wrong."""
    path = Path(path)
    if not path.is_file():
        return "not found"
    if checksum is None:
        return None
    algo, _, digest = checksum.partition(":")
    try:
        got = file_checksum(path, algo)
    except OSError as exc:
        return f"unreadable ({exc})"
    if got != digest.lower():
        return (f"checksum mismatch ({algo} {got[:12]}..., expected {digest[:12]}...; "
                f"{path.stat().st_size} bytes: truncated, corrupt or another version)")
    return None


@contextlib.contextmanager
def atomic_write(path, mode="wb"):
    """Write ``path`` atomically: ``with atomic_write(p) as f: f.write(...)``.

    The data goes to a temporary file in the same folder, is flushed to disk, and
    replaces ``path`` in one ``os.replace``; on any error the temporary file is removed
    and ``path`` is untouched.  The folder is created when missing.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    try:
        with os.fdopen(fd, mode) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def probe(url, timeout=3.0):
    """True when the host of ``url`` accepts a TCP connection within ``timeout`` seconds
    (in a thread: a DNS lookup can hang longer than the socket's own timeout)."""
    import threading
    from urllib.parse import urlparse
    parsed = urlparse(url)
    if not parsed.hostname:
        return False
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    result = []

    def connect():
        try:
            socket.create_connection((parsed.hostname, port), timeout=timeout).close()
            result.append(True)
        except OSError:
            pass

    t = threading.Thread(target=connect, daemon=True)
    t.start()
    t.join(timeout)
    return bool(result)


def _download(spec):
    """paddle's downloader into paddle's cache; returns the path (checked by the caller)."""
    from paddle.dataset.common import download
    md5 = spec.checksum.partition(":")[2] if spec.checksum and spec.checksum.startswith("md5:") else None
    return Path(download(spec.url, spec.paddle_subdir or spec.dataset, md5))


def _candidates(spec):
    """(source label, path) in the fixed order; the explicit path is handled by locate()."""
    out = []
    env = os.environ.get("NNDL_DATA")
    if env:
        base = Path(env).expanduser()
        out.append(("$NNDL_DATA", base / spec.filename))
        out.append(("$NNDL_DATA", base / spec.dataset / spec.filename))
    own = cache_dir(spec.dataset) / spec.filename
    if not any(p == own for _, p in out):
        out.append(("nndl cache", own))
    if spec.paddle_subdir:
        out.append(("paddle cache", paddle_data_home() / spec.paddle_subdir / spec.filename))
    return out


def locate(spec, path=None, download=None):
    """The verified path of ``spec``'s file, from the first source that has a good copy.

    输入:
        - spec: a :class:`DataFile`
        - path: an explicit file to use (only that one is tried)
        - download: True downloads when no offline source has the file; False never;
          None downloads only for ``spec.auto_download`` data sets whose server answers
    Raises :class:`DataNotFoundError` naming every source tried.
    """
    tried = []
    if path is not None:
        problem = verify_file(path, spec.checksum)
        if problem is None:
            return Path(path)
        raise DataNotFoundError(spec.title, spec.filename, [("explicit path", f"{path}: {problem}")],
                                spec.how_to)
    seen = set()
    for source, candidate in _candidates(spec):
        if candidate in seen:
            continue
        seen.add(candidate)
        problem = verify_file(candidate, spec.checksum)
        if problem is None:
            return candidate
        tried.append((source, f"{candidate}: {problem}"))
        if source == "nndl cache" and problem != "not found":
            with contextlib.suppress(OSError):   # our own bad copy: rebuilt next time, never used
                candidate.unlink()
    if spec.package:
        dist, rel = spec.package
        found = package_file(dist, rel)
        if found is None:
            tried.append((f"package {dist}", f"not installed, or it has no {rel}"))
        else:
            problem = verify_file(found, spec.checksum)
            if problem is None:
                return found
            tried.append((f"package {dist}", f"{found}: {problem}"))
    if spec.url:
        want = download if download is not None else (spec.auto_download and probe(spec.url))
        if want:
            try:
                got = _download(spec)
                problem = verify_file(got, spec.checksum)
                if problem is None:
                    return got
                tried.append(("download", f"{spec.url}: {problem}"))
            except Exception as exc:  # no network, server error: reported with the rest
                tried.append(("download", f"{spec.url}: {type(exc).__name__}: {exc}"))
        else:
            if download is False:
                reason = "download=False"
            elif spec.auto_download:
                reason = "server not reachable (3 s probe)"
            else:
                reason = "not asked (pass download=True)"
            tried.append(("download", f"{spec.url}: {reason}"))
    raise DataNotFoundError(spec.title, spec.filename, tried, spec.how_to)


def cached(dataset, filename, build, checksum=None):
    """Path of nndl's cached ``filename``, built once by ``build(file_object)`` when missing.

    The cache file is written with :func:`atomic_write`; when ``checksum`` is given a
    cached copy that does not match is removed and rebuilt.  When the cache cannot be
    written (read-only folder, full disk), the data is built into a temporary file
    instead, a warning names the cache, and that file's path is returned.
    """
    path = cache_dir(dataset) / filename
    if path.is_file():
        problem = verify_file(path, checksum)
        if problem is None:
            return path
        with contextlib.suppress(OSError):
            path.unlink()
    try:
        with atomic_write(path) as f:
            build(f)
    except OSError as exc:
        warnings.warn(f"nndl: cannot write the {dataset} cache {path} ({exc}); "
                      "using a temporary copy (set NNDL_DATA to a writable folder)", RuntimeWarning)
        fd, tmp = tempfile.mkstemp(prefix=f"nndl-{dataset}-", suffix=f"-{filename}")
        with os.fdopen(fd, "wb") as f:
            build(f)
        path = Path(tmp)
    problem = verify_file(path, checksum)
    if problem is not None:
        raise ValueError(f"{dataset}: the freshly built {filename} does not verify: {problem}")
    return path


def standin_notice(title, error=None, how_to=None):
    """The line a quick-mode section prints (and its report shows) when it runs on a
    generated miniature in the real format instead of the real data."""
    how = how_to if how_to is not None else (getattr(error, "how_to", "") or "")
    how = " ".join(how.split())
    return (f"synthetic stand-in: {title} not found; this section ran on a generated miniature in "
            f"the real file format, so its numbers are not the book's." + (f" To supply it: {how}" if how else ""))


def sample_examples(examples, n, seed=0):
    """A fixed random sample of ``n`` examples, kept in their original order (quick mode on a
    real data set: the published files are often sorted by label, so a prefix would hold one
    class).  ``n=None`` or ``n >= len(examples)`` returns ``examples`` unchanged."""
    if n is None or len(examples) <= n:
        return examples
    if n < 0:
        raise ValueError(f"sample_examples: n must be >= 0, got {n}")
    import numpy as np
    keep = np.sort(np.random.RandomState(seed).choice(len(examples), n, replace=False))
    return [examples[i] for i in keep]
