# %% [markdown]
# # 动手练习 6.2 更加高效的 LSTM 算子
#
# 6.3.1.1 手动实现的 LSTM 算子逐步计算每个时刻的隐状态：每个时刻
# $I_t=\sigma(X_tW_i+H_{t-1}U_i+b_i)$、$F_t$、$O_t$ 同理，$\tilde C_t=\tanh(X_tW_a+H_{t-1}U_a+b_a)$，
# $C_t=F_t\odot C_{t-1}+I_t\odot\tilde C_t$，$H_t=O_t\odot\tanh(C_t)$。
# 练习：思考如何实现更加高效的 LSTM 算子。
#
# 这里的回答是测量：在 6.3 节的形状（批大小 8，输入与隐状态 32 维，长度 5-35）上，把一次
# 训练所花的前向+反向时间与 `paddle.nn.LSTM`（一个融合的 C++ 算子）并排比较。比较的几种写法
# 以及每一种去掉了什么：
#
# - (a) 书中的循环：每步 8 次矩阵乘（每个门分别乘 $W$ 和 $U$），autograd 记录每步约 20 个算子；
# - (b) `LSTM(impl='loop')`：所有时刻的输入部分 $XW+b$ 在循环前用一次矩阵乘算好，四个门合并为
#   每步一次 `addmm`，三个门共用一次 sigmoid（去掉每步 7 次矩阵乘）；
# - (c) 手写的沿时间反向传播（BPTT），但每步仍用 paddle 算子：`paddle.autograd.PyLayer` 前向
#   不建 autograd 图，反向逐步写出梯度，$dU$ 在循环后一次矩阵乘（去掉 autograd 结点）；
# - (d) `LSTM(impl='bptt')`：整个序列一个算子（PyLayer），每步的递推用 numpy 计算，反向是手写
#   的 BPTT（去掉每步的 paddle 算子开销，每个 paddle 算子约 10-20 µs）；
# - 对照：`paddle.nn.LSTM`。
#
# 五种写法的参数相同，输出与梯度相同（下面检查）。库中 `nndl.LSTM` 的默认 `impl='auto'` 在
# CPU 上小形状时用 (d)，大形状（如 6.4 的 B128、256 维）时用 (b)。

# %%
from nndl.app.script import setup
S = setup("ch6_ex2_efficient_lstm")

import time

import matplotlib.pyplot as plt
import numpy as np
import paddle
import paddle.nn.functional as F

from nndl import LSTM, lstm_book_loop

# %%
BATCH_SIZE = 8                     # 6.3 节的批大小
INPUT_SIZE = HIDDEN_SIZE = 32      # 6.3 节的嵌入与隐状态维度
LENGTHS = S.pick([5, 10, 15, 20, 25, 30, 35], [10, 35])
REPEATS = S.pick(15, 7)            # interleaved repetitions per variant and length (medians)
paddle.seed(0)
np.random.seed(0)


# %% [markdown]
# (a) 书中的循环（每个门两次矩阵乘），用同一个 `LSTM` 的参数。

# %%
# nndl.rnn.lstm_book_loop: for each step t,
#   I = σ(X_t W_i + H U_i + b_i), F = σ(X_t W_f + H U_f + b_f), O = σ(X_t W_o + H U_o + b_o),
#   C~ = tanh(X_t W_a + H U_a + b_a), C = F ⊙ C + I ⊙ C~, H = O ⊙ tanh(C)
# with eight matmuls per step (two per gate), on the same LSTM's parameters


# %% [markdown]
# (c) 手写 BPTT、每步 paddle 算子。反向从 $dH_L$ 出发，每步
# $dC_t \mathrel{+}= dH_t\,O_t(1-\tanh^2C_t)$，
# $dz_t=[dC_t\tilde C_t I_t(1-I_t),\ dC_tC_{t-1}F_t(1-F_t),\ dH_t\tanh(C_t)O_t(1-O_t),\ dC_tI_t(1-\tilde C_t^2)]$，
# $dC_{t-1}=dC_tF_t$，$dH_{t-1}=dz_tU^\top$；循环后 $dU=\sum_t H_{t-1}^\top dz_t$ 一次矩阵乘。

