# %% [markdown]
# # 动手练习 7.8 层规范化在 MNIST 上的收敛速度
#
# 在 MNIST 数据集上对比使用层规范化的网络与没有使用层规范化的网络在收敛速度上的区别。
# 网络与 7.5.1.5 的 `MultiConvLayerNet` 相同，只把两个批量规范化层换成本库 7.5.2.1 的
# `LayerNorm`（每个样本在 [C, H, W] 上规范化，每个通道一组 γ、β）；训练设置也相同：
# Adam，学习率 0.01，批大小 64，每 300 步在测试集上评价。

# %%
from nndl.app.script import setup
S = setup("ch7_ex8_layernorm_mnist")

import numpy as np
import paddle
import paddle.nn as nn
import paddle.nn.functional as F
import matplotlib.pyplot as plt

from nndl import RunnerV3, Accuracy, LayerNorm
from nndl.datasets.mnist import MNIST, book_transform

# %%
LR = 0.01
BATCH_SIZE = 64
NUM_EPOCHS = S.pick(5, 1)
EVAL_STEPS = S.pick(300, 10)
NUM_TRAIN = S.pick(None, 960)
NUM_DEV = S.pick(None, 500)


# %%
class MultiConvLayerNetLN(nn.Layer):
    """MultiConvLayerNet (7.5.1.5) with nndl's LayerNorm in place of BatchNorm2D (use_ln=False: none)."""

    def __init__(self, use_ln=False):
        super().__init__()
        self.conv1 = nn.Conv2D(in_channels=1, out_channels=20, kernel_size=5, stride=1, padding=2)
        self.max_pool1 = nn.MaxPool2D(kernel_size=2, stride=2)
        self.conv2 = nn.Conv2D(in_channels=20, out_channels=20, kernel_size=5, stride=1, padding=2)
        self.max_pool2 = nn.MaxPool2D(kernel_size=2, stride=2)
        self.fc = nn.Linear(980, 10)
        if use_ln:
            self.layer_norm1 = LayerNorm(num_features=20, eps=1e-5)
            self.layer_norm2 = LayerNorm(num_features=20, eps=1e-5)
        self.use_ln = use_ln

    def forward(self, inputs):
        x = self.conv1(inputs)
        if self.use_ln:
            x = self.layer_norm1(x)
        x = self.max_pool1(F.relu(x))
        x = self.conv2(x)
        if self.use_ln:
            x = self.layer_norm2(x)
        x = self.max_pool2(F.relu(x))
        x = paddle.reshape(x, [x.shape[0], 980])
        return self.fc(x)


# %%
paddle.seed(0)
np.random.seed(0)
paddle.vision.image.set_image_backend('cv2')
train_dataset = MNIST(mode='train', transform=book_transform)
dev_dataset = MNIST(mode='test', transform=book_transform)
train_loader = train_dataset.loader(BATCH_SIZE, shuffle=True, indices=None if NUM_TRAIN is None else range(NUM_TRAIN))
dev_loader = dev_dataset.loader(BATCH_SIZE, indices=None if NUM_DEV is None else range(NUM_DEV))

runners = {}
for use_ln in (False, True):
    name = 'with ln' if use_ln else 'no ln'
    np.random.seed(0)   # the same shuffled batches for both networks
    model = MultiConvLayerNetLN(use_ln=use_ln)
    opt = paddle.optimizer.Adam(learning_rate=LR, parameters=model.parameters())
    runner = RunnerV3(model, opt, F.cross_entropy, Accuracy())
    print('train network with layer normalization' if use_ln else 'train network without layer normalization')
    runner.train(train_loader, dev_loader, num_epochs=NUM_EPOCHS, log_steps=0, eval_steps=EVAL_STEPS,
                 save_path=str(S.path(name.replace(' ', '_') + '.pdparams')))
    print(f'[Evaluate] {name}: dev scores {[round(s, 4) for s in runner.dev_scores]}')
    runners[name] = runner

# %%
fig = plt.figure(figsize=(10, 4))
for i, what in enumerate(('loss', 'accuracy')):
    ax = plt.subplot(1, 2, i + 1)
    for (name, runner), style in zip(runners.items(), (dict(c='#e4007f', linestyle='--'), dict(c='#f19ec2'))):
        steps = np.array(runner.dev_losses)[:, 0]
        values = np.array(runner.dev_losses)[:, 1] if what == 'loss' else runner.dev_scores
        ax.plot(steps, values, label=name, **style)
    ax.set_xlabel('step')
    ax.set_ylabel(what)
    plt.legend(fontsize='x-large')
S.savefig(fig, 'opti-acc-ln.pdf')
plt.close(fig)

# %%
S.record(num_epochs=NUM_EPOCHS, eval_steps=EVAL_STEPS, device=paddle.get_device(),
         dev_scores={name: r.dev_scores for name, r in runners.items()},
         dev_losses={name: np.array(r.dev_losses)[:, 1] for name, r in runners.items()})
no, ln = runners['no ln'].dev_scores, runners['with ln'].dev_scores
ahead = int(np.sum(np.array(ln) > np.array(no)))
S.claim(book='练习 7.8：层规范化网络与无规范化网络在 MNIST 上收敛速度的区别（规范化加快收敛）',
        measured=f'dev accuracy with LayerNorm {", ".join(f"{v:.3f}" for v in ln)} vs without '
                 f'{", ".join(f"{v:.3f}" for v in no)}; LayerNorm ahead at {ahead} of {len(no)} evaluation points',
        supported=bool(ln[-1] > no[-1] and ahead >= 2 * len(no) / 3),
        note=f'quick mode: {NUM_TRAIN} training images, {len(no)} evaluation points' if S.quick else None)
S.save()
