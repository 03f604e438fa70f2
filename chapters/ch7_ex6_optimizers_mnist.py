# %% [markdown]
# # 动手练习 7.6 不同优化算法在 MNIST 上的收敛性
#
# 通过飞桨 API，比较不同优化算法在 MNIST 数据集上的收敛性：同一个初始 LeNet，批大小 64，
# 分别用飞桨的 SGD、Momentum、Adagrad、RMSProp、Adam、AdamW、Adadelta 训练；再用本库在 7.3 节
# 手写的 Momentum、Adagrad、RMSprop、Adam、AdamW、AdaDelta（`nndl.optimizer`，可直接训练
# `paddle.nn.Layer`）训练同一个网络，超参数取相同的值。

# %%
from nndl.app.script import setup
S = setup("ch7_ex6_optimizers_mnist")

import numpy as np
import paddle
import paddle.nn.functional as F
import matplotlib.pyplot as plt

from nndl import RunnerV3, Accuracy
from nndl import optimizer as nopt
from nndl.datasets.mnist import MNIST, book_transform
from paddle.vision.models import LeNet

# %%
BATCH_SIZE = 64
NUM_EPOCHS = S.pick(3, 1)
NUM_TRAIN = S.pick(None, 640)
NUM_DEV = S.pick(None, 500)
po = paddle.optimizer
# name -> (optimizer factory(model)); the hand-written ones take the same hyperparameters
OPTIMIZERS = {
    'SGD': lambda m: po.SGD(learning_rate=0.05, parameters=m.parameters()),
    'Momentum': lambda m: po.Momentum(learning_rate=0.01, momentum=0.9, parameters=m.parameters()),
    'Adagrad': lambda m: po.Adagrad(learning_rate=0.01, epsilon=1e-7, parameters=m.parameters()),
    'RMSProp': lambda m: po.RMSProp(learning_rate=0.001, rho=0.9, epsilon=1e-7, parameters=m.parameters()),
    'Adam': lambda m: po.Adam(learning_rate=0.001, parameters=m.parameters()),
    'AdamW': lambda m: po.AdamW(learning_rate=0.001, weight_decay=0.01, parameters=m.parameters()),
    'Adadelta': lambda m: po.Adadelta(learning_rate=1.0, rho=0.9, epsilon=1e-6, parameters=m.parameters()),
    'nndl Momentum': lambda m: nopt.Momentum(init_lr=0.01, model=m, rho=0.9),
    'nndl Adagrad': lambda m: nopt.Adagrad(init_lr=0.01, model=m, epsilon=1e-7),
    'nndl RMSprop': lambda m: nopt.RMSprop(init_lr=0.001, model=m, beta=0.9, epsilon=1e-7),
    'nndl Adam': lambda m: nopt.Adam(init_lr=0.001, model=m, beta1=0.9, beta2=0.999, epsilon=1e-7),
    'nndl AdamW': lambda m: nopt.AdamW(init_lr=0.001, model=m, beta1=0.9, beta2=0.999, epsilon=1e-7,
                                       weight_decay=0.01),
    'nndl AdaDelta': lambda m: nopt.AdaDelta(init_lr=1.0, model=m, beta=0.9, epsilon=1e-6),
}

# %%
paddle.seed(0)
paddle.vision.image.set_image_backend('cv2')
train_dataset = MNIST(mode='train', transform=book_transform)
dev_dataset = MNIST(mode='test', transform=book_transform)
train_loader = train_dataset.loader(BATCH_SIZE, indices=None if NUM_TRAIN is None else range(NUM_TRAIN))
dev_loader = dev_dataset.loader(BATCH_SIZE, indices=None if NUM_DEV is None else range(NUM_DEV))

runners, results = {}, {}
for name, make in OPTIMIZERS.items():
    paddle.seed(0)   # the same initial LeNet for every optimizer
    model = LeNet()
    runner = RunnerV3(model, make(model), F.cross_entropy, Accuracy())
    runner.train(train_loader, num_epochs=NUM_EPOCHS, log_steps=0)
    score, loss = runner.evaluate(dev_loader)
    runners[name] = runner
    results[name] = {'dev_score': score, 'dev_loss': loss, 'last_epoch_loss': runner.train_epoch_losses[-1]}
    print(f'{name:14s} last epoch loss: {runner.train_epoch_losses[-1]:.5f}, dev score: {score:.5f}')

# %%
def smooth(values, k):
    k = max(1, min(k, len(values)))
    return np.convolve(values, np.ones(k) / k, mode='valid')


fig, axes = plt.subplots(1, 2, figsize=(13, 4.5), sharey=True)
k = S.pick(50, 3)
for ax, which in zip(axes, ('paddle', 'nndl')):
    for name, runner in runners.items():
        if name.startswith('nndl') != (which == 'nndl') and name != 'SGD':
            continue
        ax.plot(smooth(np.array(runner.train_step_losses)[:, 1], k), label=name)
    ax.set_title(f"{which} optimizers (LeNet, MNIST)")
    ax.set_xlabel('iteration'); ax.legend(fontsize='small')
axes[0].set_ylabel('loss (moving average)')
S.savefig(fig, 'opti-mnist-optimizers.pdf')
plt.close(fig)

# %%
S.record(num_epochs=NUM_EPOCHS, batch_size=BATCH_SIZE, device=paddle.get_device(), results=results)
pairs = [('Momentum', 'nndl Momentum'), ('Adagrad', 'nndl Adagrad'), ('RMSProp', 'nndl RMSprop'),
         ('Adam', 'nndl Adam'), ('AdamW', 'nndl AdamW'), ('Adadelta', 'nndl AdaDelta')]
gaps = {p: abs(results[p]['last_epoch_loss'] - results[n]['last_epoch_loss']) for p, n in pairs}
best = max(results, key=lambda n: results[n]['dev_score'])
S.claim(book='练习 7.6：比较不同优化算法在 MNIST 上的收敛性',
        measured='dev accuracy ' + ', '.join(f"{n} {r['dev_score']:.3f}" for n, r in results.items() if not n.startswith('nndl'))
                 + f'; best {best}; |paddle - nndl| last-epoch loss at most {max(gaps.values()):.4f}',
        supported=None,
        note='an exercise asks, the run answers; the hand-written optimizers track paddle\'s'
             + (f'; quick mode: {NUM_EPOCHS} epoch on {NUM_TRAIN} images, too short to rank the optimizers'
                if S.quick else ''))
S.save()
