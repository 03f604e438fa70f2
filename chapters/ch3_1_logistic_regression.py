# %% [markdown]
# # 3.1 基于 Logistic 回归的二分类任务
#
# 在 Moon1000 数据集（带噪声的两个弯月，训练 640、验证 160、测试 200）上实现 Logistic 回归：
# Logistic 函数、`Model_LR`（参数全零初始化）、二分类交叉熵损失 `BinaryCrossEntropyLoss`、
# 手写梯度（3.1.4.1）与梯度下降优化器 `Optimizer_GD`、准确率 `accuracy`，用 `RunnerV2`
# 训练 500 个回合并保存验证集上最好的模型，最后在测试集上评价最终模型。
#
# 书在生成数据前没有设置随机种子，它印出的训练日志与测试结果 0.7550/0.4791 无法复现；
# 这里固定 `DATA_SEED`。

# %%
from nndl.app.script import setup
S = setup("ch3_1_logistic_regression")

import matplotlib.pyplot as plt
import paddle

from nndl import (BinaryCrossEntropyLoss, Model_LR, Optimizer_GD, RunnerV2, accuracy, logistic,
                  make_moons)
from nndl.classification import plot

# the chapter's models are tiny and the book printed its random draws on the CPU
# (paddle.seed gives other numbers on a GPU), so this section runs on the CPU
paddle.set_device("cpu")

# %%
DATA_SEED = 0          # not in the book
N_SAMPLES = 1000
NOISE = 0.5
NUM_TRAIN, NUM_DEV, NUM_TEST = 640, 160, 200
INPUT_DIM = 2
LR = 0.1
NUM_EPOCHS = 500
LOG_EPOCHS = 50

# %% [markdown]
# ## Logistic 函数

# %%
x = paddle.linspace(-10, 10, 10000)
fig = plt.figure()
plt.plot(x.tolist(), logistic(x).tolist(), color="red", label="Logistic Function")
ax = plt.gca()
ax.spines['top'].set_color('none')
ax.spines['right'].set_color('none')
plt.xlabel("x")
plt.ylabel("logistic(x)")
plt.legend()
S.savefig(fig, "fig3-1-logistic.pdf")   # 图 3.1 (the book does not save it)
plt.close(fig)

# %% [markdown]
# ## 3.1.1 数据集构建

# %%
paddle.seed(DATA_SEED)
X, y = make_moons(n_samples=N_SAMPLES, shuffle=True, noise=NOISE)
fig = plt.figure(figsize=(5, 5))
plt.scatter(x=X[:, 0].tolist(), y=X[:, 1].tolist(), marker='*', c=y.tolist())
plt.xlabel("x1")
plt.ylabel("x2")
S.savefig(fig, "fig3-3-moon1000.pdf")   # 图 3.3
plt.close(fig)

X_train, y_train = X[:NUM_TRAIN], y[:NUM_TRAIN]
X_dev, y_dev = X[NUM_TRAIN:NUM_TRAIN + NUM_DEV], y[NUM_TRAIN:NUM_TRAIN + NUM_DEV]
X_test, y_test = X[NUM_TRAIN + NUM_DEV:], y[NUM_TRAIN + NUM_DEV:]
y_train = y_train.reshape([-1, 1])
y_dev = y_dev.reshape([-1, 1])
y_test = y_test.reshape([-1, 1])
print("X_train shape: ", X_train.shape, "y_train shape: ", y_train.shape)
print(y_train[:5])   # 动手练习 3.1: 前 5 个数据的标签

# %% [markdown]
# ## 3.1.2 - 3.1.5 模型、损失函数、准确率：全零初始化的小例子

# %%
paddle.seed(0)
inputs = paddle.randn(shape=[3, 4])
print('Input is:', inputs)
model = Model_LR(4)
outputs = model(inputs)
print('Output is:', outputs)

labels = paddle.ones(shape=[3, 1])
bce_loss = BinaryCrossEntropyLoss()
demo_loss = bce_loss(outputs, labels)
print(demo_loss)

preds = paddle.to_tensor([[0.], [1.], [1.], [0.]])
labels = paddle.to_tensor([[1.], [1.], [0.], [0.]])
demo_acc = accuracy(preds, labels)
print("accuracy is:", demo_acc)

# %% [markdown]
# ## 3.1.7 模型训练

# %%
model = Model_LR(input_dim=INPUT_DIM)
optimizer = Optimizer_GD(init_lr=LR, model=model)
loss_fn = BinaryCrossEntropyLoss()
metric = accuracy
runner = RunnerV2(model, optimizer, metric, loss_fn)
runner.train([X_train, y_train], [X_dev, y_dev], num_epochs=NUM_EPOCHS, log_epochs=LOG_EPOCHS,
             save_path=str(S.path("best_model.pdparams")))

fig = plot(runner)
S.savefig(fig, "fig3-4-lr-curves.pdf")   # 图 3.4 准确率和损失变化趋势
plt.close(fig)

# %% [markdown]
# ## 3.1.8 模型评价（最终模型）
#
# 3.1.2 的“思考”：预测时不必计算 Logistic 函数，判断线性打分 $\mathbf{Xw}+b$ 是否大于 0 即可
# （$\sigma(z) \ge 0.5 \Leftrightarrow z \ge 0$）。下面比较两种预测。

# %%
score, loss = runner.evaluate([X_test, y_test])
print("[Test] score/loss: {:.4f}/{:.4f}".format(score, loss))
scores_z = paddle.matmul(X_test, model.params['w']) + model.params['b']
same_pred = bool(paddle.all((scores_z >= 0) == (runner.predict(X_test) >= 0.5)))
print("score >= 0 gives the same predictions as logistic(score) >= 0.5:", same_pred)

# %%
S.record(data_seed=DATA_SEED, same_pred_from_score=same_pred, test_score=score, test_loss=loss, best_dev_score=runner.best_score,
         train_loss_first_last=[runner.train_loss[0], runner.train_loss[-1]],
         zero_init_outputs=outputs.reshape([-1]), demo_bce=demo_loss, demo_accuracy=demo_acc)
S.claim(book="全零初始化的 Model_LR 输出恒为 0.5; BCE = 0.69314718; 示例准确率 0.5",
        measured=f"outputs {outputs.reshape([-1]).tolist()}, BCE {demo_loss.item():.8f}, accuracy {demo_acc.item()}",
        supported=outputs.numpy().tolist() == [[0.5]] * 3 and abs(demo_loss.item() - 0.69314718) < 1e-7
        and demo_acc.item() == 0.5)
S.claim(book="思考 (3.1.2): 预测时只需判断 score 是否大于 0",
        measured=f"test predictions from score >= 0 equal those from logistic(score) >= 0.5: {same_pred}",
        supported=same_pred)
S.claim(book="训练集与验证集上 loss 收敛, 准确率达到较高水平; 测试集 0.7550/0.4791 (数据未设种子)",
        measured=f"train loss {runner.train_loss[0]:.4f} -> {runner.train_loss[-1]:.4f}, best dev "
                 f"{runner.best_score:.4f}, test {score:.4f}/{loss:.4f}",
        supported=runner.train_loss[-1] < runner.train_loss[0] and score > 0.7,
        note="the book's digits come from unseeded data")
S.save()
