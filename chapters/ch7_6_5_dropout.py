# %% [markdown]
# # 7.6.5 暂退法
#
# 训练时以概率 p 把神经元置 0，并把保留的活性值放大 1/(1-p)；测试（'dev'）时不暂退。
# 反向时用同一个掩码：δ_X = δ_X̃ ⊙ M/(1-p)。MLP_3L_dropout 在两个隐藏层的 ReLU 之后
# 各加一个 Dropout 算子。书的正文说暂退概率 0.5，代码用 0.3：这里运行代码的 0.3
# （图 opti-regularization4.pdf），并给出 0.5 的结果（图 opti-regularization4-p05.pdf）。

# %%
from nndl.app.script import setup
S = setup("ch7_6_5_dropout")

import paddle

from nndl.datasets.toy import make_moons
from nndl.regularization import train_model, show_class_boundary
from nndl.op import MLP_3L_dropout, BatchGD, BinaryCrossEntropyWithLogits

# %%
N_SAMPLES, NUM_TRAIN, NOISE = 300, 200, 0.5   # 7.6.1
LR = 0.2
DROP_RATES = [0.3, 0.5]                       # R0 code: 0.3; R0/R1 text (and R1 code): 0.5
NUM_ITERS = S.pick(50000, 1000)

# %%
paddle.seed(0)
data_X, data_y = make_moons(n_samples=N_SAMPLES, shuffle=True, noise=NOISE)
X_train, y_train = data_X[:NUM_TRAIN], data_y[:NUM_TRAIN].reshape([-1, 1])
X_test, y_test = data_X[NUM_TRAIN:], data_y[NUM_TRAIN:].reshape([-1, 1])
layers_size = [X_train.shape[1], 20, 3, 1]

# %% [markdown]
# 训练时模型以 'train' 模式前向（`model(X_train)`），评价和画图时传入 'dev' 关闭暂退。

# %%
results = {}
for drop_rate in DROP_RATES:
    print(f'drop_rate = {drop_rate}')
    paddle.seed(0)
    model = MLP_3L_dropout(layers_size, drop_rate=drop_rate)
    opt = BatchGD(init_lr=LR, model=model, weight_decay=0)
    loss_fn = BinaryCrossEntropyWithLogits(model, lambd=0)
    losses, acc_train, acc_test = train_model(X_train, y_train, X_test, y_test, model, opt, loss_fn,
                                              NUM_ITERS, 'dev', return_acc=True)
    results[str(drop_rate)] = {'acc_train': acc_train, 'acc_test': acc_test, 'final_loss': losses[-1]}
    fig = show_class_boundary(model, X_train, y_train, 'dev')
    fig.axes[0].set_title(f'dropout p={drop_rate}')
    S.savefig(fig, "opti-regularization4.pdf" if drop_rate == 0.3 else "opti-regularization4-p05.pdf")

# %% [markdown]
# 书中（R0，p=0.3）训练集 85.5%、测试集 76%；R1（p=0.5，学习率 0.3）82%/72%。

# %%
S.record(num_iters=NUM_ITERS, drop_rates=DROP_RATES, results=results,
         book_R0_p03={'train': 0.855, 'test': 0.76}, book_R1_p05={'train': 0.82, 'test': 0.72})
S.save()
