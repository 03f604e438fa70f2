# %% [markdown]
# # 7.5.2.2 层规范化的验证实验
#
# 层规范化（7.5.2.1）对每个样本的一个中间层的所有神经元做规范化：
# $\hat{z}^{(l)} = \frac{z^{(l)} - \mu^{(l)}}{\sqrt{\sigma^{(l)2} + \epsilon}} \odot \gamma + \beta$，
# 不依赖小批量中的其他样本，也不需要移动平均值。
#
# 随机生成形状为 (10, 100) 的数据，输入带层规范化的前馈网络，指定 γ 和 β：
# 每个样本的输出均值和标准差变为 β 和 γ。

# %%
from nndl.app.script import setup
S = setup("ch7_5_2_2_layernorm")

import numpy as np
import paddle

from nndl import MLP

# %%
LAYERS_SIZE = [100, 200, 400, 300, 2, 2]   # 每层神经元的数量 (the book's)

# %%
paddle.seed(0)
data = paddle.randn(shape=[10, 100])
activate_fn = paddle.nn.Tanh
gamma = [1, 2, 3, 5, 4]
beta = [3, 2, 1, 2, 2]
model = MLP(LAYERS_SIZE, 'basic', None, act_fn=activate_fn, norm_name='ln', gamma=gamma, beta=beta)
output = model(data)
print('layer normalization with different gamma and beta for different layer: ')
print('output means with ln 0: ', model.z[0].numpy().mean(axis=-1))
print('output stds with ln 0: ', model.z[0].numpy().std(axis=-1))
print('output means with ln 1: ', model.z[3].numpy().mean(axis=-1))
print('output stds with ln 1: ', model.z[3].numpy().std(axis=-1))

# %% [markdown]
# 书中印刷版（R1）打印 ln 0 的标准差 0.99774635：它的 LayerNorm 用无偏方差；
# nndl 与飞桨 `paddle.nn.LayerNorm` 一样用有偏方差，标准差正好是 γ（见 docs/errata.md 7.5）。
# 层规范化不需要移动平均值，测试时的计算与训练时相同：一个样本单独计算的输出与它在批次中的输出一样。

# %%
ln0 = {'mean': model.z[0].numpy().mean(axis=-1), 'std': model.z[0].numpy().std(axis=-1)}
ln3 = {'mean': model.z[3].numpy().mean(axis=-1), 'std': model.z[3].numpy().std(axis=-1)}
single = model(data[:1])   # (this forward pass overwrites model.z)
same = bool(np.allclose(single.numpy(), output[:1].numpy(), atol=1e-5))
print('output of the first sample alone equals its output in the batch: ', same)

S.record(gamma=gamma, beta=beta,
         ln0=ln0, ln3=ln3,
         per_sample_independent=same,
         book_R1={'ln0_std': 0.99774635, 'ln3_std': 5.0})
S.claim(book='层规范化：每个样本的输出均值和标准差变为 β 和 γ',
        measured=f"ln 0: means {np.round(ln0['mean'].min(), 4)}..{np.round(ln0['mean'].max(), 4)} (β=3), stds "
                 f"{np.round(ln0['std'].min(), 4)}..{np.round(ln0['std'].max(), 4)} (γ=1); ln 3: means "
                 f"{np.round(ln3['mean'].min(), 4)}..{np.round(ln3['mean'].max(), 4)} (β=2), stds "
                 f"{np.round(ln3['std'].min(), 4)}..{np.round(ln3['std'].max(), 4)} (γ=5)",
        supported=bool(np.allclose(ln0['mean'], 3, atol=1e-3) and np.allclose(ln0['std'], 1, atol=1e-3)
                       and np.allclose(ln3['mean'], 2, atol=1e-3) and np.allclose(ln3['std'], 5, atol=1e-3)),
        note='the printed book prints 0.99774635: its LayerNorm uses the unbiased variance (errata N2)')
S.claim(book='层规范化不依赖小批量中的其他样本', measured=f'one sample alone gives its output in the batch: {same}',
        supported=same)
S.save()
