"""Chapter 6 循环神经网络: Embedding, SRN, LSTM, Model_RNN4SeqClass, AveragePooling, Model_BiLSTM_FC.

The hand-written layers keep the book's parameters (``SRN.W/U/b``, ``LSTM.W_i ... b_a``) and
equations (6.4, 6.7-6.13).  They compute them faster than the printed loop: the input part
``X W + b`` of every time step is one matmul over the whole sequence before the loop, and the
LSTM's four gates share one ``H U`` matmul per step.
The values are those of the equations (tests compare them with ``paddle.nn.SimpleRNN`` /
``paddle.nn.LSTM`` given the same weights).

The exercises' operators: ``ResidualSRN`` (动手练习 6.1, 《神经网络与深度学习》 eq. 6.50), ``BiLSTM``
(6.3 and 6.5: two directions, sequences of different lengths in one batch, ``paddle.nn.LSTM``'s
call convention), ``GRU`` (6.4: the book's form, or paddle's with ``reset_after=True``), and
``paddle_differences``, which measures a BiLSTM/GRU against paddle's layer.
"""
import numpy as np
import paddle
import paddle.nn as nn
import paddle.nn.functional as F

__all__ = [
    "Embedding", "SRN", "LSTM", "Model_RNN4SeqClass", "custom_print_log", "GradNormLog",
    "lstm_gates", "lstm_book_loop", "AveragePooling", "Model_BiLSTM_FC", "train_digitsum", "plot_length_losses",
    "ResidualSRN", "BiLSTM", "GRU", "paddle_differences",
]
# custom_print_log is also the name of the runners' keyword argument (4.3, 4.4 print other
# norms with it): the 6.2.1 function stays in nndl.rnn; GradNormLog is its recording form
__local__ = ("custom_print_log",)


def _check_seq_input(name, inputs, input_size):
    if not isinstance(inputs, paddle.Tensor):
        raise TypeError(f"{name}: inputs must be a paddle.Tensor [B, L, {input_size}], got {type(inputs).__name__}")
    if inputs.ndim != 3 or inputs.shape[2] != input_size:
        raise ValueError(f"{name}: inputs must have shape [batch_size, seq_len, {input_size}], "
                         f"got {list(inputs.shape)}")
    if inputs.shape[1] < 1:
        raise ValueError(f"{name}: empty sequence (seq_len 0), shape {list(inputs.shape)}")
    if inputs.dtype not in (paddle.float32, paddle.float64, paddle.float16, paddle.bfloat16):
        raise TypeError(f"{name}: inputs must be floating point, got {inputs.dtype}")


class Embedding(nn.Layer):
    """嵌入层 (book 6.1.2.1): looks up row ``i`` of the embedding matrix for index ``i``.

    输入:
        - num_embeddings: 词典大小 (10 digits in 6.1); embedding_dim: 向量维度 M
        - weight_attr: optional ``paddle.ParamAttr`` (default: ``create_parameter``'s, as the book)
    forward:
        - inputs: integer Tensor of any shape ``[...]`` with values in ``[0, num_embeddings)``
        - 输出: Tensor ``[..., M]`` of the weight's dtype (float32)
    """

    def __init__(self, num_embeddings, embedding_dim, weight_attr=None, dtype="float32"):
        super().__init__()
        if num_embeddings < 1 or embedding_dim < 1:
            raise ValueError(f"Embedding: num_embeddings and embedding_dim must be >= 1, "
                             f"got {num_embeddings}, {embedding_dim}")
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.W = paddle.create_parameter(shape=[num_embeddings, embedding_dim], dtype=dtype,
                                         attr=weight_attr)

    def forward(self, inputs):
        if not isinstance(inputs, paddle.Tensor):
            inputs = paddle.to_tensor(inputs)
        if inputs.dtype not in (paddle.int64, paddle.int32):
            raise TypeError(f"Embedding: inputs must be int64/int32 indices, got {inputs.dtype}")
        if inputs.size:
            lo, hi = int(inputs.min()), int(inputs.max())
            if lo < 0 or hi >= self.num_embeddings:
                raise ValueError(f"Embedding: index out of range [0, {self.num_embeddings}): "
                                 f"got values {lo}..{hi}")
        # the book's W[inputs]; F.embedding is the same lookup with a sparse-style backward
        return F.embedding(inputs, self.W)


class SRN(nn.Layer):
    """简单循环网络 (book 6.1.2.2, eq. 6.4): ``H_t = tanh(X_t W + H_{t-1} U + b)``, ``H_0 = 0``.

    输入:
        - input_size: M; hidden_size: D
        - W_attr, U_attr, b_attr: optional ``paddle.ParamAttr`` (default: ``create_parameter``'s)
        - dtype: the parameters' dtype ('float32'; 'float64' for gradient checks)
    forward:
        - inputs: float Tensor ``[B, L, M]``
        - 输出: the last hidden state ``H_L``, ``[B, D]``
    Parameters: ``W [M, D]``, ``U [D, D]``, ``b [1, D]``.
    """

    def __init__(self, input_size, hidden_size, W_attr=None, U_attr=None, b_attr=None, dtype="float32"):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.W = paddle.create_parameter(shape=[input_size, hidden_size], dtype=dtype, attr=W_attr)
        self.U = paddle.create_parameter(shape=[hidden_size, hidden_size], dtype=dtype, attr=U_attr)
        self.b = paddle.create_parameter(shape=[1, hidden_size], dtype=dtype, attr=b_attr)

    def forward(self, inputs):
        _check_seq_input("SRN", inputs, self.input_size)
        batch_size, seq_len, _ = inputs.shape
        # the input part X_t W + b of every step in one matmul, then one [B, D] slice per step
        steps = paddle.unbind(paddle.matmul(inputs, self.W) + self.b, axis=1)
        hidden_state = paddle.zeros([batch_size, self.hidden_size], dtype=inputs.dtype)
        for step in range(seq_len):
            # addmm: X_t W + b + H_{t-1} U in one operator
            hidden_state = paddle.tanh(paddle.addmm(steps[step], hidden_state, self.U))
        return hidden_state


_LSTM_IMPLS = ("auto", "loop", "bptt")
# impl='auto' takes the numpy BPTT operator on the CPU while one step's matmul [B, M+D] x [M+D, 4D]
# has at most this many multiply-adds (6.3: B=8 or 32, M=D=32: 65536 / 262144).  numpy's OpenBLAS
# runs such a product on one thread (measured: one thread up to 532k multiply-adds, two at 1.06M);
# beyond it its threads compete with paddle's and other processes' for the cores, and the operator
# was 23-128x slower than paddle.nn.LSTM on the shared 2-core machine (B128 D32, B32 D64; the loop:
# 2.1-2.6x) (``python bench/bench_lstm.py --shapes auto``, docs/performance.md)
_LSTM_BPTT_MAX_STEP_MACS = 2 ** 19


