"""CIFAR-10 (book 5.5): ``load_cifar10_batch`` (5.5.1.2), ``CIFAR10Dataset`` (5.5.1.3).

The book extracts ``./datasets/cifar/cifar-10-python.tar.gz`` (the archive paddle's
``paddle.vision.datasets.Cifar10`` downloads, MD5 c58f30108f718f92721af3b95e74349a)
into ``cifar-10-batches-py/``: ``data_batch_1 .. data_batch_5`` and ``test_batch``,
each a pickled dict with ``data`` (uint8 ``[10000, 3072]``, channel-major) and
``labels`` (10,000 ints).  Batches 1-4 are the training set (40,000), batch 5 the
development set, ``test_batch`` the test set.

The archive is found through :mod:`nndl.datasets.base` (:data:`CIFAR10_FILE`): an
explicit path, ``$NNDL_DATA``, nndl's cache, paddle's cache
(``~/.cache/paddle/dataset/cifar``); nothing is downloaded unless asked
(``download=True``).  :func:`cifar10_folder` extracts the batches once into nndl's
cache, atomically (a temporary folder renamed into place).  :func:`make_miniature`
writes a small generated ``cifar-10-python.tar.gz`` with the real layout (tests and
quick mode when the data set is absent).

CIFAR-100 (动手练习 5.5) goes through the same code: ``cifar-100-python.tar.gz`` (paddle's
``Cifar100`` archive, MD5 eb9058c3a382ffc7106e4002c42a8d85, :data:`CIFAR100_FILE`) holds
``cifar-100-python/{train, test, meta}``: pickled dicts with ``data`` (uint8 ``[n, 3072]``),
``fine_labels`` (100 classes) and ``coarse_labels`` (20); ``meta`` has the label names.
:func:`cifar100_folder` finds and extracts it, :func:`load_cifar100` reads a split,
:class:`CIFAR100Dataset` splits ``train`` 40,000 / 10,000 as 5.5 does, and
:func:`make_miniature_cifar100` writes a generated archive in that format.
"""
import io
import os
import pickle
import shutil
import struct
import tarfile
import tempfile
from pathlib import Path

import numpy as np
import paddle.io

from .base import DataFile, DataNotFoundError, cache_dir, locate

__all__ = ["load_cifar10_batch", "CIFAR10Dataset", "cifar10_folder", "extract_cifar10",
           "make_miniature", "CIFAR10_FILE", "CIFAR10_MEAN", "CIFAR10_STD",
           "load_cifar100", "load_cifar100_meta", "CIFAR100Dataset", "cifar100_folder", "extract_cifar100",
           "make_miniature_cifar100", "CIFAR100_FILE"]
# IMDB and LCQMC have their own make_miniature
__local__ = ("make_miniature",)

FOLDER = "cifar-10-batches-py"
BATCH_FILES = tuple(f"data_batch_{i}" for i in range(1, 6)) + ("test_batch",)
# 5.5.1.3's Normalize
CIFAR10_MEAN = [0.4914, 0.4822, 0.4465]
CIFAR10_STD = [0.2023, 0.1994, 0.2010]
LABEL_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

CIFAR10_FILE = DataFile(
    "cifar", "cifar-10-python.tar.gz",
    checksum="md5:c58f30108f718f92721af3b95e74349a",
    paddle_subdir="cifar",
    url="https://dataset.bj.bcebos.com/cifar/cifar-10-python.tar.gz",
    title="CIFAR-10",
    how_to=("How to supply CIFAR-10 (163 MB): put cifar-10-python.tar.gz (the archive of "
            "https://www.cs.toronto.edu/~kriz/cifar.html, the one paddle.vision.datasets.Cifar10 "
            "downloads) into $NNDL_DATA or ~/.cache/paddle/dataset/cifar, or pass its path; on a "
            "machine with internet: cifar10_folder(download=True)."),
)


def _folder_complete(folder, names=BATCH_FILES):
    folder = Path(folder)
    return folder.is_dir() and all((folder / name).is_file() for name in names)


