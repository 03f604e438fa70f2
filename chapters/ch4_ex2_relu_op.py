# %% [markdown]
# # 动手练习 4.2 ReLU 算子
#
# 练习：动手实现 ReLU 激活函数的算子，并支持反向的梯度计算。
#
# ReLU 算子 A = max(Z, 0) 的反向：δ_Z = δ_A ⊙ 1[Z > 0]（在 0 处取导数 0，与飞桨相同）。
# 本包的 `nndl.op.ReLU`（第 7.6.2.1 节也用到）就是这个算子：先在 float64 下与自动微分和
# 中心差分比较，再把 4.2 网络的隐藏层激活换成 ReLU，用 `BinaryCrossEntropyLoss(model)`、
# `Optimizer_GD` 和 `RunnerV2_1` 在 Moon1000 上训练 1000 个回合。

# %%
from nndl.app.script import setup
S = setup("ch4_ex2_relu_op")

import numpy as np
import paddle
import paddle.nn.functional as F

from nndl import BinaryCrossEntropyLoss, Optimizer_GD, RunnerV2_1, accuracy, make_moons
from nndl.op import Linear, Logistic, Op, ReLU
from nndl.gradcheck import numerical_grad, rel_error

# %%
SEED = 0
DATA_SEED = 0                       # Moon1000 as in 4.2
N_SAMPLES, NUM_TRAIN, NUM_DEV = 1000, 640, 160
LEARNING_RATE = 0.2
EPOCH_NUM = 1000

# %% [markdown]
# ## 反向计算的检验

# %%
rs = np.random.RandomState(SEED)
Z = rs.randn(8, 5)
Z[np.abs(Z) < 1e-3] = 0.5           # the central difference must not straddle the kink at 0
up = rs.randn(8, 5)                  # an upstream gradient δ_A
relu = ReLU()
relu(paddle.to_tensor(Z))
ours = relu.backward(paddle.to_tensor(up)).numpy()
z_leaf = paddle.to_tensor(Z, stop_gradient=False)
(auto,) = paddle.grad((F.relu(z_leaf) * paddle.to_tensor(up)).sum(), [z_leaf])
fd = numerical_grad(lambda t: (ReLU()(t) * paddle.to_tensor(up)).sum(), Z)
err_auto, err_fd = rel_error(ours, auto), rel_error(ours, fd)
print(f"ReLU.backward: rel. error vs paddle.grad {err_auto:.2g}, vs central difference {err_fd:.2g}")


# %% [markdown]
# ## ReLU 隐藏层的两层网络

# %%
class Model_MLP_L2_ReLU(Op):
    """Linear -> ReLU -> Linear -> Logistic, the backward by hand (4.2.4.5 with a ReLU hidden layer)."""

    def __init__(self, input_size, hidden_size, output_size):
        self.fc1 = Linear(input_size, hidden_size, name="fc1")
        self.act_fn1 = ReLU()
        self.fc2 = Linear(hidden_size, output_size, name="fc2")
        self.act_fn2 = Logistic()
        self.layers = [self.fc1, self.act_fn1, self.fc2, self.act_fn2]

    def __call__(self, X):
        return self.forward(X)

    def forward(self, X):
        return self.act_fn2(self.fc2(self.act_fn1(self.fc1(X))))

    def backward(self, loss_grad_a2):
        loss_grad_z2 = self.act_fn2.backward(loss_grad_a2)
        loss_grad_a1 = self.fc2.backward(loss_grad_z2)
        loss_grad_z1 = self.act_fn1.backward(loss_grad_a1)
        return self.fc1.backward(loss_grad_z1)


paddle.seed(DATA_SEED)
X, y = make_moons(n_samples=N_SAMPLES, shuffle=True, noise=0.5)
y = y.reshape([-1, 1])
train_set = [X[:NUM_TRAIN], y[:NUM_TRAIN]]
dev_set = [X[NUM_TRAIN:NUM_TRAIN + NUM_DEV], y[NUM_TRAIN:NUM_TRAIN + NUM_DEV]]
test_set = [X[NUM_TRAIN + NUM_DEV:], y[NUM_TRAIN + NUM_DEV:]]

paddle.seed(SEED)
model = Model_MLP_L2_ReLU(2, 5, 1)
loss_fn = BinaryCrossEntropyLoss(model)
runner = RunnerV2_1(model, Optimizer_GD(LEARNING_RATE, model), accuracy, loss_fn)
save_dir = str(S.path("model"))
runner.train(train_set, dev_set, num_epochs=EPOCH_NUM, log_epochs=200, save_dir=save_dir)
runner.load_model(save_dir)
score, loss = runner.evaluate(test_set)
print("[Test] score/loss: {:.4f}/{:.4f}".format(score, loss))

# %%
S.record(relu_backward_error={'autograd': f"{err_auto:.3g}", 'finite_difference': f"{err_fd:.3g}"},
         test_score=score, test_loss=loss, first_train_loss=runner.train_loss[0],
         final_train_loss=runner.train_loss[-1])
S.claim(book="动手练习 4.2: ReLU 算子支持反向的梯度计算",
        measured=f"rel. error vs paddle.grad {err_auto:.1g}, vs float64 central difference {err_fd:.1g}",
        supported=bool(err_auto < 1e-12 and err_fd < 1e-6))
S.claim(book="(4.2 with a ReLU hidden layer) the hand-written network trains on Moon1000",
        measured=f"train loss {runner.train_loss[0]:.4f} -> {runner.train_loss[-1]:.4f}; "
                 f"[Test] score/loss: {score:.4f}/{loss:.4f}",
        supported=bool(runner.train_loss[-1] < runner.train_loss[0] and score >= 0.75))
S.save()
