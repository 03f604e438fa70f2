# %% [markdown]
# # 5.2 卷积神经网络的基础算子
#
# 5.2.1.2 多通道卷积层算子 `Conv2D(in_channels, out_channels, kernel_size, stride, padding,
# weight_attr, bias_attr)`：对每个输出通道 p，按公式 (5.5) 把 D 个输入通道各自卷积后相加再加
# 偏置，P 个输出特征图拼接成 `[B, P, M', N']`。5.2.2 汇聚层算子 `Pool2D(size, mode, stride)`：
# 最大汇聚和平均汇聚。
#
# 书的多通道代码有两处错误：`paddle.sum(..., axis=1, axis=1)` 是语法错误，而且堆叠后的
# 通道维是第 0 维（`[D, B, M', N']`）；汇聚层的 `output_w/output_h` 把高和宽互换（方形窗口时
# 无影响）。`nndl` 的实现是向量化的（im2col + 矩阵乘法，窗口偏移上的循环代替输出位置上的
# 循环），数值和梯度与 `F.conv2d`、`F.max_pool2d`、`F.avg_pool2d` 相同。

# %%
from nndl.app.script import setup
S = setup("ch5_2_conv_pool")

import time

import numpy as np
import paddle
import paddle.nn.functional as F

from nndl import Conv2D, Pool2D

# %%
SEED = 100
BOOK_CONV_CHANNEL = [[20., 28.], [44., 52.]]      # 5.2.1.2 每个输出通道 (L6879-6886)
BOOK_POOL_INPUT = [[[[0.30856404, 0.41556627, 0.55406243],
                     [0.26652551, 1.64261794, -0.52476674],
                     [-1.02183867, -1.02233613, -0.07201923]]]]    # 5.2.2 印出的输入 (L6950)
BOOK_POOL_VALUE = 1.64261794

# %% [markdown]
# ## 5.2.1.2 多通道卷积层算子

# %%
inputs = paddle.to_tensor([[[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]],
                            [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]])
conv2d = Conv2D(in_channels=2, out_channels=3, kernel_size=2)
print(inputs)
outputs = conv2d(inputs)
print(outputs)
conv_ok = bool(np.array_equal(outputs.numpy(), np.tile(BOOK_CONV_CHANNEL, (1, 3, 1, 1))))
conv_shape = list(outputs.shape)

# 与飞桨的 F.conv2d 比较（同一组参数）
paddle.seed(SEED)
x = paddle.randn([4, 3, 9, 9])
layer = Conv2D(3, 5, 3, stride=2, padding=1, weight_attr=paddle.ParamAttr())
diff_conv = float((layer(x) - F.conv2d(x, layer.weight, layer.bias.reshape([-1]), stride=2, padding=1)).abs().max())
print(f"Conv2D(3, 5, 3, stride=2, padding=1) vs F.conv2d: max |difference| {diff_conv:.1e}")

# %% [markdown]
# ## 5.2.2 汇聚层算子

# %%
paddle.seed(SEED)
inputs = paddle.randn(shape=[1, 1, 3, 3])
pool2d = Pool2D()
outputs = pool2d(inputs)
print("input: {}, \noutput: {}".format(inputs, outputs))

book_pool = Pool2D()(paddle.to_tensor(BOOK_POOL_INPUT)).numpy()
print("max pooling of the book's printed input:", book_pool.ravel())
pool_ok = bool(np.all(book_pool == np.float32(BOOK_POOL_VALUE)))
avg = Pool2D(mode='avg')(paddle.to_tensor(BOOK_POOL_INPUT)).numpy()
print("average pooling of the book's printed input:", np.round(avg.ravel(), 8))

x = paddle.randn([4, 6, 28, 28])
diff_max = float((Pool2D((2, 2), 'max', 2)(x) - F.max_pool2d(x, 2, 2)).abs().max())
diff_avg = float((Pool2D((2, 2), 'avg', 2)(x) - F.avg_pool2d(x, 2, 2)).abs().max())
print(f"Pool2D 2x2/2 vs F.max_pool2d / F.avg_pool2d: max |difference| {diff_max:.1e} / {diff_avg:.1e}")

# %% [markdown]
# 书的循环实现每个输出位置调用一次 `paddle.sum`；向量化实现在一个 LeNet 批（`[64, 1, 32, 32]`）
# 的第一层上只需几毫秒。这里只量一次，完整的对比见 `bench/bench_conv.py`。

# %%
x = paddle.randn([64, 1, 32, 32])
conv1 = Conv2D(1, 6, 5, weight_attr=paddle.ParamAttr())
conv1(x)
start = time.perf_counter()
for _ in range(5):
    conv1(x)
ms = (time.perf_counter() - start) / 5 * 1000
print(f"Conv2D(1, 6, 5) forward on [64, 1, 32, 32]: {ms:.1f} ms")

# %%
S.record(conv_printed_ok=conv_ok, pool_printed_ok=pool_ok, conv_vs_paddle=diff_conv,
         max_pool_vs_paddle=diff_max, avg_pool_vs_paddle=diff_avg, lenet_conv1_forward_ms=ms)
S.claim(book="5.2.1.2: Conv2D(in_channels=2, out_channels=3, kernel_size=2) 对印出的输入，每个输出通道都是 "
             "[[20., 28.], [44., 52.]]",
        measured=f"shape {conv_shape}, every channel {'equal to' if conv_ok else 'different from'} the book's", supported=conv_ok)
S.claim(book="5.2.2: Pool2D() 对印出的 3×3 输入，四个输出都是 1.64261794",
        measured=f"{book_pool.ravel().tolist()}", supported=pool_ok)
S.save()
