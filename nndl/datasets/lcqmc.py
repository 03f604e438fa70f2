"""LCQMC (book 8.3.1): load_lcqmc_data, load_vocab, LCQMCDataset, collate_fn.

LCQMC (百度知道 question pairs) as the book's ``lcqmc/`` folder has it: ``train.tsv``
(238,766 pairs), ``dev.csv`` and ``test.csv`` (4,401 each, 8.3.1), every line
``text_a<TAB>text_b<TAB>label`` (label 1 相似, 0 不相似), no header.  The book maps
characters to ids with bert-base-chinese's vocabulary (one token per line, the id is the
line number: ``[PAD]``=0, ``[UNK]``=100, ``[CLS]``=101, ``[SEP]``=102, 21,128 lines).

No registry package ships LCQMC or that vocabulary, so nothing is downloaded: the files
are found through :mod:`nndl.datasets.base` (an explicit folder, ``$NNDL_DATA``, nndl's
cache ``~/.cache/nndl/lcqmc/``; the vocabulary also in PaddleNLP's cache).  Without the vocabulary file, :func:`build_vocab` makes
one from the training pairs (same format, special tokens first); its ids are then not
bert-base-chinese's, so the book's printed id lists do not apply.

:func:`make_miniature` writes a small generated copy in the same formats (tests and quick
mode): synthetic question pairs over a few hundred characters, and a 21,128-line
vocabulary that puts the characters whose bert-base-chinese ids the book prints at those
ids (everything else there is filler).
"""
from pathlib import Path

import numpy as np
import paddle
from paddle.io import Dataset

from .base import DataFile, DataNotFoundError, atomic_write, locate

__all__ = [
    "LCQMC_FILES", "LCQMC_VOCAB", "read_lcqmc_file", "load_lcqmc_data", "load_vocab", "build_vocab",
    "save_vocab", "load_or_build_vocab", "LCQMCDataset", "LCQMCdataset", "LCQMCDataSet", "collate_fn", "make_miniature",
    "lcqmc_available",
]
# IMDB (6.4) has its own load_vocab, collate_fn, build_vocab, save_vocab and make_miniature:
# these stay nndl.datasets.lcqmc.*
__local__ = ("load_vocab", "collate_fn", "build_vocab", "save_vocab", "load_or_build_vocab", "make_miniature")

_HOW_TO = ("Put LCQMC's train.tsv, dev.csv and test.csv (one 'text_a<TAB>text_b<TAB>label' per line, "
           "as in the book's lcqmc/ folder) in $NNDL_DATA/lcqmc/ or ~/.cache/nndl/lcqmc/, or pass "
           "load_lcqmc_data(data_path=FOLDER). No package ships it and nndl downloads nothing.")
_VOCAB_HOW_TO = ("Put bert-base-chinese's vocabulary (bert-base-chinese-vocab.txt, 21128 lines, one token "
                 "per line) in $NNDL_DATA/lcqmc/ or ~/.cache/nndl/lcqmc/, or pass load_vocab(path). "
                 "Without it, build_vocab(train_data) makes one from the training pairs (other ids).")

# the published files have no checksum the book states: any copy that exists is accepted
LCQMC_FILES = {
    "train": DataFile("lcqmc", "train.tsv", title="LCQMC", how_to=_HOW_TO),
    "dev": DataFile("lcqmc", "dev.csv", title="LCQMC", how_to=_HOW_TO),
    "test": DataFile("lcqmc", "test.csv", title="LCQMC", how_to=_HOW_TO),
}
LCQMC_VOCAB = DataFile("lcqmc", "bert-base-chinese-vocab.txt", title="bert-base-chinese vocabulary",
                       how_to=_VOCAB_HOW_TO)

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
_HEADERS = ({"text_a", "text_b", "label"}, {"query", "title", "label"}, {"sentence1", "sentence2", "label"})


def read_lcqmc_file(path):
    """One LCQMC file as a list of ``(text_a, text_b, label)`` string triples.

    Every line must have three tab-separated fields with label 0 or 1; a header line of
    column names (``text_a text_b label``, ``query title label``) is skipped.  Anything else
    raises a ValueError naming the file and line.
    """
    path = Path(path)
    examples = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            fields = line.split("\t")
            if lineno == 1 and set(x.strip().lower() for x in fields) in _HEADERS:
                continue
            if len(fields) != 3:
                raise ValueError(f"{path}:{lineno}: expected 'text_a<TAB>text_b<TAB>label', got "
                                 f"{len(fields)} field(s): {line[:80]!r}")
            text_a, text_b, label = fields[0].strip(), fields[1].strip(), fields[2].strip()
            if label not in ("0", "1"):
                raise ValueError(f"{path}:{lineno}: label must be 0 or 1, got {label!r}")
            examples.append((text_a, text_b, label))
    return examples


