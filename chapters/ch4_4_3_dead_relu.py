# %% [markdown]
# # 4.4.3 死亡 ReLU 问题
#
# 把 4.4.2 的五层网络 `Model_MLP_L5` 的偏置初始化为相对权重很大的负值（-8.0）：每个 ReLU
# 神经元在所有训练数据上都输出 0，它们参数的梯度恒为 0，参数无法更新（死亡 ReLU）。
# 换成带泄露的 ReLU（Leaky ReLU，x < 0 时斜率 0.01）后每层都有梯度，但梯度随层数加深越来越小；
# 书中说把斜率调大即可改善，这里也测量了斜率 0.1、0.2。
#
# 书中 4.4.3.1、4.4.3.2 把 4.4.2 为 Sigmoid 网络建的优化器交给新模型（`RunnerV2_2(model,
# optimizer, ...)`），新模型的参数因此从不更新；一轮训练时印出的梯度范数不受影响（它们在
# `step()` 之前打印）。这里每个模型有自己的优化器，并测量沿用旧优化器的后果。
# 随机数流与书相同：`paddle.seed(102)`，先建 4.4.2 的 Sigmoid 网络，再依次建 ReLU、Leaky ReLU 网络。

# %%
from nndl.app.script import setup
S = setup("ch4_4_3_dead_relu")

import numpy as np
import paddle
import paddle.nn.functional as F
from paddle.nn.initializer import Constant

from nndl import Model_MLP_L5, print_grads, RunnerV2_2, accuracy, make_moons

# %%
DATA_SEED = 0                      # Moon1000 as in 4.2 - 4.4.2 (unseeded in the book)
MODEL_SEED = 102                   # 4.4.2's paddle.seed(102); 4.4.3 continues that random stream
LR = 0.01
NUM_EPOCHS = 1
BIAS = -8.0                        # 使用较大的负值来初始化偏置
N_SAMPLES, NUM_TRAIN, NUM_DEV = 1000, 640, 160
SLOPES = (0.01, 0.1, 0.2)          # F.leaky_relu's default, and two larger ones
STALE_EPOCHS = 5                   # epochs to see whether a model with a stale optimizer learns
BOOK_LRELU = [2.4733036e-16, 4.0215612e-13, 1.6351807e-09, 8.873676e-06, 0.071620286]

paddle.seed(DATA_SEED)
X, y = make_moons(n_samples=N_SAMPLES, shuffle=True, noise=0.5)
y = y.reshape([-1, 1])
train_set = [X[:NUM_TRAIN], y[:NUM_TRAIN]]
dev_set = [X[NUM_TRAIN:NUM_TRAIN + NUM_DEV], y[NUM_TRAIN:NUM_TRAIN + NUM_DEV]]
loss_fn = F.binary_cross_entropy
metric = accuracy
save_path = str(S.path("best_model.pdparams"))


def g7(values):
    """Numbers as strings with 7 significant digits: S.record keeps 8 decimals, which would turn
    the small gradient norms (1e-11 ... 1e-16) into 0.0."""
    return [f"{float(v):.7g}" for v in np.ravel(values)]


def params_of(model):
    return [p.numpy().copy() for p in model.parameters()]


def max_change(before, model, skip=()):
    return max(float(np.abs(a - p.numpy()).max()) for a, p in zip(before, model.parameters()) if p.name not in skip)


def train_one(model, optimizer, num_epochs=NUM_EPOCHS, log=True):
    """Train with RunnerV2_2; return the gradient norms print_grads printed (first epoch)."""
    norms = []

    def custom_print_log(runner):
        if log and not norms:
            norms.append(print_grads(runner))

    runner = RunnerV2_2(model, optimizer, metric, loss_fn)
    runner.train(train_set, dev_set, num_epochs=num_epochs, log_epochs=None, save_path=save_path,
                 custom_print_log=custom_print_log, verbose=log)
    return np.array(list(norms[0].values()), dtype=np.float64) if norms else None


# 4.4.2's sigmoid network (and its optimizer): the random stream the book continues from
paddle.seed(MODEL_SEED)
model_sigmoid = Model_MLP_L5(input_size=2, output_size=1, act='sigmoid')
optimizer_sigmoid = paddle.optimizer.SGD(learning_rate=LR, parameters=model_sigmoid.parameters())
train_one(model_sigmoid, optimizer_sigmoid, log=False)

# %% [markdown]
# ## 4.4.3.1 使用 ReLU 进行模型训练

# %%
# 定义网络, 并使用较大的负值来初始化偏置
model = Model_MLP_L5(input_size=2, output_size=1, act='relu', b_init=Constant(value=BIAS))
optimizer = paddle.optimizer.SGD(learning_rate=LR, parameters=model.parameters())
before = params_of(model)
relu = train_one(model, optimizer)
# the output unit's bias sees no ReLU: it is the one parameter that still learns
relu_change = max_change(before, model, skip=(model.fc5.bias.name,))
relu_bias_change = float(np.abs(before[-1] - model.fc5.bias.numpy()).max())
print(f"largest change of the parameters behind the ReLUs after {NUM_EPOCHS} epoch: {relu_change}; "
      f"output bias: {relu_bias_change:.3g}")

