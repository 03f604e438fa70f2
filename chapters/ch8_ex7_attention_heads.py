# %% [markdown]
# # 动手练习 8.7 可视化自注意力头
#
# 请可视化自注意力头，挖掘出更多更有意思的信息。按 8.3 节的设置训练 Transformer（1 个组块，
# 4 个头，AdamW，学习率 5e-5，3 个回合），然后：
#
# 1. 对书中的句对“电脑怎么录像？/如何在计算机上录视频”画出每个组块的每一个头的注意力权重
#    （每个组块一张图，图 8.19 的形式）；
# 2. 在测试集的前 64 个句对上度量每个头“看”什么（`attention_head_patterns`）：注意力的熵
#    （越小越集中）、落在 [CLS]、[SEP]、自身、前一个/后一个位置、句对中最受关注的那个字
#    （图中的竖条纹：所有查询都看同一个字）、另一句话、另一句话中相同的字上的权重，并与
#    “均匀地看所有有效位置”的权重相比（比值 > 1 表示这个头偏爱它）；
# 3. 与训练前（随机初始化）的同一模型相比，看训练改变了什么；
# 4. 检查书中对图 8.19 的三点观察。
#
# 权重取自评估模式（没有 dropout）：每一行是一个查询位置在所有键上的 softmax 分布，[PAD] 键的
# 权重为 0。

# %%
from nndl.app.script import setup
S = setup("ch8_ex7_attention_heads")

import numpy as np
import paddle
import paddle.nn as nn
from paddle.io import DataLoader
import matplotlib.pyplot as plt

from nndl import Accuracy, RunnerV3, Model_Transformer, plot_attention_heads, cjk_font, attention_head_patterns
from nndl.transformer import HEAD_PATTERNS
from nndl.datasets import lcqmc
from nndl.datasets.lcqmc import LCQMCDataSet, collate_fn, load_lcqmc_data, load_or_build_vocab

# %%
EPOCHS = 3
BATCH_SIZE = 32
LEARNING_RATE = S.pick(5e-5, 5e-4)      # as 8.3's quick mode: a tiny model on a few batches
N_BLOCK = 1
HEADS_NUM = 4
HIDDEN_SIZE = S.pick(768, 64)
INTERMEDIATE_SIZE = S.pick(3072, 128)
MAX_SEQ_LEN = 512
EVAL_STEPS = S.pick(500, 10)
MINIATURE = dict(num_train=320, num_dev=64, num_test=64)
QUICK_SAMPLE = (320, 64, 64)
PATTERN_PAIRS = 64                      # the test set's first pairs, measured and saved
TEXT_A, TEXT_B = "电脑怎么录像？", "如何在计算机上录视频"     # the book's pair (8.3.5)

# %% [markdown]
# ## 数据与模型（同 8.3 节）

# %%
data_dir = None


def lcqmc_standin():
    global data_dir
    data_dir = lcqmc.make_miniature(S.path("lcqmc_miniature"), **MINIATURE)
    return load_lcqmc_data(data_dir)


(train_data, dev_data, test_data), _ = S.data(load_lcqmc_data, lcqmc_standin, "LCQMC", sample=QUICK_SAMPLE)
word2id_dict, built = load_or_build_vocab(
    train_data, None if data_dir is None else data_dir / lcqmc.LCQMC_VOCAB.filename, S.path("vocab.txt"))
if built:
    print("no bert-base-chinese vocabulary file: a character vocabulary built from the training pairs")
loaders = [DataLoader(LCQMCDataSet(d, word2id_dict), batch_size=BATCH_SIZE, collate_fn=collate_fn, shuffle=False)
           for d in (train_data, dev_data, test_data)]
cls_id, sep_id, unk_id = word2id_dict["[CLS]"], word2id_dict["[SEP]"], word2id_dict["[UNK]"]

