# %% [markdown]
# # 7.3.4 不同优化器的3D可视化对比
#
# 被优化函数 f(x) = x₀² + x₁² + x₁³ + x₀x₁。书中说 (0,0) 是鞍点；其实 (0,0) 处 Hessian 为
# [[2,1],[1,2]]（特征值 1 和 3，正定），是**局部极小点**；鞍点在 (0.25, -0.5)（Hessian 特征值一正一负）。
# 下面打印两点的 Hessian 特征值，并在图上标出两点。五个优化器从 (2, 3) 出发各更新 150 步。
# f 在 x₂ → -∞ 时无下界，所以 (0,0) 只是局部极小点。

# %%
from nndl.app.script import setup
S = setup("ch7_3_4_3d_compare")

import numpy as np
import paddle
import matplotlib.pyplot as plt

from nndl.op import SimpleBatchGD
from nndl.optimizer import Adagrad, RMSprop, Momentum, Adam
from nndl.functions import OptimizedFunction3D, hessian_3d, train_f
from nndl.plot import Visualization3D, plot_surface_3d, plot_trajectories_3d

# %%
EPOCH = 150                          # the book's
X_INIT = [2, 3]
GRID_STEP = S.pick(0.1, 0.3)         # surface grid of [-3, 3)^2
FRAME_EVERY = S.pick(3, 50)          # animation: draw every k-th step (a frame of the surface costs ~0.4 s)
ANIM_DPI = S.pick(80, 40)
MINIMUM, SADDLE = (0.0, 0.0), (0.25, -0.5)

# %%
for name, p in (("(0, 0)", MINIMUM), ("(0.25, -0.5)", SADDLE)):
    ev = np.linalg.eigvalsh(hessian_3d(p))
    kind = "local minimum" if np.all(ev > 0) else ("saddle point" if ev[0] < 0 < ev[1] else "other")
    print('Hessian eigenvalues at {}: {} -> {}'.format(name, np.round(ev, 6), kind))

# %%
# 构建5个模型，分别配备不同的优化器
model1 = OptimizedFunction3D()
opt_gd = SimpleBatchGD(init_lr=0.01, model=model1)

model2 = OptimizedFunction3D()
opt_adagrad = Adagrad(init_lr=0.5, model=model2, epsilon=1e-7)

model3 = OptimizedFunction3D()
opt_rmsprop = RMSprop(init_lr=0.1, model=model3, beta=0.9, epsilon=1e-7)

model4 = OptimizedFunction3D()
opt_momentum = Momentum(init_lr=0.01, model=model4, rho=0.9)

model5 = OptimizedFunction3D()
opt_adam = Adam(init_lr=0.1, model=model5, beta1=0.9, beta2=0.99, epsilon=1e-7)

models = [model1, model2, model3, model4, model5]
opts = [opt_gd, opt_adagrad, opt_rmsprop, opt_momentum, opt_adam]

x_all_opts = []
z_all_opts = []
x_init = paddle.to_tensor(X_INIT, dtype='float32')
# 使用不同优化器训练（五个优化器共用一个 x_init：优化器给 params 字典新张量，x_init 不被改动，都从 (2, 3) 出发）
for model, opt in zip(models, opts):
    x_one_opt, z_one_opt = train_f(model, opt, x_init, EPOCH)
    # 保存参数值
    x_all_opts.append(x_one_opt.numpy())
    z_all_opts.append(np.squeeze(z_one_opt))

labels = ['SGD', 'AdaGrad', 'RMSprop', 'Momentum', 'Adam']
colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd']   # distinct on the grey surface (the book's pale pinks vanish on it)
finals = {}
x_plot, z_plot = [], []   # the part of each trajectory inside the drawn square [-3, 3]^2
for label, xs, zs in zip(labels, x_all_opts, z_all_opts):
    outside = ~np.all(np.abs(xs) <= 3, axis=1)   # NaN counts as outside
    k = int(np.argmax(outside)) if outside.any() else len(xs)
    x_plot.append(xs[:k])
    z_plot.append(zs[:k])
    if np.all(np.isfinite(xs[-1])) and k == len(xs):
        d_min = float(np.linalg.norm(xs[-1] - np.array(MINIMUM)))
        finals[label] = {"x": xs[-1], "f": float(zs[-1]), "dist_to_min": d_min, "diverged": False}
        print('{:8s} x after {} steps: {}, f = {:.6f}, distance to (0,0): {:.4f}'.format(
            label, EPOCH, np.round(xs[-1], 5), zs[-1], d_min))
    else:
        finals[label] = {"left_square_at_step": k, "diverged": True}
        print('{:8s} leaves [-3,3]^2 at step {} (x = {}) and diverges: f -> -inf as x2 -> -inf'.format(
            label, k, np.round(xs[k], 3)))

