"""Chapter 8.1-8.2 注意力机制: attention scores, masked softmax, QKV and multi-head self-attention.

8.1 聚合 a sequence with a learnable query vector (``AdditiveScore`` eq. 8.3,
``DotProductScore`` eq. 8.4, the masked softmax eq. 8.5 and ``Attention``) on top of
6.4's bidirectional LSTM (``Model_LSTMAttention``); 8.2 replaces it with multi-head
self-attention (``QKVAttention`` eq. 8.11, ``split_head_reshape`` eqs. 8.17-8.18,
``MultiHeadSelfAttention`` eq. 8.16, ``Model_LSTMSeftAttention``).

Every mask here is built with integer comparisons: the book's
``paddle.arange(L, dtype=float32) < valid_lens`` (int64) raises a TypeError on
paddle >= 3 (errata C8-1).
"""
import math

import paddle
import paddle.nn as nn
import paddle.nn.functional as F

__all__ = [
    "sequence_mask", "masked_softmax", "AdditiveScore", "DotProductScore", "ScaledDotProductScore",
    "BilinearScore", "Attention", "SimpleSelfAttention",
    "Model_LSTMAttention", "QKVAttention", "QKVAAttention", "split_head_reshape",
    "MultiHeadSelfAttention", "Model_LSTMSeftAttention", "Model_LSTMSelfAttention",
    "Model_SelfAttention", "plot_attention_weights",
]
__local__ = ()

# the book fills masked scores with -1e9 (8.1.2.2) before the softmax
MASK_VALUE = -1e9


def _check_tensor(name, x, ndim=None):
    if not isinstance(x, paddle.Tensor):
        raise TypeError(f"{name} must be a paddle.Tensor, got {type(x).__name__}")
    if ndim is not None and len(x.shape) != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {list(x.shape)}")


class _Lengths(object):
    """Lengths already checked and shaped to broadcast against scores (MultiHeadSelfAttention
    hands them to its QKVAttention, so the check and its device sync run once per call)."""

    __slots__ = ("lens",)

    def __init__(self, lens):
        self.lens = lens


_ARANGE = {}


def _arange(length):
    """paddle.arange(length, dtype=int64), kept per (length, device): a mask needs it on
    every call and building it costs as much as the comparison itself."""
    key = (int(length), paddle.get_device())
    got = _ARANGE.get(key)
    if got is None:
        if len(_ARANGE) > 256:
            _ARANGE.clear()
        got = _ARANGE[key] = paddle.arange(int(length), dtype="int64")
    return got


def _as_lengths(valid_lens, name="valid_lens"):
    """valid_lens as an int64 tensor (a list, numpy array or tensor of any dtype)."""
    if not isinstance(valid_lens, paddle.Tensor):
        valid_lens = paddle.to_tensor(valid_lens)
    if valid_lens.dtype != paddle.int64:
        if valid_lens.is_floating_point():
            # lengths stored as floats (6.4's AveragePooling does that) must be whole numbers
            if not bool(paddle.all(paddle.floor(valid_lens) == valid_lens)):
                raise ValueError(f"{name} must hold whole numbers, got {valid_lens.numpy().tolist()}")
        valid_lens = valid_lens.astype("int64")
    if valid_lens.size > 0 and int(valid_lens.min()) < 0:
        raise ValueError(f"{name} must be >= 0, got {valid_lens.numpy().tolist()}")
    return valid_lens


def sequence_mask(valid_lens, max_len):
    """The boolean mask of the valid positions (8.1.2.2).

    输入:
        - valid_lens: 有效长度, shape=[...], any integer or whole-valued float dtype
        - max_len: 序列长度 L
    输出:
        - mask: shape=[..., L], True where position < valid_len

    Integer comparison (``arange`` as int64): paddle >= 3 refuses the book's float32-vs-int64
    comparison.
    """
    valid_lens = _as_lengths(valid_lens)
    return _arange(max_len) < valid_lens.unsqueeze(-1)


