# %% [markdown]
# # 7.4.2.3 观察模型训练收敛性
#
# 在弯月二分类数据集上训练五层 MLP（Tanh），分别用 Xavier 高斯分布初始化和
# $\mathcal{N}(0,1)$ 高斯分布初始化，SGD（学习率 0.005）训练 100 回合，对比训练损失。
# 书中的结论：使用 Xavier 初始化，模型的损失相对较小，模型效果更好。

# %%
from nndl.app.script import setup
S = setup("ch7_4_2_3_xavier_moons")

import numpy as np
import paddle
import paddle.io as io
import paddle.nn.functional as F
import paddle.optimizer as optimizer
import matplotlib.pyplot as plt

import nndl
from nndl import MLP, MoonsDataset, RunnerV3, xavier_normal_std

# %%
LAYERS_SIZE = [2, 300, 500, 700, 400, 1]   # 五层 MLP (the book's)
LR = 0.005                                 # SGD 学习率 (the book's)
BATCH_SIZE = 10
NUM_EPOCHS = S.pick(100, 10)               # the book trains 100 epochs; quick mode 10
EVAL_STEPS = 400

# %% [markdown]
# 构建数据集：300 个带噪声（0.5）的弯月样本，200 个训练、100 个验证（`MoonsDataset`）。

# %%
paddle.seed(0)
train_dataset = MoonsDataset(mode='train')
dev_dataset = MoonsDataset(mode='dev')
train_loader = io.DataLoader(train_dataset, batch_size=BATCH_SIZE, shuffle=True)
dev_loader = io.DataLoader(dev_dataset, batch_size=BATCH_SIZE, shuffle=True)

# %% [markdown]
# 定义五层 MLP，分别以 Xavier 初始化和标准高斯分布初始化方式对网络进行初始化并训练。

# %%
paddle.seed(0)
np.random.seed(0)
activate_fn = paddle.nn.Tanh

# 指定参数初始化方式为Xavier高斯分布初始化
init_fn_name = 'normal'
model1 = MLP(LAYERS_SIZE, init_fn_name, init_fn=xavier_normal_std, act_fn=activate_fn)
opt1 = optimizer.SGD(learning_rate=LR, parameters=model1.parameters())
loss_fn = F.binary_cross_entropy_with_logits
m = nndl.Accuracy(is_logist=True)
runner1 = RunnerV3(model1, opt1, loss_fn, m)
runner1.train(train_loader, dev_loader, num_epochs=NUM_EPOCHS, eval_steps=EVAL_STEPS, log_steps=0,
              save_path=str(S.path('best_model_xavier.pdparams')))

# 指定参数初始化方式为N(0, 1)高斯分布初始化
init_fn_name = 'basic'
model2 = MLP(LAYERS_SIZE, init_fn_name, None, act_fn=activate_fn)
opt2 = optimizer.SGD(learning_rate=LR, parameters=model2.parameters())
runner2 = RunnerV3(model2, opt2, loss_fn, m)
runner2.train(train_loader, dev_loader, num_epochs=NUM_EPOCHS, eval_steps=EVAL_STEPS, log_steps=0,
              save_path=str(S.path('best_model_normal.pdparams')))

# %%
for name, runner in (('xavier initializer', runner1), ('N(0,1) initializer', runner2)):
    dev_score, dev_loss = runner.evaluate(dev_loader)
    print(f'{name}: final train loss {runner.train_epoch_losses[-1]:.5f}, '
          f'dev accuracy {dev_score:.5f}, dev loss {dev_loss:.5f}')

# %%
fig, ax = plt.subplots()
ax.plot(runner1.train_epoch_losses, label='xavier initializer', c='#e4007f', linestyle='--')
ax.plot(runner2.train_epoch_losses, label='N(0,1) initializer', c='#f19ec2')
ax.set_xlabel('epoch')
ax.set_ylabel('loss')
ax.legend(fontsize='large')
S.savefig(fig, "opti-xavier.pdf")

# %% [markdown]
# 从输出结果看，使用 Xavier 初始化，模型的损失相对较小，模型效果更好。

# %%
S.record(num_epochs=NUM_EPOCHS,
         xavier={'epoch_losses': runner1.train_epoch_losses, 'final_loss': runner1.train_epoch_losses[-1],
                 'dev_score': runner1.evaluate(dev_loader)[0]},
         normal01={'epoch_losses': runner2.train_epoch_losses, 'final_loss': runner2.train_epoch_losses[-1],
                   'dev_score': runner2.evaluate(dev_loader)[0]})
dev1, dev2 = runner1.dev_scores[-1], runner2.dev_scores[-1]
S.claim(book='使用 Xavier 初始化，模型的损失相对较小，模型效果更好',
        measured=f'final train loss Xavier {runner1.train_epoch_losses[-1]:.3f} vs N(0,1) {runner2.train_epoch_losses[-1]:.3f}; '
                 f'dev accuracy {dev1:.3f} vs {dev2:.3f}',
        supported=bool(runner1.train_epoch_losses[-1] < runner2.train_epoch_losses[-1] and dev1 >= dev2),
        note=f'quick mode: {NUM_EPOCHS} of the book\'s 100 epochs' if S.quick else None)
S.save()
