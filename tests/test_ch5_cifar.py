"""Chapter 5.5: the CIFAR-10 loaders on generated batch files and on a generated archive."""
import pickle
import tarfile

import numpy as np
import pytest

from nndl import CIFAR10Dataset, load_cifar10_batch
from nndl.datasets import cifar
from nndl.datasets.base import DataNotFoundError


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return cifar.make_miniature(tmp_path_factory.mktemp("cifar") / "cifar-10-python.tar.gz", num_per_batch=12,
                                num_test=7)


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """nndl's cache and paddle's cache in empty folders."""
    monkeypatch.setenv("NNDL_DATA", str(tmp_path / "nndl"))
    monkeypatch.setattr("nndl.datasets.base.paddle_data_home", lambda: tmp_path / "paddle")
    return tmp_path


def _write_batch(path, data, labels):
    with open(path, "wb") as f:
        f.write(cifar._py2_pickle({"batch_label": "x", "labels": list(labels), "data": data,
                                   "filenames": [f"{i}.png" for i in range(len(labels))]}))


def test_load_batch_files_written_directly(tmp_path):
    rs = np.random.RandomState(0)
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    batches = {}
    for name in cifar.BATCH_FILES:
        n = 5 if name == "test_batch" else 3
        data = rs.randint(0, 256, size=(n, 3072)).astype(np.uint8)
        labels = rs.randint(0, 10, size=n)
        _write_batch(folder / name, data, labels)
        batches[name] = (data, labels)
    imgs, labels = load_cifar10_batch(folder, batch_id=2, mode='train')
    data, want = batches["data_batch_2"]
    assert imgs.shape == (3, 3, 32, 32) and imgs.dtype == np.float32
    assert labels.shape == (3,) and labels.dtype == np.int64
    # channel-major layout: the first 1024 values are the red plane
    np.testing.assert_array_equal(imgs[:, 0].reshape(3, -1), data[:, :1024] / np.float32(255.))
    np.testing.assert_array_equal(imgs.reshape(3, -1), data / np.float32(255.))
    np.testing.assert_array_equal(labels, want)
    imgs, labels = load_cifar10_batch(folder, mode='test')
    np.testing.assert_array_equal(labels, batches["test_batch"][1])
    assert imgs.shape == (5, 3, 32, 32)

    ds = CIFAR10Dataset(folder_path=folder, mode='train')
    # batches 1-4 (the printed code keeps 1 and 4 only)
    assert len(ds) == 12
    np.testing.assert_array_equal(ds.labels, np.concatenate([batches[f"data_batch_{i}"][1] for i in range(1, 5)]))
    from paddle.vision.transforms import Normalize
    norm = Normalize(mean=cifar.CIFAR10_MEAN, std=cifar.CIFAR10_STD, data_format='CHW')
    raw = batches["data_batch_3"][0][1].reshape(3, 32, 32).astype(np.float32) / np.float32(255.)
    img, label = ds[7]
    np.testing.assert_allclose(img, norm(raw), rtol=1e-6, atol=1e-6, equal_nan=False)
    assert label == batches["data_batch_3"][1][1]
    assert len(CIFAR10Dataset(folder_path=folder, mode='dev')) == 3
    assert len(CIFAR10Dataset(folder_path=folder, mode='test')) == 5


def test_miniature_archive_has_the_real_layout(archive, tmp_path):
    with tarfile.open(archive) as tar:
        names = sorted(tar.getnames())
    assert names == sorted(f"cifar-10-batches-py/{n}" for n in
                           cifar.BATCH_FILES + ("batches.meta", "readme.html"))
    folder = cifar.extract_cifar10(archive, tmp_path)
    assert folder == tmp_path / "cifar-10-batches-py"
    # the book reads with encoding='latin1' (str keys), paddle with encoding='bytes' (bytes keys)
    with open(folder / "data_batch_1", "rb") as f:
        book = pickle.load(f, encoding="latin1")
    with open(folder / "data_batch_1", "rb") as f:
        raw = pickle.load(f, encoding="bytes")
    assert set(book) == {"batch_label", "labels", "data", "filenames"}
    assert b"data" in raw and raw[b"data"].dtype == np.uint8 and raw[b"data"].shape == (12, 3072)
    np.testing.assert_array_equal(book["data"], raw[b"data"])
    imgs, labels = load_cifar10_batch(folder, batch_id=5, mode='dev')
    assert imgs.shape == (12, 3, 32, 32) and 0.0 <= imgs.min() and imgs.max() <= 1.0
    assert len(set(labels.tolist())) > 3
    assert load_cifar10_batch(folder, mode='test')[0].shape == (7, 3, 32, 32)


