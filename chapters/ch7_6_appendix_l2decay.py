# %% [markdown]
# # 7.6 附录：用飞桨 API 实现 ℓ2 权重衰减
#
# 实际训练中，通过优化器参数 `weight_decay=paddle.regularizer.L2Decay(coeff)` 实现
# ℓ2 权重衰减：飞桨在每步的梯度上加 coeff·θ，于是 SGD 的更新为
# θ ← θ - α(g + coeff·θ) = (1 - α·coeff)θ - αg。
# 这正是 7.6.4 的权重衰减，β = α·coeff；反过来，书中学习率 α 下的 β 等于 `L2Decay(β/α)`。
# 下面用飞桨 API 重复过拟合实验，再加上 `L2Decay(0.01)`，最后数值验证这一等价。

# %%
from nndl.app.script import setup
S = setup("ch7_6_appendix_l2decay")

import paddle
import paddle.nn.functional as F
import paddle.regularizer as regularizer

from nndl.datasets.toy import make_moons
from nndl.regularization import MLP_3L_Paddle, train_model_paddle, show_class_boundary
from nndl.op import MLP_3L, BatchGD, BinaryCrossEntropyWithLogits

# %%
N_SAMPLES, NUM_TRAIN, NOISE = 300, 200, 0.5   # 7.6.1
LR = 0.2
COEFF = 0.01                                  # L2Decay coefficient of the appendix
NUM_ITERS = S.pick(50000, 2000)
EQUIV_STEPS = S.pick(2000, 200)               # steps of the BatchGD / SGD+L2Decay comparison

# %%
paddle.seed(0)
data_X, data_y = make_moons(n_samples=N_SAMPLES, shuffle=True, noise=NOISE)
X_train, y_train = data_X[:NUM_TRAIN], data_y[:NUM_TRAIN].reshape([-1, 1])
X_test, y_test = data_X[NUM_TRAIN:], data_y[NUM_TRAIN:].reshape([-1, 1])

# %% [markdown]
# 不加正则：飞桨的 `nn.Linear` 默认初始化（Xavier 均匀分布权重，偏置 0）。

# %%
paddle.seed(0)
model = MLP_3L_Paddle(in_features=X_train.shape[1], out_features=1)
opt = paddle.optimizer.SGD(learning_rate=LR, parameters=model.parameters())
loss_fn = F.binary_cross_entropy_with_logits
_, acc_train_none, acc_test_none = train_model_paddle(X_train, y_train, X_test, y_test, model, opt,
                                                      loss_fn, NUM_ITERS, return_acc=True)

# %% [markdown]
# 书中此图与 7.6.5 的暂退法图同名（opti-regularization4.pdf），这里另存为 opti-regularization-paddle.pdf。

# %%
fig = show_class_boundary(model, X_train, y_train)
S.savefig(fig, "opti-regularization-paddle.pdf")

# %% [markdown]
# 加入 `L2Decay(coeff=0.01)`：

# %%
paddle.seed(0)
model = MLP_3L_Paddle(in_features=X_train.shape[1], out_features=1)
opt = paddle.optimizer.SGD(learning_rate=LR, parameters=model.parameters(),
                           weight_decay=regularizer.L2Decay(coeff=COEFF))
_, acc_train_l2, acc_test_l2 = train_model_paddle(X_train, y_train, X_test, y_test, model, opt,
                                                  loss_fn, NUM_ITERS, return_acc=True)
fig = show_class_boundary(model, X_train, y_train)
S.savefig(fig, "opti-regularization5.pdf")

# %% [markdown]
# ## 等价性：`BatchGD(weight_decay=β)` 与 `SGD(weight_decay=L2Decay(β/α))`
#
# 把同一组初始参数拷进自定义算子模型 MLP_3L 和 MLP_3L_Paddle，分别用 β = α·coeff = 0.002
# 的 BatchGD 和 `L2Decay(0.01)` 的 SGD 训练（float64），比较参数。飞桨一侧的损失用 logistic 形式
# （`F.binary_cross_entropy_with_logits` 在对率恰为 0 时梯度有误，见 docs/errata.md）。

