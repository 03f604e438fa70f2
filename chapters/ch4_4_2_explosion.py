# %% [markdown]
# # 4.4.2 梯度爆炸：随机矩阵的连乘
#
# 4.4.2 观察了梯度消失；反向传播中梯度是各层雅可比矩阵的连乘，同样可能爆炸（d2l「数值稳定性和
# 模型初始化」一节）。把一个 4×4 的高斯随机矩阵（方差 1）连续乘以 100 个同样的随机矩阵，元素
# 长到 1e25 量级；再多乘几十个，float32 就溢出成 inf。
#
# 连乘的增长速度可以预先算出：n×n、元素方差 σ² 的独立高斯矩阵，每乘一个，向量长度的对数平均
# 增加 λ = ½[ln(2σ²) + ψ(n/2)]（ψ 是 digamma 函数；n = 4、σ = 1 时 λ ≈ 0.558，即每层约
# 0.24 个数量级）。σ = 1/√n（Xavier 式的缩放）时 λ < 0，连乘缓慢地衰减（梯度消失），
# σ* = exp(-λ(σ=1)) 时长度平均不变。这里测量 λ，并用一个 100 层的 4 维线性网络的输入梯度
# （飞桨自动微分）验证同样的速度。

# %%
from nndl.app.script import setup
S = setup("ch4_4_2_explosion")

import math

import numpy as np
import paddle
import matplotlib.pyplot as plt

# %%
SEED = 0
N = 4                       # matrix size (d2l: 4x4)
NUM_PRODUCTS = 100          # d2l: 100 matrices
NUM_CHAINS = S.pick(2000, 400)   # independent chains for the mean growth rate
OVERFLOW_STEPS = 300        # long enough for float32 to reach inf at sigma = 1


def digamma_half_integer(k2):
    """ψ(k2/2) for a positive integer k2 (exact recursions, no scipy)."""
    if k2 % 2 == 0:
        m = k2 // 2
        return -0.5772156649015329 + sum(1.0 / j for j in range(1, m))
    m = (k2 - 1) // 2      # ψ(m + 1/2) = -γ - 2 ln 2 + Σ_{j=1..m} 2/(2j-1)
    return -0.5772156649015329 - 2 * math.log(2) + sum(2.0 / (2 * j - 1) for j in range(1, m + 1))


def growth_rate(sigma, n=N):
    return 0.5 * (math.log(2 * sigma ** 2) + digamma_half_integer(n))


# %%
paddle.seed(SEED)
M = paddle.normal(0, 1, shape=[N, N])
print('一个矩阵 \n', M.numpy())
for i in range(NUM_PRODUCTS):
    M = paddle.matmul(M, paddle.normal(0, 1, shape=[N, N]))
print(f'乘以{NUM_PRODUCTS}个矩阵后\n', M.numpy())
max_after_100 = float(paddle.abs(M).max())

# %%
overflow_at = None
M = paddle.normal(0, 1, shape=[N, N])
for i in range(OVERFLOW_STEPS):
    M = paddle.matmul(M, paddle.normal(0, 1, shape=[N, N]))
    if not bool(paddle.isfinite(M).all()):
        overflow_at = i + 1
        break
print(f"float32 overflows (inf/nan) after {overflow_at} products")

# %% [markdown]
# 平均增长速度：许多条独立的链，log‖v‖ 随乘的次数的斜率，与 λ 比较。

# %%
sigmas = {'1': 1.0, '1/sqrt(n)': 1 / math.sqrt(N), 'critical': math.exp(-growth_rate(1.0))}
measured, curves = {}, {}
for name, sigma in sigmas.items():
    v = paddle.ones([NUM_CHAINS, 1, N], dtype='float64') / math.sqrt(N)
    logs = [np.zeros(NUM_CHAINS)]
    log_norm = np.zeros(NUM_CHAINS)
    for _ in range(NUM_PRODUCTS):
        W = paddle.normal(0, sigma, shape=[NUM_CHAINS, N, N]).astype('float64')
        v = paddle.bmm(v, W)
        norm = paddle.linalg.norm(v, axis=-1, keepdim=True)
        log_norm = log_norm + np.log(norm.numpy().ravel())
        v = v / norm                     # renormalise: the log-norm is kept, the float range is not hit
        logs.append(log_norm.copy())
    curves[name] = np.mean(logs, axis=1)
    measured[name] = float(curves[name][-1] / NUM_PRODUCTS)
    print(f"sigma = {name:10s} ({sigma:.3f}): measured rate {measured[name]:+.4f} per product, "
          f"theory {growth_rate(sigma):+.4f}")

