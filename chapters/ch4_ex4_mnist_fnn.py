# %% [markdown]
# # 动手练习 4.4 基于前馈神经网络的 MNIST 手写数字识别
#
# 练习：基于 MNIST 数据集设计合适的前馈神经网络，取得 95% 以上的准确率。
#
# 一个解答：把 28×28 的图像展平成 784 维，两个 ReLU 隐藏层（256、128），输出 10 个类别的对率；
# 交叉熵损失，Adam（学习率 0.001），批大小 128，用 4.5 的 `RunnerV3` 训练 5 个回合。像素按书
# （7.2）的做法除以 255。训练集的最后 5000 张图像作验证集（选最优模型），最后在 10000 张测试
# 图像上评价。快速模式只用 5000 张训练图像训练 1 个回合，不足以说明 95%。

# %%
from nndl.app.script import setup
S = setup("ch4_ex4_mnist_fnn")

import time

import numpy as np
import paddle
import paddle.nn as nn
import paddle.nn.functional as F
import matplotlib.pyplot as plt

from nndl import RunnerV3, Accuracy
from nndl.datasets.mnist import MNIST, MNISTLoader, mnist_to_tensor
from nndl.mlp import plot

# %%
SEED = 0
HIDDEN = (256, 128)
LR = 0.001
BATCH_SIZE = 128
NUM_DEV = 5000                       # the last 5000 training images
NUM_EPOCHS = S.pick(5, 1)
NUM_TRAIN = S.pick(None, 5000)       # None: the other 55000 training images
NUM_TEST = S.pick(None, 2000)        # None: all 10000 test images
TARGET = 0.95                        # 练习的目标准确率

# %%
paddle.seed(SEED)
np.random.seed(SEED)                 # the training loader's shuffle draws from numpy, as io.DataLoader's
train_images, train_labels = MNIST(mode='train').arrays()
test_images, test_labels = MNIST(mode='test').arrays()
X_all = mnist_to_tensor(train_images, as_tensor=False)           # /255, shape [N, 1, 28, 28]
X_train, y_train = X_all[:-NUM_DEV], train_labels[:-NUM_DEV]
X_dev, y_dev = X_all[-NUM_DEV:], train_labels[-NUM_DEV:]
if NUM_TRAIN is not None:
    X_train, y_train = X_train[:NUM_TRAIN], y_train[:NUM_TRAIN]
X_test, y_test = mnist_to_tensor(test_images, as_tensor=False), test_labels
if NUM_TEST is not None:
    X_test, y_test = X_test[:NUM_TEST], y_test[:NUM_TEST]
print(f"train {len(y_train)}, dev {len(y_dev)}, test {len(y_test)} images")
train_loader = MNISTLoader(X_train, y_train, batch_size=BATCH_SIZE, shuffle=True)
dev_loader = MNISTLoader(X_dev, y_dev, batch_size=1000)
test_loader = MNISTLoader(X_test, y_test, batch_size=1000)


# %%
class Model_MLP_MNIST(nn.Layer):
    """784 -> 256 -> 128 -> 10 前馈神经网络, ReLU 隐藏层, 输出对率."""

    def __init__(self, input_size=784, hidden_sizes=HIDDEN, num_classes=10):
        super().__init__()
        self.flatten = nn.Flatten()
        sizes = [input_size, *hidden_sizes]
        self.hidden = nn.LayerList([nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
        self.out = nn.Linear(sizes[-1], num_classes)

    def forward(self, x):
        x = self.flatten(x)
        for layer in self.hidden:
            x = F.relu(layer(x))
        return self.out(x)


model = Model_MLP_MNIST()
optimizer = paddle.optimizer.Adam(learning_rate=LR, parameters=model.parameters())
runner = RunnerV3(model, optimizer, F.cross_entropy, Accuracy(is_logist=True))
save_path = str(S.path("best_model.pdparams"))
start = time.time()
runner.train(train_loader, dev_loader, num_epochs=NUM_EPOCHS, log_steps=100,
             eval_steps=len(train_loader) // 2, save_path=save_path)
train_seconds = time.time() - start

# %%
fig = plot(runner, sample_every=10)
S.savefig(fig, 'ex4-4-mnist-fnn.pdf')
plt.close(fig)

# %%
runner.load_model(save_path)
score, loss = runner.evaluate(test_loader)
print("[Test] accuracy/loss: {:.4f}/{:.4f}".format(score, loss))

# %%
S.record(num_train=len(y_train), num_dev=len(y_dev), num_test=len(y_test), epochs=NUM_EPOCHS,
         test_score=score, test_loss=loss, best_dev_score=runner.best_score, train_seconds=train_seconds,
         parameters=int(sum(int(np.prod(p.shape)) for p in model.parameters())))
S.claim(book="动手练习 4.4: 设计前馈神经网络, 在 MNIST 上取得 95% 以上的准确率",
        measured=f"784-{HIDDEN[0]}-{HIDDEN[1]}-10 ReLU network, {NUM_EPOCHS} epoch(s) on {len(y_train)} images: "
                 f"test accuracy {score:.4f} on {len(y_test)} images",
        supported=(score >= TARGET) if not S.quick else None,
        note="quick mode trains 1 epoch on 5000 images" if S.quick else None)
S.save()
