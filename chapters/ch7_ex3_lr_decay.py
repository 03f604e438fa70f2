# %% [markdown]
# # 动手练习 7.3：学习率衰减
#
# 用《神经网络与深度学习》7.2.3.1 的学习率衰减方法（分段常数、逆时、指数、余弦，另加预热与循环学习率）
# 重复 7.3.1 的两个实验（SGD）。调度器来自 `nndl.lr`（与 `paddle.optimizer.lr` 数值一致，见测试），
# 作为 `init_lr` 传给优化器，每次迭代后调用 `step()`。

# %%
from nndl.app.script import setup
S = setup("ch7_ex3_lr_decay")

import numpy as np
import paddle
import matplotlib.pyplot as plt

from nndl.op import SimpleBatchGD
from nndl.functions import OptimizedFunction, make_fit_data, train
from nndl.functions import Linear   # 7.3.1.2 的 Linear（nndl.LinearFit）
from nndl import lr

# %%
EPOCH_2D, LR_2D = 20, 0.2        # 7.3.1.1
LR_FIT, EPOCHS_FIT, BATCH = 0.01, 30, 64   # 7.3.1.2
STEPS_FIT = EPOCHS_FIT * 16      # 1000 samples / 64 = 16 batches per epoch


def schedules(init_lr, total):
    """Each schedule is stepped once per iteration."""
    return {
        'constant': None,
        'piecewise': lr.PiecewiseConstantDecay([total // 2, 3 * total // 4], [init_lr, init_lr / 2, init_lr / 10]),
        'inverse_time': lr.InverseTimeDecay(init_lr, 0.1),
        'exponential': lr.ExponentialDecay(init_lr, 0.9 if total < 100 else 0.995),
        'cosine': lr.CosineDecay(init_lr, total),
        'warmup': lr.LinearWarmup(init_lr, max(1, total // 10)),
        'cyclic': lr.CyclicLR(init_lr / 10, init_lr, max(1, total // 8)),
    }


def stepping(sched, init_lr, model):
    """SimpleBatchGD at the schedule's rate, the schedule advancing after each step
    (``lr.ScheduledOptimizer``); at a constant rate (``sched`` None) the plain optimizer."""
    opt = SimpleBatchGD(init_lr=sched or init_lr, model=model)
    return opt if sched is None else lr.ScheduledOptimizer(opt, sched)


# %% [markdown]
# 2D 可视化实验（sphere，w=[0.2, 2]，从 (3, 4) 出发 20 步）：

# %%
w = paddle.to_tensor([0.2, 2])
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
res_2d = {}
for name, sched in schedules(LR_2D, EPOCH_2D).items():
    model = OptimizedFunction(w)
    opt = stepping(sched, LR_2D, model)
    x = paddle.to_tensor([3.0, 4.0])
    traj, losses = [], []
    for _ in range(EPOCH_2D):
        traj.append(x.numpy().copy())
        losses.append(float(model(x)))
        model.backward()
        opt.step()
        x = model.params['x']
    traj = np.array(traj)
    res_2d[name] = losses[-1]
    axes[0].plot(traj[:, 0], traj[:, 1], '-o', markersize=3, label=name)
    axes[1].semilogy(losses, label=name)
    print('2D  {:12s} f after {} steps: {:.6f}'.format(name, EPOCH_2D, losses[-1]))
axes[0].set_xlabel('$x_1$'); axes[0].set_ylabel('$x_2$'); axes[0].legend()
axes[1].set_xlabel('step'); axes[1].set_ylabel('f(x)'); axes[1].legend()
S.savefig(fig, 'opti-lr-decay-2d.pdf')

# %% [markdown]
# 简单拟合实验（SGD，lr=0.01，30 个回合）：

# %%
data = make_fit_data(1000, seed=0)
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
res_fit = {}
for name, sched in schedules(LR_FIT, STEPS_FIT).items():
    paddle.seed(0)
    model = Linear(2)
    opt = stepping(sched, LR_FIT, model)
    rates = []
    iter_loss, epoch_loss = train(data, EPOCHS_FIT, BATCH, model, paddle.nn.MSELoss(), opt)
    res_fit[name] = epoch_loss[-1]
    axes[0].semilogy(epoch_loss, label=name)
    s2 = schedules(LR_FIT, STEPS_FIT)[name]
    for _ in range(STEPS_FIT):
        rates.append(s2() if s2 is not None else LR_FIT)
        if s2 is not None:
            s2.step()
    axes[1].plot(rates, label=name)
    print('fit {:12s} final epoch loss: {:.6f}'.format(name, epoch_loss[-1]))
axes[0].set_xlabel('epoch'); axes[0].set_ylabel('epoch loss'); axes[0].legend()
axes[1].set_xlabel('iteration'); axes[1].set_ylabel('learning rate'); axes[1].legend()
S.savefig(fig, 'opti-lr-decay-fit.pdf')

# %% [markdown]
# 在这两个实验里，书中的固定学习率已经合适，衰减只让后期步长变小、收敛变慢：sphere 的 x₁ 方向曲率小，
# 需要大步长；拟合实验中衰减最快的（逆时、指数）损失停在最高处。预热只在前 10% 的步数里减小步长，
# 影响最小。学习率衰减的好处在随机梯度噪声大、固定学习率会在最优点附近振荡时才显现。

# %%
S.record(final_f_2d=res_2d, final_epoch_loss_fit=res_fit)
decays = [n for n in res_fit if n not in ('constant', 'warmup', 'cyclic')]
S.claim(book='练习 7.3：用学习率衰减方法重复 7.3.1 的实验（学习率衰减通常改善收敛）',
        measured='final f (2D): ' + ', '.join(f'{n} {v:.3g}' for n, v in res_2d.items())
                 + '; final epoch loss (fit): ' + ', '.join(f'{n} {v:.3g}' for n, v in res_fit.items()),
        supported=bool(all(res_fit[n] < res_fit['constant'] for n in decays)),
        note='checked: every decay schedule ends below the constant rate in the fitting experiment; '
             'with the book\'s already well-chosen constant rates none does')
S.save()
