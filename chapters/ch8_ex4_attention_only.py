# %% [markdown]
# # 动手练习 8.4 去掉 LSTM 层，只用注意力层
#
# 把 8.2.2 节模型（嵌入层、双向 LSTM、多头自注意力、平均汇聚、线性层）中的 LSTM 层去掉，词向量
# 直接进入多头自注意力层（`Model_SelfAttention`），其余设置与 8.2 节相同（8 个头，Adam，学习率
# 0.001，2 个回合），在 IMDB 上重复实验，观察结果并分析原因。
#
# 分析：自注意力对输入的位置是“对称”的。把一句话的词打乱，查询、键、值的行跟着打乱，注意力的输出
# 只是行的次序变了；平均汇聚再把次序抹掉，所以只用注意力的模型看到的是“词袋”，不知道词序
# （书 8.4 小结：自注意力模型本身无法建模序列中的位置信息）。LSTM 按顺序读句子，位置信息在它的
# 隐状态里。本脚本用三种方法说明：
#
# 1. 同样设置下训练三个模型：LSTM+多头自注意力（8.2.2）、只用多头自注意力、多头自注意力+8.3 节
#    的三角函数位置编码；
# 2. 把测试集每条影评的词随机打乱，比较打乱前后的输出：只用注意力的模型输出不变；
# 3. 一个只靠词序才能分类的小任务（“A 在 B 之前”为正类，每个样本与交换 A、B 的样本成对出现，两者
#    的词完全相同）：只用注意力的模型对每一对给出同样的输出，准确率恰好 50%。
#
# 词向量维度取书中的 128，注意力在 128 维上（每个头 16 维）；线性层的输入随之是 128 维。

# %%
from nndl.app.script import setup
S = setup("ch8_ex4_attention_only")

import numpy as np
import paddle
import paddle.nn as nn
from functools import partial
from paddle.optimizer import Adam

from nndl import Accuracy, RunnerV3, MultiHeadSelfAttention, Model_LSTMSeftAttention, Model_SelfAttention
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
# the word-order task (3.): same size in both modes, it is small
ORDER_LEN = 8                     # tokens per sequence: A, B and 6 fillers
ORDER_FILLERS = 20                # filler words (ids 3..22; [PAD]=0, A=1, B=2)
ORDER_PAIRS = (128, 64)           # (train, test) pairs; each pair gives two sequences
ORDER_SIZE = 32                   # word vectors (= 2 * LSTM hidden size)
ORDER_STEPS = 40                  # full-batch Adam steps
ORDER_LR = 0.02

# %% [markdown]
# ## 数据（同 8.1.1）

# %%
(train_data, dev_data, test_data), _ = S.data(
    load_imdb_data,
    lambda: load_imdb_data(make_miniature(S.path("imdb_miniature"), n_train=N_MINIATURE, n_test=N_MINIATURE), verify=False),
    "IMDB (aclImdb_v1.tar.gz)", sample=QUICK_SAMPLE)
word2id_dict = build_vocab(train_data)
vocab_size = len(word2id_dict)
collate = partial(collate_fn, pad_val=word2id_dict.get("[PAD]"), max_seq_len=MAX_SEQ_LEN)


def loader(data, shuffle):
    return paddle.io.DataLoader(IMDBDataset(data, word2id_dict), batch_size=BATCH_SIZE, shuffle=shuffle,
                                collate_fn=collate)


def build(name, vocab, emb, hidden, n_classes=2):
    if name == "lstm_mhsa":
        return Model_LSTMSeftAttention(hidden, emb, vocab, n_classes=n_classes,
                                       attention=MultiHeadSelfAttention(2 * hidden, heads_num=HEADS_NUM))
    position = MAX_SEQ_LEN if name == "mhsa_position" else None
    return Model_SelfAttention(emb, vocab, n_classes=n_classes,
                               attention=MultiHeadSelfAttention(emb, heads_num=HEADS_NUM), position_size=position)


MODELS = ("lstm_mhsa", "mhsa_only", "mhsa_position")

# %% [markdown]
# ## 1. 重复 8.2 节的实验

# %%
results, runners, models = {}, {}, {}
for name in MODELS:
    paddle.seed(2021)
    np.random.seed(2021)
    train_loader, dev_loader, test_loader = loader(train_data, True), loader(dev_data, False), loader(test_data, False)
    model = build(name, vocab_size, EMBEDDING_SIZE, HIDDEN_SIZE)
    runner = RunnerV3(model, Adam(parameters=model.parameters(), learning_rate=LEARNING_RATE),
                      nn.CrossEntropyLoss(), Accuracy())
    save_path = str(S.path(f"checkpoint/model_best_{name}.pdparams"))
    runner.train(train_loader, dev_loader, num_epochs=EPOCHS, log_steps=0, eval_steps=EVAL_STEPS,
                 save_path=save_path)
    runner.load_model(save_path)
    accuracy, _ = runner.evaluate(test_loader)
    print(f"{name}: Evaluate on test set, Accuracy: {accuracy:.5f}")
    results[name], runners[name], models[name] = accuracy, runner, model
S.savefig(plot(runners["mhsa_only"], sample_every=S.pick(10, 1)), "ex8-4_attention_only_loss_acc.pdf")

# %% [markdown]
# ## 2. 打乱词序，输出变不变？
#
# 测试集每条影评的有效词随机重排（补齐位置不动），比较重排前后的 logits 与预测。

