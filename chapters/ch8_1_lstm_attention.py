# %% [markdown]
# # 8.1 基于双向 LSTM 和注意力机制的文本分类
#
# 在 6.4 节双向 LSTM 的基础上再叠加一层注意力：用一个可学习的查询向量 q 给每个位置打分
# （加性模型 公式(8.3) 或点积模型 公式(8.4)），对补齐的 [PAD] 位置填充 -1e9 后做 softmax
# 得到注意力分布（公式(8.5)），再对 LSTM 的隐状态加权平均（公式(8.2)）得到整句的表示。
# 数据是 6.4.1 节的 IMDB 电影评论；分别用加性注意力和点积注意力训练 2 个回合，在测试集上
# 评价，并把注意力权重可视化（图 8.6）。
#
# 书中的掩码用 float32 的 arange 与 int64 的 valid_lens 比较，飞桨 3 拒绝这样的比较；这里
# 的掩码都用整数比较（docs/errata.md C8-1）。

# %%
from nndl.app.script import setup
S = setup("ch8_1_lstm_attention")

import numpy as np
import paddle
import paddle.nn as nn
from functools import partial
from paddle.optimizer import Adam

from nndl import Accuracy, RunnerV3, AdditiveScore, DotProductScore, masked_softmax
from nndl import Model_LSTMAttention, Model_BiLSTM_FC, plot_attention_weights
from nndl.mlp import plot
from nndl.datasets.imdb import (IMDBDataset, build_vocab, collate_fn, load_imdb_data, make_miniature,
                                save_vocab)

# %%
EPOCHS = 2                          # 书: 训练 2 个回合
HIDDEN_SIZE = S.pick(128, 32)       # LSTM 的输出单元的大小
EMBEDDING_SIZE = S.pick(128, 32)    # embedding 的维度
N_CLASSES = 2
N_LAYERS = 1
LEARNING_RATE = 0.001
MAX_SEQ_LEN = 256                   # 6.4.1.3
BATCH_SIZE = S.pick(128, 32)
LOG_STEPS = S.pick(10, 0)
EVAL_STEPS = S.pick(10, 5)
N_MINIATURE = 160                   # quick mode without IMDB: reviews per split of the generated copy
QUICK_SAMPLE = (320, 160, 160)    # quick mode: a fixed sample of each split (train / dev / test)


# %% [markdown]
# ## 8.1.1 数据
#
# 与 6.4.1 节相同的 IMDB 数据集。书的词表文件 `vocab.txt` 没有公开，这里从训练集建立词表
# （`[PAD]`=0，`[UNK]`=1，其余按词频），所以词的 id 与书中打印的不同。

# %%
(train_data, dev_data, test_data), _ = S.data(
    load_imdb_data,
    lambda: load_imdb_data(make_miniature(S.path("imdb_miniature"), n_train=N_MINIATURE, n_test=N_MINIATURE), verify=False),
    "IMDB (aclImdb_v1.tar.gz)", sample=QUICK_SAMPLE)
word2id_dict = build_vocab(train_data)
save_vocab(word2id_dict, S.path("vocab.txt"))
print(f"train/dev/test: {len(train_data)}/{len(dev_data)}/{len(test_data)}, vocab size: {len(word2id_dict)}")

train_set = IMDBDataset(train_data, word2id_dict)
dev_set = IMDBDataset(dev_data, word2id_dict)
test_set = IMDBDataset(test_data, word2id_dict)
collate = partial(collate_fn, pad_val=word2id_dict.get("[PAD]"), max_seq_len=MAX_SEQ_LEN)
paddle.seed(2021)
np.random.seed(2021)   # DataLoader's shuffle draws from numpy; the book does not seed it
train_loader = paddle.io.DataLoader(train_set, batch_size=BATCH_SIZE, shuffle=True, collate_fn=collate)
dev_loader = paddle.io.DataLoader(dev_set, batch_size=BATCH_SIZE, shuffle=False, collate_fn=collate)
test_loader = paddle.io.DataLoader(test_set, batch_size=BATCH_SIZE, shuffle=False, collate_fn=collate)

# %% [markdown]
# ## 8.1.2 模型构建
#
# 注意力打分函数：加性模型与点积模型，输入是随机初始化的张量。书中的数字是在 GPU 上得到的
# （seed 2021 在 CPU 与 GPU 上给出不同的随机数），这里在 CPU 上打印。

# %%
paddle.seed(2021)
inputs = paddle.rand(shape=[1, 3, 3])
additiveScore = AdditiveScore(hidden_size=3)
additive_scores = additiveScore(inputs)
print(additive_scores)
paddle.seed(2021)
inputs = paddle.rand(shape=[1, 3, 3])
dotScore = DotProductScore(hidden_size=3)
dot_scores = dotScore(inputs)
print(dot_scores)

# %% [markdown]
# 注意力分布：补齐位置填充 -1e9，softmax 之后权重为 0（书中 8.1.2.2 的两个句子）。

# %%
scores = paddle.to_tensor([[0.1, 0.2, 0.4, 0.6] + [0.0] * 7,
                           [0.3, 0.2, 0.4, 0.1, 0.2, 0.5, 0.4, 0.6, 0.7, 0.9, 1.0]])
valid_lens = paddle.to_tensor([4, 11])
attn_weights = masked_softmax(scores, valid_lens)
np.set_printoptions(precision=8, suppress=True)
for i, row in enumerate(attn_weights.numpy()):
    print(f"句子{i + 1}: {row}")
BOOK_ROWS = np.array([[0.19593432, 0.21654092, 0.26448367, 0.32304109] + [0.0] * 7,
                      [0.07279236, 0.06586525, 0.080448, 0.05959734, 0.06586525, 0.08890879, 0.080448,
                       0.09825941, 0.10859344, 0.13263633, 0.14658581]])
