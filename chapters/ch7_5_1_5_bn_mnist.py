# %% [markdown]
# # 7.5.1.5 在 MNIST 数据集上使用带批量规范化的卷积网络
#
# 批量规范化的主要优点是更平滑的优化地形和更稳定的梯度，从而加快收敛。用飞桨 API 搭建
# 多层卷积神经网络 `MultiConvLayerNet`（`nndl.layers`，两层 5×5 卷积 + 汇聚 + 全连接），
# 在 MNIST 上比较不使用（model1）与使用（model2）批量规范化的网络：Adam，学习率 0.01，
# 批大小 64，训练 5 个回合，每 300 步在验证集上评价一次。
#
# 验证集是 MNIST 的测试集（`MNIST(mode='test')`）。书的 notebook 版本（R0）误把
# `dev_loader` 建在 `train_dataset` 上，印刷版（R1）建在 `dev_dataset` 上：这里按 R1，
# 见 docs/errata.md。

# %%
from nndl.app.script import setup
S = setup("ch7_5_1_5_bn_mnist")

import time

import numpy as np
import paddle
import paddle.nn.functional as F
import matplotlib.pyplot as plt

from nndl import RunnerV3, Accuracy, MultiConvLayerNet
from nndl.datasets.mnist import MNIST, book_transform as transform

# %%
LR = 0.01
BATCH_SIZE = 64
NUM_EPOCHS = S.pick(5, 1)
EVAL_STEPS = S.pick(300, 5)      # quick: a dev point every 5 steps, so the curves show the convergence
NUM_TRAIN = S.pick(None, 1920)   # quick: the first 1920 training images (30 steps; with 960 the two nets tie)
NUM_DEV = S.pick(None, 300)      # quick: the first 300 test images

# %%
paddle.seed(0)
np.random.seed(0)   # shuffle=True draws from numpy (io.RandomSampler); the book does not seed it
# 确保从 MNIST 中加载的图像数据是 np.ndarray 类型
paddle.vision.image.set_image_backend('cv2')

# 使用 MNIST 数据集; loader() 与 io.DataLoader 给出相同的批（见 7.2 的说明）
train_dataset = MNIST(mode='train', transform=transform)
train_loader = train_dataset.loader(batch_size=BATCH_SIZE, shuffle=True,
                                    indices=None if NUM_TRAIN is None else range(NUM_TRAIN))
dev_dataset = MNIST(mode='test', transform=transform)
dev_loader = dev_dataset.loader(batch_size=BATCH_SIZE,
                                indices=None if NUM_DEV is None else range(NUM_DEV))

loss_fn = F.cross_entropy
metric = Accuracy()
runners, timings = [], []
for use_bn in (False, True):
    model = MultiConvLayerNet(use_bn=use_bn)
    opt = paddle.optimizer.Adam(learning_rate=LR, parameters=model.parameters())
    runner = RunnerV3(model, opt, loss_fn, metric)
    print('train network with batch normalization' if use_bn else 'train network without batch normalization')
    start = time.time()
    runner.train(train_loader, dev_loader, num_epochs=NUM_EPOCHS, log_steps=0, eval_steps=EVAL_STEPS,
                 save_path=str(S.path('best_model_bn.pdparams' if use_bn else 'best_model.pdparams')))
    timings.append(time.time() - start)
    runners.append(runner)
    print(f'[Evaluate] final dev score: {runner.dev_scores[-1]:.5f}, dev loss: {runner.dev_losses[-1][1]:.5f}, '
          f'best: {runner.best_score:.5f} ({timings[-1]:.1f} s)')
runner1, runner2 = runners

# %% [markdown]
# 对比 model1 和 model2 在验证集上损失和准确率的变化（opti-acc.pdf）。使用批量规范化的
# 网络收敛速度会更好。

# %%
fig = plt.figure(figsize=(10, 4))
steps1 = np.array(runner1.dev_losses)[:, 0]
steps2 = np.array(runner2.dev_losses)[:, 0]
ax1 = plt.subplot(121)
ax1.plot(steps1, np.array(runner1.dev_losses)[:, 1], label='no bn', c='#e4007f', linestyle='--')
ax1.plot(steps2, np.array(runner2.dev_losses)[:, 1], label='with bn', c='#f19ec2')
ax1.set_xlabel('step')
ax1.set_ylabel('loss')
plt.legend(fontsize='x-large')
ax2 = plt.subplot(122)
ax2.plot(steps1, runner1.dev_scores, label='no bn', c='#e4007f', linestyle='--')
ax2.plot(steps2, runner2.dev_scores, label='with bn', c='#f19ec2')
ax2.set_xlabel('step')
ax2.set_ylabel('accuracy')
plt.legend(fontsize='x-large')
S.savefig(fig, 'opti-acc.pdf')
plt.close(fig)

# %%
S.record(num_epochs=NUM_EPOCHS, eval_steps=EVAL_STEPS, device=paddle.get_device(),
         num_train=len(train_dataset) if NUM_TRAIN is None else NUM_TRAIN,
         num_dev=len(dev_dataset) if NUM_DEV is None else NUM_DEV,
         no_bn={'dev_steps': steps1, 'dev_scores': runner1.dev_scores,
                'dev_losses': np.array(runner1.dev_losses)[:, 1], 'seconds': timings[0]},
         with_bn={'dev_steps': steps2, 'dev_scores': runner2.dev_scores,
                  'dev_losses': np.array(runner2.dev_losses)[:, 1], 'seconds': timings[1]},
         final_dev_scores={'no_bn': runner1.dev_scores[-1], 'with_bn': runner2.dev_scores[-1]})
ahead = int(np.sum(np.array(runner2.dev_scores) > np.array(runner1.dev_scores)))
S.claim(book='使用批量规范化的网络收敛更快、验证集准确率更高',
        measured=f'final dev accuracy with BN {runner2.dev_scores[-1]:.3f} vs without {runner1.dev_scores[-1]:.3f}; '
                 f'BN ahead at {ahead} of {len(runner1.dev_scores)} evaluation points',
        supported=bool(runner2.dev_scores[-1] > runner1.dev_scores[-1] and ahead >= 2 * len(runner1.dev_scores) / 3),
        note=(f'quick mode: {NUM_TRAIN} training images (one pass), dev set of {NUM_DEV} test images' if S.quick
              else None))
S.save()