# %%
class PaddleOpsBPTT(paddle.autograd.PyLayer):
    """The recurrence over ``zx = X W + b`` ([B, L, 4D], gates i, f, o, a) and U [D, 4D] -> H_L."""

    @staticmethod
    def forward(ctx, zx, U):
        D = U.shape[0]
        h = paddle.zeros([zx.shape[0], D], dtype=zx.dtype)
        c = paddle.zeros_like(h)
        ctx.steps, ctx.U = [], U
        for z_x in paddle.unbind(zx, axis=1):
            z = paddle.addmm(z_x, h, U)
            i, f, o = paddle.split(F.sigmoid(z[:, :3 * D]), 3, axis=1)
            a = paddle.tanh(z[:, 3 * D:])
            c_new = f * c + i * a
            tc = paddle.tanh(c_new)
            ctx.steps.append((h, c, i, f, o, a, tc))
            h, c = o * tc, c_new
        return h

    @staticmethod
    def backward(ctx, dh):
        dc = paddle.zeros_like(dh)
        dzs = []
        for h_prev, c_prev, i, f, o, a, tc in reversed(ctx.steps):
            dc = dc + dh * o * (1 - tc * tc)
            dz = paddle.concat([dc * a * i * (1 - i), dc * c_prev * f * (1 - f),
                                dh * tc * o * (1 - o), dc * i * (1 - a * a)], axis=1)
            dc = dc * f
            dh = paddle.matmul(dz, ctx.U, transpose_y=True)
            dzs.append(dz)
        dZ = paddle.stack(dzs[::-1], axis=1)                                   # [B, L, 4D]
        H_prev = paddle.stack([s[0] for s in ctx.steps], axis=1)
        D = ctx.U.shape[0]
        dU = paddle.matmul(H_prev.reshape([-1, D]), dZ.reshape([-1, 4 * D]), transpose_x=True)
        return dZ, dU


def paddle_ops_bptt(lstm, x):
    W = paddle.concat([lstm.W_i, lstm.W_f, lstm.W_o, lstm.W_a], axis=1)
    U = paddle.concat([lstm.U_i, lstm.U_f, lstm.U_o, lstm.U_a], axis=1)
    b = paddle.concat([lstm.b_i, lstm.b_f, lstm.b_o, lstm.b_a], axis=1)
    return PaddleOpsBPTT.apply(paddle.matmul(x, W) + b, U)


# %% [markdown]
# 五种写法共用一组参数；`paddle.nn.LSTM` 的门按 (i, f, 候选, o) 排列、有两个偏置（第二个置 0）。

# %%
lstm = LSTM(INPUT_SIZE, HIDDEN_SIZE, impl="loop")
fast = LSTM(INPUT_SIZE, HIDDEN_SIZE, impl="bptt")
fast.set_state_dict(lstm.state_dict())
ref = paddle.nn.LSTM(INPUT_SIZE, HIDDEN_SIZE)
order = ("i", "f", "a", "o")
ref.weight_ih_l0.set_value(np.concatenate([getattr(lstm, f"W_{g}").numpy() for g in order], 1).T)
ref.weight_hh_l0.set_value(np.concatenate([getattr(lstm, f"U_{g}").numpy() for g in order], 1).T)
ref.bias_ih_l0.set_value(np.concatenate([getattr(lstm, f"b_{g}").numpy() for g in order], 1)[0])
ref.bias_hh_l0.set_value(np.zeros(4 * HIDDEN_SIZE, "float32"))

VARIANTS = {
    "(a) book loop": (lambda x: lstm_book_loop(lstm, x), lstm),
    "(b) impl='loop'": (lambda x: lstm(x), lstm),
    "(c) BPTT, paddle ops": (lambda x: paddle_ops_bptt(lstm, x), lstm),
    "(d) impl='bptt'": (lambda x: fast(x), fast),
    "paddle.nn.LSTM": (lambda x: ref(x)[1][0][0], ref),
}


def grads_of(name, x, up):
    fn, layer = VARIANTS[name]
    layer.clear_gradients()
    (fn(x) * up).sum().backward()
    if layer is ref:
        return [ref.weight_ih_l0.grad.numpy().T, ref.weight_hh_l0.grad.numpy().T]
    cat = lambda p: np.concatenate([getattr(layer, f"{p}_{g}").grad.numpy() for g in order], 1)
    return [cat("W"), cat("U")]


