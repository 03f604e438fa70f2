# %% [markdown]
# # 动手练习 7.7 He 初始化
#
# 尝试实现 He 初始化，并将 MLP 算子的激活函数改为 ReLU，观察其效果。
#
# ReLU 把一半的输入置 0，输出的二阶矩只有净输入的一半。He 初始化
# （高斯分布 $\mathcal{N}(0, \frac{2}{M_{l-1}})$，均匀分布 $r=\sqrt{\frac{6}{M_{l-1}}}$）
# 用因子 2 补偿这一半，使每层净输入的二阶矩保持不变；Xavier 初始化（为 Tanh 设计）在
# $M_{l-1}=M_l$ 时每层减半，$\mathcal{N}(0,1)$ 则每层放大约 $M_{l-1}/2$ 倍。
# 重复 7.4.2.2 与 7.4.2.3 两个实验。

# %%
from nndl.app.script import setup
S = setup("ch7_ex7_he_init")

import numpy as np
import paddle
import paddle.io as io
import paddle.nn.functional as F
import paddle.optimizer as optimizer
import matplotlib.pyplot as plt

import nndl
from nndl import MLP, MoonsDataset, RunnerV3, he_normal_std, he_uniform_r, xavier_normal_std

# %%
LAYERS_SIZE = [100, 200, 400, 300, 200, 100]   # 7.4.2.2's network
MOONS_LAYERS_SIZE = [2, 300, 500, 700, 400, 1]  # 7.4.2.3's network
LR = 0.005
BATCH_SIZE = 10
NUM_EPOCHS = S.pick(100, 8)                     # the book's 100; quick mode 8
activate_fn = paddle.nn.ReLU

# %% [markdown]
# ## 实验一：每层神经元净输入与输出的方差
#
# 与 7.4.2.2 相同的六层网络（激活函数为 ReLU），输入 $\mathcal{N}(0, 0.1^2)$。
# 为了减小单个样本的随机性，这里用 100 个样本计算均方值。

# %%
def second_moments(init_fn_name, init_fn, seed=0):
    paddle.seed(seed)
    model = MLP(LAYERS_SIZE, init_fn_name, init_fn=init_fn, act_fn=activate_fn)
    inputs = paddle.normal(shape=[100, 100], std=0.1)
    model(inputs)
    hidden = range(model.num_layers - 1)
    return {'net_input': [float((model.z[i].numpy() ** 2).mean()) for i in hidden],
            'output_var': [float(model.a[i].numpy().var()) for i in hidden]}


settings = {'he normal': ('normal', he_normal_std), 'he uniform': ('uniform', he_uniform_r),
            'xavier normal': ('normal', xavier_normal_std), 'N(0,1)': ('basic', None)}
moments = {name: second_moments(*args) for name, args in settings.items()}
for name, m in moments.items():
    print(name)
    for i, (z2, v) in enumerate(zip(m['net_input'], m['output_var'])):
        print('layer %d: , %f (net input mean square %f)' % (i, v, z2))

# %% [markdown]
# He 初始化下各层净输入的均方值基本不变；Xavier 初始化逐层变小，$\mathcal{N}(0,1)$ 逐层放大约百倍。

# %% [markdown]
# ## 实验二：弯月数据集上的训练收敛性
#
# 与 7.4.2.3 相同（五层 MLP、SGD 学习率 0.005、批大小 10），激活函数改为 ReLU，
# 对比 He、Xavier 与 $\mathcal{N}(0,1)$ 初始化的训练损失。

# %%
paddle.seed(0)
train_dataset = MoonsDataset(mode='train')
dev_dataset = MoonsDataset(mode='dev')
train_loader = io.DataLoader(train_dataset, batch_size=BATCH_SIZE, shuffle=True)
dev_loader = io.DataLoader(dev_dataset, batch_size=BATCH_SIZE, shuffle=True)

