# %% [markdown]
# # 4.3 自动梯度计算和预定义算子
#
# 用飞桨的 `nn.Linear` 重新实现 4.2 的两层前馈神经网络（`Model_MLP_L2_V2`：权重 N(0, 1)，
# 偏置 0，两层都用 Logistic），梯度交给自动微分；`RunnerV2_2` 用 `state_dict()` /
# `set_state_dict()` 保存和加载模型，评价和预测在 `paddle.no_grad()` 与 `model.eval()` 下进行。
# 书中的 `RunnerV2_2` 评价之后不再切回训练模式（对 Dropout、BatchNorm 有影响），
# `nndl.RunnerV2_2` 评价后恢复原来的模式。
#
# 数据与 4.2 相同（Moon1000，`DATA_SEED`），训练 1000 个回合，画出损失和准确率（`fw-acc.pdf`），
# 在测试集上评价最优模型（书：0.8200/0.5561）。

# %%
from nndl.app.script import setup
S = setup("ch4_3_mlp_paddle")

import time

import paddle
import paddle.nn.functional as F
import matplotlib.pyplot as plt

from nndl import (Model_MLP_L2_V2, RunnerV2_2, accuracy, make_moons, Model_MLP_L2, BinaryCrossEntropyLoss,
                  Optimizer_GD, RunnerV2_1)
from nndl.mlp import plot

# %%
DATA_SEED = 0                      # as in 4.2 (the book's data are unseeded)
MODEL_SEED = 0
N_SAMPLES, NUM_TRAIN, NUM_DEV = 1000, 640, 160
NOISE = 0.5
INPUT_SIZE, HIDDEN_SIZE, OUTPUT_SIZE = 2, 5, 1
LEARNING_RATE = 0.2
EPOCH_NUM = 1000                   # about 2 s on a CPU: quick mode too
LOG_EPOCHS = 50

# %%
paddle.seed(DATA_SEED)
X, y = make_moons(n_samples=N_SAMPLES, shuffle=True, noise=NOISE)
X_train, y_train = X[:NUM_TRAIN], y[:NUM_TRAIN].reshape([-1, 1])
X_dev, y_dev = X[NUM_TRAIN:NUM_TRAIN + NUM_DEV], y[NUM_TRAIN:NUM_TRAIN + NUM_DEV].reshape([-1, 1])
X_test, y_test = X[NUM_TRAIN + NUM_DEV:], y[NUM_TRAIN + NUM_DEV:].reshape([-1, 1])

# %% [markdown]
# ## 4.3.3 模型训练

# %%
paddle.seed(MODEL_SEED)
model = Model_MLP_L2_V2(INPUT_SIZE, HIDDEN_SIZE, OUTPUT_SIZE)
# 设置损失函数
loss_fn = F.binary_cross_entropy
# model.parameters() 将模型中所有参数以数组的方式返回
optimizer = paddle.optimizer.SGD(learning_rate=LEARNING_RATE, parameters=model.parameters())
metric = accuracy
saved_path = str(S.path('best_model.pdparams'))
runner = RunnerV2_2(model, optimizer, metric, loss_fn)
start = time.time()
runner.train([X_train, y_train], [X_dev, y_dev], num_epochs=EPOCH_NUM, log_epochs=LOG_EPOCHS,
             save_path=saved_path)
train_seconds = time.time() - start
mode_after_training = 'train' if model.training else 'eval'
print(f"model mode after training: {mode_after_training}")

# %%
fig = plot(runner)
S.savefig(fig, 'fw-acc.pdf')
plt.close(fig)

# %% [markdown]
# ## 4.3.4 性能评价

# %%
runner.load_model(saved_path)
score, loss = runner.evaluate([X_test, y_test])
print("[Test] score/loss: {:.4f}/{:.4f}".format(score, loss))

# %% [markdown]
# 自动微分代替了 4.2 手写的反向传播：同一个种子下 `paddle.standard_normal` 与
# `Normal(0, 1)` 初始化抽到同样的权重，于是 4.2 的 `Model_MLP_L2` + `RunnerV2_1` 应逐回合
# 走出（在 float32 舍入以内）相同的损失曲线。

# %%
paddle.seed(MODEL_SEED)
model_op = Model_MLP_L2(INPUT_SIZE, HIDDEN_SIZE, OUTPUT_SIZE)
loss_op = BinaryCrossEntropyLoss(model_op)
runner_op = RunnerV2_1(model_op, Optimizer_GD(LEARNING_RATE, model_op), metric, loss_op)
runner_op.train([X_train, y_train], [X_dev, y_dev], num_epochs=EPOCH_NUM, verbose=False)
loss_gap = max(abs(a - b) for a, b in zip(runner_op.train_loss, runner.train_loss))
print(f"max |train loss (4.2 hand-written) - train loss (4.3 autograd)| over {EPOCH_NUM} epochs: {loss_gap:.3g}")

# %%
S.record(data_seed=DATA_SEED, model_seed=MODEL_SEED, epochs=EPOCH_NUM, test_score=score, test_loss=loss,
         best_dev_score=runner.best_score, train_seconds=train_seconds,
         first_train_loss=runner.train_loss[0], final_train_loss=runner.train_loss[-1],
         final_train_score=runner.train_scores[-1], mode_after_training=mode_after_training,
         max_loss_gap_vs_hand_written=loss_gap)
S.claim(book="训练集与验证集的损失下降、准确率上升 (图 4.8 fw-acc)",
        measured=f"train loss {runner.train_loss[0]:.4f} -> {runner.train_loss[-1]:.4f}, "
                 f"dev accuracy {runner.dev_scores[0]:.4f} -> {runner.dev_scores[EPOCH_NUM - 1]:.4f}",
        supported=runner.train_loss[-1] < runner.train_loss[0]
        and runner.dev_scores[EPOCH_NUM - 1] > runner.dev_scores[0])
S.claim(book="飞桨的自动梯度计算代替手写的反向传播 (4.3): the same network learns the same",
        measured=f"4.2's Model_MLP_L2 + RunnerV2_1 and 4.3's Model_MLP_L2_V2 + RunnerV2_2 from one seed: "
                 f"train losses differ by at most {loss_gap:.2g} over {EPOCH_NUM} epochs",
        supported=loss_gap < 1e-4)
S.claim(book="模型在测试集上取得了较高的准确率: [Test] score/loss: 0.8200/0.5561",
        measured=f"[Test] score/loss: {score:.4f}/{loss:.4f} (data seed {DATA_SEED}; the book's data are unseeded)",
        supported=score >= 0.75)
S.save()