def masked_softmax(scores, valid_lens=None, value=MASK_VALUE):
    """Softmax over the last axis with the padded positions filled with ``value`` (eq. 8.5).

    输入:
        - scores: 注意力打分, shape=[B, L] or [B, Lq, L]
        - valid_lens: 有效长度, None (no mask), shape=[B] (one length per sequence, for every
          query row) or, for 3-D scores, shape=[B*Lq] (one per query row, the book's 8.2.1.2
          form) or [B, Lq]
        - value: the fill value of masked scores (the book's -1e9)
    输出:
        - attn_weights: shape as ``scores``; padded positions get exactly 0 and the valid ones
          sum to 1 (a row of length 0 is all zeros: it has nothing to attend to)
    """
    _check_tensor("scores", scores)
    if len(scores.shape) not in (2, 3):
        raise ValueError(f"scores must be [B, L] or [B, Lq, L], got shape {list(scores.shape)}")
    if valid_lens is None:
        return F.softmax(scores, axis=-1)
    if isinstance(valid_lens, _Lengths):
        return _fill_softmax(scores, valid_lens.lens, value)
    return _fill_softmax(scores, _broadcast_lengths(scores, valid_lens), value)


def _broadcast_lengths(scores, valid_lens):
    """valid_lens checked against scores' shape and reshaped to broadcast over it."""
    valid_lens = _as_lengths(valid_lens)
    batch = scores.shape[0]
    n = valid_lens.size
    vdim = len(valid_lens.shape)
    if len(scores.shape) == 2:
        if vdim != 1 or n != batch:
            raise ValueError(f"valid_lens must have shape [{batch}] for scores of shape {list(scores.shape)}, "
                             f"got {list(valid_lens.shape)}")
        lens = valid_lens.unsqueeze(-1)                        # [B, 1]
    else:
        queries = scores.shape[1]
        if vdim == 1 and n == batch:
            lens = valid_lens.reshape([batch, 1, 1])           # every query row of a sequence
        elif n == batch * queries and vdim in (1, 2) and \
                (vdim == 1 or list(valid_lens.shape) == [batch, queries]):
            lens = valid_lens.reshape([batch, queries, 1])     # the book's one length per query row
        else:
            raise ValueError(f"valid_lens must have shape [{batch}], [{batch * queries}] or "
                             f"[{batch}, {queries}] for scores of shape {list(scores.shape)}, "
                             f"got {list(valid_lens.shape)}")
    return lens


def _fill_softmax(scores, lens, value):
    mask = _arange(scores.shape[-1]) < lens                    # broadcasts to scores' shape
    filled = paddle.where(mask, scores, paddle.full([], value, dtype=scores.dtype))
    weights = F.softmax(filled, axis=-1)
    # paddle's CPU softmax clips x - max at -64, so a -1e9 score still gets exp(-64) ~ 5e-29;
    # zero it so that a padded position has exactly no weight (as the book prints, 8.1.2.2)
    return paddle.where(mask, weights, paddle.zeros([], dtype=weights.dtype))


def _check_features(name, inputs, hidden_size):
    _check_tensor(name, inputs, 3)
    if inputs.shape[-1] != hidden_size:
        raise ValueError(f"{name} must be [batch_size, seq_len, {hidden_size}], got shape {list(inputs.shape)}")


def _uniform_query(layer, shape):
    """The scores' query vector ``q``: a parameter of ``layer`` drawn from U(-0.5, 0.5) (8.1.2.1)."""
    return layer.create_parameter(shape=shape, dtype=paddle.get_default_dtype(),
                                  default_initializer=nn.initializer.Uniform(low=-0.5, high=0.5))


