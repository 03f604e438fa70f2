# %% [markdown]
# # 动手练习 5.4 CIFAR-10 上的优化策略
#
# 5.5 用第 7 章的 Adam 优化器（学习率 0.001，`weight_decay=0.005`）训练 ResNet18。书说：如果
# 使用 SGD 优化器，会造成过拟合的现象，在验证集上无法得到很好的收敛效果；可以尝试第 7 章中
# 其他优化策略调整训练配置，达到更高的模型精度。
#
# 这里在 5.5 的设置下（CIFAR-10 的 40 000/10 000/10 000 划分，批大小 64，30 个回合，每 3000 步
# 评价一次，`weight_decay=0.005`）比较四种配置：
#
# - SGD，学习率 0.01（书没有给 SGD 的学习率；0.01 是 5.4 中同一个 ResNet18 用的）；
# - 动量法 Momentum（7.3.3.1），学习率 0.01，动量 0.9；
# - Adam，学习率 0.001（书的配置）；
# - Adam + 余弦衰减（7.3.2，`nndl.lr.CosineDecay`，在全部迭代中从 0.001 降到 0），
#   用 `nndl.lr.ScheduledOptimizer` 让 `RunnerV3` 每步推进学习率。
#
# 过拟合看训练结束时训练集与验证集准确率之差；精度看验证集上最好的模型在测试集上的准确率。
# 数据与模型同 5.5（`ch5_5_cifar10`）：找不到 CIFAR-10 时，完整模式在开始前报错，快速模式在生成的
# 同格式小数据上运行；快速模式用窄的 `Model_ResNet18(width=8)`、256 条训练样本、2 个回合。

# %%
from nndl.app.script import setup
S = setup("ch5_ex4_optimizers_cifar")

import time

import matplotlib.pyplot as plt
import numpy as np
import paddle
import paddle.io as io
import paddle.nn.functional as F
import paddle.optimizer as opt
from paddle.vision.models import resnet18

from nndl import CIFAR10Dataset, Model_ResNet18, RunnerV3, metric
from nndl.datasets.cifar import CIFAR10_FILE, cifar10_folder, extract_cifar10, make_miniature
from nndl.lr import CosineDecay, ScheduledOptimizer

# %%
SEED = 100
WEIGHT_DECAY = 0.005
BATCH_SIZE = 64
NUM_EPOCHS = S.pick(30, 2)
LOG_STEPS = S.pick(3000, 0)
EVAL_STEPS = S.pick(3000, 4)
NUM_TRAIN = S.pick(None, 256)        # quick: the first 256 training images
NUM_EVAL = S.pick(None, 128)         # quick: the first 128 dev / test images
NUM_TRAIN_EVAL = S.pick(10000, 256)  # training images the final train accuracy is measured on
MINIATURE_PER_BATCH = 64
LR_SGD, LR_ADAM, MOMENTUM = 0.01, 0.001, 0.9
BOOK_TEST_ADAM = 0.7094              # 5.5.4

# %%
folder, standin = S.data(
    cifar10_folder,
    lambda: extract_cifar10(make_miniature(S.path('cifar-10-python.tar.gz'), num_per_batch=MINIATURE_PER_BATCH),
                            S.out),
    CIFAR10_FILE.title)
paddle.seed(SEED)
train_dataset = CIFAR10Dataset(folder_path=folder, mode='train')
dev_dataset = CIFAR10Dataset(folder_path=folder, mode='dev')
test_dataset = CIFAR10Dataset(folder_path=folder, mode='test')


def first(dataset, n):
    return dataset if n is None or n >= len(dataset) else io.Subset(dataset, list(range(n)))


train_dataset, dev_dataset, test_dataset = (first(train_dataset, NUM_TRAIN), first(dev_dataset, NUM_EVAL),
                                            first(test_dataset, NUM_EVAL))
train_eval_dataset = first(train_dataset, NUM_TRAIN_EVAL)
print(f"train/dev/test: {len(train_dataset)}/{len(dev_dataset)}/{len(test_dataset)}")
steps_per_epoch = (len(train_dataset) + BATCH_SIZE - 1) // BATCH_SIZE
TOTAL_STEPS = NUM_EPOCHS * steps_per_epoch


def optimizer_for(name, params):
    if name == 'SGD':
        return opt.SGD(learning_rate=LR_SGD, parameters=params, weight_decay=WEIGHT_DECAY)
    if name == 'Momentum':
        return opt.Momentum(learning_rate=LR_SGD, momentum=MOMENTUM, parameters=params, weight_decay=WEIGHT_DECAY)
    if name == 'Adam':
        return opt.Adam(learning_rate=LR_ADAM, parameters=params, weight_decay=WEIGHT_DECAY)
    if name == 'Adam + cosine decay':
        sched = CosineDecay(LR_ADAM, T=TOTAL_STEPS)
        return ScheduledOptimizer(opt.Adam(learning_rate=sched, parameters=params, weight_decay=WEIGHT_DECAY), sched)
    raise ValueError(name)


