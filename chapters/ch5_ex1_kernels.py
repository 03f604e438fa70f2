# %% [markdown]
# # 动手练习 5.1 图 5.3 中的卷积核
#
# 实现《神经网络与深度学习》图 5.3 里的卷积，提取图像特征，并比较它们的不同。那幅图给出图像
# 处理中几种常用的滤波器：最上面的是高斯滤波器 $\frac{1}{16}[[1,2,1],[2,4,2],[1,2,1]]$，
# 用来对图像平滑去噪；中间的 $[[0,1,1],[-1,0,1],[-1,-1,0]]$ 和最下面的
# $[[0,1,0],[1,-4,1],[0,1,0]]$ 用来提取边缘特征。另外加一个常见的锐化核
# $[[0,-1,0],[-1,5,-1],[0,-1,0]]$（= 原图 减去 最下面那个核，不在图 5.3 中）作比较。
#
# 卷积用 5.1 的手写 `nndl.Conv2D`（单通道形式），作用在一张真实照片（matplotlib 自带的
# `grace_hopper.jpg`，转成灰度）和一张 MNIST 手写数字上；每个核都与 `paddle.nn.functional.conv2d`
# 逐点比较。用三个量比较这些核：核的元素和（平坦区域的输出 = 灰度 × 元素和），输出的高频能量
# 占比（二维傅里叶变换中频率高于 1/4 奈奎斯特频率的能量所占比例），以及对不同方向的直线边缘
# 的响应。
#
# 深度学习中的“卷积”是互相关（不翻转卷积核，5.1.1）；图 5.3 的数学卷积会把核旋转 180°。
# 两个对称的核不受影响；中间那个核旋转 180° 后正好变号，所以互相关的输出是卷积输出的相反数。

# %%
from nndl.app.script import setup
S = setup("ch5_ex1_kernels")

import matplotlib.cbook as cbook
import matplotlib.pyplot as plt
import numpy as np
import paddle
import paddle.nn as nn
import paddle.nn.functional as F
from PIL import Image

from nndl import Conv2D
from nndl.datasets.mnist import load_mnist_split

# %%
PHOTO_SIZE = S.pick(None, 128)       # quick: the photograph resized to 128×128 (full: 600×512 as shipped)
DIGIT_INDEX = 0                      # MNIST: the first training image (a 5)
HIGH_FREQUENCY = 0.25                # "high": above 1/4 of the Nyquist frequency
KERNELS = {   # 图 5.3 的三个滤波器, 再加一个锐化核
    'gaussian': np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype='float32') / 16,
    'diagonal edge': np.array([[0, 1, 1], [-1, 0, 1], [-1, -1, 0]], dtype='float32'),
    'laplacian': np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype='float32'),
    'sharpen (not in fig. 5.3)': np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype='float32'),
}

# %% [markdown]
# ## 两张输入图像

# %%
with cbook.get_sample_data('grace_hopper.jpg') as f:
    photo_img = Image.open(f).convert('L')
if PHOTO_SIZE is not None:
    photo_img = photo_img.resize((PHOTO_SIZE, PHOTO_SIZE))
photo = np.asarray(photo_img, dtype='float32')
train_set, _, _ = load_mnist_split(num_train=DIGIT_INDEX + 1, num_dev=0, num_test=0)
digit = train_set[0][DIGIT_INDEX].reshape(28, 28).astype('float32')
print(f"photo: grace_hopper.jpg, grey, {list(photo.shape)}, values {photo.min():.0f}..{photo.max():.0f}; "
      f"digit: MNIST train[{DIGIT_INDEX}] (label {int(train_set[1][DIGIT_INDEX])}), {list(digit.shape)}")
images = {'photo': photo, 'digit': digit}

# %% [markdown]
# ## 用手写的 Conv2D 做卷积，并与 F.conv2d 比较


# %%
def hand_conv(image, kernel):
    """5.1 的单通道 Conv2D (stride 1, no padding) with ``kernel`` as its weight: [M, N] -> [M-2, N-2]."""
    conv = Conv2D(kernel_size=3, weight_attr=paddle.ParamAttr(initializer=nn.initializer.Assign(value=kernel)))
    return conv(paddle.to_tensor(image[None])).numpy()[0]


def paddle_conv(image, kernel):
    return F.conv2d(paddle.to_tensor(image[None, None]), paddle.to_tensor(kernel[None, None])).numpy()[0, 0]


def high_frequency_fraction(image, cutoff=HIGH_FREQUENCY):
    """Fraction of the energy of ``image - mean`` at frequencies above ``cutoff`` × Nyquist."""
    spectrum = np.abs(np.fft.fft2(image - image.mean())) ** 2
    fy, fx = np.meshgrid(np.fft.fftfreq(image.shape[0]), np.fft.fftfreq(image.shape[1]), indexing='ij')
    high = np.sqrt(fx ** 2 + fy ** 2) > cutoff * 0.5
    return float(spectrum[high].sum() / spectrum.sum())


outputs, stats = {}, {}
for image_name, image in images.items():
    crop = image[1:-1, 1:-1]      # the input pixels under the valid outputs
    hf_in = high_frequency_fraction(crop)
    stats[image_name] = {'input_high_frequency': hf_in}
    for kernel_name, kernel in KERNELS.items():
        out = hand_conv(image, kernel)
        ref = paddle_conv(image, kernel)
        scale = float(np.abs(ref).max())
        err = float(np.abs(out - ref).max())
        outputs[image_name, kernel_name] = out
        stats[image_name][kernel_name] = {'max_abs_error': err, 'relative_error': err / scale,
                                          'high_frequency': high_frequency_fraction(out),
                                          'mean': float(out.mean()), 'std': float(out.std())}
        print(f"{image_name:5s} {kernel_name:26s}: |hand - F.conv2d| <= {err:.2e} (of {scale:.0f}); "
              f"high-frequency energy {hf_in:.3f} -> {stats[image_name][kernel_name]['high_frequency']:.3f}; "
              f"mean {crop.mean():.1f} -> {out.mean():.1f}")