# %%
beta = LR * COEFF
X64, y64 = X_train.astype('float64'), y_train.astype('float64')   # float64: no rounding noise
paddle.seed(0)
op_model = MLP_3L([2, 20, 3, 1], dtype='float64')
paddle.set_default_dtype('float64')
pd_model = MLP_3L_Paddle(2, 1)
paddle.set_default_dtype('float32')
for fc, pfc in zip((op_model.fc1, op_model.fc2, op_model.fc3), (pd_model.fc1, pd_model.fc2, pd_model.fc3)):
    pfc.weight.set_value(fc.params['W'])
    pfc.bias.set_value(fc.params['b'].reshape([-1]))
op_opt = BatchGD(init_lr=LR, model=op_model, weight_decay=beta)
op_loss = BinaryCrossEntropyWithLogits(op_model)
pd_opt = paddle.optimizer.SGD(learning_rate=LR, parameters=pd_model.parameters(),
                              weight_decay=regularizer.L2Decay(coeff=beta / LR))
for _ in range(EQUIV_STEPS):
    op_loss(op_model(X64), y64)
    op_loss.backward()
    op_opt.step()
    o = pd_model(X64)
    loss = -paddle.mean(y64 * F.log_sigmoid(o) + (1 - y64) * F.log_sigmoid(-o))
    loss.backward()
    pd_opt.step()
    pd_opt.clear_grad()
max_diff = max(
    max(float(paddle.abs(fc.params['W'] - pfc.weight).max()),
        float(paddle.abs(fc.params['b'].reshape([-1]) - pfc.bias).max()))
    for fc, pfc in zip((op_model.fc1, op_model.fc2, op_model.fc3), (pd_model.fc1, pd_model.fc2, pd_model.fc3)))
max_param = max(float(paddle.abs(p).max()) for p in pd_model.parameters())
print(f'BatchGD(weight_decay={beta:g}) vs SGD(L2Decay({beta / LR:g})) after {EQUIV_STEPS} steps: '
      f'max |difference| = {max_diff:.2e} (largest parameter {max_param:.2f})')

# %%
S.record(num_iters=NUM_ITERS, coeff=COEFF,
         no_reg={'acc_train': acc_train_none, 'acc_test': acc_test_none},
         l2decay={'acc_train': acc_train_l2, 'acc_test': acc_test_l2},
         equivalence={'beta': beta, 'L2Decay': beta / LR, 'steps': EQUIV_STEPS,
                      'max_abs_diff': max_diff, 'max_abs_param': max_param})
S.claim(book='SGD 的 weight_decay=L2Decay(coeff) 即 7.6.4 的权重衰减 θ ← (1 - α·coeff)θ - αg',
        measured=f'BatchGD(weight_decay={beta:g}) vs SGD(L2Decay({beta / LR:g})) after {EQUIV_STEPS} steps: '
                 f'max |difference| {max_diff:.1e} (largest parameter {max_param:.2f})',
        supported=bool(max_diff < 1e-10 * max(1.0, max_param)))
gap_none, gap_l2 = acc_train_none - acc_test_none, acc_train_l2 - acc_test_l2
S.claim(book='用飞桨 API 的 ℓ2 权重衰减缓解过拟合',
        measured=f'L2Decay({COEFF}): train {acc_train_l2:.3f} / test {acc_test_l2:.3f} (gap {gap_l2:.3f}); without: '
                 f'{acc_train_none:.3f} / {acc_test_none:.3f} (gap {gap_none:.3f})',
        supported=(bool(gap_l2 < gap_none and acc_test_l2 >= acc_test_none) if gap_none >= 0.1 else None),
        note=('relieved: a smaller train-test gap and a test accuracy not lower; one seed'
              + ('' if gap_none >= 0.1 else f'; not shown: without regularization the net has not overfit '
                 f'after {NUM_ITERS} iterations (gap < 0.1)')))
S.save()
