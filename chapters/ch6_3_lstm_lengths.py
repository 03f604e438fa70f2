# %% [markdown]
# # 6.3 LSTM 的记忆能力实验
#
# 用 6.3.1.1 的 LSTM 算子（输入门、遗忘门、输出门与内部状态）替换 SRN，在同样的数字求和
# 数据和同样的超参数上训练（6.3.2），在测试集上评价（6.3.3），与 SRN 比较（图 6.11、图 6.12）。
# 书的结论：LSTM 的准确率同样随长度降低，但显著高于 SRN。最后画出 LSTM 读序列
# `[6, 7, 0, 0, 1, 0, 0, 0, 0, 0]` 时三个门和内部状态的激活值（图 6.13；书没有印记录门的代码，
# 这里用 `LSTM(record_gates=True)` / `nndl.lstm_gates`）。
#
# 快速模式与 6.1.3 相同：长度 5、10、20，80 个回合，批大小 32，学习率 0.01。SRN 的结果取自同一
# 输出目录下 6.1.3 的 `results.json`（相同设置时），否则在这里重新训练 SRN。

# %%
from nndl.app.script import setup
S = setup("ch6_3_lstm_lengths")

import json

import numpy as np
import paddle
import matplotlib.pyplot as plt

from nndl import LSTM, SRN, lstm_gates, train_digitsum, plot_length_losses
from nndl.datasets.digitsum import BOOK_LENGTHS, make_digitsum

# %%
NUM_EPOCHS = S.pick(500, 80)
LEARNING_RATE = S.pick(0.001, 0.01)
BATCH_SIZE = S.pick(8, 32)
LENGTHS = S.pick(list(BOOK_LENGTHS), [5, 10, 20])
EVAL_STEPS = S.pick(100, 50)
LOG_STEPS = S.pick(100, 200)
NUM_DIGITS, INPUT_SIZE, HIDDEN_SIZE, NUM_CLASSES = 10, 32, 32, 19
GATE_INPUT = [6, 7, 0, 0, 1, 0, 0, 0, 0, 0]      # figure 6.13's sequence (length 10)
SAVE_DIR = S.path("checkpoints")

# %%
DATA_ROOT = make_digitsum(S.path("datasets"))


def train_length(length, model_name, make):
    # the 6.1.3 experiment with the given RNN (nndl.train_digitsum: the book's settings, seed 0)
    return train_digitsum(length, make, DATA_ROOT, SAVE_DIR, model_name, num_epochs=NUM_EPOCHS,
                          learning_rate=LEARNING_RATE, batch_size=BATCH_SIZE, eval_steps=EVAL_STEPS,
                          log_steps=LOG_STEPS, num_digits=NUM_DIGITS, input_size=INPUT_SIZE,
                          hidden_size=HIDDEN_SIZE, num_classes=NUM_CLASSES)


SAVE_DIR.mkdir(parents=True, exist_ok=True)
runners, test_scores, seconds = {}, {}, {}
for length in LENGTHS:
    runners[length], test_scores[length], seconds[length] = train_length(length, "LSTM", LSTM)

# %% [markdown]
# 图 6.11：LSTM 在不同长度数据集上的训练损失与验证集损失。

# %%
fig = plot_length_losses(runners, "LSTM")
S.savefig(fig, "6.11-lstm-loss.pdf")
plt.close(fig)

# %% [markdown]
# SRN 的结果：同一输出目录下 6.1.3 的结果（相同的长度、回合、批大小和学习率），否则重新训练。

# %%
def srn_from_sibling():
    # ch6_1_3_srn_lengths/ beside this run's folder (python -m nndl run ch6 --out DIR lays them out so)
    for path in sorted(S.out.parent.glob("ch6_1_3_srn_lengths*/results.json")):
        try:
            r = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        same = (r.get("quick") == S.quick and r.get("lengths") == LENGTHS and r.get("num_epochs") == NUM_EPOCHS
                and r.get("batch_size") == BATCH_SIZE and r.get("learning_rate") == LEARNING_RATE)
        if same:
            print(f"SRN results read from {path}")
            return (dict(zip(LENGTHS, r["best_dev_accuracy"])), dict(zip(LENGTHS, r["test_accuracy"])),
                    str(path.parent.name))
    return None


srn = srn_from_sibling()
if srn is None:
    srn_runs = {L: train_length(L, "SRN", SRN) for L in LENGTHS}
    srn = ({L: srn_runs[L][0].best_score for L in LENGTHS}, {L: srn_runs[L][1] for L in LENGTHS}, "trained here")
srn_dev, srn_test, srn_source = srn

# %% [markdown]
# 图 6.12：LSTM 与 SRN 在不同长度数据集上的准确率。

