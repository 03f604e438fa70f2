# %% [markdown]
# # 动手练习 6.5 支持不同长度序列的双向 LSTM 算子
#
# 改进 6.3.1.1 的 LSTM 算子，使一个批次中可以包含不同长度的序列，并支持双向计算（`nndl.BiLSTM` 的
# `sequence_length` 参数）。做法：每个时刻一个掩码 $m_t = [t < \text{len}]$；在补齐位置 [PAD] 上状态保持不变
# （$H_t = m_t \odot H'_t + (1-m_t) \odot H_{t-1}$，内部状态同理）、输出为 0。于是前向 LSTM 的最终状态是最后一个
# 真实时刻的状态；反向 LSTM 在 [PAD] 上保持零初始状态，从每个序列自己的最后一个真实时刻开始读。这与
# `paddle.nn.LSTM(direction='bidirect')` 传入 `sequence_length` 时的约定相同。
#
# 6.4.2 的问题：补齐后计算反向 LSTM 时，[PAD] 是否会影响 LSTM 参数的梯度？不传真实长度时，反向 LSTM 先读
# 到 [PAD]，真实位置的输出与参数梯度都随 [PAD] 的取值而变；传入长度后，[PAD] 不影响任何输出和梯度。
#
# 最后把算子放进 6.4 的模型（`Model_BiLSTM_FC(..., lstm=BiLSTM(...))`），与使用 `paddle.nn.LSTM` 的同一模型从
# 相同参数出发、用相同批次训练 3 个回合（6.4 的设置），比较每一步的损失。快速模式用较小的模型和数据样本，
# 没有 IMDB 时使用生成的同格式小型数据并如实说明。

# %%
from nndl.app.script import setup
S = setup("ch6_ex5_bilstm_lengths")

from functools import partial

import numpy as np
import paddle
import paddle.nn.functional as F
import matplotlib.pyplot as plt

from nndl import BiLSTM, Model_BiLSTM_FC
from nndl.rnn import paddle_differences
from nndl.datasets.imdb import IMDBDataset, build_vocab, collate_fn, load_imdb_data, make_miniature

# %%
CHECK_LENGTHS = [7, 3, 5, 1]         # a padded batch of four sequences
NUM_EPOCHS = 3
LEARNING_RATE = 0.001
MAX_SEQ_LEN = 256
BATCH_SIZE = S.pick(128, 32)
INPUT_SIZE = S.pick(256, 32)
HIDDEN_SIZE = S.pick(256, 32)
MINIATURE = dict(n_train=400, n_test=200, seed=0)
QUICK_SAMPLE = (320, 100, 100)       # quick mode on the real data: a fixed sample of each split

# %% [markdown]
# 与 `paddle.nn.LSTM(direction='bidirect')` 传入 `sequence_length` 的结果比较（float64，复制参数）。

# %%
paddle.seed(0)
op = BiLSTM(5, 3, dtype="float64")
rng = np.random.RandomState(0)
x = rng.randn(len(CHECK_LENGTHS), max(CHECK_LENGTHS), 5)
diffs = paddle_differences(op, x, CHECK_LENGTHS)
print(f"lengths {CHECK_LENGTHS}, max |BiLSTM - paddle.nn.LSTM(bidirect, sequence_length)|, float64: " +
      ", ".join(f"{k} {v:.2e}" for k, v in diffs.items() if k not in ("forward", "gradients")))
out, (h_n, _) = op(paddle.to_tensor(x), sequence_length=CHECK_LENGTHS)
print("outputs at [PAD] (sequence 1, steps 3..6) all zero:", bool((out.numpy()[1, 3:] == 0).all()))

# %% [markdown]
# [PAD] 的影响：把补齐位置换成别的值（这里是很大的随机数），只对真实位置的输出求和作为损失（如 6.4 的聚合层
# 只平均真实位置），比较输出和参数梯度的变化。

# %%
junk = x.copy()
for b, n in enumerate(CHECK_LENGTHS):
    junk[b, n:] = 100 * rng.randn(max(CHECK_LENGTHS) - n, 5)
real = (np.arange(max(CHECK_LENGTHS))[None, :] < np.array(CHECK_LENGTHS)[:, None]).astype("float64")[:, :, None]


def run(inputs, lengths):
    out, _ = op(paddle.to_tensor(inputs), sequence_length=lengths)
    loss = (out * paddle.to_tensor(real)).sum()
    grads = paddle.grad(loss, list(op.parameters()))
    return out.numpy() * real, np.concatenate([g.numpy().ravel() for g in grads])


effect = {}
for label, lengths in (("without sequence_length", None), ("with sequence_length", CHECK_LENGTHS)):
    (out_a, g_a), (out_b, g_b) = run(x, lengths), run(junk, lengths)
    effect[label] = {"outputs": float(np.abs(out_a - out_b).max()), "weight_gradients": float(np.abs(g_a - g_b).max())}
    print(f"{label}: [PAD] values change the real positions' outputs by {effect[label]['outputs']:.3e}, "
          f"the weight gradients by {effect[label]['weight_gradients']:.3e}")

# %% [markdown]
# 在 6.4 的模型中使用这个算子：与 `paddle.nn.LSTM` 的模型从相同参数出发（paddle 的第二个偏置 `bias_hh` 固定为 0，
# 因为本算子与书的 LSTM 一样只有一个偏置），用同样的批次训练。