class AdditiveScore(nn.Layer):
    """加性注意力打分 (8.1.2.1, eq. 8.3): s(X, q) = v^T tanh(XW + q^T U).

    输入:
        - hidden_size: 特征维度 D
    Parameters: ``W``, ``U`` (Linear D->D without bias), ``v`` (Linear D->1 without bias),
    the query ``q`` [1, D] drawn from U(-0.5, 0.5).
    """

    def __init__(self, hidden_size):
        super(AdditiveScore, self).__init__()
        self.hidden_size = hidden_size
        self.W = nn.Linear(hidden_size, hidden_size, bias_attr=False)
        self.U = nn.Linear(hidden_size, hidden_size, bias_attr=False)
        self.v = nn.Linear(hidden_size, 1, bias_attr=False)
        # 查询向量使用均匀分布随机初始化
        self.q = _uniform_query(self, [1, hidden_size])

    def forward(self, inputs):
        """
        输入:
            - inputs: 输入矩阵, shape=[batch_size, seq_len, hidden_size]
        输出:
            - scores: 输出矩阵, shape=[batch_size, seq_len]
        """
        _check_features("inputs", inputs, self.hidden_size)
        # [B, L, D] + [1, D] broadcasts the query term over every position
        scores = paddle.tanh(self.W(inputs) + self.U(self.q))
        return self.v(scores).squeeze(-1)


class DotProductScore(nn.Layer):
    """点积注意力打分 (8.1.2.1, eq. 8.4): s(X, q) = Xq.

    输入:
        - hidden_size: 特征维度 D; the query ``q`` [D, 1] is drawn from U(-0.5, 0.5)
    """

    def __init__(self, hidden_size):
        super(DotProductScore, self).__init__()
        self.hidden_size = hidden_size
        self.q = _uniform_query(self, [hidden_size, 1])

    def forward(self, inputs):
        """
        输入:
            - inputs: 输入矩阵, shape=[batch_size, seq_len, hidden_size]
        输出:
            - scores: 输出矩阵, shape=[batch_size, seq_len]
        """
        _check_features("inputs", inputs, self.hidden_size)
        return paddle.matmul(inputs, self.q).squeeze(-1)


class ScaledDotProductScore(DotProductScore):
    """缩放点积打分 (exercise 8.1; 《神经网络与深度学习》 eq. 8.4): s(X, q) = Xq / sqrt(D).

    输入:
        - hidden_size: 特征维度 D; the query ``q`` [D, 1] as :class:`DotProductScore`'s
    """

    def forward(self, inputs):
        return super(ScaledDotProductScore, self).forward(inputs) / math.sqrt(self.hidden_size)


class BilinearScore(nn.Layer):
    """双线性打分 (exercise 8.1; 《神经网络与深度学习》 eq. 8.5): s(X, q) = X W q.

    输入:
        - hidden_size: 特征维度 D; ``W`` Linear(D, D) without bias, the query ``q`` [D, 1]
          from U(-0.5, 0.5)
    """

    def __init__(self, hidden_size):
        super(BilinearScore, self).__init__()
        self.hidden_size = hidden_size
        self.W = nn.Linear(hidden_size, hidden_size, bias_attr=False)
        self.q = _uniform_query(self, [hidden_size, 1])

    def forward(self, inputs):
        """
        输入:
            - inputs: 输入矩阵, shape=[batch_size, seq_len, hidden_size]
        输出:
            - scores: 输出矩阵, shape=[batch_size, seq_len]
        """
        _check_features("inputs", inputs, self.hidden_size)
        return paddle.matmul(self.W(inputs), self.q).squeeze(-1)


SCORES = {"additive": AdditiveScore, "dot": DotProductScore, "scaled_dot": ScaledDotProductScore,
          "bilinear": BilinearScore}


def _score_layer(hidden_size, use_additive, score):
    if score is None:
        score = "additive" if use_additive else "dot"
    if score not in SCORES:
        raise ValueError(f"score must be one of {sorted(SCORES)}, got {score!r}")
    return score, SCORES[score](hidden_size)


