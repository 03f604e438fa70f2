# %% [markdown]
# # 3.2 基于 Softmax 回归的多分类任务
#
# 在三分类数据集 Multi1000（`make_multiclass_classification`，`paddle.seed(102)`，标签噪声 0.2；
# 训练 640、验证 160、测试 200）上实现 Softmax 回归：Softmax 函数、`Model_SR`、
# 多类交叉熵损失 `MultiCrossEntropyLoss`（一次索引完成，不再逐样本循环）、手写梯度
# （公式 3.17-3.18），用 `Optimizer_GD` 和 `RunnerV2` 训练 500 个回合，在测试集上评价最终模型。
# 全零初始化 + 全批量梯度下降是确定的：书印出的测试结果 0.7400/0.7366 可以精确复现。
#
# 书印的数据形状 `[320, 2] ... [320, 3]` 与它的代码不符；代码给出的是 `[640, 2]`、`[640]`。

# %%
from nndl.app.script import setup
S = setup("ch3_2_softmax_regression")

import matplotlib.pyplot as plt
import paddle

from nndl import (Model_SR, MultiCrossEntropyLoss, Optimizer_GD, RunnerV2, accuracy,
                  make_multiclass_classification, softmax)
from nndl.classification import plot

# the chapter's models are tiny and the book printed its random draws on the CPU
# (paddle.seed gives other numbers on a GPU), so this section runs on the CPU
paddle.set_device("cpu")

# %%
SEED = 102
N_SAMPLES = 1000
NOISE = 0.2
NUM_TRAIN, NUM_DEV, NUM_TEST = 640, 160, 200
INPUT_DIM, OUTPUT_DIM = 2, 3
LR = 0.1
NUM_EPOCHS = 500
LOG_EPOCHS = 50

# %% [markdown]
# ## 3.2.1 数据集构建

# %%
paddle.seed(SEED)
X, y = make_multiclass_classification(n_samples=N_SAMPLES, n_features=2, n_classes=3, noise=NOISE)
fig = plt.figure(figsize=(5, 5))
plt.scatter(x=X[:, 0].tolist(), y=X[:, 1].tolist(), marker='*', c=y.tolist())
plt.xlabel("x1")
plt.ylabel("x2")
S.savefig(fig, "fig3-5-multi1000.pdf")   # 图 3.5 (the book does not save it)
plt.close(fig)

X_train, y_train = X[:NUM_TRAIN], y[:NUM_TRAIN]
X_dev, y_dev = X[NUM_TRAIN:NUM_TRAIN + NUM_DEV], y[NUM_TRAIN:NUM_TRAIN + NUM_DEV]
X_test, y_test = X[NUM_TRAIN + NUM_DEV:], y[NUM_TRAIN + NUM_DEV:]
print("X_train shape: ", X_train.shape, "y_train shape: ", y_train.shape)
print(y_train[:5])

# %% [markdown]
# ## 3.2.2 - 3.2.3 Softmax 函数、模型与损失的小例子

# %%
X_demo = paddle.to_tensor([[0.1, 0.2, 0.3, 0.4], [1, 2, 3, 4]])
softmax_demo = softmax(X_demo)
print(softmax_demo)

paddle.seed(0)
inputs = paddle.randn(shape=[1, 4])
model = Model_SR(input_dim=4, output_dim=3)
outputs = model(inputs)
print('Output is:', outputs)
labels = paddle.to_tensor([0])
mce_loss = MultiCrossEntropyLoss()
demo_loss = mce_loss(outputs, labels)
print(demo_loss)

# %% [markdown]
# ## 3.2.5 模型训练

# %%
model = Model_SR(input_dim=INPUT_DIM, output_dim=OUTPUT_DIM)
optimizer = Optimizer_GD(init_lr=LR, model=model)
loss_fn = MultiCrossEntropyLoss()
metric = accuracy
runner = RunnerV2(model, optimizer, metric, loss_fn)
runner.train([X_train, y_train], [X_dev, y_dev], num_epochs=NUM_EPOCHS, log_epochs=LOG_EPOCHS,
             save_path=str(S.path("best_model.pdparams")))
fig = plot(runner)
S.savefig(fig, "fig3-6-sr-curves.pdf")   # 图 3.6
plt.close(fig)

# %% [markdown]
# ## 3.2.6 模型评价（最终模型）

# %%
score, loss = runner.evaluate([X_test, y_test])
print("[Test] score/loss: {:.4f}/{:.4f}".format(score, loss))

# %%
S.record(y_train_first5=y_train[:5], test_score=score, test_loss=loss, best_dev_score=runner.best_score,
         softmax_demo=softmax_demo, demo_mce=demo_loss, zero_init_outputs=outputs.reshape([-1]))
S.claim(book="softmax([0.1,0.2,0.3,0.4]) = [0.21383820, 0.23632780, 0.26118258, 0.28865141]; "
             "全零 Model_SR 输出 1/3; MCE = 1.09861231; y_train[:5] = [0, 1, 2, 2, 0]",
        measured=f"softmax row 0 {[round(v, 8) for v in softmax_demo[0].tolist()]}, MCE {demo_loss.item():.8f}, "
                 f"y_train[:5] {y_train[:5].tolist()}",
        supported=max(abs(a - b) for a, b in zip(softmax_demo[0].tolist(),
                                                 [0.21383820, 0.23632780, 0.26118258, 0.28865141])) < 1e-7
        and abs(demo_loss.item() - 1.09861231) < 1e-6 and y_train[:5].tolist() == [0, 1, 2, 2, 0])
S.claim(book="[Test] score/loss: 0.7400/0.7366",
        measured="[Test] score/loss: {:.4f}/{:.4f}".format(score, loss),
        supported="{:.4f}/{:.4f}".format(score, loss) == "0.7400/0.7366")
S.save()
