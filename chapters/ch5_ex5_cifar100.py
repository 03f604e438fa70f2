# %% [markdown]
# # 动手练习 5.5 CIFAR-100
#
# 尝试使用 CIFAR-100 进行实验，观察不同模型在不同数据集上的学习效果。
#
# CIFAR-100 与 CIFAR-10 一样是 32×32 的彩色图像（训练 50 000、测试 10 000），但分为 100 个细类
# （`fine_labels`，另有 20 个粗类）。发布的 `cifar-100-python.tar.gz` 解压为 `cifar-100-python/`，
# 其中 `train`、`test` 是 pickle 的字典（`data` 为 uint8 `[n, 3072]`），`meta` 存类名。
# `nndl.datasets.cifar` 用读 CIFAR-10 的同一套机制找到并解压它（`cifar100_folder`，MD5 校验），
# `CIFAR100Dataset` 按 5.5 的方式划分（`train` 的前 40 000 条训练、后 10 000 条验证，`test` 测试）
# 并用 5.5 的 `Normalize` 参数规范化，这样两个数据集走同一条流程。
#
# 两个模型：5.5 的 ResNet18（飞桨的 `resnet18`）和 5.3 的 LeNet-5（`nndl.Model_LeNet`，三通道输入），
# 各在 CIFAR-10 和 CIFAR-100 上用 5.5 的配置训练（Adam，学习率 0.001，`weight_decay=0.005`，批大小 64，
# 30 个回合，每 3000 步评价），用验证集上最好的模型在测试集上评价。
#
# 找不到数据时，完整模式在开始前报错（列出找过的每个位置）；快速模式在生成的同格式小数据上运行
# 并如实说明，用窄的 `Model_ResNet18(width=8)`、256 条训练样本和 2 个回合。

# %%
from nndl.app.script import setup
S = setup("ch5_ex5_cifar100")

import time

import matplotlib.pyplot as plt
import numpy as np
import paddle
import paddle.io as io
import paddle.nn.functional as F
import paddle.optimizer as opt
from paddle.vision.models import resnet18

from nndl import CIFAR10Dataset, CIFAR100Dataset, Model_LeNet, Model_ResNet18, RunnerV3, metric
from nndl.datasets import cifar

# %%
SEED = 100
LR = 0.001
WEIGHT_DECAY = 0.005
BATCH_SIZE = 64
NUM_EPOCHS = S.pick(30, 2)
LOG_STEPS = S.pick(3000, 0)
EVAL_STEPS = S.pick(3000, 4)
NUM_DEV_100 = S.pick(10000, 64)      # images of CIFAR-100's train kept for the development set
NUM_TRAIN = S.pick(None, 256)         # quick: the first 256 training images
NUM_EVAL = S.pick(None, 64)           # quick: the first 64 dev / test images
BOOK_CIFAR10_RESNET18 = 0.7094        # 5.5.4

# %% [markdown]
# ## 数据：CIFAR-10 与 CIFAR-100

# %%
folder10, standin10 = S.data(
    cifar.cifar10_folder,
    lambda: cifar.extract_cifar10(cifar.make_miniature(S.path('cifar-10-python.tar.gz'), num_per_batch=64),
                                  S.out),
    cifar.CIFAR10_FILE.title)
folder100, standin100 = S.data(
    cifar.cifar100_folder,
    lambda: cifar.extract_cifar100(cifar.make_miniature_cifar100(S.path('cifar-100-python.tar.gz'),
                                                                 num_train=NUM_TRAIN + NUM_DEV_100, num_test=NUM_EVAL),
                                   S.out),
    cifar.CIFAR100_FILE.title)
fine_names, coarse_names = cifar.load_cifar100_meta(folder100)
imgs100, labels100 = cifar.load_cifar100(folder100, mode='train')
print(f"CIFAR-100 train: images {list(imgs100.shape)}, labels {list(labels100.shape)}, "
      f"{len(fine_names)} fine / {len(coarse_names)} coarse classes; first 5 labels "
      f"{[fine_names[i] for i in labels100[:5]]}")
del imgs100


def first(dataset, n):
    return dataset if n is None or n >= len(dataset) else io.Subset(dataset, list(range(n)))


paddle.seed(SEED)
datasets = {
    'CIFAR-10': (10, [first(CIFAR10Dataset(folder10, mode=m), NUM_TRAIN if m == 'train' else NUM_EVAL)
                      for m in ('train', 'dev', 'test')]),
    'CIFAR-100': (100, [first(CIFAR100Dataset(folder100, mode=m, num_dev=NUM_DEV_100),
                              NUM_TRAIN if m == 'train' else NUM_EVAL) for m in ('train', 'dev', 'test')]),
}
for name, (classes, parts) in datasets.items():
    print(f"{name}: {classes} classes, train/dev/test {'/'.join(str(len(p)) for p in parts)}")

