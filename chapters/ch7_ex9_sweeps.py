# %% [markdown]
# # 动手练习 7.9：正则化系数、权重衰减系数和暂退概率过大时会怎样
#
# 在 7.6 的过拟合场景（300 个弯月样本、MLP_3L [2, 20, 3, 1]、BatchGD 学习率 0.2）上，
# 分别增大 ℓ2 正则化系数 λ、权重衰减系数 β 和暂退概率 p，直到模型欠拟合：
# 训练集准确率下降到与测试集相近甚至更低，分类界面退化为近似直线或常数。

# %%
from nndl.app.script import setup
S = setup("ch7_ex9_sweeps")

import numpy as np
import paddle
import matplotlib.pyplot as plt

from nndl.datasets.toy import make_moons
from nndl.regularization import train_model
from nndl.op import MLP_3L, MLP_3L_dropout, BatchGD, BinaryCrossEntropyWithLogits

# %%
N_SAMPLES, NUM_TRAIN, NOISE = 300, 200, 0.5
LAYERS = [2, 20, 3, 1]
LR = 0.2
NUM_ITERS = S.pick(50000, 400)
SEED = 0                                            # the book's paddle.seed(0) for every model
LAMBDAS = S.pick([0, 0.7, 5, 20, 50, 200], [0, 5, 200])      # λ in the code's λ/(2N)·Σ‖W‖² (N = 200)
WEIGHT_DECAYS = S.pick([0, 0.001, 0.005, 0.02, 0.05, 0.1], [0, 0.005, 0.1])
DROP_RATES = S.pick([0, 0.3, 0.5, 0.7, 0.8, 0.9], [0, 0.5, 0.9])

# %%
paddle.seed(0)
data_X, data_y = make_moons(n_samples=N_SAMPLES, shuffle=True, noise=NOISE)
X_train, y_train = data_X[:NUM_TRAIN], data_y[:NUM_TRAIN].reshape([-1, 1])
X_test, y_test = data_X[NUM_TRAIN:], data_y[NUM_TRAIN:].reshape([-1, 1])


def run(lambd=0, weight_decay=0, drop_rate=None):
    paddle.seed(SEED)
    if drop_rate is None:
        model, args = MLP_3L(LAYERS), ()
    else:
        model, args = MLP_3L_dropout(LAYERS, drop_rate=drop_rate), ('dev',)
    opt = BatchGD(init_lr=LR, model=model, weight_decay=weight_decay)
    loss_fn = BinaryCrossEntropyWithLogits(model, lambd=lambd)
    losses, acc_train, acc_test = train_model(X_train, y_train, X_test, y_test, model, opt, loss_fn,
                                              NUM_ITERS, *args, verbose=False, return_acc=True)
    return {'acc_train': acc_train, 'acc_test': acc_test, 'final_loss': losses[-1]}


# %%
base = run()   # λ=0, β=0 and p=0 are the same training run (Dropout(0) is the identity): run it once
sweeps = {
    'lambd': [(v, run(lambd=v) if v else base) for v in LAMBDAS],
    'weight_decay': [(v, run(weight_decay=v) if v else base) for v in WEIGHT_DECAYS],
    'drop_rate': [(v, run(drop_rate=v) if v else base) for v in DROP_RATES],
}
for name, rows in sweeps.items():
    for v, r in rows:
        print(f"{name}={v:<6} train accuracy: {r['acc_train']:.3f}  test accuracy: {r['acc_test']:.3f}  "
              f"loss: {r['final_loss']:.4f}")

# %% [markdown]
# 三个系数过大时，训练集准确率都明显下降（欠拟合）：λ、β 过大使权重被压向 0，
# 对率几乎为常数；p 过大时每步只剩很少的神经元，网络学不到弯月的形状。

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True)
titles = {'lambd': r'$\ell_2$ coefficient $\lambda$', 'weight_decay': r'weight decay $\beta$',
          'drop_rate': 'drop rate $p$'}
for ax, (name, rows) in zip(axes, sweeps.items()):
    pos = np.arange(len(rows))
    ax.plot(pos, [r['acc_train'] for _, r in rows], 'o-', color='#e4007f', label='train')
    ax.plot(pos, [r['acc_test'] for _, r in rows], 's--', color='#000000', label='test')
    ax.set_xticks(pos)
    ax.set_xticklabels([f'{v:g}' for v, _ in rows])
    ax.set_xlabel(titles[name])
    ax.grid(alpha=0.3)
axes[0].set_ylabel('accuracy')
axes[0].legend()
fig.suptitle(f'exercise 7.9: {NUM_ITERS} iterations, seed {SEED}')
S.savefig(fig, "opti-regularization-sweep.pdf")

S.record(num_iters=NUM_ITERS, seed=SEED,
         sweeps={k: [{'value': v, **r} for v, r in rows] for k, rows in sweeps.items()})
drop = {k: rows[0][1]['acc_train'] - rows[-1][1]['acc_train'] for k, rows in sweeps.items()}
S.claim(book='练习 7.9：正则化系数、权重衰减系数、暂退概率过大时模型欠拟合',
        measured='train accuracy at the largest value vs none: ' + ', '.join(
            f"{k}={rows[-1][0]} {rows[-1][1]['acc_train']:.3f} (vs {rows[0][1]['acc_train']:.3f})" for k, rows in sweeps.items()),
        supported=bool(all(d > 0.1 for d in drop.values())),
        note='underfitting: the train accuracy falls by more than 10 points')
S.save()
