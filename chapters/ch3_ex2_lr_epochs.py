# %% [markdown]
# # 动手练习 3.2 调整学习率和训练轮数
#
# 在 3.1 的 Moon1000 数据上（同一个 `DATA_SEED`）用不同的学习率和训练轮数训练 Logistic 回归，
# 比较训练损失、验证集最好准确率和测试准确率（加载验证集上最好的模型）。

# %%
from nndl.app.script import setup
S = setup("ch3_ex2_lr_epochs")

import matplotlib.pyplot as plt
import paddle

from nndl import BinaryCrossEntropyLoss, Model_LR, Optimizer_GD, RunnerV2, accuracy, make_moons

# the chapter's models are tiny and the book printed its random draws on the CPU
# (paddle.seed gives other numbers on a GPU), so this section runs on the CPU
paddle.set_device("cpu")

# %%
DATA_SEED = 0          # the 3.1 script's seed
LRS = [0.01, 0.1, 0.5, 2.0]
NUM_EPOCHS = S.pick(2000, 500)

# %%
paddle.seed(DATA_SEED)
X, y = make_moons(n_samples=1000, shuffle=True, noise=0.5)
y = y.reshape([-1, 1])
train_set, dev_set, test_set = [X[:640], y[:640]], [X[640:800], y[640:800]], [X[800:], y[800:]]

results = {}
fig = plt.figure()
for lr in LRS:
    model = Model_LR(2)
    runner = RunnerV2(model, Optimizer_GD(init_lr=lr, model=model), accuracy, BinaryCrossEntropyLoss())
    path = str(S.path(f"best_lr{lr}.pdparams"))
    runner.train(train_set, dev_set, num_epochs=NUM_EPOCHS, log_epochs=0, save_path=path, verbose=False)
    curve = list(runner.train_loss)
    runner.load_model(path)
    score, loss = runner.evaluate(test_set)
    at = {e: curve[e - 1] for e in (50, 200, NUM_EPOCHS) if e <= NUM_EPOCHS}
    results[str(lr)] = {"train_loss_at": at, "best_dev": runner.best_score, "test_score": score, "test_loss": loss}
    print(f"lr={lr}: train loss at epochs {at}, best dev {runner.best_score:.4f}, "
          f"[Test] score/loss: {score:.4f}/{loss:.4f}")
    plt.plot(curve, label=f"lr={lr}")
plt.xlabel("epoch")
plt.ylabel("train loss")
plt.legend()
S.savefig(fig, "ex3-2-lr-epochs.pdf")
plt.close(fig)

# %%
S.record(num_epochs=NUM_EPOCHS, results=results)
small, big = results[str(LRS[0])], results[str(LRS[-2])]
S.claim(book="练习 3.2: 尝试调整学习率和训练轮数等超参数, 观察训练过程, 并努力得到更高的准确率",
        measured=f"after {NUM_EPOCHS} epochs: train loss {small['train_loss_at'][NUM_EPOCHS]:.4f} (lr {LRS[0]}) vs "
                 f"{big['train_loss_at'][NUM_EPOCHS]:.4f} (lr {LRS[-2]}); test accuracy "
                 + ", ".join(f"{k}: {v['test_score']:.3f}" for k, v in results.items()),
        supported=None,
        note="the exercise states no result: larger steps converge sooner, while the test accuracy stays near "
             "0.80, the ceiling of a linear boundary on the moons")
S.save()
