# %% [markdown]
# # 6.2 梯度爆炸实验
#
# 简单循环网络难以建模长程依赖的原因之一是梯度爆炸。在长度为 20 的数字求和数据上，把批大小
# （64）和学习率（SGD，0.2）调大，交叉熵损失按 `reduction="sum"` 累加，每一步用
# `custom_print_log`（6.2.1）打印 SRN 参数 W、U、b 的梯度 ℓ2 范数（图 6.8）；然后用
# `paddle.nn.ClipGradByNorm(clip_norm=5.0)` 按模截断梯度，重新训练（6.2.3，图 6.9）。
#
# 这一节在快速模式下也用书的全部设置（20 个回合 × 5 步，每次几秒）。

# %%
from nndl.app.script import setup
S = setup("ch6_2_grad_explosion")

import random

import numpy as np
import paddle
import matplotlib.pyplot as plt

from nndl import Accuracy, RunnerV3, SRN, Model_RNN4SeqClass, GradNormLog
from nndl.datasets.digitsum import DigitSumDataset, load_data, make_digitsum

# %%
NUM_EPOCHS = 20
LEARNING_RATE = 0.2
NUM_DIGITS, INPUT_SIZE, HIDDEN_SIZE, NUM_CLASSES = 10, 32, 32, 19
BATCH_SIZE = 64
LENGTH = 20
CLIP_NORM = 5.0
SAVE_DIR = S.path("checkpoints")

# %%
np.random.seed(0)
random.seed(0)
paddle.seed(0)

DATA_ROOT = make_digitsum(S.path("datasets"))     # the book's seven data sets (6.1.1)
print(f"\n====> Training SRN with data of length {LENGTH}.")
train_examples, dev_examples, test_examples = load_data(DATA_ROOT / str(LENGTH))
train_set, dev_set, test_set = (DigitSumDataset(train_examples), DigitSumDataset(dev_examples),
                                DigitSumDataset(test_examples))
train_loader = paddle.io.DataLoader(train_set, batch_size=BATCH_SIZE)
dev_loader = paddle.io.DataLoader(dev_set, batch_size=BATCH_SIZE)
test_loader = paddle.io.DataLoader(test_set, batch_size=BATCH_SIZE)
model_save_path = str(SAVE_DIR / f"srn_explosion_model_{LENGTH}.pdparams")
SAVE_DIR.mkdir(parents=True, exist_ok=True)


def run(clip):
    """Train the SRN with or without clipping; returns the runner, the norm log and how it ended."""
    base_model = SRN(INPUT_SIZE, HIDDEN_SIZE)
    model = Model_RNN4SeqClass(base_model, NUM_DIGITS, INPUT_SIZE, HIDDEN_SIZE, NUM_CLASSES)
    optimizer = paddle.optimizer.SGD(learning_rate=LEARNING_RATE, parameters=model.parameters(),
                                     grad_clip=clip)
    runner = RunnerV3(model, optimizer, paddle.nn.CrossEntropyLoss(reduction="sum"), Accuracy())
    log = GradNormLog()   # custom_print_log (6.2.1) that also keeps the norms for the figure
    ended = "completed"
    try:
        runner.train(train_loader, dev_loader, num_epochs=NUM_EPOCHS, eval_steps=100, log_steps=1,
                     save_path=model_save_path, custom_print_log=log)
    except FloatingPointError as exc:
        # nndl's RunnerV3 stops on a non-finite loss instead of training on NaN
        ended = f"stopped: {exc}"
        print(f"[Train] {ended}")
    return runner, log, ended


# %% [markdown]
# 6.2.2 复现梯度爆炸现象：不截断。

# %%
runner1, log1, ended1 = run(clip=None)

# %%
def plot_norms(log, title, filename):
    fig = plt.figure(figsize=(6, 3.5))
    steps = np.arange(len(log.W))
    plt.plot(steps, log.W, color="#e4007f", label="W_grad_l2")
    plt.plot(steps, log.U, color="#f19ec2", linestyle="--", label="U_grad_l2")
    plt.plot(steps, log.b, color="#000000", linestyle=":", label="b_grad_l2")
    plt.xlabel("step")
    plt.ylabel("L2 norm of the gradient")
    plt.title(title)
    plt.legend()
    S.savefig(fig, filename)
    plt.close(fig)


plot_norms(log1, "SRN, no clipping", "6.8-grad-norm.pdf")