# the measured pairs: one batch of the first PATTERN_PAIRS test pairs; the book's pair
test_dataset = LCQMCDataSet(test_data, word2id_dict)
(pattern_ids, pattern_segments), _ = collate_fn([test_dataset[i] for i in range(min(PATTERN_PAIRS, len(test_dataset)))])
ids_a = [word2id_dict.get(ch, unk_id) for ch in TEXT_A]
ids_b = [word2id_dict.get(ch, unk_id) for ch in TEXT_B]
pair_ids = np.array([[cls_id] + ids_a + [sep_id] + ids_b + [sep_id]])
pair_segments = np.array([[0] * (len(ids_a) + 2) + [1] * (len(ids_b) + 1)])
tokens = ["[CLS]"] + list(TEXT_A) + ["[SEP]"] + list(TEXT_B) + ["[SEP]"]

paddle.seed(2021)
model = Model_Transformer(vocab_size=len(word2id_dict), n_block=N_BLOCK, num_classes=2, heads_num=HEADS_NUM,
                          hidden_size=HIDDEN_SIZE, intermediate_size=INTERMEDIATE_SIZE, position_size=MAX_SEQ_LEN)


def block_weights(ids, segments):
    """[n_block] arrays [B, heads_num, L, L] of the model in eval mode."""
    model.eval()
    with paddle.no_grad():
        model([paddle.to_tensor(ids, dtype="int64"), paddle.to_tensor(segments, dtype="int64")])
    return [w.numpy() for w in model.attention_weights]


def patterns(weights):
    return [attention_head_patterns(w, pattern_ids.numpy(), pattern_segments.numpy(), cls_id, sep_id, unk_id=unk_id)
            for w in weights]


init_patterns = patterns(block_weights(pattern_ids.numpy(), pattern_segments.numpy()))

# %% [markdown]
# ## 训练（同 8.3.3 节）

# %%
decay_params = [p.name for n, p in model.named_parameters() if not any(nd in n for nd in ["bias", "norm"])]
optimizer = paddle.optimizer.AdamW(learning_rate=LEARNING_RATE, parameters=model.parameters(),
                                   weight_decay=0.0, apply_decay_param_fun=lambda x: x in decay_params)
runner = RunnerV3(model, optimizer, nn.CrossEntropyLoss(), Accuracy())
save_path = str(S.path("checkpoint/model_best.pdparams"))
runner.train(loaders[0], loaders[1], num_epochs=EPOCHS, log_steps=0, eval_steps=EVAL_STEPS, save_path=save_path)
runner.load_model(save_path)
accuracy, _ = runner.evaluate(loaders[2])
print(f"Evaluate on test set, Accuracy: {accuracy:.5f}")

# %% [markdown]
# ## 1. 书中句对的每一个头

# %%
pair_weights = block_weights(pair_ids, pair_segments)          # [n_block] x [1, heads, L, L]
font_path = cjk_font("".join(tokens))
print("font: {}".format(font_path or "none with Chinese glyphs (code points instead)"))
for k, w in enumerate(pair_weights):
    fig = plot_attention_heads(w[0], tokens, font_path=font_path)
    fig.suptitle(f"block {k + 1}: {HEADS_NUM} heads", y=1.01)
    S.savefig(fig, f"ex8-7_block{k + 1}_heads.pdf")
    plt.close(fig)
np.savez_compressed(S.path("ex8-7_pair_weights.npz"), weights=np.stack([w[0] for w in pair_weights]),
                    input_ids=pair_ids[0], segment_ids=pair_segments[0], tokens=np.array(tokens))
pair_patterns = [attention_head_patterns(w, pair_ids, pair_segments, cls_id, sep_id, unk_id=unk_id)
                 for w in pair_weights]

# %% [markdown]
# ## 2. 每个头看什么（测试集的前 64 个句对）

# %%
test_weights = block_weights(pattern_ids.numpy(), pattern_segments.numpy())
valid = pattern_ids.numpy() != 0
row_sum_error = max(float(np.abs(w.sum(-1) - 1)[np.broadcast_to(valid[:, None, :], w.shape[:3])].max())
                    for w in test_weights)
