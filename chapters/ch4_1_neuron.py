# %% [markdown]
# # 4.1 神经元
#
# 神经元接收一组输入 x，计算净活性值 z = wᵀx + b（式 4.1；N 个样本成批计算 z = Xw + b，
# 式 4.2），再经过非线性激活函数得到活性值 a = f(z)。本节实现并画出两类激活函数：
# Sigmoid 型函数（Logistic、Tanh，图 4.3 `fw-logistic-tanh.pdf`）和 ReLU 型函数（ReLU、
# 带泄露的 ReLU，图 4.4 `fw-relu-leakyrelu.pdf`）。
#
# 书中的函数在 `nndl.activation`；这里还把它们与飞桨的 `F.sigmoid`、`F.tanh`、`F.relu`、
# `F.leaky_relu` 逐点比较，并（按 d2l 多层感知机一章的做法）用自动微分画出四个函数的导数：
# Logistic 的导数最大只有 0.25，这是 4.4.2 梯度消失的根源。

# %%
from nndl.app.script import setup
S = setup("ch4_1_neuron")

import numpy as np
import paddle
import paddle.nn.functional as F
import matplotlib.pyplot as plt

from nndl.activation import logistic, tanh, relu, leaky_relu

# %%
NUM_POINTS = S.pick(10000, 2000)   # 在 [-10, 10] 上取点画曲线
NEGATIVE_SLOPE = 0.1               # leaky_relu 的默认斜率 (4.1.2.2)

# %% [markdown]
# ## 4.1.1 净活性值
#
# 书中 `paddle.rand` 没有固定种子，这里先按书随机生成一组 X、w、b；再用书中印出的 X、w、b
# 重新计算一次，应得到书中印出的 z = [[3.47830486], [3.04096484]]。

# %%
paddle.seed(0)
# 两个特征数为5的样本
X = paddle.rand(shape=[2, 5])
# 含有5个参数的权重向量
w = paddle.rand(shape=[5, 1])
# 偏置项
b = paddle.rand(shape=[1, 1])
# 使用'paddle.matmul'实现矩阵相乘
z = paddle.matmul(X, w) + b
print("input X:", X)
print("weight w:", w, "\nbias b:", b)
print("output z:", z)

# %%
X_book = paddle.to_tensor([[0.68608588, 0.98838335, 0.90042728, 0.03543352, 0.94395220],
                           [0.88178754, 0.63330865, 0.17612664, 0.90020746, 0.64029330]])
w_book = paddle.to_tensor([[0.97993565], [0.67064512], [0.39250144], [0.18568753], [0.88017946]])
b_book = paddle.to_tensor([[0.95228434]])
z_book = paddle.matmul(X_book, w_book) + b_book
Z_PRINTED = np.array([[3.47830486], [3.04096484]])
print("output z (the book's X, w, b):", z_book.numpy().ravel())
z_err = float(np.abs(z_book.numpy() - Z_PRINTED).max())
# nn.Linear computes the same affine map (笔记)
lin = paddle.nn.Linear(5, 1)
lin.weight.set_value(w_book)
lin.bias.set_value(b_book.reshape([1]))
lin_err = float(np.abs(lin(X_book).numpy() - Z_PRINTED).max())

# %% [markdown]
# ## 4.1.2 激活函数

# %%
z = paddle.linspace(-10, 10, NUM_POINTS)
fig = plt.figure()
plt.plot(z.tolist(), logistic(z).tolist(), color='red', label="Logistic Function")
plt.plot(z.tolist(), tanh(z).tolist(), color='blue', linestyle='--', label="Tanh Function")
ax = plt.gca()
# 隐藏上、右两个轴，把左、下两个轴移到原点
ax.spines['top'].set_color('none')
ax.spines['right'].set_color('none')
ax.spines['left'].set_position(('data', 0))
ax.spines['bottom'].set_position(('data', 0))
ax.set_xlabel('z', loc='right')
ax.set_ylabel('f(z)', loc='top')
plt.legend()
S.savefig(fig, 'fw-logistic-tanh.pdf')
plt.close(fig)

# %%
fig = plt.figure()
plt.plot(z.tolist(), relu(z).tolist(), color="red", label="ReLU Function")
plt.plot(z.tolist(), leaky_relu(z, NEGATIVE_SLOPE).tolist(), color="green", linestyle="--",
         label="LeakyReLU Function")