def _lcqmc_paths(data_path=None):
    """(train, dev, test) paths: from ``data_path`` only when given, else every source."""
    paths = []
    for split in ("train", "dev", "test"):
        spec = LCQMC_FILES[split]
        explicit = None if data_path is None else Path(data_path) / spec.filename
        paths.append(locate(spec, path=explicit, download=False))
    return paths


def lcqmc_available(data_path=None):
    """True when all three LCQMC files can be found (without reading them)."""
    try:
        _lcqmc_paths(data_path)
        return True
    except DataNotFoundError:
        return False


def load_lcqmc_data(data_path=None):
    """加载 LCQMC (8.3.1.1): ``train_data, dev_data, test_data = load_lcqmc_data("lcqmc")``.

    输入:
        - data_path: the folder with train.tsv, dev.csv, test.csv (only that folder is
          used); None searches ``$NNDL_DATA`` and nndl's cache
    输出:
        - (train_data, dev_data, test_data): lists of ``(text_a, text_b, label)`` strings
    Raises :class:`~nndl.datasets.base.DataNotFoundError` (naming every place tried) when
    a file is missing.
    """
    return tuple(read_lcqmc_file(p) for p in _lcqmc_paths(data_path))


def load_vocab(path=None):
    """读取词表 (8.3.1.1): token -> id, the id being the token's line number.

    输入:
        - path: a vocabulary file (one token per line); None looks for bert-base-chinese's
          ``bert-base-chinese-vocab.txt`` through the dataset mechanism, then in PaddleNLP's
          cache (``~/.paddlenlp/models/bert-base-chinese/``)
    A token listed twice is an error (it would silently lose an id).
    """
    if path is not None:
        spec_path = locate(LCQMC_VOCAB, path=path, download=False)
    else:
        try:
            spec_path = locate(LCQMC_VOCAB, download=False)
        except DataNotFoundError as err:
            # PaddleNLP keeps the file it downloads for BertTokenizer('bert-base-chinese') here
            paddlenlp = Path.home() / ".paddlenlp" / "models" / "bert-base-chinese" / LCQMC_VOCAB.filename
            if not paddlenlp.is_file():
                raise DataNotFoundError(err.dataset, err.filename,
                                        err.tried + [("PaddleNLP cache", f"{paddlenlp}: not found")],
                                        err.how_to) from None
            spec_path = paddlenlp
    word2id = {}
    with open(spec_path, encoding="utf-8") as f:
        for idx, line in enumerate(f):
            token = line.rstrip("\r\n")   # only the line end: a token may be any character
            if token in word2id:
                raise ValueError(f"{spec_path}:{idx + 1}: token {token!r} already has id {word2id[token]}")
            word2id[token] = idx
    for token in ("[PAD]", "[UNK]", "[CLS]", "[SEP]"):
        if token not in word2id:
            raise ValueError(f"{spec_path}: the vocabulary has no {token} token")
    return word2id


def build_vocab(examples, min_freq=1, specials=SPECIAL_TOKENS):
    """A character vocabulary from LCQMC pairs, for when bert-base-chinese's file is absent.

    输入:
        - examples: ``(text_a, text_b, label)`` triples (the training data)
        - min_freq: characters seen fewer times map to ``[UNK]``
        - specials: first, in order (``[PAD]`` must be first: collate_fn pads with id 0)
    输出:
        - tokens: list (line i is id i): the specials, then characters by decreasing
          frequency (ties in first-seen order).  Write it with :func:`save_vocab`.
    """
    if not specials or specials[0] != "[PAD]":
        raise ValueError(f"specials must start with '[PAD]' (id 0 is the padding id), got {specials!r}")
    counts = {}
    for example in examples:
        for text in example[:2]:
            for ch in text:
                counts[ch] = counts.get(ch, 0) + 1
    chars = [ch for ch, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n >= min_freq]
    return list(specials) + [ch for ch in chars if ch not in specials and ch.strip()]


def load_or_build_vocab(train_data, path=None, build_path="vocab.txt"):
    """The book's vocabulary when one is found (:func:`load_vocab`), else a character vocabulary
    built from ``train_data`` (:func:`build_vocab`), written to ``build_path`` and read back.

    输出: ``(word2id_dict, built)``; ``built`` True means the ids are not bert-base-chinese's.
    """
    try:
        return load_vocab(path), False
    except DataNotFoundError:
        save_vocab(build_vocab(train_data), build_path)
        return load_vocab(build_path), True


