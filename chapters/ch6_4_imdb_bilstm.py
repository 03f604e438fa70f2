# %% [markdown]
# # 6.4 实践：基于双向 LSTM 模型完成文本分类任务
#
# IMDB 电影评论情感分析：训练集 25 000 条，原始测试集 25 000 条平均分为验证集和测试集
# （6.4.1.1）。文本按词表转成 ID（`IMDBDataset`，未登录词记为 [UNK]），`collate_fn` 把序列
# 截断到 `max_seq_len=256` 并用 [PAD] 补齐到批内最大长度，同时给出真实长度（6.4.1.3）。
# 模型：嵌入层 + 双向 LSTM（传入真实长度）+ 聚合层 `AveragePooling`（只对非 [PAD] 位置取平均）
# + 线性层（6.4.2）。Adam，学习率 0.001，批大小 128，3 个回合（6.4.3），然后在测试集上评价
# （书：0.86064）并预测一句话的情感（6.4.5）。
#
# 书的 `utils.data` 没有印出来：`nndl.datasets.imdb.load_imdb_data` 读 paddle 的
# `aclImdb_v1.tar.gz`（放进 `$NNDL_DATA` 或 paddle 的缓存目录 `imdb/`），没有提供词表时
# 由训练集构建。快速模式下若没有这个文件，就在生成的小型同格式归档上运行并如实说明；完整
# 模式下没有数据则在任何计算之前停止。

# %%
from nndl.app.script import setup
S = setup("ch6_4_imdb_bilstm")

import numpy as np
import paddle
import matplotlib.pyplot as plt
from functools import partial

from nndl import Accuracy, RunnerV3, Model_BiLSTM_FC
from nndl.datasets.imdb import (IMDBDataset, build_vocab, collate_fn, load_imdb_data, load_vocab,
                                make_miniature, save_vocab, tokenize)

# %%
NUM_EPOCHS = 3
LEARNING_RATE = 0.001
MAX_SEQ_LEN = 256
BATCH_SIZE = S.pick(128, 32)
INPUT_SIZE = S.pick(256, 32)     # 词向量维度
HIDDEN_SIZE = S.pick(256, 32)    # LSTM 隐状态维度
EVAL_STEPS = 10
LOG_STEPS = 10
VOCAB_PATH = None                # a vocab.txt to use; None builds the vocabulary from the training set
MINIATURE = dict(n_train=400, n_test=200, seed=0)   # the quick-mode stand-in's size
NUM_TRAIN = S.pick(None, 2000)   # quick mode on the real data: an evenly spaced (balanced) subset
NUM_EVAL = S.pick(None, 500)

# %% [markdown]
# 6.4.1.1 数据加载。

# %%
paddle.seed(0)
np.random.seed(0)   # the shuffled training loader draws from numpy's generator
# full mode: the book's data or nothing; quick mode: a generated miniature when it is absent
(train_data, dev_data, test_data), standin = S.data(
    load_imdb_data,
    lambda: load_imdb_data(make_miniature(S.path("imdb_miniature"), **MINIATURE), verify=False),
    "IMDB (aclImdb_v1.tar.gz)")
print(train_data[1])