def _lstm_recurrence_forward(x, WUb):
    """Numpy forward of eqs. 6.7-6.13 over a whole sequence (the ``'bptt'`` operator).

    x: ``[L, B, M]`` (time first); WUb: ``[W; U; b]``, ``[M+D+1, 4D]``, the gates (i, f, o, a) fused.
    Each step is one matmul ``[X_t, H_{t-1}, 1] [W; U; b]``: ``XH [L+1, B, M+D+1]`` holds each
    step's input beside the previous hidden state and a 1 (``XH[L]``'s ``H`` part is ``H_L``).
    Returns ``XH``, ``G [L, B, 4D]`` (I, F, O, C~ after their activations), ``C [L+1, B, D]`` (index 0
    is the zero initial state) and ``TC [L, B, D]`` = tanh(C_t): what the backward needs.
    sigmoid(z) is computed as ``(1 + tanh(z / 2)) / 2``, so one tanh covers the four gates.
    """
    L, B, M = x.shape
    D = WUb.shape[1] // 4
    half = np.ones(4 * D, x.dtype)
    half[:3 * D] = 0.5                                  # z/2 for the three sigmoid gates
    WUb_half = WUb * half
    XH = np.zeros((L + 1, B, M + D + 1), x.dtype)
    XH[:L, :, :M] = x
    XH[..., -1] = 1
    G = np.empty((L, B, 4 * D), x.dtype)
    C = np.zeros((L + 1, B, D), x.dtype)
    TC = np.empty((L, B, D), x.dtype)
    for t in range(L):
        z = G[t]
        np.matmul(XH[t], WUb_half, out=z)               # (X_t W + H_{t-1} U + b) / 2 | ... + b
        np.tanh(z, out=z)
        s = z[:, :3 * D]
        s *= 0.5
        s += 0.5                                        # I, F, O = sigmoid(...); C~ = tanh(...)
        i, f, o, a = z[:, :D], z[:, D:2 * D], z[:, 2 * D:3 * D], z[:, 3 * D:]
        np.multiply(f, C[t], out=C[t + 1])
        C[t + 1] += i * a                               # C_t = F * C_{t-1} + I * C~
        np.tanh(C[t + 1], out=TC[t])
        np.multiply(o, TC[t], out=XH[t + 1, :, M:M + D])   # H_t = O * tanh(C_t)
    return XH, G, C, TC


def _lstm_recurrence_backward(dh, WUb, XH, G, C, TC):
    """Numpy backpropagation through time for :func:`_lstm_recurrence_forward`: given ``dL/dH_L``
    ``[B, D]``, the gradients of ``x [L, B, M]`` and of ``[W; U; b] [M+D+1, 4D]``."""
    L, B, D4 = G.shape
    D = D4 // 4
    M = XH.shape[2] - D - 1
    i, f, o, a = (G[..., k * D:(k + 1) * D] for k in range(4))
    # every factor that does not depend on the incoming gradient, for all steps at once:
    # dz_t = [dC_t C~ I(1-I), dC_t C_{t-1} F(1-F), dH_t tanh(C_t) O(1-O), dC_t I (1-C~^2)]
    dc_factor = np.stack([a * i * (1 - i), C[:-1] * f * (1 - f), np.zeros_like(o), i * (1 - a * a)], axis=2)
    do_factor = TC * o * (1 - o)                        # [L, B, D]
    dh_to_dc = o * (1 - TC * TC)                        # dC_t += dH_t O tanh'(C_t)
    WUT = np.ascontiguousarray(WUb[:M + D].T)           # [4D, M+D]
    dZ = np.empty((L, B, 4, D), G.dtype)
    dXH = np.empty((L, B, M + D), G.dtype)
    dWUb = np.zeros_like(WUb)
    dc = np.zeros((B, D), G.dtype)
    for t in range(L - 1, -1, -1):
        dc += dh * dh_to_dc[t]
        np.multiply(dc[:, None, :], dc_factor[t], out=dZ[t])   # the I, F, C~ parts
        np.multiply(dh, do_factor[t], out=dZ[t, :, 2])         # the O part
        dc *= f[t]                                             # dC_{t-1} = dC_t F
        dz = dZ[t].reshape(B, D4)
        np.matmul(dz, WUT, out=dXH[t])                         # [dX_t, dH_{t-1}] = dz_t [W; U]^T
        dWUb += XH[t].T @ dz                                   # d[W; U; b] = sum_t [X_t, H_{t-1}, 1]^T dz_t
        dh = dXH[t, :, M:]
    return dXH[:, :, :M], dWUb


class _LSTMSequence(paddle.autograd.PyLayer):
    """One paddle operator for a whole sequence (``LSTM(impl='bptt')``): the forward runs eqs.
    6.7-6.13 in numpy without building an autograd graph, the backward is backpropagation through
    time written out.  No paddle operator per time step, no autograd node per operation.

    Its one tensor input packs the inputs ``[B, L, M]`` and the 12 parameters stacked per gate
    (``[W_g; U_g; b_g]`` for g = i, f, o, a), flattened: paddle wants ``None`` from a backward for an
    input it does not need (``paddle.grad`` of some parameters only), which a PyLayer cannot ask;
    one input is needed whenever the node runs.
    """

    @staticmethod
    def forward(ctx, packed, shape, record):
        B, L, M, D = shape
        flat = packed.numpy()
        x = flat[:B * L * M].reshape(B, L, M).transpose(1, 0, 2)                  # [L, B, M]
        WUb = flat[B * L * M:].reshape(4, M + D + 1, D).transpose(1, 0, 2).reshape(M + D + 1, 4 * D)
        XH, G, C, TC = _lstm_recurrence_forward(x, WUb)
        ctx.saved = (shape, WUb, XH, G, C, TC)
        if record is not None:
            for key, k in (("input", 0), ("forget", 1), ("output", 2)):
                record[key] = np.ascontiguousarray(G[:, :, k * D:(k + 1) * D].transpose(1, 0, 2))
            record["cell"] = np.ascontiguousarray(C[1:].transpose(1, 0, 2))
        return paddle.to_tensor(XH[L, :, M:M + D])                                # H_L

    @staticmethod
    def backward(ctx, dh):
        if paddle.is_grad_enabled():
            raise RuntimeError("LSTM(impl='bptt'): the hand-written backpropagation through time has "
                               "no second derivative (paddle.grad(..., create_graph=True))")
        (B, L, M, D), WUb, XH, G, C, TC = ctx.saved
        dx, dWUb = _lstm_recurrence_backward(dh.numpy(), WUb, XH, G, C, TC)
        per_gate = dWUb.reshape(M + D + 1, 4, D).transpose(1, 0, 2)                # [4, M+D+1, D]
        return paddle.to_tensor(np.concatenate([dx.transpose(1, 0, 2).reshape(-1), per_gate.reshape(-1)]))


