"""Chapter 6 data: DigitSum against the book's printed examples; the IMDB loaders, vocabulary,
Dataset and collate_fn on a generated miniature aclImdb_v1.tar.gz."""
import io
import tarfile

import numpy as np
import paddle
import pytest

import nndl
from nndl.datasets import digitsum, imdb
from nndl.datasets.base import DataNotFoundError
from nndl.datasets.digitsum import DigitSumDataset, generate_data, make_digitsum
from nndl.datasets.imdb import (IMDBDataset, build_vocab, collate_fn, load_imdb_data, load_vocab,
                                make_miniature, save_imdb_data, save_vocab, tokenize)


# ------------------------------------------------------------------ DigitSum (6.1.1)
@pytest.fixture(scope="module")
def digitsum_root(tmp_path_factory):
    return make_digitsum(tmp_path_factory.mktemp("digitsum"))


def test_digitsum_reproduces_the_books_printed_examples(digitsum_root):
    train, dev, test = digitsum.load_data(digitsum_root / "5")
    # book L8141: dev example: [([0, 0, 6, 0, 0], 0), ([0, 1, 0, 0, 8], 1)]; 300 / 100 / 100
    assert dev[:2] == [([0, 0, 6, 0, 0], 0), ([0, 1, 0, 0, 8], 1)]
    assert train[0] == ([0, 0, 5, 0, 0], 0)
    assert (len(train), len(dev), len(test)) == (300, 100, 100)


def test_digitsum_files_are_the_task(digitsum_root):
    for length in digitsum.BOOK_LENGTHS:
        train, dev, test = digitsum.load_data(digitsum_root / str(length))
        for seq, label in train + dev + test:
            assert len(seq) == length and label == seq[0] + seq[1]
            assert sum(1 for v in seq[2:] if v) <= 1          # one distractor at most
        assert sorted({(s[0], s[1]) for s, _ in train}) == [(a, b) for a in range(10) for b in range(10)]
    first = (digitsum_root / "5" / "train.txt").read_text(encoding="utf-8").splitlines()[0]
    assert first == "0 0 5 0 0\t0"


def test_digitsum_dataset_items():
    ds = DigitSumDataset([([1, 2, 0, 0, 7], 3)])
    seq, label = ds[0]
    assert seq.dtype == paddle.int64 and list(seq.shape) == [5] and seq.numpy().tolist() == [1, 2, 0, 0, 7]
    assert label.dtype == paddle.int64 and label.shape == [] and int(label) == 3
    with pytest.raises(ValueError, match="label 19 outside 0..18"):
        DigitSumDataset([([9, 9, 0], 19)])


