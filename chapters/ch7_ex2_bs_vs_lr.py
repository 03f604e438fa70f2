# %% [markdown]
# # 动手练习 7.2 批大小加倍与学习率减半
#
# 对比两种实验设置：1. 批大小增大一倍，学习率不变；2. 批大小不变，学习率减少一半。
# 基准为 7.2 中的批大小 64、学习率 0.04（LeNet，SGD，不打乱数据）。
#
# 两种设置都把“学习率 / 批大小”减半。设置 1 每个回合只更新一半次数，但每次的梯度噪声更小；
# 设置 2 更新次数不变、步长减半。按回合看二者都比基准慢、且彼此接近；按看过的样本数看也一样。

# %%
from nndl.app.script import setup
S = setup("ch7_ex2_bs_vs_lr")

import numpy as np
import paddle
import paddle.nn.functional as F
import matplotlib.pyplot as plt

from nndl import RunnerV3
from nndl.datasets.mnist import MNIST, book_transform
from paddle.vision.models import LeNet

# %%
SETTINGS = [('baseline', 64, 0.04), ('batch x2', 128, 0.04), ('lr / 2', 64, 0.02)]
NUM_EPOCHS = S.pick(10, 2)
NUM_SAMPLES = S.pick(None, 1280)

# %%
paddle.seed(0)
paddle.vision.image.set_image_backend('cv2')
train_dataset = MNIST(mode='train', transform=book_transform)
subset = None if NUM_SAMPLES is None else range(NUM_SAMPLES)
runners = {}
for name, batch_size, lr in SETTINGS:
    paddle.seed(0)   # the same initial LeNet for the three settings
    model = LeNet()
    opt = paddle.optimizer.SGD(learning_rate=lr, parameters=model.parameters())
    runner = RunnerV3(model, opt, F.cross_entropy, None)
    runner.train(train_dataset.loader(batch_size=batch_size, indices=subset), num_epochs=NUM_EPOCHS, log_steps=0)
    runners[name] = runner
    print(f'{name}: batch size {batch_size}, lr {lr}, iterations {len(runner.train_step_losses)}, '
          f'epoch losses {[round(v, 4) for v in runner.train_epoch_losses]}')

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
for (name, batch_size, lr), c in zip(SETTINGS, ['#000000', '#e4007f', '#f19ec2']):
    runner = runners[name]
    label = f'{name}: batch size {batch_size}, lr {lr}'
    ax1.plot(runner.train_epoch_losses, label=label, c=c)
    steps = np.array(runner.train_step_losses)
    ax2.plot((steps[:, 0] + 1) * batch_size, steps[:, 1], label=label, c=c, alpha=0.7, linewidth=0.8)
ax1.set_xlabel('epoch'); ax1.set_ylabel('loss'); ax1.legend()
ax2.set_xlabel('samples seen'); ax2.set_ylabel('iteration loss'); ax2.set_yscale('log')
S.savefig(fig, 'opt-mnist-bs-vs-lr.pdf')
plt.close(fig)

# %%
S.record(num_epochs=NUM_EPOCHS, device=paddle.get_device(),
         epoch_losses={name: r.train_epoch_losses for name, r in runners.items()},
         iterations={name: len(r.train_step_losses) for name, r in runners.items()})
last = {name: r.train_epoch_losses[-1] for name, r in runners.items()}
S.claim(book='练习 7.2：批大小加倍（学习率不变）与学习率减半（批大小不变）两种设置的比较',
        measured='last-epoch loss ' + ', '.join(f'{n} {v:.4f}' for n, v in last.items()),
        supported=bool(last['batch x2'] > last['baseline'] and last['lr / 2'] > last['baseline']),
        note='checked: both settings halve lr/batch size and train slower per epoch than the baseline'
             + (f'; quick mode: {NUM_EPOCHS} epochs on {NUM_SAMPLES} images' if S.quick else ''))
S.save()