paddle.seed(0)
np.random.seed(0)
loss_fn = F.binary_cross_entropy_with_logits
runners = {}
for name, (init_fn_name, init_fn) in (('he initializer', ('normal', he_normal_std)),
                                      ('xavier initializer', ('normal', xavier_normal_std)),
                                      ('N(0,1) initializer', ('basic', None))):
    model = MLP(MOONS_LAYERS_SIZE, init_fn_name, init_fn, act_fn=activate_fn)
    opt = optimizer.SGD(learning_rate=LR, parameters=model.parameters())
    runner = RunnerV3(model, opt, loss_fn, nndl.Accuracy(is_logist=True))
    try:
        runner.train(train_loader, dev_loader, num_epochs=NUM_EPOCHS, eval_steps=400, log_steps=0,
                     save_path=str(S.path(f"best_model_{init_fn_name}_{name.split()[0][:6]}.pdparams")))
        runner.diverged = None
    except FloatingPointError as exc:   # RunnerV3 stops on a NaN/inf loss
        runner.diverged = str(exc)
    runners[name] = runner

results = {}
for name, runner in runners.items():
    if runner.diverged:
        results[name] = {'diverged': runner.diverged,
                         'step_losses': [loss for _, loss in runner.train_step_losses]}
        print(f'{name}: {runner.diverged}')
        continue
    dev_score, dev_loss = runner.evaluate(dev_loader)
    results[name] = {'epoch_losses': runner.train_epoch_losses, 'final_loss': runner.train_epoch_losses[-1],
                     'first_loss': runner.train_epoch_losses[0], 'dev_score': dev_score}
    print(f'{name}: first-epoch loss {runner.train_epoch_losses[0]:.5f}, '
          f'final train loss {runner.train_epoch_losses[-1]:.5f}, dev accuracy {dev_score:.5f}')

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
layers = np.arange(len(LAYERS_SIZE) - 2)
for (name, m), c in zip(moments.items(), ('#e4007f', '#f19ec2', '#7a7a7a', '#000000')):
    axes[0].plot(layers, m['net_input'], label=name, c=c, marker='o')
axes[0].set_yscale('log')
axes[0].set_xticks(layers)
axes[0].set_xlabel('layer')
axes[0].set_ylabel('net input mean square (ReLU)')
axes[0].legend()
notes = []
for (name, runner), (c, ls) in zip(runners.items(), (('#e4007f', '--'), ('#f19ec2', '-'), ('#7a7a7a', ':'))):
    if runner.diverged:   # its losses explode within a few steps: say so instead of plotting them
        notes.append(f'{name}: loss NaN at step {len(runner.train_step_losses)}')
        continue
    axes[1].plot(runner.train_epoch_losses, label=name, c=c, linestyle=ls)
if notes:
    axes[1].text(0.03, 0.05, '\n'.join(notes), transform=axes[1].transAxes, fontsize='small')
axes[1].set_xlabel('epoch')
axes[1].set_ylabel('loss')
axes[1].legend(fontsize='large')
S.savefig(fig, "opti-he.pdf")

S.record(num_epochs=NUM_EPOCHS, moments=moments, training=results)
he = moments['he normal']['net_input']
ratio = max(he) / min(he)
S.claim(book='练习 7.7：实现 He 初始化，激活函数改为 ReLU，观察其效果（He 初始化保持 ReLU 网络各层净输入的尺度）',
        measured=f'net input mean square per layer: He normal {", ".join(f"{v:.4f}" for v in he)} (max/min {ratio:.2f}); '
                 f'Xavier {", ".join(f"{v:.4f}" for v in moments["xavier normal"]["net_input"])}',
        supported=bool(ratio < 2.0),
        note='kept: within a factor 2 over the layers')
he_r, xa_r = results['he initializer'], results['xavier initializer']
S.claim(book='（练习 7.7）ReLU 网络用 He 初始化训练收敛更快',
        measured=f"first-epoch loss He {he_r['first_loss']:.3f} vs Xavier {xa_r['first_loss']:.3f}; final "
                 f"{he_r['final_loss']:.3f} vs {xa_r['final_loss']:.3f}"
                 + ('; N(0,1) diverges' if results['N(0,1) initializer'].get('diverged') else ''),
        supported=bool(he_r['final_loss'] < xa_r['final_loss'] and he_r['first_loss'] < xa_r['first_loss']),
        note=f'quick mode: {NUM_EPOCHS} of 100 epochs' if S.quick else None)
S.save()
