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
           "make_miniature", "CIFAR10_FILE", "CIFAR10_MEAN", "CIFAR10_STD"]
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


def _folder_complete(folder):
    folder = Path(folder)
    return folder.is_dir() and all((folder / name).is_file() for name in BATCH_FILES)


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
    dest = Path(dest)
    target = dest / FOLDER
    if _folder_complete(target):
        return target
    dest.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{FOLDER}.", dir=str(dest)))
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            for member in tar.getmembers():
                parts = Path(member.name).parts
                if not member.isfile() or len(parts) != 2 or parts[0] != FOLDER:
                    continue
                with tar.extractfile(member) as src, open(tmp / parts[1], "wb") as dst:
                    shutil.copyfileobj(src, dst)
        missing = [name for name in BATCH_FILES if not (tmp / name).is_file()]
        if missing:
            raise ValueError(f"extract_cifar10: {archive} has no {FOLDER}/{missing[0]} "
                             f"(missing: {', '.join(missing)}); is it cifar-10-python.tar.gz?")
        if target.exists() and not _folder_complete(target):
            shutil.rmtree(target, ignore_errors=True)   # a partial folder from elsewhere
        try:
            os.replace(tmp, target)
        except OSError:
            if not _folder_complete(target):   # not another process that finished first
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


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
    if folder_path is not None:
        if _folder_complete(folder_path):
            return Path(folder_path)
        missing = [n for n in BATCH_FILES if not (Path(folder_path) / n).is_file()]
        raise DataNotFoundError(CIFAR10_FILE.title, FOLDER,
                                [("folder_path", f"{folder_path}: missing {', '.join(missing)}")],
                                CIFAR10_FILE.how_to)
    if archive is None:
        # an extracted folder: nndl's cache ($NNDL_DATA/cifar/...), or one the user put in $NNDL_DATA
        folders = [cache_dir(CIFAR10_FILE.dataset) / FOLDER]
        if os.environ.get("NNDL_DATA"):
            folders.append(Path(os.environ["NNDL_DATA"]).expanduser() / FOLDER)
        for folder in folders:
            if _folder_complete(folder):
                return folder
    path = locate(CIFAR10_FILE, path=archive, download=download)
    try:
        return extract_cifar10(path, cache_dir(CIFAR10_FILE.dataset))
    except OSError:
        # unwritable cache: extract beside nothing else, into a private temporary folder
        return extract_cifar10(path, tempfile.mkdtemp(prefix="nndl-cifar-"))


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
    yy, xx = np.mgrid[0:32, 0:32]

    def batch(n, label):
        labels = rng.integers(0, 10, size=n)
        imgs = np.empty((n, 3, 32, 32), dtype=np.float64)
        for i, c in enumerate(labels):
            angle = np.pi * c / 10
            stripes = np.sin((xx * np.cos(angle) + yy * np.sin(angle)) * 0.6)
            imgs[i] = palette[c][:, None, None] + 35 * stripes + rng.normal(0, 20, size=(3, 32, 32))
        data = np.clip(imgs, 0, 255).astype(np.uint8).reshape(n, 3072)
        return {"batch_label": label, "labels": [int(v) for v in labels], "data": data,
                "filenames": [f"generated_{label.replace(' ', '_')}_{i}.png" for i in range(n)]}

    files = {f"data_batch_{i}": batch(num_per_batch, f"training batch {i} of 5") for i in range(1, 6)}
    files["test_batch"] = batch(num_test, "testing batch 1 of 1")
    files["batches.meta"] = {"num_cases_per_batch": num_per_batch, "label_names": LABEL_NAMES,
                             "num_vis": 3072}
    path = Path(path)
    from .base import atomic_write
    with atomic_write(path) as f:
        with tarfile.open(fileobj=f, mode="w:gz") as tar:
            def add(name, payload):
                info = tarfile.TarInfo(f"{FOLDER}/{name}")
                info.size = len(payload)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(payload))
            for name, content in files.items():
                add(name, _py2_pickle(content))
            add("readme.html", b"<p>generated miniature of CIFAR-10 (nndl.datasets.cifar.make_miniature)</p>\n")
    return path
