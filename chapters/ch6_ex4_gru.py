# %% [markdown]
# # 动手练习 6.4 GRU 算子
#
# 实现 GRU 算子（`nndl.GRU`，《神经网络与深度学习》公式 (6.59)-(6.61)）：
# 更新门 $Z_t = \sigma(X_t W_z + H_{t-1} U_z + b_z)$，重置门 $R_t = \sigma(X_t W_r + H_{t-1} U_r + b_r)$，
# 候选状态 $\tilde H_t = \tanh(X_t W_h + (R_t \odot H_{t-1}) U_h + b_h)$，
# $H_t = Z_t \odot H_{t-1} + (1 - Z_t) \odot \tilde H_t$；完成 6.3 的数字求和实验，对比 GRU 和 LSTM 的效果。
#
# `paddle.nn.GRU` 计算的是另一种常见形式：重置门乘在循环部分上，
# $\tilde H_t = \tanh(X_t W_h + b_h + R_t \odot (H_{t-1} U_h + b_{hh}))$（cuDNN 的形式）。`GRU(reset_after=True)`
# 是这种形式，先用它在 float64 下与 `paddle.nn.GRU` 逐项比较；实验用书中的形式（默认）。
#
# 完整模式是 6.3 的设置（7 个长度、500 个回合、批大小 8、学习率 0.001）；快速模式：长度 10 与 20、40 个回合、
# 批大小 64、学习率 0.02，GRU 与 LSTM 在同一设置、同一随机种子下训练。

# %%
from nndl.app.script import setup
S = setup("ch6_ex4_gru")

import numpy as np
import paddle
import matplotlib.pyplot as plt

from nndl import GRU, LSTM, train_digitsum, plot_length_losses
from nndl.rnn import paddle_differences
from nndl.datasets.digitsum import BOOK_LENGTHS, make_digitsum

# %%
NUM_EPOCHS = S.pick(500, 40)
LEARNING_RATE = S.pick(0.001, 0.02)
BATCH_SIZE = S.pick(8, 64)
LENGTHS = S.pick(list(BOOK_LENGTHS), [10, 20])
EVAL_STEPS = S.pick(100, 50)
LOG_STEPS = S.pick(100, 0)
NUM_DIGITS, INPUT_SIZE, HIDDEN_SIZE, NUM_CLASSES = 10, 32, 32, 19
SAVE_DIR = S.path("checkpoints")
MODELS = {"LSTM": LSTM, "GRU": GRU}

# %% [markdown]
# 与 `paddle.nn.GRU` 比较（float64，复制参数）：`reset_after=True` 的 GRU 与它逐时刻相等，书中的形式则不同。

# %%
paddle.seed(0)
B, L, M, D = 4, 6, 5, 3
gru = GRU(M, D, reset_after=True, dtype="float64")
x_np = np.random.RandomState(0).randn(B, L, M)
LENGTHS_CHECK = [6, 1, 3, 5]
diffs = paddle_differences(gru, x_np, LENGTHS_CHECK)           # against gru.to_paddle(): paddle.nn.GRU
# every step: our state after t steps is paddle's output at step t
ref = gru.to_paddle()
outputs_ref, _ = ref(paddle.to_tensor(x_np))
step_diff = max(float(np.abs(gru(paddle.to_tensor(x_np[:, :t])).numpy() - outputs_ref.numpy()[:, t - 1]).max())
                for t in range(1, L + 1))
book_form = GRU(M, D, dtype="float64")
for name, p in book_form.named_parameters():
    p.set_value(getattr(gru, name).numpy())
form_diff = float(np.abs(book_form(paddle.to_tensor(x_np)).numpy() - outputs_ref.numpy()[:, -1]).max())
forward_diff, grad_diff = max(diffs["forward"], step_diff), diffs["gradients"]
print(f"GRU(reset_after=True) vs paddle.nn.GRU, float64, lengths {LENGTHS_CHECK}: final states "
      f"{diffs['final_states']:.2e}, every step {step_diff:.2e}, gradients: inputs {diffs['grad_inputs']:.2e}, "
      f"weights {diffs['grad_weights']:.2e}")
