# %% [markdown]
# # 动手练习 8.3 多头自注意力中的偏置
#
# 将公式(8.12)~(8.14)以及公式(8.16)中的线性变换改为仿射变换（即引入偏移项），重复 8.2 节的
# 实验。8.2.1.3 节逐步讲解时的变换不带偏置，书中的 `MultiHeadSelfAttention` 类带偏置；这里用
# 额外参数 `bias_attr=False` 得到不带偏置的版本，两者在相同的数据、种子和设置下比较。

# %%
from nndl.app.script import setup
S = setup("ch8_ex3_mhsa_bias")

import numpy as np
import paddle
import paddle.nn as nn
from functools import partial
from paddle.optimizer import Adam

from nndl import Accuracy, RunnerV3, MultiHeadSelfAttention, Model_LSTMSeftAttention
from nndl.mlp import plot
from nndl.datasets.imdb import IMDBDataset, build_vocab, collate_fn, load_imdb_data, make_miniature

# %%
EPOCHS = 2
HEADS_NUM = 8
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
for name, bias_attr in (("linear", False), ("affine", None)):
    paddle.seed(2021)
    np.random.seed(2021)
    train_loader, dev_loader, test_loader = loader(train_data, True), loader(dev_data, False), loader(test_data, False)
    attention = MultiHeadSelfAttention(inputs_size=2 * HIDDEN_SIZE, heads_num=HEADS_NUM, bias_attr=bias_attr)
    model = Model_LSTMSeftAttention(HIDDEN_SIZE, EMBEDDING_SIZE, len(word2id_dict), n_classes=2, attention=attention)
    runner = RunnerV3(model, Adam(parameters=model.parameters(), learning_rate=LEARNING_RATE),
                      nn.CrossEntropyLoss(), Accuracy())
    save_path = str(S.path(f"checkpoint/model_best_{name}.pdparams"))
    runner.train(train_loader, dev_loader, num_epochs=EPOCHS, log_steps=0, eval_steps=EVAL_STEPS,
                 save_path=save_path)
    runner.load_model(save_path)
    accuracy, _ = runner.evaluate(test_loader)
    print(f"{name}: Evaluate on test set, Accuracy: {accuracy:.5f}")
    results[name], runners[name] = accuracy, runner
S.savefig(plot(runners["linear"], sample_every=S.pick(10, 1)), "ex8-3_mhsa_no_bias_loss_acc.pdf")

# %%
S.record(test_accuracy=results, hidden_size=HIDDEN_SIZE, train_size=len(train_data))
S.claim(book="练习 8.3: 多头自注意力的线性变换改为仿射变换（引入偏置）后重复 8.2 节的实验（书中带偏置的类: 0.86552）",
        measured=f"不带偏置 {results['linear']:.5f}，带偏置 {results['affine']:.5f}",
        supported=None,
        note="an exercise without a printed answer; one seed" + ("; quick mode: tiny models" if S.quick else ""))
S.save()
