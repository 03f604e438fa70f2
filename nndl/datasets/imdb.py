"""IMDB 电影评论 (book 6.4; reused by 8.1 and 8.2): the book's ``utils.data`` for IMDB.

The book loads its data with ``from utils.data import load_imdb_data, load_vocab`` and never
prints that module.  This module is that ``utils.data`` for IMDB, designed from what the book
prints (6.4.1.1-6.4.1.3) and fed by the published archive through one mechanism
(:mod:`nndl.datasets.base`).

File formats
------------
**The published archive** ``aclImdb_v1.tar.gz`` (Maas et al. 2011; paddle's ``paddle.text.Imdb``
reads the same file, MD5 ``7c2ac02c03563afcf9b574c7e56c153a``, paddle cache ``imdb/``)::

    aclImdb/train/pos/<id>_<rating>.txt   12,500 reviews, rating 7-10  -> label 1 (积极)
    aclImdb/train/neg/<id>_<rating>.txt   12,500 reviews, rating 1-4   -> label 0 (消极)
    aclImdb/train/unsup/*.txt             50,000 unlabelled reviews   (ignored)
    aclImdb/test/{pos,neg}/<id>_<rating>.txt  12,500 + 12,500
    aclImdb/README, aclImdb/imdb.vocab, ...    (ignored)

Each review is one UTF-8 text (undecodable bytes become U+FFFD) that may hold HTML line breaks
(``<br />``), punctuation, accents, curly quotes, tabs and other unusual characters.

**Preprocessing** (:func:`tokenize`): lower-case; ``<br />`` becomes a space; words (any Unicode
letters/digits/underscore), English clitics (``it 's``, ``do n't``) and every other non-space
character become separate tokens; the text the loaders return is those tokens joined by single
spaces, so ``text.split(" ")`` (the book's ``IMDBDataset.words_to_id``) gives the tokens back.

**The book's split** (6.4.1.1: "将原始的测试集平均分为两份, 分别作为验证集和测试集"): train = the
25,000 labelled training reviews; the 25,000 test reviews are halved by review id, per class
(ids below the class's median id -> dev, the others -> test), giving 12,500 dev and 12,500 test,
each half positive.  The book does not say which half it used; this split is deterministic and
balanced.  Every list is ordered positive first, then negative, by review id.

**The preprocessed folder** (the book's ``./dataset/``): ``train.txt``, ``dev.txt``, ``test.txt``,
one example per line, ``<label>\\t<text>`` with label 0 or 1 and the tokenized text (no tabs or
newlines).  :func:`save_imdb_data` writes it; :func:`load_imdb_data` reads it.

**The vocabulary file** ``vocab.txt``: one token per line, UTF-8; the line number (from 0) is the
token's id.  Line 0 is ``[PAD]``, line 1 ``[UNK]`` (the book's table 6.1: ``[PAD]``=0, ``[UNK]``=1,
``the``=2, ``a``=3, ``and``=4, ...).  :func:`build_vocab` makes one from the training examples
(tokens by falling frequency, ties alphabetical), :func:`save_vocab` writes it, :func:`load_vocab`
reads it.

Names: :func:`load_imdb_data`, :func:`load_vocab`, :func:`build_vocab`, :func:`save_vocab`,
:func:`save_imdb_data`, :class:`IMDBDataset`, :func:`collate_fn` (6.4.1.3; ``__local__``: 8.3 has
another), :func:`tokenize`, :func:`make_miniature` (a small generated ``aclImdb_v1.tar.gz`` in
the real format, for tests and quick mode), :data:`IMDB_FILE` (the archive's
:class:`~nndl.datasets.base.DataFile`).
"""
import collections
import gzip
import io
import random
import re
import tarfile
from pathlib import Path

import paddle
from paddle.io import Dataset

from .base import DataFile, cached, locate

__all__ = [
    "IMDB_FILE", "tokenize", "load_imdb_data", "save_imdb_data", "build_vocab", "save_vocab", "load_vocab",
    "IMDBDataset", "collate_fn", "make_miniature",
]
# collate_fn / load_vocab are names the book gives to other things in 8.3; the generic helpers
# (LCQMC and the other data sets have their own) stay in this module too
__local__ = ("collate_fn", "load_vocab", "build_vocab", "save_vocab", "make_miniature", "tokenize")

IMDB_MD5 = "7c2ac02c03563afcf9b574c7e56c153a"
PAD_TOKEN, UNK_TOKEN = "[PAD]", "[UNK]"