class LSTM(nn.Layer):
    """长短期记忆网络 (book 6.3.1.1, eqs. 6.7-6.13), zero initial states.

    ``I = σ(X_t W_i + H U_i + b_i)``, ``F``, ``O`` likewise, ``C~ = tanh(X_t W_a + H U_a + b_a)``,
    ``C_t = F ⊙ C_{t-1} + I ⊙ C~``, ``H_t = O ⊙ tanh(C_t)``.

    输入:
        - input_size: M; hidden_size: D
        - record_gates: when True, ``forward`` keeps ``self.gates``, a dict of numpy arrays
          ``[B, L, D]``: ``'input'``, ``'forget'``, ``'output'`` (the gates) and ``'cell'`` (C_t),
          for figure 6.13 (see :func:`lstm_gates`)
        - dtype: the parameters' dtype ('float32'; 'float64' for gradient checks)
        - impl: how the sequence is computed (exercise 6.2, ``chapters/ch6_ex2_efficient_lstm.py``),
          the same values and gradients either way:

          * ``'loop'``: the equations step by step in paddle (the four gates fused into one
            ``addmm`` per step, ``X W + b`` of all steps in one matmul before the loop); autograd
            differentiates it;
          * ``'bptt'``: one operator (``paddle.autograd.PyLayer``) for the whole sequence: the
            recurrence in numpy without an autograd graph (one matmul ``[X_t, H_{t-1}, 1] [W; U; b]``
            per step), and backpropagation through time written out (float32/float64; no second
            derivative);
          * ``'auto'`` (default): ``'bptt'`` for float32/float64 on the CPU while one step's matmul
            is small (``B * (M+D) * 4D <= 2**19``: 6.3's shapes), where paddle's ~10-20 µs per
            operator dominate; ``'loop'`` otherwise (large shapes, GPU, half precision).
    forward:
        - inputs: float Tensor ``[B, L, M]``
        - 输出: the last hidden state ``H_L``, ``[B, D]``
    Parameters: ``W_i, W_f, W_o, W_a [M, D]``, ``U_* [D, D]``, ``b_* [1, D]``.
    """

    def __init__(self, input_size, hidden_size, record_gates=False, dtype="float32", impl="auto"):
        super().__init__()
        if impl not in _LSTM_IMPLS:
            raise ValueError(f"LSTM: impl must be one of {_LSTM_IMPLS}, got {impl!r}")
        self.input_size, self.hidden_size = input_size, hidden_size
        self.record_gates = record_gates
        self.impl = impl
        self.gates = None
        for g in ("i", "f", "o", "a"):
            setattr(self, f"W_{g}", paddle.create_parameter(shape=[input_size, hidden_size], dtype=dtype))
        for g in ("i", "f", "o", "a"):
            setattr(self, f"U_{g}", paddle.create_parameter(shape=[hidden_size, hidden_size], dtype=dtype))
        for g in ("i", "f", "o", "a"):
            setattr(self, f"b_{g}", paddle.create_parameter(shape=[1, hidden_size], dtype=dtype))

    def _use_bptt(self, inputs):
        if self.impl != "auto":
            return self.impl == "bptt"
        step_macs = inputs.shape[0] * (self.input_size + self.hidden_size) * 4 * self.hidden_size
        return (inputs.place.is_cpu_place() and inputs.dtype in (paddle.float32, paddle.float64)
                and step_macs <= _LSTM_BPTT_MAX_STEP_MACS)

    def forward(self, inputs):
        _check_seq_input("LSTM", inputs, self.input_size)
        batch_size, seq_len, _ = inputs.shape
        D = self.hidden_size
        if self._use_bptt(inputs):
            # one operator for the sequence (exercise 6.2): the inputs and the 12 parameters packed
            if inputs.dtype not in (paddle.float32, paddle.float64):
                raise TypeError(f"LSTM(impl='bptt') computes float32/float64 in numpy, got {inputs.dtype}; "
                                "use impl='loop'")
            record = {} if self.record_gates else None
            params = paddle.concat([getattr(self, f"{p}_{g}") for g in "ifoa" for p in "WUb"])
            packed = paddle.concat([inputs.reshape([-1]), params.reshape([-1])])
            hidden_state = _LSTMSequence.apply(packed, (batch_size, seq_len, self.input_size, D), record)
            if record is not None:
                self.gates = record
            return hidden_state
        # fused gates, order (i, f, o, a): one sigmoid covers the three gates
        W = paddle.concat([self.W_i, self.W_f, self.W_o, self.W_a], axis=1)   # [M, 4D]
        U = paddle.concat([self.U_i, self.U_f, self.U_o, self.U_a], axis=1)   # [D, 4D]
        b = paddle.concat([self.b_i, self.b_f, self.b_o, self.b_a], axis=1)   # [1, 4D]
        steps = paddle.unbind(paddle.matmul(inputs, W) + b, axis=1)           # L x [B, 4D]
        cell_state = paddle.zeros([batch_size, D], dtype=inputs.dtype)
        hidden_state = paddle.zeros([batch_size, D], dtype=inputs.dtype)
        record = {"input": [], "forget": [], "output": [], "cell": []} if self.record_gates else None
        for step in range(seq_len):
            z = paddle.addmm(steps[step], hidden_state, U)                    # [B, 4D]
            z_gates, z_cand = paddle.split(z, [3 * D, D], axis=1)
            I_gate, F_gate, O_gate = paddle.split(F.sigmoid(z_gates), 3, axis=1)
            C_tilde = paddle.tanh(z_cand)
            cell_state = F_gate * cell_state + I_gate * C_tilde
            hidden_state = O_gate * paddle.tanh(cell_state)
            if record is not None:
                for key, value in (("input", I_gate), ("forget", F_gate), ("output", O_gate), ("cell", cell_state)):
                    record[key].append(value.detach().numpy())
        if record is not None:
            self.gates = {k: np.stack(v, axis=1) for k, v in record.items()}
        return hidden_state



def lstm_book_loop(lstm, inputs):
    """The 6.3.1.1 forward exactly as the book prints it, on ``lstm``'s parameters: every step
    computes each gate with its own two matmuls (``X_t W_* + H U_* + b_*``), eight per step.
    Kept for exercise 6.2 and ``bench/bench_lstm.py`` as the baseline the faster forms are
    measured against; :class:`LSTM` computes the same values.

    输入: lstm: an :class:`LSTM`; inputs: float Tensor ``[B, L, M]``.  输出: ``H_L``, ``[B, D]``.
    """
    _check_seq_input("lstm_book_loop", inputs, lstm.input_size)
    batch_size, seq_len, _ = inputs.shape
    hidden_state = paddle.zeros([batch_size, lstm.hidden_size], dtype=inputs.dtype)
    cell_state = paddle.zeros([batch_size, lstm.hidden_size], dtype=inputs.dtype)
    for step in range(seq_len):
        x_t = inputs[:, step, :]
        I_gate = F.sigmoid(paddle.matmul(x_t, lstm.W_i) + paddle.matmul(hidden_state, lstm.U_i) + lstm.b_i)
        F_gate = F.sigmoid(paddle.matmul(x_t, lstm.W_f) + paddle.matmul(hidden_state, lstm.U_f) + lstm.b_f)
        O_gate = F.sigmoid(paddle.matmul(x_t, lstm.W_o) + paddle.matmul(hidden_state, lstm.U_o) + lstm.b_o)
        C_tilde = paddle.tanh(paddle.matmul(x_t, lstm.W_a) + paddle.matmul(hidden_state, lstm.U_a) + lstm.b_a)
        cell_state = F_gate * cell_state + I_gate * C_tilde
        hidden_state = O_gate * paddle.tanh(cell_state)
    return hidden_state

