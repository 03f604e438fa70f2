# %% [markdown]
# # 动手练习 2.1 验证公式 (2.14)
#
# 带 $\ell_2$ 正则化的最小二乘解
# $\mathbf{w}^* = ((\mathbf{X}-\bar{\mathbf{x}}^\top)^\top(\mathbf{X}-\bar{\mathbf{x}}^\top)+\lambda\mathbf{I})^{-1}
# (\mathbf{X}-\bar{\mathbf{x}}^\top)^\top(\mathbf{y}-\bar{y})$，$b^*=\bar{y}-\bar{\mathbf{x}}^\top\mathbf{w}^*$
# 应使结构风险 $\frac{1}{2}\|\mathbf{Xw}+b-\mathbf{y}\|^2+\frac{\lambda}{2}\|\mathbf{w}\|^2$ 的梯度为零
# （书省略了系数 $1/N$，见 2.2.4 的提醒）。这里用 float64 数值验证：在 $\mathbf{w}^*, b^*$ 处
# 自动微分求出的梯度为零，且 $\mathbf{w}^*$ 是最小点（扰动后风险变大）；再与 `optimizer_lsm` 的结果比较。

# %%
from nndl.app.script import setup
S = setup("ch2_ex1_ridge_formula")

import numpy as np
import paddle

from nndl import optimizer_lsm
from nndl.regression import Linear

# the chapter's models are tiny and the book printed its random draws on the CPU
# (paddle.seed gives other numbers on a GPU), so this section runs on the CPU
paddle.set_device("cpu")

# %%
SEED = 0
N, D = S.pick(200, 50), 5
LAMBDAS = [0.0, 0.1, 1.0, 10.0]

# %%
rs = np.random.RandomState(SEED)
X = rs.rand(N, D)
y = X @ rs.randn(D) + 0.3 + 0.1 * rs.randn(N)


def risk(w, b, lam):
    Xt, yt = paddle.to_tensor(X), paddle.to_tensor(y)
    r = paddle.matmul(Xt, w) + b - yt
    return 0.5 * paddle.sum(r * r) + 0.5 * lam * paddle.sum(w * w)


rows = []
for lam in LAMBDAS:
    xm = X.mean(0)
    Xc = X - xm
    w_star = np.linalg.solve(Xc.T @ Xc + lam * np.eye(D), Xc.T @ (y - y.mean()))   # 公式 (2.14)
    b_star = y.mean() - xm @ w_star                                                 # 公式 (2.13)
    w = paddle.to_tensor(w_star, stop_gradient=False)
    b = paddle.to_tensor(b_star, stop_gradient=False)
    gw, gb = paddle.grad(risk(w, b, lam), [w, b])
    grad_norm = float(np.sqrt((gw.numpy() ** 2).sum() + float(gb) ** 2))
    base = float(risk(w.detach(), b.detach(), lam))
    worse = min(float(risk(paddle.to_tensor(w_star + 1e-3 * rs.randn(D)), b.detach(), lam)) - base
                for _ in range(20))
    model = optimizer_lsm(Linear(D), paddle.to_tensor(X, dtype='float32'), paddle.to_tensor(y, dtype='float32'),
                          reg_lambda=lam)
    lsm_diff = float(np.abs(model.params['w'].numpy().ravel() - w_star).max())
    rows.append({"lambda": lam, "grad_norm": grad_norm, "min_risk_increase": worse, "lsm_max_diff": lsm_diff})
    print(f"lambda={lam:5}: |grad| at w*,b* = {grad_norm:.2e}, smallest risk increase of 20 perturbations "
          f"{worse:.2e}, |optimizer_lsm - w*| = {lsm_diff:.1e}")

# %%
S.record(rows=rows)
S.claim(book="公式 (2.14) 是带 ℓ2 正则化的最小二乘解",
        measured=f"max gradient norm at (w*, b*) {max(r['grad_norm'] for r in rows):.1e}; every perturbation "
                 f"increases the risk; optimizer_lsm (float32) within {max(r['lsm_max_diff'] for r in rows):.1e}",
        supported=all(r["grad_norm"] < 1e-8 and r["min_risk_increase"] > 0 and r["lsm_max_diff"] < 1e-3 for r in rows))
S.save()
