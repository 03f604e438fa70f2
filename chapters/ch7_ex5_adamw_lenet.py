# %% [markdown]
# # 动手练习 7.5 AdamW 训练 LeNet
#
# AdamW 把权重衰减从梯度中分离出来：每步先 $\theta \leftarrow (1-\alpha\lambda)\theta$，再做 Adam 更新。
# 通过飞桨 API 调用 LeNet 网络和 MNIST 数据集，使用 `paddle.optimizer.AdamW` 训练网络；
# 同时用本库手写的 `nndl.optimizer.AdamW`（7.3 节的 Adam 加上解耦的权重衰减）训练同一个初始网络作对照。

# %%
from nndl.app.script import setup
S = setup("ch7_ex5_adamw_lenet")

import paddle
import paddle.nn.functional as F

from nndl import RunnerV3, Accuracy
from nndl.optimizer import AdamW
from nndl.datasets.mnist import MNIST, book_transform
from paddle.vision.models import LeNet

# %%
LR, WEIGHT_DECAY = 0.001, 0.01
BATCH_SIZE = 64
NUM_EPOCHS = S.pick(3, 1)
EVAL_STEPS = S.pick(300, 10)
NUM_TRAIN = S.pick(None, 1280)
NUM_DEV = S.pick(None, 500)

# %%
paddle.seed(0)
paddle.vision.image.set_image_backend('cv2')
train_dataset = MNIST(mode='train', transform=book_transform)
dev_dataset = MNIST(mode='test', transform=book_transform)
train_loader = train_dataset.loader(BATCH_SIZE, indices=None if NUM_TRAIN is None else range(NUM_TRAIN))
dev_loader = dev_dataset.loader(BATCH_SIZE, indices=None if NUM_DEV is None else range(NUM_DEV))

results = {}
for name in ('paddle AdamW', 'nndl AdamW'):
    paddle.seed(0)
    model = LeNet()
    if name == 'paddle AdamW':
        opt = paddle.optimizer.AdamW(learning_rate=LR, parameters=model.parameters(), weight_decay=WEIGHT_DECAY)
    else:
        opt = AdamW(init_lr=LR, model=model, weight_decay=WEIGHT_DECAY)
    runner = RunnerV3(model, opt, F.cross_entropy, Accuracy())
    print(f'train LeNet with {name}')
    runner.train(train_loader, dev_loader, num_epochs=NUM_EPOCHS, log_steps=0, eval_steps=EVAL_STEPS,
                 save_path=str(S.path(name.replace(' ', '_') + '.pdparams')))
    score, loss = runner.evaluate(dev_loader)
    print(f'[Evaluate] {name}: dev score: {score:.5f}, dev loss: {loss:.5f}, '
          f'last epoch train loss: {runner.train_epoch_losses[-1]:.5f}')
    results[name] = {'dev_score': score, 'dev_loss': loss, 'epoch_losses': runner.train_epoch_losses}

# %%
S.record(num_epochs=NUM_EPOCHS, lr=LR, weight_decay=WEIGHT_DECAY, device=paddle.get_device(), results=results)
a, b = results['paddle AdamW'], results['nndl AdamW']
S.claim(book='练习 7.5：用 paddle.optimizer.AdamW 训练 LeNet（本包的 AdamW 与之相同）',
        measured=f"dev accuracy paddle {a['dev_score']:.4f} / nndl {b['dev_score']:.4f}; dev loss {a['dev_loss']:.5f} / "
                 f"{b['dev_loss']:.5f}",
        supported=bool(abs(a['dev_loss'] - b['dev_loss']) < 0.01 * a['dev_loss'] and a['dev_score'] > 0.3),
        note='nndl\'s AdamW puts epsilon inside the square root (the book\'s Adam), so the two differ slightly')
S.save()
