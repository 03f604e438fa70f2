# %% [markdown]
# # 7.2 批大小的调整实验
#
# 训练深度神经网络时通常使用小批量梯度下降法。为了观察不同批大小对模型收敛速度的影响，
# 用经典的 LeNet 网络（`paddle.vision.models.LeNet`）在 MNIST 数据集上做图像分类，
# 把图像值规范化到 0~1 之间，使用第 4.5.4 节的 `RunnerV3`、交叉熵损失和标准的随机梯度
# 下降优化器 `paddle.optimizer.SGD`。
#
# 通常批大小与学习率成正比：批大小 16、32、64、128、256 分别配学习率 0.01、0.02、0.04、
# 0.08、0.16，各训练 30 个回合；为保证每次输出相同，不打乱数据（`shuffle=False`）。
#
# 数据：`nndl.MNIST` 是 `paddle.vision.datasets.MNIST` 的离线替身（同样的数据、类型和形状，
# 不需要网络）。`train_dataset.loader(batch_size)` 给出与
# `io.DataLoader(train_dataset, batch_size)` 完全相同的批（逐位相等，见 tests/test_mnist.py），
# 但一次性完成书中逐样本的 `transform`，省去每个回合约 9 秒的 Python 开销。

# %%
from nndl.app.script import setup
S = setup("ch7_2_batch_size")

import time

import numpy as np
import paddle
import paddle.optimizer as optimizer
import paddle.nn.functional as F
import matplotlib.pyplot as plt

from nndl import RunnerV3
from nndl.datasets.mnist import MNIST, book_transform
from paddle.vision.models import LeNet

# %%
BATCH_SIZES = [16, 32, 64, 128, 256]
LEARNING_RATES = [0.01, 0.02, 0.04, 0.08, 0.16]   # 与批大小成正比
NUM_EPOCHS = S.pick(30, 2)
NUM_SAMPLES = S.pick(None, 1280)                 # quick: the first 1280 training images
COLORS = ['#9c9d9f', '#f7d2e2', '#f19ec2', '#e86096', '#000000']
STYLES = ['-', '-', '-', '-.', '--']


# %% [markdown]
# 将图像值规范化到 0~1 之间。书中的 `transform` 是
# `paddle.unsqueeze(paddle.to_tensor(image / 255, dtype='float32'), axis=0)`，
# 即 `nndl.datasets.mnist.book_transform`。

# %%
transform = book_transform


# %%
# 固定随机种子
paddle.seed(0)

# 准备数据: backend 'cv2' 使图像为 np.ndarray
paddle.vision.image.set_image_backend('cv2')
train_dataset = MNIST(mode='train', transform=transform)
print(f'train_dataset: {len(train_dataset)} images, from {train_dataset.source}')
subset = None if NUM_SAMPLES is None else range(NUM_SAMPLES)

# 定义损失函数
loss_fn = F.cross_entropy

runners = []
timings = []
for batch_size, lr in zip(BATCH_SIZES, LEARNING_RATES):
    # 为保证每次输出结果相同，没有设置 shuffle=True，真实模型训练场景需要开启
    train_loader = train_dataset.loader(batch_size=batch_size, indices=subset)
    model = LeNet()
    # 定义优化器，使用随机梯度下降（SGD）优化器
    opt = optimizer.SGD(learning_rate=lr, parameters=model.parameters())
    runner = RunnerV3(model, opt, loss_fn, None)
    start = time.time()
    runner.train(train_loader, num_epochs=NUM_EPOCHS, log_steps=0)
    timings.append(time.time() - start)
    print('[Train] Training done!')
    runners.append(runner)

for batch_size, lr, runner, seconds in zip(BATCH_SIZES, LEARNING_RATES, runners, timings):
    print(f'batch size: {batch_size}, lr: {lr}, first epoch loss: {runner.train_epoch_losses[0]:.5f}, '
          f'last epoch loss: {runner.train_epoch_losses[-1]:.5f} ({seconds:.1f} s)')

# %% [markdown]
# 可视化每个回合的损失变化趋势（图 7.2，opt-mnist-loss.pdf）。快速模式只有 2 个回合，
# 每条回合损失曲线只有两个点，所以快速模式改画每次迭代的损失（滑动平均），横轴仍以回合计。

# %%
def smooth(values, k):
    """Moving average over k values (the first k-1 points average what is there)."""
    values = np.asarray(values, dtype=float)
    c = np.cumsum(np.insert(values, 0, 0.0))
    n = np.arange(1, len(values) + 1)
    lo = np.maximum(n - k, 0)
    return (c[n] - c[lo]) / (n - lo)


PER_EPOCH = NUM_EPOCHS >= 5     # enough epochs for the book's epoch-loss curve
fig, ax = plt.subplots(figsize=(7, 4.5))
for batch_size, lr, runner, c, ls in zip(BATCH_SIZES, LEARNING_RATES, runners, COLORS, STYLES):
    label = f'batch size: {batch_size}, lr: {lr}'
    if PER_EPOCH:
        epochs = np.arange(1, len(runner.train_epoch_losses) + 1)
        ax.plot(epochs, runner.train_epoch_losses, label=label, c=c, linestyle=ls)
    else:
        losses = [l for _, l in runner.train_step_losses]
        steps_per_epoch = len(losses) / NUM_EPOCHS
        x = (np.arange(len(losses)) + 1) / steps_per_epoch
        ax.plot(x, smooth(losses, max(1, int(steps_per_epoch // 10))), label=label, c=c, linestyle=ls)
ax.set_xlabel('epoch')
ax.set_ylabel('training loss' + ('' if PER_EPOCH else ' (per iteration, moving average)'))
if PER_EPOCH:
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
ax.legend(fontsize='large')
ax.set_title('epoch loss with different bs and lr' if PER_EPOCH else
             f'iteration loss with different bs and lr ({NUM_EPOCHS} epochs, {NUM_SAMPLES} images)')
S.savefig(fig, 'opt-mnist-loss.pdf')
plt.close(fig)

# %% [markdown]
# 从输出结果看，如果按每个回合的损失来看，每批次样本数越小，下降效果越明显。适当小的批大小
# 可以导致更快的收敛。

# %%
final = [r.train_epoch_losses[-1] for r in runners]
rank_corr = float(np.corrcoef(np.argsort(np.argsort(BATCH_SIZES)), np.argsort(np.argsort(final)))[0, 1])
S.record(num_epochs=NUM_EPOCHS, num_samples=len(train_dataset) if subset is None else NUM_SAMPLES,
         device=paddle.get_device(), data_source=train_dataset.source.split(' (')[0],
         runs={f'bs{b}_lr{lr}': {'epoch_losses': r.train_epoch_losses, 'seconds': t,
                                 'steps': len(r.train_step_losses)}
               for b, lr, r, t in zip(BATCH_SIZES, LEARNING_RATES, runners, timings)},
         final_epoch_losses=final, rank_correlation_bs_loss=rank_corr)
S.claim(book='按回合看，批大小越小（学习率按比例缩小）损失下降越明显，适当小的批大小收敛更快',
        measured='last-epoch loss by batch size ' + ', '.join(f'{b}: {l:.3f}' for b, l in zip(BATCH_SIZES, final))
                 + f' (rank correlation of batch size and loss {rank_corr:+.2f})',
        supported=bool(final[0] < final[-1] and rank_corr >= 0.9),
        note=None if not S.quick else f'quick mode: {NUM_EPOCHS} epochs on {NUM_SAMPLES} images')
S.save()
