# %% [markdown]
# # 动手练习 4.3 权重全部初始化为 0
#
# 动手将神经网络的权重都初始化为 0，并观测训练结果。
#
# 4.4.1 说：如果每一层的权重和偏置都用 0 初始化，第一遍前向计算后所有隐藏层神经元的激活值都
# 相同；反向传播时所有权重的更新也都相同，隐藏层神经元没有差异性（对称权重现象）。
#
# 这里用 4.2 的实验：Moon1000（训练 640、验证 160、测试 200），两层网络 `Model_MLP_L2`
# （输入 2、隐藏层 5 个 Logistic 神经元、输出 1），二分类交叉熵，梯度下降学习率 0.2，1000 个回合。
# 三种初始化：全 0；4.2 的默认（权重 ~ N(0, 1)，偏置 0）；权重 ~ N(0, 0.01²) 的很小的随机数
# （与全 0 几乎一样大，但各不相同）。每一步更新后量一次“隐藏神经元之间的差异”：5 个隐藏神经元
# 各自的参数（`fc1` 的一列权重和偏置、`fc2` 的一个权重）之间的最大差，以及它们在训练集上的激活
# 值之间的最大差。
#
# 全 0 时还有两个细节：第一步时 `fc2` 的权重为 0，传回隐藏层的梯度为 0，所以 `fc1` 第一步不动，
# 之后才开始更新，但 5 列总是一起更新，隐藏层于是只相当于 1 个神经元，决策边界是一条直线。而且
# 所有输出都是 0.5，`fc2` 的梯度正比于 0.5 − 标签的均值：训练集恰好两类各半时，全 0 的网络是一个
# 驻点，永远不动；Moon1000 的训练集中 1 类占 49.4%，所以它只能从很小的梯度慢慢起步。

# %%
from nndl.app.script import setup
S = setup("ch4_ex3_zero_init")

import matplotlib.pyplot as plt
import numpy as np
import paddle

from nndl import BinaryCrossEntropyLoss, Model_MLP_L2, Optimizer_GD, RunnerV2_1, accuracy, make_moons

paddle.set_device("cpu")     # chapter 4's models are tiny (as 4.2)

# %%
DATA_SEED = 0                       # as ch4_2_mlp_moons (the book does not seed its data)
MODEL_SEED = 0
N_SAMPLES, NUM_TRAIN, NUM_DEV = 1000, 640, 160
NOISE = 0.5
INPUT_SIZE, HIDDEN_SIZE, OUTPUT_SIZE = 2, 5, 1
LEARNING_RATE = 0.2
EPOCH_NUM = S.pick(1000, 300)       # 4.2's code: 1000
EARLY_EPOCH = 300                   # where the training losses are compared early in training
SMALL_STD = 0.01
SAME = 1e-6                         # hidden units this close are the same (float32 rounding)

# %%
paddle.seed(DATA_SEED)
X, y = make_moons(n_samples=N_SAMPLES, shuffle=True, noise=NOISE)
y = y.reshape([-1, 1])
train_set = [X[:NUM_TRAIN], y[:NUM_TRAIN]]
dev_set = [X[NUM_TRAIN:NUM_TRAIN + NUM_DEV], y[NUM_TRAIN:NUM_TRAIN + NUM_DEV]]
test_set = [X[NUM_TRAIN + NUM_DEV:], y[NUM_TRAIN + NUM_DEV:]]


def unit_spread(model, X):
    """Largest difference between two hidden units: in their parameters, and in their activations on X."""
    W1, b1 = model.fc1.params['W'].numpy(), model.fc1.params['b'].numpy()
    W2 = model.fc2.params['W'].numpy()
    per_unit = np.vstack([W1, b1, W2.T])         # one column per hidden unit
    params = float(np.max(np.ptp(per_unit, axis=1)))
    model(X)
    acts = float(np.max(np.ptp(model.act_fn1.outputs.numpy(), axis=1)))
    return params, acts


class TrackedGD(Optimizer_GD):
    """4.2's gradient descent, measuring the hidden units' spread after every update."""

    def __init__(self, init_lr, model, X):
        super().__init__(init_lr, model)
        self.X, self.spreads = X, []

    def step(self):
        super().step()
        self.spreads.append(unit_spread(self.model, self.X))