# %%
rng = np.random.default_rng(2021)
shift, flips, n_reviews = {name: 0.0 for name in MODELS}, {name: 0 for name in MODELS}, 0
for (input_ids, valid_lens), _ in loader(test_data, False):
    ids = input_ids.numpy().copy()
    lens = valid_lens.numpy().reshape([-1])
    for row, n in zip(ids, lens):
        row[:n] = row[:n][rng.permutation(int(n))]
    shuffled = paddle.to_tensor(ids)
    n_reviews += len(lens)
    for name in MODELS:
        models[name].eval()
        with paddle.no_grad():
            before = models[name]((input_ids, valid_lens)).numpy()
            after = models[name]((shuffled, valid_lens)).numpy()
        shift[name] = max(shift[name], float(np.abs(after - before).max()))
        flips[name] += int((before.argmax(1) != after.argmax(1)).sum())
for name in MODELS:
    print(f"{name}: max |logits(shuffled) - logits| = {shift[name]:.3g}, "
          f"predictions changed {flips[name]}/{n_reviews}")

# %% [markdown]
# ## 3. 只靠词序才能分类的任务
#
# 每个序列含 A、B 各一次和 6 个填充词；A 在 B 之前为正类。每个样本都与交换 A、B 位置的样本成对
# 出现，两者的词（多重集）相同、标签相反。

# %%
A_ID, B_ID = 1, 2


def order_pairs(n_pairs, rng):
    X, y = [], []
    for _ in range(n_pairs):
        seq = rng.integers(3, 3 + ORDER_FILLERS, ORDER_LEN)
        i, j = sorted(rng.choice(ORDER_LEN, 2, replace=False))
        first, second = seq.copy(), seq.copy()
        first[i], first[j] = A_ID, B_ID          # A before B: label 1
        second[i], second[j] = B_ID, A_ID        # B before A: label 0
        X += [first, second]
        y += [1, 0]
    return (paddle.to_tensor(np.array(X), dtype="int64"), paddle.to_tensor(np.array(y), dtype="int64"))


order_rng = np.random.default_rng(0)
(X_tr, y_tr), (X_te, y_te) = order_pairs(ORDER_PAIRS[0], order_rng), order_pairs(ORDER_PAIRS[1], order_rng)
lens_tr = paddle.full([X_tr.shape[0]], ORDER_LEN, dtype="int64")
lens_te = paddle.full([X_te.shape[0]], ORDER_LEN, dtype="int64")
order_acc, order_train_acc, pair_same = {}, {}, {}
for name in MODELS:
    paddle.seed(2021)
    model = build(name, 3 + ORDER_FILLERS, ORDER_SIZE, ORDER_SIZE // 2)
    opt = Adam(parameters=model.parameters(), learning_rate=ORDER_LR)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for step in range(ORDER_STEPS):
        loss = loss_fn(model((X_tr, lens_tr)), y_tr)
        loss.backward()
        opt.step()
        opt.clear_grad()
    model.eval()
    with paddle.no_grad():
        logits_tr = model((X_tr, lens_tr)).numpy()
        logits_te = model((X_te, lens_te)).numpy()
    order_train_acc[name] = float((logits_tr.argmax(1) == y_tr.numpy()).mean())
    order_acc[name] = float((logits_te.argmax(1) == y_te.numpy()).mean())
    pair_same[name] = float(np.abs(logits_te[0::2] - logits_te[1::2]).max())   # the two members of each pair
    print(f"{name}: word-order task, train accuracy {order_train_acc[name]:.4f}, test accuracy "
          f"{order_acc[name]:.4f}, max |logits(A..B) - logits(B..A)| = {pair_same[name]:.3g}")

# %%
S.record(test_accuracy=results, shuffle_max_logit_change=shift, shuffle_prediction_changes=flips,
         shuffled_reviews=n_reviews, order_task_test_accuracy=order_acc, order_task_train_accuracy=order_train_acc,
         order_task_pair_logit_gap=pair_same, hidden_size=HIDDEN_SIZE, embedding_size=EMBEDDING_SIZE,
         train_size=len(train_data))
S.claim(book="练习 8.4: 去掉 LSTM 层，只用注意力层重复 8.2 节的实验（书中 LSTM+多头自注意力: 0.86552）",
        measured=(f"LSTM+多头自注意力 {results['lstm_mhsa']:.5f}，只用多头自注意力 {results['mhsa_only']:.5f}，"
                  f"多头自注意力+位置编码 {results['mhsa_position']:.5f}"),
        supported=None,
        note="an exercise without a printed answer; one seed" +
             ("; quick mode: tiny models on a generated miniature whose labels depend on the words, not their "
              "order" if S.quick else ""))
invariant = shift["mhsa_only"] < 1e-4 and flips["mhsa_only"] == 0
order_blind = abs(order_acc["mhsa_only"] - 0.5) < 1e-9 and pair_same["mhsa_only"] < 1e-4
S.claim(book="自注意力模型本身无法建模序列中的位置信息 (8.4 小结)：只用注意力时，模型不知道词序",
        measured=(f"打乱测试集 {n_reviews} 条影评的词: 只用注意力的 logits 最多变化 {shift['mhsa_only']:.2g}"
                  f"（LSTM+注意力 {shift['lstm_mhsa']:.2g}，加位置编码 {shift['mhsa_position']:.2g}）；"
                  f"词序任务的测试准确率: 只用注意力 {order_acc['mhsa_only']:.4f}，LSTM+注意力 "
                  f"{order_acc['lstm_mhsa']:.4f}，加位置编码 {order_acc['mhsa_position']:.4f}"),
        supported=bool(invariant and order_blind and shift["lstm_mhsa"] > 1e-3),
        note="the attention-only model gives each A..B / B..A pair the same logits, so exactly one of the two "
             "is right; the LSTM (or a position encoding) breaks the symmetry")
S.save()
