# %% [markdown]
# # 7.3.3 梯度估计修正
#
# 小批量的梯度估计带有随机性；用最近一段时间的平均梯度代替当前的随机梯度作为更新方向。
#
# ## 7.3.3.1 动量法
#
# Δθ_t = ρΔθ_{t-1} - α g_t（ρ=0.9）：梯度方向一致时加速，不一致时减速。

# %%
from nndl.app.script import setup
S = setup("ch7_3_3_grad_estimate")

import paddle

from nndl.optimizer import Momentum, Adam
from nndl.functions import OptimizedFunction, make_fit_data, train_and_plot_f
from nndl.functions import Linear   # 7.3.1.2 的 Linear（nndl.LinearFit）
from nndl import functions

# %%
MOMENTUM_LR, RHO = 0.01, 0.9                 # the book's (2D and fitting)
ADAM_LR_2D, ADAM_LR_FIT = 0.2, 0.1
BETA1, BETA2, EPS = 0.9, 0.99, 1e-7
EPOCH_MOMENTUM_2D, EPOCH_ADAM_2D = 50, 20

data = make_fit_data(1000, seed=0)   # 7.3.1.2 的训练样本


def train_and_plot(optimizer, fig_name):
    """7.3.1.2 的 train_and_plot：30 个回合、批大小 64，图存到输出目录。"""
    return functions.train_and_plot(optimizer, fig_name, data=data, savefig=S.savefig)


# %%
# 固定随机种子
paddle.seed(0)
w = paddle.to_tensor([0.2, 2])
model = OptimizedFunction(w)
opt = Momentum(init_lr=MOMENTUM_LR, model=model, rho=RHO)
xs_mom, _, _ = train_and_plot_f(model, opt, epoch=EPOCH_MOMENTUM_2D, fig_name='opti-vis-para4.pdf',
                                savefig=S.savefig)

# %% [markdown]
# 训练初期梯度方向一致，更新幅度逐渐增大（加速）；后期在收敛值附近振荡、幅度减小。

# %%
# 固定随机种子
paddle.seed(0)
# 定义网络结构
model = Linear(2)
# 定义优化器
opt = Momentum(init_lr=MOMENTUM_LR, model=model, rho=RHO)
_, loss_mom, _ = train_and_plot(opt, 'opti-loss4.pdf')

# %% [markdown]
# ## 7.3.3.2 Adam 算法
#
# M_t = β₁M_{t-1} + (1-β₁)g_t，G_t = β₂G_{t-1} + (1-β₂)g_t⊙g_t，偏差修正 M̂_t = M_t/(1-β₁ᵗ)、
# Ĝ_t = G_t/(1-β₂ᵗ)，Δθ_t = -α/√(Ĝ_t+ε) M̂_t。t 每次 `step()` 加一（书中代码每个参数加一，
# 有 W 和 b 两个参数时偏差修正出错，见勘误表）。书中两种拼写 `betal`、`beta1` 都可用。

# %%
# 固定随机种子
paddle.seed(0)
w = paddle.to_tensor([0.2, 2])
model = OptimizedFunction(w)
opt = Adam(init_lr=ADAM_LR_2D, model=model, betal=BETA1, beta2=BETA2, epsilon=EPS)
xs_adam, _, _ = train_and_plot_f(model, opt, epoch=EPOCH_ADAM_2D, fig_name='opti-vis-para5.pdf',
                                 savefig=S.savefig)

# %% [markdown]
# Adam 自适应调整学习率，参数更新更加平稳。

# %%
# 固定随机种子
paddle.seed(0)
# 定义网络结构
model = Linear(2)
# 定义优化器
opt = Adam(init_lr=ADAM_LR_FIT, model=model, beta1=BETA1, beta2=BETA2, epsilon=EPS)
_, loss_adam, _ = train_and_plot(opt, 'opti-loss5.pdf')

# %%
print('Momentum: x after {} steps {}, final epoch loss {:.6f}'.format(EPOCH_MOMENTUM_2D, xs_mom[-1], loss_mom[-1]))
print('Adam: x after {} steps {}, final epoch loss {:.6f}'.format(EPOCH_ADAM_2D, xs_adam[-1], loss_adam[-1]))
import numpy as np
step_mom = np.linalg.norm(np.diff(xs_mom, axis=0), axis=1)   # |x_{t+1} - x_t| per step
k = int(np.argmax(step_mom))
# oscillation: x2 (the steep direction) swings across its optimum 0 with shrinking amplitude
flips = int(np.sum(np.diff(np.sign(xs_mom[:, 1])) != 0))
step_adam = np.linalg.norm(np.diff(xs_adam, axis=0), axis=1)
S.record(momentum_x_final=xs_mom[-1], momentum_final_epoch_loss=loss_mom[-1],
         adam_x_final=xs_adam[-1], adam_final_epoch_loss=loss_adam[-1],
         momentum_step_sizes=step_mom, adam_step_sizes=step_adam)
S.claim(book='动量法：训练初期梯度方向一致，参数更新幅度逐渐增大（加速）；后期幅度减小，在收敛值附近振荡',
        measured=f'2D step size {step_mom[0]:.3f} (step 1) grows to {step_mom[k]:.3f} (step {k + 1}), '
                 f'then {step_mom[-1]:.4f} (step {len(step_mom)}); x2 crosses 0 {flips} times',
        supported=bool(k >= 2 and step_mom[k] > 1.5 * step_mom[0] and step_mom[-1] < step_mom[k] and flips >= 2))
S.claim(book='Adam 自适应调整学习率，参数更新更加平稳',
        measured=f'2D step sizes of Adam between {step_adam.min():.3f} and {step_adam.max():.3f} '
                 f'(max/min {step_adam.max() / max(step_adam.min(), 1e-12):.1f}); momentum between '
                 f'{step_mom.min():.3f} and {step_mom.max():.3f} (max/min {step_mom.max() / max(step_mom.min(), 1e-12):.1f})',
        supported=None, note='"平稳" has no measure in the book; the step-size ranges are shown for the reader to judge')
S.claim(book='简单拟合实验中动量法和 Adam 的损失都收敛（损失不断减小）',
        measured=f'final epoch loss Momentum {loss_mom[-1]:.2e}, Adam {loss_adam[-1]:.2e} '
                 f'(first epoch {loss_mom[0]:.3f} / {loss_adam[0]:.3f})',
        supported=bool(loss_mom[-1] < 0.05 * loss_mom[0] and loss_adam[-1] < 0.05 * loss_adam[0]),
        note='converged: the last epoch loss is below 5% of the first')
S.save()