INITS = {
    'zeros': lambda shape: paddle.zeros(shape),
    'N(0, 1) (4.2)': None,
    f'N(0, {SMALL_STD}^2)': lambda shape: paddle.normal(0.0, SMALL_STD, shape),
}
results, models = {}, {}
for name, init in INITS.items():
    paddle.seed(MODEL_SEED)
    model = Model_MLP_L2(INPUT_SIZE, HIDDEN_SIZE, OUTPUT_SIZE)
    if init is not None:
        for fc in (model.fc1, model.fc2):
            fc.params['W'] = init(fc.params['W'].shape)
    before = unit_spread(model, train_set[0])
    optimizer = TrackedGD(LEARNING_RATE, model, train_set[0])
    runner = RunnerV2_1(model, optimizer, accuracy, BinaryCrossEntropyLoss(model))
    runner.train(train_set, dev_set, num_epochs=EPOCH_NUM, verbose=False)
    score, loss = runner.evaluate(test_set)
    spreads = np.array(optimizer.spreads)
    results[name] = {'initial_param_spread': before[0], 'max_param_spread': float(spreads[:, 0].max()),
                     'final_param_spread': float(spreads[-1, 0]), 'max_activation_spread': float(spreads[:, 1].max()),
                     'final_activation_spread': float(spreads[-1, 1]), 'final_train_loss': runner.train_loss[-1],
                     'early_train_loss': runner.train_loss[EARLY_EPOCH - 1],
                     'test_score': score, 'test_loss': loss, 'spread_curve': spreads[:, 0]}
    models[name] = model
    print(f"{name:15s}: hidden units differ by {before[0]:.3g} at the start, at most "
          f"{spreads[:, 0].max():.3g} in their parameters and {spreads[:, 1].max():.3g} in their activations "
          f"during training; final train loss {runner.train_loss[-1]:.4f}; [Test] score/loss: {score:.4f}/{loss:.4f}")
# the first gradient of the all-zero network: outputs are all 0.5, so fc2's gradient is 0.5 (0.5 - mean label)
probe = Model_MLP_L2(INPUT_SIZE, HIDDEN_SIZE, OUTPUT_SIZE)
for fc in (probe.fc1, probe.fc2):
    fc.params['W'] = paddle.zeros_like(fc.params['W'])
probe_loss = BinaryCrossEntropyLoss(probe)
probe_loss(probe(train_set[0]), train_set[1])
probe_loss.backward()
first_grad_fc2 = float(probe.fc2.grads['W'].numpy()[0, 0])
first_grad_fc1 = float(np.abs(probe.fc1.grads['W'].numpy()).max())
mean_label = float(train_set[1].numpy().mean())
print(f"zeros, first step: fc1 gradient {first_grad_fc1:g}; fc2 gradient {first_grad_fc2:.6f} for every hidden unit "
      f"= 0.5 x (0.5 - {mean_label:.4f}) = {0.5 * (0.5 - mean_label):.6f}")
W1_zero = models['zeros'].fc1.params['W'].numpy()
print("fc1.W of the zero-initialized network after training (5 equal columns):\n", np.round(W1_zero, 6))

# %%
fig, axes = plt.subplots(1, 1 + len(INITS), figsize=(4.2 * (1 + len(INITS)), 3.8))
for name, r in results.items():
    axes[0].plot(np.arange(1, EPOCH_NUM + 1), r['spread_curve'] + 1e-12, label=name)
axes[0].set_yscale('log')
axes[0].set_xlabel('epoch')
axes[0].set_ylabel('max difference between hidden units')
axes[0].legend(fontsize=8)
gx, gy = np.meshgrid(np.linspace(-2.5, 3.5, 121), np.linspace(-2.0, 2.5, 91))
grid = paddle.to_tensor(np.stack([gx.ravel(), gy.ravel()], axis=1).astype('float32'))
Xn, yn = test_set[0].numpy(), test_set[1].numpy().ravel()
for ax, (name, model) in zip(axes[1:], models.items()):
    prob = model(grid).numpy().reshape(gx.shape)
    ax.contourf(gx, gy, prob, levels=[0, 0.5, 1], colors=['#cfe3f7', '#f7d9cf'])
    ax.contour(gx, gy, prob, levels=[0.5], colors='k', linewidths=1)
    ax.scatter(Xn[:, 0], Xn[:, 1], c=yn, s=8, cmap='coolwarm')
    ax.set_title(f"{name}: test acc {results[name]['test_score']:.3f}", fontsize=10)
    ax.set_xlabel('x1')
    ax.set_ylabel('x2')
