# %% [markdown]
# # 5.5 实践：基于 ResNet18 网络完成图像分类任务
#
# CIFAR-10：10 类、32×32 彩色图像。`cifar-10-python.tar.gz` 解压为 `cifar-10-batches-py`，
# `data_batch_1`–`data_batch_4` 作训练集（40 000 条），`data_batch_5` 作验证集，`test_batch`
# 作测试集。`load_cifar10_batch` 读一个 batch 文件，`CIFAR10Dataset` 按通道规范化。模型是
# 飞桨高层 API 的 `resnet18`，交叉熵损失，Adam（学习率 0.001，`weight_decay=0.005`），批大小 64，
# 30 个回合，每 3000 步评价一次。
#
# 与书的差别：书的 `CIFAR10Dataset` 把拼接语句写在循环外，只留下 batch 1 和 4（20 000 条），
# 这里是书要的 40 000 条；`resnet18()` 默认是 1000 类输出，这里 `resnet18(num_classes=10)`；
# 训练集每个回合打乱（书的 DataLoader 没有 `shuffle=True`）；`label[2][0]` 在 0 维张量上出错。
#
# 数据经 `nndl.datasets.cifar` 查找（`$NNDL_DATA`、nndl 的缓存、飞桨的缓存
# `~/.cache/paddle/dataset/cifar`），只解压一次。找不到时：完整模式在开始前报错；快速模式在
# 生成的同格式小数据上运行并如实说明。完整的 resnet18 在 CPU 上每步需数秒，快速模式改用
# 窄的 `nndl.Model_ResNet18(width=8)`（同样的 ResNet18 结构）和很少的步数。

# %%
from nndl.app.script import setup
S = setup("ch5_5_cifar10")

import time

import matplotlib.pyplot as plt
import numpy as np
import paddle
import paddle.io as io
import paddle.nn.functional as F
import paddle.optimizer as opt
from paddle.vision.models import resnet18

from nndl import CIFAR10Dataset, Model_ResNet18, RunnerV3, load_cifar10_batch, metric
from nndl.datasets.cifar import CIFAR10_FILE, cifar10_folder, extract_cifar10, make_miniature
from nndl.mlp import plot

# %%
SEED = 100
LR = 0.001
WEIGHT_DECAY = 0.005
BATCH_SIZE = 64
NUM_EPOCHS = S.pick(30, 2)
LOG_STEPS = S.pick(3000, 4)
EVAL_STEPS = S.pick(3000, 4)
NUM_TRAIN = S.pick(None, 512)        # quick: the first 512 training images
NUM_EVAL = S.pick(None, 256)         # quick: the first 256 dev / test images
MINIATURE_PER_BATCH = 128            # quick mode without the data: 128 generated images per batch file
BOOK_TEST = (0.7094, 0.9058)

# %% [markdown]
# ## 5.5.1 数据处理

# %%
folder, standin = S.data(
    cifar10_folder,
    lambda: extract_cifar10(make_miniature(S.path('cifar-10-python.tar.gz'), num_per_batch=MINIATURE_PER_BATCH),
                            S.out),
    CIFAR10_FILE.title)

imgs_batch, labels_batch = load_cifar10_batch(folder_path=folder, batch_id=1, mode='train')
print("batch of imgs shape: ", imgs_batch.shape, "batch of labels shape: ", labels_batch.shape)
image, label = imgs_batch[1], labels_batch[1]
print("The label in the picture is {}".format(label))
fig = plt.figure(figsize=(2, 2))
plt.imshow(image.transpose(1, 2, 0))
plt.xlabel('x (pixel)')
plt.ylabel('y (pixel)')
S.savefig(fig, 'fig5-21-sample.pdf')      # 图 5.21 (not saved in the book)
plt.close(fig)
batch_shape, label_shape = list(imgs_batch.shape), list(labels_batch.shape)