def save_vocab(tokens, path):
    """Write a vocabulary, one token per line (the format :func:`load_vocab` reads)."""
    with atomic_write(path, "w") as f:
        f.write("".join(f"{t}\n" for t in tokens))
    return Path(path)


class LCQMCDataset(Dataset):
    """LCQMC 的 Dataset (8.3.1.2): each pair as ``(input_ids, segment_ids, label)``.

    ``input_ids = [CLS] text_a [SEP] text_b [SEP]`` character by character (characters
    outside the vocabulary map to ``[UNK]``); ``segment_ids`` are 0 for ``[CLS]``, text_a and
    the first ``[SEP]``, 1 for text_b and the last ``[SEP]``.  The book prints the class as
    ``LCQMCdataset`` and uses it as ``LCQMCDataSet``: all three names are this class.

    输入:
        - data: ``(text_a, text_b, label)`` triples (:func:`load_lcqmc_data`)
        - word2id_dict: the vocabulary (:func:`load_vocab`)
    """

    def __init__(self, data, word2id_dict):
        super(LCQMCDataset, self).__init__()
        for token in ("[CLS]", "[SEP]", "[UNK]"):
            if token not in word2id_dict:
                raise ValueError(f"word2id_dict has no {token} token")
        self.word2id_dict = word2id_dict
        self.examples = data
        self.cls_id = word2id_dict["[CLS]"]
        self.sep_id = word2id_dict["[SEP]"]
        self.unk_id = word2id_dict["[UNK]"]

    def __getitem__(self, idx):
        return self.words_to_id(self.examples[idx])

    def __len__(self):
        return len(self.examples)

    def words_to_id(self, example):
        text_a, text_b, label = example
        ids_a = [self.word2id_dict.get(ch, self.unk_id) for ch in text_a]
        ids_b = [self.word2id_dict.get(ch, self.unk_id) for ch in text_b]
        input_ids = [self.cls_id] + ids_a + [self.sep_id] + ids_b + [self.sep_id]
        segment_ids = [0] * (len(ids_a) + 2) + [1] * (len(ids_b) + 1)
        return input_ids, segment_ids, int(label)

    @property
    def label_list(self):
        # 0 表示不相似, 1 表示相似
        return ["0", "1"]


LCQMCdataset = LCQMCDataset   # the book's printed class name (L13314)
LCQMCDataSet = LCQMCDataset   # the name the book instantiates (L13358)


def collate_fn(batch_data, pad_val=0, max_seq_len=512):
    """组装小批量 (8.3.1.3): truncate to ``max_seq_len``, pad with ``pad_val`` to the batch's
    longest (truncated) sequence.

    输入:
        - batch_data: ``(input_ids, segment_ids, label)`` triples
        - pad_val: the padding id ([PAD] = 0)
        - max_seq_len: the longest sequence kept (the model's position table size)
    输出:
        - ((input_ids [B, L], segment_ids [B, L]), labels [B]), int64 tensors, L <= max_seq_len

    The book takes L from the untruncated lengths (L13385), so a batch with a pair longer
    than max_seq_len is padded past it and overflows the position table; here L is at most
    max_seq_len.
    """
    if max_seq_len is None or int(max_seq_len) < 1:
        raise ValueError(f"max_seq_len must be a positive integer, got {max_seq_len!r}")
    if len(batch_data) == 0:
        raise ValueError("collate_fn got an empty batch")
    input_ids, segment_ids, labels = [], [], []
    for example in batch_data:
        input_id, segment_id, label = example
        if len(input_id) != len(segment_id):
            raise ValueError(f"input_ids ({len(input_id)}) and segment_ids ({len(segment_id)}) "
                             "must have the same length")
        input_ids.append(list(input_id[:max_seq_len]))
        segment_ids.append(list(segment_id[:max_seq_len]))
        labels.append(int(label))
    max_len = max(len(ids) for ids in input_ids)
    for i in range(len(labels)):
        pad = [pad_val] * (max_len - len(input_ids[i]))
        input_ids[i] = input_ids[i] + pad
        segment_ids[i] = segment_ids[i] + pad
    return ((paddle.to_tensor(input_ids, dtype="int64"), paddle.to_tensor(segment_ids, dtype="int64")),
            paddle.to_tensor(labels, dtype="int64"))


# --------------------------------------------------------------------------- miniature

