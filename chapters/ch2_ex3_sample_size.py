# %% [markdown]
# # 动手练习 2.3 样本数量与过拟合
#
# 在 ToySin25 的设置下（$\sin(2\pi x)$，噪声 0.1）调整训练样本数，观察不同复杂度（阶数
# $M=1, 3, 8$）的模型避免过拟合对样本数量的要求：每个样本数重复 `REPEATS` 次，取测试误差的中位数。
# 8 阶模型在 float32 下求逆数值不稳（2.3 的“思考”），会掩盖样本数的作用，所以这里的
# 最小二乘在 float64 下求解（`optimizer_lsm` 按输入的 dtype 计算）。

# %%
from nndl.app.script import setup
S = setup("ch2_ex3_sample_size")

import matplotlib.pyplot as plt
import numpy as np
import paddle

from nndl import create_toy_data, mean_squared_error, optimizer_lsm, polynomial_basis_function, sin
from nndl.regression import Linear

# the chapter's models are tiny and the book printed its random draws on the CPU
# (paddle.seed gives other numbers on a GPU), so this section runs on the CPU
paddle.set_device("cpu")

# %%
DEGREES = [1, 3, 8]
TRAIN_SIZES = [10, 15, 30, 100, 500]
REPEATS = S.pick(20, 6)
TEST_NUM = 200
NOISE = 0.1


def test_error(degree, n, seed):
    paddle.seed(seed)
    X_train, y_train = create_toy_data(sin, (0, 1), n, noise=NOISE)
    X_test, y_test = create_toy_data(sin, (0, 1), TEST_NUM, noise=NOISE)
    # float64: the solve's rounding error must not hide the effect of the sample size
    X_train, y_train, X_test = (t.astype('float64') for t in (X_train, y_train, X_test))
    model = optimizer_lsm(Linear(degree), polynomial_basis_function(X_train.reshape([-1, 1]), degree),
                          y_train.reshape([-1, 1]))
    pred = model(polynomial_basis_function(X_test.reshape([-1, 1]), degree)).squeeze().astype('float32')
    return mean_squared_error(y_test, pred).item()


# %%
table = {}
for degree in DEGREES:
    table[degree] = [float(np.median([test_error(degree, n, s) for s in range(REPEATS)])) for n in TRAIN_SIZES]
    print(f"M={degree}: median test MSE by training size {dict(zip(TRAIN_SIZES, [round(v, 4) for v in table[degree]]))}")

fig = plt.figure()
for degree in DEGREES:
    plt.loglog(TRAIN_SIZES, table[degree], 'o-', label=f"M={degree}")
plt.axhline(NOISE ** 2, color="gray", linestyle=":", label="noise variance")
plt.xlabel("training samples")
plt.ylabel("median test MSE")
plt.legend()
S.savefig(fig, "ex2-3-sample-size.pdf")
plt.close(fig)

# %%
S.record(repeats=REPEATS, train_sizes=TRAIN_SIZES, median_test_mse={str(d): v for d, v in table.items()})
S.claim(book="模型越复杂, 避免过拟合需要的样本越多",
        measured=f"M=8 median test MSE {table[8][0]:.3f} at 10 samples -> {table[8][-1]:.4f} at 500; "
                 f"M=3 {table[3][0]:.3f} -> {table[3][-1]:.4f}; at 10 samples M=8 is "
                 f"{table[8][0] / table[3][0]:.1f}x M=3",
        supported=bool(table[8][0] > table[3][0] and table[8][-1] < 3 * NOISE ** 2 and table[8][-1] < table[8][0]))
S.save()