HOW_TO = (
    "How to supply IMDB (the book's 6.4 data):\n"
    "  - put aclImdb_v1.tar.gz (paddle.text.Imdb's archive, MD5 7c2ac02c03563afcf9b574c7e56c153a)\n"
    "    into $NNDL_DATA, $NNDL_DATA/imdb or ~/.cache/paddle/dataset/imdb\n"
    "  - or pass load_imdb_data(path) with the archive, an extracted aclImdb folder, or a folder\n"
    "    with the book's preprocessed train.txt/dev.txt/test.txt\n"
    "  - on a machine with internet: load_imdb_data(download=True)"
)

IMDB_FILE = DataFile(
    "imdb", "aclImdb_v1.tar.gz", checksum=f"md5:{IMDB_MD5}", paddle_subdir="imdb",
    url="https://dataset.bj.bcebos.com/imdb%2FaclImdb_v1.tar.gz", title="IMDB", how_to=HOW_TO,
)

_SPLITS = ("train", "dev", "test")
_PREP_VERSION = 1   # bump when tokenize() changes: names the cached preprocessed split
_MEMBER = re.compile(r"(?:^|/)aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
# do n't / it 's / words / any other single non-space character
_TOKEN = re.compile(r"\w+(?=n't\b)|n't\b|'\w+|\w+|[^\w\s]")


def tokenize(text):
    """The loaders' preprocessing of one review: a list of lower-case tokens (see the module doc)."""
    if not isinstance(text, str):
        raise TypeError(f"tokenize: text must be a str, got {type(text).__name__}")
    text = _BR.sub(" ", text).lower().replace("\u2019", "'")
    return _TOKEN.findall(text)


def _clean(raw, where):
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    tokens = tokenize(text)
    if not tokens:
        raise ValueError(f"IMDB: empty review in {where} (no token after preprocessing)")
    return " ".join(tokens)


def _book_split(reviews):
    """reviews: {(split, label): [(id, text), ...]} -> (train, dev, test) lists of (text, label)."""
    out = {name: [] for name in _SPLITS}
    for label in (1, 0):
        out["train"].extend((t, label) for _, t in sorted(reviews.get(("train", label), [])))
        test = sorted(reviews.get(("test", label), []))
        half = (len(test) + 1) // 2
        out["dev"].extend((t, label) for _, t in test[:half])
        out["test"].extend((t, label) for _, t in test[half:])
    return out["train"], out["dev"], out["test"]


def _read_archive(path):
    reviews = collections.defaultdict(list)
    with tarfile.open(path, "r:*") as tar:
        for member in tar:
            m = _MEMBER.search(member.name)
            if m is None or not member.isfile():
                continue
            split, polarity, rid = m.group(1), m.group(2), int(m.group(3))
            raw = tar.extractfile(member).read()
            reviews[(split, 1 if polarity == "pos" else 0)].append((rid, _clean(raw, f"{path}:{member.name}")))
    if not reviews:
        raise ValueError(f"load_imdb_data: {path} has no aclImdb/{{train,test}}/{{pos,neg}}/<id>_<rating>.txt member")
    return _book_split(reviews)


def _read_tree(root):
    reviews = collections.defaultdict(list)
    for split in ("train", "test"):
        for polarity, label in (("pos", 1), ("neg", 0)):
            folder = root / split / polarity
            if not folder.is_dir():
                continue
            for f in folder.iterdir():
                m = re.fullmatch(r"(\d+)_(\d+)\.txt", f.name)
                if m and f.is_file():
                    reviews[(split, label)].append((int(m.group(1)), _clean(f.read_bytes(), f)))
    if not reviews:
        raise ValueError(f"load_imdb_data: {root} has no {{train,test}}/{{pos,neg}}/<id>_<rating>.txt file")
    return _book_split(reviews)


def _read_split_file(path):
    examples = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n").rstrip("\r")
            if not line:
                continue
            label, sep, text = line.partition("\t")
            if not sep or label not in ("0", "1"):
                raise ValueError(f"load_imdb_data: {path}:{lineno}: expected '<0|1>\\t<text>', got {line[:60]!r}")
            if not text.strip():
                raise ValueError(f"load_imdb_data: {path}:{lineno}: empty review")
            examples.append((text, int(label)))
    return examples


def _write_split(f, train, dev, test):
    for name, examples in zip(_SPLITS, (train, dev, test)):
        for text, label in examples:
            f.write(f"{name}\t{label}\t{text}\n".encode("utf-8"))


def _read_cache(path):
    out = {name: [] for name in _SPLITS}
    with open(path, encoding="utf-8") as f:
        for line in f:
            name, label, text = line.rstrip("\n").split("\t", 2)
            out[name].append((text, int(label)))
    return out["train"], out["dev"], out["test"]


def load_imdb_data(path=None, verify=True, download=False, cache=True):
    """加载 IMDB 数据集 (book 6.4.1.1, ``utils.data.load_imdb_data``).

    输入:
        - path: None (find ``aclImdb_v1.tar.gz`` through :func:`nndl.datasets.base.locate`:
          ``$NNDL_DATA``, nndl's cache, paddle's cache ``imdb/``), the archive itself, an extracted
          ``aclImdb`` folder (or a folder holding it or the archive), or the book's preprocessed
          folder with ``train.txt``/``dev.txt``/``test.txt``
        - verify: check an archive's MD5 (False only for a generated miniature, :func:`make_miniature`)
        - download: fetch the archive into paddle's cache when no offline copy exists
        - cache: keep the preprocessed split of the verified archive in nndl's cache (the archive
          takes tens of seconds to read and tokenize)
    输出:
        - (train_data, dev_data, test_data): lists of ``(text, label)``, text the tokenized review
          joined by spaces, label 1 积极 / 0 消极; the book's split (see the module docstring)
    Raises :class:`~nndl.datasets.base.DataNotFoundError` when no source has the archive.
    """
    if path is None:
        archive = locate(IMDB_FILE, download=download)
    else:
        p = Path(path).expanduser()
        if p.is_dir():
            if all((p / f"{name}.txt").is_file() for name in _SPLITS):
                return tuple(_read_split_file(p / f"{name}.txt") for name in _SPLITS)
            for tree in (p, p / "aclImdb"):
                if (tree / "train").is_dir() or (tree / "test").is_dir():
                    return _read_tree(tree)
            if (p / IMDB_FILE.filename).is_file():
                p = p / IMDB_FILE.filename
            else:
                raise FileNotFoundError(
                    f"load_imdb_data: {p} holds neither train.txt/dev.txt/test.txt, an aclImdb tree, "
                    f"nor {IMDB_FILE.filename}")
        if not p.is_file():
            raise FileNotFoundError(f"load_imdb_data: no such file or folder: {p}")
        if not verify:
            return _read_archive(p)
        archive = locate(IMDB_FILE, path=p)
    if not cache:
        return _read_archive(archive)

    def build(f):
        _write_split(f, *_read_archive(archive))
    return _read_cache(cached("imdb", f"aclImdb_split_{IMDB_MD5[:8]}_v{_PREP_VERSION}.tsv", build))


def save_imdb_data(folder, train_data, dev_data, test_data):
    """Write the book's preprocessed folder: ``train.txt``, ``dev.txt``, ``test.txt`` (``label\\ttext``)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, examples in zip(_SPLITS, (train_data, dev_data, test_data)):
        with open(folder / f"{name}.txt", "w", encoding="utf-8") as f:
            for i, (text, label) in enumerate(examples):
                if any(c in text for c in "\t\n\r"):
                    raise ValueError(f"save_imdb_data: {name}[{i}] holds a tab or line break; tokenize it first")
                f.write(f"{int(label)}\t{text}\n")
    return folder


def build_vocab(examples, min_freq=1, max_size=None):
    """A vocabulary from training examples (used when no ``vocab.txt`` is supplied).

    输入:
        - examples: list of ``(text, label)`` (text split on spaces)
        - min_freq: keep tokens seen at least this often; max_size: at most this many ids in all
    输出:
        - word2id_dict: ``[PAD]``=0, ``[UNK]``=1, then tokens by falling frequency (ties alphabetical)
    """
    if min_freq < 1:
        raise ValueError(f"build_vocab: min_freq must be >= 1, got {min_freq}")
    if max_size is not None and max_size < 2:
        raise ValueError(f"build_vocab: max_size must be >= 2 ([PAD], [UNK]), got {max_size}")
    counts = collections.Counter()
    for text, _ in examples:
        counts.update(w for w in text.split(" ") if w)
    counts.pop(PAD_TOKEN, None)
    counts.pop(UNK_TOKEN, None)
    words = sorted((w for w, c in counts.items() if c >= min_freq), key=lambda w: (-counts[w], w))
    if max_size is not None:
        words = words[:max_size - 2]
    return {w: i for i, w in enumerate([PAD_TOKEN, UNK_TOKEN] + words)}


def save_vocab(word2id_dict, path):
    """Write ``vocab.txt`` (one token per line, line number = id); the ids must be 0..n-1."""
    words = sorted(word2id_dict, key=word2id_dict.get)
    if [word2id_dict[w] for w in words] != list(range(len(words))):
        raise ValueError("save_vocab: the ids must be exactly 0..n-1")
    for w in words:
        if not w or any(c in w for c in "\n\r"):
            raise ValueError(f"save_vocab: token {w!r} cannot be written one per line")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text("".join(w + "\n" for w in words), encoding="utf-8")
    return Path(path)


def load_vocab(path):
    """加载词表 (book 6.4.1.2, ``utils.data.load_vocab``).

    输入:
        - path: ``vocab.txt`` (one token per line; the line number is the id), or a folder holding it
    输出:
        - word2id_dict: {token: id}; it must hold ``[PAD]`` and ``[UNK]``
    """
    p = Path(path)
    if p.is_dir():
        p = p / "vocab.txt"
    if not p.is_file():
        raise FileNotFoundError(f"load_vocab: no vocabulary file {p} (build one with build_vocab(train_data))")
    word2id = {}
    with open(p, encoding="utf-8") as f:
        for i, line in enumerate(f):
            word = line.rstrip("\n").rstrip("\r")
            if not word:
                raise ValueError(f"load_vocab: {p}:{i + 1}: empty token")
            if word in word2id:
                raise ValueError(f"load_vocab: {p}:{i + 1}: token {word!r} repeats line {word2id[word] + 1}")
            word2id[word] = i
    for special in (PAD_TOKEN, UNK_TOKEN):
        if special not in word2id:
            raise ValueError(f"load_vocab: {p} has no {special} token")
    return word2id


class IMDBDataset(Dataset):
    """IMDB 数据集 (book 6.4.1.2): each item is ``(ids, label)``, ids a list of int.

    输入:
        - examples: list of ``(text, label)`` from :func:`load_imdb_data`
        - word2id_dict: {token: id} holding ``[UNK]``; unknown tokens become ``[UNK]``'s id
        - num_classes: labels must lie in ``0..num_classes-1`` (2 for IMDB)
    """

    def __init__(self, examples, word2id_dict, num_classes=2):
        super().__init__()
        if UNK_TOKEN not in word2id_dict:
            raise ValueError(f"IMDBDataset: word2id_dict has no {UNK_TOKEN} entry for unknown words")
        self.word2id_dict = word2id_dict
        self.num_classes = num_classes
        self.examples = self.words_to_id(examples)

    def words_to_id(self, examples):
        """Map each text's tokens to ids (the book forgot ``return``, L9037-9045)."""
        unk = self.word2id_dict[UNK_TOKEN]
        tmp_examples = []
        for idx, example in enumerate(examples):
            try:
                seq, label = example
            except (TypeError, ValueError):
                raise ValueError(f"IMDBDataset: example {idx} is not a (text, label) pair: {example!r:.80}") from None
            if not isinstance(seq, str):
                raise TypeError(f"IMDBDataset: example {idx}: text must be a str, got {type(seq).__name__}")
            # split() rather than split(" "): a double space must not become an [UNK] token
            words = seq.split()
            if not words:
                raise ValueError(f"IMDBDataset: example {idx} is an empty review")
            try:
                label = int(label)
            except (TypeError, ValueError):
                raise ValueError(f"IMDBDataset: example {idx}: label {label!r} is not an integer") from None
            if not 0 <= label < self.num_classes:
                raise ValueError(f"IMDBDataset: example {idx}: label {label} outside the classes "
                                 f"0..{self.num_classes - 1}")
            tmp_examples.append([[self.word2id_dict.get(w, unk) for w in words], label])
        return tmp_examples

    def __getitem__(self, idx):
        seq, label = self.examples[idx]
        return seq, label

    def __len__(self):
        return len(self.examples)


def collate_fn(batch_data, pad_val=0, max_seq_len=256):
    """截断与补齐 (book 6.4.1.3): a DataLoader's collate function.

    输入:
        - batch_data: list of ``(ids, label)`` (ids: list or 1-D array of int)
        - pad_val: the id that fills short sequences (``word2id_dict['[PAD]']``)
        - max_seq_len: longer sequences are cut to their first ``max_seq_len`` ids
    输出:
        - ``((seqs, seq_lens), labels)``: int64 tensors ``[B, L]``, ``[B]``, ``[B]``, with
          L the longest (cut) sequence of the batch
    """
    if max_seq_len is None or int(max_seq_len) < 1:
        raise ValueError(f"collate_fn: max_seq_len must be >= 1, got {max_seq_len!r}")
    if len(batch_data) == 0:
        raise ValueError("collate_fn: empty batch")
    seqs, seq_lens, labels = [], [], []
    for i, example in enumerate(batch_data):
        seq, label = example
        seq = [int(t) for t in list(seq)[:max_seq_len]]
        if not seq:
            raise ValueError(f"collate_fn: example {i} of the batch is an empty sequence")
        seqs.append(seq)
        seq_lens.append(len(seq))
        labels.append(int(label))
    max_len = max(seq_lens)
    seqs = [s + [pad_val] * (max_len - len(s)) for s in seqs]
    return ((paddle.to_tensor(seqs, dtype="int64"), paddle.to_tensor(seq_lens, dtype="int64")),
            paddle.to_tensor(labels, dtype="int64"))


# ---------------------------------------------------------------- generated miniature
_POS = ("great", "wonderful", "excellent", "loved", "brilliant", "superb", "moving", "beautiful", "best", "enjoyed")
_NEG = ("bad", "awful", "terrible", "boring", "worst", "waste", "poor", "dull", "hated", "stupid")
_NEUTRAL = ("the", "a", "and", "movie", "film", "plot", "actors", "it", "was", "is", "this", "of", "story",
            "scene", "director", "watched", "i", "to", "in", "that", "ending", "music", "time", "with")
# what real reviews hold besides plain words: HTML breaks, accents, curly quotes, dashes, clitics,
# tabs, CRLF, CJK, emoji, backslashes, an undecodable byte
_ODD = ("<br /><br />", "caf\u00e9", "na\u00efve", "\u201cCover Girl\u201d", "\u2014", "it's", "don't",
        "\t", "\r\n", "\u7535\u5f71", "\U0001f600", "C:\\path", "...", "!!", "$5", "50%", "(sic)")


def _review(rng, label, n_words):
    words = []
    signal = _POS if label == 1 else _NEG
    for _ in range(n_words):
        r = rng.random()
        if r < 0.25:
            words.append(rng.choice(signal))
        elif r < 0.33:
            words.append(rng.choice(_ODD))
        else:
            w = rng.choice(_NEUTRAL)
            words.append(w.capitalize() if rng.random() < 0.1 else w)
    return " ".join(words) + "."


def make_miniature(out_dir, n_train=200, n_test=200, n_unsup=4, seed=0, min_words=8, max_words=60):
    """Write a small generated ``aclImdb_v1.tar.gz`` in the published format.

    输入:
        - out_dir: folder for the archive (created)
        - n_train, n_test: reviews per split (half positive); n_unsup: unlabelled train reviews
        - seed: the generator's seed (the file is the same for the same arguments)
    输出:
        - the archive's path.  Reviews mix sentiment words (so a model can learn them) with the
          unusual characters of real reviews; one review holds an undecodable byte.  Read it with
          ``load_imdb_data(path, verify=False)`` (its MD5 is not the published one).
    """
    for name, n in (("n_train", n_train), ("n_test", n_test)):
        if n < 2 or n % 2:
            raise ValueError(f"make_miniature: {name} must be an even number >= 2, got {n}")
    rng = random.Random(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / IMDB_FILE.filename
    files = [("aclImdb/README", b"Large Movie Review Dataset v1.0 (generated miniature for nndl)\n"),
             ("aclImdb/imdb.vocab", "\n".join(_NEUTRAL + _POS + _NEG).encode("utf-8") + b"\n")]
    for split, n in (("train", n_train), ("test", n_test)):
        for polarity, label in (("pos", 1), ("neg", 0)):
            for rid in range(n // 2):
                rating = rng.randint(7, 10) if label else rng.randint(1, 4)
                text = _review(rng, label, rng.randint(min_words, max_words)).encode("utf-8")
                if split == "train" and polarity == "neg" and rid == 0:
                    text += b" \xff"   # one undecodable byte, as scraped text sometimes has
                files.append((f"aclImdb/{split}/{polarity}/{rid}_{rating}.txt", text))
    for rid in range(n_unsup):
        files.append((f"aclImdb/train/unsup/{rid}_0.txt", _review(rng, rid % 2, 20).encode("utf-8")))
    buf = io.BytesIO()
    # fixed mtimes and order make the archive byte-identical for the same arguments
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 1300000000, 0o644
            tar.addfile(info, io.BytesIO(data))
    path.write_bytes(gzip.compress(buf.getvalue(), mtime=0))
    return path
