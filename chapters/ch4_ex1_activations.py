# %% [markdown]
# # 动手练习 4.1 其他激活函数
#
# 练习：实现《神经网络与深度学习》4.1 节中的其他激活函数：Hard-Logistic、Hard-Tanh、ELU、
# Softplus、Swish。公式（同书 4.1 节）：
#
# - hard-logistic(x) = max(min(0.25x + 0.5, 1), 0)（Logistic 在 0 附近的一阶泰勒展开再截断）
# - hard-tanh(x) = max(min(x, 1), -1)
# - ELU(x) = x（x > 0），γ(exp(x) - 1)（x ≤ 0）
# - softplus(x) = log(1 + exp(x))
# - swish(x) = x σ(βx)
#
# 每个函数与飞桨的实现（`F.hardsigmoid(slope=0.25, offset=0.5)`、`F.hardtanh`、`F.elu`、
# `F.softplus`、`F.swish`）逐点比较，导数用自动微分与解析式比较，并画出函数曲线。

# %%
from nndl.app.script import setup
S = setup("ch4_ex1_activations")

import numpy as np
import paddle
import paddle.nn.functional as F
import matplotlib.pyplot as plt

from nndl.activation import logistic

# %%
NUM_POINTS = S.pick(10000, 2000)
GAMMA = 1.0                 # ELU 的 γ (paddle's alpha default)
BETA = 1.0                  # Swish 的 β (paddle's F.swish has β = 1)


def hard_logistic(x):
    return paddle.clip(0.25 * x + 0.5, 0.0, 1.0)


def hard_tanh(x):
    return paddle.clip(x, -1.0, 1.0)


def elu(x, gamma=GAMMA):
    # exp of the clipped input: no overflow on the branch that is not taken
    return paddle.where(x > 0, x, gamma * (paddle.exp(paddle.minimum(x, paddle.zeros_like(x))) - 1))


def softplus(x):
    # log(1 + exp(x)) = max(x, 0) + log(1 + exp(-|x|)): the same function without overflow
    return paddle.maximum(x, paddle.zeros_like(x)) + paddle.log1p(paddle.exp(-paddle.abs(x)))


def swish(x, beta=BETA):
    return x * logistic(beta * x)


ours = {'hard_logistic': hard_logistic, 'hard_tanh': hard_tanh, 'elu': elu, 'softplus': softplus, 'swish': swish}
theirs = {'hard_logistic': lambda x: F.hardsigmoid(x, slope=0.25, offset=0.5), 'hard_tanh': F.hardtanh,
          'elu': lambda x: F.elu(x, alpha=GAMMA), 'softplus': F.softplus, 'swish': F.swish}


def closed_form_grad(name, x):
    s = 1 / (1 + np.exp(-x))
    return {'hard_logistic': np.where(np.abs(x) < 2, 0.25, 0.0),
            'hard_tanh': np.where(np.abs(x) < 1, 1.0, 0.0),
            'elu': np.where(x > 0, 1.0, GAMMA * np.exp(np.minimum(x, 0))),
            'softplus': s,
            'swish': s + x * s * (1 - s)}[name]


# %%
z = paddle.linspace(-10, 10, NUM_POINTS, dtype='float64')
value_diff = {k: float(paddle.abs(ours[k](z) - theirs[k](z)).max()) for k in ours}
zg = paddle.linspace(-6, 6, 1200, dtype='float64')   # an even count: no point at 0, ±1, ±2 kinks
zg.stop_gradient = False
grad_diff = {}
for k, fn in ours.items():
    (g,) = paddle.grad(fn(zg).sum(), [zg])
    grad_diff[k] = float(np.abs(g.numpy() - closed_form_grad(k, zg.numpy())).max())
for k in ours:
    print(f"{k:14s} max |ours - paddle| = {value_diff[k]:.2g}, max |autograd - closed form| = {grad_diff[k]:.2g}")
big = paddle.to_tensor([-1000.0, 1000.0], dtype='float64')
finite = {k: bool(paddle.isfinite(fn(big)).all()) for k, fn in ours.items()}
print("finite at ±1000:", finite)

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
zn = z.numpy()
for k, style in (('hard_logistic', '-'), ('hard_tanh', '--')):
    axes[0].plot(zn, ours[k](z).numpy(), style, label=k)
axes[0].plot(zn, logistic(z).numpy(), ':', color='gray', label='logistic')
axes[0].set_xlim(-5, 5)
for k, style in (('elu', '-'), ('softplus', '--'), ('swish', '-.')):
    axes[1].plot(zn, ours[k](z).numpy(), style, label=k)
axes[1].set_xlim(-5, 5)
axes[1].set_ylim(-1.5, 5)
for ax in axes:
    ax.set_xlabel('z')
    ax.set_ylabel('f(z)')
    ax.legend()
S.savefig(fig, 'ex4-1-activations.pdf')
plt.close(fig)

# %%
S.record(max_value_diff_vs_paddle=value_diff, max_grad_diff_vs_closed_form=grad_diff, finite_at_1000=finite)
S.claim(book="动手练习 4.1: Hard-Logistic、Hard-Tanh、ELU、Softplus、Swish 的实现",
        measured="max difference from paddle's functions " + ", ".join(f"{k} {v:.1g}" for k, v in value_diff.items())
                 + "; autograd vs closed-form derivative " + ", ".join(f"{k} {v:.1g}" for k, v in grad_diff.items()),
        supported=bool(max(value_diff.values()) < 1e-12 and max(grad_diff.values()) < 1e-12 and all(finite.values())))
S.save()
