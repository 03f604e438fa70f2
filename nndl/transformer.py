"""Chapter 8.3: the Transformer encoder for LCQMC text matching (figures 8.15, 8.17).

嵌入层 (8.3.2.1): ``WordEmbedding``, ``SegmentEmbedding``, ``get_sinusoid_encoding``
(eqs. 8.22-8.23), ``PositionalEmbedding``, ``TransformerEmbeddings``; Transformer 组块
(8.3.2.2): ``AddNorm`` (eq. 8.24), ``PositionwiseFFN`` (eq. 8.25), ``TransformerBlock``;
模型汇总 (8.3.2.3): ``Model_Transformer``.

Differences from the printed code (errata C8): each ``AddNorm`` of a block has its own
LayerNorm (the book shares one between both sub-layers); the positional table is not
trainable; token and segment ids outside their tables and sequences longer than the
position table raise a ValueError instead of reading past the table.
"""
import numpy as np
import paddle
import paddle.nn as nn
import paddle.nn.functional as F

from .attention import _check_ids   # one id-range check for chapter 8's lookups

__all__ = [
    "WordEmbedding", "SegmentEmbedding", "get_sinusoid_encoding", "PositionalEmbedding",
    "TransformerEmbeddings", "AddNorm", "PositionwiseFFN", "TransformerBlock", "Model_Transformer",
    "cjk_font", "plot_attention_heads", "attention_head_patterns",
]
__local__ = ()


class WordEmbedding(nn.Layer):
    """输入编码 (8.3.2.1): 嵌入表 N(0, emb_size^-0.5), output scaled by sqrt(emb_size).

    输入:
        - vocab_size: 词表大小
        - emb_size: 词向量维度
        - bos_id: the padding id ([PAD]=0): its output row is zero and gets no gradient
    ``forward(word)``: ids of any shape [...] -> [..., emb_size].
    """

    def __init__(self, vocab_size, emb_size, bos_id=0):
        super(WordEmbedding, self).__init__()
        self.vocab_size = vocab_size
        self.emb_size = emb_size
        self.word_embedding = nn.Embedding(
            num_embeddings=vocab_size, embedding_dim=emb_size, padding_idx=bos_id,
            weight_attr=paddle.ParamAttr(initializer=nn.initializer.Normal(0.0, emb_size ** -0.5)))

    def forward(self, word):
        _check_ids("input_ids", word, self.vocab_size)
        # the scale makes the word vectors' norm comparable with the positional encoding's
        return self.emb_size ** 0.5 * self.word_embedding(word)


class SegmentEmbedding(nn.Layer):
    """分段编码 (8.3.2.1): 0 for the first sentence's tokens, 1 for the second's.

    输入:
        - vocab_size: 分段数 (2)
        - emb_size: 维度 (as the word vectors')
    """

    def __init__(self, vocab_size, emb_size):
        super(SegmentEmbedding, self).__init__()
        self.vocab_size = vocab_size
        self.emb_size = emb_size
        self.seg_embedding = nn.Embedding(num_embeddings=vocab_size, embedding_dim=emb_size)

    def forward(self, word):
        _check_ids("segment_ids", word, self.vocab_size, what="segment table")
        return self.seg_embedding(word)