def test_paddle_cifar10_reads_the_miniature(archive):
    from paddle.vision.datasets import Cifar10
    train = Cifar10(data_file=str(archive), mode='train', download=False)
    test = Cifar10(data_file=str(archive), mode='test', download=False)
    assert len(train) == 5 * 12 and len(test) == 7
    image, label = train[0]
    assert np.asarray(image).shape == (32, 32, 3) and 0 <= int(label) < 10


def test_extraction_is_atomic_and_kept(archive, tmp_path):
    folder = cifar.extract_cifar10(archive, tmp_path)
    stamp = (folder / "test_batch").stat().st_mtime_ns
    assert cifar.extract_cifar10(archive, tmp_path) == folder          # complete folder kept
    assert (folder / "test_batch").stat().st_mtime_ns == stamp
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []   # no temporary left
    # an archive without the batches: an error, and no folder
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        tar.add(str(folder / "data_batch_1"), arcname="cifar-10-batches-py/data_batch_1")
    dest = tmp_path / "other"
    with pytest.raises(ValueError, match="has no cifar-10-batches-py/data_batch_2"):
        cifar.extract_cifar10(bad, dest)
    assert list(dest.iterdir()) == []


def test_cifar10_folder_sources(archive, isolated):
    # absent: the error names every source tried and how to supply the data
    with pytest.raises(DataNotFoundError) as err:
        cifar.cifar10_folder()
    assert "paddle cache" in str(err.value) and "cifar-10-python.tar.gz" in str(err.value)
    # a file with the right name but not the published archive (the miniature) is rejected
    (isolated / "paddle" / "cifar").mkdir(parents=True)
    (isolated / "paddle" / "cifar" / "cifar-10-python.tar.gz").write_bytes(archive.read_bytes())
    with pytest.raises(DataNotFoundError, match="checksum mismatch"):
        cifar.cifar10_folder()
    with pytest.raises(DataNotFoundError, match="checksum mismatch"):
        cifar.cifar10_folder(archive=archive)
    # an extracted folder is used as given; a folder missing batches is an error
    folder = cifar.extract_cifar10(archive, isolated / "x")
    assert cifar.cifar10_folder(folder) == folder
    (folder / "data_batch_3").unlink()
    with pytest.raises(DataNotFoundError, match="missing data_batch_3"):
        cifar.cifar10_folder(folder)


def test_cifar10_folder_extracts_a_verified_archive_into_the_cache(archive, isolated, monkeypatch):
    """With the checksum of the (generated) archive, the real path runs: locate, extract, reuse."""
    from nndl.datasets.base import DataFile, file_checksum
    spec = DataFile("cifar", "cifar-10-python.tar.gz", checksum="md5:" + file_checksum(archive, "md5"),
                    paddle_subdir="cifar", title="CIFAR-10")
    monkeypatch.setattr(cifar, "CIFAR10_FILE", spec)
    (isolated / "paddle" / "cifar").mkdir(parents=True)
    (isolated / "paddle" / "cifar" / "cifar-10-python.tar.gz").write_bytes(archive.read_bytes())
    folder = cifar.cifar10_folder()
    assert folder == isolated / "nndl" / "cifar" / "cifar-10-batches-py"
    (isolated / "paddle" / "cifar" / "cifar-10-python.tar.gz").unlink()
    assert cifar.cifar10_folder() == folder            # the extracted cache, no archive needed
    assert len(CIFAR10Dataset(mode='train')) == 4 * 12


def test_an_extracted_folder_in_nndl_data_is_used(archive, isolated):
    folder = cifar.extract_cifar10(archive, isolated / "nndl")     # $NNDL_DATA/cifar-10-batches-py
    assert cifar.cifar10_folder() == folder
    assert len(CIFAR10Dataset(mode='test')) == 7


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="mode must be 'train', 'dev' or 'test'"):
        load_cifar10_batch(tmp_path, mode='val')
    with pytest.raises(ValueError, match="batch_id must be 1..5"):
        load_cifar10_batch(tmp_path, batch_id=6)
    with pytest.raises(FileNotFoundError, match="data_batch_1 not found"):
        load_cifar10_batch(tmp_path, batch_id=1)
    (tmp_path / "data_batch_1").write_bytes(pickle.dumps({"data": np.zeros((2, 100), np.uint8), "labels": [0, 1]}))
    with pytest.raises(ValueError, match=r"expected \[n, 3072\]"):
        load_cifar10_batch(tmp_path, batch_id=1)
    with pytest.raises(ValueError, match="mode must be"):
        CIFAR10Dataset(folder_path=tmp_path, mode='all')
    with pytest.raises(ValueError, match="num_per_batch must be a positive int"):
        cifar.make_miniature(tmp_path / "m.tar.gz", num_per_batch=0)
