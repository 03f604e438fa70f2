# %% [markdown]
# # 5.1 卷积
#
# 5.1.2 按公式 (5.1) 实现二维卷积算子 `Conv2D(kernel_size)`（单通道，输入 `[B, M, N]`，
# 卷积核初始化为全 1）；5.1.4 加上步长和零填充（公式 5.2–5.4）；5.1.5 用拉普拉斯算子
# （中心 8、其余 -1 的 3×3 卷积核）对灰度图像做边缘检测。
#
# `nndl.Conv2D` 同时覆盖书中三种形式：不给 `in_channels`/`out_channels` 时就是这里的单通道
# 形式。书用 Python 循环逐个输出位置计算；这里把输入切成 U×V 的小块（im2col）后一次矩阵
# 乘法算出所有位置，数值与 `F.conv2d` 相同（tests/test_ch5_conv.py）。
#
# 书在 GPU 上用 `paddle.seed(100)` 生成输入，CPU 上同一种子给出不同的数；所以先按本机的
# 随机输入运行，再用书中印出的输入复现书中印出的输出。书的 `number.jpg` 没有随书提供，
# 这里用 PIL 画一个数字。

# %%
from nndl.app.script import setup
S = setup("ch5_1_conv")

import matplotlib.pyplot as plt
import numpy as np
import paddle
import paddle.nn as nn
from PIL import Image, ImageDraw

from nndl import Conv2D

# %%
SEED = 100                 # 书的 paddle.seed(100)
IMAGE_SIZE = 256           # 书把 number.jpg 缩放到 256×256
LAPLACIAN = np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype='float32')

# 5.1.2 书中印出的输入与输出 (L6516-6530)
BOOK_INPUT = [[[-2.84111667, 0.00813386, -1.10186338],
               [-0.98983365, 0.82590210, 1.86596942],
               [-0.00606005, 0.84462112, -0.55158448]],
              [[-0.38196096, 1.69304919, -1.76249516],
               [-0.76220298, 1.71323478, -0.87099439],
               [-0.94921637, 0.42173341, 0.02119463]]]
BOOK_OUTPUT = [[[-2.99691439, 1.59814215], [0.67462951, 2.98490834]],
               [[2.26212001, 0.77279443], [0.42354882, 1.28516841]]]

# %% [markdown]
# ## 5.1.2 二维卷积算子

# %%
# 随机构造一个二维输入矩阵
paddle.seed(SEED)
inputs = paddle.randn(shape=[2, 3, 3])
conv2d = Conv2D(kernel_size=2)
outputs = conv2d(inputs)
print("input: {}, \noutput: {}".format(inputs, outputs))

# 书中印出的输入 -> 书中印出的输出
book_out = conv2d(paddle.to_tensor(BOOK_INPUT, dtype='float32')).numpy()
err_512 = float(np.abs(book_out - np.array(BOOK_OUTPUT)).max())
print("output on the book's printed input:\n", np.round(book_out, 8))
print(f"max |difference| from the book's printed output: {err_512:.2e}")

# %% [markdown]
# ## 5.1.4 带步长和零填充的二维卷积算子

# %%
inputs = paddle.randn(shape=[2, 8, 8])
conv2d_padding = Conv2D(kernel_size=3, padding=1)
outputs = conv2d_padding(inputs)
shape_s1 = list(outputs.shape)
print("When kernel_size=3, padding=1 stride=1, input's shape: {}, output's shape: {}".format(
    list(inputs.shape), shape_s1))
conv2d_stride = Conv2D(kernel_size=3, stride=2, padding=1)
outputs = conv2d_stride(inputs)
shape_s2 = list(outputs.shape)
print("When kernel_size=3, padding=1 stride=2, input's shape: {}, output's shape: {}".format(
    list(inputs.shape), shape_s2))

# %% [markdown]
# ## 5.1.5 使用卷积运算完成图像边缘检测任务
#
# 书读入 `./datasets/number.jpg`（一张手写数字照片，未随书提供）；这里画一个粗笔画的
# “7”作为输入灰度图。


# %%
def draw_digit(size=IMAGE_SIZE):
    """A grey-scale picture of a thick '7' on a light, slightly shaded background."""
    img = Image.new('L', (size, size), color=235)
    draw = ImageDraw.Draw(img)
    s = size / 256
    draw.line([(60 * s, 60 * s), (196 * s, 60 * s), (110 * s, 210 * s)], fill=30, width=int(22 * s))
    draw.line([(95 * s, 135 * s), (165 * s, 135 * s)], fill=30, width=int(14 * s))
    return img


img = draw_digit().resize((IMAGE_SIZE, IMAGE_SIZE))
# 创建卷积算子，卷积核大小为 3x3，并用设置好的拉普拉斯算子作为卷积核权重的初始化参数
conv = Conv2D(kernel_size=3, stride=1, padding=0,
              weight_attr=paddle.ParamAttr(initializer=nn.initializer.Assign(value=LAPLACIAN)))
inputs = paddle.to_tensor(np.array(img).astype('float32'))
inputs = paddle.unsqueeze(inputs, axis=0)
outputs = conv(inputs).numpy()

fig = plt.figure(figsize=(8, 4))
f = fig.add_subplot(121)
f.set_title('input image', fontsize=15)
f.imshow(img, cmap='gray')
f.set_xlabel('x (pixel)')
f.set_ylabel('y (pixel)')
f = fig.add_subplot(122)
f.set_title('output feature map', fontsize=15)
f.imshow(outputs.squeeze(), cmap='gray')
f.set_xlabel('x (pixel)')
f.set_ylabel('y (pixel)')
S.savefig(fig, 'fig5-5-edge-detection.pdf')   # 图 5.5 (the book shows it without saving)
plt.close(fig)

# 边缘以外（灰度平坦处）输出为 0；笔画的边缘处响应最大
out = outputs.squeeze()
windows = np.lib.stride_tricks.sliding_window_view(np.array(img).astype('float32'), (3, 3))
is_flat = windows.max(axis=(2, 3)) == windows.min(axis=(2, 3))    # 3×3 邻域灰度相同
flat = np.abs(out[is_flat]).max()
edge_fraction = float((np.abs(out) > 100).mean())
print(f"edge detection: output {list(out.shape)}, |response| on flat background <= {flat:.1f}, "
      f"{edge_fraction:.1%} of the pixels respond > 100")

# %%
S.record(book_input_max_error=err_512, shape_stride1=shape_s1, shape_stride2=shape_s2,
         edge_flat_max=float(flat), edge_fraction=edge_fraction)
S.claim(book="5.1.2: 对书中印出的输入，输出为 [[-2.99691439, 1.59814215], [0.67462951, 2.98490834]], "
             "[[2.26212001, 0.77279443], [0.42354882, 1.28516841]]",
        measured=f"max |difference| {err_512:.1e} on the printed input",
        supported=err_512 < 1e-6)
S.claim(book="5.1.4: 3×3 卷积、padding=1，stride=1 时输出与输入同为 [2, 8, 8]；stride=2 时宽和高缩小一倍 [2, 4, 4]",
        measured=f"stride=1 -> {shape_s1}, stride=2 -> {shape_s2}",
        supported=shape_s1 == [2, 8, 8] and shape_s2 == [2, 4, 4])
S.claim(book="5.1.5: 使用拉普拉斯算子，目标的边缘可以成功被检测出来",
        measured=f"flat background -> {flat:.1f}, {edge_fraction:.1%} of pixels (the strokes' edges) respond > 100",
        supported=bool(flat == 0 and 0 < edge_fraction < 0.3),
        note="on a drawn digit: the book's number.jpg is not shipped")
S.save()
