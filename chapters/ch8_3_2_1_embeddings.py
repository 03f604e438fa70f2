# %% [markdown]
# # 8.3.2.1 嵌入层
#
# Transformer 的嵌入层把输入编码、分段编码和位置编码按位置相加。输入编码用正态分布
# N(0, 1/√emb_size) 初始化，[PAD]（id 0）的向量恒为 0，输出乘以 √emb_size；分段编码区分
# 两个句子；位置编码用三角函数（公式(8.22)、(8.23)）：偶数维正弦、奇数维余弦，不参与训练。
# 图 8.16 画出 100 个位置上第 4、5、6 维的位置编码。
#
# 书中的随机数是在 GPU 上由 seed 2021 生成的，CPU 上的数值不同；[PAD] 行为 0 和位置编码的
# 数值与设备无关。

# %%
from nndl.app.script import setup
S = setup("ch8_3_2_1_embeddings")

import numpy as np
import paddle
import matplotlib.pyplot as plt

from nndl import WordEmbedding, SegmentEmbedding, PositionalEmbedding, get_sinusoid_encoding

np.set_printoptions(precision=8, suppress=True)

# %% [markdown]
# ## 输入编码

# %%
paddle.seed(2021)
X = paddle.to_tensor([1, 0, 2])
word_embed = WordEmbedding(10, 4)
print("输入编码为: {}".format(X.numpy()))
word_out = word_embed(X)
print("输出为: {}".format(word_out.numpy()))
pad_row_zero = bool(np.all(word_out.numpy()[1] == 0))

# %% [markdown]
# ## 分段编码

# %%
paddle.seed(2021)
X = paddle.to_tensor([0, 0, 1, 1])
seg_embed = SegmentEmbedding(2, 4)
print("输入编码为: {}".format(X.numpy()))
seg_out = seg_embed(X)
print("输出为: {}".format(seg_out.numpy()))

# %% [markdown]
# ## 位置编码（图 8.16）

# %%
model = PositionalEmbedding(emb_size=20, max_length=5000)
size = 100
X = paddle.arange(size).reshape([1, size])
y = model(X)          # [1, 100, 20]
curves = y.numpy()[0]
fig, ax = plt.subplots(figsize=(9, 4))
for dim in (4, 5, 6):
    ax.plot(np.arange(size), curves[:, dim], label=f"dim {dim}")
ax.set_xlabel("position")
ax.set_ylabel("positional encoding")
ax.legend()
S.savefig(fig, "fig8-16_positional_encoding.pdf")
plt.close(fig)
table = get_sinusoid_encoding(2, 20)
print("位置 0: {}".format(table[0]))
print("位置 1: {}".format(table[1]))
in_range = bool(np.all(np.abs(curves) <= 1.0))

# %%
S.record(word_embedding_output=word_out, segment_embedding_output=seg_out, sinusoid_rows=table,
         curves_dims_4_5_6=curves[:, 4:7])
S.claim(book="[PAD]（padding_idx=0）的输入编码输出为 0 (8.3.2.1)",
        measured=f"id 0 的输出{'全为 0' if pad_row_zero else '不为 0'}", supported=pad_row_zero)
S.claim(book="位置编码是和位置相关的正弦曲线，各维频率不同，取值在 [-1, 1] 之间 (图 8.16)",
        measured=f"100 个位置、20 维的取值范围 [{curves.min():.4f}, {curves.max():.4f}]",
        supported=in_range)
S.save()