fig.tight_layout()
S.savefig(fig, 'fw-zero-init.pdf')
plt.close(fig)

# %%
S.record(epochs=EPOCH_NUM, runs={k: {kk: vv for kk, vv in v.items() if kk != 'spread_curve'}
                                 for k, v in results.items()},
         zero_init_W1=W1_zero, first_grad={'fc1_max': first_grad_fc1, 'fc2': first_grad_fc2, 'mean_label': mean_label})
zero, normal, small = results['zeros'], results['N(0, 1) (4.2)'], results[f'N(0, {SMALL_STD}^2)']
S.claim(book="4.4.1: 权重和偏置都用 0 初始化时，所有隐藏层神经元的激活值都相同，权重的更新也都相同（对称权重现象）",
        measured=f"over {EPOCH_NUM} epochs the 5 hidden units of the zero-initialized network never differ "
                 f"(largest difference {zero['max_param_spread']:.2g} in parameters, "
                 f"{zero['max_activation_spread']:.2g} in activations); random inits: N(0, 1) "
                 f"{normal['final_param_spread']:.3g}, N(0, {SMALL_STD}^2) {small['final_param_spread']:.3g} at the end",
        supported=bool(zero['max_param_spread'] <= SAME and zero['max_activation_spread'] <= SAME
                       and normal['final_param_spread'] > 0.1 and small['final_param_spread'] > 0.01),
        note=f"identical = within {SAME:g} (float rounding: a vectorized matmul may round one column by an ulp)")
S.claim(book="动手练习 4.3: 全 0 初始化时隐藏层神经元没有差异性，网络只相当于一个隐藏神经元，训练结果不如随机初始化",
        measured=f"after {EPOCH_NUM} epochs, test accuracy: zeros {zero['test_score']:.4f}, N(0, 1) "
                 f"{normal['test_score']:.4f}, N(0, {SMALL_STD}^2) {small['test_score']:.4f}; final train loss "
                 f"{zero['final_train_loss']:.4f} / {normal['final_train_loss']:.4f} / {small['final_train_loss']:.4f}",
        supported=None if S.quick else bool(zero['test_score'] < normal['test_score'] - 0.02),
        note=(f"quick mode stops at {EPOCH_NUM} epochs, where the zero-initialized network still lags; the book's "
              "1000 epochs (--full) measured zeros 0.8000 vs N(0, 1) 0.7800: not supported there" if S.quick else
              "Moon1000 with noise 0.5 is nearly linearly separable and 4.2's network, trained 1000 epochs, draws "
              "an almost straight boundary anyway, so the single effective hidden unit (a straight boundary) "
              "loses nothing here; the symmetry itself is exact (claim above)"))
S.claim(book="4.4.1: 为了避免对称权重现象，用高斯分布或均匀分布初始化参数（打破对称靠的是各不相同，而不是数值大）",
        measured=f"N(0, {SMALL_STD}^2) starts as small as zeros (units differ by {small['initial_param_spread']:.3f}) "
                 f"and its units grow apart to {small['final_param_spread']:.3g}, zeros' stay at "
                 f"{zero['final_param_spread']:.2g}; both start slowly (train loss at epoch {EARLY_EPOCH}: zeros "
                 f"{zero['early_train_loss']:.4f}, N(0, {SMALL_STD}^2) {small['early_train_loss']:.4f}, N(0, 1) "
                 f"{normal['early_train_loss']:.4f}: the gradient reaching the hidden layer is proportional to fc2's "
                 f"small weights)",
        supported=bool(small['final_param_spread'] > 10 * small['initial_param_spread']
                       and zero['final_param_spread'] <= SAME))
S.save()