def lstm_gates(model, seq):
    """The LSTM's gates and cell states while it reads one digit sequence (figure 6.13).

    输入:
        - model: a :class:`Model_RNN4SeqClass` whose ``model`` is an :class:`LSTM`
        - seq: one sequence of digits, e.g. ``[6, 7, 0, 0, 1, 0, 0, 0, 0, 0]``
    输出:
        - dict of numpy arrays ``[L, D]``: ``'input'``, ``'forget'``, ``'output'``, ``'cell'``
    """
    lstm = getattr(model, "model", None)
    if not isinstance(lstm, LSTM):
        raise TypeError(f"lstm_gates: model.model must be an nndl LSTM, got {type(lstm).__name__}")
    was_training, was_recording = model.training, lstm.record_gates
    model.eval()
    lstm.record_gates = True
    try:
        with paddle.no_grad():
            model(paddle.to_tensor([list(seq)], dtype="int64"))
        gates = {k: v[0] for k, v in lstm.gates.items()}
    finally:
        lstm.record_gates = was_recording
        if was_training:
            model.train()
    return gates


# ---------------------------------------------------------------------------------------------
# 动手练习 6.1, 6.3-6.5: the residual SRN, a bidirectional LSTM with real lengths, the GRU
# ---------------------------------------------------------------------------------------------

def _dtype_name(dtype):
    return str(dtype).replace("paddle.", "")


def _check_param_dtype(name, inputs, param):
    if inputs.dtype != param.dtype:
        raise TypeError(f"{name}: inputs are {inputs.dtype} but the parameters are {param.dtype}; "
                        f"cast the inputs or build the layer with dtype=")


def _check_lengths(name, sequence_length, batch_size, max_len):
    """``sequence_length`` -> int64 ``[B]`` (None stays None); every length in ``1..max_len``."""
    if sequence_length is None:
        return None
    if not isinstance(sequence_length, paddle.Tensor):
        sequence_length = paddle.to_tensor(np.asarray(sequence_length))
    if sequence_length.dtype not in (paddle.int64, paddle.int32):
        raise TypeError(f"{name}: sequence_length must be int64/int32, got {sequence_length.dtype}")
    lengths = sequence_length.reshape([-1])
    if lengths.shape[0] != batch_size:
        raise ValueError(f"{name}: {lengths.shape[0]} sequence lengths for a batch of {batch_size}")
    lengths = lengths.astype("int64")
    lo, hi = int(lengths.min()), int(lengths.max())
    if lo < 1 or hi > max_len:
        # paddle.nn.LSTM reads past the batch for a length > seq_len (a crash or garbage)
        raise ValueError(f"{name}: sequence lengths must lie in 1..{max_len} (the padded length), got {lo}..{hi}")
    return lengths


def _step_masks(lengths, max_len, dtype):
    """One ``[B, 1]`` mask per step: 1 where the step is inside the sequence, 0 at [PAD]."""
    if lengths is None:
        return None
    valid = paddle.arange(max_len, dtype="int64").unsqueeze(0) < lengths.unsqueeze(-1)   # [B, L]
    return paddle.unbind(valid.astype(dtype).unsqueeze(-1), axis=1)                       # L x [B, 1]


def _scan(step, projected, states, masks, reverse=False):
    """Run ``states = step(projected[t], states)`` over the steps (backwards when ``reverse``).

    ``projected``: L tensors ``[B, k]`` (the input parts of the step, computed beforehand);
    ``states``: a tuple of ``[B, D]`` whose first entry is the hidden state.  Where a mask is 0
    (a [PAD] step) the states are carried over unchanged and the output is 0, as
    ``paddle.nn.LSTM/GRU`` with ``sequence_length`` do; so the backward direction starts from
    each sequence's last real step and the final states are those of the last real step.
    输出: (L outputs ``[B, D]``, final states)
    """
    outputs = [None] * len(projected)
    order = range(len(projected) - 1, -1, -1) if reverse else range(len(projected))
    for t in order:
        new = step(projected[t], states)
        if masks is not None:
            m = masks[t]
            new = tuple(m * n + (1 - m) * s for n, s in zip(new, states))
            outputs[t] = m * new[0]
        else:
            outputs[t] = new[0]
        states = new
    return outputs, states


class ResidualSRN(SRN):
    """带残差连接的简单循环网络 (动手练习 6.1; 《神经网络与深度学习》 eq. 6.50).

    ``H_t = H_{t-1} + g(X_t, H_{t-1}; θ)`` with the SRN's ``g = tanh(X_t W + H_{t-1} U + b)``, ``H_0 = 0``:
    ``∂H_t/∂H_{t-1} = I + diag(1 - g²) Uᵀ``, so the error reaching early steps keeps the
    identity part instead of shrinking by a product of ``tanh'`` factors (it can also grow:
    the gradient explosion 《神经网络与深度学习》 names as this form's remaining problem).

    输入 / forward / parameters: as :class:`SRN` (``W [M, D]``, ``U [D, D]``, ``b [1, D]``);
        - 输出: the last hidden state ``H_L``, ``[B, D]`` (not bounded by 1: ``|H_L| <= L``)
    """

    def forward(self, inputs):
        _check_seq_input("ResidualSRN", inputs, self.input_size)
        _check_param_dtype("ResidualSRN", inputs, self.W)
        batch_size, seq_len, _ = inputs.shape
        steps = paddle.unbind(paddle.matmul(inputs, self.W) + self.b, axis=1)
        hidden_state = paddle.zeros([batch_size, self.hidden_size], dtype=inputs.dtype)
        for step in range(seq_len):
            hidden_state = hidden_state + paddle.tanh(paddle.addmm(steps[step], hidden_state, self.U))
        return hidden_state


class _LSTMDirection(nn.Layer):
    """The parameters of one direction of :class:`BiLSTM`, in the book's names (6.3.1.1):
    ``W_i, W_f, W_o, W_a [M, D]``, ``U_* [D, D]``, ``b_* [1, D]``."""

    GATES = ("i", "f", "o", "a")

    def __init__(self, input_size, hidden_size, dtype):
        super().__init__()
        self.hidden_size = hidden_size
        for kind, rows in (("W", input_size), ("U", hidden_size), ("b", 1)):
            for g in self.GATES:
                setattr(self, f"{kind}_{g}", paddle.create_parameter(shape=[rows, hidden_size], dtype=dtype))

    def run(self, inputs, masks, reverse):
        D = self.hidden_size
        W = paddle.concat([getattr(self, f"W_{g}") for g in self.GATES], axis=1)   # [M, 4D]
        U = paddle.concat([getattr(self, f"U_{g}") for g in self.GATES], axis=1)   # [D, 4D]
        b = paddle.concat([getattr(self, f"b_{g}") for g in self.GATES], axis=1)   # [1, 4D]
        projected = paddle.unbind(paddle.matmul(inputs, W) + b, axis=1)            # L x [B, 4D]

        def step(x_part, states):
            hidden_state, cell_state = states
            z = paddle.addmm(x_part, hidden_state, U)
            z_gates, z_cand = paddle.split(z, [3 * D, D], axis=1)
            I_gate, F_gate, O_gate = paddle.split(F.sigmoid(z_gates), 3, axis=1)
            cell_state = F_gate * cell_state + I_gate * paddle.tanh(z_cand)            # C_t
            return O_gate * paddle.tanh(cell_state), cell_state                        # H_t, C_t

        zeros = paddle.zeros([inputs.shape[0], D], dtype=inputs.dtype)
        outputs, (h, c) = _scan(step, projected, (zeros, zeros), masks, reverse)
        return paddle.stack(outputs, axis=1), h, c