# %% [markdown]
# 6.2.3 使用梯度截断：`ClipGradByNorm` 把每个参数的梯度按模截断到不超过 5.0
# （打印的仍是截断前的范数）。

# %%
# the book re-instantiates the model without seeding again: its weights continue paddle's stream
clip = paddle.nn.ClipGradByNorm(clip_norm=CLIP_NORM)
runner2, log2, ended2 = run(clip=clip)
plot_norms(log2, f"SRN, ClipGradByNorm({CLIP_NORM})", "6.9-grad-norm-clip.pdf")

# %%
def dev_history(runner):
    return [s for s, (step, _) in zip(runner.dev_scores, runner.dev_losses) if step >= 0]


runner2.load_model(model_save_path)
test_score, _ = runner2.evaluate(test_loader)
print(f"[SRN, clipped] length:{LENGTH}, Score: {test_score: .5f}")

first = min(4, len(log1.W))
late_median = float(np.median(log1.W[10:])) if len(log1.W) > 10 else float("nan")   # after the explosion
grew = len(log1.W) >= 2 and max(log1.W[:first]) > 10 * log1.W[0] if log1.W else False
losses1 = [loss for _, loss in runner1.train_step_losses]
losses2 = [loss for _, loss in runner2.train_step_losses]
S.record(no_clip={"W": log1.W, "U": log1.U, "b": log1.b, "losses": losses1, "ended": ended1,
                  "dev_scores": dev_history(runner1)},
         clip={"W": log2.W, "U": log2.U, "b": log2.b, "losses": losses2, "ended": ended2,
               "dev_scores": dev_history(runner2), "test_score": test_score})
S.claim(book="不截断时梯度急剧变大（书: W 的梯度范数 17.7 -> 70.5 -> 641.6 -> 7823.6，损失 185.9 -> 4096），"
             "参数落入 Tanh 的饱和区后梯度几乎为 0，模型难以继续训练（图 6.8）",
        measured=f"W grad norm, steps 0-{first - 1}: " + " -> ".join(f"{v:.1f}" for v in log1.W[:first]) +
                 "; loss " + " -> ".join(f"{v:.1f}" for v in losses1[:first]) +
                 f"; median W norm over steps 10-{len(log1.W) - 1}: {late_median:.3g}; training {ended1}",
        supported=bool(grew) and late_median < 0.1)
book_log = {"loss": [185.85355, 356.53052, 742.90344, 4096.0],
            "W": [17.70298, 70.45609, 641.59662, 7823.55859], "U": [54.53837, 102.08938, 649.36023, 2093.90259],
            "b": [17.50586, 18.73236, 123.62273, 359.69080]}
rel = lambda a, b: abs(a - b) / abs(b)
worst3 = max(max(rel(x, y) for x, y in zip(mine[:3], book_log[k][:3]))
             for k, mine in (("loss", losses1), ("W", log1.W), ("U", log1.U), ("b", log1.b)))
S.record(book_log=book_log, worst_rel_diff_first_3_steps=worst3)
S.claim(book="6.2.2 的打印日志: loss 185.85355, 356.53052, 742.90344, 4096.00000; W_grad_l2 17.70298, 70.45609, "
             "641.59662, 7823.55859",
        measured=f"loss {losses1[0]:.5f}, {losses1[1]:.5f}, {losses1[2]:.5f}, {losses1[3]:.5f}; W_grad_l2 "
                 + ", ".join(f"{v:.5f}" for v in log1.W[:4]) +
                 f" (steps 0-2: largest relative difference {worst3:.1e})",
        supported=worst3 < 1e-5,
        note="step 3's norms differ (8516 vs 7824): by then the weights have exploded and the last-bit "
             "differences of the summation order are amplified")
S.claim(book="按模截断后梯度始终保持在一个有值的状态，模型可以继续训练（图 6.9，准确率 0.01 -> 0.08）",
        measured=f"clipped: W grad norm max {max(log2.W):.1f}, last {log2.W[-1]:.2f} (> 0); loss "
                 f"{losses2[0]:.1f} -> {losses2[-1]:.1f}; best dev accuracy {runner2.best_score:.2f}, "
                 f"test {test_score:.2f}; training {ended2}",
        supported=ended2 == "completed" and log2.W[-1] > 1e-3 and max(log2.W) < max(log1.W))
S.save()