# %%
paddle.seed(SEED)
train_dataset = CIFAR10Dataset(folder_path=folder, mode='train')
dev_dataset = CIFAR10Dataset(folder_path=folder, mode='dev')
test_dataset = CIFAR10Dataset(folder_path=folder, mode='test')
print(f"train/dev/test: {len(train_dataset)}/{len(dev_dataset)}/{len(test_dataset)}")
sizes = [len(train_dataset), len(dev_dataset), len(test_dataset)]
if NUM_TRAIN is not None:
    train_dataset = io.Subset(train_dataset, list(range(min(NUM_TRAIN, len(train_dataset)))))
    dev_dataset = io.Subset(dev_dataset, list(range(min(NUM_EVAL, len(dev_dataset)))))
    test_dataset = io.Subset(test_dataset, list(range(min(NUM_EVAL, len(test_dataset)))))
    print(f"quick mode uses {len(train_dataset)}/{len(dev_dataset)}/{len(test_dataset)} of them")

# %% [markdown]
# ## 5.5.2 模型构建

# %%
if S.quick:
    model = Model_ResNet18(in_channels=3, num_classes=10, width=8)
else:
    model = resnet18(num_classes=10)     # 书的 resnet18() 是 1000 类输出

# %% [markdown]
# ## 5.5.3 模型训练

# %%
np.random.seed(SEED)
train_loader = io.DataLoader(train_dataset, batch_size=BATCH_SIZE, shuffle=True)
dev_loader = io.DataLoader(dev_dataset, batch_size=BATCH_SIZE)
test_loader = io.DataLoader(test_dataset, batch_size=BATCH_SIZE)
# Adam 与 L2 正则化 (7.3.3.2, 7.6.2)
optimizer = opt.Adam(learning_rate=LR, parameters=model.parameters(), weight_decay=WEIGHT_DECAY)
acc = metric.Accuracy(is_logist=True)
runner = RunnerV3(model, optimizer, F.cross_entropy, acc)
start = time.time()
runner.train(train_loader, dev_loader, num_epochs=NUM_EPOCHS, log_steps=LOG_STEPS, eval_steps=EVAL_STEPS,
             save_path=str(S.path("best_model.pdparams")))
train_seconds = time.time() - start
fig = plot(runner, sample_every=S.pick(30, 1))
S.savefig(fig, 'fig5-22-cifar-loss-acc.pdf')    # 图 5.22
plt.close(fig)

# %% [markdown]
# ## 5.5.4 模型评价

# %%
runner.load_model(str(S.path("best_model.pdparams")))
score, loss = runner.evaluate(test_loader)
print("[Test] accuracy/loss: {:.4f}/{:.4f}".format(score, loss))

# %% [markdown]
# ## 5.5.5 模型预测

# %%
X, label = next(iter(test_loader))
logits = runner.predict(X)
pred = F.softmax(logits)
pred_class = int(paddle.argmax(pred[2]))
true_class = int(label[2])
print("The true category is {} and the predicted category is {}".format(true_class, pred_class))
fig = plt.figure(figsize=(2, 2))
imgs, labels = load_cifar10_batch(folder_path=folder, mode='test')
plt.imshow(imgs[2].transpose(1, 2, 0))
plt.xlabel('x (pixel)')
plt.ylabel('y (pixel)')
S.savefig(fig, 'cnn-test-vis.pdf')
plt.close(fig)

# %%
S.record(standin=standin, batch_shape=batch_shape, label_shape=label_shape, sizes=sizes,
         test_score=score, test_loss=loss, best_dev=runner.best_score, train_seconds=train_seconds,
         prediction={'true': true_class, 'predicted': pred_class})
S.claim(book="5.5.1: 每个 batch 文件 (10000, 3, 32, 32) 的图像和 (10000,) 的标签；训练/验证/测试 40000/10000/10000",
        measured=f"batch {batch_shape}, labels {label_shape}; train/dev/test {sizes}",
        supported=None if standin else (batch_shape == [10000, 3, 32, 32] and sizes == [40000, 10000, 10000]),
        note="generated miniature in the real format" if standin else None)
S.claim(book=f"5.5.4: resnet18 训练 30 个回合，测试集 accuracy/loss {BOOK_TEST[0]:.4f}/{BOOK_TEST[1]:.4f}",
        measured=f"test accuracy/loss {score:.4f}/{loss:.4f} after {NUM_EPOCHS} epochs, {train_seconds:.0f} s",
        supported=None if S.quick else bool(score >= 0.65),
        note=("quick mode: a narrow ResNet18 for a few steps" + (" on generated data" if standin else ""))
        if S.quick else "the book ran on a GPU; this claim holds when test accuracy >= 0.65")
S.save()