# %%
x = paddle.randn([BATCH_SIZE, max(LENGTHS), INPUT_SIZE])
up = paddle.randn([BATCH_SIZE, HIDDEN_SIZE])
h_ref = VARIANTS["paddle.nn.LSTM"][0](x).numpy()
g_ref = grads_of("paddle.nn.LSTM", x, up)
max_diff = {}
for name in VARIANTS:
    h = VARIANTS[name][0](x).numpy()
    g = grads_of(name, x, up)
    max_diff[name] = float(max(np.abs(h - h_ref).max(), *(np.abs(a - b).max() for a, b in zip(g, g_ref))))
    print(f"{name:22s} max |difference| from paddle.nn.LSTM (H_L, dW, dU): {max_diff[name]:.2e}")


# %% [markdown]
# 计时：每种写法在每个长度上做 `REPEATS` 次"前向 + 反向"，交替进行（A, B, C, ..., A, B, C, ...，
# 机器负载的变化对各写法一样），取中位数。

# %%
def forward_backward(name, x):
    fn, layer = VARIANTS[name]
    (fn(x) * up).sum().backward()
    layer.clear_gradients()


times = {name: {} for name in VARIANTS}
for L in LENGTHS:
    xL = paddle.randn([BATCH_SIZE, L, INPUT_SIZE])
    samples = {name: [] for name in VARIANTS}
    for name in VARIANTS:                                  # warm-up
        forward_backward(name, xL)
    for r in range(REPEATS):
        for name in (list(VARIANTS) if r % 2 == 0 else list(VARIANTS)[::-1]):
            t0 = time.perf_counter()
            forward_backward(name, xL)
            samples[name].append(time.perf_counter() - t0)
    for name in VARIANTS:
        times[name][L] = float(np.median(samples[name]))
    line = ", ".join(f"{name} {1e3 * times[name][L]:.2f} ms ({times[name][L] / times['paddle.nn.LSTM'][L]:.2f}x)"
                     for name in VARIANTS)
    print(f"L={L:2d}: {line}")

ratio = {name: [times[name][L] / times["paddle.nn.LSTM"][L] for L in LENGTHS] for name in VARIANTS}

# %%
fig = plt.figure(figsize=(6, 4))
for name, style in zip(VARIANTS, ("-o", "-s", "-^", "-D", "--k")):
    plt.plot(LENGTHS, [1e3 * times[name][L] / L for L in LENGTHS], style, label=name)
plt.yscale("log")
plt.xlabel("sequence length L")
plt.ylabel("forward + backward, ms per time step")
plt.title(f"LSTM, B={BATCH_SIZE}, M=D={HIDDEN_SIZE}, CPU")
plt.legend(fontsize=8)
S.savefig(fig, "ex6-2-lstm-variants.pdf")

# %%
names = list(VARIANTS)
S.record(lengths=LENGTHS, repeats=REPEATS, batch_size=BATCH_SIZE, hidden_size=HIDDEN_SIZE,
         median_ms={name: [round(1e3 * times[name][L], 4) for L in LENGTHS] for name in names},
         ratio_to_paddle={name: [round(r, 3) for r in ratio[name]] for name in names},
         max_abs_diff_vs_paddle=max_diff)
noisy = "quick mode: two lengths, 7 repeats on a shared CPU, the times are noisy; " \
        "bench/bench_lstm.py is the measurement (docs/performance.md)" if S.quick else None
a, b, c, d = (ratio[n] for n in names[:4])
S.claim(book="练习 6.2（无印出的答案）: 把输入部分移出循环、四个门合并为每步一次矩阵乘 (b) 比书中逐门的循环 (a) 快",
        measured=", ".join(f"L={L}: (a) {ra:.2f}x, (b) {rb:.2f}x paddle" for L, ra, rb in zip(LENGTHS, a, b)),
        supported=all(rb < ra for ra, rb in zip(a, b)), note=noisy)
S.claim(book="手写 BPTT 而每步仍用 paddle 算子 (c)、去掉 autograd 结点，比 autograd 的循环 (b) 快",
        measured=", ".join(f"L={L}: (c) {rc:.2f}x, (b) {rb:.2f}x paddle" for L, rc, rb in zip(LENGTHS, c, b)),
        supported=all(rc < rb for rb, rc in zip(b, c)),
        note="the cost is the number of paddle operators per step, which (c) does not reduce" +
             ("; " + noisy if noisy else ""))
S.claim(book="整个序列一个算子 (d: numpy 递推 + 手写 BPTT) 的前向+反向不超过 paddle.nn.LSTM 的 2 倍（6.3 的形状）",
        measured=", ".join(f"L={L}: {rd:.2f}x" for L, rd in zip(LENGTHS, d)),
        supported=max(d) <= 2.0, note=noisy)
S.save()
