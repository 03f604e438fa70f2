# %% [markdown]
# # 动手练习 2.4 不做特征归一化会怎样？
#
# 重复 2.5 的波士顿房价实验，但跳过 2.5.1.4 的 min-max 归一化。最小二乘解对特征的仿射变换
# 是等变的：精确计算时，归一化与否给出完全相同的预测，只有权重的尺度不同（权重不再能直接比较
# 特征的重要性）。在 float32 下用 `paddle.inverse` 求解时，未归一化的特征（TAX 约为 700，
# NOX 小于 1）使 $(X-\bar{x})^\top(X-\bar{x})$ 的条件数变大，数值误差随之变大；这里同时用 float64
# 求解作为参照。

# %%
from nndl.app.script import setup
S = setup("ch2_ex4_no_normalization")

import numpy as np
import paddle

from nndl import mean_squared_error, optimizer_lsm, train_test_split
from nndl.datasets.boston import BOSTON_CSV, clip_outliers, load_boston, make_miniature
from nndl.regression import Linear

# the chapter's models are tiny and the book printed its random draws on the CPU
# (paddle.seed gives other numbers on a GPU), so this section runs on the CPU
paddle.set_device("cpu")

# %%
SPLIT_SEED = 10

# %%
data, standin = S.data(
    load_boston,
    lambda: load_boston(make_miniature(S.path("boston_miniature.csv")), expect_rows=None),
    BOSTON_CSV.title)
data = clip_outliers(data)
paddle.seed(SPLIT_SEED)
X_train, X_test, y_train, y_test = train_test_split(data.drop(['MEDV'], axis=1), data['MEDV'])


def run(normalize, dtype):
    Xtr = paddle.to_tensor(X_train, dtype=dtype)
    Xte = paddle.to_tensor(X_test, dtype=dtype)
    ytr = paddle.to_tensor(y_train, dtype=dtype)
    yte = paddle.to_tensor(y_test, dtype=dtype)
    if normalize:
        X_min, X_max = paddle.min(Xtr, axis=0), paddle.max(Xtr, axis=0)
        Xtr, Xte = (Xtr - X_min) / (X_max - X_min), (Xte - X_min) / (X_max - X_min)
    model = optimizer_lsm(Linear(Xtr.shape[1]), Xtr, ytr)
    pred = model(Xte).reshape([-1])
    xc = (Xtr - Xtr.mean(0)).numpy().astype(np.float64)
    return {"mse": mean_squared_error(yte, pred).item(), "pred": pred.numpy().astype(np.float64),
            "cond": float(np.linalg.cond(xc.T @ xc)),
            "w_abs_range": [float(np.abs(model.params['w'].numpy()).min()),
                            float(np.abs(model.params['w'].numpy()).max())]}


results = {}
for normalize in (True, False):
    for dtype in ('float32', 'float64'):
        key = f"{'normalized' if normalize else 'raw'}_{dtype}"
        results[key] = run(normalize, dtype)
        r = results[key]
        print(f"{key:18s}: test MSE {r['mse']:.6f}, cond(XᵀX) {r['cond']:.2e}, |w| in "
              f"[{r['w_abs_range'][0]:.2e}, {r['w_abs_range'][1]:.2e}]")
ref = results["normalized_float64"]["pred"]
diffs = {k: float(np.abs(v["pred"] - ref).max()) for k, v in results.items()}
print("max |prediction - normalized float64 prediction|:", {k: f"{v:.1e}" for k, v in diffs.items()})

# %%
S.record(standin=standin, mse={k: v["mse"] for k, v in results.items()},
         cond={k: v["cond"] for k, v in results.items()}, max_pred_diff=diffs)
S.claim(book="练习 2.4: 如果不对特征进行归一化处理, 会对模型的学习有什么样的影响?",
        measured=f"float64: the same predictions (max diff {diffs['raw_float64']:.1e}); float32: raw-feature "
                 f"cond {results['raw_float32']['cond']:.1e} vs {results['normalized_float32']['cond']:.1e}, "
                 f"prediction error {diffs['raw_float32']:.1e} vs {diffs['normalized_float32']:.1e}",
        supported=None,
        note="an observation, not a claim of the book: normalisation changes the weights' scale and the "
             "numerical conditioning, not the least-squares fit")
S.save()
