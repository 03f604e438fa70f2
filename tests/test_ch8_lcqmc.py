"""Chapter 8.3.1: the LCQMC and vocabulary loaders on generated files, LCQMCDataset's id
layout, collate_fn's truncation at the position limit, and absent data."""
import numpy as np
import paddle
import pytest

import nndl
from nndl.datasets import lcqmc
from nndl.datasets.base import DataNotFoundError
from nndl.datasets.lcqmc import (LCQMCDataset, LCQMCDataSet, LCQMCdataset, collate_fn, load_lcqmc_data,
                                 load_vocab, make_miniature, read_lcqmc_file)
from nndl.transformer import Model_Transformer

BOOK_EXAMPLE_IDS = [101, 784, 720, 5709, 671, 2399, 1724, 2108, 6963, 2458, 102, 784, 720, 5709, 671, 2399, 1724,
                    2108, 6963, 3221, 2458, 4638, 102]                              # L13306
BOOK_PAIR_IDS = [101, 4510, 5554, 2582, 720, 2497, 1008, 8043, 102, 1963, 862, 1762, 6369, 5050, 3322, 677,
                 2497, 6228, 7574, 102]                                             # L14086


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    return make_miniature(tmp_path_factory.mktemp("lcqmc"), num_train=50, num_dev=20, num_test=30, seed=3)


def test_miniature_is_in_the_published_format(mini):
    for name in ("train.tsv", "dev.csv", "test.csv"):
        lines = (mini / name).read_text(encoding="utf-8").splitlines()
        assert all(len(line.split("\t")) == 3 and line.split("\t")[2] in ("0", "1") for line in lines)
    assert (mini / "train.tsv").read_text(encoding="utf-8").splitlines()[0] == "什么花一年四季都开\t什么花一年四季都是开的\t1"
    vocab = (mini / "bert-base-chinese-vocab.txt").read_text(encoding="utf-8").splitlines()
    assert len(vocab) == 21128 and len(set(vocab)) == 21128
    assert (vocab[0], vocab[100], vocab[101], vocab[102]) == ("[PAD]", "[UNK]", "[CLS]", "[SEP]")
    again = make_miniature(mini.parent / "again", num_train=50, num_dev=20, num_test=30, seed=3)
    assert (again / "dev.csv").read_bytes() == (mini / "dev.csv").read_bytes()    # deterministic


def test_load_lcqmc_data_reads_the_three_splits(mini):
    train, dev, test = load_lcqmc_data(mini)
    assert (len(train), len(dev), len(test)) == (50, 20, 30)
    assert train[0] == ("什么花一年四季都开", "什么花一年四季都是开的", "1")
    labels = [int(x[2]) for x in train]
    assert 0 < sum(labels) < len(labels)


def test_book_names_and_local_names():
    assert LCQMCdataset is LCQMCDataset and LCQMCDataSet is LCQMCDataset
    assert nndl.LCQMCDataset is LCQMCDataset and nndl.load_lcqmc_data is load_lcqmc_data
    import nndl.datasets.imdb as imdb
    assert lcqmc.load_vocab is not imdb.load_vocab and lcqmc.collate_fn is not imdb.collate_fn


def test_dataset_gives_the_book_layout(mini):
    vocab = load_vocab(mini / "bert-base-chinese-vocab.txt")
    assert (vocab["[PAD]"], vocab["[UNK]"], vocab["[CLS]"], vocab["[SEP]"]) == (0, 100, 101, 102)
    ds = LCQMCDataSet(load_lcqmc_data(mini)[0], vocab)
    input_ids, segment_ids, label = ds[0]
    assert input_ids == BOOK_EXAMPLE_IDS
    # [CLS] + 9 characters + [SEP] are segment 0, the 11 characters + [SEP] segment 1
    assert segment_ids == [0] * 11 + [1] * 12 and label == 1
    assert ds.label_list == ["0", "1"]
    ids, segs, _ = ds.words_to_id(("电脑怎么录像？", "如何在计算机上录视频", "1"))
    assert ids == BOOK_PAIR_IDS and segs == [0] * 9 + [1] * 11
    ids, _, _ = ds.words_to_id(("猫X", "狗", "0"))                  # X is not in the vocabulary
    assert ids[2] == vocab["[UNK]"]


def test_vocabulary_built_from_training_data(tmp_path, mini):
    train = load_lcqmc_data(mini)[0]
    tokens = lcqmc.build_vocab(train)
    assert tokens[:5] == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    counts = {}
    for a, b, _ in train:
        for ch in a + b:
            counts[ch] = counts.get(ch, 0) + 1
    assert set(tokens[5:]) == set(counts)
    assert [counts[t] for t in tokens[5:]] == sorted(counts.values(), reverse=True)
    path = lcqmc.save_vocab(tokens, tmp_path / "vocab.txt")
    vocab = load_vocab(path)
    assert vocab == {t: i for i, t in enumerate(tokens)}
    with pytest.raises(ValueError, match=r"\[PAD\]"):
        lcqmc.build_vocab(train, specials=("[UNK]", "[PAD]"))


