# %% [markdown]
# # 动手练习 6.3 双向 LSTM 算子
#
# 改进 6.3.1.1 的 LSTM 算子，使其支持双向 LSTM 的计算（`nndl.BiLSTM`）：前向 LSTM 从左到右读序列，
# 反向 LSTM 从右到左读，每个时刻的输出是两个方向隐状态的拼接 $[\overrightarrow{H_t}; \overleftarrow{H_t}]$，
# 每个方向的计算都是公式 (6.7)-(6.13)。调用方式与 `paddle.nn.LSTM(direction='bidirect')` 相同：
# 返回所有时刻的输出 `[B, L, 2D]` 与两个方向的最终状态 `(h_n, c_n)`，各为 `[2, B, D]`。
#
# 先在 float64 下与 `paddle.nn.LSTM(direction='bidirect')`（复制参数）逐项比较前向结果和梯度；再在 6.3 的
# 数字求和任务上比较单向 LSTM（隐状态 32 维）与双向 LSTM（每个方向 16 维，拼接后同为 32 维）：要记住的
# 两个数字在序列开头，反向 LSTM 最后读到它们。
#
# 完整模式是 6.3 的设置（7 个长度、500 个回合、批大小 8、学习率 0.001）；快速模式只用长度 20、40 个回合、
# 批大小 64、学习率 0.02。

# %%
from nndl.app.script import setup
S = setup("ch6_ex3_bilstm_op")

import numpy as np
import paddle
import paddle.nn as nn
import matplotlib.pyplot as plt

from nndl import LSTM, BiLSTM, train_digitsum
from nndl.rnn import paddle_differences
from nndl.datasets.digitsum import BOOK_LENGTHS, make_digitsum

# %%
NUM_EPOCHS = S.pick(500, 40)
LEARNING_RATE = S.pick(0.001, 0.02)
BATCH_SIZE = S.pick(8, 64)
LENGTHS = S.pick(list(BOOK_LENGTHS), [20])
EVAL_STEPS = S.pick(100, 50)
LOG_STEPS = S.pick(100, 0)
NUM_DIGITS, INPUT_SIZE, HIDDEN_SIZE, NUM_CLASSES = 10, 32, 32, 19
SAVE_DIR = S.path("checkpoints")

# %% [markdown]
# 与 `paddle.nn.LSTM(direction='bidirect')` 比较：`BiLSTM.to_paddle()` 把参数按 paddle 的布局复制过去
# （门的顺序 i, f, g(=候选 a), o，`weight_ih_l0` 形状 `[4D, M]`，两个偏置相加），`paddle_differences` 对所有时刻的
# 输出与最终状态加一个固定的随机权重求和作为损失，比较前向值与对输入、每个参数的梯度。

# %%
paddle.seed(0)
op = BiLSTM(5, 3, dtype="float64")
x_check = np.random.RandomState(0).randn(4, 7, 5)
diffs = paddle_differences(op, x_check)
out, (h_n, c_n) = op(paddle.to_tensor(x_check))
print("outputs:", out.shape, " h_n:", h_n.shape, " c_n:", c_n.shape)
print("max |BiLSTM - paddle.nn.LSTM(bidirect)|, float64: " +
      ", ".join(f"{k} {v:.2e}" for k, v in diffs.items() if k not in ("forward", "gradients")))

# %% [markdown]
# 数字求和：双向模型把两个方向最后的隐状态拼接起来送入线性层（前向方向在最后一个时刻、反向方向在
# 第一个时刻）。

# %%
class BiLSTMLastStates(nn.Layer):
    """``BiLSTM`` with ``hidden_size // 2`` per direction -> ``[h_fw(L); h_bw(1)]``, ``[B, hidden_size]``."""

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.bilstm = BiLSTM(input_size, hidden_size // 2)

    def forward(self, inputs):
        _, (h_n, _) = self.bilstm(inputs)
        return paddle.concat([h_n[0], h_n[1]], axis=-1)


DATA_ROOT = make_digitsum(S.path("datasets"))
SAVE_DIR.mkdir(parents=True, exist_ok=True)
MODELS = {"LSTM": LSTM, "BiLSTM": BiLSTMLastStates}
test_scores = {name: {} for name in MODELS}
best_dev = {name: {} for name in MODELS}
for name, make in MODELS.items():
    for length in LENGTHS:
        runner, test_scores[name][length], _ = train_digitsum(
            length, make, DATA_ROOT, SAVE_DIR, name, num_epochs=NUM_EPOCHS, learning_rate=LEARNING_RATE,
            batch_size=BATCH_SIZE, eval_steps=EVAL_STEPS, log_steps=LOG_STEPS, num_digits=NUM_DIGITS,
            input_size=INPUT_SIZE, hidden_size=HIDDEN_SIZE, num_classes=NUM_CLASSES)
        best_dev[name][length] = runner.best_score

# %%
fig = plt.figure(figsize=(5.5, 3.8))
for name, color in zip(MODELS, ("#f19ec2", "#e4007f")):
    plt.plot(LENGTHS, [best_dev[name][L] for L in LENGTHS], "-o", color=color, label=f"{name} Dev Accuracy")
    plt.plot(LENGTHS, [test_scores[name][L] for L in LENGTHS], "--s", color=color, label=f"{name} Test Accuracy")
plt.xlabel("sequence length")
plt.ylabel("accuracy")
plt.xticks(LENGTHS)
plt.legend(fontsize="small")
S.savefig(fig, "ex6-3-bilstm-lstm-accuracy.pdf")
plt.close(fig)

# %%
lstm, bi = ([test_scores[n][L] for L in LENGTHS] for n in MODELS)
S.record(lengths=LENGTHS, num_epochs=NUM_EPOCHS, learning_rate=LEARNING_RATE, batch_size=BATCH_SIZE,
         paddle_differences=diffs, lstm_test_accuracy=lstm, bilstm_test_accuracy=bi,
         lstm_best_dev_accuracy=[best_dev["LSTM"][L] for L in LENGTHS],
         bilstm_best_dev_accuracy=[best_dev["BiLSTM"][L] for L in LENGTHS])
S.claim(book="练习 6.3: 改进 6.3.1.1 的 LSTM 算子，使其支持双向 LSTM 的计算（与 paddle.nn.LSTM(direction='bidirect') 相同）",
        measured=f"float64, copied weights: max |difference| forward {diffs['forward']:.1e} (outputs of every step, "
                 f"h_n, c_n), gradients {diffs['gradients']:.1e} (inputs and all 16 weights)",
        supported=diffs["forward"] < 1e-6 and diffs["gradients"] < 1e-6)
S.claim(book="数字求和任务中要记住的数字在序列开头：双向 LSTM（反向最后读到它们）比同样宽度的单向 LSTM 记得更好",
        measured="test accuracy BiLSTM (16+16) vs LSTM (32) " +
                 ", ".join(f"L={L}: {b:.2f} vs {s:.2f}" for L, b, s in zip(LENGTHS, bi, lstm)),
        supported=bool(np.mean(bi) > np.mean(lstm)),
        note="our question, not the book's; one seed" +
             ("; quick mode: length 20 only, 40 epochs at batch 64 / lr 0.02" if S.quick else ""))
S.save()