class Attention(nn.Layer):
    """注意力层 (8.1.2.4): 打分函数, masked softmax (eq. 8.5), 加权平均 (eq. 8.2).

    输入:
        - hidden_size: 特征维度 D
        - use_additive: True 使用加性模型, False 使用点积模型
        - score: (extra, exercise 8.1) 'additive', 'dot', 'scaled_dot' or 'bilinear';
          None follows ``use_additive``
    The last attention distribution is kept in ``attention_weights`` ([B, L]).
    """

    def __init__(self, hidden_size, use_additive=False, score=None):
        super(Attention, self).__init__()
        self.score, self.scores = _score_layer(hidden_size, use_additive, score)
        self.use_additive = self.score == "additive"
        self._attention_weights = None

    def forward(self, X, valid_lens):
        """
        输入:
            - X: 输入矩阵, shape=[batch_size, seq_len, hidden_size]
            - valid_lens: 长度矩阵, shape=[batch_size]
        输出:
            - context: 注意力的加权平均, shape=[batch_size, hidden_size]
        """
        scores = self.scores(X)                                   # [B, L]
        attn_weights = masked_softmax(scores, valid_lens)         # [B, L]
        self._attention_weights = attn_weights
        # [B, 1, L] x [B, L, D] -> [B, 1, D] -> [B, D]
        return paddle.matmul(attn_weights.unsqueeze(1), X).squeeze(1)

    @property
    def attention_weights(self):
        return self._attention_weights


class SimpleSelfAttention(nn.Layer):
    """最简单的自注意力 (8.2.1.1, eq. 8.7; exercise 8.2): Z = softmax(X X^T) X, no parameters.

    ``forward(X, valid_lens=None)``: X [B, L, D], valid_lens [B] masks the [PAD] keys;
    output [B, L, D].  The weights [B, L, L] are kept in ``attention_weights``.
    """

    def __init__(self):
        super(SimpleSelfAttention, self).__init__()
        self._attention_weights = None

    def forward(self, X, valid_lens=None):
        _check_tensor("X", X, 3)
        weights = masked_softmax(paddle.matmul(X, X, transpose_y=True), valid_lens)
        self._attention_weights = weights
        return paddle.matmul(weights, X)

    @property
    def attention_weights(self):
        return self._attention_weights


def _lstm_inputs(inputs):
    if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
        raise TypeError("inputs must be (input_ids [batch_size, seq_len], valid_lens [batch_size]), "
                        f"got {type(inputs).__name__}")
    input_ids, valid_lens = inputs
    _check_tensor("input_ids", input_ids, 2)
    valid_lens = _as_lengths(valid_lens)
    if list(valid_lens.shape) != [input_ids.shape[0]]:
        raise ValueError(f"valid_lens must have shape [{input_ids.shape[0]}] (one length per sequence), "
                         f"got {list(valid_lens.shape)}")
    lo, hi = int(valid_lens.min()), int(valid_lens.max())
    if lo < 1 or hi > input_ids.shape[1]:
        raise ValueError(f"valid_lens must lie in 1..{input_ids.shape[1]} (the padded length of input_ids), "
                         f"got {lo}..{hi}")
    return input_ids, valid_lens


def _check_ids(name, ids, size, what="vocabulary"):
    """ids must index a table of ``size`` rows: paddle's CPU lookup reads past the end silently."""
    if not isinstance(ids, paddle.Tensor):
        raise TypeError(f"{name} must be a paddle.Tensor of integer ids, got {type(ids).__name__}")
    if ids.is_floating_point():
        raise TypeError(f"{name} must hold integer ids, got dtype {ids.dtype}")
    if ids.size and (int(ids.min()) < 0 or int(ids.max()) >= size):
        raise ValueError(f"{name} must lie in [0, {size - 1}] (the {what} has {size} entries), "
                         f"got values in [{int(ids.min())}, {int(ids.max())}]")