# %% [markdown]
# 被优化函数的三维图像（标出极小点和鞍点）：

# %%
points = {'local min (0,0)': MINIMUM, 'saddle (0.25,-0.5)': SADDLE}
fig, ax = plot_surface_3d(OptimizedFunction3D(), -3, 3, GRID_STEP, points=points)
S.savefig(fig, 'opti-f-3d.pdf')

# %% [markdown]
# 不同优化器的参数变化轨迹：动画（GIF 与自包含 HTML；此处没有 ffmpeg）及静态图。

# %%
anim = Visualization3D(*x_plot, z_values=z_plot, labels=labels, colors=colors, fig=fig, ax=ax,
                       every=FRAME_EVERY)
ax.legend(loc='upper left', bbox_to_anchor=(1.02, 1.0))   # beside the plot, not over it
fig.subplots_adjust(right=0.75)
anim.save_gif(S.path('opti-3d-anim.gif'), dpi=ANIM_DPI)
anim.save_html(S.path('opti-3d-anim.html'), dpi=ANIM_DPI)
S.figures += ['opti-3d-anim.gif', 'opti-3d-anim.html']
plt.close(fig)

fig = plot_trajectories_3d(OptimizedFunction3D(), x_plot, z_plot, labels, colors, points=points,
                           step=GRID_STEP)
S.savefig(fig, 'opti-3d-trajectories.pdf')

# %% [markdown]
# 从 (2, 3) 出发，SGD、AdaGrad、RMSprop、Adam 都没有停在鞍点 (0.25, -0.5)，而是走向局部极小点 (0,0)
# 附近。书中说 Momentum "成功逃离鞍点"：实际上 Momentum 的动量把 x 冲过鞍点、进入 x₂ → -∞ 的区域，
# 而 f 在那里无下界（x₂³ 项），于是发散（f → -∞，几十步后溢出为 NaN）；图中只画出各轨迹在 [-3,3]² 内的部分。

# %%
S.record(hessian_eigs_origin=np.linalg.eigvalsh(hessian_3d(MINIMUM)),
         hessian_eigs_saddle=np.linalg.eigvalsh(hessian_3d(SADDLE)),
         finals=finals, frame_every=FRAME_EVERY, x_init_after=x_init.numpy())
ev0 = np.linalg.eigvalsh(hessian_3d(MINIMUM))
S.claim(book='f 在 (0,0) 处存在鞍点', measured=f'Hessian eigenvalues at (0,0): {np.round(ev0, 3)} (both positive: '
        'a local minimum); the saddle is at (0.25, -0.5)', supported=bool(ev0[0] < 0 < ev0[1]))
mom = finals['Momentum']
converged = [k for k, v in finals.items() if not v['diverged'] and v['dist_to_min'] < 0.5]
S.claim(book='Momentum 成功逃离鞍点，其他优化器收敛到鞍点处没有成功逃离',
        measured=('Momentum leaves [-3,3]^2 at step {} and diverges (f -> -inf); '.format(mom['left_square_at_step'])
                  if mom['diverged'] else 'Momentum ends at {} ; '.format(np.round(mom['x'], 3)))
                 + 'within 0.5 of the local minimum (0,0) after {} steps: {}'.format(EPOCH, ', '.join(converged) or 'none'),
        supported=False,
        note='(0,0) is a local minimum, not a saddle: stopping there is convergence, and Momentum overshoots the '
             'real saddle (0.25,-0.5) into the region where f has no lower bound')
S.claim(book='五个优化器从同一个初始值 (2, 3) 出发（书中 train_f 共用一个 x_init）',
        measured=f'every trajectory starts at {np.unique(np.array([xs[0] for xs in x_all_opts]), axis=0).tolist()}; '
                 f'x_init after the five runs: {x_init.numpy().tolist()}',
        supported=bool(all(np.array_equal(xs[0], X_INIT) for xs in x_all_opts)
                       and np.array_equal(x_init.numpy(), X_INIT)))
S.save()
