# %% [markdown]
# # 7.5.1.4 均值和方差的移动平均计算实验
#
# 训练时批量规范化用当前小批量的均值和方差，同时以移动平均的方式记录它们：
# $\mu \leftarrow m\,\mu + (1-m)\,\mu_\mathcal{B}$，$\sigma^2 \leftarrow m\,\sigma^2 + (1-m)\,\sigma^2_\mathcal{B}$（$m$=momentum=0.9）。
# 测试时使用这些移动平均值，输出不再受同一批次中其他样本的影响。
#
# 让 7.5.1.3 的 model3 前向计算 50 个回合（不训练，只模拟移动平均的计算过程），每个回合一批新的随机数据。

# %%
from nndl.app.script import setup
S = setup("ch7_5_1_4_moving_average")

import numpy as np
import paddle
import matplotlib.pyplot as plt

from nndl import MLP

# %%
LAYERS_SIZE = [100, 200, 400, 300, 2, 2]
GAMMA = [1, 2, 3, 5, 4]
BETA = [3, 2, 1, 2, 2]
EPOCHS = 50                                # 前向迭代 50 个回合 (the book's)
activate_fn = paddle.nn.Tanh

# %% [markdown]
# 重建 7.5.1.3 的 model3（同样的随机种子与数据），它已经在 `data` 上前向计算过一次。

# %%
paddle.seed(0)
data = paddle.randn(shape=[200, 100])
paddle.seed(0)
model3 = MLP(LAYERS_SIZE, 'basic', None, act_fn=activate_fn, norm_name='bn', gamma=GAMMA, beta=BETA)
output = model3(data)

# %% [markdown]
# 书中的代码在循环中生成了新的 `inputs`，却把同一个 `data` 送进网络；这里按正文的意思使用每回合的新数据。

# %%
paddle.seed(0)
history = []
for epoch in range(EPOCHS):
    inputs = paddle.randn(shape=[200, 100])
    output = model3(inputs)
    history.append(model3.normalization[3].moving_mean.numpy().reshape(-1).copy())

# 打印批量规范化中训练样本均值和方差的移动平均值
print('batch norm 3 moving mean: ', model3.normalization[3].moving_mean.numpy())
print('batch norm 3 moving variance: ', model3.normalization[3].moving_variance.numpy())

# %% [markdown]
# 对照：移动平均值收敛到网络在这一输入分布上的净输入均值和方差。用一大批（10000 个）新样本
# 直接计算第 4 层线性层输出的均值和方差（有偏），与移动平均值比较。

# %%
with paddle.no_grad():
    big = paddle.randn(shape=[10000, 100])
    y = big
    for i in range(3):
        y = activate_fn()(model3.normalization[i](model3.linear[i](y), train_mode=False))
    z3 = model3.linear[3](y).numpy()
print('layer 3 net input mean over 10000 new samples: ', z3.mean(axis=0))
print('layer 3 net input variance over 10000 new samples: ', z3.var(axis=0))

# %% [markdown]
# 开启测试模式，使用训练集的移动平均值作为测试集批量规范化的均值和标准差。

# %%
paddle.seed(0)
inputs_test = paddle.randn(shape=[5, 100])
output = model3(inputs_test, train_mode=False)
single = model3(inputs_test[:1], train_mode=False)
print('test output shape: ', output.shape)
print('test-mode output of the first sample alone equals its output in the batch: ',
      bool(np.allclose(single.numpy(), output[:1].numpy(), atol=1e-5)))

# %%
history = np.array(history)
fig, ax = plt.subplots()
for k, (c, ls) in enumerate((('#e4007f', '--'), ('#f19ec2', '-'))):
    ax.plot(np.arange(1, EPOCHS + 1), history[:, k], c=c, linestyle=ls, label=f'moving mean, unit {k}')
    ax.axhline(z3.mean(axis=0)[k], c=c, linewidth=0.8, linestyle=':')
ax.set_xlabel('forward pass (new batch)')
ax.set_ylabel('batch norm 3 moving mean')
ax.legend()
S.savefig(fig, "opti-bn-moving-average.pdf")

S.record(moving_mean=model3.normalization[3].moving_mean.numpy(),
         moving_variance=model3.normalization[3].moving_variance.numpy(),
         population_mean=z3.mean(axis=0), population_variance=z3.var(axis=0),
         book_R1={'moving_mean': [-0.6382797, 0.17931321], 'moving_variance': [150.55898, 268.0726]})
mm = model3.normalization[3].moving_mean.numpy().reshape(-1)
mv = model3.normalization[3].moving_variance.numpy().reshape(-1)
rel_var = float(np.max(np.abs(mv - z3.var(axis=0)) / z3.var(axis=0)))
S.claim(book='训练时以移动平均记录均值和方差，测试时使用它们',
        measured=f'after {EPOCHS} batches: moving mean {np.round(mm, 3)} vs mean over 10000 new samples '
                 f'{np.round(z3.mean(axis=0), 3)}; moving variance within {100 * rel_var:.0f}% of the population variance',
        supported=bool(rel_var < 0.2 and np.all(np.abs(mm - z3.mean(axis=0)) < 0.2 * np.sqrt(z3.var(axis=0)))),
        note='close: variance within 20%, mean within 0.2 standard deviations')
same = bool(np.allclose(single.numpy(), output[:1].numpy(), atol=1e-5))
S.claim(book='测试模式下，样本的输出不受同一批次中其他样本的影响',
        measured=f'test-mode output of one sample alone equals its output in a batch of 5: {same}',
        supported=same)
S.save()