softmax_err = float(np.abs(attn_weights.numpy() - BOOK_ROWS).max())
pad_exact_zero = bool((attn_weights.numpy()[0, 4:] == 0).all())

# %% [markdown]
# ## 8.1.3 使用加性注意力模型进行实验 / 8.1.4 使用点积注意力模型进行实验
#
# RunnerV3，交叉熵损失，Adam（学习率 0.001），训练 2 个回合，保存验证集上最好的模型，
# 再在测试集上评价。作为对照，同样的设置训练 6.4 节不带注意力的双向 LSTM（平均汇聚）。

# %%
vocab_size = len(word2id_dict)
criterion = nn.CrossEntropyLoss()
metric = Accuracy()
results, runners, models = {}, {}, {}
for name in ("additive", "dot", "no_attention"):
    paddle.seed(2021)
    if name == "no_attention":
        model = Model_BiLSTM_FC(vocab_size, EMBEDDING_SIZE, HIDDEN_SIZE, N_CLASSES)
    else:
        model = Model_LSTMAttention(HIDDEN_SIZE, EMBEDDING_SIZE, vocab_size, n_classes=N_CLASSES,
                                    n_layers=N_LAYERS, use_additive=(name == "additive"))
    optimizer = Adam(parameters=model.parameters(), learning_rate=LEARNING_RATE)
    runner = RunnerV3(model, optimizer, criterion, metric)
    save_path = str(S.path(f"checkpoint/model_best_{name}.pdparams"))
    print(f"--- {name} ---")
    runner.train(train_loader, dev_loader, num_epochs=EPOCHS, log_steps=LOG_STEPS, eval_steps=EVAL_STEPS,
                 save_path=save_path)
    runner.load_model(save_path)
    accuracy, _ = runner.evaluate(test_loader)
    print(f"Evaluate on test set, Accuracy: {accuracy:.5f}")
    results[name], runners[name], models[name] = accuracy, runner, model

# %%
for name, fig_name in (("additive", "fig8-4_additive_loss_acc.pdf"), ("dot", "fig8-5_dot_loss_acc.pdf")):
    fig = plot(runners[name], sample_every=S.pick(10, 1))
    S.savefig(fig, fig_name)

# %% [markdown]
# ### 8.1.4.3 注意力可视化
#
# 取出加性注意力模型对一句影评的注意力权重（书中用 `word2id_dict["[oov]"]`，而词表里的未登录
# 词是 `[UNK]`，这里用 `[UNK]`）。

# %%
text = "this great science fiction film is really awesome"
sentence = text.split(" ")
unk = word2id_dict["[UNK]"]
tokens = [word2id_dict.get(word, unk) for word in sentence][:MAX_SEQ_LEN]
seq_len = paddle.to_tensor([len(tokens)])
input_ids = paddle.to_tensor(tokens, dtype="int64").unsqueeze(0)
model_atten = models["additive"]
model_atten.eval()
with paddle.no_grad():
    pred_prob = model_atten([input_ids, seq_len])
atten_weights = model_atten.attention.attention_weights
print("输入的文本为: {}".format(text))
print("转换成id的形式为: {}".format(input_ids.numpy()))
print("训练的注意力权重为: {}".format(atten_weights.numpy()))
fig = plot_attention_weights(atten_weights.numpy(), sentence[:MAX_SEQ_LEN])
S.savefig(fig, "fig8-6_attention_heatmap.pdf")
weights = atten_weights.numpy()[0]
top_words = [sentence[i] for i in np.argsort(-weights)[:2]]

# %%
S.record(test_accuracy=results, additive_scores_demo=additive_scores, dot_scores_demo=dot_scores,
         masked_softmax_rows=attn_weights, masked_softmax_max_abs_error=softmax_err,
         heatmap_sentence=text, heatmap_ids=input_ids, heatmap_weights=weights, heatmap_top_words=top_words,
         train_size=len(train_data), vocab_size=vocab_size, epochs=EPOCHS, hidden_size=HIDDEN_SIZE)
S.claim(book="掩码位置填充 -1e9 后 softmax 的权重为 0；两行注意力分布为书中打印的数值 (8.1.2.2)",
        measured=f"最大绝对误差 {softmax_err:.1e}，补齐位置的权重{'恰为 0' if pad_exact_zero else '不为 0'}",
        supported=softmax_err < 1e-7 and pad_exact_zero)
better = results["additive"] > results["no_attention"] and results["dot"] > results["no_attention"]
S.claim(book="加入注意力机制后测试准确率更高：不加 0.86176，加性 0.86488，点积 0.86936 (8.1.4.2)",
        measured=(f"不加 {results['no_attention']:.5f}，加性 {results['additive']:.5f}，"
                  f"点积 {results['dot']:.5f}"),
        supported=None if S.quick else better,
        note="quick mode trains tiny models on a few batches: it cannot tell" if S.quick else None)
S.claim(book="点积注意力的准确率比加性注意力更好 (8.1.4.2)",
        measured=f"加性 {results['additive']:.5f}，点积 {results['dot']:.5f}",
        supported=None if S.quick else results["dot"] > results["additive"],
        note="quick mode cannot tell; one seed either way" if S.quick else "one seed, one run")
S.claim(book="注意力权重比较高的单词是 great 和 awesome (图 8.6)",
        measured=f"权重最高的两个词: {top_words}",
        supported=None if S.quick else set(top_words) == {"great", "awesome"},
        note="quick mode: a generated miniature or a tiny model" if S.quick else None)
S.save()
