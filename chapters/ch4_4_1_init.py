# %% [markdown]
# # 4.4.1 参数初始化
#
# 如果每一层的权重和偏置都用 0 初始化，第一遍前向计算后所有隐藏层神经元的激活值都相同；
# 反向传播时所有权重的更新也都相同，隐藏层神经元没有差异性（对称权重现象）。为了避免对称权重，
# 用高斯分布或均匀分布初始化参数（图 4.9；书中没有保存这幅图，这里存为 `fw-init-dist.pdf`）。
#
# 动手练习 4.3：把 4.2 的 `Model_MLP_L2` 的权重都初始化为 0，在 Moon1000 上训练，观察结果：
# 隐藏层的 5 个神经元始终相同，网络只相当于一个隐藏神经元。

# %%
from nndl.app.script import setup
S = setup("ch4_4_1_init")

import numpy as np
import paddle
import matplotlib.pyplot as plt

from nndl import Model_MLP_L2, BinaryCrossEntropyLoss, Optimizer_GD, RunnerV2_1, accuracy, make_moons

# %%
SEED = 0
NUM_SAMPLES = 10000         # 采样点数 (4.4.1)
DATA_SEED = 0               # Moon1000 as in 4.2
N_SAMPLES, NUM_TRAIN, NUM_DEV = 1000, 640, 160
LEARNING_RATE = 0.2
EPOCH_NUM = 1000            # as 4.2; under a second per run, quick mode too

# %%
paddle.seed(SEED)
# 'paddle.normal' 高斯分布采样; 'paddle.uniform' 在 [min, max) 上均匀分布采样
gaussian_weights = paddle.normal(mean=0.0, std=1.0, shape=[NUM_SAMPLES])
uniform_weights = paddle.uniform(shape=[NUM_SAMPLES], min=-1.0, max=1.0)
g, u = gaussian_weights.numpy(), uniform_weights.numpy()
print(f"Gaussian: mean {g.mean():.4f}, std {g.std():.4f}; Uniform: min {u.min():.4f}, max {u.max():.4f}, "
      f"std {u.std():.4f} (1/sqrt(3) = {1 / np.sqrt(3):.4f})")

fig = plt.figure(figsize=(10, 4))
ax = fig.add_subplot(1, 2, 1)
ax.set_title('Gaussian Distribution')
ax.hist(g, bins=200, density=True)
ax.set_xlabel('weight')
ax.set_ylabel('density')
ax = fig.add_subplot(1, 2, 2)
ax.set_title('Uniform Distribution')
ax.hist(u, bins=200, density=True)
ax.set_xlabel('weight')
ax.set_ylabel('density')
S.savefig(fig, 'fw-init-dist.pdf')
plt.close(fig)

# %% [markdown]
# ## 动手练习 4.3：权重全 0 初始化

# %%
paddle.seed(DATA_SEED)
X, y = make_moons(n_samples=N_SAMPLES, shuffle=True, noise=0.5)
y = y.reshape([-1, 1])
train_set = [X[:NUM_TRAIN], y[:NUM_TRAIN]]
dev_set = [X[NUM_TRAIN:NUM_TRAIN + NUM_DEV], y[NUM_TRAIN:NUM_TRAIN + NUM_DEV]]

results = {}
for name in ('zeros', 'standard_normal'):
    paddle.seed(SEED)
    model = Model_MLP_L2(2, 5, 1)
    if name == 'zeros':
        for fc in (model.fc1, model.fc2):
            fc.params['W'] = paddle.zeros_like(fc.params['W'])
    runner = RunnerV2_1(model, Optimizer_GD(LEARNING_RATE, model), accuracy, BinaryCrossEntropyLoss(model))
    runner.train(train_set, dev_set, num_epochs=EPOCH_NUM, verbose=False)
    W1 = model.fc1.params['W'].numpy()
    b1 = model.fc1.params['b'].numpy()
    # how different the hidden units are: the largest spread of a hidden unit's weights and bias
    spread = float(np.max(np.ptp(np.vstack([W1, b1]), axis=1)))
    results[name] = {'hidden_unit_spread': spread, 'final_train_loss': runner.train_loss[-1],
                     'best_dev_score': max(runner.dev_scores), 'W1': W1}
    print(f"{name:15s}: hidden units differ by at most {spread:.3g}; final train loss "
          f"{runner.train_loss[-1]:.4f}, best dev accuracy {max(runner.dev_scores):.4f}")
print("fc1.W with zero initialization after training (every column the same):\n", results['zeros']['W1'])

# %%
S.record(gaussian_mean=float(g.mean()), gaussian_std=float(g.std()), uniform_min=float(u.min()),
         uniform_max=float(u.max()), epochs=EPOCH_NUM,
         zero_init={k: v for k, v in results['zeros'].items() if k != 'W1'},
         normal_init={k: v for k, v in results['standard_normal'].items() if k != 'W1'},
         zero_init_W1=results['zeros']['W1'])
S.claim(book="权重全用 0 初始化时, 所有隐藏层神经元的激活值和权重更新都相同 (对称权重现象, 4.4.1)",
        measured=f"after {EPOCH_NUM} epochs the 5 hidden units of the zero-initialized network differ by "
                 f"{results['zeros']['hidden_unit_spread']:.2g} (standard-normal init: "
                 f"{results['standard_normal']['hidden_unit_spread']:.2g}); final train loss "
                 f"{results['zeros']['final_train_loss']:.4f} vs {results['standard_normal']['final_train_loss']:.4f}",
        supported=bool(results['zeros']['hidden_unit_spread'] == 0.0
                       and results['standard_normal']['hidden_unit_spread'] > 0.1))
S.save()
