# %% [markdown]
# # 动手练习 7.4：AdaDelta 算法
#
# AdaDelta 用梯度平方的移动平均 G_t 调整学习率（同 RMSprop），再用参数更新差值平方的移动平均
# ΔX²_{t-1} 代替固定的学习率：Δθ_t = -√(ΔX²_{t-1}+ε)/√(G_t+ε) ⊙ g_t。
# `nndl.optimizer.AdaDelta(init_lr, model, beta, epsilon)`；init_lr=1 即原始算法（飞桨的 Adadelta
# 还会乘上学习率，两者在测试中逐步一致）。在 7.3.1 的两个实验上运行，并与 RMSprop 对照。

# %%
from nndl.app.script import setup
S = setup("ch7_ex4_adadelta")

import paddle

from nndl.optimizer import AdaDelta, RMSprop
from nndl.functions import OptimizedFunction, make_fit_data, train_and_plot_f
from nndl.functions import Linear   # 7.3.1.2 的 Linear（nndl.LinearFit）
from nndl import functions

# %%
BETA = 0.9
EPSILONS = [1e-6, 1e-2]    # ε 决定了最初的步长 √ε：1e-6 时前几十步几乎不动
EPOCH_2D = 50

data = make_fit_data(1000, seed=0)


def train_and_plot(optimizer, fig_name):
    return functions.train_and_plot(optimizer, fig_name, data=data, savefig=S.savefig)


# %%
res = {}
for i, eps in enumerate(EPSILONS):
    paddle.seed(0)
    model = OptimizedFunction(paddle.to_tensor([0.2, 2]))
    opt = AdaDelta(init_lr=1.0, model=model, beta=BETA, epsilon=eps)
    xs, losses, _ = train_and_plot_f(model, opt, epoch=EPOCH_2D, fig_name='opti-vis-adadelta{}.pdf'.format(i + 1),
                                     savefig=S.savefig)
    paddle.seed(0)
    model = Linear(2)
    opt = AdaDelta(init_lr=1.0, model=model, beta=BETA, epsilon=eps)
    _, epoch_loss, _ = train_and_plot(opt, 'opti-loss-adadelta{}.pdf'.format(i + 1))
    res['eps={:g}'.format(eps)] = {'x_final_2d': xs[-1], 'f_final_2d': losses[-1], 'fit_final_epoch_loss': epoch_loss[-1]}
    print('AdaDelta eps={:g}: x after {} steps {}, f = {:.6f}; fitting final epoch loss {:.6f}'.format(
        eps, EPOCH_2D, xs[-1], losses[-1], epoch_loss[-1]))

# %%
paddle.seed(0)
model = Linear(2)
_, rms_loss, _ = functions.train_and_plot(RMSprop(0.1, model, beta=0.9, epsilon=1e-7), None, data=data)
print('RMSprop (7.3.2.2) fitting final epoch loss {:.6f}'.format(rms_loss[-1]))

# %% [markdown]
# AdaDelta 不需要学习率，但起步步长约为 √ε：ε=1e-6 时前期几乎不动，步长随 ΔX² 的积累逐渐增大；
# ε 较大时起步快。

# %%
S.record(adadelta=res, rmsprop_fit_final_epoch_loss=rms_loss[-1])
ok = {k: v['fit_final_epoch_loss'] for k, v in res.items()}
S.claim(book='练习 7.4：动手实现 AdaDelta 算法（不需要设置学习率）',
        measured='fitting final epoch loss ' + ', '.join(f'{k} {v:.2e}' for k, v in ok.items())
                 + f' (RMSprop {rms_loss[-1]:.2e}); 2D f after {EPOCH_2D} steps '
                 + ', '.join(f"{k} {v['f_final_2d']:.3g}" for k, v in res.items()),
        supported=bool(all(v < 0.01 for v in ok.values())),
        note='checked: AdaDelta with init_lr=1 fits the 7.3.1.2 data; its first steps are about sqrt(eps), '
             'so with eps=1e-6 the 2D run barely moves in 50 steps')
S.save()