# %%
lstm_dev = [runners[L].best_score for L in LENGTHS]
lstm_test = [test_scores[L] for L in LENGTHS]
fig = plt.figure(figsize=(5.5, 3.8))
plt.plot(LENGTHS, [srn_dev[L] for L in LENGTHS], "-o", color="#f19ec2", label="SRN Dev Accuracy")
plt.plot(LENGTHS, [srn_test[L] for L in LENGTHS], "--o", color="#f19ec2", label="SRN Test Accuracy")
plt.plot(LENGTHS, lstm_dev, "-s", color="#e4007f", label="LSTM Dev Accuracy")
plt.plot(LENGTHS, lstm_test, "--s", color="#e4007f", label="LSTM Test Accuracy")
plt.xlabel("sequence length")
plt.ylabel("accuracy")
plt.xticks(LENGTHS)
plt.legend(fontsize="small")
S.savefig(fig, "6.12-lstm-srn-accuracy.pdf")
plt.close(fig)

# %% [markdown]
# 图 6.13：长度 10 上最好的 LSTM 模型读 `[6, 7, 0, 0, 1, 0, 0, 0, 0, 0]` 时输入门、遗忘门、
# 输出门和内部状态的激活值（横轴为输入数字，纵轴为向量的维度）。

# %%
gate_length = 10 if 10 in LENGTHS else LENGTHS[0]
gate_model = runners[gate_length].model
runners[gate_length].load_model(str(SAVE_DIR / f"best_lstm_model_{gate_length}.pdparams"))
gates = lstm_gates(gate_model, GATE_INPUT)
fig, axes = plt.subplots(1, 4, figsize=(16, 4.5))
titles = {"input": "input gate", "forget": "forget gate", "output": "output gate", "cell": "cell state"}
for ax, key in zip(axes, ("input", "forget", "output", "cell")):
    im = ax.imshow(gates[key].T, aspect="auto", cmap="RdPu")
    ax.set_xticks(range(len(GATE_INPUT)))
    ax.set_xticklabels(GATE_INPUT)
    ax.set_xlabel("input digit")
    ax.set_ylabel("dimension")
    ax.set_title(titles[key])
    fig.colorbar(im, ax=ax)
fig.tight_layout()
S.savefig(fig, "6.13-lstm-gates.pdf")
plt.close(fig)
logits = gate_model(paddle.to_tensor([GATE_INPUT]))
predicted = int(paddle.argmax(logits, axis=-1).numpy()[0])
print(f"LSTM(length {gate_length}) on {GATE_INPUT}: predicted sum {predicted} (true {GATE_INPUT[0] + GATE_INPUT[1]})")

# %%
zeros = [t for t, d in enumerate(GATE_INPUT) if d == 0 and t >= 2]
input_gate_spread_on_zeros = float(np.mean(np.std(gates["input"][zeros], axis=0)))
forget_change_at_one = float(np.mean(np.abs(gates["forget"][4] - gates["forget"][3])))
S.record(lengths=LENGTHS, num_epochs=NUM_EPOCHS, learning_rate=LEARNING_RATE, batch_size=BATCH_SIZE,
         lstm_best_dev_accuracy=lstm_dev, lstm_test_accuracy=lstm_test,
         srn_best_dev_accuracy=[srn_dev[L] for L in LENGTHS], srn_test_accuracy=[srn_test[L] for L in LENGTHS],
         srn_source=srn_source, seconds=[seconds[L] for L in LENGTHS],
         gates={k: v for k, v in gates.items()}, gate_prediction=predicted,
         input_gate_spread_on_zeros=input_gate_spread_on_zeros, forget_change_at_one=forget_change_at_one)
quick_note = "quick mode: 3 lengths, 80 epochs at batch 32 / lr 0.01 instead of 7 lengths x 500 epochs" if S.quick else None
S.claim(book="随着长度增加，LSTM 在验证集和测试集上的准确率整体也趋向于降低（图 6.12）",
        measured="LSTM test accuracy " + ", ".join(f"L={L}: {s:.2f}" for L, s in zip(LENGTHS, lstm_test)),
        supported=lstm_test[-1] < lstm_test[0], note=quick_note)
better = sum(lstm_test[i] >= srn_test[L] for i, L in enumerate(LENGTHS))
S.claim(book="LSTM 的准确率显著高于 SRN，保持长期依赖的能力优于 SRN（图 6.12）",
        measured="test accuracy LSTM vs SRN " +
                 ", ".join(f"L={L}: {lstm_test[i]:.2f} vs {srn_test[L]:.2f}" for i, L in enumerate(LENGTHS)) +
                 f"; mean {np.mean(lstm_test):.2f} vs {np.mean([srn_test[L] for L in LENGTHS]):.2f}",
        supported=np.mean(lstm_test) > np.mean([srn_test[L] for L in LENGTHS]) and better >= len(LENGTHS) - 1,
        note=quick_note)
S.claim(book="输入门遇到不同位置的数字 0 时保持相对一致的数值（图 6.13）",
        measured=f"mean over dimensions of the input gate's spread (std) across the zeros at positions 2-9: "
                 f"{input_gate_spread_on_zeros:.3f}; forget-gate change at the digit 1: {forget_change_at_one:.3f}",
        supported=None,
        note="a heat map to read, not a number the book states; the figure is saved")
S.save()
