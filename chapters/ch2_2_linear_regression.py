# %% [markdown]
# # 2.2 实现一个简单的线性回归模型
#
# 用 `create_toy_data` 从 $y = 1.2x + 0.5$ 加高斯噪声（标准差 2）采样 150 个样本
# （ToyLinear150：训练 100、测试 50），用线性算子 `Linear`（2.2.2.1）、均方误差
# `mean_squared_error`（2.2.3）和最小二乘法 `optimizer_lsm`（2.2.4）拟合，
# 在训练集和测试集上计算误差（2.2.5、2.2.6）。
#
# 书在采样前没有设置随机种子，它印出的 `w_pred`、误差无法复现；这里固定种子
# `DATA_SEED`，结论（拟合出的参数接近 $w=1.2, b=0.5$，测试误差与噪声方差 4 同量级）不变。

# %%
from nndl.app.script import setup
S = setup("ch2_2_linear_regression")

import matplotlib.pyplot as plt
import paddle

from nndl import create_toy_data, linear_func, mean_squared_error, optimizer_lsm
from nndl.regression import Linear

# the chapter's models are tiny and the book printed its random draws on the CPU
# (paddle.seed gives other numbers on a GPU), so this section runs on the CPU
paddle.set_device("cpu")

# %%
DATA_SEED = 0          # not in the book (its data are drawn unseeded)
INTERVAL = (-10, 10)
TRAIN_NUM = 100        # 训练样本数目
TEST_NUM = 50          # 测试样本数目
NOISE = 2

# %% [markdown]
# ## 2.2.1 数据集构建：ToyLinear150

# %%
paddle.seed(DATA_SEED)
func = linear_func
X_train, y_train = create_toy_data(func=func, interval=INTERVAL, sample_num=TRAIN_NUM,
                                   noise=NOISE, add_outlier=False)
X_test, y_test = create_toy_data(func=func, interval=INTERVAL, sample_num=TEST_NUM,
                                 noise=NOISE, add_outlier=False)
X_underlying = paddle.linspace(INTERVAL[0], INTERVAL[1], TRAIN_NUM)
y_underlying = linear_func(X_underlying)

fig = plt.figure()
plt.scatter(X_train.numpy(), y_train.numpy(), facecolor="none", edgecolor="b", s=50, label="train data")
plt.scatter(X_test.numpy(), y_test.numpy(), facecolor="none", edgecolor="r", s=50, label="test data")
plt.plot(X_underlying.numpy(), y_underlying.numpy(), c="g", label="underlying distribution")
plt.xlabel("x")
plt.ylabel("y")
plt.legend()
S.savefig(fig, "fig2-3-toylinear150.pdf")   # 图 2.3 (the book does not save it)
plt.close(fig)

# %% [markdown]
# ## 2.2.2.1 线性算子
#
# `paddle.seed(10)` 后先生成输入 X、再初始化参数 w：书在 CPU 上印的 `y_pred` 可以复现。

# %%
paddle.seed(10)
dimension = 3
N = 2
X = paddle.randn(shape=[N, dimension], dtype='float32')   # 生成2个维度为3的数据
model = Linear(dimension=dimension)
y_pred = model(X)
print("y_pred:", y_pred)   # 输出结果的个数也是2个

# %% [markdown]
# ## 2.2.3 损失函数
#
# 代码和书一样没有公式 (2.8) 的系数 1/2。

# %%
y_true = paddle.to_tensor([[-0.2], [4.9]], dtype='float32')
y_pred_demo = paddle.to_tensor([[1.3], [2.5]], dtype='float32')
error = mean_squared_error(y_true=y_true, y_pred=y_pred_demo).item()
print("error:", error)

# %% [markdown]
# ## 2.2.5 模型训练 与 2.2.6 模型评价

# %%
model = Linear(1)
model = optimizer_lsm(model, X_train.reshape([-1, 1]), y_train.reshape([-1, 1]))
print("w_pred:", model.params['w'].item(), "b_pred: ", model.params['b'].item())
y_train_pred = model(X_train.reshape([-1, 1])).squeeze()
train_error = mean_squared_error(y_true=y_train, y_pred=y_train_pred).item()
print("train error: ", train_error)

y_test_pred = model(X_test.reshape([-1, 1])).squeeze()
test_error = mean_squared_error(y_true=y_test, y_pred=y_test_pred).item()
print("test error: ", test_error)

# %%
w_pred, b_pred = model.params['w'].item(), model.params['b'].item()
S.record(y_pred_seed10=y_pred.reshape([-1]), mse_demo=error, w_pred=w_pred, b_pred=b_pred,
         train_error=train_error, test_error=test_error, data_seed=DATA_SEED)
S.claim(book="2.2.2.1: paddle.seed(10) 后 y_pred = [[0.54838145], [2.03063798]]; 2.2.3: error = 4.005000114440918",
        measured=f"y_pred = {[round(v, 8) for v in y_pred.reshape([-1]).tolist()]}, error = {error!r}",
        supported=abs(y_pred[0, 0].item() - 0.54838145) < 1e-6 and abs(y_pred[1, 0].item() - 2.03063798) < 1e-6
        and abs(error - 4.005000114440918) < 1e-12)
S.claim(book="最小二乘法拟合的参数接近真实值 w=1.2, b=0.5 (书: w_pred 1.18394, b_pred 0.49147; "
             "train error 3.5612, test error 2.6276, 数据未设种子)",
        measured=f"seed {DATA_SEED}: w_pred {w_pred:.5f}, b_pred {b_pred:.5f}, train error {train_error:.4f}, "
                 f"test error {test_error:.4f}",
        supported=abs(w_pred - 1.2) < 0.1 and abs(b_pred - 0.5) < 0.6 and train_error < 6 and test_error < 8,
        note="the book's numbers come from unseeded data; the fit, not the digits, is the claim")
S.save()