class Model_LSTMAttention(nn.Layer):
    """基于双向 LSTM 和注意力机制的文本分类模型 (8.1.2.5, figure 8.3).

    输入:
        - hidden_size: LSTM 隐状态维度 (the attention sees 2*hidden_size)
        - embedding_size: 词向量维度
        - vocab_size: 词表大小
        - n_classes: 类别数
        - n_layers: LSTM 层数
        - use_additive: 加性 (True) 或点积 (False) 注意力
        - score: (extra, exercise 8.1) the scoring function by name, as :class:`Attention`'s
        - self_attention: (extra, exercise 8.2) a layer called as ``self_attention(H, valid_lens)``
          between the LSTM and the attention (e.g. :class:`SimpleSelfAttention`); None: none
    ``forward(inputs)`` with ``inputs = (input_ids [B, L] int64, valid_lens [B])`` returns
    logits [B, n_classes].
    """

    def __init__(self, hidden_size, embedding_size, vocab_size, n_classes=10, n_layers=1,
                 use_additive=False, score=None, self_attention=None):
        super(Model_LSTMAttention, self).__init__()
        self.hidden_size = hidden_size
        self.embedding_size = embedding_size
        self.vocab_size = vocab_size
        self.n_classes = n_classes
        self.n_layers = n_layers
        self.embedding = nn.Embedding(num_embeddings=vocab_size, embedding_dim=embedding_size)
        self.lstm = nn.LSTM(input_size=embedding_size, hidden_size=hidden_size,
                            num_layers=n_layers, direction="bidirectional")
        self.self_attention = self_attention
        self.attention = Attention(hidden_size * 2, use_additive=use_additive, score=score)
        self.cls_fc = nn.Linear(hidden_size * 2, n_classes)

    def forward(self, inputs):
        input_ids, valid_lens = _lstm_inputs(inputs)
        _check_ids("input_ids", input_ids, self.vocab_size)
        embedded_input = self.embedding(input_ids)
        # sequence_length: the padded steps give zero outputs and do not enter the backward pass
        hiddens, _ = self.lstm(embedded_input, sequence_length=valid_lens)
        if self.self_attention is not None:
            hiddens = self.self_attention(hiddens, valid_lens)
        context = self.attention(hiddens, valid_lens)
        return self.cls_fc(context)


class QKVAttention(nn.Layer):
    """QKV 注意力 (8.2.1.2, eq. 8.11): softmax(QK^T / sqrt(D)) V with the [PAD] keys masked.

    The book prints the class as ``QKVAAttention`` and uses it as ``QKVAttention``; both
    names are this class.

    输入:
        - size: 特征维度 D (the scale is sqrt(D))
        - dropout: dropout on the attention weights (extra; the book has none, default 0)
    The last weights are kept in ``attention_weights`` ([B, Lq, Lk]).
    """

    def __init__(self, size, dropout=0.0):
        super(QKVAttention, self).__init__()
        if size <= 0:
            raise ValueError(f"size must be positive, got {size}")
        self.size = size
        self.sqrt_size = math.sqrt(size)
        self.dropout = nn.Dropout(dropout) if dropout else None
        self._attention_weights = None

    def forward(self, Q, K, V, valid_lens=None):
        """
        输入:
            - Q: 查询向量, shape=[batch_size, seq_len, hidden_size]
            - K: 键向量, shape=[batch_size, key_len, hidden_size]
            - V: 值向量, shape=[batch_size, key_len, value_size]
            - valid_lens: 键序列的有效长度: None, shape=[batch_size], or the book's
              shape=[batch_size*seq_len] (one length per query row)
        输出:
            - context: 注意力的加权平均, shape=[batch_size, seq_len, value_size]
        """
        for name, t in (("Q", Q), ("K", K), ("V", V)):
            _check_tensor(name, t, 3)
        if Q.shape[0] != K.shape[0] or K.shape[:2] != V.shape[:2] or Q.shape[-1] != K.shape[-1]:
            raise ValueError(f"Q {list(Q.shape)}, K {list(K.shape)}, V {list(V.shape)}: need Q [B, Lq, D], "
                             "K [B, Lk, D], V [B, Lk, Dv]")
        score = paddle.matmul(Q, K, transpose_y=True) / self.sqrt_size   # [B, Lq, Lk]
        attention_weights = masked_softmax(score, valid_lens)
        self._attention_weights = attention_weights
        if self.dropout is not None:
            attention_weights = self.dropout(attention_weights)
        return paddle.matmul(attention_weights, V)

    @property
    def attention_weights(self):
        return self._attention_weights