# %% [markdown]
# ## 4.4.3.2 使用 Leaky ReLU 进行模型训练

# %%
# 重新定义网络, 使用Leaky ReLU激活函数
model = Model_MLP_L5(input_size=2, output_size=1, act='lrelu', b_init=Constant(value=BIAS))
optimizer = paddle.optimizer.SGD(learning_rate=LR, parameters=model.parameters())
before = params_of(model)
lrelu = train_one(model, optimizer)
lrelu_change = max_change(before, model)
print(f"largest parameter change after {NUM_EPOCHS} epoch: {lrelu_change:.3g}")
decades = np.diff(np.log10(lrelu))
print("orders of magnitude gained per layer:", np.round(decades, 2),
      "book:", np.round(np.diff(np.log10(BOOK_LRELU)), 2))

# %% [markdown]
# 把 x < 0 时的斜率调大（同一组初始参数，只换斜率）：第一层的梯度随斜率增大。

# %%
slope_norms = {}
state = model.state_dict()
for slope in SLOPES:
    m = Model_MLP_L5(2, 1, act='lrelu', b_init=Constant(value=BIAS), negative_slope=slope)
    m.set_state_dict(state)
    loss_fn(m(train_set[0]), train_set[1]).backward()
    slope_norms[slope] = np.array([float(paddle.linalg.norm(fc.weight.grad))
                                   for fc in (m.fc1, m.fc2, m.fc3, m.fc4, m.fc5)])
    print(f"negative_slope {slope}: fc1 {slope_norms[slope][0]:.3e} ... fc5 {slope_norms[slope][-1]:.3e}")

# %% [markdown]
# 书中沿用 Sigmoid 网络的优化器：新模型训练若干轮后参数是否变化？

# %%
m_stale = Model_MLP_L5(2, 1, act='lrelu', b_init=Constant(value=BIAS))
m_stale.set_state_dict(state)
before = params_of(m_stale)
train_one(m_stale, optimizer_sigmoid, num_epochs=STALE_EPOCHS, log=False)   # the book's stale optimizer
stale_change = max_change(before, m_stale)
m_own = Model_MLP_L5(2, 1, act='lrelu', b_init=Constant(value=BIAS))
m_own.set_state_dict(state)
before = params_of(m_own)
train_one(m_own, paddle.optimizer.SGD(learning_rate=LR, parameters=m_own.parameters()),
          num_epochs=STALE_EPOCHS, log=False)
own_change = max_change(before, m_own)
print(f"after {STALE_EPOCHS} epochs: parameter change with the previous model's optimizer {stale_change}, "
      f"with its own optimizer {own_change:.3g}")

# %%
S.record(relu_norms=g7(relu), relu_param_change=relu_change, relu_output_bias_change=relu_bias_change,
         lrelu_norms=g7(lrelu), lrelu_param_change=lrelu_change,
         book_lrelu_norms=g7(BOOK_LRELU), lrelu_decades_per_layer=decades,
         slope_norms={str(k): g7(v) for k, v in slope_norms.items()},
         stale_optimizer={'epochs': STALE_EPOCHS, 'param_change_stale': stale_change, 'param_change_own': own_change})
S.claim(book="ReLU, 偏置 -8: 每层梯度的 ℓ2 范数都是 0.0, 参数无法更新 (4.4.3.1)",
        measured="norms " + ", ".join(repr(float(v)) for v in relu) + f"; largest change of the weights and "
                 f"hidden biases {relu_change} (only the output unit's bias, which sees no ReLU, moved: "
                 f"{relu_bias_change:.3g})",
        supported=bool(np.all(relu == 0.0) and relu_change == 0.0))
S.claim(book="Leaky ReLU: 死亡 ReLU 问题得到改善, 梯度恢复正常, 但随层数加深越来越小 (4.4.3.2; "
             "书: 2.4733036e-16 ... 0.071620286)",
        measured="norms fc1..fc5 " + ", ".join(f"{v:.3g}" for v in lrelu)
                 + f"; {decades.min():.1f}-{decades.max():.1f} decades per layer",
        supported=bool(np.all(lrelu > 0) and np.all(np.diff(lrelu) > 0)),
        note="the values differ from the book's: another initial draw (the book's GPU generator) and unseeded data")
ratios = [slope_norms[s][0] / slope_norms[s][-1] for s in SLOPES]
S.claim(book="将 Leaky ReLU 中 x<0 时的斜率调大即可改善梯度随层数变小的现象 (4.4.3.2)",
        measured="fc1/fc5 for slopes " + ", ".join(f"{s}: {r:.2g}" for s, r in zip(SLOPES, ratios)),
        supported=bool(np.all(np.diff(ratios) > 0)))
S.claim(book="(书的代码) 新模型沿用前一个模型的优化器",
        measured=f"after {STALE_EPOCHS} epochs the new model's parameters changed by {stale_change} with the "
                 f"previous model's optimizer and by {own_change:.3g} with its own",
        supported=None, note="a bug of the printed code, fixed here: every model gets its own optimizer")
S.save()