def run(name):
    paddle.seed(SEED)
    np.random.seed(SEED)
    model = Model_ResNet18(in_channels=3, num_classes=10, width=8) if S.quick else resnet18(num_classes=10)
    optimizer = optimizer_for(name, model.parameters())
    runner = RunnerV3(model, optimizer, F.cross_entropy, metric.Accuracy(is_logist=True))
    train_loader = io.DataLoader(train_dataset, batch_size=BATCH_SIZE, shuffle=True)
    dev_loader = io.DataLoader(dev_dataset, batch_size=BATCH_SIZE)
    save_path = str(S.path(f"best_model_{name.split()[0]}{'_cos' if 'cosine' in name else ''}.pdparams"))
    start = time.time()
    runner.train(train_loader, dev_loader, num_epochs=NUM_EPOCHS, log_steps=LOG_STEPS, eval_steps=EVAL_STEPS,
                 save_path=save_path)
    seconds = time.time() - start
    # the final model: how far the training accuracy runs ahead of the development accuracy
    final_train, _ = runner.evaluate(io.DataLoader(train_eval_dataset, batch_size=BATCH_SIZE))
    final_dev, _ = runner.evaluate(dev_loader)
    runner.load_model(save_path)
    score, loss = runner.evaluate(io.DataLoader(test_dataset, batch_size=BATCH_SIZE))
    print(f"{name:20s}: best dev {runner.best_score:.4f}; final train/dev accuracy {final_train:.4f}/"
          f"{final_dev:.4f} (gap {final_train - final_dev:+.4f}); [Test] accuracy/loss: {score:.4f}/{loss:.4f}; "
          f"{seconds:.1f} s")
    return runner, {'best_dev': runner.best_score, 'final_train_score': final_train, 'final_dev_score': final_dev,
                    'gap': final_train - final_dev, 'test_score': score, 'test_loss': loss, 'seconds': seconds}


NAMES = ('SGD', 'Momentum', 'Adam', 'Adam + cosine decay')
runs = {name: run(name) for name in NAMES}
results = {name: r for name, (_, r) in runs.items()}

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
for name, (runner, _) in runs.items():
    steps, losses = np.array(runner.train_step_losses).T
    every = max(1, len(steps) // 200)
    ax1.plot(steps[::every], losses[::every], label=name)
    # the dev evaluations during training (the train/dev/test runs afterwards are recorded at step -1)
    dev = np.array([(s, score) for (s, _), score in zip(runner.dev_losses, runner.dev_scores) if s >= 0])
    ax2.plot(dev[:, 0], dev[:, 1], marker='.', label=name)
ax1.set_xlabel('step')
ax1.set_ylabel('training loss')
ax1.legend()
ax2.set_xlabel('step')
ax2.set_ylabel('dev accuracy')
ax2.legend()
S.savefig(fig, 'fig5-ex4-optimizers-cifar.pdf')
plt.close(fig)

# %%
S.record(standin=standin, num_epochs=NUM_EPOCHS, total_steps=TOTAL_STEPS, runs=results)
sgd, adam = results['SGD'], results['Adam']
note = (("quick mode: a narrow ResNet18 for a few steps" + (" on generated data" if standin else ""))
        if S.quick else None)
S.claim(book="动手练习 5.4: 使用 SGD 优化器会造成过拟合的现象，在验证集上无法得到很好的收敛效果（Adam 可以）",
        measured=f"best dev accuracy SGD {sgd['best_dev']:.4f} vs Adam {adam['best_dev']:.4f}; final train-dev "
                 f"accuracy gap SGD {sgd['gap']:+.4f} vs Adam {adam['gap']:+.4f}",
        supported=None if S.quick else bool(sgd['best_dev'] < adam['best_dev'] and sgd['gap'] > adam['gap']),
        note=note or "supported = SGD has the lower best dev accuracy and the larger train-dev gap")
others = {n: results[n]['test_score'] for n in ('Momentum', 'Adam + cosine decay')}
best_other = max(others, key=others.get)
S.claim(book="尝试使用第 7 章中其他优化策略调整训练配置，达到更高的模型精度",
        measured="test accuracy: " + ", ".join(f"{n} {r['test_score']:.4f}" for n, r in results.items())
                 + f" (the book's Adam: {BOOK_TEST_ADAM:.4f})",
        supported=None if S.quick else bool(others[best_other] > adam['test_score']),
        note=note or f"supported = {best_other} beats the book's Adam on the test set")
S.save()
