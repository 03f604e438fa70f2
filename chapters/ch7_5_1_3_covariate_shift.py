# %% [markdown]
# # 7.5.1.3 内部协变量偏移实验
#
# 批量规范化（7.5.1.1）对一个中间层的每个神经元，用小批量样本的均值和方差做标准化，
# 再做缩放和平移：$\hat{z} = \frac{z - \mu_\mathcal{B}}{\sqrt{\sigma^2_\mathcal{B} + \epsilon}} \odot \gamma + \beta$。
# 支持逐层规范化的 MLP（7.5.1.2）把规范化放在每个隐藏线性层与激活函数之间，并把规范化后的输出记录在 `z` 中。
#
# 构建两个模型：model1 不使用批量规范化，model2 使用批量规范化，观察第四层输出的均值与标准差。
# 批量规范化要求小批量样本数不能太小，这里用形状为 (200, 100) 的随机数据。

# %%
from nndl.app.script import setup
S = setup("ch7_5_1_3_covariate_shift")

import numpy as np
import paddle

from nndl import MLP

# %%
LAYERS_SIZE = [100, 200, 400, 300, 2, 2]   # 每层神经元的数量 (the book's)
BATCH_SHAPE = [200, 100]

# %%
paddle.seed(0)
data = paddle.randn(shape=BATCH_SHAPE)
print('data mean: ', data.numpy().mean())
print('data std: ', data.numpy().std())

activate_fn = paddle.nn.Tanh
model1 = MLP(LAYERS_SIZE, 'basic', None, act_fn=activate_fn)
output = model1(data)
print('no batch normalization: ')
print('model output mean: ', model1.z[3].numpy().mean(axis=0))
print('model output std:', model1.z[3].numpy().std(axis=0))

gamma = [1, 1, 1, 1, 1]
beta = [0, 0, 0, 0, 0]
model2 = MLP(LAYERS_SIZE, 'basic', None, act_fn=activate_fn, norm_name='bn', gamma=gamma, beta=beta)
output = model2(data)
print('with batch normalization: ')
print('model output mean: ', model2.z[3].numpy().mean(axis=0))
print('model output std:', model2.z[3].numpy().std(axis=0))

# %% [markdown]
# 经过多层网络后，输出的均值和标准差已经发生偏移；使用批量规范化（γ=1, β=0）后，
# 输出的均值和标准差变为 0 和 1。
#
# 当我们指定 γ 和 β 时，网络输出的标准差和均值就变为 γ 和 β 的值。

# %%
paddle.seed(0)
gamma = [1, 2, 3, 5, 4]
beta = [3, 2, 1, 2, 2]
model3 = MLP(LAYERS_SIZE, 'basic', None, act_fn=activate_fn, norm_name='bn', gamma=gamma, beta=beta)
output = model3(data)
print('batch normalization with different gamma and beta for different layer: ')
print('output means with bn 0: ', model3.z[0].numpy().mean())
print('output stds with bn 0: ', model3.z[0].numpy().std())
print('output means with bn 3: ', model3.z[3].numpy().mean())
print('output stds with bn 3: ', model3.z[3].numpy().std())

# %% [markdown]
# 书中印刷版（R1）打印的标准差为 0.9975093 和 4.99373：它的 BatchNorm 用无偏方差（除以 N-1）
# 规范化；nndl 与飞桨一样用有偏方差（除以 N），所以标准差正好是 γ（见 docs/errata.md 7.5）。

# %%
S.record(data_mean=data.numpy().mean(), data_std=data.numpy().std(),
         no_bn={'mean': model1.z[3].numpy().mean(axis=0), 'std': model1.z[3].numpy().std(axis=0)},
         bn={'mean': model2.z[3].numpy().mean(axis=0), 'std': model2.z[3].numpy().std(axis=0)},
         bn_gamma_beta={'gamma': gamma, 'beta': beta,
                        'mean': [float(model3.z[i].numpy().mean()) for i in range(4)],
                        'std': [float(model3.z[i].numpy().std()) for i in range(4)],
                        'per_unit_std': [model3.z[i].numpy().std(axis=0) for i in range(4)]},
         book_R1={'no_bn_mean': [0.6876068, -0.80561906], 'no_bn_std': [18.394815, 15.526406],
                  'bn0_std': 0.9975093, 'bn3_std': 4.99373})
m1, s1 = model1.z[3].numpy().mean(axis=0), model1.z[3].numpy().std(axis=0)
m2, s2 = model2.z[3].numpy().mean(axis=0), model2.z[3].numpy().std(axis=0)
S.claim(book='经过多层网络后输出的均值和标准差发生偏移；使用批量规范化（γ=1, β=0）后均值为 0、标准差为 1',
        measured=f'layer-4 output without BN: mean {np.round(m1, 3)}, std {np.round(s1, 3)}; '
                 f'with BN: mean {np.round(m2, 6)}, std {np.round(s2, 6)}',
        supported=bool(np.max(np.abs(s1 - 1)) > 1 and np.allclose(m2, 0, atol=1e-4) and np.allclose(s2, 1, atol=1e-3)))
means = [float(model3.z[i].numpy().mean()) for i in (0, 3)]
stds = [float(model3.z[i].numpy().std()) for i in (0, 3)]
S.claim(book='指定 γ 和 β 时，网络输出的标准差和均值变为 γ 和 β 的值',
        measured=f'layer 0: mean {means[0]:.4f} (β=3), std {stds[0]:.4f} (γ=1); layer 3: mean {means[1]:.4f} (β=2), '
                 f'std {stds[1]:.4f} (γ=5)',
        supported=bool(np.allclose(means, [3, 2], atol=1e-3) and np.allclose(stds, [1, 5], atol=1e-3)),
        note='the printed book prints 0.9975093 and 4.99373: its BatchNorm uses the unbiased variance (errata N2)')
S.save()