# %%
fig, ax = plt.subplots(figsize=(6, 4))
steps = np.arange(NUM_PRODUCTS + 1)
for (name, sigma), color in zip(sigmas.items(), ('#e4007f', '#1f77b4', 'gray')):
    ax.plot(steps, curves[name] / math.log(10), color=color, label=f"σ = {name} ({sigma:.2f})")
    ax.plot(steps, steps * growth_rate(sigma) / math.log(10), color=color, linestyle=':')
ax.set_xlabel('number of matrices multiplied')
ax.set_ylabel('mean log10 of the vector norm')
ax.legend()
S.savefig(fig, 'fw-explosion.pdf')
plt.close(fig)

# %% [markdown]
# 同样的连乘出现在网络的反向传播里：100 层、每层 4 维、权重 N(0, 1) 的线性网络，对输入的梯度
# 是各层权重转置的连乘，它的范数（飞桨自动微分）以同样的速度增长。

# %%
DEPTH = NUM_PRODUCTS
net_rates = []
for trial in range(S.pick(50, 20)):
    x = paddle.ones([1, N], dtype='float64') / math.sqrt(N)
    x.stop_gradient = False
    h = x
    for _ in range(DEPTH):
        h = paddle.matmul(h, paddle.normal(0, 1, shape=[N, N]).astype('float64'))
    u = paddle.normal(0, 1, shape=[1, N]).astype('float64')
    u = u / paddle.linalg.norm(u)
    (gx,) = paddle.grad((h * u).sum(), [x])       # gradient = u (W_L^T ... W_1^T)
    net_rates.append(math.log(float(paddle.linalg.norm(gx))) / DEPTH)
net_rate = float(np.mean(net_rates))
print(f"100-layer linear network, N(0, 1) weights: log ||dR/dx|| / depth = {net_rate:.4f} "
      f"(mean of {len(net_rates)}), theory {growth_rate(1.0):.4f}")

# %%
S.record(max_entry_after_100=max_after_100, overflow_after=overflow_at, measured_rates=measured,
         theory_rates={k: growth_rate(s) for k, s in sigmas.items()}, network_rate=net_rate,
         num_chains=NUM_CHAINS)
S.claim(book="方差为 1 的随机矩阵连乘 100 次后矩阵乘积发生爆炸 (d2l: 元素 1e25 量级)",
        measured=f"largest entry after {NUM_PRODUCTS} products {max_after_100:.2g}; float32 inf after "
                 f"{overflow_at} products",
        supported=bool(max_after_100 > 1e15 and overflow_at is not None))
tol = 4.0 / math.sqrt(NUM_CHAINS * NUM_PRODUCTS)     # a few standard errors of the mean rate
S.claim(book="连乘的增长速度 λ = ½[ln(2σ²) + ψ(n/2)]: σ=1 爆炸, σ=1/√n 衰减, σ* 保持不变",
        measured=", ".join(f"σ={k}: {measured[k]:+.4f} (theory {growth_rate(s):+.4f})" for k, s in sigmas.items()),
        supported=bool(all(abs(measured[k] - growth_rate(s)) < tol for k, s in sigmas.items())))
S.claim(book="反向传播中的梯度是各层矩阵的连乘: 深层网络的梯度同样爆炸",
        measured=f"100-layer linear network: log-norm of the input gradient grows {net_rate:.3f} per layer "
                 f"(theory {growth_rate(1.0):.3f})",
        supported=bool(abs(net_rate - growth_rate(1.0)) < 0.1))
S.save()
