# %% [markdown]
# # 7.6.2 模型构建
#
# （7.6 网络正则化方法；本脚本也包含 7.6.1 数据集构建。）
#
# 用 make_moons 生成 300 个带噪声（0.5）的样本，200 个训练、100 个测试，
# 用自定义算子搭建的三层感知器 MLP_3L（ReLU 激活，输出对率）和带对率输入的
# 交叉熵损失 BinaryCrossEntropyWithLogits，以批量梯度下降（学习率 0.2）训练
# 50 000 次，构造一个过拟合的场景。

# %%
from nndl.app.script import setup
S = setup("ch7_6_2_overfit")

import paddle

from nndl.datasets.toy import make_moons
from nndl.regularization import train_model, show_class_boundary
from nndl.op import MLP_3L, BatchGD, BinaryCrossEntropyWithLogits

# %%
N_SAMPLES = 300                      # 7.6.1: 300 samples, 200 for training
NUM_TRAIN = 200
NOISE = 0.5
LR = 0.2                             # R0 (the printed book R1 uses 0.3)
NUM_ITERS = S.pick(50000, 2000)      # the book's 50 000 full-batch iterations

# %% [markdown]
# ## 7.6.1 数据集构建

# %%
paddle.seed(0)
data_X, data_y = make_moons(n_samples=N_SAMPLES, shuffle=True, noise=NOISE)
X_train, y_train = data_X[:NUM_TRAIN], data_y[:NUM_TRAIN]
X_test, y_test = data_X[NUM_TRAIN:], data_y[NUM_TRAIN:]

y_train = y_train.reshape([-1, 1])   # labels [N, 1], the shape of the logits
y_test = y_test.reshape([-1, 1])
print('train dataset X shape: ', list(X_train.shape))   # paddle 3 prints paddle.Size([...])
print('train dataset y shape: ', list(y_train.shape))
print(X_train[0])

# %% [markdown]
# ## 7.6.2 模型构建与训练
#
# MLP_3L 的参数 W 按标准正态分布初始化，b 初始化为 0；`train_model` 每次迭代
# 做前向、`loss_fn.backward()` 和 `optimizer.step()`，最后打印训练集和测试集准确率。

# %%
paddle.seed(0)
layers_size = [X_train.shape[1], 20, 3, 1]
model = MLP_3L(layers_size)
opt = BatchGD(init_lr=LR, model=model)
loss_fn = BinaryCrossEntropyWithLogits(model)
losses, acc_train, acc_test = train_model(X_train, y_train, X_test, y_test, model, opt, loss_fn,
                                          NUM_ITERS, return_acc=True)

# %% [markdown]
# 书中（R0）训练集准确率 91%、测试集 71%，推断模型过拟合。单次运行的数值随随机数流
# （设备、飞桨版本）而变，多个种子下的比较见 `ch7_6_seeds_table`。
# 下面可视化分类界面：交界处的点被极细致地分割，说明模型存在过拟合。

# %%
fig = show_class_boundary(model, X_train, y_train)
S.savefig(fig, "opti-regularization.pdf")

weight_sq = sum(float((fc.params['W'] ** 2).sum()) for fc in (model.fc1, model.fc2, model.fc3))
S.record(num_iters=NUM_ITERS, acc_train=acc_train, acc_test=acc_test,
         final_loss=losses[-1], weight_sq_norm=weight_sq, x_train0=X_train[0], book_R0={'train': 0.91, 'test': 0.71},
         book_R1={'train': 0.865, 'test': 0.71})
S.claim(book='训练集准确率 91%、测试集 71%：模型出现了过拟合',
        measured=f'train {acc_train:.3f}, test {acc_test:.3f} (gap {acc_train - acc_test:.3f}) after {NUM_ITERS} iterations',
        supported=bool(acc_train - acc_test >= 0.1),
        note='overfitting read as a train-test gap of at least 10 points' + (
            f'; quick mode: {NUM_ITERS} of the book\'s 50 000 iterations' if S.quick else ''))
S.save()