def test_digitsum_bad_input(tmp_path):
    with pytest.raises(ValueError, match="greater than 2"):
        generate_data(2, 1, tmp_path / "x.txt")
    with pytest.raises(ValueError, match="greater than 0"):
        generate_data(5, 0, tmp_path / "x.txt")
    with pytest.raises(FileNotFoundError, match="train.txt"):
        digitsum.load_data(tmp_path)
    (tmp_path / "bad").mkdir()
    for name in ("train", "dev", "test"):
        (tmp_path / "bad" / f"{name}.txt").write_text("1 2 x\t3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="train.txt:1"):
        digitsum.load_data(tmp_path / "bad")


def test_generate_data_with_own_generator_writes_into_new_folder(tmp_path):
    path = tmp_path / "new" / "deeper" / "train.txt"
    a = generate_data(7, 2, path, rng=np.random.RandomState(3), verbose=False)
    b = generate_data(7, 2, tmp_path / "b.txt", rng=np.random.RandomState(3), verbose=False)
    assert a == b and len(a) == 200 and path.is_file()


# ------------------------------------------------------------------ IMDB (6.4.1)
@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    return make_miniature(tmp_path_factory.mktemp("imdb"), n_train=40, n_test=20, seed=1)


def test_miniature_has_the_published_tree(mini):
    with tarfile.open(mini) as tar:
        names = tar.getnames()
    assert "aclImdb/README" in names
    for split, n in (("train", 20), ("test", 10)):
        for polarity in ("pos", "neg"):
            files = [x for x in names if x.startswith(f"aclImdb/{split}/{polarity}/")]
            assert len(files) == n and all(x.endswith(".txt") for x in files)
    assert any(x.startswith("aclImdb/train/unsup/") for x in names)
    # the same arguments give the same bytes
    again = make_miniature(mini.parent / "again", n_train=40, n_test=20, seed=1)
    assert again.read_bytes() == mini.read_bytes()


def test_load_imdb_data_splits_train_test_pos_neg(mini):
    train, dev, test = load_imdb_data(mini, verify=False)
    assert (len(train), len(dev), len(test)) == (40, 10, 10)
    for part, n in ((train, 20), (dev, 5), (test, 5)):
        labels = [label for _, label in part]
        assert labels.count(1) == n and labels.count(0) == n       # positive first, then negative
        assert labels == sorted(labels, reverse=True)
    assert not set(t for t, _ in dev) & set(t for t, _ in test)
    # unsup reviews are not labelled examples
    assert len(set(t for t, _ in train)) == len(train)


def test_load_imdb_data_unusual_characters(mini):
    train, dev, test = load_imdb_data(mini, verify=False)
    texts = [t for t, _ in train + dev + test]
    joined = " ".join(texts)
    assert "<br" not in joined and "\t" not in joined and "\n" not in joined and "\r" not in joined
    assert all(t == t.lower() and "  " not in t and t == t.strip() for t in texts)
    assert "café" in joined.split(" ") and "\ufffd" in joined.split(" ")   # accents kept; the bad byte replaced
    assert "n't" in joined.split(" ") and "'s" in joined.split(" ")


def test_load_imdb_data_reads_tree_and_book_folder(mini, tmp_path):
    data = load_imdb_data(mini, verify=False)
    with tarfile.open(mini) as tar:
        tar.extractall(tmp_path / "x", filter="data")
    assert load_imdb_data(tmp_path / "x") == data                  # folder holding aclImdb/
    assert load_imdb_data(tmp_path / "x" / "aclImdb") == data      # the aclImdb folder
    save_imdb_data(tmp_path / "dataset", *data)
    assert load_imdb_data(tmp_path / "dataset") == data            # the book's ./dataset/


def test_paddle_imdb_reads_the_miniature(mini):
    """paddle.text.Imdb (the published archive's own reader) accepts the generated file."""
    ds = paddle.text.Imdb(data_file=str(mini), mode="test", cutoff=2)
    assert len(ds) == 20


def test_tokenize():
    assert tokenize("It's so bad<br /><br />it\u2019s funny. Don't!") == \
        ["it", "'s", "so", "bad", "it", "'s", "funny", ".", "do", "n't", "!"]


def test_load_imdb_data_checks_the_archive(mini, tmp_path, monkeypatch):
    with pytest.raises(DataNotFoundError, match="checksum mismatch"):
        load_imdb_data(mini)                          # a generated file is not the published one
    monkeypatch.setenv("NNDL_DATA", str(tmp_path / "empty"))
    monkeypatch.setattr(imdb, "locate", lambda spec, **kw: (_ for _ in ()).throw(
        DataNotFoundError("IMDB", spec.filename, [("test", "not found")], imdb.HOW_TO)))
    with pytest.raises(DataNotFoundError, match="aclImdb_v1.tar.gz"):
        load_imdb_data()
    with pytest.raises(FileNotFoundError, match="neither"):
        load_imdb_data(tmp_path)


def test_load_imdb_data_empty_review(tmp_path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in (("aclImdb/train/pos/0_9.txt", b"fine film"), ("aclImdb/train/neg/0_1.txt", b" <br /> ")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    (tmp_path / "e.tar.gz").write_bytes(buf.getvalue())
    with pytest.raises(ValueError, match="empty review.*neg/0_1.txt"):
        load_imdb_data(tmp_path / "e.tar.gz", verify=False)


def test_vocab_build_save_load(mini, tmp_path):
    train, _, _ = load_imdb_data(mini, verify=False)
    vocab = build_vocab(train)
    assert vocab["[PAD]"] == 0 and vocab["[UNK]"] == 1
    assert sorted(vocab.values()) == list(range(len(vocab)))
    counts = {}
    for text, _ in train:
        for w in text.split(" "):
            counts[w] = counts.get(w, 0) + 1
    ranked = sorted(counts, key=lambda w: (-counts[w], w))
    assert [w for w, _ in sorted(vocab.items(), key=lambda kv: kv[1])][2:] == ranked
    assert len(build_vocab(train, max_size=10)) == 10
    path = save_vocab(vocab, tmp_path / "vocab.txt")
    assert load_vocab(path) == vocab and load_vocab(tmp_path) == vocab
    assert path.read_text(encoding="utf-8").splitlines()[:2] == ["[PAD]", "[UNK]"]


def test_load_vocab_bad_files(tmp_path):
    (tmp_path / "a.txt").write_text("[PAD]\n[UNK]\nthe\nthe\n", encoding="utf-8")
    with pytest.raises(ValueError, match="repeats line 3"):
        load_vocab(tmp_path / "a.txt")
    (tmp_path / "b.txt").write_text("[PAD]\nthe\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"no \[UNK\]"):
        load_vocab(tmp_path / "b.txt")
    with pytest.raises(FileNotFoundError, match="build_vocab"):
        load_vocab(tmp_path / "missing.txt")


def test_imdb_dataset_words_to_id_and_unknown_tokens():
    vocab = {"[PAD]": 0, "[UNK]": 1, "the": 2, "movie": 3}
    ds = IMDBDataset([("the movie  zzz", 1), ("movie", "0")], vocab)
    assert len(ds) == 2
    assert ds[0] == ([2, 3, 1], 1)            # unknown token -> [UNK]; a double space is not a token
    assert ds[1] == ([3], 0)


def test_imdb_dataset_bad_input():
    vocab = {"[PAD]": 0, "[UNK]": 1, "a": 2}
    with pytest.raises(ValueError, match="example 1 is an empty review"):
        IMDBDataset([("a", 0), ("  ", 1)], vocab)
    with pytest.raises(ValueError, match="label 2 outside the classes 0..1"):
        IMDBDataset([("a", 2)], vocab)
    with pytest.raises(ValueError, match=r"no \[UNK\]"):
        IMDBDataset([("a", 0)], {"[PAD]": 0, "a": 1})
    with pytest.raises(TypeError, match="must be a str"):
        IMDBDataset([([2, 3], 0)], vocab)


def test_collate_fn_pads_and_truncates():
    batch = [([5, 6, 7], 1), ([8], 0), (list(range(10, 20)), 1)]
    (seqs, lens), labels = collate_fn(batch, pad_val=0, max_seq_len=4)
    assert seqs.dtype == lens.dtype == labels.dtype == paddle.int64
    assert seqs.numpy().tolist() == [[5, 6, 7, 0], [8, 0, 0, 0], [10, 11, 12, 13]]
    assert lens.numpy().tolist() == [3, 1, 4] and labels.numpy().tolist() == [1, 0, 1]
    (seqs, lens), _ = collate_fn(batch[:2], pad_val=9)                   # padded to the batch's longest
    assert seqs.numpy().tolist() == [[5, 6, 7], [8, 9, 9]] and lens.numpy().tolist() == [3, 1]
    assert batch[2][0] == list(range(10, 20))                            # the caller's lists are untouched


def test_collate_fn_bad_input():
    with pytest.raises(ValueError, match="empty sequence"):
        collate_fn([([1], 0), ([], 1)])
    with pytest.raises(ValueError, match="max_seq_len must be >= 1"):
        collate_fn([([1], 0)], max_seq_len=0)
    with pytest.raises(ValueError, match="empty batch"):
        collate_fn([])


def test_pipeline_feeds_the_bilstm(mini):
    train, _, _ = load_imdb_data(mini, verify=False)
    vocab = build_vocab(train)
    loader = paddle.io.DataLoader(IMDBDataset(train, vocab), batch_size=8, shuffle=False, collate_fn=collate_fn)
    (ids, lens), labels = next(iter(loader))
    model = nndl.Model_BiLSTM_FC(len(vocab), 8, 8)
    logits = model((ids, lens))
    assert list(logits.shape) == [8, 2] and np.isfinite(logits.numpy()).all()


def test_names_are_local():
    assert nndl.IMDBDataset is IMDBDataset and nndl.load_imdb_data is load_imdb_data
    assert not hasattr(nndl, "collate_fn") or nndl.collate_fn is not collate_fn


def test_located_archive_is_preprocessed_once_into_the_cache(mini, tmp_path, monkeypatch):
    """The default path: locate() finds the (checksummed) archive in $NNDL_DATA, the split is cached."""
    import hashlib
    from nndl.datasets.base import DataFile
    home = tmp_path / "data"
    (home / "imdb").mkdir(parents=True)
    (home / "imdb" / "aclImdb_v1.tar.gz").write_bytes(mini.read_bytes())
    md5 = hashlib.md5(mini.read_bytes()).hexdigest()
    monkeypatch.setenv("NNDL_DATA", str(home))
    monkeypatch.setattr(imdb, "IMDB_FILE", DataFile("imdb", "aclImdb_v1.tar.gz", checksum=f"md5:{md5}"))
    first = load_imdb_data()
    cache = list((home / "imdb").glob("aclImdb_split_*.tsv"))
    assert len(cache) == 1
    assert first == load_imdb_data(mini, verify=False)
    # the second call reads the cache, not the archive: hand it another archive to prove it
    other = make_miniature(tmp_path / "other", n_train=40, n_test=20, seed=2)
    monkeypatch.setattr(imdb, "locate", lambda spec, **kw: other)
    assert load_imdb_data() == first != load_imdb_data(other, verify=False)
    assert load_imdb_data(cache=False) != first