class BiLSTM(nn.Layer):
    """双向 LSTM 算子, 支持一个批次中不同长度的序列 (动手练习 6.3 与 6.5).

    Two 6.3.1.1 LSTMs (eqs. 6.7-6.13): ``fw`` reads the sequence left to right, ``bw`` right to
    left from each sequence's last real step; the outputs of each step are concatenated.  With
    ``sequence_length`` the [PAD] steps neither change the states nor produce output (0 there),
    so padding has no effect on the outputs, the final states or any gradient (the question of
    6.4.2).  The call convention is ``paddle.nn.LSTM``'s, so it can replace it
    (``Model_BiLSTM_FC(..., lstm=BiLSTM(...))``).

    输入:
        - input_size: M; hidden_size: D
        - direction: ``'bidirect'`` (also ``'bidirectional'``) or ``'forward'`` (only ``fw``)
        - dtype: the parameters' dtype ('float32'; 'float64' for gradient checks)
    forward:
        - inputs: float Tensor ``[B, L, M]``
        - sequence_length: None (every sequence has length L) or integer ``[B]``, each in ``1..L``
        - 输出: ``(outputs, (h_n, c_n))``: ``outputs [B, L, num_directions * D]`` (forward then
          backward direction; 0 at [PAD] steps), ``h_n, c_n [num_directions, B, D]`` (the
          forward direction's state at the last real step, the backward's at step 0)
    Parameters: ``fw.W_i, fw.W_f, fw.W_o, fw.W_a [M, D]``, ``fw.U_* [D, D]``, ``fw.b_* [1, D]``, and
    the same under ``bw``.  ``paddle.nn.LSTM`` stacks them as rows ``(i, f, a, o)`` of
    ``weight_ih_l0 [4D, M]`` (transposed) and has two biases ``bias_ih + bias_hh`` where this op has one.
    """

    DIRECTIONS = {"forward": 1, "bidirect": 2, "bidirectional": 2}

    def __init__(self, input_size, hidden_size, direction="bidirect", dtype="float32"):
        super().__init__()
        if direction not in self.DIRECTIONS:
            raise ValueError(f"BiLSTM: direction must be one of {sorted(self.DIRECTIONS)}, got {direction!r}")
        if input_size < 1 or hidden_size < 1:
            raise ValueError(f"BiLSTM: input_size and hidden_size must be >= 1, got {input_size}, {hidden_size}")
        self.input_size, self.hidden_size = input_size, hidden_size
        self.direction = direction
        self.num_directions = self.DIRECTIONS[direction]
        self.fw = _LSTMDirection(input_size, hidden_size, dtype)
        self.bw = _LSTMDirection(input_size, hidden_size, dtype) if self.num_directions == 2 else None

    def forward(self, inputs, sequence_length=None):
        _check_seq_input("BiLSTM", inputs, self.input_size)
        _check_param_dtype("BiLSTM", inputs, self.fw.W_i)
        batch_size, seq_len, _ = inputs.shape
        lengths = _check_lengths("BiLSTM", sequence_length, batch_size, seq_len)
        masks = _step_masks(lengths, seq_len, inputs.dtype)
        runs = [self.fw.run(inputs, masks, reverse=False)]
        if self.bw is not None:
            runs.append(self.bw.run(inputs, masks, reverse=True))
        outputs = paddle.concat([r[0] for r in runs], axis=-1)
        h_n = paddle.stack([r[1] for r in runs], axis=0)
        c_n = paddle.stack([r[2] for r in runs], axis=0)
        return outputs, (h_n, c_n)

    def to_paddle(self):
        """``paddle.nn.LSTM`` holding this op's weights (same direction; a copy, not shared).

        paddle stacks the gates as rows ``(i, f, g, o)`` (g = the book's candidate ``a``) of
        ``weight_ih_l0 [4D, M]`` and ``weight_hh_l0 [4D, D]``, i.e. the transposed ``[W_i W_f W_a W_o]``;
        its two biases add up: ``bias_ih`` gets ``b_*``, ``bias_hh`` zeros.  Suffix ``_reverse``: ``bw``.
        """
        D, dtype = self.hidden_size, self.fw.W_i.dtype
        old = paddle.get_default_dtype()
        paddle.set_default_dtype(_dtype_name(dtype))     # paddle.nn.LSTM takes no dtype argument
        try:
            ref = nn.LSTM(self.input_size, D, direction="bidirect" if self.bw is not None else "forward")
        finally:
            paddle.set_default_dtype(old)
        order = ("i", "f", "a", "o")
        for suffix, part in (("", self.fw), ("_reverse", self.bw)):
            if part is None:
                continue
            stacked = {kind: paddle.concat([getattr(part, f"{kind}_{g}") for g in order], axis=1)
                       for kind in ("W", "U", "b")}                                       # [*, 4D]
            getattr(ref, f"weight_ih_l0{suffix}").set_value(stacked["W"].t())
            getattr(ref, f"weight_hh_l0{suffix}").set_value(stacked["U"].t())
            getattr(ref, f"bias_ih_l0{suffix}").set_value(stacked["b"].reshape([4 * D]))
            getattr(ref, f"bias_hh_l0{suffix}").set_value(paddle.zeros([4 * D], dtype=dtype))
        return ref


