# %% [markdown]
# # 7.3.1 优化算法的实验设定
#
# 两个实验反复用来比较优化算法：
# - **2D可视化实验**：被优化函数 sphere(x) = wᵀx²（w=[0.2, 2]），梯度 2w⊙x，从 x=(3, 4) 出发，画出 x 的更新轨迹；
# - **简单拟合实验**：y = 0.5x₁ + 0.8x₂ + 0.01·noise 的 1000 个样本，单层线性网络，
#   损失 1/(2K)Σ(y-z)²，批大小 64、30 个回合、不打乱数据。
#
# 本节用小批量梯度下降（`SimpleBatchGD`，书中印刷版称 `Minibatch_GD`）完成两个实验，
# 并与 `paddle.optimizer.SGD` 对比一步更新。

# %%
from nndl.app.script import setup
S = setup("ch7_3_1_setup")

import numpy as np
import paddle
import paddle.nn as nn
from paddle import optimizer

from nndl.op import SimpleBatchGD
from nndl.functions import OptimizedFunction, train_and_plot_f, train_and_plot
from nndl.functions import Linear   # 7.3.1.2 的 Linear（即 nndl.LinearFit，不同于 4.2.4.4 的 nndl.op.Linear）

# %%
W_SPHERE = [0.2, 2]        # sphere(x) = wᵀx² 中的 w
LR_2D, EPOCH_2D = 0.2, 20  # 7.3.1.1
LR_FIT = 0.01              # 7.3.1.2：批大小 64、30 个回合（train_and_plot 的默认值）

# %% [markdown]
# ## 7.3.1.1 2D可视化实验

# %%
# 固定随机种子
paddle.seed(0)
w = paddle.to_tensor(W_SPHERE)
model = OptimizedFunction(w)
opt = SimpleBatchGD(init_lr=LR_2D, model=model)
xs, losses, fig = train_and_plot_f(model, opt, epoch=EPOCH_2D, fig_name='opti-vis-para.pdf', savefig=S.savefig)
print('x after {} steps: {}, f(x) = {:.6f}'.format(EPOCH_2D, xs[-1], losses[-1]))

# %% [markdown]
# 图中颜色代表 f(x₁, x₂) 的取值，黑线是等值线。x₂ 方向的曲率（w₂=2）远大于 x₁ 方向（w₁=0.2），
# 同一学习率下 x₂ 很快收敛、x₁ 收敛很慢。
#
# ## 7.3.1.2 简单拟合实验

# %%
# 固定随机种子
paddle.seed(0)
# 随机生成shape为 (1000, 2) 的训练数据
X = paddle.randn([1000, 2])
w = paddle.to_tensor([0.5, 0.8])
w = paddle.unsqueeze(w, axis=1)
noise = 0.01 * paddle.rand([1000])
noise = paddle.unsqueeze(noise, axis=1)
# 计算y
y = paddle.matmul(X, w) + noise
# 打印X, y样本（随机数流随设备和飞桨版本而变：书中 GPU 上为 X: [-4.080414 -1.3719953]）
print('X: ', X[0].numpy())
print('y: ', y[0].numpy())

# X, y组成训练样本数据
data = paddle.concat((X, y), axis=1)
print('input data shape: ', list(data.shape))
print('data: ', data[0].numpy())

# %%
# 固定随机种子
paddle.seed(0)
# 定义网络结构
model = Linear(2)
# 定义优化器
opt = SimpleBatchGD(init_lr=LR_FIT, model=model)
iter_loss, epoch_loss, fig = train_and_plot(opt, 'opti-loss.pdf', data=data, savefig=S.savefig)
print('SGD final epoch loss: {:.6f}'.format(epoch_loss[-1]))

# %% [markdown]
# 损失不断减小，模型逐渐收敛。
#
# ## 与飞桨 API 对比，验证正确性
#
# 用书中的 W₀ 和样本（书中 GPU 随机数流得到的值），自定义 `SimpleBatchGD` 与 `paddle.optimizer.SGD`
# 各更新一步（飞桨一侧用 mse_loss/2，与手写梯度对应的损失一致）。

# %%
W0 = paddle.to_tensor([[-4.080414], [-1.3719953]])   # the book's sample, so the printed numbers match
x = paddle.to_tensor([[-4.080414, -1.3719953]])
y = paddle.to_tensor([[-3.136211]])

model1 = Linear(2, weight_init=lambda shape: W0.clone())
print('model1 parameter W: ', model1.params['W'].numpy())
opt1 = SimpleBatchGD(init_lr=0.01, model=model1)
output1 = model1(x)

model2 = nn.Linear(2, 1, paddle.nn.initializer.Assign(model1.params['W']))
print('model2 parameter W: ', model2.state_dict()['weight'].numpy())
output2 = model2(x)

model1.backward(y)
opt1.step()
print('model1 parameter W after train step: ', model1.params['W'].numpy())

opt2 = optimizer.SGD(learning_rate=0.01, parameters=model2.parameters())
loss = paddle.nn.functional.mse_loss(output2, y) / 2
loss.backward()
opt2.step()
opt2.clear_grad()
print('model2 parameter W after train step: ', model2.state_dict()['weight'].numpy())

# %% [markdown]
# 一步更新后两个模型的参数一致（书中：[[-3.196255], [-1.0747064]]）。

# %%
S.record(sphere_x_final=xs[-1], sphere_f_final=losses[-1], X0=X[0].numpy(), data_shape=list(data.shape),
         fit_final_epoch_loss=epoch_loss[-1],
         one_step_W_nndl=model1.params['W'].numpy().reshape(-1), one_step_W_paddle=model2.weight.numpy().reshape(-1),
         one_step_W_book=[-3.196255, -1.0747064])
S.claim(book='小批量梯度下降：损失不断减小，模型逐渐收敛（图 7.4）',
        measured=f'epoch loss {epoch_loss[0]:.4f} -> {epoch_loss[-1]:.6f} over {len(epoch_loss)} epochs, '
                 f'{int(np.sum(np.diff(epoch_loss) < 0))} of {len(epoch_loss) - 1} epochs lower than the one before',
        supported=bool(epoch_loss[-1] < 0.01 * epoch_loss[0] and np.all(np.diff(epoch_loss) <= 0)))
gap = float(np.abs(model1.params['W'].numpy().reshape(-1) - model2.weight.numpy().reshape(-1)).max())
book_gap = float(np.abs(model1.params['W'].numpy().reshape(-1) - np.array([-3.196255, -1.0747064])).max())
S.claim(book='自定义 SimpleBatchGD 与 paddle.optimizer.SGD 更新一步后参数一致（[[-3.196255], [-1.0747064]]）',
        measured=f'max |W_nndl - W_paddle| = {gap:.2e}, max |W_nndl - book| = {book_gap:.2e}',
        supported=bool(gap < 1e-6 and book_gap < 1e-6))
S.save()
