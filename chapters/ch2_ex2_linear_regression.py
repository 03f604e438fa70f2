# %% [markdown]
# # 动手练习 2.2 ToyLinear150：训练样本数与正则化系数
#
# 1) 把训练样本数从 100 调到 5000，观察模型性能（参数误差、测试误差）；
# 2) 调整正则化系数，观察对模型性能的影响。数据与 2.2 相同（$y=1.2x+0.5$，噪声标准差 2，
# 测试 50 个样本），每个设置重复 `REPEATS` 次取平均。

# %%
from nndl.app.script import setup
S = setup("ch2_ex2_linear_regression")

import matplotlib.pyplot as plt
import numpy as np
import paddle

from nndl import create_toy_data, linear_func, mean_squared_error, optimizer_lsm
from nndl.regression import Linear

# the chapter's models are tiny and the book printed its random draws on the CPU
# (paddle.seed gives other numbers on a GPU), so this section runs on the CPU
paddle.set_device("cpu")

# %%
TRAIN_SIZES = [10, 100, 1000, 5000]
REG_LAMBDAS = [0, 10, 1000, 100000]
REPEATS = S.pick(20, 5)
TEST_NUM = 50
NOISE = 2


def fit(train_num, reg_lambda, seed):
    paddle.seed(seed)
    X_train, y_train = create_toy_data(linear_func, (-10, 10), train_num, noise=NOISE)
    X_test, y_test = create_toy_data(linear_func, (-10, 10), TEST_NUM, noise=NOISE)
    model = optimizer_lsm(Linear(1), X_train.reshape([-1, 1]), y_train.reshape([-1, 1]), reg_lambda=reg_lambda)
    test_error = mean_squared_error(y_test, model(X_test.reshape([-1, 1])).squeeze()).item()
    return abs(model.params['w'].item() - 1.2), abs(model.params['b'].item() - 0.5), test_error


# %%
by_size = {}
for n in TRAIN_SIZES:
    r = np.array([fit(n, 0, s) for s in range(REPEATS)]).mean(0)
    by_size[n] = {"w_err": r[0], "b_err": r[1], "test_error": r[2]}
    print(f"train {n:5d}: |w-1.2| {r[0]:.4f}, |b-0.5| {r[1]:.4f}, test error {r[2]:.4f}")
by_lambda = {}
for lam in REG_LAMBDAS:
    r = np.array([fit(100, lam, s) for s in range(REPEATS)]).mean(0)
    by_lambda[lam] = {"w_err": r[0], "b_err": r[1], "test_error": r[2]}
    print(f"reg_lambda {lam:6}: |w-1.2| {r[0]:.4f}, test error {r[2]:.4f}")

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
axes[0].semilogx(TRAIN_SIZES, [by_size[n]["test_error"] for n in TRAIN_SIZES], 'o-')
axes[0].set_xlabel("training samples")
axes[0].set_ylabel("test MSE")
axes[1].semilogx([max(l, 1) for l in REG_LAMBDAS], [by_lambda[l]["test_error"] for l in REG_LAMBDAS], 'o-')
axes[1].set_xlabel("reg_lambda (0 drawn at 1)")
axes[1].set_ylabel("test MSE")
fig.tight_layout()
S.savefig(fig, "ex2-2-size-lambda.pdf")
plt.close(fig)

# %%
S.record(repeats=REPEATS, by_size=by_size, by_lambda=by_lambda)
S.claim(book="练习 2.2.1: 调整训练数据的样本数量, 由 100 调整到 5000, 观察对模型性能的影响",
        measured=f"|w-1.2| {by_size[10]['w_err']:.4f} (10 samples) -> {by_size[100]['w_err']:.4f} (100) -> "
                 f"{by_size[5000]['w_err']:.4f} (5000); test MSE {by_size[100]['test_error']:.3f} -> "
                 f"{by_size[5000]['test_error']:.3f} (the noise variance is 4)",
        supported=None,
        note="the exercise states no result: more samples give more accurate parameters, the test error "
             "approaches the noise variance")
S.claim(book="练习 2.2.2: 调整正则化系数, 观察对模型性能的影响",
        measured=f"test MSE {by_lambda[0]['test_error']:.3f} (λ=0), {by_lambda[10]['test_error']:.3f} (λ=10), "
                 f"{by_lambda[1000]['test_error']:.3f} (λ=1e3), {by_lambda[100000]['test_error']:.3f} (λ=1e5)",
        supported=None,
        note="the exercise states no result: with one feature and 100 samples nothing overfits, so a large "
             "λ only shrinks w and underfits")
S.save()