def get_sinusoid_encoding(position_size, hidden_size):
    """三角函数位置编码 (8.3.2.1, eqs. 8.22-8.23).

    PE(pos, 2i) = sin(pos / 10000^(2i/D)), PE(pos, 2i+1) = cos(pos / 10000^(2i/D)),
    0 <= i < D/2 (the book's text says "0 >= i >= D/2").

    输入:
        - position_size: 位置数 P
        - hidden_size: 维度 D
    输出:
        - sinusoid: numpy float32, shape=[P, D] (computed in float64, as the book's loops)
    """
    if int(position_size) < 0 or int(hidden_size) <= 0:
        raise ValueError(f"position_size must be >= 0 and hidden_size > 0, got {position_size}, {hidden_size}")
    pos = np.arange(position_size, dtype=np.float64)[:, None]
    j = np.arange(hidden_size)
    angle = pos / np.power(10000, 2 * (j // 2) / hidden_size)   # [P, D]; 公式里的 i = j // 2
    angle[:, 0::2] = np.sin(angle[:, 0::2])
    angle[:, 1::2] = np.cos(angle[:, 1::2])
    return angle.astype("float32")


class PositionalEmbedding(nn.Layer):
    """位置编码 (8.3.2.1): an embedding table holding the fixed sinusoid encoding.

    输入:
        - max_length: 位置表大小 (the longest sequence it can encode)
        - emb_size: 维度
    The table is not trained (the book stops the gradient at the output; here the table
    itself is frozen, so an optimizer never touches it, weight decay included).
    """

    def __init__(self, max_length, emb_size):
        super(PositionalEmbedding, self).__init__()
        self.max_length = max_length
        self.emb_size = emb_size
        self.pos_encoder = nn.Embedding(
            num_embeddings=max_length, embedding_dim=emb_size,
            weight_attr=paddle.ParamAttr(
                initializer=nn.initializer.Assign(get_sinusoid_encoding(max_length, emb_size)),
                trainable=False))

    def forward(self, pos):
        _check_ids("position_ids", pos, self.max_length, what="position table (position_size)")
        pos_emb = self.pos_encoder(pos)
        pos_emb.stop_gradient = True
        return pos_emb


class TransformerEmbeddings(nn.Layer):
    """嵌入层汇总 (8.3.2.1): 输入编码 + 分段编码 + 位置编码, then LayerNorm and Dropout.

    输入:
        - vocab_size, hidden_size=768, hidden_dropout_prob=0.1, position_size=512, segment_size=2
    ``forward(input_ids [B, L], segment_ids=None, position_ids=None)`` -> [B, L, hidden_size];
    segment_ids None means one sentence (all 0); position_ids None means 0..L-1.
    """

    def __init__(self, vocab_size, hidden_size=768, hidden_dropout_prob=0.1, position_size=512,
                 segment_size=2):
        super(TransformerEmbeddings, self).__init__()
        self.position_size = position_size
        self.word_embeddings = WordEmbedding(vocab_size, hidden_size)
        self.position_embeddings = PositionalEmbedding(position_size, hidden_size)
        self.segment_embeddings = SegmentEmbedding(segment_size, hidden_size)
        self.layer_norm = nn.LayerNorm(hidden_size)
        self.dropout = nn.Dropout(hidden_dropout_prob)

    def forward(self, input_ids, segment_ids=None, position_ids=None):
        if not isinstance(input_ids, paddle.Tensor) or input_ids.ndim != 2:
            raise ValueError("input_ids must be a [batch_size, seq_len] tensor, got "
                             f"{list(input_ids.shape) if isinstance(input_ids, paddle.Tensor) else type(input_ids)}")
        seq_len = input_ids.shape[1]
        if position_ids is None:
            if seq_len > self.position_size:
                raise ValueError(f"sequence length {seq_len} exceeds the position table "
                                 f"(position_size={self.position_size}); truncate the input "
                                 f"(collate_fn's max_seq_len) or build a larger table")
            position_ids = paddle.arange(seq_len, dtype="int64").unsqueeze(0).expand_as(input_ids)
        if segment_ids is None:
            segment_ids = paddle.zeros_like(input_ids)
        if list(segment_ids.shape) != list(input_ids.shape):
            raise ValueError(f"segment_ids {list(segment_ids.shape)} must have input_ids' shape "
                             f"{list(input_ids.shape)}")
        embeddings = (self.word_embeddings(input_ids) + self.segment_embeddings(segment_ids)
                      + self.position_embeddings(position_ids))
        return self.dropout(self.layer_norm(embeddings))


class AddNorm(nn.Layer):
    """加与规范化 (8.3.2.2, eq. 8.24): LN(X + Dropout(H)).

    输入:
        - size: 特征维度
        - dropout_rate: dropout on H
    ``forward(X, H)``: X 被包裹的非线性层的输入, H 它的输出, both [B, L, size].
    """

    def __init__(self, size, dropout_rate):
        super(AddNorm, self).__init__()
        self.layer_norm = nn.LayerNorm(size)
        self.dropout = nn.Dropout(dropout_rate)

    def forward(self, X, H):
        return self.layer_norm(X + self.dropout(H))


class PositionwiseFFN(nn.Layer):
    """逐位前馈层 (8.3.2.2, eq. 8.25): W_2(Dropout(ReLU(W_1 X + b_1))) + b_2.

    输入:
        - input_size: D
        - mid_size: D'
        - dropout: dropout after the ReLU
    """

    def __init__(self, input_size, mid_size, dropout=0.1):
        super(PositionwiseFFN, self).__init__()
        self.W_1 = nn.Linear(input_size, mid_size)
        self.W_2 = nn.Linear(mid_size, input_size)
        self.dropout = nn.Dropout(dropout)

    def forward(self, X):
        return self.W_2(self.dropout(F.relu(self.W_1(X))))


class TransformerBlock(nn.Layer):
    """Transformer 组块 (8.3.2.2, figure 8.17): 多头自注意力, 加与规范化, 逐位前馈层, 加与规范化.

    输入:
        - input_size: 特征维度 D
        - head_num: 头数 (D must be divisible by it)
        - ffn_size: 前馈层中间维度
        - dropout: dropout of the two AddNorm layers
        - attn_dropout: dropout on the attention weights (None: ``dropout``)
        - act_dropout: dropout inside the FFN (None: ``dropout``)
    The attention is ``paddle.nn.MultiHeadAttention(need_weights=True)``, as printed.
    ``addnorm`` follows the attention and ``addnorm2`` the FFN: each its own LayerNorm (the
    book's block calls one ``AddNorm`` twice, so both sub-layers share one LayerNorm).
    ``forward(X, src_mask=None)`` -> (X [B, L, D], atten_weights [B, head_num, L, L]).
    """

    def __init__(self, input_size, head_num, ffn_size, dropout=0.1, attn_dropout=None, act_dropout=None):
        super(TransformerBlock, self).__init__()
        if head_num <= 0 or input_size % head_num != 0:
            raise ValueError(f"input_size ({input_size}) must be divisible by head_num ({head_num})")
        self.input_size = input_size
        self.head_num = head_num
        self.ffn_size = ffn_size
        self.dropout = dropout
        self.attn_dropout = dropout if attn_dropout is None else attn_dropout
        self.act_dropout = dropout if act_dropout is None else act_dropout
        self.multi_head_attention = nn.MultiHeadAttention(
            input_size, head_num, dropout=self.attn_dropout, need_weights=True)
        self.ffn = PositionwiseFFN(input_size, ffn_size, self.act_dropout)
        self.addnorm = AddNorm(input_size, dropout)
        self.addnorm2 = AddNorm(input_size, dropout)

    def forward(self, X, src_mask=None):
        X_atten, atten_weights = self.multi_head_attention(X, attn_mask=src_mask)
        X = self.addnorm(X, X_atten)
        X = self.addnorm2(X, self.ffn(X))
        return X, atten_weights


class Model_Transformer(nn.Layer):
    """基于 Transformer 编码器的文本语义匹配模型 (8.3.2.3, figure 8.15).

    输入:
        - vocab_size: 词表大小 (21128 for bert-base-chinese's vocabulary)
        - n_block: Transformer 组块数
        - hidden_size, heads_num, intermediate_size: D, 头数, 前馈层维度
        - hidden_dropout, attention_dropout, act_dropout: dropout rates
        - position_size: 位置表大小 (the longest input)
        - num_classes: 类别数
    ``forward(inputs, position_ids=None, attention_mask=None)`` with ``inputs = (input_ids,
    segment_ids)``, both [B, L] int64 ([PAD]=0): logits [B, num_classes] from the [CLS]
    position.  ``attention_weights``: one [B, heads_num, L, L] tensor per block.
    """

    def __init__(self, vocab_size, n_block=2, hidden_size=768, heads_num=12, intermediate_size=3072,
                 hidden_dropout=0.1, attention_dropout=0.1, act_dropout=0, position_size=512,
                 num_classes=2):
        super(Model_Transformer, self).__init__()
        if heads_num <= 0 or hidden_size % heads_num != 0:
            raise ValueError(f"hidden_size ({hidden_size}) must be divisible by heads_num ({heads_num})")
        self.vocab_size = vocab_size
        self.n_block = n_block
        self.hidden_size = hidden_size
        self.heads_num = heads_num
        self.intermediate_size = intermediate_size
        self.hidden_dropout = hidden_dropout
        self.attention_dropout = attention_dropout
        self.position_size = position_size
        self.num_classes = num_classes
        self.act_dropout = act_dropout
        self.embeddings = TransformerEmbeddings(vocab_size, hidden_size, hidden_dropout, position_size)
        self.layers = nn.LayerList([
            TransformerBlock(hidden_size, heads_num, intermediate_size, dropout=hidden_dropout,
                             attn_dropout=attention_dropout, act_dropout=act_dropout)
            for _ in range(n_block)])
        self.dense = nn.Linear(hidden_size, hidden_size)
        self.activation = nn.Tanh()
        self.classifier = nn.Linear(hidden_size, num_classes)
        self._attention_weights = []

    def forward(self, inputs, position_ids=None, attention_mask=None):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise TypeError("inputs must be (input_ids, segment_ids), both [batch_size, seq_len], got "
                            f"{type(inputs).__name__}")
        input_ids, segment_ids = inputs
        if attention_mask is None:
            # [PAD] (id 0) keys get -1e9 added to their scores: [B, 1, 1, L], broadcast over
            # heads and query rows; an integer comparison, then a cast (paddle >= 3 refuses
            # mixed-dtype comparisons)
            attention_mask = paddle.unsqueeze((input_ids == 0).astype("float32") * -1e9, axis=[1, 2])
        sequence_output = self.embeddings(input_ids=input_ids, segment_ids=segment_ids,
                                          position_ids=position_ids)
        self._attention_weights = []
        for encoder_layer in self.layers:
            sequence_output, atten_weights = encoder_layer(sequence_output, src_mask=attention_mask)
            self._attention_weights.append(atten_weights)
        # 选择第 0 个位置 ([CLS]) 的向量作为句向量
        pooled_output = self.activation(self.dense(sequence_output[:, 0]))
        return self.classifier(pooled_output)

    @property
    def attention_weights(self):
        return self._attention_weights


# --------------------------------------------------------------------------- figures 8.18-8.19

# fonts with Chinese glyphs that matplotlib may know by name (system installs)
_CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "SimHei", "WenQuanYi Zen Hei",
                 "WenQuanYi Micro Hei", "AR PL UMing CN", "Microsoft YaHei", "PingFang SC", "Heiti SC")
# registry packages that ship such a font file (read in place; the package is never imported):
# mplfonts (MIT) bundles Noto Sans CJK SC (SIL Open Font License 1.1)
_CJK_PACKAGE_FILES = (("mplfonts", "mplfonts/fonts/NotoSansCJKsc-Regular.otf"),)


def _covers(path, text):
    try:
        from matplotlib.ft2font import FT2Font
        charmap = FT2Font(str(path)).get_charmap()
    except Exception:   # unreadable or not a font: not usable
        return False
    return all(ord(ch) in charmap for ch in text)


def cjk_font(text="电脑怎么录像？如何在计算机上录视频"):
    """A font file that has every glyph of ``text`` (the book uses ``simhei.ttf``), or None.

    Looks at the fonts matplotlib knows (by the usual CJK family names) and then at the
    font files that registry packages ship (``mplfonts``: Noto Sans CJK SC).  None means no
    such font: draw the labels another way (see :func:`plot_attention_heads`).
    """
    from matplotlib import font_manager

    for family in _CJK_FAMILIES:
        try:
            path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
        if _covers(path, text):
            return path
    from .datasets.base import package_file
    for dist, rel in _CJK_PACKAGE_FILES:
        path = package_file(dist, rel)
        if path is not None and _covers(path, text):
            return str(path)
    return None


def _tick_labels(tokens, font_path):
    """Tokens as tick labels; without a CJK font, non-ASCII tokens become 'U+XXXX' codes
    (no missing-glyph boxes, no matplotlib warnings)."""
    if font_path is not None:
        return list(tokens)
    return [t if all(ord(c) < 128 for c in t) else " ".join(f"U+{ord(c):04X}" for c in t) for t in tokens]


def plot_attention_heads(weights, tokens, heads=None, fig_name=None, font_path="auto", cmap="OrRd"):
    """注意力权重的可视化 (8.3.6, figure 8.19): one heat map per head.

    输入:
        - weights: numpy [heads_num, L, L] (one sample's ``attention_weights``)
        - tokens: the L tokens (row and column labels)
        - heads: which heads to draw (default all)
        - fig_name: saved there when given
        - font_path: a font file for the labels; "auto" uses :func:`cjk_font`; None draws
          non-ASCII tokens as their code points
    输出:
        - the figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.font_manager import FontProperties

    weights = np.asarray(weights, dtype=float)
    if weights.ndim != 3 or weights.shape[1] != weights.shape[2]:
        raise ValueError(f"weights must be [heads_num, L, L], got shape {list(weights.shape)}")
    if len(tokens) != weights.shape[1]:
        raise ValueError(f"{len(tokens)} tokens for weights over {weights.shape[1]} positions")
    heads = list(range(weights.shape[0])) if heads is None else list(heads)
    if font_path == "auto":
        font_path = cjk_font("".join(tokens))
    font = FontProperties(fname=font_path, size=11) if font_path is not None else FontProperties(size=8)
    labels = _tick_labels(tokens, font_path)
    cols = min(2, len(heads))
    rows = (len(heads) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(6.5 * cols, 6.5 * rows), squeeze=False)
    for ax in axes.ravel()[len(heads):]:
        ax.axis("off")
    for ax, head in zip(axes.ravel(), heads):
        ax.imshow(weights[head], cmap=cmap, vmin=0.0)
        ax.set_xticks(range(len(labels)))
        ax.set_yticks(range(len(labels)))
        ax.set_xticklabels(labels, fontproperties=font, rotation=90 if font_path is None else 0)
        ax.set_yticklabels(labels, fontproperties=font)
        ax.set_title(f"head {head}")
        ax.set_xlabel("key (被关注的字符)" if font_path is not None else "key position")
        ax.set_ylabel("query (查询字符)" if font_path is not None else "query position")
        if font_path is not None:
            ax.xaxis.label.set_fontproperties(font)
            ax.yaxis.label.set_fontproperties(font)
    fig.tight_layout()
    if fig_name:
        fig.savefig(fig_name)
    return fig


# --------------------------------------------------------------------------- exercise 8.7

# the measures of attention_head_patterns, in the order the exercise reports them
HEAD_PATTERNS = ("entropy", "entropy_ratio", "to_cls", "to_sep", "to_self", "to_prev", "to_next",
                 "to_top_key", "to_other_sentence", "to_same_char_other")


def attention_head_patterns(weights, input_ids, segment_ids, cls_id, sep_id, pad_id=0, unk_id=None):
    """动手练习 8.7: what each attention head looks at, measured on sentence pairs.

    输入:
        - weights: numpy [B, heads_num, L, L] (one block's ``Model_Transformer.attention_weights``
          entry, eval mode); row i of a head is the distribution of query position i over the keys
        - input_ids, segment_ids: numpy [B, L] (``[CLS] A [SEP] B [SEP]`` then ``pad_id``)
        - cls_id, sep_id, pad_id: the ids of [CLS], [SEP], [PAD]
        - unk_id: the id of [UNK] (two unknown characters are not "the same character"); None: none
    输出:
        - measured: dict name -> numpy [heads_num], the mean over every valid query row (of
          every pair) where the measure is defined:

          ``entropy``: -sum_j w_ij log w_ij (nats); ``entropy_ratio``: entropy / log(n_valid)
          (1 = uniform over the valid keys, 0 = one key); ``to_cls``, ``to_sep``: the weight on
          the [CLS] / [SEP] keys; ``to_self``: w_ii; ``to_prev``, ``to_next``: w_i,i-1 / w_i,i+1
          (rows whose neighbour is a valid position); ``to_top_key``: the weight on the one key
          that gets the most weight from the pair's rows (a vertical stripe: every query looks
          at the same token; the key is chosen after the fact, so any uneven head exceeds the
          uniform value here: compare heads with each other); ``to_other_sentence``: from a character
          of one sentence, the weight on the other sentence's characters ([CLS]/[SEP] are not
          characters); ``to_same_char_other``: from a character that also occurs in the other
          sentence, the weight on those occurrences
        - uniform: the same measures for attention spread evenly over the valid keys (the
          baseline a head that ignores content and position would give), dict name -> float
    """
    w = np.asarray(weights, dtype=np.float64)
    ids = np.asarray(input_ids)
    seg = np.asarray(segment_ids)
    if w.ndim != 4 or w.shape[2] != w.shape[3]:
        raise ValueError(f"weights must be [batch_size, heads_num, L, L], got shape {list(w.shape)}")
    if ids.shape != (w.shape[0], w.shape[2]) or seg.shape != ids.shape:
        raise ValueError(f"input_ids {list(ids.shape)} and segment_ids {list(seg.shape)} must be "
                         f"[batch_size, L] = {[w.shape[0], w.shape[2]]} for weights {list(w.shape)}")
    if not np.isfinite(w).all():
        raise ValueError("weights hold NaN or inf")
    sums = {name: np.zeros(w.shape[1]) for name in HEAD_PATTERNS}
    base = {name: 0.0 for name in HEAD_PATTERNS}
    rows = {name: 0 for name in HEAD_PATTERNS}

    def add(name, measured, uniform):     # measured: [heads, rows]; uniform: [rows]
        sums[name] += measured.sum(axis=1)
        base[name] += float(np.sum(uniform))
        rows[name] += measured.shape[1]

    for b in range(w.shape[0]):
        valid = np.flatnonzero(ids[b] != pad_id)
        n = valid.size
        if n < 2:
            raise ValueError(f"pair {b} has {n} valid position(s); need at least 2")
        wb = w[b][:, valid][:, :, valid]                  # [heads, n, n] over the valid positions
        idb, sgb = ids[b, valid], seg[b, valid]
        uni = np.full(n, 1.0 / n)
        plogp = np.where(wb > 0, wb * np.log(np.where(wb > 0, wb, 1.0)), 0.0)
        entropy = -plogp.sum(axis=2)
        add("entropy", entropy, np.full(n, np.log(n)))
        add("entropy_ratio", entropy / np.log(n), np.ones(n))
        is_cls, is_sep = idb == cls_id, idb == sep_id
        add("to_cls", wb[:, :, is_cls].sum(axis=2), uni * is_cls.sum())
        add("to_sep", wb[:, :, is_sep].sum(axis=2), uni * is_sep.sum())
        add("to_self", np.diagonal(wb, axis1=1, axis2=2), uni)
        add("to_prev", np.diagonal(wb, offset=-1, axis1=1, axis2=2), uni[1:])
        add("to_next", np.diagonal(wb, offset=1, axis1=1, axis2=2), uni[1:])
        top = wb.sum(axis=1).argmax(axis=1)                                # [heads]: the most attended key
        add("to_top_key", wb[np.arange(wb.shape[0]), :, top], uni)
        text = ~(is_cls | is_sep)
        other = text[None, :] & (sgb[None, :] != sgb[:, None])             # [query, key]
        q_text = np.flatnonzero(text)
        add("to_other_sentence", (wb[:, q_text] * other[q_text]).sum(axis=2), other[q_text].sum(axis=1) / n)
        same = other & (idb[None, :] == idb[:, None])
        if unk_id is not None:
            same &= (idb != unk_id)[:, None]
        q_same = np.flatnonzero(text & same.any(axis=1))
        if q_same.size:
            add("to_same_char_other", (wb[:, q_same] * same[q_same]).sum(axis=2), same[q_same].sum(axis=1) / n)
    measured = {name: sums[name] / rows[name] if rows[name] else np.full(w.shape[1], np.nan)
                for name in HEAD_PATTERNS}
    uniform = {name: base[name] / rows[name] if rows[name] else float("nan") for name in HEAD_PATTERNS}
    return measured, uniform
