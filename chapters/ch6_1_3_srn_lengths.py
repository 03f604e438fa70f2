# %% [markdown]
# # 6.1.3 模型训练
#
# 用 6.1.2 的 SRN（`Model_RNN4SeqClass` = 嵌入层 + SRN + 线性层）在不同长度的数字求和数据上
# 训练（6.1.3），再用验证集上最好的模型在测试集上评价（6.1.4）。书的设置：Adam，学习率
# 0.001，批大小 8，500 个回合，嵌入与隐状态 32 维，长度 5、10、…、35。
# 书的结论：序列越长，验证集损失越大、准确率越低，SRN 保持长程依赖的能力越来越弱
# （图 6.6、图 6.7）。
#
# 快速模式只用 3 个长度（5、10、20），80 个回合，批大小 32、学习率 0.01（更少的步数学到
# 同样的东西）；完整模式（`--full`）是书的设置。

# %%
from nndl.app.script import setup
S = setup("ch6_1_3_srn_lengths")

import matplotlib.pyplot as plt

from nndl import SRN, train_digitsum, plot_length_losses
from nndl.datasets.digitsum import BOOK_LENGTHS, make_digitsum

# %%
NUM_EPOCHS = S.pick(500, 80)
LEARNING_RATE = S.pick(0.001, 0.01)
BATCH_SIZE = S.pick(8, 32)
LENGTHS = S.pick(list(BOOK_LENGTHS), [5, 10, 20])
EVAL_STEPS = S.pick(100, 50)
LOG_STEPS = S.pick(100, 200)
NUM_DIGITS, INPUT_SIZE, HIDDEN_SIZE, NUM_CLASSES = 10, 32, 32, 19
SAVE_DIR = S.path("checkpoints")

# %%
# the book's seven data sets (the same files as 6.1.1: all seven lengths in the book's order)
DATA_ROOT = make_digitsum(S.path("datasets"))


def train_length(length):
    # 6.1.3 训练 + 6.1.4 评价 for one length (nndl.train_digitsum: the book's settings, seed 0)
    return train_digitsum(length, SRN, DATA_ROOT, SAVE_DIR, "SRN", num_epochs=NUM_EPOCHS,
                          learning_rate=LEARNING_RATE, batch_size=BATCH_SIZE, eval_steps=EVAL_STEPS,
                          log_steps=LOG_STEPS, num_digits=NUM_DIGITS, input_size=INPUT_SIZE,
                          hidden_size=HIDDEN_SIZE, num_classes=NUM_CLASSES)


SAVE_DIR.mkdir(parents=True, exist_ok=True)
runners, test_scores, seconds = {}, {}, {}
for length in LENGTHS:
    runners[length], test_scores[length], seconds[length] = train_length(length)

# %% [markdown]
# 图 6.6：SRN 在不同长度数据集上的训练损失（按步）与验证集损失。

# %%
fig = plot_length_losses(runners, "SRN")
S.savefig(fig, "6.6-srn-loss.pdf")
plt.close(fig)

# %% [markdown]
# 图 6.7：各长度上验证集（最好的）与测试集准确率。

# %%
best_dev = [runners[L].best_score for L in LENGTHS]
test = [test_scores[L] for L in LENGTHS]
fig = plt.figure(figsize=(5, 3.5))
plt.plot(LENGTHS, best_dev, "-o", color="#e4007f", label="Dev Accuracy")
plt.plot(LENGTHS, test, "-o", color="#f19ec2", label="Test Accuracy")
plt.xlabel("sequence length")
plt.ylabel("accuracy")
plt.xticks(LENGTHS)
plt.legend()
S.savefig(fig, "6.7-srn-accuracy.pdf")
plt.close(fig)

# %%
# the last evaluation on the dev set during training (runner.evaluate(test_loader) appended step -1)
last_dev_loss = [[loss for step, loss in runners[L].dev_losses if step >= 0][-1] for L in LENGTHS]
S.record(lengths=LENGTHS, num_epochs=NUM_EPOCHS, learning_rate=LEARNING_RATE, batch_size=BATCH_SIZE,
         best_dev_accuracy=best_dev, test_accuracy=test, last_dev_loss=last_dev_loss,
         seconds=[seconds[L] for L in LENGTHS],
         final_train_epoch_loss=[runners[L].train_epoch_losses[-1] for L in LENGTHS])
falls = test[0] > test[-1] and best_dev[0] > best_dev[-1]
S.claim(book="随着序列长度增加，SRN 在验证集和测试集上的准确率整体降低（图 6.7）",
        measured="test accuracy " + ", ".join(f"L={L}: {s:.2f}" for L, s in zip(LENGTHS, test)) +
                 "; best dev " + ", ".join(f"{s:.2f}" for s in best_dev),
        supported=falls,
        note=None if not S.quick else "quick mode: 3 lengths, 80 epochs at batch 32 / lr 0.01 instead of 7 lengths x 500 epochs")
S.claim(book="序列变长时验证集损失整体上越来越大（图 6.6）",
        measured="last dev loss " + ", ".join(f"L={L}: {v:.2f}" for L, v in zip(LENGTHS, last_dev_loss)),
        supported=last_dev_loss[-1] > last_dev_loss[0],
        note=None if not S.quick else "quick mode: 3 lengths, 80 epochs")
S.save()