def subset(examples, n):
    """Every k-th example (the lists are positive first, then negative: the subset stays balanced)."""
    if n is None or len(examples) <= n:
        return examples
    return examples[::len(examples) // n][:n]


train_data, dev_data, test_data = subset(train_data, NUM_TRAIN), subset(dev_data, NUM_EVAL), subset(test_data, NUM_EVAL)
print(f"训练集 / 验证集 / 测试集: {len(train_data)} / {len(dev_data)} / {len(test_data)}")

# %% [markdown]
# 6.4.1.2 词表与 `IMDBDataset`。

# %%
if VOCAB_PATH is not None:
    word2id_dict = load_vocab(VOCAB_PATH)
else:
    word2id_dict = build_vocab(train_data)
    save_vocab(word2id_dict, S.path("vocab.txt"))
print("词表大小:", len(word2id_dict), " 前 5 个:", list(word2id_dict.items())[:5])

train_set = IMDBDataset(train_data, word2id_dict)
dev_set = IMDBDataset(dev_data, word2id_dict)
test_set = IMDBDataset(test_data, word2id_dict)
print('训练集样本数: ', len(train_set))
print('处理后的第一条样本: ', train_set[0])

# %% [markdown]
# 6.4.1.3 封装 DataLoader：截断与补齐。

# %%
collate = partial(collate_fn, pad_val=word2id_dict.get("[PAD]"), max_seq_len=MAX_SEQ_LEN)
train_loader = paddle.io.DataLoader(train_set, batch_size=BATCH_SIZE, shuffle=True, drop_last=False,
                                    collate_fn=collate)
dev_loader = paddle.io.DataLoader(dev_set, batch_size=BATCH_SIZE, shuffle=False, drop_last=False,
                                  collate_fn=collate)
test_loader = paddle.io.DataLoader(test_set, batch_size=BATCH_SIZE, shuffle=False, drop_last=False,
                                   collate_fn=collate)

# %% [markdown]
# 6.4.2-6.4.3 模型构建与训练。

# %%
num_embeddings = len(word2id_dict)
model = Model_BiLSTM_FC(num_embeddings, INPUT_SIZE, HIDDEN_SIZE)
optimizer = paddle.optimizer.Adam(learning_rate=LEARNING_RATE, beta1=0.9, beta2=0.999,
                                  parameters=model.parameters())
loss_fn = paddle.nn.CrossEntropyLoss()
metric = Accuracy()
runner = RunnerV3(model, optimizer, loss_fn, metric)
save_path = str(S.path("checkpoints") / "best.pdparams")
S.path("checkpoints").mkdir(parents=True, exist_ok=True)
runner.train(train_loader, dev_loader, num_epochs=NUM_EPOCHS, eval_steps=EVAL_STEPS, log_steps=LOG_STEPS,
             save_path=save_path)

# %% [markdown]
# 图 6.15：训练集与验证集上的损失变化。

# %%
dev_history = [(step, loss) for step, loss in runner.dev_losses if step >= 0]
fig = plt.figure(figsize=(6, 4))
steps, losses = np.array(runner.train_step_losses).T
plt.plot(steps, losses, color="#e4007f", label="Train loss")
dev = np.array(dev_history)
plt.plot(dev[:, 0], dev[:, 1], color="#f19ec2", linestyle="--", label="Dev loss")
plt.xlabel("step")
plt.ylabel("loss")
plt.legend()
S.savefig(fig, "6.15-bilstm-loss.pdf")
plt.close(fig)

# %% [markdown]
# 6.4.4 模型评价：加载验证集上最好的模型，在测试集上评价。

# %%
runner.load_model(save_path)
accuracy, _ = runner.evaluate(test_loader)
print(f"Evaluate on test set, Accuracy: {accuracy:.5f}")

# %% [markdown]
# 6.4.5 模型预测。书用 `text.split(" ")` 切分，"great." 会成为一个未登录词；这里用加载数据时的
# 同一个 `tokenize`，使预测与训练数据的切分一致。

# %%
id2label = {0: "消极情绪", 1: "积极情绪"}
text = "this movie is so great. I watched it three times already"
sentence = tokenize(text)
tokens = [word2id_dict[word] if word in word2id_dict else word2id_dict['[UNK]'] for word in sentence]
tokens = tokens[:MAX_SEQ_LEN]
sequence_length = paddle.to_tensor([len(tokens)], dtype="int64")
tokens = paddle.to_tensor(tokens, dtype="int64").unsqueeze(0)
logits = runner.predict((tokens, sequence_length))
max_label_id = int(paddle.argmax(logits, axis=-1).numpy()[0])
pred_label = id2label[max_label_id]
print("Label: ", pred_label)

# %%
dev_losses = [loss for _, loss in dev_history]
best_step = int(dev[int(np.argmin(dev[:, 1])), 0])
S.record(standin=standin, sizes=[len(train_data), len(dev_data), len(test_data)], vocab_size=num_embeddings,
         batch_size=BATCH_SIZE, input_size=INPUT_SIZE, hidden_size=HIDDEN_SIZE, num_steps=len(steps),
         test_accuracy=accuracy, best_dev_accuracy=runner.best_score, dev_losses=dev_history,
         lowest_dev_loss_step=best_step, prediction=pred_label)
note = ("ran on a generated miniature, not IMDB" if standin else
        f"quick mode: {len(train_data)} training reviews, {INPUT_SIZE}-d embeddings and LSTM" if S.quick else None)
S.claim(book="Evaluate on test set, Accuracy: 0.86064",
        measured=f"Accuracy: {accuracy:.5f} (best dev {runner.best_score:.5f}) on "
                 f"{len(train_data)}/{len(dev_data)}/{len(test_data)} reviews",
        supported=None if standin or S.quick else abs(accuracy - 0.86064) < 0.03, note=note)
S.claim(book="验证集损失在大约 200 步后开始上升（过拟合），保存验证集上最好的模型（图 6.15）",
        measured=f"lowest dev loss at step {best_step} of {len(steps)}; last dev loss {dev_losses[-1]:.3f} vs "
                 f"lowest {min(dev_losses):.3f}",
        supported=None if standin or S.quick else (dev_losses[-1] > min(dev_losses) and best_step < len(steps) - 1),
        note=note)
S.claim(book="'this movie is so great. I watched it three times already' -> Label: 积极情绪",
        measured=f"Label: {pred_label}", supported=None if standin else pred_label == "积极情绪", note=note)
S.save()
