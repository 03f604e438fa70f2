# %% [markdown]
# # 6.1.1 数据集构建
#
# 数字求和任务：输入一串数字，预测前两个数字之和（0-18，共 19 类）。除前两位外，序列其余位置
# 为 0，再把一个随机位置替换成随机数字作为干扰。序列越长，模型需要记住前两位的距离越远，
# 准确率可以衡量网络的记忆能力。书固定 `random.seed(0)`、`np.random.seed(0)`，依次为长度
# 5、10、…、35 生成训练集（k=3，300 条）、验证集和测试集（k=1，各 100 条）。
#
# 书把数据写到工作目录的 `./datasets/{length}/`（且没有先建目录）；这里写到本次运行的输出
# 目录 `S.out/datasets/`。本节还演示 6.1.2.1 的嵌入层 `Embedding`。

# %%
from nndl.app.script import setup
S = setup("ch6_1_1_digitsum")

import random

import numpy as np
import paddle

from nndl import Embedding
from nndl.datasets.digitsum import BOOK_LENGTHS, DigitSumDataset, generate_data, load_data

# %%
LENGTHS = list(BOOK_LENGTHS)   # [5, 10, 15, 20, 25, 30, 35]; writing all seven costs milliseconds
DATA_ROOT = S.path("datasets")

# %%
# 固定随机种子 (the book's order of generation makes its files)
random.seed(0)
np.random.seed(0)
for length in LENGTHS:
    for name, k in (("train", 3), ("dev", 1), ("test", 1)):
        generate_data(length, k, DATA_ROOT / str(length) / f"{name}.txt")

# %% [markdown]
# 6.1.1.2 加载长度为 5 的数据集，打印验证集的前两条样本与各集合的数量。

# %%
length = 5
train_examples, dev_examples, test_examples = load_data(DATA_ROOT / str(length))
print("dev example:", dev_examples[:2])
print("训练集数量: ", len(train_examples))
print("验证集数量: ", len(dev_examples))
print("测试集数量: ", len(test_examples))

# %% [markdown]
# 6.1.1.3 `DigitSumDataset` 把样本转成 int64 张量；6.1.2.1 的嵌入层按索引查嵌入矩阵。

# %%
train_set = DigitSumDataset(train_examples)
seq, label = train_set[0]
print("第一条训练样本:", seq.numpy().tolist(), int(label))

paddle.seed(0)
emb_layer = Embedding(10, 5)
inputs = paddle.to_tensor([0, 1, 2, 3])
embs = emb_layer(inputs)
print(embs)

# %%
book_dev = [([0, 0, 6, 0, 0], 0), ([0, 1, 0, 0, 8], 1)]
S.record(dev_examples=dev_examples[:2], counts=[len(train_examples), len(dev_examples), len(test_examples)],
         lengths=LENGTHS, embedding_shape=list(embs.shape))
S.claim(book="dev example: [([0, 0, 6, 0, 0], 0), ([0, 1, 0, 0, 8], 1)]; 训练集 300、验证集 100、测试集 100",
        measured=f"dev example: {dev_examples[:2]}; {len(train_examples)}/{len(dev_examples)}/{len(test_examples)}",
        supported=dev_examples[:2] == book_dev and
        (len(train_examples), len(dev_examples), len(test_examples)) == (300, 100, 100))
S.save()
