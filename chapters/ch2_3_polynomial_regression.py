# %% [markdown]
# # 2.3 多项式回归
#
# 用 $\sin(2\pi x)$ 加噪声（标准差 0.1）采样 ToySin25（训练 15、测试 10），
# 用多项式基函数 `polynomial_basis_function` 把 $x$ 变换为 $[x, x^2, \dots, x^M]$，
# 再用线性算子和最小二乘法拟合：比较阶数 $M = 0, 1, 3, 8$ 的拟合曲线（ml-vis3），
# 阶数 0-8 的训练/测试误差（ml-mse-error），以及 8 阶模型加 $\ell_2$ 正则化
# （$\lambda = 0.0001$）前后的效果（ml-vis4）。
#
# 最小二乘法和书一样在 float32 下用 `paddle.inverse` 求解：高阶时 $(X-\bar{x})^\top(X-\bar{x})$
# 的条件数很大，这正是书 2.3.4“思考”中高阶训练误差反而变大的原因。
# 书的数据未设随机种子；这里固定 `DATA_SEED`。

# %%
from nndl.app.script import setup
S = setup("ch2_3_polynomial_regression")

import matplotlib.pyplot as plt
import numpy as np
import paddle

from nndl import create_toy_data, sin, mean_squared_error, optimizer_lsm, polynomial_basis_function
from nndl.regression import Linear

# the chapter's models are tiny and the book printed its random draws on the CPU
# (paddle.seed gives other numbers on a GPU), so this section runs on the CPU
paddle.set_device("cpu")

# %%
DATA_SEED = 0          # not in the book
INTERVAL = (0, 1)
TRAIN_NUM = 15
TEST_NUM = 10
NOISE = 0.1
DEGREES = [0, 1, 3, 8]
MAX_DEGREE = 8
REG_LAMBDA = 0.0001

# %% [markdown]
# ## 2.3.1 数据集构建：ToySin25

# %%
paddle.seed(DATA_SEED)
func = sin
X_train, y_train = create_toy_data(func=func, interval=INTERVAL, sample_num=TRAIN_NUM, noise=NOISE)
X_test, y_test = create_toy_data(func=func, interval=INTERVAL, sample_num=TEST_NUM, noise=NOISE)
X_underlying = paddle.linspace(INTERVAL[0], INTERVAL[1], num=100)
y_underlying = sin(X_underlying)

# %% [markdown]
# ## 2.3.2 多项式基函数

# %%
X = paddle.to_tensor(data=[[2], [3], [4]], dtype='float32')
degree = 3
transformed_X = polynomial_basis_function(X, degree=degree)
print("转换前: ", X)
print("阶数为", degree, "转换后: ", transformed_X)

# %% [markdown]
# ## 2.3.3 模型训练：M = 0, 1, 3, 8

# %%
fig = plt.figure(figsize=(12.0, 8.0))
for i, degree in enumerate(DEGREES):
    model = Linear(degree)
    X_train_transformed = polynomial_basis_function(X_train.reshape([-1, 1]), degree)
    X_underlying_transformed = polynomial_basis_function(X_underlying.reshape([-1, 1]), degree)
    model = optimizer_lsm(model, X_train_transformed, y_train.reshape([-1, 1]))   # 拟合得到参数
    y_underlying_pred = model(X_underlying_transformed).squeeze()
    print(model.params)
    ax = fig.add_subplot(2, 2, i + 1)
    ax.scatter(X_train.numpy(), y_train.numpy(), facecolor="none", edgecolor="b", s=50, label="train data")
    ax.plot(X_underlying.numpy(), y_underlying.numpy(), c="g", label=r"$\sin(2\pi x)$")
    ax.plot(X_underlying.numpy(), y_underlying_pred.numpy(), c="r", label="predicted function")
    ax.set_ylim(-2, 1.5)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.annotate("M={}".format(degree), xy=(0.95, -1.4))
ax.legend(bbox_to_anchor=(1.05, 0.64), loc=2, borderaxespad=0.)
S.savefig(fig, 'ml-vis3.pdf')
plt.close(fig)

# %% [markdown]
# ## 2.3.4 模型评价：阶数 0-8 的训练误差与测试误差

# %%
training_errors = []
test_errors = []
distribution_errors = []   # the book declares it and never fills it: 与无噪声 sin 曲线的误差
for i in range(MAX_DEGREE + 1):
    model = Linear(i)
    X_train_transformed = polynomial_basis_function(X_train.reshape([-1, 1]), i)
    X_test_transformed = polynomial_basis_function(X_test.reshape([-1, 1]), i)
    X_underlying_transformed = polynomial_basis_function(X_underlying.reshape([-1, 1]), i)
    optimizer_lsm(model, X_train_transformed, y_train.reshape([-1, 1]))
    y_train_pred = model(X_train_transformed).squeeze()
    y_test_pred = model(X_test_transformed).squeeze()
    y_underlying_pred = model(X_underlying_transformed).squeeze()
    training_errors.append(mean_squared_error(y_true=y_train, y_pred=y_train_pred).item())
    test_errors.append(mean_squared_error(y_true=y_test, y_pred=y_test_pred).item())
    distribution_errors.append(mean_squared_error(y_true=y_underlying, y_pred=y_underlying_pred).item())

