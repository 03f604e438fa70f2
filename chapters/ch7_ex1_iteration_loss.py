# %% [markdown]
# # 动手练习 7.1 按迭代的损失变化
#
# 尝试画出按迭代的损失变化图，观察不同的批大小在两种损失图（按回合、按迭代）中的下降效果
# 是否相同。设置与 7.2 相同：LeNet，批大小 16~256，学习率 0.01~0.16，SGD，不打乱数据。
#
# 按回合看，小批量下降更快（同一回合里的更新次数多）；按迭代看，大批量每一步用的样本多、
# 学习率也大，相同迭代次数下的损失通常不高于小批量（学习率过大时初期会震荡）。
# 两种图的结论不同：比较收敛速度时要说明横轴是回合、迭代还是样本数。

# %%
from nndl.app.script import setup
S = setup("ch7_ex1_iteration_loss")

import numpy as np
import paddle
import paddle.nn.functional as F
import matplotlib.pyplot as plt

from nndl import RunnerV3
from nndl.datasets.mnist import MNIST, book_transform
from paddle.vision.models import LeNet

# %%
BATCH_SIZES = [16, 32, 64, 128, 256]
LEARNING_RATES = [0.01, 0.02, 0.04, 0.08, 0.16]
NUM_EPOCHS = S.pick(30, 2)
NUM_SAMPLES = S.pick(None, 1280)
COLORS = ['#9c9d9f', '#f7d2e2', '#f19ec2', '#e86096', '#000000']

# %%
paddle.seed(0)
paddle.vision.image.set_image_backend('cv2')
train_dataset = MNIST(mode='train', transform=book_transform)
subset = None if NUM_SAMPLES is None else range(NUM_SAMPLES)
runners = []
for batch_size, lr in zip(BATCH_SIZES, LEARNING_RATES):
    model = LeNet()
    opt = paddle.optimizer.SGD(learning_rate=lr, parameters=model.parameters())
    runner = RunnerV3(model, opt, F.cross_entropy, None)
    runner.train(train_dataset.loader(batch_size=batch_size, indices=subset), num_epochs=NUM_EPOCHS, log_steps=0)
    runners.append(runner)
    steps = np.array(runner.train_step_losses)
    print(f'batch size: {batch_size}, lr: {lr}, iterations: {len(steps)}, '
          f'last epoch loss: {runner.train_epoch_losses[-1]:.5f}, loss at iteration {min(100, len(steps)) - 1}: '
          f'{steps[min(100, len(steps)) - 1, 1]:.5f}')

# %% [markdown]
# 左：每个回合的平均损失；右：每次迭代的损失（滑动平均，横轴为迭代次数）。

# %%
def smooth(values, k):
    k = max(1, min(k, len(values)))
    return np.convolve(values, np.ones(k) / k, mode='valid')


fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
for batch_size, lr, runner, c in zip(BATCH_SIZES, LEARNING_RATES, runners, COLORS):
    label = f'batch size: {batch_size}, lr: {lr}'
    ax1.plot(runner.train_epoch_losses, label=label, c=c)
    steps = np.array(runner.train_step_losses)
    k = S.pick(50, 5)
    ax2.plot(steps[k - 1:, 0] if len(steps) >= k else steps[:1, 0], smooth(steps[:, 1], k), label=label, c=c)
ax1.set_xlabel('epoch'); ax1.set_ylabel('loss'); ax1.set_title('epoch loss')
ax2.set_xlabel('iteration'); ax2.set_ylabel('loss'); ax2.set_title('iteration loss (moving average)')
ax2.set_xscale('log')
ax1.legend()
S.savefig(fig, 'opt-mnist-loss-iteration.pdf')
plt.close(fig)

# %%
S.record(num_epochs=NUM_EPOCHS, device=paddle.get_device(),
         final_epoch_losses=[r.train_epoch_losses[-1] for r in runners],
         iterations=[len(r.train_step_losses) for r in runners],
         loss_at_iteration_20=[r.train_step_losses[min(20, len(r.train_step_losses) - 1)][1] for r in runners])


def rank_corr(a, b):
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


final = [r.train_epoch_losses[-1] for r in runners]
# per iteration: the mean loss over the first k iterations that every batch size has
k = min(len(r.train_step_losses) for r in runners)
early = [float(np.mean([l for _, l in r.train_step_losses[:k]])) for r in runners]
c_epoch, c_iter = rank_corr(BATCH_SIZES, final), rank_corr(BATCH_SIZES, early)
S.record(rank_corr_epoch=c_epoch, rank_corr_iteration=c_iter, mean_loss_first_iterations=early, first_iterations=k)
S.claim(book='练习 7.1：按迭代看，不同批大小的下降效果与按回合看（7.2：批越小下降越明显）是否相同',
        measured=f'rank correlation of batch size with the loss: per epoch {c_epoch:+.2f} (last-epoch loss), '
                 f'per iteration {c_iter:+.2f} (mean loss over the first {k} iterations)',
        supported=None,
        note='an exercise asks, the run answers: ' + (
            'the two views order the batch sizes differently' if np.sign(c_epoch) != np.sign(c_iter)
            else 'here both views order the batch sizes the same way')
             + (f'; quick mode: {NUM_EPOCHS} epochs on {NUM_SAMPLES} images' if S.quick else ''))
S.save()