QKVAAttention = QKVAttention   # the book's printed class name (L12691)


def split_head_reshape(X, heads_num, head_size):
    """多头分组与形状重组 (8.2.1.3, eqs. 8.17-8.18).

    输入:
        - X: 输入矩阵, shape=[batch_size, seq_len, hidden_size], hidden_size = heads_num*head_size
    输出:
        - output: 输出多头的矩阵, shape=[batch_size * heads_num, seq_len, head_size]
    """
    _check_tensor("X", X, 3)
    batch_size, seq_len, hidden_size = X.shape
    if heads_num * head_size != hidden_size:
        raise ValueError(f"hidden_size {hidden_size} of X (shape {list(X.shape)}) must equal "
                         f"heads_num*head_size = {heads_num}*{head_size}")
    X = paddle.reshape(X, [batch_size, seq_len, heads_num, head_size])
    X = paddle.transpose(X, perm=[0, 2, 1, 3])             # [B, M, L, Dm]
    return paddle.reshape(X, [batch_size * heads_num, seq_len, head_size])


class MultiHeadSelfAttention(nn.Layer):
    """多头自注意力 (8.2.1.3, eqs. 8.12-8.16, figure 8.11).

    输入:
        - inputs_size: 输入特征维度 D (also the output's)
        - heads_num: 头数 M; D must be divisible by M (head_size D/M)
        - dropout: dropout on the attention weights (the book accepts it and never uses it)
        - bias_attr: (extra, exercise 8.3) the projections' bias; None (default) gives them a
          bias, as the book's class; False drops it, as the 8.2.1.3 walk-through (eqs. 8.12-8.16)
    Q/K/V/output projections are ``nn.Linear``.
    ``self.attention`` is the :class:`QKVAttention`; its ``attention_weights`` are
    [batch_size*heads_num, seq_len, seq_len].
    """

    def __init__(self, inputs_size, heads_num, dropout=0.0, bias_attr=None):
        super(MultiHeadSelfAttention, self).__init__()
        if heads_num <= 0 or inputs_size % heads_num != 0:
            raise ValueError(f"inputs_size ({inputs_size}) must be divisible by heads_num ({heads_num})")
        self.inputs_size = inputs_size
        self.qsize, self.ksize, self.vsize = inputs_size, inputs_size, inputs_size
        self.heads_num = heads_num
        self.head_size = inputs_size // heads_num
        self.Q_proj = nn.Linear(self.qsize, inputs_size, bias_attr=bias_attr)
        self.K_proj = nn.Linear(self.ksize, inputs_size, bias_attr=bias_attr)
        self.V_proj = nn.Linear(self.vsize, inputs_size, bias_attr=bias_attr)
        self.out_proj = nn.Linear(inputs_size, inputs_size, bias_attr=bias_attr)
        self.attention = QKVAttention(self.head_size, dropout=dropout)

    def forward(self, X, valid_lens=None):
        """
        输入:
            - X: 输入矩阵, shape=[batch_size, seq_len, inputs_size]
            - valid_lens: 长度矩阵, shape=[batch_size] (None: no padding)
        输出:
            - output: 多头注意力的结果, shape=[batch_size, seq_len, inputs_size]
        """
        _check_features("X", X, self.inputs_size)
        batch_size, seq_len, _ = X.shape
        Q, K, V = [split_head_reshape(p(X), self.heads_num, self.head_size)
                   for p in (self.Q_proj, self.K_proj, self.V_proj)]
        if valid_lens is not None:
            valid_lens = _as_lengths(valid_lens)
            if list(valid_lens.shape) != [batch_size]:
                raise ValueError(f"valid_lens must have shape [{batch_size}] (one length per sequence), "
                                 f"got {list(valid_lens.shape)}")
            # one length per (sequence, head): [B*M]; the book repeats it per query row too,
            # through numpy (a device round trip); QKVAttention broadcasts over the rows instead
            valid_lens = _Lengths(paddle.repeat_interleave(valid_lens, self.heads_num).reshape([-1, 1, 1]))
        out = self.attention(Q, K, V, valid_lens)                           # [B*M, L, Dm]
        out = paddle.reshape(out, [batch_size, self.heads_num, seq_len, self.head_size])
        out = paddle.transpose(out, perm=[0, 2, 1, 3])                      # [B, L, M, Dm]
        out = paddle.reshape(out, [batch_size, seq_len, self.inputs_size])
        return self.out_proj(out)