print("train errors: \n", training_errors)
print("test errors: \n", test_errors)
print("distribution errors: \n", distribution_errors)

fig = plt.figure(figsize=(8.0, 6.0))
plt.plot(training_errors, 'o-', mfc="none", mec="b", ms=10, c="b", label="Training")
plt.plot(test_errors, 'o-', mfc="none", mec="r", ms=10, c="r", label="Test")
plt.legend()
plt.xlabel("degree")
plt.ylabel("MSE")
S.savefig(fig, 'ml-mse-error.pdf')
plt.close(fig)

# %% [markdown]
# ## 2.3.5 通过引入正则化项来缓解过拟合

# %%
degree = MAX_DEGREE
X_train_transformed = polynomial_basis_function(X_train.reshape([-1, 1]), degree)
X_test_transformed = polynomial_basis_function(X_test.reshape([-1, 1]), degree)
X_underlying_transformed = polynomial_basis_function(X_underlying.reshape([-1, 1]), degree)
model = Linear(degree)
optimizer_lsm(model, X_train_transformed, y_train.reshape([-1, 1]))
y_test_pred = model(X_test_transformed).squeeze()
y_underlying_pred = model(X_underlying_transformed).squeeze()
model_reg = Linear(degree)
optimizer_lsm(model_reg, X_train_transformed, y_train.reshape([-1, 1]), reg_lambda=REG_LAMBDA)
y_test_pred_reg = model_reg(X_test_transformed).squeeze()
y_underlying_pred_reg = model_reg(X_underlying_transformed).squeeze()
mse = mean_squared_error(y_true=y_test, y_pred=y_test_pred).item()
print("mse:", mse)
mse_reg = mean_squared_error(y_true=y_test, y_pred=y_test_pred_reg).item()
print("mse_with_l2_reg:", mse_reg)

fig = plt.figure()
plt.scatter(X_train.numpy(), y_train.numpy(), facecolor="none", edgecolor="b", s=50, label="train data")
plt.plot(X_underlying.numpy(), y_underlying.numpy(), c="g", label=r"$\sin(2\pi x)$")
plt.plot(X_underlying.numpy(), y_underlying_pred.numpy(), c="#E20079", linestyle="--", label="$deg. = 8$")
plt.plot(X_underlying.numpy(), y_underlying_pred_reg.numpy(), c="#946279", linestyle="-.",
         label=r"$deg. = 8, \ell_2$ reg")
plt.ylim(-1.5, 1.5)
plt.xlabel("x")
plt.ylabel("y")
plt.annotate("lambda={}".format(REG_LAMBDA), xy=(0.82, -1.4))
plt.legend()
S.savefig(fig, 'ml-vis4.pdf')
plt.close(fig)

# %%
S.record(data_seed=DATA_SEED, training_errors=training_errors, test_errors=test_errors,
         distribution_errors=distribution_errors, mse_deg8=mse, mse_deg8_l2=mse_reg,
         basis_demo=transformed_X)
best = int(np.argmin(test_errors))
S.claim(book="polynomial_basis_function([[2],[3],[4]], 3) = [[2,4,8],[3,9,27],[4,16,64]]",
        measured=str(transformed_X.numpy().astype(int).tolist()),
        supported=transformed_X.numpy().tolist() == [[2, 4, 8], [3, 9, 27], [4, 16, 64]])
S.claim(book="M=0,1 欠拟合; M=3 拟合合理; M=8 过拟合, 测试误差升高",
        measured=f"test MSE by degree {[round(e, 4) for e in test_errors]}; lowest at degree {best}; "
                 f"degree 0/1 test {test_errors[0]:.3f}/{test_errors[1]:.3f} vs degree 3 {test_errors[3]:.3f}",
        supported=(test_errors[3] < min(test_errors[0], test_errors[1]) and 3 <= best <= 6
                   and test_errors[8] > test_errors[best]))
S.claim(book="思考 (2.3.4): 阶数 >= 5 时训练误差并没有下降, 7 阶时变得很大 (float32 下求逆的数值误差)",
        measured=f"train MSE by degree {[round(e, 4) for e in training_errors]}",
        supported=max(training_errors[6:]) > 2 * min(training_errors[3:6]),
        note="the least-squares solve is float32 paddle.inverse, as the book's")
S.claim(book="加入 ℓ2 正则后 8 阶模型的拟合效果明显好于未加正则化",
        measured=f"degree-8 test MSE {mse:.4f} without, {mse_reg:.4f} with λ={REG_LAMBDA}",
        supported=mse_reg < mse)
S.save()