pad_weight = max(float(w[np.broadcast_to(~valid[:, None, None, :], w.shape)].max(initial=0.0)) for w in test_weights)
np.savez_compressed(S.path("ex8-7_test_weights.npz"), weights=np.stack(test_weights),
                    input_ids=pattern_ids.numpy(), segment_ids=pattern_segments.numpy())
trained_patterns = patterns(test_weights)
LIFTS = [name for name in HEAD_PATTERNS if name.startswith("to_")]
# the most attended key is picked after the fact, so any uneven head beats uniform attention
# there: it is shown, but a head's preference is chosen among the other measures
PREFERENCES = [name for name in LIFTS if name != "to_top_key"]


def describe(measured, uniform, h):
    lift = {name: measured[name][h] / uniform[name] for name in LIFTS}
    best = max(PREFERENCES, key=lift.get)
    kind = "focused" if measured["entropy_ratio"][h] < 0.5 else "broad" if measured["entropy_ratio"][h] > 0.9 else "mixed"
    return best, lift, kind


summary = []
print("block head  entropy/log(n)  " + "  ".join(f"{n[3:]:>15}" for n in LIFTS) + "   (weight, x uniform)")
for k, ((measured, uniform), (init_m, init_u)) in enumerate(zip(trained_patterns, init_patterns)):
    for h in range(HEADS_NUM):
        best, lift, kind = describe(measured, uniform, h)
        _, init_lift, _ = describe(init_m, init_u, h)
        cells = "  ".join(f"{measured[n][h]:.3f} (x{lift[n]:4.2f})" for n in LIFTS)
        print(f"{k + 1:5d} {h:4d}  {measured['entropy_ratio'][h]:6.3f} (init {init_m['entropy_ratio'][h]:.3f})  {cells}")
        summary.append(f"block {k + 1} head {h}: {kind}, prefers {best[3:]} (x{lift[best]:.2f}; "
                       f"x{init_lift[best]:.2f} before training)")
print("\n".join(summary))
lift_change = max(abs(m[n][h] / u[n] - im[n][h] / iu[n]) for (m, u), (im, iu) in zip(trained_patterns, init_patterns)
                  for n in PREFERENCES for h in range(HEADS_NUM) if np.isfinite(m[n][h]) and np.isfinite(im[n][h]))