def test_loader_errors_name_the_problem(tmp_path):
    bad = tmp_path / "train.tsv"
    bad.write_text("什么\t是\t1\n只有两列\t1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"train.tsv:2: expected 'text_a<TAB>text_b<TAB>label', got 2"):
        read_lcqmc_file(bad)
    bad.write_text("什么\t是\t2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="label must be 0 or 1"):
        read_lcqmc_file(bad)
    bad.write_text("text_a\ttext_b\tlabel\n什么\t是\t1\n", encoding="utf-8")
    assert read_lcqmc_file(bad) == [("什么", "是", "1")]          # a header line is skipped
    vocab = tmp_path / "v.txt"
    vocab.write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\n的\n的\n", encoding="utf-8")
    with pytest.raises(ValueError, match="already has id 4"):
        load_vocab(vocab)
    vocab.write_text("[PAD]\n[UNK]\n[CLS]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"no \[SEP\]"):
        load_vocab(vocab)


def test_absent_data_is_a_data_not_found_error(tmp_path, monkeypatch):
    monkeypatch.setenv("NNDL_DATA", str(tmp_path / "empty"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    with pytest.raises(DataNotFoundError, match="LCQMC: no valid copy of train.tsv"):
        load_lcqmc_data()
    with pytest.raises(DataNotFoundError, match="(?s)bert-base-chinese-vocab.txt.*PaddleNLP cache"):
        load_vocab()
    nlp = tmp_path / "home" / ".paddlenlp" / "models" / "bert-base-chinese"
    nlp.mkdir(parents=True)
    (nlp / "bert-base-chinese-vocab.txt").write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\n", encoding="utf-8")
    assert load_vocab() == {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3}     # PaddleNLP's copy
    assert not lcqmc.lcqmc_available()
    with pytest.raises(DataNotFoundError, match="explicit path"):
        load_lcqmc_data(tmp_path / "nowhere")
    make_miniature(tmp_path / "empty" / "lcqmc", num_train=5, num_dev=2, num_test=2)
    assert lcqmc.lcqmc_available()                      # found through $NNDL_DATA/lcqmc
    assert len(load_lcqmc_data()[0]) == 5 and len(load_vocab()) == 21128


def test_collate_fn_pads_and_truncates_at_the_position_limit():
    long_pair = ([101] + [7] * 600 + [102] + [8] * 10 + [102], [0] * 602 + [1] * 11, 1)
    short_pair = ([101, 5, 102, 6, 102], [0, 0, 0, 1, 1], 0)
    (ids, segs), labels = collate_fn([short_pair, long_pair])      # the book's max_seq_len=512
    # the book takes the batch length from the untruncated pair (614) and overflows the table
    assert list(ids.shape) == [2, 512] and list(segs.shape) == [2, 512]
    assert ids.dtype == paddle.int64 and labels.numpy().tolist() == [0, 1]
    assert ids.numpy()[0].tolist() == [101, 5, 102, 6, 102] + [0] * 507
    assert ids.numpy()[1].tolist() == long_pair[0][:512]
    assert segs.numpy()[0].tolist() == [0, 0, 0, 1, 1] + [0] * 507
    (ids, _), _ = collate_fn([short_pair], max_seq_len=3)
    assert ids.numpy().tolist() == [[101, 5, 102]]
    # the truncated batch fits a model whose position table is max_seq_len long
    model = Model_Transformer(700, n_block=1, hidden_size=8, heads_num=2, intermediate_size=8, position_size=16)
    (ids, segs), _ = collate_fn([short_pair, long_pair], max_seq_len=16)
    assert np.isfinite(model((ids, segs)).numpy()).all()
    with pytest.raises(ValueError, match="max_seq_len"):
        collate_fn([short_pair], max_seq_len=0)
    with pytest.raises(ValueError, match="same length"):
        collate_fn([([1, 2], [0], 1)])


def test_dataloader_batches(mini):
    vocab = load_vocab(mini / "bert-base-chinese-vocab.txt")
    ds = LCQMCDataset(load_lcqmc_data(mini)[1], vocab)
    loader = paddle.io.DataLoader(ds, batch_size=8, collate_fn=collate_fn, shuffle=False)
    batches = list(loader)
    assert len(batches) == 3
    (ids, segs), labels = batches[0]
    lens = [len(ds[i][0]) for i in range(8)]
    assert list(ids.shape) == [8, max(lens)] and list(labels.shape) == [8]
    assert (ids.numpy()[:, 0] == 101).all()
    assert all((ids.numpy()[i, lens[i]:] == 0).all() for i in range(8))


def test_load_or_build_vocab_prefers_the_books_file(tmp_path, mini, monkeypatch):
    monkeypatch.setenv("NNDL_DATA", str(tmp_path / "empty"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    train = load_lcqmc_data(mini)[0]
    book, built = lcqmc.load_or_build_vocab(train, mini / "bert-base-chinese-vocab.txt", tmp_path / "v1.txt")
    assert not built and book["[CLS]"] == 101 and book["[SEP]"] == 102 and not (tmp_path / "v1.txt").exists()
    own, built = lcqmc.load_or_build_vocab(train, None, tmp_path / "v2.txt")   # no vocabulary anywhere
    assert built and own == load_vocab(tmp_path / "v2.txt")
    assert own == {t: i for i, t in enumerate(lcqmc.build_vocab(train))}
