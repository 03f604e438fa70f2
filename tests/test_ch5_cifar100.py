"""动手练习 5.5: the CIFAR-100 loader on a generated archive in the published format, through the
same mechanism as CIFAR-10 (checksum, sources, atomic extraction, one DataNotFoundError)."""
import pickle
import tarfile

import numpy as np
import pytest

from nndl import CIFAR100Dataset, load_cifar100, load_cifar100_meta
from nndl.datasets import cifar
from nndl.datasets.base import DataFile, DataNotFoundError, file_checksum


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return cifar.make_miniature_cifar100(tmp_path_factory.mktemp("cifar100") / "cifar-100-python.tar.gz",
                                         num_train=60, num_test=15)


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """nndl's cache and paddle's cache in empty folders."""
    monkeypatch.setenv("NNDL_DATA", str(tmp_path / "nndl"))
    monkeypatch.setattr("nndl.datasets.base.paddle_data_home", lambda: tmp_path / "paddle")
    return tmp_path


def test_published_checksum_and_names():
    assert cifar.CIFAR100_FILE.checksum == "md5:eb9058c3a382ffc7106e4002c42a8d85"
    assert cifar.CIFAR100_FILE.filename == "cifar-100-python.tar.gz"
    assert cifar.CIFAR100_FILE.paddle_subdir == "cifar"     # where paddle's Cifar100 keeps it


def test_miniature_has_the_published_layout(archive, tmp_path):
    with tarfile.open(archive) as tar:
        names = sorted(tar.getnames())
    assert names == sorted(f"cifar-100-python/{n}" for n in ("train", "test", "meta", "file.txt~"))
    folder = cifar.extract_cifar100(archive, tmp_path)
    assert folder == tmp_path / "cifar-100-python"
    # python 2 pickles: str keys with encoding='latin1', bytes keys with encoding='bytes' (paddle)
    with open(folder / "train", "rb") as f:
        raw = pickle.load(f, encoding="bytes")
    assert set(raw) == {b"filenames", b"batch_label", b"fine_labels", b"coarse_labels", b"data"}
    assert raw[b"data"].dtype == np.uint8 and raw[b"data"].shape == (60, 3072)
    with open(folder / "meta", "rb") as f:
        meta = pickle.load(f, encoding="bytes")
    assert len(meta[b"fine_label_names"]) == 100 and len(meta[b"coarse_label_names"]) == 20

    imgs, fine = load_cifar100(folder, mode="train")
    assert imgs.shape == (60, 3, 32, 32) and imgs.dtype == np.float32 and fine.dtype == np.int64
    # channel-major, pixel / 255, as load_cifar10_batch
    np.testing.assert_array_equal(imgs.reshape(60, -1), raw[b"data"] / np.float32(255.))
    np.testing.assert_array_equal(fine, raw[b"fine_labels"])
    _, coarse = load_cifar100(folder, mode="train", label_mode="coarse")
    np.testing.assert_array_equal(coarse, raw[b"coarse_labels"])
    assert 0 <= fine.min() and fine.max() < 100 and coarse.max() < 20
    assert len(set(fine.tolist())) > 20
    assert load_cifar100(folder, mode="test")[0].shape == (15, 3, 32, 32)
    fine_names, coarse_names = load_cifar100_meta(folder)
    assert fine_names[0] == "fine_00" and len(coarse_names) == 20


def test_paddle_cifar100_reads_the_miniature(archive):
    from paddle.vision.datasets import Cifar100
    train = Cifar100(data_file=str(archive), mode="train", download=False)
    test = Cifar100(data_file=str(archive), mode="test", download=False)
    assert len(train) == 60 and len(test) == 15
    image, label = train[3]
    folder_imgs, folder_labels = load_cifar100(cifar.extract_cifar100(archive, str(archive) + ".x"))
    assert int(label) == folder_labels[3]
    # paddle returns HWC uint8: the same pixels
    np.testing.assert_array_equal(np.asarray(image).transpose(2, 0, 1) / np.float32(255.), folder_imgs[3])