print(f"the book's form with the same weights vs paddle.nn.GRU: {form_diff:.2e}")

# %% [markdown]
# 数字求和实验：每个长度上分别训练 LSTM 与 GRU（`Model_RNN4SeqClass(GRU(32, 32), ...)`）。

# %%
DATA_ROOT = make_digitsum(S.path("datasets"))
SAVE_DIR.mkdir(parents=True, exist_ok=True)
runners = {name: {} for name in MODELS}
test_scores = {name: {} for name in MODELS}
seconds = {name: {} for name in MODELS}
for name, make in MODELS.items():
    for length in LENGTHS:
        runners[name][length], test_scores[name][length], seconds[name][length] = train_digitsum(
            length, make, DATA_ROOT, SAVE_DIR, name,
            num_epochs=NUM_EPOCHS, learning_rate=LEARNING_RATE, batch_size=BATCH_SIZE, eval_steps=EVAL_STEPS,
            log_steps=LOG_STEPS, num_digits=NUM_DIGITS, input_size=INPUT_SIZE, hidden_size=HIDDEN_SIZE,
            num_classes=NUM_CLASSES)
num_params = {name: sum(int(np.prod(p.shape)) for p in runners[name][LENGTHS[0]].model.model.parameters())
              for name in MODELS}
print("recurrent parameters:", num_params)

# %%
fig = plot_length_losses(runners["GRU"], "GRU")
S.savefig(fig, "ex6-4-gru-loss.pdf")
plt.close(fig)

fig = plt.figure(figsize=(5.5, 3.8))
for name, color in zip(MODELS, ("#f19ec2", "#e4007f")):
    plt.plot(LENGTHS, [runners[name][L].best_score for L in LENGTHS], "-o", color=color, label=f"{name} Dev Accuracy")
    plt.plot(LENGTHS, [test_scores[name][L] for L in LENGTHS], "--s", color=color, label=f"{name} Test Accuracy")
plt.xlabel("sequence length")
plt.ylabel("accuracy")
plt.xticks(LENGTHS)
plt.legend(fontsize="small")
S.savefig(fig, "ex6-4-gru-lstm-accuracy.pdf")
plt.close(fig)

# %%
lstm, gru_acc = ([test_scores[n][L] for L in LENGTHS] for n in MODELS)
S.record(lengths=LENGTHS, num_epochs=NUM_EPOCHS, learning_rate=LEARNING_RATE, batch_size=BATCH_SIZE,
         lstm_test_accuracy=lstm, gru_test_accuracy=gru_acc,
         lstm_best_dev_accuracy=[runners["LSTM"][L].best_score for L in LENGTHS],
         gru_best_dev_accuracy=[runners["GRU"][L].best_score for L in LENGTHS],
         seconds={n: [seconds[n][L] for L in LENGTHS] for n in MODELS}, recurrent_parameters=num_params,
         paddle_gru_forward_diff=forward_diff, paddle_gru_grad_diff=grad_diff,
         book_form_vs_paddle=form_diff)
S.claim(book="GRU 算子（reset_after=True 的形式）与 paddle.nn.GRU 的计算相同",
        measured=f"float64, copied weights, lengths {LENGTHS_CHECK}: max |difference| states {forward_diff:.1e}, "
                 f"gradients {grad_diff:.1e}; the book's form differs from paddle.nn.GRU by {form_diff:.2f}",
        supported=max(forward_diff, grad_diff) < 1e-6 and form_diff > 1e-3)
S.claim(book="练习 6.4: 对比 GRU 和 LSTM 在数字求和任务上的实验效果",
        measured="test accuracy GRU vs LSTM " +
                 ", ".join(f"L={L}: {g:.2f} vs {s:.2f}" for L, g, s in zip(LENGTHS, gru_acc, lstm)) +
                 f"; recurrent parameters {num_params['GRU']} vs {num_params['LSTM']}",
        supported=None,
        note="a question without a printed answer; one seed" +
             ("; quick mode: lengths 10 and 20, 40 epochs at batch 64 / lr 0.02" if S.quick else ""))
S.save()