class GRU(nn.Layer):
    """门控循环单元 GRU 算子 (动手练习 6.4; 《神经网络与深度学习》 eqs. 6.59-6.61), zero initial state.

    ``Z = σ(X_t W_z + H U_z + b_z)`` (更新门), ``R = σ(X_t W_r + H U_r + b_r)`` (重置门),
    ``H~ = tanh(X_t W_h + (R ⊙ H) U_h + b_h)`` (候选状态), ``H_t = Z ⊙ H_{t-1} + (1 - Z) ⊙ H~``.

    ``reset_after=True`` is the other common form, the one ``paddle.nn.GRU`` (and cuDNN) compute:
    the reset gate multiplies the recurrent product, ``H~ = tanh(X_t W_h + b_h + R ⊙ (H U_h + b_hh))``,
    with a second bias ``b_hh [1, D]`` (paddle's ``bias_hh`` part of the candidate).  The two
    forms are different functions of the same ``W, U, b``; only ``reset_after=True`` equals
    ``paddle.nn.GRU`` with copied weights.

    输入:
        - input_size: M; hidden_size: D
        - reset_after: False (the book's form, default) or True (paddle's form)
        - dtype: the parameters' dtype ('float32'; 'float64' for gradient checks)
    forward:
        - inputs: float Tensor ``[B, L, M]``
        - sequence_length: None or integer ``[B]`` in ``1..L`` (the state stops at each sequence's end)
        - 输出: the hidden state of the last (real) step, ``[B, D]`` (as the book's SRN and LSTM ops,
          so ``Model_RNN4SeqClass(GRU(M, D), ...)`` works)
    Parameters: ``W_z, W_r, W_h [M, D]``, ``U_z, U_r, U_h [D, D]``, ``b_z, b_r, b_h [1, D]`` (+ ``b_hh``).
    ``paddle.nn.GRU`` stacks the gates as rows ``(r, z, c)`` of ``weight_ih_l0 [3D, M]`` (transposed).
    """

    GATES = ("z", "r", "h")

    def __init__(self, input_size, hidden_size, reset_after=False, dtype="float32"):
        super().__init__()
        if input_size < 1 or hidden_size < 1:
            raise ValueError(f"GRU: input_size and hidden_size must be >= 1, got {input_size}, {hidden_size}")
        self.input_size, self.hidden_size = input_size, hidden_size
        self.reset_after = bool(reset_after)
        for kind, rows in (("W", input_size), ("U", hidden_size), ("b", 1)):
            for g in self.GATES:
                setattr(self, f"{kind}_{g}", paddle.create_parameter(shape=[rows, hidden_size], dtype=dtype))
        if self.reset_after:
            self.b_hh = paddle.create_parameter(shape=[1, hidden_size], dtype=dtype)

    def to_paddle(self):
        """``paddle.nn.GRU`` holding this op's weights (a copy); only for ``reset_after=True``, the form
        paddle computes.  paddle stacks the gates as rows ``(r, z, c)`` of ``weight_ih_l0 [3D, M]`` /
        ``weight_hh_l0 [3D, D]`` (the transposed ``[W_r W_z W_h]``); ``bias_ih = [b_r, b_z, b_h]``,
        ``bias_hh = [0, 0, b_hh]``."""
        if not self.reset_after:
            raise ValueError("GRU.to_paddle: paddle.nn.GRU computes the reset_after form "
                             "(R ⊙ (H U_h + b_hh)); this GRU has the book's form (R ⊙ H) U_h, "
                             "which no paddle.nn.GRU weights reproduce")
        D, dtype = self.hidden_size, self.W_z.dtype
        old = paddle.get_default_dtype()
        paddle.set_default_dtype(_dtype_name(dtype))
        try:
            ref = nn.GRU(self.input_size, D)
        finally:
            paddle.set_default_dtype(old)
        order = ("r", "z", "h")
        ref.weight_ih_l0.set_value(paddle.concat([getattr(self, f"W_{g}") for g in order], axis=1).t())
        ref.weight_hh_l0.set_value(paddle.concat([getattr(self, f"U_{g}") for g in order], axis=1).t())
        ref.bias_ih_l0.set_value(paddle.concat([getattr(self, f"b_{g}") for g in order], axis=1).reshape([3 * D]))
        ref.bias_hh_l0.set_value(paddle.concat([paddle.zeros([1, 2 * D], dtype=dtype), self.b_hh], axis=1).reshape([3 * D]))
        return ref

    def forward(self, inputs, sequence_length=None):
        _check_seq_input("GRU", inputs, self.input_size)
        _check_param_dtype("GRU", inputs, self.W_z)
        batch_size, seq_len, _ = inputs.shape
        D = self.hidden_size
        lengths = _check_lengths("GRU", sequence_length, batch_size, seq_len)
        W = paddle.concat([self.W_z, self.W_r, self.W_h], axis=1)                  # [M, 3D]
        b = paddle.concat([self.b_z, self.b_r, self.b_h], axis=1)                  # [1, 3D]
        U_zr = paddle.concat([self.U_z, self.U_r], axis=1)                         # [D, 2D]
        projected = paddle.unbind(paddle.matmul(inputs, W) + b, axis=1)            # L x [B, 3D]

        def step(x_part, states):
            hidden_state, = states
            x_zr, x_h = paddle.split(x_part, [2 * D, D], axis=1)
            Z, R = paddle.split(F.sigmoid(paddle.addmm(x_zr, hidden_state, U_zr)), 2, axis=1)
            if self.reset_after:
                H_tilde = paddle.tanh(x_h + R * (paddle.matmul(hidden_state, self.U_h) + self.b_hh))
            else:
                H_tilde = paddle.tanh(paddle.addmm(x_h, R * hidden_state, self.U_h))
            return (Z * hidden_state + (1 - Z) * H_tilde,)

        zeros = paddle.zeros([batch_size, D], dtype=inputs.dtype)
        _, (hidden_state,) = _scan(step, projected, (zeros,), _step_masks(lengths, seq_len, inputs.dtype))
        return hidden_state


def paddle_differences(op, inputs, sequence_length=None, reference=None, seed=0):
    """How far a hand-written :class:`BiLSTM` or ``GRU(reset_after=True)`` is from paddle's layer.

    Runs ``op`` and ``reference`` (default ``op.to_paddle()``: ``paddle.nn.LSTM`` / ``paddle.nn.GRU``
    with the same weights) on the same inputs, back-propagates the same loss (a fixed random
    weighting of every output: all steps and the final states), and compares.

    输入:
        - op: a :class:`BiLSTM` or a :class:`GRU` with ``reset_after=True``
        - inputs: ``[B, L, M]`` array or Tensor (of the op's dtype; float64 for a 1e-6 check)
        - sequence_length: None or ``[B]``; reference: the paddle layer to compare with
    输出: dict of the largest absolute differences: ``'outputs'`` (every step; BiLSTM only),
        ``'final_states'``, ``'grad_inputs'``, ``'grad_weights'`` (every weight and bias, in
        paddle's layout), and ``'forward'`` / ``'gradients'`` (the largest of each kind)
    """
    if not isinstance(op, (BiLSTM, GRU)):
        raise TypeError(f"paddle_differences: op must be a BiLSTM or GRU, got {type(op).__name__}")
    ref = op.to_paddle() if reference is None else reference
    x_np = inputs.numpy() if isinstance(inputs, paddle.Tensor) else np.asarray(inputs)
    x = paddle.to_tensor(x_np, stop_gradient=False)
    x_ref = paddle.to_tensor(x_np, stop_gradient=False)
    lengths = None if sequence_length is None else paddle.to_tensor(np.asarray(
        sequence_length.numpy() if isinstance(sequence_length, paddle.Tensor) else sequence_length, dtype="int64"))
    if isinstance(op, BiLSTM):
        out, (h, c) = op(x, sequence_length=lengths)
        out_r, (h_r, c_r) = ref(x_ref, sequence_length=lengths)
        pairs = {"outputs": [(out, out_r)], "final_states": [(h, h_r), (c, c_r)]}
        mine, theirs = [out, h, c], [out_r, h_r, c_r]
        layout = [(suffix, part, ("i", "f", "a", "o"))
                  for suffix, part in (("", op.fw), ("_reverse", op.bw)) if part is not None]
    else:
        h = op(x, sequence_length=lengths)
        _, h_r = ref(x_ref, sequence_length=lengths)
        pairs = {"final_states": [(h, h_r[0])]}
        mine, theirs = [h], [h_r[0]]
        layout = [("", op, ("r", "z", "h"))]
    # the loss: every output element with its own fixed random weight, the same for both
    rng = np.random.RandomState(seed)
    weights = [paddle.to_tensor(rng.randn(*t.shape).astype(x_np.dtype)) for t in mine]
    loss = sum((t * w).sum() for t, w in zip(mine, weights))
    loss_r = sum((t * w).sum() for t, w in zip(theirs, weights))
    ours = {}
    for suffix, part, _ in layout:
        for name, p in part.named_parameters():
            ours[(suffix, name)] = p
    grads = paddle.grad(loss, [x] + list(ours.values()))
    g = {key: v.numpy() for key, v in zip(ours, grads[1:])}
    ref_params = dict(ref.named_parameters())
    for p in ref_params.values():
        p.clear_gradient()
    loss_r.backward()            # paddle.grad through paddle's fused rnn op wants every input
    pairs["grad_inputs"] = [(grads[0], x_ref.grad)]
    pairs["grad_weights"] = []
    for suffix, part, order in layout:
        cat = lambda kind, gates=order: np.concatenate([g[(suffix, f"{kind}_{k}")] for k in gates], axis=1)
        pairs["grad_weights"] += [(cat("W").T, ref_params[f"weight_ih_l0{suffix}"].grad),
                                  (cat("U").T, ref_params[f"weight_hh_l0{suffix}"].grad),
                                  (cat("b")[0], ref_params[f"bias_ih_l0{suffix}"].grad)]
        if isinstance(op, BiLSTM):       # the two biases are added: the same gradient
            pairs["grad_weights"].append((cat("b")[0], ref_params[f"bias_hh_l0{suffix}"].grad))
        else:                            # bias_hh = [b_r, b_z] parts added, then b_hh inside R ⊙ (...)
            hh = np.concatenate([cat("b", ("r", "z")), g[("", "b_hh")]], axis=1)[0]
            pairs["grad_weights"].append((hh, ref_params["bias_hh_l0"].grad))
    result = {}
    for key, items in pairs.items():
        diffs = []
        for a, b in items:
            a = a.numpy() if isinstance(a, paddle.Tensor) else a
            b = b.numpy() if isinstance(b, paddle.Tensor) else b
            if a.shape != b.shape:
                raise ValueError(f"paddle_differences: {key} shapes differ, {a.shape} vs {b.shape}")
            diff = np.abs(a - b)
            diffs.append(float(np.max(diff)) if np.isfinite(diff).all() else float("inf"))   # NaN fails
        result[key] = max(diffs)
    result["forward"] = max(result.get("outputs", 0.0), result["final_states"])
    result["gradients"] = max(result["grad_inputs"], result["grad_weights"])
    return result


