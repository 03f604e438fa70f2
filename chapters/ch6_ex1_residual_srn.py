# %% [markdown]
# # 动手练习 6.1 隐状态之间的残差连接
#
# 参考《神经网络与深度学习》公式 (6.50) $h_t = h_{t-1} + g(x_t, h_{t-1}; \theta)$，在 SRN 的循环单元中
# 加入隐状态之间的残差连接：$H_t = H_{t-1} + \tanh(X_t W + H_{t-1} U + b)$（`nndl.ResidualSRN`，参数与
# SRN 相同），重复 6.1.3 的数字求和实验。问题：能否缓解长程依赖问题？
#
# 残差连接使 $\partial H_t / \partial H_{t-1} = I + \mathrm{diag}(1-g^2)\,U^\top$，误差回传到较早时刻时保留恒等部分，
# 而 SRN 的误差要乘上每一步的 $\tanh'$（梯度消失）；《神经网络与深度学习》也指出这种改进仍有梯度爆炸与
# 记忆容量问题。先在初始化时比较回传到第一个数字的梯度，再比较训练后的准确率。
#
# 完整模式（`--full`）是 6.1.3 的设置：7 个长度、500 个回合、批大小 8、学习率 0.001。快速模式只用长度
# 10 和 20、40 个回合、批大小 64、学习率 0.02，SRN 与残差 SRN 在同一设置、同一随机种子下训练。

# %%
from nndl.app.script import setup
S = setup("ch6_ex1_residual_srn")

import numpy as np
import paddle
import matplotlib.pyplot as plt

from nndl import SRN, ResidualSRN, Model_RNN4SeqClass, train_digitsum, plot_length_losses
from nndl.datasets.digitsum import BOOK_LENGTHS, load_data, make_digitsum

# %%
NUM_EPOCHS = S.pick(500, 40)
LEARNING_RATE = S.pick(0.001, 0.02)
BATCH_SIZE = S.pick(8, 64)
LENGTHS = S.pick(list(BOOK_LENGTHS), [10, 20])
EVAL_STEPS = S.pick(100, 50)
LOG_STEPS = S.pick(100, 0)
NUM_DIGITS, INPUT_SIZE, HIDDEN_SIZE, NUM_CLASSES = 10, 32, 32, 19
GRAD_LENGTH = 20          # the sequence length of the gradient-flow comparison at initialization
SAVE_DIR = S.path("checkpoints")
MODELS = {"SRN": SRN, "ResidualSRN": ResidualSRN}

# %% [markdown]
# 初始化时的梯度流：长度 20 的一批序列，损失对每个时刻输入向量（嵌入）的梯度的范数。数字求和只需要
# 前两个数字，所以第 1、2 个时刻收到的梯度就是模型能否学到长程依赖的关键。

# %%
DATA_ROOT = make_digitsum(S.path("datasets"))

train_examples = load_data(str(DATA_ROOT / str(GRAD_LENGTH)))[0][:64]
seqs = paddle.to_tensor([s for s, _ in train_examples], dtype="int64")
labels = paddle.to_tensor([y for _, y in train_examples], dtype="int64")
grad_by_step = {}
for name, make in MODELS.items():
    paddle.seed(0)
    model = Model_RNN4SeqClass(make(INPUT_SIZE, HIDDEN_SIZE), NUM_DIGITS, INPUT_SIZE, HIDDEN_SIZE, NUM_CLASSES)
    emb = model.embedding(seqs)
    emb_leaf = paddle.to_tensor(emb.numpy(), stop_gradient=False)
    loss = paddle.nn.functional.cross_entropy(model.linear(model.model(emb_leaf)), labels)
    grad, = paddle.grad(loss, [emb_leaf])
    grad_by_step[name] = np.linalg.norm(grad.numpy(), axis=(0, 2))          # [L]: one norm per step
    print(f"{name}: |dloss/dx_1| = {grad_by_step[name][0]:.3e}, |dloss/dx_L| = {grad_by_step[name][-1]:.3e}, "
          f"ratio x_1/x_L = {grad_by_step[name][0] / grad_by_step[name][-1]:.3e}")

fig = plt.figure(figsize=(5, 3.5))
for name, color in zip(MODELS, ("#f19ec2", "#e4007f")):
    plt.semilogy(np.arange(1, GRAD_LENGTH + 1), grad_by_step[name], "-o", color=color, label=name)
