# %% [markdown]
# # 4.2.4 反向传播的四个方程（数值验证）
#
# 4.2.4 按算子实现反向传播；误差反向传播讲义把同一计算写成四个方程（批量形式，样本按行排列，
# δ⁽ˡ⁾ = ∂R/∂Z⁽ˡ⁾）：
#
# - (BP1) 输出层误差 δ⁽ᴸ⁾ = ∂R/∂A⁽ᴸ⁾ ⊙ f'(Z⁽ᴸ⁾)；Logistic 输出配交叉熵时化简为 (A⁽ᴸ⁾ - Y)/N；
# - (BP2) δ⁽ˡ⁾ = (δ⁽ˡ⁺¹⁾ W⁽ˡ⁺¹⁾ᵀ) ⊙ f'(Z⁽ˡ⁾)；
# - (BP3) ∂R/∂b⁽ˡ⁾ = 1ᵀ δ⁽ˡ⁾；
# - (BP4) ∂R/∂W⁽ˡ⁾ = A⁽ˡ⁻¹⁾ᵀ δ⁽ˡ⁾。
#
# 在 float64 的 `Model_MLP_L2` 上逐个验证：方程的右边与 `BinaryCrossEntropyLoss(model).backward()`
# 得到的梯度、飞桨自动微分 `paddle.grad`（对中间变量 Z⁽ˡ⁾ 也求导）以及中心差分（步长 1e-6；δ⁽¹⁾ 中
# 接近 0 的元素使逐元素相对误差到 1e-6 量级，阈值取 1e-5）比较。讲义还指出
# 四个方程是对单个样本写的，小批量的梯度是各样本梯度的平均：这里也逐样本验证。

# %%
from nndl.app.script import setup
S = setup("ch4_2_4_bp_equations")

import numpy as np
import paddle
import paddle.nn.functional as F

from nndl import Model_MLP_L2, BinaryCrossEntropyLoss, make_moons
from nndl.gradcheck import numerical_grad, rel_error

# %%
SEED = 0
N = 16                              # samples in the batch
INPUT_SIZE, HIDDEN_SIZE, OUTPUT_SIZE = 2, 5, 1

paddle.seed(SEED)
X, y = make_moons(n_samples=N, shuffle=True, noise=0.5)
X = X.astype('float64')
Y = y.reshape([-1, 1]).astype('float64')
model = Model_MLP_L2(INPUT_SIZE, HIDDEN_SIZE, OUTPUT_SIZE, dtype='float64')
# non-zero biases, so that (BP3) is not checked against zeros only
model.fc1.params['b'] = paddle.to_tensor(np.random.RandomState(SEED).randn(1, HIDDEN_SIZE) * 0.5)
model.fc2.params['b'] = paddle.to_tensor(np.random.RandomState(SEED + 1).randn(1, OUTPUT_SIZE) * 0.5)
W1, b1 = model.fc1.params['W'], model.fc1.params['b']
W2, b2 = model.fc2.params['W'], model.fc2.params['b']

# %% [markdown]
# 前向计算，记下每层的 Z、A；再用损失的 backward() 跑一遍手写的反向传播。

# %%
loss_fn = BinaryCrossEntropyLoss(model)
A2 = model(X)
loss = loss_fn(A2, Y)
loss_fn.backward()
Z1 = paddle.matmul(X, W1) + b1
A1 = F.sigmoid(Z1)
Z2 = paddle.matmul(A1, W2) + b2
print("loss:", loss.item())

# %% [markdown]
# 四个方程的右边。

# %%
dA2 = -(Y / A2 - (1 - Y) / (1 - A2)) / N                 # ∂R/∂A2, eq. (4.10)
delta2 = dA2 * A2 * (1 - A2)                              # (BP1)
delta2_simple = (A2 - Y) / N                              # (BP1), logistic + cross-entropy
delta1 = paddle.matmul(delta2, W2, transpose_y=True) * A1 * (1 - A1)   # (BP2)
bp = {
    'dR/db2 (BP3)': delta2.sum(axis=0, keepdim=True),
    'dR/dW2 (BP4)': paddle.matmul(A1, delta2, transpose_x=True),
    'dR/db1 (BP3)': delta1.sum(axis=0, keepdim=True),
    'dR/dW1 (BP4)': paddle.matmul(X, delta1, transpose_x=True),
}
ops = {'dR/db2 (BP3)': model.fc2.grads['b'], 'dR/dW2 (BP4)': model.fc2.grads['W'],
       'dR/db1 (BP3)': model.fc1.grads['b'], 'dR/dW1 (BP4)': model.fc1.grads['W']}

# %% [markdown]
# 参照一：飞桨自动微分（δ 也由自动微分对中间变量 Z⁽ˡ⁾ 求得）。参照二：中心差分。

# %%
leaves = {k: paddle.to_tensor(v.numpy(), stop_gradient=False) for k, v in
          (('W1', W1), ('b1', b1), ('W2', W2), ('b2', b2))}