class Model_RNN4SeqClass(nn.Layer):
    """数字求和模型 (book 6.1.2.4): Embedding -> the given RNN (last hidden state) -> Linear.

    输入:
        - model: an instantiated :class:`SRN` or :class:`LSTM` (``[B, L, M] -> [B, D]``)
        - num_digits: 词典大小 (10); input_size: 嵌入维度 M; hidden_size: D; num_classes: 19
    forward:
        - inputs: int64 Tensor ``[B, L]`` of digits
        - 输出: logits ``[B, num_classes]``
    """

    def __init__(self, model, num_digits, input_size, hidden_size, num_classes):
        super().__init__()
        self.model = model
        self.num_digits = num_digits
        self.input_size = input_size
        self.embedding = Embedding(num_digits, input_size)
        self.linear = nn.Linear(hidden_size, num_classes)

    def forward(self, inputs):
        if not isinstance(inputs, paddle.Tensor) or inputs.ndim != 2:
            shape = list(inputs.shape) if isinstance(inputs, paddle.Tensor) else type(inputs).__name__
            raise ValueError(f"Model_RNN4SeqClass: inputs must be an int64 Tensor [batch_size, seq_len], got {shape}")
        inputs_emb = self.embedding(inputs)
        hidden_state = self.model(inputs_emb)
        return self.linear(hidden_state)


def _grad_norms(runner, names):
    params = dict(runner.model.named_parameters())
    out = []
    for name in names:
        if name not in params:
            raise ValueError(f"custom_print_log: the model has no parameter {name!r} "
                             f"(it has {sorted(params)[:8]}...); the SRN must be the model's .model")
        grad = params[name].grad
        if grad is None:
            raise ValueError(f"custom_print_log: {name} has no gradient; call it after loss.backward()")
        out.append(float(np.linalg.norm(grad.numpy())))
    return out


def custom_print_log(runner):
    """梯度打印函数 (book 6.2.1): prints the ℓ2 norms of the SRN's ``W``, ``U``, ``b`` gradients.

    输入:
        - runner: a runner whose ``model`` holds the SRN as ``.model`` (``Model_RNN4SeqClass``);
          pass as ``runner.train(..., custom_print_log=custom_print_log)``
    输出:
        - ``(W_grad_l2, U_grad_l2, b_grad_l2)`` (also printed, in the book's format)
    """
    w, u, b = _grad_norms(runner, ("model.W", "model.U", "model.b"))
    print(f"[Training] W_grad_l2: {w:.5f}, U_grad_l2: {u:.5f}, b_grad_l2: {b:.5f}")
    return w, u, b


class GradNormLog(object):
    """:func:`custom_print_log` that also keeps every step's norms (figures 6.8, 6.9).

    Attributes ``W``, ``U``, ``b``: lists of the norms, one per training step.  ``verbose=False``
    records without printing.
    """

    def __init__(self, verbose=True):
        self.verbose = verbose
        self.W, self.U, self.b = [], [], []

    def __call__(self, runner):
        w, u, b = custom_print_log(runner) if self.verbose else \
            _grad_norms(runner, ("model.W", "model.U", "model.b"))
        self.W.append(w)
        self.U.append(u)
        self.b.append(b)
        return w, u, b


class AveragePooling(nn.Layer):
    """聚合层 (book 6.4.2): the mean of each sequence's vectors over its real (unpadded) positions.

    forward:
        - sequence_output: float Tensor ``[B, L, H]``
        - sequence_length: integer Tensor ``[B]`` (or ``[B, 1]``), each in ``1..L``
        - 输出: ``[B, H]``
    The book compares ``paddle.arange`` (int64) with float32 lengths, which paddle 3 refuses;
    here the mask is built in int64 and cast to the output's dtype.
    """

    def forward(self, sequence_output, sequence_length):
        if not isinstance(sequence_output, paddle.Tensor) or sequence_output.ndim != 3:
            shape = list(sequence_output.shape) if isinstance(sequence_output, paddle.Tensor) else type(sequence_output).__name__
            raise ValueError(f"AveragePooling: sequence_output must be [batch_size, seq_len, hidden], got {shape}")
        if not isinstance(sequence_length, paddle.Tensor):
            sequence_length = paddle.to_tensor(sequence_length)
        batch_size, max_len = sequence_output.shape[0], sequence_output.shape[1]
        lengths = sequence_length.reshape([-1])
        if lengths.shape[0] != batch_size:
            raise ValueError(f"AveragePooling: {lengths.shape[0]} lengths for a batch of {batch_size}")
        if lengths.dtype not in (paddle.int64, paddle.int32):
            raise TypeError(f"AveragePooling: sequence_length must be int64/int32, got {lengths.dtype}")
        lengths = lengths.astype("int64")
        lo, hi = int(lengths.min()), int(lengths.max())
        if lo < 1 or hi > max_len:
            raise ValueError(f"AveragePooling: sequence lengths must lie in 1..{max_len} (the padded "
                             f"length), got {lo}..{hi}")
        mask = paddle.arange(max_len, dtype="int64").unsqueeze(0) < lengths.unsqueeze(-1)   # [B, L]
        mask = mask.astype(sequence_output.dtype).unsqueeze(-1)                            # [B, L, 1]
        summed = paddle.sum(sequence_output * mask, axis=1)                                 # [B, H]
        return summed / lengths.astype(sequence_output.dtype).unsqueeze(-1)


