# %% [markdown]
# # 动手练习 8.2 最简单的自注意力
#
# 动手实现 8.2.1.1 节的简单自注意力 Z = softmax(XX^T)X（公式(8.7)，`nndl.SimpleSelfAttention`，
# 没有参数，[PAD] 位置不参与），加入到 8.1 节模型的 LSTM 层和注意力层之间
# （`Model_LSTMAttention` 的额外参数 `self_attention`），与不加的模型在相同的数据、种子和
# 设置下比较测试准确率（点积注意力，训练 2 个回合）。

# %%
from nndl.app.script import setup
S = setup("ch8_ex2_simple_self_attention")

import numpy as np
import paddle
import paddle.nn as nn
from functools import partial
from paddle.optimizer import Adam

from nndl import Accuracy, RunnerV3, Model_LSTMAttention, SimpleSelfAttention
from nndl.mlp import plot
from nndl.datasets.imdb import IMDBDataset, build_vocab, collate_fn, load_imdb_data, make_miniature

# %%
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
for name in ("lstm_attention", "lstm_simple_self_attention"):
    paddle.seed(2021)
    np.random.seed(2021)
    train_loader, dev_loader, test_loader = loader(train_data, True), loader(dev_data, False), loader(test_data, False)
    model = Model_LSTMAttention(HIDDEN_SIZE, EMBEDDING_SIZE, len(word2id_dict), n_classes=2, use_additive=False,
                                self_attention=SimpleSelfAttention() if "simple" in name else None)
    runner = RunnerV3(model, Adam(parameters=model.parameters(), learning_rate=LEARNING_RATE),
                      nn.CrossEntropyLoss(), Accuracy())
    save_path = str(S.path(f"checkpoint/model_best_{name}.pdparams"))
    runner.train(train_loader, dev_loader, num_epochs=EPOCHS, log_steps=0, eval_steps=EVAL_STEPS,
                 save_path=save_path)
    runner.load_model(save_path)
    accuracy, _ = runner.evaluate(test_loader)
    print(f"{name}: Evaluate on test set, Accuracy: {accuracy:.5f}")
    results[name], runners[name] = accuracy, runner
S.savefig(plot(runners["lstm_simple_self_attention"], sample_every=S.pick(10, 1)),
          "ex8-2_simple_self_attention_loss_acc.pdf")

# %%
S.record(test_accuracy=results, hidden_size=HIDDEN_SIZE, train_size=len(train_data))
gain = results["lstm_simple_self_attention"] - results["lstm_attention"]
S.claim(book="练习 8.2: 在 LSTM 层和注意力层之间加入简单自注意力，观察是否可以改进实验效果",
        measured=f"不加 {results['lstm_attention']:.5f}，加入 {results['lstm_simple_self_attention']:.5f}（差 {gain:+.5f}）",
        supported=None,
        note="an exercise without a printed answer; one seed" + ("; quick mode: tiny models" if S.quick else ""))
S.save()