def _extract(archive, dest, folder_name, names, owner, what):
    """Extract the regular files ``folder_name/<name>`` of ``archive`` into ``dest/folder_name``,
    atomically (a temporary folder renamed into place); ``names`` must all be there."""
    dest = Path(dest)
    target = dest / folder_name
    if _folder_complete(target, names):
        return target
    dest.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder_name}.", dir=str(dest)))
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            for member in tar.getmembers():
                parts = Path(member.name).parts
                if not member.isfile() or len(parts) != 2 or parts[0] != folder_name:
                    continue
                with tar.extractfile(member) as src, open(tmp / parts[1], "wb") as dst:
                    shutil.copyfileobj(src, dst)
        missing = [name for name in names if not (tmp / name).is_file()]
        if missing:
            raise ValueError(f"{owner}: {archive} has no {folder_name}/{missing[0]} "
                             f"(missing: {', '.join(missing)}); is it {what}?")
        if target.exists() and not _folder_complete(target, names):
            shutil.rmtree(target, ignore_errors=True)   # a partial folder from elsewhere
        try:
            os.replace(tmp, target)
        except OSError:
            if not _folder_complete(target, names):   # not another process that finished first
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _find_folder(spec, folder_name, names, extract, folder_path, archive, download):
    """``folder_path`` checked; else an extracted folder in nndl's cache or ``$NNDL_DATA``; else the
    archive (``spec`` through :func:`locate`) extracted once into nndl's cache."""
    if folder_path is not None:
        if _folder_complete(folder_path, names):
            return Path(folder_path)
        missing = [n for n in names if not (Path(folder_path) / n).is_file()]
        raise DataNotFoundError(spec.title, folder_name,
                                [("folder_path", f"{folder_path}: missing {', '.join(missing)}")],
                                spec.how_to)
    if archive is None:
        # an extracted folder: nndl's cache ($NNDL_DATA/cifar/...), or one the user put in $NNDL_DATA
        folders = [cache_dir(spec.dataset) / folder_name]
        if os.environ.get("NNDL_DATA"):
            folders.append(Path(os.environ["NNDL_DATA"]).expanduser() / folder_name)
        for folder in folders:
            if _folder_complete(folder, names):
                return folder
    path = locate(spec, path=archive, download=download)
    try:
        return extract(path, cache_dir(spec.dataset))
    except OSError:
        # unwritable cache: extract beside nothing else, into a private temporary folder
        return extract(path, tempfile.mkdtemp(prefix=f"nndl-{spec.dataset}-"))


def extract_cifar10(archive, dest):
    """Extract the batch files of a ``cifar-10-python.tar.gz`` into ``dest/cifar-10-batches-py``.

    Only the regular files under ``cifar-10-batches-py/`` are written (no other paths,
    no links).  The folder appears at once (a temporary folder in ``dest`` renamed into
    place), so a concurrent or interrupted extraction never leaves a partial folder; an
    already complete folder is kept.

    输入:
        - archive: path of the ``.tar.gz`` (the real archive or :func:`make_miniature`'s)
        - dest: the folder that receives ``cifar-10-batches-py``
    输出:
        - Path of the ``cifar-10-batches-py`` folder
    """
    return _extract(archive, dest, FOLDER, BATCH_FILES, "extract_cifar10", "cifar-10-python.tar.gz")


def cifar10_folder(folder_path=None, archive=None, download=False):
    """The ``cifar-10-batches-py`` folder, extracted from the archive when needed.

    Looked for in this order: ``folder_path``; an extracted folder in nndl's cache
    (``$NNDL_DATA/cifar/cifar-10-batches-py`` or ``~/.cache/nndl/cifar/...``) or in
    ``$NNDL_DATA/cifar-10-batches-py``; else the archive (:data:`CIFAR10_FILE` through
    :func:`nndl.datasets.base.locate`), extracted once into nndl's cache.

    输入:
        - folder_path: an extracted folder to use (checked for the six batch files)
        - archive: an explicit ``cifar-10-python.tar.gz`` (its MD5 is checked)
        - download: True lets paddle's downloader fetch the archive when no offline source has it
    输出:
        - Path of a folder holding ``data_batch_1..5`` and ``test_batch``
    Raises :class:`nndl.datasets.base.DataNotFoundError` naming every source tried.
    """
    return _find_folder(CIFAR10_FILE, FOLDER, BATCH_FILES, extract_cifar10, folder_path, archive, download)


