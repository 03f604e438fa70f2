"""Chapter 6 循环神经网络: Embedding, SRN, LSTM, Model_RNN4SeqClass, AveragePooling, Model_BiLSTM_FC.

The hand-written layers keep the book's parameters (``SRN.W/U/b``, ``LSTM.W_i ... b_a``) and
equations (6.4, 6.7-6.13).  They compute them faster than the printed loop: the input part
``X W + b`` of every time step is one matmul over the whole sequence before the loop, and the
LSTM's four gates share one ``H U`` matmul per step.
The values are those of the equations (tests compare them with ``paddle.nn.SimpleRNN`` /
``paddle.nn.LSTM`` given the same weights).
"""
import numpy as np
import paddle
import paddle.nn as nn
import paddle.nn.functional as F

__all__ = [
    "Embedding", "SRN", "LSTM", "Model_RNN4SeqClass", "custom_print_log", "GradNormLog",
    "lstm_gates", "AveragePooling", "Model_BiLSTM_FC", "train_digitsum", "plot_length_losses",
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
    forward:
        - inputs: ``(input_ids, sequence_length)``: int64 ``[B, L]`` and ``[B]`` (``collate_fn``'s)
        - 输出: logits ``[B, num_classes]``
    """

    def __init__(self, num_embeddings, input_size, hidden_size, num_classes=2):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_classes = num_classes
        self.embedding_layer = nn.Embedding(num_embeddings, input_size)
        self.lstm_layer = nn.LSTM(input_size, hidden_size, direction="bidirectional")
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