# %%
np.random.seed(0)
(train_data, dev_data, test_data), standin = S.data(
    load_imdb_data,
    lambda: load_imdb_data(make_miniature(S.path("imdb_miniature"), **MINIATURE), verify=False),
    "IMDB (aclImdb_v1.tar.gz)", sample=QUICK_SAMPLE)
word2id_dict = build_vocab(train_data)
collate = partial(collate_fn, pad_val=word2id_dict["[PAD]"], max_seq_len=MAX_SEQ_LEN)
train_batches = list(paddle.io.DataLoader(IMDBDataset(train_data, word2id_dict), batch_size=BATCH_SIZE,
                                          shuffle=True, collate_fn=collate))
test_batches = list(paddle.io.DataLoader(IMDBDataset(test_data, word2id_dict), batch_size=BATCH_SIZE,
                                         collate_fn=collate))

paddle.seed(0)
ours = Model_BiLSTM_FC(len(word2id_dict), INPUT_SIZE, HIDDEN_SIZE, lstm=BiLSTM(INPUT_SIZE, HIDDEN_SIZE))
theirs = Model_BiLSTM_FC(len(word2id_dict), INPUT_SIZE, HIDDEN_SIZE)
theirs.lstm_layer = ours.lstm_layer.to_paddle()
for name in ("embedding_layer.weight", "output_layer.weight", "output_layer.bias"):
    dict(theirs.named_parameters())[name].set_value(dict(ours.named_parameters())[name].numpy())
# paddle's fused rnn backward fails when a weight has stop_gradient=True: bias_hh is left out of the
# optimizer instead (its gradient is computed and cleared, the value stays 0)
trained = lambda model: [p for n, p in model.named_parameters() if "bias_hh" not in n]


def train(model):
    optimizer = paddle.optimizer.Adam(learning_rate=LEARNING_RATE, parameters=trained(model))
    losses = []
    model.train()
    for epoch in range(NUM_EPOCHS):
        for inputs, labels in train_batches:
            loss = F.cross_entropy(model(inputs), labels)
            loss.backward()
            optimizer.step()
            model.clear_gradients()
            losses.append(float(loss))
    model.eval()
    with paddle.no_grad():
        correct = sum(int((paddle.argmax(model(inputs), axis=-1) == labels).astype("int64").sum())
                      for inputs, labels in test_batches)
    return np.array(losses), correct / len(test_data)


losses_ours, acc_ours = train(ours)
losses_theirs, acc_theirs = train(theirs)
loss_diff = float(np.abs(losses_ours - losses_theirs).max())
print(f"{len(losses_ours)} training steps: max |loss(BiLSTM op) - loss(paddle.nn.LSTM)| = {loss_diff:.2e}")
print(f"Evaluate on test set, Accuracy: BiLSTM op {acc_ours:.5f}, paddle.nn.LSTM {acc_theirs:.5f}")

fig = plt.figure(figsize=(6, 4))
plt.plot(losses_ours, color="#e4007f", label="BiLSTM op")
plt.plot(losses_theirs, color="#f19ec2", linestyle="--", label="paddle.nn.LSTM")
plt.xlabel("step")
plt.ylabel("loss")
plt.legend()
S.savefig(fig, "ex6-5-bilstm-op-vs-paddle-loss.pdf")
plt.close(fig)

# %%
S.record(check_lengths=CHECK_LENGTHS, paddle_differences=diffs, pad_effect=effect, standin=standin,
         train_steps=len(losses_ours), max_loss_difference=loss_diff, test_accuracy_op=acc_ours,
         test_accuracy_paddle=acc_theirs, losses_op=losses_ours, losses_paddle=losses_theirs)
S.claim(book="练习 6.5: LSTM 算子支持一个批次中不同长度的序列和双向计算（与 paddle.nn.LSTM 传入 sequence_length 相同）",
        measured=f"float64, lengths {CHECK_LENGTHS}: max |difference| forward {diffs['forward']:.1e} (every step, "
                 f"h_n, c_n), gradients {diffs['gradients']:.1e}",
        supported=diffs["forward"] < 1e-6 and diffs["gradients"] < 1e-6)
no, yes = effect["without sequence_length"], effect["with sequence_length"]
S.claim(book="6.4.2: 补齐后计算反向 LSTM 时 [PAD] 会影响参数梯度；传入真实长度可以屏蔽 [PAD]",
        measured=f"changing the [PAD] values changes the weight gradients by {no['weight_gradients']:.2e} without "
                 f"the lengths, by {yes['weight_gradients']:.1e} with them (outputs {no['outputs']:.2e} vs {yes['outputs']:.1e})",
        supported=no["weight_gradients"] > 1e-3 and yes["weight_gradients"] == 0 and yes["outputs"] == 0)
S.claim(book="用该算子替换 paddle.nn.LSTM，6.4 的模型训练结果相同",
        measured=f"{len(losses_ours)} Adam steps from the same weights: max |loss difference| {loss_diff:.1e} (float32); "
                 f"test accuracy {acc_ours:.4f} vs {acc_theirs:.4f}",
        supported=loss_diff < 1e-3,
        note="on a generated miniature, not IMDB" if standin else None)
S.save()