# bert-base-chinese ids of the characters in the book's printed examples (L13306, L14086)
BOOK_IDS = {
    "[PAD]": 0, "[UNK]": 100, "[CLS]": 101, "[SEP]": 102, "[MASK]": 103,
    "什": 784, "么": 720, "花": 5709, "一": 671, "年": 2399, "四": 1724, "季": 2108, "都": 6963,
    "开": 2458, "是": 3221, "的": 4638, "电": 4510, "脑": 5554, "怎": 2582, "录": 2497, "像": 1008,
    "？": 8043, "如": 1963, "何": 862, "在": 1762, "计": 6369, "算": 5050, "机": 3322, "上": 677,
    "视": 6228, "频": 7574,
}
BERT_VOCAB_SIZE = 21128

# characters of the generated questions (common question words and topics)
_POOL = ("什么花一年四季都开是的电脑怎录像？如何在计算机上视频哪些可以全放为我你他她们这那有没"
         "不好吗呢去来做用手机怎样会能要想买卖多少钱个天时候学习英语考试工作北京上海中国人大小"
         "新旧快慢高低长短水火山河车路家门书字图片音乐游戏软件下载安装注册账号密码微信支付宝银"
         "行卡信用贷款还钱房子租住医院病药吃喝饭菜茶酒猫狗鱼鸟树草红黄蓝绿白黑美丽漂亮帅哥老师")


def _pool():
    seen = []
    for ch in _POOL:
        if ch not in seen:
            seen.append(ch)
    return seen


def miniature_vocab():
    """The miniature's 21,128-token vocabulary: the book's known ids where it prints them,
    the generator's other characters at free ids, unique filler tokens elsewhere."""
    tokens = [None] * BERT_VOCAB_SIZE
    for tok, idx in BOOK_IDS.items():
        tokens[idx] = tok
    free = (i for i in range(2000, BERT_VOCAB_SIZE) if tokens[i] is None)
    for ch in _pool():
        if ch not in BOOK_IDS:
            tokens[next(free)] = ch
    return [t if t is not None else f"[unused{i}]" for i, t in enumerate(tokens)]


def _pairs(n, rng, chars):
    """n synthetic question pairs: label 1 = text_b is a light edit of text_a (a
    paraphrase), label 0 = text_b is another question sharing a few characters."""
    out = []
    for _ in range(n):
        la = int(rng.integers(5, 13))
        a = [chars[i] for i in rng.integers(0, len(chars), la)]
        label = int(rng.integers(0, 2))
        if label:
            b = list(a)
            for _ in range(int(rng.integers(1, 3))):
                op = rng.integers(0, 3)
                pos = int(rng.integers(0, len(b)))
                if op == 0 and len(b) > 3:
                    del b[pos]
                elif op == 1:
                    b.insert(pos, chars[int(rng.integers(0, len(chars)))])
                else:
                    b[pos] = chars[int(rng.integers(0, len(chars)))]
        else:
            lb = int(rng.integers(5, 13))
            b = [chars[i] for i in rng.integers(0, len(chars), lb)]
            for k in rng.choice(lb, size=min(2, lb), replace=False):   # a little overlap
                b[int(k)] = a[int(rng.integers(0, la))]
        out.append(("".join(a), "".join(b), str(label)))
    return out


def make_miniature(directory, num_train=320, num_dev=64, num_test=64, seed=0, vocab=True):
    """Write a generated LCQMC in the real formats into ``directory``.

    Files: ``train.tsv``, ``dev.csv``, ``test.csv`` (``text_a<TAB>text_b<TAB>label``; the
    first training pair is the book's example ``什么花一年四季都开 / 什么花一年四季都是开的 / 1``)
    and, with ``vocab=True``, ``bert-base-chinese-vocab.txt`` (:func:`miniature_vocab`).
    Deterministic for a seed.  Returns the directory as a Path.
    """
    directory = Path(directory)
    rng = np.random.default_rng(seed)
    chars = _pool()
    splits = {
        "train": [("什么花一年四季都开", "什么花一年四季都是开的", "1")] + _pairs(max(num_train - 1, 0), rng, chars),
        "dev": _pairs(num_dev, rng, chars),
        "test": _pairs(num_test, rng, chars),
    }
    for split, rows in splits.items():
        with atomic_write(directory / LCQMC_FILES[split].filename, "w") as f:
            f.write("".join(f"{a}\t{b}\t{label}\n" for a, b, label in rows))
    if vocab:
        save_vocab(miniature_vocab(), directory / LCQMC_VOCAB.filename)
    return directory