def load_cifar10_batch(folder_path, batch_id=1, mode='train'):
    """读取一个 batch 文件 (5.5.1.2).

    输入:
        - folder_path: the ``cifar-10-batches-py`` folder
        - batch_id: 1..5, the ``data_batch_<id>`` to read (ignored when ``mode='test'``)
        - mode: 'train' or 'dev' read ``data_batch_<batch_id>``; 'test' reads ``test_batch``
    输出:
        - imgs: float32 ``shape=[n, 3, 32, 32]``, pixel / 255
        - labels: int64 ``shape=[n]``
    """
    if mode not in ("train", "dev", "test"):
        raise ValueError(f"load_cifar10_batch: mode must be 'train', 'dev' or 'test', got {mode!r}")
    if mode == 'test':
        file_path = Path(folder_path) / 'test_batch'
    else:
        if not isinstance(batch_id, (int, np.integer)) or not 1 <= int(batch_id) <= 5:
            raise ValueError(f"load_cifar10_batch: batch_id must be 1..5, got {batch_id!r}")
        file_path = Path(folder_path) / f'data_batch_{int(batch_id)}'
    if not file_path.is_file():
        raise FileNotFoundError(f"load_cifar10_batch: {file_path} not found; folder_path must be the "
                                f"extracted {FOLDER} folder (nndl.datasets.cifar.cifar10_folder() finds "
                                f"or extracts it)")
    with open(file_path, 'rb') as batch_file:
        batch = pickle.load(batch_file, encoding='latin1')
    if not isinstance(batch, dict) or 'data' not in batch or 'labels' not in batch:
        raise ValueError(f"load_cifar10_batch: {file_path} is not a CIFAR-10 batch (a pickled dict "
                         f"with 'data' and 'labels')")
    data = np.asarray(batch['data'])
    labels = np.asarray(batch['labels'], dtype=np.int64)
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(labels) != len(data):
        raise ValueError(f"load_cifar10_batch: {file_path} holds data of shape {list(data.shape)} and "
                         f"{len(labels)} labels; expected [n, 3072] and n labels")
    imgs = data.reshape((len(data), 3, 32, 32)).astype(np.float32) / np.float32(255.)
    return imgs, labels


class CIFAR10Dataset(paddle.io.Dataset):
    """CIFAR-10 的 Dataset (5.5.1.3).

    输入:
        - folder_path: the ``cifar-10-batches-py`` folder; None (extra) finds it with
          :func:`cifar10_folder` (the book's default is ``/home/aistudio/cifar-10-batches-py``)
        - mode: 'train' (batches 1-4, 40,000 images), 'dev' (batch 5), 'test' (test_batch)
    __getitem__(idx): ``(img float32 [3, 32, 32], label int64)``, img normalized with
    ``Normalize(mean=[0.4914, 0.4822, 0.4465], std=[0.2023, 0.1994, 0.2010], data_format='CHW')``.

    The printed ``__init__`` concatenates after the loop over batches 2-4, so it keeps
    batches 1 and 4 only (20,000 images); here all four are kept.  The normalization is
    applied once to the whole array (the same arithmetic as the per-item ``Normalize``).
    """

    def __init__(self, folder_path=None, mode='train'):
        if mode not in ("train", "dev", "test"):
            raise ValueError(f"CIFAR10Dataset: mode must be 'train', 'dev' or 'test', got {mode!r}")
        folder = cifar10_folder(folder_path)
        self.mode = mode
        if mode == 'train':
            # 加载 batch1-batch4 作为训练集
            parts = [load_cifar10_batch(folder, batch_id=i, mode='train') for i in range(1, 5)]
            self.imgs = np.concatenate([p[0] for p in parts])
            self.labels = np.concatenate([p[1] for p in parts])
        elif mode == 'dev':
            self.imgs, self.labels = load_cifar10_batch(folder, batch_id=5, mode='dev')
        else:
            self.imgs, self.labels = load_cifar10_batch(folder, mode='test')
        mean = np.asarray(CIFAR10_MEAN, dtype=np.float32).reshape(1, 3, 1, 1)
        std = np.asarray(CIFAR10_STD, dtype=np.float32).reshape(1, 3, 1, 1)
        self.imgs -= mean
        self.imgs /= std

    def __getitem__(self, idx):
        return self.imgs[idx], self.labels[idx]

    def __len__(self):
        return len(self.imgs)


class _Py2Pickler(pickle._Pickler):
    """Writes ``str`` and ``bytes`` as python 2 byte strings (SHORT_BINSTRING/BINSTRING), as the published
    batches do: read with ``encoding='latin1'`` (the book) they are ``str``, with
    ``encoding='bytes'`` (paddle's Cifar10) ``bytes``, exactly as for the real files."""
    dispatch = pickle._Pickler.dispatch.copy()

    def _save_py2_str(self, obj):
        data = obj.encode('latin1') if isinstance(obj, str) else bytes(obj)
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack('<i', len(data)) + data)
        self.memoize(obj)

    dispatch[str] = _save_py2_str
    # numpy's array state holds its raw bytes: a python 2 str in the published files too
    dispatch[bytes] = _save_py2_str


