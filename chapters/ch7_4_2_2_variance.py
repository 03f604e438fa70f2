# %% [markdown]
# # 7.4.2.2 观察模型神经元的方差变化
#
# Xavier 初始化根据每层神经元的数量自动计算参数方差：Tanh 激活函数时
# 高斯分布 $\mathcal{N}(0, \frac{2}{M_{l-1}+M_l})$，均匀分布 $[-r, r]$，$r=\sqrt{\frac{6}{M_{l-1}+M_l}}$。
# 用一个六层 Tanh 网络观察每层神经元输出的方差：Xavier 初始化尽量保持每层输入和输出的方差一致。
# 作为对照，再用 $\mathcal{N}(0,1)$ 初始化同一网络：净输入的方差随层数放大，Tanh 进入饱和区。

# %%
from nndl.app.script import setup
S = setup("ch7_4_2_2_variance")

import numpy as np
import paddle
import matplotlib.pyplot as plt

from nndl import MLP, xavier_normal_std, xavier_uniform_r

# %%
LAYERS_SIZE = [100, 200, 400, 300, 200, 100]   # 每层神经元的数量 (the book's)
INPUT_STD = 0.1                                # inputs ~ N(0, 0.1^2), one sample as in the book
activate_fn = paddle.nn.Tanh


def layer_stats(model):
    """Variance of each hidden layer's output (after tanh) and of its net input, and the saturated fraction."""
    hidden = range(model.num_layers - 1)
    return {
        "output_var": [float(model.a[i].numpy().var()) for i in hidden],
        "net_input_var": [float(model.z[i].numpy().var()) for i in hidden],
        "saturated": [float(np.mean(np.abs(model.a[i].numpy()) > 0.99)) for i in hidden],
    }


# %% [markdown]
# **高斯分布初始化**：通过 Xavier 高斯分布初始化网络，打印每层神经元输出的方差。

# %%
paddle.seed(0)
init_fn_name = 'normal'
model = MLP(LAYERS_SIZE, init_fn_name, init_fn=xavier_normal_std, act_fn=activate_fn)
inputs = paddle.normal(shape=[1, 100], std=INPUT_STD)
y = model(inputs)
for i in range(len(model.z) - 1):   # model.a[i]: the output of hidden layer i (after tanh)
    print('layer %d: , %f' % (i, model.a[i].numpy().var()))
xavier_normal = layer_stats(model)

# %% [markdown]
# **均匀分布初始化**：$r=\sqrt{\frac{6}{M_{l-1}+M_l}}$。

# %%
paddle.seed(0)
init_fn_name = 'uniform'
model = MLP(LAYERS_SIZE, init_fn_name, init_fn=xavier_uniform_r, act_fn=activate_fn)
inputs = paddle.normal(shape=[1, 100], std=INPUT_STD)
y = model(inputs)
for i in range(len(model.z) - 1):
    print('layer %d: , %f' % (i, model.a[i].numpy().var()))
xavier_uniform = layer_stats(model)

# %% [markdown]
# **对照：$\mathcal{N}(0,1)$ 初始化**（不在书中）。净输入的方差约为上一层输出方差乘以 $M_{l-1}$，
# 第二层起 Tanh 的输出几乎都在 ±1 附近（饱和），梯度接近 0。

# %%
paddle.seed(0)
model = MLP(LAYERS_SIZE, 'basic', None, act_fn=activate_fn)
inputs = paddle.normal(shape=[1, 100], std=INPUT_STD)
y = model(inputs)
normal01 = layer_stats(model)
for i in range(len(model.z) - 1):
    print('N(0,1) layer %d: output var %f, net input var %.1f, saturated %.0f%%'
          % (i, normal01['output_var'][i], normal01['net_input_var'][i], 100 * normal01['saturated'][i]))

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
layers = np.arange(len(LAYERS_SIZE) - 2)
for stats, label, style in ((xavier_normal, 'xavier normal', dict(c='#e4007f', linestyle='--', marker='o')),
                            (xavier_uniform, 'xavier uniform', dict(c='#f19ec2', marker='s')),
                            (normal01, 'N(0,1)', dict(c='#7a7a7a', marker='^'))):
    axes[0].plot(layers, stats['output_var'], label=label, **style)
    axes[1].plot(layers, stats['net_input_var'], label=label, **style)
axes[0].set_ylabel('output variance (after tanh)')
axes[1].set_ylabel('net input variance')
for ax in axes:
    ax.set_yscale('log')
    ax.set_xlabel('layer')
    ax.set_xticks(layers)
    ax.legend()
S.savefig(fig, "opti-xavier-variance.pdf")

S.record(layers_size=LAYERS_SIZE, xavier_normal=xavier_normal, xavier_uniform=xavier_uniform,
         normal01=normal01,
         book_R1={'xavier_normal': [0.005443, 0.003300, 0.003833, 0.004511],
                  'xavier_uniform': [0.005624, 0.003405, 0.004098, 0.005197]})
ratio = {k: max(v['output_var']) / min(v['output_var']) for k, v in
         (('normal', xavier_normal), ('uniform', xavier_uniform))}
S.claim(book='Xavier 初始化尽量保持每层神经元输出的方差一致',
        measured='hidden-layer output variances, max/min over the 4 layers: Xavier normal {:.2f} ({}), '
                 'Xavier uniform {:.2f} ({})'.format(ratio['normal'], ', '.join(f'{v:.4f}' for v in xavier_normal['output_var']),
                                                    ratio['uniform'], ', '.join(f'{v:.4f}' for v in xavier_uniform['output_var'])),
        supported=bool(max(ratio.values()) <= 2.0),
        note='kept: within a factor 2 from layer to layer')
S.claim(book='（对照，书中正文）不用 Xavier、按 N(0,1) 初始化时方差随层数放大，Tanh 进入饱和区',
        measured='N(0,1): net input variance ' + ', '.join(f'{v:.1f}' for v in normal01['net_input_var'])
                 + '; saturated outputs (|a| > 0.99) ' + ', '.join(f'{100 * v:.0f}%' for v in normal01['saturated']),
        supported=bool(max(normal01['net_input_var']) > 10 and max(normal01['saturated']) > 0.5))
S.save()
