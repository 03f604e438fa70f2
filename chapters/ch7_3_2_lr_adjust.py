# %% [markdown]
# # 7.3.2 学习率调整
#
# 学习率过大不收敛，过小收敛太慢。常用的调整方法：学习率衰减（分段常数、余弦…，见练习 7.3
# `ch7_ex3_lr_decay`）、学习率预热、周期性学习率，以及按参数自适应调整学习率的 AdaGrad、RMSprop、
# AdaDelta（练习 7.4 `ch7_ex4_adadelta`）。
#
# ## 7.3.2.1 AdaGrad 算法
#
# G_t = Σ g_τ⊙g_τ，Δθ_t = -α/√(G_t+ε) ⊙ g_t。梯度累积越大的参数学习率越小，且整体单调下降。

# %%
from nndl.app.script import setup
S = setup("ch7_3_2_lr_adjust")

import paddle

from nndl.optimizer import Adagrad, RMSprop
from nndl.functions import OptimizedFunction, make_fit_data, train_and_plot_f
from nndl.functions import Linear   # 7.3.1.2 的 Linear（nndl.LinearFit）
from nndl import functions

# %%
EPS = 1e-7
ADAGRAD_LR_2D, ADAGRAD_LR_FIT = 0.5, 0.1          # the book's
RMSPROP_LR_2D, RMSPROP_LR_FIT, BETA = 0.1, 0.1, 0.9
EPOCH_2D = 50

data = make_fit_data(1000, seed=0)   # 7.3.1.2 的训练样本


def train_and_plot(optimizer, fig_name):
    """7.3.1.2 的 train_and_plot：30 个回合、批大小 64，图存到输出目录。"""
    return functions.train_and_plot(optimizer, fig_name, data=data, savefig=S.savefig)


# %%
# 固定随机种子
paddle.seed(0)
w = paddle.to_tensor([0.2, 2])
model = OptimizedFunction(w)
opt = Adagrad(init_lr=ADAGRAD_LR_2D, model=model, epsilon=EPS)
xs_ada, _, _ = train_and_plot_f(model, opt, epoch=EPOCH_2D, fig_name='opti-vis-para2.pdf', savefig=S.savefig)

# %% [markdown]
# 前几个回合更新幅度大，随后学习率逐渐缩小，更新幅度也逐渐缩小。
#
# 简单拟合实验：

# %%
# 固定随机种子
paddle.seed(0)
# 定义网络结构
model = Linear(2)
# 定义优化器
opt = Adagrad(init_lr=ADAGRAD_LR_FIT, model=model, epsilon=EPS)
_, loss_ada, _ = train_and_plot(opt, 'opti-loss2.pdf')

# %% [markdown]
# ## 7.3.2.2 RMSprop 算法
#
# G_t = βG_{t-1} + (1-β) g_t⊙g_t，Δθ_t = -α/√(G_t+ε) ⊙ g_t：梯度平方的加权移动平均代替累积，
# 学习率可变小也可变大。

# %%
# 固定随机种子
paddle.seed(0)
w = paddle.to_tensor([0.2, 2])
model = OptimizedFunction(w)
opt = RMSprop(init_lr=RMSPROP_LR_2D, model=model, beta=BETA, epsilon=EPS)
xs_rms, _, _ = train_and_plot_f(model, opt, epoch=EPOCH_2D, fig_name='opti-vis-para3.pdf', savefig=S.savefig)

# %%
# 固定随机种子
paddle.seed(0)
# 定义网络结构
model = Linear(2)
# 定义优化器
opt = RMSprop(init_lr=RMSPROP_LR_FIT, model=model, beta=BETA, epsilon=EPS)
_, loss_rms, _ = train_and_plot(opt, 'opti-loss3.pdf')

# %%
print('AdaGrad: x after {} steps {}, final epoch loss {:.6f}'.format(EPOCH_2D, xs_ada[-1], loss_ada[-1]))
print('RMSprop: x after {} steps {}, final epoch loss {:.6f}'.format(EPOCH_2D, xs_rms[-1], loss_rms[-1]))
import numpy as np
step_ada = np.linalg.norm(np.diff(xs_ada, axis=0), axis=1)   # |x_{t+1} - x_t| per step
dist_ada, dist_rms = float(np.linalg.norm(xs_ada[-1])), float(np.linalg.norm(xs_rms[-1]))
S.record(adagrad_x_final=xs_ada[-1], adagrad_final_epoch_loss=loss_ada[-1],
         rmsprop_x_final=xs_rms[-1], rmsprop_final_epoch_loss=loss_rms[-1],
         adagrad_step_sizes=step_ada, adagrad_dist_to_min=dist_ada, rmsprop_dist_to_min=dist_rms)
S.claim(book='AdaGrad：前几个回合参数更新幅度较大，随着回合数增加学习率逐渐缩小，更新幅度逐渐缩小',
        measured=f'2D step size {step_ada[0]:.3f} (step 1) -> {step_ada[9]:.3f} (step 10) -> {step_ada[-1]:.4f} '
                 f'(step {len(step_ada)}); x after {EPOCH_2D} steps {np.round(xs_ada[-1], 3)}',
        supported=bool(step_ada[0] > step_ada[9] > step_ada[-1]))
S.claim(book='RMSprop 避免 AdaGrad 学习率单调下降以至过早衰减的缺点',
        measured=f'distance of x to the minimum (0,0) after {EPOCH_2D} steps: AdaGrad {dist_ada:.3f}, '
                 f'RMSprop {dist_rms:.3f}',
        supported=bool(dist_rms < dist_ada))
S.claim(book='简单拟合实验中 AdaGrad 和 RMSprop 的损失都收敛',
        measured=f'final epoch loss AdaGrad {loss_ada[-1]:.2e}, RMSprop {loss_rms[-1]:.2e} '
                 f'(first epoch {loss_ada[0]:.3f} / {loss_rms[0]:.3f})',
        supported=bool(loss_ada[-1] < 0.05 * loss_ada[0] and loss_rms[-1] < 0.05 * loss_rms[0]),
        note='converged: the last epoch loss is below 5% of the first')
S.save()