def _py2_pickle(obj):
    buf = io.BytesIO()
    _Py2Pickler(buf, protocol=2).dump(obj)
    return buf.getvalue()


def make_miniature(path, num_per_batch=100, num_test=None, seed=0):
    """Write a generated ``cifar-10-python.tar.gz`` in the real format (tests, quick mode).

    The archive holds ``cifar-10-batches-py/{data_batch_1..5, test_batch, batches.meta,
    readme.html}``; each batch is a pickled dict with ``batch_label``, ``labels``,
    ``data`` (uint8 ``[n, 3072]``) and ``filenames``, as in the published archive, so
    :func:`extract_cifar10`, :func:`load_cifar10_batch` and paddle's
    ``Cifar10(data_file=...)`` read it.  The images are learnable: each class has its own
    colour and stripe orientation, plus noise.

    输入:
        - path: the ``.tar.gz`` to write (written atomically)
        - num_per_batch: images in each data batch; num_test: in test_batch (default the same)
        - seed: the generator's seed
    输出:
        - Path of the archive
    """
    num_test = num_per_batch if num_test is None else num_test
    for name, n in (("num_per_batch", num_per_batch), ("num_test", num_test)):
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"make_miniature: {name} must be a positive int, got {n!r}")
    rng = np.random.default_rng(seed)
    palette = rng.integers(40, 216, size=(10, 3))

    def batch(n, label):
        labels = rng.integers(0, 10, size=n)
        data = _draw_images(rng, labels, palette, np.pi * np.arange(10) / 10)
        return {"batch_label": label, "labels": [int(v) for v in labels], "data": data,
                "filenames": [f"generated_{label.replace(' ', '_')}_{i}.png" for i in range(n)]}

    files = {f"data_batch_{i}": batch(num_per_batch, f"training batch {i} of 5") for i in range(1, 6)}
    files["test_batch"] = batch(num_test, "testing batch 1 of 1")
    files["batches.meta"] = {"num_cases_per_batch": num_per_batch, "label_names": LABEL_NAMES,
                             "num_vis": 3072}
    return _write_archive(path, FOLDER, files, {
        "readme.html": b"<p>generated miniature of CIFAR-10 (nndl.datasets.cifar.make_miniature)</p>\n"})


def _draw_images(rng, labels, palette, angles):
    """Learnable generated images: class c has colour ``palette[c]`` and stripes at ``angles[c]``,
    plus noise; uint8 ``[n, 3072]``, channel-major as the published batches."""
    yy, xx = np.mgrid[0:32, 0:32]
    imgs = np.empty((len(labels), 3, 32, 32), dtype=np.float64)
    for i, c in enumerate(labels):
        angle = angles[c]
        stripes = np.sin((xx * np.cos(angle) + yy * np.sin(angle)) * 0.6)
        imgs[i] = palette[c][:, None, None] + 35 * stripes + rng.normal(0, 20, size=(3, 32, 32))
    return np.clip(imgs, 0, 255).astype(np.uint8).reshape(len(labels), 3072)


def _write_archive(path, folder, pickled, raw):
    """Write ``path`` (a .tar.gz, atomically) holding ``folder/<name>``: each of ``pickled`` as a
    python 2 pickle, each of ``raw`` as given."""
    from .base import atomic_write
    path = Path(path)
    with atomic_write(path) as f:
        with tarfile.open(fileobj=f, mode="w:gz") as tar:
            def add(name, payload):
                info = tarfile.TarInfo(f"{folder}/{name}")
                info.size = len(payload)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(payload))
            for name, content in pickled.items():
                add(name, _py2_pickle(content))
            for name, payload in raw.items():
                add(name, payload)
    return path


# ---------------------------------------------------------------------------------------------
# CIFAR-100 (动手练习 5.5): the same mechanism for the published cifar-100-python.tar.gz

CIFAR100_FOLDER = "cifar-100-python"
CIFAR100_FILES = ("train", "test", "meta")

