# %% [markdown]
# # 动手练习 5.3 加深残差网络
#
# 尝试加深残差网络的层数，观察是否能够得到更高的精度。
#
# 5.4 的 `Model_ResNet18` 在模块二到模块五各用两个残差单元 `ResBlock`（depth = 2, 2, 2, 2，
# 加上第一层卷积和最后的全连接层共 18 层）。同样的残差单元按 ResNet34 的 3, 4, 6, 3 个堆叠就是
# 34 层的网络；再加一个更浅的 1, 1, 1, 1（10 层）看趋势。三个网络在 5.4.3 的设置下训练：MNIST
# 的 1000/200/200 子集、缩放到 32×32、SGD 学习率 0.01、批大小 64、5 个回合、每 15 步评价一次，
# 用验证集上最好的模型在测试集上评价。
#
# 完整的 ResNet18 在 2 核 CPU 上每步约 3 秒，ResNet34 约两倍（完整模式约半小时）；快速模式用
# 很窄的网络（`width=4`）、192 条训练样本和 2 个回合，只演示流程，不能回答这个问题。

# %%
from nndl.app.script import setup
S = setup("ch5_ex3_deeper_resnet")

import time

import matplotlib.pyplot as plt
import numpy as np
import paddle
import paddle.io as io
import paddle.nn.functional as F
import paddle.optimizer as opt
from paddle.vision.transforms import Compose, Normalize, Resize

from nndl import Model_ResNet18, RunnerV3, metric
from nndl.datasets.mnist import MNISTDataset, load_mnist_split

# %%
NUM_TRAIN = S.pick(1000, 192)
NUM_DEV, NUM_TEST = S.pick(200, 100), S.pick(200, 100)
WIDTH = S.pick(64, 4)            # 模块一的通道数 (书: 64)
SEED = 100
LR = 0.01                        # 5.4.3
BATCH_SIZE = 64
NUM_EPOCHS = S.pick(5, 2)
LOG_STEPS = S.pick(15, 3)
EVAL_STEPS = S.pick(15, 3)
DEPTHS = {'ResNet10': (1, 1, 1, 1), 'ResNet18': (2, 2, 2, 2), 'ResNet34': (3, 4, 6, 3)}
BOOK_RESNET18 = (0.8750, 0.3543)     # 5.4.3 的测试集 accuracy/loss

# %%
train_set, dev_set, test_set = load_mnist_split(NUM_TRAIN, NUM_DEV, NUM_TEST)
transforms = Compose([Resize(32), Normalize(mean=[127.5], std=[127.5], data_format='CHW')])
train_dataset = MNISTDataset(dataset=train_set, transforms=transforms, mode='train')
dev_dataset = MNISTDataset(dataset=dev_set, transforms=transforms, mode='dev')
test_dataset = MNISTDataset(dataset=test_set, transforms=transforms, mode='test')


def layers(depth):
    """卷积层和全连接层的层数: 第一层卷积 + 每个残差单元两层 + 全连接层."""
    return 1 + 2 * sum(depth) + 1


def run(name, depth):
    paddle.seed(SEED)
    np.random.seed(SEED)
    train_loader = io.DataLoader(train_dataset, batch_size=BATCH_SIZE, shuffle=True)
    dev_loader = io.DataLoader(dev_dataset, batch_size=BATCH_SIZE)
    test_loader = io.DataLoader(test_dataset, batch_size=BATCH_SIZE)
    model = Model_ResNet18(in_channels=1, num_classes=10, width=WIDTH, depth=depth)
    params = sum(int(p.size) for p in model.parameters())
    optimizer = opt.SGD(learning_rate=LR, parameters=model.parameters())
    runner = RunnerV3(model, optimizer, F.cross_entropy, metric.Accuracy(is_logist=True))
    print(f"--- {name}: depth {list(depth)}, {layers(depth)} layers, {params:,} parameters")
    start = time.time()
    runner.train(train_loader, dev_loader, num_epochs=NUM_EPOCHS, log_steps=LOG_STEPS, eval_steps=EVAL_STEPS,
                 save_path=str(S.path(f"best_model_{name}.pdparams")))
    seconds = time.time() - start
    runner.load_model(str(S.path(f"best_model_{name}.pdparams")))
    score, loss = runner.evaluate(test_loader)
    print("[Test] accuracy/loss: {:.4f}/{:.4f}".format(score, loss))
    tail = float(np.mean([l for _, l in runner.train_step_losses[-5:]]))
    return runner, {'depth': list(depth), 'layers': layers(depth), 'params': params, 'test_score': score,
                    'test_loss': loss, 'best_dev': runner.best_score, 'final_train_loss': tail,
                    'seconds': seconds, 'seconds_per_step': seconds / len(runner.train_step_losses)}


runs = {name: run(name, depth) for name, depth in DEPTHS.items()}
results = {name: r for name, (_, r) in runs.items()}

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
for name, (runner, r) in runs.items():
    steps, losses = np.array(runner.train_step_losses).T
    ax1.plot(steps, losses, label=f"{name} ({r['layers']} layers)")
    # the dev evaluations during training (the test run afterwards is recorded at step -1)
    dev = np.array([(s, score) for (s, _), score in zip(runner.dev_losses, runner.dev_scores) if s >= 0])
    ax2.plot(dev[:, 0], dev[:, 1], label=name)
ax1.set_xlabel('step')
ax1.set_ylabel('training loss')
ax1.legend()
ax2.set_xlabel('step')
ax2.set_ylabel('dev accuracy')
ax2.legend()
S.savefig(fig, 'fig5-ex3-resnet-depths.pdf')
plt.close(fig)
print(f"{'model':9s} {'layers':>6s} {'params':>11s} {'test acc':>8s} {'test loss':>9s} {'s/step':>7s}")
for name, r in results.items():
    print(f"{name:9s} {r['layers']:6d} {r['params']:11,d} {r['test_score']:8.4f} {r['test_loss']:9.4f} "
          f"{r['seconds_per_step']:7.2f}")

# %%
S.record(width=WIDTH, num_train=NUM_TRAIN, num_epochs=NUM_EPOCHS, lr=LR, runs=results)
r18, r34 = results['ResNet18'], results['ResNet34']
S.claim(book="动手练习 5.3: 加深残差网络的层数（ResNet18 -> ResNet34），能否得到更高的精度？",
        measured="test accuracy/loss: " + ", ".join(f"{n} ({r['layers']} layers) {r['test_score']:.4f}/"
                                                    f"{r['test_loss']:.4f}" for n, r in results.items())
                 + f"; the book's ResNet18: {BOOK_RESNET18[0]:.4f}/{BOOK_RESNET18[1]:.4f}",
        supported=None if S.quick else bool(r34['test_score'] > r18['test_score']),
        note=(f"quick mode: width {WIDTH}, {NUM_TRAIN} images, {NUM_EPOCHS} epochs cannot tell; run --full"
              if S.quick else "supported = ResNet34 beats ResNet18 on the test set (1000 training images, "
                              "5 epochs: the deeper network has more parameters to fit from the same data)"))
S.claim(book="残差连接使更深的网络依然可以训练（5.4）",
        measured="mean of the last 5 training losses: " + ", ".join(f"{n} {r['final_train_loss']:.3f}"
                                                                    for n, r in results.items()),
        supported=None if S.quick else bool(r34['final_train_loss'] < 1.0),
        note=("quick mode: too few steps" if S.quick else "supported = ResNet34's training loss falls below 1.0"))
S.save()