class Model_LSTMSeftAttention(nn.Layer):
    """基于双向 LSTM 和多头自注意力的文本分类模型 (8.2.2.1, figure 8.13).

    The book's spelling ("Seft"); ``Model_LSTMSelfAttention`` is the same class.

    输入:
        - hidden_size, embedding_size, vocab_size, n_classes, n_layers: as
          :class:`Model_LSTMAttention`
        - attention: the self-attention layer, called as ``attention(X, valid_lens)`` on
          [B, L, 2*hidden_size]; None builds the book's 8.2.3 choice,
          ``MultiHeadSelfAttention(2*hidden_size, heads_num=8)``
    The attention output is averaged over the valid positions (6.4's ``AveragePooling``).
    """

    def __init__(self, hidden_size, embedding_size, vocab_size, n_classes=10, n_layers=1,
                 attention=None):
        super(Model_LSTMSeftAttention, self).__init__()
        from .rnn import AveragePooling   # chapter 6's layer; imported here so this module stands alone
        self.hidden_size = hidden_size
        self.embedding_size = embedding_size
        self.vocab_size = vocab_size
        self.n_classes = n_classes
        self.n_layers = n_layers
        self.embedding = nn.Embedding(num_embeddings=vocab_size, embedding_dim=embedding_size)
        self.lstm = nn.LSTM(input_size=embedding_size, hidden_size=hidden_size,
                            num_layers=n_layers, direction="bidirectional")
        if attention is None:
            attention = MultiHeadSelfAttention(hidden_size * 2, heads_num=8)
        size = getattr(attention, "inputs_size", hidden_size * 2)
        if size != hidden_size * 2:
            raise ValueError(f"attention works on {size} features, but the bidirectional LSTM gives "
                             f"2*hidden_size = {hidden_size * 2}")
        self.attention = attention
        self.average_layer = AveragePooling()
        self.cls_fc = nn.Linear(hidden_size * 2, n_classes)

    def forward(self, inputs):
        input_ids, valid_lens = _lstm_inputs(inputs)
        _check_ids("input_ids", input_ids, self.vocab_size)
        embedded_input = self.embedding(input_ids)
        hiddens, _ = self.lstm(embedded_input, sequence_length=valid_lens)
        hiddens = self.attention(hiddens, valid_lens)
        pooled = self.average_layer(hiddens, valid_lens)
        return self.cls_fc(pooled)


Model_LSTMSelfAttention = Model_LSTMSeftAttention   # the correct spelling