CIFAR100_FILE = DataFile(
    "cifar", "cifar-100-python.tar.gz",
    checksum="md5:eb9058c3a382ffc7106e4002c42a8d85",
    paddle_subdir="cifar",
    url="https://dataset.bj.bcebos.com/cifar/cifar-100-python.tar.gz",
    title="CIFAR-100",
    how_to=("How to supply CIFAR-100 (161 MB): put cifar-100-python.tar.gz (the archive of "
            "https://www.cs.toronto.edu/~kriz/cifar.html, the one paddle.vision.datasets.Cifar100 "
            "downloads) into $NNDL_DATA or ~/.cache/paddle/dataset/cifar, or pass its path; on a "
            "machine with internet: cifar100_folder(download=True)."),
)


def extract_cifar100(archive, dest):
    """Extract ``train``, ``test`` and ``meta`` of a ``cifar-100-python.tar.gz`` into
    ``dest/cifar-100-python``, atomically, as :func:`extract_cifar10` does.

    输入:
        - archive: path of the ``.tar.gz`` (the real archive or :func:`make_miniature_cifar100`'s)
        - dest: the folder that receives ``cifar-100-python``
    输出:
        - Path of the ``cifar-100-python`` folder
    """
    return _extract(archive, dest, CIFAR100_FOLDER, CIFAR100_FILES, "extract_cifar100",
                    "cifar-100-python.tar.gz")


def cifar100_folder(folder_path=None, archive=None, download=False):
    """The ``cifar-100-python`` folder, extracted from the archive when needed; the sources and
    their order are those of :func:`cifar10_folder` (:data:`CIFAR100_FILE`, md5
    eb9058c3a382ffc7106e4002c42a8d85).

    输入:
        - folder_path: an extracted folder to use (checked for ``train``, ``test``, ``meta``)
        - archive: an explicit ``cifar-100-python.tar.gz`` (its MD5 is checked)
        - download: True lets paddle's downloader fetch the archive when no offline source has it
    输出:
        - Path of a folder holding ``train``, ``test`` and ``meta``
    Raises :class:`nndl.datasets.base.DataNotFoundError` naming every source tried.
    """
    return _find_folder(CIFAR100_FILE, CIFAR100_FOLDER, CIFAR100_FILES, extract_cifar100, folder_path,
                        archive, download)


def _load_pickle(path, owner, keys):
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{owner}: {path} not found; folder_path must be the extracted "
                                f"{CIFAR100_FOLDER} folder (nndl.datasets.cifar.cifar100_folder() finds "
                                f"or extracts it)")
    with open(path, 'rb') as f:
        content = pickle.load(f, encoding='latin1')
    if not isinstance(content, dict) or any(k not in content for k in keys):
        raise ValueError(f"{owner}: {path} is not a CIFAR-100 file (a pickled dict with "
                         f"{', '.join(repr(k) for k in keys)})")
    return content


def load_cifar100(folder_path, mode='train', label_mode='fine'):
    """读取 CIFAR-100 的 ``train`` 或 ``test`` 文件 (动手练习 5.5; 与 5.5.1.2 的 ``load_cifar10_batch`` 同样的输出).

    输入:
        - folder_path: the ``cifar-100-python`` folder
        - mode: 'train' (50,000 images) or 'test' (10,000)
        - label_mode: 'fine' (100 classes, ``fine_labels``) or 'coarse' (20 superclasses)
    输出:
        - imgs: float32 ``shape=[n, 3, 32, 32]``, pixel / 255
        - labels: int64 ``shape=[n]``
    """
    if mode not in ("train", "test"):
        raise ValueError(f"load_cifar100: mode must be 'train' or 'test', got {mode!r}")
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f"load_cifar100: label_mode must be 'fine' or 'coarse', got {label_mode!r}")
    key = f"{label_mode}_labels"
    path = Path(folder_path) / mode
    content = _load_pickle(path, "load_cifar100", ("data", key))
    data = np.asarray(content['data'])
    labels = np.asarray(content[key], dtype=np.int64)
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(labels) != len(data):
        raise ValueError(f"load_cifar100: {path} holds data of shape {list(data.shape)} and "
                         f"{len(labels)} labels; expected [n, 3072] and n labels")
    imgs = data.reshape((len(data), 3, 32, 32)).astype(np.float32) / np.float32(255.)
    return imgs, labels


def load_cifar100_meta(folder_path):
    """``(fine_label_names, coarse_label_names)`` of the ``meta`` file: 100 and 20 names."""
    content = _load_pickle(Path(folder_path) / "meta", "load_cifar100_meta",
                           ("fine_label_names", "coarse_label_names"))
    return list(content["fine_label_names"]), list(content["coarse_label_names"])