z1 = paddle.matmul(X, leaves['W1']) + leaves['b1']
z2 = paddle.matmul(F.sigmoid(z1), leaves['W2']) + leaves['b2']
ref_loss = F.binary_cross_entropy(F.sigmoid(z2), Y)
g_z1, g_z2, gW1, gb1, gW2, gb2 = paddle.grad(ref_loss, [z1, z2, leaves['W1'], leaves['b1'],
                                                        leaves['W2'], leaves['b2']])
auto = {'delta2 (BP1)': g_z2, 'delta1 (BP2)': g_z1, 'dR/db2 (BP3)': gb2, 'dR/dW2 (BP4)': gW2,
        'dR/db1 (BP3)': gb1, 'dR/dW1 (BP4)': gW1}


def loss_of(**p):
    v = {k: paddle.to_tensor(t.numpy()) for k, t in (('W1', W1), ('b1', b1), ('W2', W2), ('b2', b2))}
    v.update(p)
    a2 = F.sigmoid(paddle.matmul(F.sigmoid(paddle.matmul(X, v['W1']) + v['b1']), v['W2']) + v['b2'])
    return F.binary_cross_entropy(a2, Y)


fd = {'dR/db2 (BP3)': numerical_grad(lambda t: loss_of(b2=t), b2),
      'dR/dW2 (BP4)': numerical_grad(lambda t: loss_of(W2=t), W2),
      'dR/db1 (BP3)': numerical_grad(lambda t: loss_of(b1=t), b1),
      'dR/dW1 (BP4)': numerical_grad(lambda t: loss_of(W1=t), W1),
      'delta2 (BP1)': numerical_grad(lambda z: F.binary_cross_entropy(F.sigmoid(z), Y), Z2),
      'delta1 (BP2)': numerical_grad(lambda z: F.binary_cross_entropy(
          F.sigmoid(paddle.matmul(F.sigmoid(z), W2) + b2), Y), Z1)}
eqs = {'delta2 (BP1)': delta2, 'delta1 (BP2)': delta1, **bp}

errors = {}
print(f"{'quantity':14s} {'vs autograd':>12s} {'vs finite diff':>15s} {'vs op backward':>15s}")
for name, value in eqs.items():
    e_auto = rel_error(value, auto[name])
    e_fd = rel_error(value, fd[name])
    e_op = rel_error(value, ops[name]) if name in ops else None
    errors[name] = {'autograd': e_auto, 'finite_difference': e_fd, 'op_backward': e_op}
    print(f"{name:14s} {e_auto:12.2e} {e_fd:15.2e} " + (f"{e_op:15.2e}" if e_op is not None else f"{'-':>15s}"))
bp1_simplified = rel_error(delta2, delta2_simple)
print(f"(BP1) with logistic + cross-entropy: delta2 = (A2 - Y)/N, rel. error {bp1_simplified:.2e}")

# %% [markdown]
# 逐样本：每个样本单独做前向和反向（N = 1），梯度的平均等于整批的梯度。

# %%
per_sample = {k: [] for k in ops}
for i in range(N):
    loss_i = BinaryCrossEntropyLoss(model)
    loss_i(model(X[i:i + 1]), Y[i:i + 1])
    loss_i.backward()
    for k, (fc, key) in {'dR/db2 (BP3)': (model.fc2, 'b'), 'dR/dW2 (BP4)': (model.fc2, 'W'),
                         'dR/db1 (BP3)': (model.fc1, 'b'), 'dR/dW1 (BP4)': (model.fc1, 'W')}.items():
        per_sample[k].append(fc.grads[key].numpy())
mean_error = max(rel_error(np.mean(per_sample[k], axis=0), bp[k]) for k in bp)
print(f"mean of the {N} per-sample gradients vs the batch gradient: max rel. error {mean_error:.2e}")

# %%
worst_auto = max(e['autograd'] for e in errors.values())
worst_fd = max(e['finite_difference'] for e in errors.values())
worst_op = max(e['op_backward'] for e in errors.values() if e['op_backward'] is not None)
# as strings: S.record keeps 8 decimals, which would turn errors of 1e-16 into 0.0
S.record(errors={k: {kk: None if vv is None else f"{vv:.3g}" for kk, vv in e.items()} for k, e in errors.items()},
         bp1_simplified_error=f"{bp1_simplified:.3g}", per_sample_mean_error=f"{mean_error:.3g}", loss=loss.item())
S.claim(book="反向传播的四个方程 (BP1)-(BP4) 给出每层的误差项和参数梯度 (讲义; 本书 4.2.4 的算子实现同一计算)",
        measured=f"float64, N={N}: max rel. error vs autograd {worst_auto:.1e}, vs central difference {worst_fd:.1e}, "
                 f"vs Model_MLP_L2's backward {worst_op:.1e}; (BP1) = (A2-Y)/N to {bp1_simplified:.1e}",
        supported=bool(worst_auto < 1e-10 and worst_fd < 1e-5 and worst_op < 1e-10 and bp1_simplified < 1e-10))
S.claim(book="四个方程是单个样本的; 小批量的梯度是各样本梯度的平均 (讲义)",
        measured=f"mean of {N} per-sample gradients = batch gradient to {mean_error:.1e}",
        supported=bool(mean_error < 1e-10))
S.save()
