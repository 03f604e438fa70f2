# %% [markdown]
# # 8.2.1 自注意力模型
#
# 自注意力以序列中的每个元素为查询向量，从整个序列中选取和自己相关的信息。QKV 注意力
# （公式(8.11)）把输入映射为查询、键、值，用缩放点积 softmax(QK^T/√D)V 计算注意力，并把
# [PAD] 位置的打分置为 -1e9。多头自注意力（公式(8.12)~(8.16)）把 Q、K、V 的特征维度分为
# M 组（`split_head_reshape`），每组独立地计算 QKV 注意力，再拼接并做线性变换。
#
# 书中的类印为 `QKVAAttention`，使用时写作 `QKVAttention`，两个名字都可用。书中 QKV 的示例
# 输入是在 GPU 上由 seed 2021 生成的；CPU 给出不同的随机数，所以这里直接使用书中打印的
# Q、K、V，输出与书中打印的一致。

# %%
from nndl.app.script import setup
S = setup("ch8_2_1_self_attention")

import numpy as np
import paddle

from nndl import QKVAAttention, MultiHeadSelfAttention, split_head_reshape

np.set_printoptions(precision=8)

# %% [markdown]
# ## 8.2.1.2 QKV 注意力
#
# `valid_lens` 按书中的形式给出，每个查询行一个长度（批量 2、长度 2：`[1, 1, 2, 2]`）。

# %%
Q = paddle.to_tensor([[[0.04542791, 0.85057974, 0.33361533], [0.946391, 0.23847368, 0.36302885]],
                      [[0.76614064, 0.37495252, 0.33336037], [0.63866454, 0.9760425, 0.5480451]]])
K = paddle.to_tensor([[[0.6862119, 0.1342062, 0.26786622], [0.17106912, 0.677116, 0.06587131]],
                      [[0.6739144, 0.5215646, 0.44378713], [0.04872252, 0.88483167, 0.71042657]]])
V = paddle.to_tensor([[[7.9257507e-04, 2.5841364e-01, 8.8483751e-01], [9.9241227e-01, 7.3286706e-01, 2.2684735e-01]],
                      [[1.4830844e-01, 9.9669349e-01, 3.9105463e-01], [5.9856153e-01, 1.6353825e-01, 1.5453905e-01]]])
valid_lens = paddle.to_tensor([1, 1, 2, 2])
print("查询向量为 {}".format(Q.numpy()))
print("键向量为 {}".format(K.numpy()))
print("值向量为 {}".format(V.numpy()))
qkv_atten = QKVAAttention(3)
context = qkv_atten(Q, K, V, valid_lens)
print("注意力的输出为 : {}".format(context.numpy()))
print("注意力权重为 : {}".format(qkv_atten.attention_weights.numpy()))

BOOK_CONTEXT = np.array([[[7.9257507e-04, 2.5841364e-01, 8.8483751e-01], [7.9257507e-04, 2.5841364e-01, 8.8483751e-01]],
                         [[3.5696453e-01, 6.1059302e-01, 2.8144866e-01], [3.8002339e-01, 5.6792462e-01, 2.6933601e-01]]])
BOOK_WEIGHTS = np.array([[[1.0, 0.0], [1.0, 0.0]], [[0.5365804, 0.46341962], [0.4853674, 0.51463264]]])
qkv_err = max(float(np.abs(context.numpy() - BOOK_CONTEXT).max()),
              float(np.abs(qkv_atten.attention_weights.numpy() - BOOK_WEIGHTS).max()))

# %% [markdown]
# ## 8.2.1.3 多头自注意力
#
# 输入形状为 2×2×4 的张量（两个序列，每个序列 2 个词，每个词 4 维），有效长度 `[1, 2]`，
# 2 个头。Q/K/V 和输出的线性变换带偏置（书中的类如此；逐步讲解时用的是不带偏置的变换）。

# %%
paddle.seed(2021)
X = paddle.rand((2, 2, 4))
valid_lens = paddle.to_tensor([1, 2])
print("输入向量 {}".format(X.numpy()))
multi_head_attn = MultiHeadSelfAttention(heads_num=2, inputs_size=4)
context = multi_head_attn(X, valid_lens)
print("注意力的输出为：{}".format(context.numpy()))
weights = multi_head_attn.attention.attention_weights.numpy()   # [batch_size*heads_num, L, L]
print("注意力权重为：{}".format(weights))
heads = split_head_reshape(X, 2, 2)
print("split_head_reshape: {} -> {}".format(list(X.shape), list(heads.shape)))
# the first sequence has one valid word: both of its heads attend only to position 0
masked_ok = bool(np.all(weights[:2, :, 1] == 0) and np.allclose(weights[:2, :, 0], 1.0))

# %%
S.record(qkv_context=qkv_atten(Q, K, V, paddle.to_tensor([1, 1, 2, 2])), qkv_max_abs_error=qkv_err,
         mhsa_output=context, mhsa_weights=weights)
S.claim(book="QKV 注意力在书中 Q、K、V 上的输出和权重 (8.2.1.2)",
        measured=f"与书中打印的数值最大绝对误差 {qkv_err:.1e}", supported=qkv_err < 1e-6)
S.claim(book="权重为 0 的地方表示被掩码去除，不参与注意力的计算 (8.2.1.3)",
        measured=f"第一个序列（长度 1）两个头对位置 1 的权重{'恰为 0' if masked_ok else '不为 0'}",
        supported=masked_ok)
S.save()
