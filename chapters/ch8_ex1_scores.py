# %% [markdown]
# # 动手练习 8.1 其它注意力打分函数
#
# 实现《神经网络与深度学习》第 8.2 节中定义的其它注意力打分函数，并重复 8.1 节的实验。
# 除加性模型 v^T tanh(XW + q^T U) 和点积模型 Xq 外，还有缩放点积模型 Xq/√D 和双线性模型
# XWq（`nndl.ScaledDotProductScore`、`nndl.BilinearScore`；`Model_LSTMAttention` 的额外参数
# `score` 选择打分函数）。四个模型使用 8.1 节相同的数据、种子和设置，各训练 2 个回合，在测试
# 集上评价。

# %%
from nndl.app.script import setup
S = setup("ch8_ex1_scores")

import numpy as np
import paddle
import paddle.nn as nn
from functools import partial
from paddle.optimizer import Adam

from nndl import Accuracy, RunnerV3, Model_LSTMAttention
from nndl.mlp import plot
from nndl.datasets.imdb import IMDBDataset, build_vocab, collate_fn, load_imdb_data, make_miniature

# %%
SCORES = ("additive", "dot", "scaled_dot", "bilinear")
EPOCHS = 2
HIDDEN_SIZE = S.pick(128, 32)
EMBEDDING_SIZE = S.pick(128, 32)
LEARNING_RATE = 0.001
MAX_SEQ_LEN = 256
BATCH_SIZE = S.pick(128, 32)
EVAL_STEPS = S.pick(10, 5)
N_MINIATURE = 160
QUICK_SAMPLE = (320, 160, 160)    # quick mode: a fixed sample of each split (train / dev / test)


# %%
(train_data, dev_data, test_data), _ = S.data(
    load_imdb_data,
    lambda: load_imdb_data(make_miniature(S.path("imdb_miniature"), n_train=N_MINIATURE, n_test=N_MINIATURE), verify=False),
    "IMDB (aclImdb_v1.tar.gz)", sample=QUICK_SAMPLE)
word2id_dict = build_vocab(train_data)
collate = partial(collate_fn, pad_val=word2id_dict.get("[PAD]"), max_seq_len=MAX_SEQ_LEN)


def loader(data, shuffle):
    return paddle.io.DataLoader(IMDBDataset(data, word2id_dict), batch_size=BATCH_SIZE, shuffle=shuffle,
                                collate_fn=collate)


# %%
results, runners = {}, {}
for score in SCORES:
    paddle.seed(2021)
    np.random.seed(2021)      # the same shuffled batches for every model
    train_loader, dev_loader, test_loader = loader(train_data, True), loader(dev_data, False), loader(test_data, False)
    model = Model_LSTMAttention(HIDDEN_SIZE, EMBEDDING_SIZE, len(word2id_dict), n_classes=2, score=score)
    runner = RunnerV3(model, Adam(parameters=model.parameters(), learning_rate=LEARNING_RATE),
                      nn.CrossEntropyLoss(), Accuracy())
    save_path = str(S.path(f"checkpoint/model_best_{score}.pdparams"))
    runner.train(train_loader, dev_loader, num_epochs=EPOCHS, log_steps=0, eval_steps=EVAL_STEPS,
                 save_path=save_path)
    runner.load_model(save_path)
    accuracy, _ = runner.evaluate(test_loader)
    print(f"{score:>10}: Evaluate on test set, Accuracy: {accuracy:.5f}")
    results[score], runners[score] = accuracy, runner

# %%
for score in ("scaled_dot", "bilinear"):
    S.savefig(plot(runners[score], sample_every=S.pick(10, 1)), f"ex8-1_{score}_loss_acc.pdf")

# %%
S.record(test_accuracy=results, hidden_size=HIDDEN_SIZE, train_size=len(train_data))
best = max(results, key=results.get)
S.claim(book="练习 8.1: 换用缩放点积和双线性打分函数重复 8.1 节的实验（书中：加性 0.86488，点积 0.86936）",
        measured=", ".join(f"{k} {v:.5f}" for k, v in results.items()) + f"; 最好: {best}",
        supported=None,
        note="an exercise without a printed answer: the numbers are for comparison" +
             ("; quick mode: a generated miniature and tiny models" if S.quick else ""))
S.save()