ax = plt.gca()
ax.spines['top'].set_color('none')
ax.spines['right'].set_color('none')
ax.spines['left'].set_position(('data', 0))
ax.spines['bottom'].set_position(('data', 0))
ax.set_xlabel('z', loc='right')
ax.set_ylabel('f(z)', loc='top')
plt.legend()
S.savefig(fig, 'fw-relu-leakyrelu.pdf')
plt.close(fig)

# %% [markdown]
# 与飞桨的实现逐点比较（笔记：`paddle.nn.functional.sigmoid/tanh/relu/leaky_relu`）。

# %%
pairs = {
    'logistic': (logistic(z), F.sigmoid(z)),
    'tanh': (tanh(z), F.tanh(z)),
    'relu': (relu(z), F.relu(z)),
    'leaky_relu': (leaky_relu(z, NEGATIVE_SLOPE), F.leaky_relu(z, NEGATIVE_SLOPE)),
}
max_diff = {k: float(paddle.abs(a - b).max()) for k, (a, b) in pairs.items()}
for k, v in max_diff.items():
    print(f"{k}: max |nndl - paddle| = {v:.3g}")

# %% [markdown]
# 激活函数的导数（自动微分）：σ'(z) = σ(z)(1-σ(z)) ≤ 0.25，tanh'(z) = 1 - tanh²(z) ≤ 1，
# ReLU 在 z > 0 时导数为 1、z < 0 时为 0（死亡 ReLU，4.4.3），带泄露的 ReLU 在 z < 0 时为 λ。

# %%
zg = paddle.linspace(-8, 8, 1600)   # an even count: no point at the kink z = 0
zg.stop_gradient = False
derivs = {}
for name, fn in (('logistic', logistic), ('tanh', tanh), ('relu', relu),
                 ('leaky_relu', lambda t: leaky_relu(t, NEGATIVE_SLOPE))):
    (g,) = paddle.grad(fn(zg).sum(), [zg])
    derivs[name] = g.numpy()
zn = zg.numpy()
sig = 1 / (1 + np.exp(-zn.astype(np.float64)))
closed = {'logistic': sig * (1 - sig), 'tanh': 1 - np.tanh(zn.astype(np.float64)) ** 2,
          'relu': (zn > 0).astype(float), 'leaky_relu': np.where(zn > 0, 1.0, NEGATIVE_SLOPE)}
deriv_err = {k: float(np.abs(derivs[k] - closed[k]).max()) for k in derivs}
fig, ax = plt.subplots(figsize=(6, 4))
for name, color in (('logistic', 'red'), ('tanh', 'blue'), ('relu', 'black'), ('leaky_relu', 'green')):
    ax.plot(zn, derivs[name], color=color, label=f"{name}'")
ax.set_xlabel('z')
ax.set_ylabel("f'(z)")
ax.legend()
S.savefig(fig, 'fw-activation-grads.pdf')
plt.close(fig)
print(f"max logistic'(z) = {derivs['logistic'].max():.4f}, max tanh'(z) = {derivs['tanh'].max():.4f}")

# %%
S.record(z_book_max_error=z_err, nn_linear_max_error=lin_err, activation_vs_paddle=max_diff,
         derivative_vs_closed_form=deriv_err, max_logistic_derivative=float(derivs['logistic'].max()),
         max_tanh_derivative=float(derivs['tanh'].max()))
S.claim(book="z = Xw + b, from the printed X, w, b, is [[3.47830486], [3.04096484]] (4.1.1)",
        measured=f"max |z - printed| = {z_err:.2g} (nn.Linear: {lin_err:.2g})",
        supported=z_err < 1e-5 and lin_err < 1e-5)
S.claim(book="paddle.nn.functional 的 sigmoid、tanh、relu、leaky_relu 计算同样的函数 (笔记, 4.1.2)",
        measured="max differences " + ", ".join(f"{k} {v:.2g}" for k, v in max_diff.items()),
        supported=max(max_diff.values()) < 1e-6)
S.claim(book="Sigmoid 型函数两端饱和: 饱和区的导数接近 0 (4.1.2.1, 4.4.2)",
        measured=f"logistic' <= {derivs['logistic'].max():.4f}, logistic'(±8) = {derivs['logistic'][0]:.2g}; "
                 f"autograd vs closed form max error {max(deriv_err.values()):.2g}",
        supported=bool(derivs['logistic'].max() <= 0.25 + 1e-6 and derivs['logistic'][0] < 1e-3
                       and max(deriv_err.values()) < 1e-5))
S.save()