print(f"largest change of a ratio to uniform during training: {lift_change:.3f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 4.2), gridspec_kw={"width_ratios": [3, 1]})
labels = [f"b{k + 1}h{h}" for k in range(N_BLOCK) for h in range(HEADS_NUM)]
x = np.arange(len(LIFTS))
width = 0.8 / len(labels)
for i, label in enumerate(labels):
    k, h = divmod(i, HEADS_NUM)
    measured, uniform = trained_patterns[k]
    axes[0].bar(x + i * width, [measured[n][h] / uniform[n] for n in LIFTS], width, label=label)
axes[0].axhline(1.0, color="k", lw=0.8, ls="--")
axes[0].set_xticks(x + 0.4 - width / 2)
axes[0].set_xticklabels([n[3:] for n in LIFTS], rotation=20)
axes[0].set_xlabel("where the weight goes")
axes[0].set_ylabel("weight / weight under uniform attention")
axes[0].legend(fontsize=8)
entropy_trained = [trained_patterns[k][0]["entropy_ratio"][h] for k in range(N_BLOCK) for h in range(HEADS_NUM)]
entropy_init = [init_patterns[k][0]["entropy_ratio"][h] for k in range(N_BLOCK) for h in range(HEADS_NUM)]
axes[1].plot(labels, entropy_init, "o--", label="before training")
axes[1].plot(labels, entropy_trained, "s-", label="trained")
axes[1].set_xlabel("head")
axes[1].set_ylabel("entropy / log(valid length)")
axes[1].legend(fontsize=8)
fig.tight_layout()
S.savefig(fig, "ex8-7_head_patterns.pdf")
plt.close(fig)

# %% [markdown]
# ## 3. 书中对图 8.19 的观察
#
# （a）[CLS] 跟“计”“视”“像”“何”的关系比较大；（b）第二句的“计”“视”跟第一句的“录像”“电脑”关系
# 比较大；（c）“视”和“频”的关系很大。这里对每个头计算这些权重与均匀权重之比。

# %%
W = np.stack([w[0] for w in pair_weights])                     # [n_block, heads, L, L]
L = len(tokens)
pos = {}
for i, t in enumerate(tokens):
    pos.setdefault(t, []).append(i)
b_start = len(TEXT_A) + 2                                      # first position of sentence B


def lift(queries, keys):
    """weight of the query rows on the keys (mean over the rows), over the uniform 1/L per key: [n_block, heads]."""
    q, kk = np.array(queries), np.array(keys)
    return W[:, :, q][:, :, :, kk].sum(-1).mean(-1) / (len(kk) / L)


obs = {
    "cls_to_ji_shi_xiang_he": lift([0], [pos["计"][0], pos["视"][0], pos["像"][0], pos["何"][0]]),
    "ji_shi_to_luxiang_diannao": lift([pos["计"][0], pos["视"][0]],
                                      [pos["录"][0], pos["像"][0], pos["电"][0], pos["脑"][0]]),
    "shi_to_pin": lift([pos["视"][0]], [pos["频"][0]]),
}
cls_top = [[tokens[j] for j in np.argsort(-W[k, h, 0])[:4]] for k in range(N_BLOCK) for h in range(HEADS_NUM)]
for name, value in obs.items():
    print(f"{name}: x uniform per head {np.round(value.astype(float).reshape(-1), 2).tolist()}")
print(f"[CLS] row, 4 largest keys per head: {cls_top}")

# %%
def table(pats):
    return {f"block{k + 1}": {"measured": {n: m[n].tolist() for n in HEAD_PATTERNS}, "uniform": u}
            for k, (m, u) in enumerate(pats)}


S.record(test_accuracy=accuracy, pattern_pairs=int(pattern_ids.shape[0]), test_patterns=table(trained_patterns),
         init_patterns=table(init_patterns), pair_patterns=table(pair_patterns), head_summary=summary,
         book_observations={n: v.tolist() for n, v in obs.items()}, cls_top4=cls_top, row_sum_error=row_sum_error,
         pad_weight=pad_weight, lift_change_in_training=lift_change, pair_tokens=tokens, hidden_size=HIDDEN_SIZE, heads_num=HEADS_NUM, n_block=N_BLOCK,
         font=font_path or "")
S.claim(book="练习 8.7: 请可视化自注意力头，挖掘出更多更有意思的信息",
        measured="; ".join(summary) + "; entropy/log(n) before -> after training: " +
                 ", ".join(f"{a:.2f}->{b:.2f}" for a, b in zip(entropy_init, entropy_trained)) +
                 f"; training changed a ratio to uniform by at most {lift_change:.3f}",
        supported=None,
        note="an open exercise: what the heads do, measured on the first 64 test pairs" +
             ("; quick mode: a tiny model trained on a generated miniature or a sample" if S.quick else ""))
S.claim(book="注意力权重的每一行是 softmax 分布，被掩码的 [PAD] 位置权重为 0 (8.2.1)",
        measured=f"64 个句对、所有头: 行和与 1 最多差 {row_sum_error:.1e}，[PAD] 键的最大权重 {pad_weight:.1e}",
        supported=bool(row_sum_error < 1e-5 and pad_weight < 1e-6))
strong = {n: float(v.max()) for n, v in obs.items()}
S.claim(book="[CLS]跟“计”“视”“像”“何”的关系比较大；“计”“视”跟“录像”“电脑”关系比较大；“视”和“频”关系很大 (图 8.19)",
        measured="最大的头（权重 / 均匀权重）: " + ", ".join(f"{n} x{v:.2f}" for n, v in strong.items()),
        supported=None if S.quick else all(v >= 2.0 for v in strong.values()),
        note=("quick mode: a tiny model" if S.quick else "'比较大' read as at least twice the uniform weight in some head; "
              "one training run, the book's is another"))
S.save()