def test_dataset_split_and_normalization(archive, tmp_path):
    folder = cifar.extract_cifar100(archive, tmp_path)
    imgs, labels = load_cifar100(folder, mode="train")
    train = CIFAR100Dataset(folder, mode="train", num_dev=20)
    dev = CIFAR100Dataset(folder, mode="dev", num_dev=20)
    test = CIFAR100Dataset(folder, mode="test", num_dev=20)
    assert (len(train), len(dev), len(test)) == (40, 20, 15)
    np.testing.assert_array_equal(np.concatenate([train.labels, dev.labels]), labels)
    from paddle.vision.transforms import Normalize
    norm = Normalize(mean=cifar.CIFAR10_MEAN, std=cifar.CIFAR10_STD, data_format="CHW")
    img, label = dev[4]
    np.testing.assert_allclose(img, norm(imgs[44]), rtol=1e-6, atol=1e-6)
    assert label == labels[44]
    coarse = CIFAR100Dataset(folder, mode="test", label_mode="coarse")
    assert coarse.labels.max() < 20
    # the caller's arrays are not normalized in place: a fresh load gives the raw pixels again
    np.testing.assert_array_equal(load_cifar100(folder, mode="train")[0], imgs)


def test_cifar100_folder_sources(archive, isolated, monkeypatch):
    # absent: the one error, naming every source and how to supply the archive
    with pytest.raises(DataNotFoundError) as err:
        cifar.cifar100_folder()
    text = str(err.value)
    assert "CIFAR-100" in text and "cifar-100-python.tar.gz" in text and "paddle cache" in text
    assert "$NNDL_DATA" in text
    # right name, wrong contents (the miniature is not the published archive): rejected by md5
    (isolated / "paddle" / "cifar").mkdir(parents=True)
    (isolated / "paddle" / "cifar" / "cifar-100-python.tar.gz").write_bytes(archive.read_bytes())
    with pytest.raises(DataNotFoundError, match="checksum mismatch"):
        cifar.cifar100_folder()
    with pytest.raises(DataNotFoundError, match="checksum mismatch"):
        CIFAR100Dataset(mode="train")
    # with the miniature's own checksum the real path runs: locate, extract into nndl's cache, reuse
    spec = DataFile("cifar", "cifar-100-python.tar.gz", checksum="md5:" + file_checksum(archive, "md5"),
                    paddle_subdir="cifar", title="CIFAR-100")
    monkeypatch.setattr(cifar, "CIFAR100_FILE", spec)
    folder = cifar.cifar100_folder()
    assert folder == isolated / "nndl" / "cifar" / "cifar-100-python"
    assert [p.name for p in folder.parent.iterdir() if p.name.startswith(".")] == []   # no temporary left
    (isolated / "paddle" / "cifar" / "cifar-100-python.tar.gz").unlink()
    assert cifar.cifar100_folder() == folder
    assert len(CIFAR100Dataset(mode="test")) == 15
    # CIFAR-10's archive is not found in its place: the two data sets do not mix
    with pytest.raises(DataNotFoundError, match="CIFAR-10"):
        cifar.cifar10_folder()


def test_an_incomplete_folder_and_bad_archives(archive, tmp_path):
    folder = cifar.extract_cifar100(archive, tmp_path / "a")
    assert cifar.cifar100_folder(folder) == folder
    (folder / "meta").unlink()
    with pytest.raises(DataNotFoundError, match="missing meta"):
        cifar.cifar100_folder(folder)
    # a CIFAR-10 archive given as CIFAR-100: a clear error and no folder left behind
    c10 = cifar.make_miniature(tmp_path / "cifar-10-python.tar.gz", num_per_batch=3)
    dest = tmp_path / "b"
    with pytest.raises(ValueError, match="has no cifar-100-python/train"):
        cifar.extract_cifar100(c10, dest)
    assert list(dest.iterdir()) == []


def test_bad_arguments(archive, tmp_path):
    folder = cifar.extract_cifar100(archive, tmp_path)
    with pytest.raises(ValueError, match="mode must be 'train' or 'test'"):
        load_cifar100(folder, mode="dev")
    with pytest.raises(ValueError, match="label_mode must be 'fine' or 'coarse'"):
        load_cifar100(folder, label_mode="super")
    with pytest.raises(FileNotFoundError, match="train not found"):
        load_cifar100(tmp_path / "nothing")
    with pytest.raises(ValueError, match="num_dev=60 leaves no training images"):
        CIFAR100Dataset(folder, mode="train", num_dev=60)
    with pytest.raises(ValueError, match="mode must be 'train', 'dev' or 'test'"):
        CIFAR100Dataset(folder, mode="all")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "train").write_bytes(pickle.dumps({"data": np.zeros((2, 10), np.uint8),
                                                           "fine_labels": [0, 1]}))
    with pytest.raises(ValueError, match=r"expected \[n, 3072\]"):
        load_cifar100(tmp_path / "bad")
    with pytest.raises(ValueError, match="is not a CIFAR-100 file"):
        load_cifar100(tmp_path / "bad", label_mode="coarse")
    with pytest.raises(ValueError, match="num_train must be a positive int"):
        cifar.make_miniature_cifar100(tmp_path / "m.tar.gz", num_train=0)