# %%
fig, axes = plt.subplots(2, 1 + len(KERNELS), figsize=(3 * (1 + len(KERNELS)), 6.4))
for row, (image_name, image) in enumerate(images.items()):
    panels = [('input', image)] + [(k, outputs[image_name, k]) for k in KERNELS]
    for ax, (title, panel) in zip(axes[row], panels):
        ax.imshow(panel, cmap='gray')
        ax.set_title(title, fontsize=10)
        ax.set_xlabel('x (pixel)')
        ax.set_ylabel('y (pixel)')
fig.tight_layout()
S.savefig(fig, 'fig5-3-kernels.pdf')
plt.close(fig)

# %% [markdown]
# ## 平坦区域与边缘方向
#
# 在灰度处处相同的图像上，输出 = 灰度 × 核的元素和：高斯核元素和为 1（保持亮度），两个边缘核
# 元素和为 0（平坦处输出 0，只在灰度变化处有响应），锐化核元素和为 1。再把一条直线边缘
# （一侧 0、一侧 100，过渡宽约 1 像素）按法线方向 0°、45°、90°、135°（从 x 轴量起，图像的 y 轴
# 向下）放置，看各个核的最大响应。

# %%
flat = np.full((16, 16), 100.0, dtype='float32')
flat_response = {k: float(np.abs(hand_conv(flat, v) - 100.0 * v.sum()).max()) for k, v in KERNELS.items()}
kernel_sums = {k: float(v.sum()) for k, v in KERNELS.items()}
yy, xx = np.mgrid[0:33, 0:33] - 16.0
edge_response = {}
for angle in (0, 45, 90, 135):
    normal = np.round([np.cos(np.radians(angle)), np.sin(np.radians(angle))], 12)
    step = (100.0 / (1.0 + np.exp(-(xx * normal[0] + yy * normal[1])))).astype('float32')
    edge_response[angle] = {k: float(np.abs(hand_conv(step, v)).max()) for k, v in KERNELS.items()}
for k in KERNELS:
        print(f"{k:26s}: sum {kernel_sums[k]:+.2f}; flat 100 -> {100 * kernel_sums[k]:.0f} (error "
          f"{flat_response[k]:.1e}); max |response| to an edge with normal at 0/45/90/135 degrees: "
          + ", ".join(f"{edge_response[a][k]:.0f}" for a in edge_response))

# %%
errors = [s[k]['relative_error'] for s in stats.values() for k in KERNELS]
hf = {i: {k: stats[i][k]['high_frequency'] for k in KERNELS} for i in images}
S.record(photo_shape=list(photo.shape), digit_shape=list(digit.shape), stats=stats, kernel_sums=kernel_sums,
         flat_response=flat_response, edge_response={str(a): v for a, v in edge_response.items()},
         max_relative_error=max(errors))
S.claim(book="手写的 Conv2D（5.1）实现了这些卷积：与 paddle.nn.functional.conv2d 相同",
        measured=f"largest |difference| relative to the output's range over 4 kernels × 2 images: {max(errors):.1e}",
        supported=bool(max(errors) < 1e-5))
blur_lower = all(hf[i]['gaussian'] < stats[i]['input_high_frequency'] for i in images)
edges_higher = all(hf[i][k] > stats[i]['input_high_frequency'] for i in images
                   for k in ('diagonal edge', 'laplacian'))
S.claim(book="图 5.3: 高斯滤波器用来对图像进行平滑去噪，另外两个滤波器用来提取边缘特征",
        measured="high-frequency energy (photo / digit): input "
                 f"{stats['photo']['input_high_frequency']:.3f} / {stats['digit']['input_high_frequency']:.3f}, "
                 + ", ".join(f"{k} {hf['photo'][k]:.3f} / {hf['digit'][k]:.3f}" for k in KERNELS)
                 + f"; flat image of 100 -> " + ", ".join(f"{k} {100 * kernel_sums[k]:.0f}" for k in KERNELS),
        supported=bool(blur_lower and edges_higher and kernel_sums['laplacian'] == 0
                       and kernel_sums['diagonal edge'] == 0 and max(flat_response.values()) < 1e-3))
diag = {a: edge_response[a]['diagonal edge'] for a in edge_response}
lap = {a: edge_response[a]['laplacian'] for a in edge_response}
S.claim(book="比较它们的不同（两个边缘滤波器）: 中间的滤波器有方向性，最下面的（拉普拉斯）对各个方向的边缘响应相近",
        measured=f"max |response| to a 0-to-100 edge with its normal at 0/45/90/135 degrees: diagonal edge "
                 + "/".join(f"{diag[a]:.1f}" for a in diag) + ", laplacian " + "/".join(f"{lap[a]:.1f}" for a in lap),
        supported=bool(diag[45] < 0.05 * diag[135] and min(lap.values()) > 0.8 * max(lap.values())),
        note="the middle kernel is a derivative along (1, -1): blind to an edge whose normal is at 45 degrees, "
             "strongest at 135; the laplacian (a second derivative) answers weakly and alike in every direction")
S.save()
