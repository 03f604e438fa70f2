# %% [markdown]
# # 动手练习 5.2 瓶颈结构的残差单元
#
# 实现图 5.16 中的第二种残差单元（ResNet50/101/152 的瓶颈结构：先用 1×1 卷积把通道数减为
# 四分之一，经过 3×3 卷积，再用 1×1 卷积恢复通道数），并分析使用 1×1 卷积核前后的参数量变化。
# 与 5.4.1.1 的 `ResBlock`（两个 3×3 等宽卷积）比较同样输入输出通道数时的参数量。

# %%
from nndl.app.script import setup
S = setup("ch5_ex2_bottleneck")

import paddle
import paddle.nn as nn
import paddle.nn.functional as F

from nndl import ResBlock

# %%
CHANNELS = 256          # ResNet50 第一个瓶颈模块的输出通道数
REDUCTION = 4           # 1×1 卷积把通道数减为 1/4


class BottleneckBlock(nn.Layer):
    """瓶颈结构的残差单元: 1x1 (C -> C/4), 3x3 (C/4 -> C/4), 1x1 (C/4 -> C), 各接批量规范化, 加直连边."""

    def __init__(self, num_channels, num_filters, stride=1, shortcut=True, reduction=REDUCTION):
        super().__init__()
        mid = num_filters // reduction
        self.conv1 = nn.Conv2D(num_channels, mid, kernel_size=1)
        self.conv2 = nn.Conv2D(mid, mid, kernel_size=3, padding=1, stride=stride)
        self.conv3 = nn.Conv2D(mid, num_filters, kernel_size=1)
        self.bn1, self.bn2, self.bn3 = nn.BatchNorm2D(mid), nn.BatchNorm2D(mid), nn.BatchNorm2D(num_filters)
        self.shortcut = shortcut
        if not shortcut:
            self.short = nn.Conv2D(num_channels, num_filters, kernel_size=1, stride=stride)

    def forward(self, inputs):
        y = F.relu(self.bn1(self.conv1(inputs)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        short = inputs if self.shortcut else self.short(inputs)
        return F.relu(y + short)


def conv_params(layer):
    """Weights and biases of the convolutions (批量规范化的参数另计)."""
    return sum(int(p.size) for m in layer.sublayers() if isinstance(m, nn.Conv2D) for p in m.parameters())


# %%
basic = ResBlock(CHANNELS, CHANNELS)
bottleneck = BottleneckBlock(CHANNELS, CHANNELS)
x = paddle.randn([2, CHANNELS, 8, 8])
print("ResBlock output:", list(basic(x).shape), " BottleneckBlock output:", list(bottleneck(x).shape))
n_basic, n_bottleneck = conv_params(basic), conv_params(bottleneck)
mid = CHANNELS // REDUCTION
print(f"两个 3×3 卷积: 2 × ({CHANNELS}×{CHANNELS}×3×3 + {CHANNELS}) = {n_basic:,}")
print(f"瓶颈结构: ({CHANNELS}×{mid} + {mid}) + ({mid}×{mid}×3×3 + {mid}) + ({mid}×{CHANNELS} + {CHANNELS}) "
      f"= {n_bottleneck:,}")
print(f"参数量之比: {n_bottleneck / n_basic:.3f}")

# %%
expected_basic = 2 * (CHANNELS * CHANNELS * 9 + CHANNELS)
expected_bottleneck = (CHANNELS * mid + mid) + (mid * mid * 9 + mid) + (mid * CHANNELS + CHANNELS)
S.record(basic_params=n_basic, bottleneck_params=n_bottleneck, ratio=n_bottleneck / n_basic)
S.claim(book="瓶颈结构先用 1×1 卷积减少通道数，再用 1×1 卷积恢复通道数，以减少网络的参数量",
        measured=f"{CHANNELS} channels: {n_basic:,} parameters in two 3×3 convolutions, {n_bottleneck:,} in the "
                 f"bottleneck ({n_bottleneck / n_basic:.1%})",
        supported=bool(n_bottleneck < n_basic and n_basic == expected_basic and n_bottleneck == expected_bottleneck))
S.save()