plt.xlabel("time step t")
plt.ylabel("gradient norm w.r.t. x_t")
plt.legend()
S.savefig(fig, "ex6-1-gradient-by-step.pdf")
plt.close(fig)

# %% [markdown]
# 数字求和实验：每个长度上分别训练 SRN 与残差 SRN（`nndl.train_digitsum`，6.1.3 的训练与 6.1.4 的评价）。

# %%
SAVE_DIR.mkdir(parents=True, exist_ok=True)
runners = {name: {} for name in MODELS}
test_scores = {name: {} for name in MODELS}
for name, make in MODELS.items():
    for length in LENGTHS:
        runners[name][length], test_scores[name][length], _ = train_digitsum(
            length, make, DATA_ROOT, SAVE_DIR, name, num_epochs=NUM_EPOCHS, learning_rate=LEARNING_RATE,
            batch_size=BATCH_SIZE, eval_steps=EVAL_STEPS, log_steps=LOG_STEPS, num_digits=NUM_DIGITS,
            input_size=INPUT_SIZE, hidden_size=HIDDEN_SIZE, num_classes=NUM_CLASSES)

# %%
fig = plot_length_losses(runners["ResidualSRN"], "ResidualSRN")
S.savefig(fig, "ex6-1-residual-srn-loss.pdf")
plt.close(fig)

fig = plt.figure(figsize=(5.5, 3.8))
for name, color in zip(MODELS, ("#f19ec2", "#e4007f")):
    plt.plot(LENGTHS, [runners[name][L].best_score for L in LENGTHS], "-o", color=color, label=f"{name} Dev Accuracy")
    plt.plot(LENGTHS, [test_scores[name][L] for L in LENGTHS], "--s", color=color, label=f"{name} Test Accuracy")
plt.xlabel("sequence length")
plt.ylabel("accuracy")
plt.xticks(LENGTHS)
plt.legend(fontsize="small")
S.savefig(fig, "ex6-1-residual-srn-accuracy.pdf")
plt.close(fig)

# %%
srn, res = ([test_scores[n][L] for L in LENGTHS] for n in MODELS)
ratio = {n: float(grad_by_step[n][0] / grad_by_step[n][-1]) for n in MODELS}
S.record(lengths=LENGTHS, num_epochs=NUM_EPOCHS, learning_rate=LEARNING_RATE, batch_size=BATCH_SIZE,
         srn_test_accuracy=srn, residual_test_accuracy=res,
         srn_best_dev_accuracy=[runners["SRN"][L].best_score for L in LENGTHS],
         residual_best_dev_accuracy=[runners["ResidualSRN"][L].best_score for L in LENGTHS],
         gradient_norm_by_step={n: grad_by_step[n] for n in MODELS}, first_over_last_gradient=ratio)
quick_note = "quick mode: lengths 10 and 20, 40 epochs at batch 64 / lr 0.02; one seed" if S.quick else "one seed"
S.claim(book="练习 6.1: 隐状态之间的残差连接（公式 6.50）能否缓解长程依赖问题",
        measured="test accuracy ResidualSRN vs SRN " +
                 ", ".join(f"L={L}: {r:.2f} vs {s:.2f}" for L, r, s in zip(LENGTHS, res, srn)) +
                 f"; mean {np.mean(res):.2f} vs {np.mean(srn):.2f}",
        supported=bool(np.mean(res) > np.mean(srn) and res[-1] >= srn[-1]), note=quick_note)
S.claim(book="公式 (6.50) 的残差连接使误差回传时保留恒等部分，缓解梯度消失（《神经网络与深度学习》6.4.1；"
             "书中也指出它仍有梯度爆炸问题）",
        measured=f"at initialization, length {GRAD_LENGTH}: gradient norm at x_1 over x_L "
                 f"{ratio['ResidualSRN']:.2e} (ResidualSRN) vs {ratio['SRN']:.2e} (SRN)" +
                 ("; above 1: the residual SRN's gradient grows towards early steps (the explosion risk)"
                  if ratio["ResidualSRN"] > 1 else ""),
        supported=ratio["ResidualSRN"] > 10 * ratio["SRN"])
S.save()