class Model_BiLSTM_FC(nn.Layer):
    """基于双向 LSTM 的文本分类模型 (book 6.4.2, figure 6.14).

    ``paddle.nn.Embedding`` -> ``paddle.nn.LSTM(direction='bidirectional')`` with the real lengths
    -> :class:`AveragePooling` -> ``paddle.nn.Linear(2 * hidden_size, num_classes)``.

    输入:
        - num_embeddings: 词表大小; input_size: 词向量维度; hidden_size: LSTM 隐状态维度;
          num_classes: 类别数 (2)
        - num_layers: 叠加的双向 LSTM 层数 (1 as the book; 动手练习 6.6 stacks 2 and 3): each layer
          reads the previous layer's ``[B, L, 2 * hidden_size]`` outputs
        - lstm: None (``paddle.nn.LSTM``) or a layer with its call convention, e.g.
          :class:`BiLSTM` (动手练习 6.5), reading ``[B, L, input_size]`` and giving ``2 * hidden_size``
    forward:
        - inputs: ``(input_ids, sequence_length)``: int64 ``[B, L]`` and ``[B]`` (``collate_fn``'s)
        - 输出: logits ``[B, num_classes]``
    """

    def __init__(self, num_embeddings, input_size, hidden_size, num_classes=2, num_layers=1, lstm=None):
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"Model_BiLSTM_FC: num_layers must be >= 1, got {num_layers}")
        if lstm is not None and num_layers != 1:
            raise ValueError("Model_BiLSTM_FC: give either lstm= (one given layer) or num_layers, not both")
        self.num_embeddings = num_embeddings
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_classes = num_classes
        self.num_layers = num_layers
        self.embedding_layer = nn.Embedding(num_embeddings, input_size)
        self.lstm_layer = lstm if lstm is not None else \
            nn.LSTM(input_size, hidden_size, num_layers=num_layers, direction="bidirectional")
        self.average_layer = AveragePooling()
        self.output_layer = nn.Linear(hidden_size * 2, num_classes)

    def forward(self, inputs):
        if not isinstance(inputs, (tuple, list)) or len(inputs) != 2:
            raise ValueError("Model_BiLSTM_FC: inputs must be the pair (input_ids [B, L], sequence_length [B]), "
                             f"got {type(inputs).__name__}")
        input_ids, sequence_length = inputs
        if not isinstance(input_ids, paddle.Tensor) or input_ids.ndim != 2:
            shape = list(input_ids.shape) if isinstance(input_ids, paddle.Tensor) else type(input_ids).__name__
            raise ValueError(f"Model_BiLSTM_FC: input_ids must be an int64 Tensor [batch_size, seq_len], got {shape}")
        inputs_emb = self.embedding_layer(input_ids)
        sequence_output, _ = self.lstm_layer(inputs_emb, sequence_length=sequence_length)
        batch_mean_hidden = self.average_layer(sequence_output, sequence_length)
        return self.output_layer(batch_mean_hidden)


def train_digitsum(length, make_rnn, data_root, save_dir, model_name="SRN", num_epochs=500, learning_rate=0.001,
                   batch_size=8, eval_steps=100, log_steps=100, num_digits=10, input_size=32, hidden_size=32,
                   num_classes=19, seed=0):
    """One length of the memory experiment (6.1.3-6.1.4 with the SRN, 6.3.2-6.3.3 with the LSTM).

    Trains ``Model_RNN4SeqClass(make_rnn(input_size, hidden_size), ...)`` on the DigitSum files of
    ``data_root/<length>`` with the book's settings (Adam, ``CrossEntropyLoss``, unshuffled
    batches), then evaluates the best model on the test set.

    输入:
        - length: 序列长度 (the folder name under ``data_root``)
        - make_rnn: :class:`SRN` or :class:`LSTM` (called as ``make_rnn(input_size, hidden_size)``)
        - data_root: the folder of ``make_digitsum``; save_dir: where the best model is saved
          (``best_<model_name>_model_<length>.pdparams``)
        - the book's hyper-parameters as keywords; seed: numpy, python and paddle seeds (0 in the book)
    输出: ``(runner, test score, training seconds)``
    """
    import os
    import random
    import time

    from .datasets.digitsum import DigitSumDataset, load_data
    from .metric import Accuracy
    from .runner import RunnerV3

    np.random.seed(seed)
    random.seed(seed)
    paddle.seed(seed)
    print(f"\n====> Training {model_name} with data of length {length}.")
    # the book's loaders do not shuffle, so the batches are the same every epoch: build them once
    train_loader, dev_loader, test_loader = [
        list(paddle.io.DataLoader(DigitSumDataset(examples), batch_size=batch_size))
        for examples in load_data(os.path.join(str(data_root), str(length)))]
    model = Model_RNN4SeqClass(make_rnn(input_size, hidden_size), num_digits, input_size, hidden_size, num_classes)
    optimizer = paddle.optimizer.Adam(learning_rate=learning_rate, parameters=model.parameters())
    runner = RunnerV3(model, optimizer, nn.CrossEntropyLoss(), Accuracy())
    save_path = os.path.join(str(save_dir), f"best_{model_name.lower()}_model_{length}.pdparams")
    start = time.time()
    runner.train(train_loader, dev_loader, num_epochs=num_epochs, eval_steps=eval_steps,
                 log_steps=log_steps, save_path=save_path)
    seconds = time.time() - start
    # 6.1.4 模型评价: the best model on the test set
    print(f"Evaluate {model_name} with data length {length}.")
    runner.load_model(save_path)
    score, _ = runner.evaluate(test_loader)
    print(f"[{model_name}] length:{length}, Score: {score: .5f}")
    return runner, score, seconds


def plot_length_losses(runners, title):
    """Figures 6.6 / 6.11: per length, the mean training loss of each epoch (at the epoch's last
    step: the unshuffled batches repeat every epoch, so the per-step curve oscillates with it)
    and the dev loss.  ``runners`` maps length -> RunnerV3; returns the figure."""
    import matplotlib.pyplot as plt

    if not runners:
        raise ValueError("plot_length_losses: no runners to plot")
    n = len(runners)
    cols = min(n, 4)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.2 * rows), squeeze=False)
    for ax, (length, runner) in zip(axes.flat, runners.items()):
        per_epoch = len(runner.train_step_losses) // len(runner.train_epoch_losses)
        epoch_ends = per_epoch * np.arange(1, len(runner.train_epoch_losses) + 1) - 1
        ax.plot(epoch_ends, runner.train_epoch_losses, color="#e4007f", label="Train loss")
        dev = np.array([(step, loss) for step, loss in runner.dev_losses if step >= 0])  # not the test run
        ax.plot(dev[:, 0], dev[:, 1], color="#f19ec2", linestyle="--", label="Dev loss")
        ax.set_title(f"{title}, length {length}")
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        ax.legend()
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.tight_layout()
    return fig