# %% [markdown]
# ## 两个模型在两个数据集上


# %%
def make_model(model_name, num_classes):
    if model_name == 'LeNet-5':
        return Model_LeNet(in_channels=3, num_classes=num_classes)
    if S.quick:
        return Model_ResNet18(in_channels=3, num_classes=num_classes, width=8)
    return resnet18(num_classes=num_classes)


def run(model_name, data_name):
    num_classes, (train_ds, dev_ds, test_ds) = datasets[data_name]
    paddle.seed(SEED)
    np.random.seed(SEED)
    model = make_model(model_name, num_classes)
    optimizer = opt.Adam(learning_rate=LR, parameters=model.parameters(), weight_decay=WEIGHT_DECAY)
    runner = RunnerV3(model, optimizer, F.cross_entropy, metric.Accuracy(is_logist=True))
    save_path = str(S.path(f"best_{model_name[:3]}_{data_name[6:]}.pdparams"))
    start = time.time()
    runner.train(io.DataLoader(train_ds, batch_size=BATCH_SIZE, shuffle=True),
                 io.DataLoader(dev_ds, batch_size=BATCH_SIZE),
                 num_epochs=NUM_EPOCHS, log_steps=LOG_STEPS, eval_steps=EVAL_STEPS, save_path=save_path)
    seconds = time.time() - start
    runner.load_model(save_path)
    score, loss = runner.evaluate(io.DataLoader(test_ds, batch_size=BATCH_SIZE))
    print(f"{model_name:8s} on {data_name:9s}: best dev {runner.best_score:.4f}; [Test] accuracy/loss: "
          f"{score:.4f}/{loss:.4f} (chance {1 / num_classes:.2f}); {seconds:.1f} s")
    return runner, {'test_score': score, 'test_loss': loss, 'best_dev': runner.best_score, 'seconds': seconds,
                    'chance': 1 / num_classes, 'above_chance': score * num_classes}


MODELS = ('ResNet18', 'LeNet-5')
runs = {(m, d): run(m, d) for m in MODELS for d in datasets}
results = {f"{m} / {d}": r for (m, d), (_, r) in runs.items()}

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for ax, data_name in zip(axes, datasets):
    for model_name in MODELS:
        runner, _ = runs[model_name, data_name]
        steps, losses = np.array(runner.train_step_losses).T
        every = max(1, len(steps) // 200)
        ax.plot(steps[::every], losses[::every], label=model_name)
    ax.set_title(data_name)
    ax.set_xlabel('step')
    ax.set_ylabel('training loss')
    ax.legend()
S.savefig(fig, 'fig5-ex5-cifar100.pdf')
plt.close(fig)
print(f"{'test accuracy':14s}" + "".join(f"{d:>11s}" for d in datasets))
for m in MODELS:
    print(f"{m:14s}" + "".join(f"{runs[m, d][1]['test_score']:11.4f}" for d in datasets))

# %%
S.record(standin={'CIFAR-10': standin10, 'CIFAR-100': standin100}, num_epochs=NUM_EPOCHS, runs=results,
         cifar100_classes=[len(fine_names), len(coarse_names)])
acc = {(m, d): r['test_score'] for (m, d), (_, r) in runs.items()}
note = (("quick mode: a narrow ResNet18 and LeNet-5 for a few steps"
         + (" on generated data" if standin10 or standin100 else "")) if S.quick else None)
S.claim(book="动手练习 5.5（观察不同数据集上的学习效果）: 同样的模型和配置，在 100 类的 CIFAR-100 上学得不如在 10 类的 CIFAR-10 上",
        measured="test accuracy CIFAR-10 / CIFAR-100: " + ", ".join(
            f"{m} {acc[m, 'CIFAR-10']:.4f} / {acc[m, 'CIFAR-100']:.4f}" for m in MODELS)
                 + f" (chance 0.10 / 0.01; the book's ResNet18 on CIFAR-10: {BOOK_CIFAR10_RESNET18:.4f})",
        supported=None if S.quick else bool(all(acc[m, 'CIFAR-100'] < acc[m, 'CIFAR-10'] for m in MODELS)),
        note=note)
S.claim(book="动手练习 5.5（观察不同模型的学习效果）: 更深的 ResNet18 在两个数据集上都比 LeNet-5 学得好",
        measured=", ".join(f"{d}: ResNet18 {acc['ResNet18', d]:.4f} vs LeNet-5 {acc['LeNet-5', d]:.4f}"
                           for d in datasets),
        supported=None if S.quick else bool(all(acc['ResNet18', d] > acc['LeNet-5', d] for d in datasets)),
        note=note)
S.save()