class CIFAR100Dataset(paddle.io.Dataset):
    """CIFAR-100 的 Dataset (动手练习 5.5), split and normalized as 5.5.1.3's ``CIFAR10Dataset``.

    输入:
        - folder_path: the ``cifar-100-python`` folder; None finds it with :func:`cifar100_folder`
        - mode: 'train' (the first 40,000 of ``train``), 'dev' (its last 10,000), 'test' (``test``)
          - CIFAR-100 has no development set; this keeps 5.5's 40,000 / 10,000 / 10,000
        - label_mode: 'fine' (100 classes) or 'coarse' (20)
        - num_dev: images of ``train`` kept for 'dev' (10,000; a miniature has fewer images)
        - mean, std: the per-channel normalization; the book's CIFAR-10 values by default, so
          the two data sets go through the same 5.5 pipeline
    __getitem__(idx): ``(img float32 [3, 32, 32], label int64)``.
    """

    def __init__(self, folder_path=None, mode='train', label_mode='fine', num_dev=10000,
                 mean=CIFAR10_MEAN, std=CIFAR10_STD):
        if mode not in ("train", "dev", "test"):
            raise ValueError(f"CIFAR100Dataset: mode must be 'train', 'dev' or 'test', got {mode!r}")
        if isinstance(num_dev, bool) or not isinstance(num_dev, (int, np.integer)) or num_dev < 1:
            raise ValueError(f"CIFAR100Dataset: num_dev must be a positive int, got {num_dev!r}")
        folder = cifar100_folder(folder_path)
        self.mode = mode
        imgs, labels = load_cifar100(folder, mode='test' if mode == 'test' else 'train', label_mode=label_mode)
        if mode != 'test':
            if num_dev >= len(imgs):
                raise ValueError(f"CIFAR100Dataset: num_dev={num_dev} leaves no training images of {len(imgs)}")
            cut = len(imgs) - int(num_dev)
            imgs, labels = (imgs[:cut], labels[:cut]) if mode == 'train' else (imgs[cut:], labels[cut:])
        self.imgs, self.labels = np.ascontiguousarray(imgs), labels
        self.imgs -= np.asarray(mean, dtype=np.float32).reshape(1, 3, 1, 1)
        self.imgs /= np.asarray(std, dtype=np.float32).reshape(1, 3, 1, 1)

    def __getitem__(self, idx):
        return self.imgs[idx], self.labels[idx]

    def __len__(self):
        return len(self.imgs)


def make_miniature_cifar100(path, num_train=500, num_test=100, seed=0):
    """Write a generated ``cifar-100-python.tar.gz`` in the real format (tests, quick mode).

    The archive holds ``cifar-100-python/{train, test, meta, file.txt~}``: ``train`` and ``test``
    are pickled dicts with ``filenames``, ``batch_label``, ``fine_labels``, ``coarse_labels`` and
    ``data`` (uint8 ``[n, 3072]``); ``meta`` has ``fine_label_names`` (100) and
    ``coarse_label_names`` (20); python 2 pickles as published, so :func:`load_cifar100` and
    paddle's ``Cifar100(data_file=...)`` read them.  Each fine class has its own colour and stripe
    orientation (plus noise); its coarse class is ``fine // 5`` (the real grouping differs).

    输入:
        - path: the ``.tar.gz`` to write (written atomically)
        - num_train, num_test: images in ``train`` and ``test``
        - seed: the generator's seed
    输出:
        - Path of the archive
    """
    for name, n in (("num_train", num_train), ("num_test", num_test)):
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"make_miniature_cifar100: {name} must be a positive int, got {n!r}")
    rng = np.random.default_rng(seed)
    palette = rng.integers(40, 216, size=(100, 3))
    angles = np.pi * (np.arange(100) % 10) / 10

    def split(n, label):
        fine = rng.integers(0, 100, size=n)
        return {"filenames": [f"generated_{label}_{i}.png" for i in range(n)], "batch_label": f"{label} batch 1 of 1",
                "fine_labels": [int(v) for v in fine], "coarse_labels": [int(v) // 5 for v in fine],
                "data": _draw_images(rng, fine, palette, angles)}

    files = {"train": split(num_train, "training"), "test": split(num_test, "testing"),
             "meta": {"fine_label_names": [f"fine_{i:02d}" for i in range(100)],
                      "coarse_label_names": [f"coarse_{i:02d}" for i in range(20)]}}
    return _write_archive(path, CIFAR100_FOLDER, files, {
        "file.txt~": b"generated miniature of CIFAR-100 (nndl.datasets.cifar.make_miniature_cifar100)\n"})