class Model_SelfAttention(nn.Layer):
    """动手练习 8.4: :class:`Model_LSTMSeftAttention` without its LSTM layer.

    嵌入层 -> 多头自注意力 -> 平均汇聚 -> 线性层: the self-attention works on the word
    vectors themselves.  Without the LSTM (and without a position encoding) nothing in the
    model sees the order of the words: permuting a sentence's valid tokens permutes the
    attention's output rows, and the average over the valid positions does not change.

    输入:
        - embedding_size: 词向量维度 (also the attention's inputs_size)
        - vocab_size: 词表大小
        - n_classes: 类别数
        - attention: the self-attention layer, called as ``attention(X, valid_lens)`` on
          [B, L, embedding_size]; None builds ``MultiHeadSelfAttention(embedding_size, heads_num=8)``
        - position_size: (extra) None (default): no position information, the exercise's model;
          an int P: the fixed sinusoid position encoding of 8.3.2.1 (``PositionalEmbedding(P, D)``,
          not trained) is added to the word vectors, so sequences up to P tokens long
    ``forward(inputs)`` with ``inputs = (input_ids [B, L] int64, valid_lens [B])`` returns
    logits [B, n_classes].
    """

    def __init__(self, embedding_size, vocab_size, n_classes=10, attention=None, position_size=None):
        super(Model_SelfAttention, self).__init__()
        from .rnn import AveragePooling   # chapter 6's layer; imported here so this module stands alone
        self.embedding_size = embedding_size
        self.vocab_size = vocab_size
        self.n_classes = n_classes
        self.embedding = nn.Embedding(num_embeddings=vocab_size, embedding_dim=embedding_size)
        if attention is None:
            attention = MultiHeadSelfAttention(embedding_size, heads_num=8)
        size = getattr(attention, "inputs_size", embedding_size)
        if size != embedding_size:
            raise ValueError(f"attention works on {size} features, but the word vectors have "
                             f"embedding_size = {embedding_size}")
        self.attention = attention
        self.position_size = position_size
        self.position = None
        if position_size is not None:
            from .transformer import PositionalEmbedding   # 8.3's table; transformer imports this module
            self.position = PositionalEmbedding(int(position_size), embedding_size)
        self.average_layer = AveragePooling()
        self.cls_fc = nn.Linear(embedding_size, n_classes)

    def forward(self, inputs):
        input_ids, valid_lens = _lstm_inputs(inputs)
        _check_ids("input_ids", input_ids, self.vocab_size)
        X = self.embedding(input_ids)
        if self.position is not None:
            positions = paddle.arange(input_ids.shape[1], dtype="int64").unsqueeze(0)
            X = X + self.position(positions)
        X = self.attention(X, valid_lens)
        pooled = self.average_layer(X, valid_lens)
        return self.cls_fc(pooled)


def plot_attention_weights(weights, words, fig_name=None, vmin=0.0, vmax=0.4, cmap="OrRd"):
    """注意力权重的可视化 (8.1.4.3, figure 8.6): one row of weights over the words.

    输入:
        - weights: numpy [L] or [1, L] (``model.attention.attention_weights`` of one sentence)
        - words: the L words (column labels)
        - fig_name: saved there when given; vmin/vmax/cmap as the book's seaborn call
    输出:
        - the figure
    """
    import numpy as np
    import matplotlib.pyplot as plt

    weights = np.asarray(weights, dtype=float).reshape(1, -1)
    if weights.shape[1] != len(words):
        raise ValueError(f"{len(words)} words for {weights.shape[1]} weights")
    fig, ax = plt.subplots(figsize=(max(6, 1.4 * len(words)), 1.6))
    image = ax.imshow(weights, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    ax.set_xticks(range(len(words)))
    ax.set_xticklabels(words, fontsize=12)
    ax.set_yticks([0])
    ax.set_yticklabels(["0"])
    ax.set_xlabel("word")
    ax.set_ylabel("sample")
    fig.colorbar(image, ax=ax, label="weight")
    if fig_name:
        fig.savefig(fig_name, bbox_inches="tight")
    return fig
