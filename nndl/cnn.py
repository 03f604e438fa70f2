"""Chapter 5.3-5.4 卷积神经网络: ``Model_LeNet`` (5.3.2), ``ResBlock`` (5.4.1.1), ``Model_ResNet18`` (5.4.1.2).

``Model_LeNet`` is built from the package's own :class:`nndl.conv.Conv2D` and
:class:`nndl.conv.Pool2D` (the book's layers, average pooling in the second
汇聚层 included); ``ResBlock`` and ``Model_ResNet18`` use paddle's ``nn.Conv2D``
and ``nn.BatchNorm2D`` as the book does.
"""
import paddle
import paddle.nn as nn
import paddle.nn.functional as F

from .conv import Conv2D, Pool2D, conv_output_size

__all__ = ["Model_LeNet", "ResBlock", "Model_ResNet18"]
__local__ = ()


def _check_images(owner, x, in_channels):
    if not isinstance(x, paddle.Tensor):
        raise TypeError(f"{owner}: input must be a paddle.Tensor, got {type(x).__name__}")
    if x.ndim != 4:
        raise ValueError(f"{owner}: input must have shape [B, C, H, W], got {list(x.shape)}")
    if x.shape[1] != in_channels:
        raise ValueError(f"{owner}: input has {x.shape[1]} channels (shape {list(x.shape)}), "
                         f"expected in_channels={in_channels}")


class Model_LeNet(nn.Layer):
    """LeNet-5 (5.3.2): 3 个卷积层、2 个汇聚层和 2 个全连接层.

    输入:
        - in_channels: 输入通道数 (1 for MNIST)
        - num_classes: 类别数 (10)
    forward(x):
        - x: shape=[B, in_channels, 32, 32] (the book resizes MNIST's 28x28 to 32x32)
        - 输出: logits shape=[B, num_classes]

    Layers (the book's): conv1 6@5x5 + ReLU, pool1 max 2x2/2, conv2 16@5x5 + ReLU,
    pool2 **avg** 2x2/2, conv3 120@5x5 (no activation, as printed), linear1 120->84 + ReLU,
    linear2 84->num_classes.  The convolution weights use paddle's default initializer
    (``weight_attr=paddle.ParamAttr()`` as printed), biases the book's ``Constant(0.0)``.
    """

    def __init__(self, in_channels, num_classes=10):
        super(Model_LeNet, self).__init__()
        self.in_channels = in_channels
        # 卷积层: 输出通道数为6, 卷积核大小为5*5
        self.conv1 = Conv2D(in_channels=in_channels, out_channels=6, kernel_size=5,
                            weight_attr=paddle.ParamAttr())
        # 汇聚层: 汇聚窗口为2*2, 步长为2
        self.pool1 = Pool2D(size=(2, 2), mode='max', stride=2)
        self.conv2 = Conv2D(in_channels=6, out_channels=16, kernel_size=5, stride=1,
                            weight_attr=paddle.ParamAttr())
        # 第二个汇聚层用平均汇聚, as printed
        self.pool2 = Pool2D(size=(2, 2), mode='avg', stride=2)
        self.conv3 = Conv2D(in_channels=16, out_channels=120, kernel_size=5, stride=1,
                            weight_attr=paddle.ParamAttr())
        self.linear1 = nn.Linear(120, 84)
        self.linear2 = nn.Linear(84, num_classes)

    @staticmethod
    def final_size(size):
        """Side of conv3's output for an input side ``size`` (1 for the book's 32)."""
        for k in (5, 2, 5, 2, 5):   # conv1, pool1, conv2, pool2, conv3
            stride = 2 if k == 2 else 1
            if size < k:
                return 0
            size = conv_output_size(size, k, stride)
        return size

    def forward(self, x):
        _check_images(type(self).__name__, x, self.in_channels)
        h, w = x.shape[2], x.shape[3]
        if self.final_size(h) != 1 or self.final_size(w) != 1:
            raise ValueError(f"Model_LeNet: input images are {h}x{w}; LeNet-5 expects 32x32 "
                             f"(conv3 must output 1x1 so that linear1 gets 120 features; "
                             f"the book resizes MNIST with Resize(32))")
        output = F.relu(self.conv1(x))
        output = self.pool1(output)
        output = F.relu(self.conv2(output))
        output = self.pool2(output)
        output = self.conv3(output)
        # 将数据拉平 [B,C,H,W] -> [B,C*H*W]
        output = paddle.reshape(output, [output.shape[0], -1])
        output = F.relu(self.linear1(output))
        return self.linear2(output)


class ResBlock(nn.Layer):
    """残差单元 (5.4.1.1): two 3x3 等宽卷积 + 批量规范化, and a 直连边.

    输入:
        - num_channels: 输入通道数
        - num_filters: 输出通道数
        - stride: 残差单元的步长 (of the first convolution and of the 1x1 shortcut)
        - shortcut: True when input and output shapes agree (add the input itself);
          False adds a 1x1 convolution of the input
        - use_residual: False drops the 直连边 (the plain network of 5.4.2)
    forward(inputs): shape=[B, num_channels, H, W] -> shape=[B, num_filters, H', W'],
    ``H' = (H - 1) // stride + 1``.

    The printed ``forward`` indents the addition, the ReLU and the ``return`` under
    ``else:``, so it returns None when ``shortcut=True`` or ``use_residual=False``; here
    every branch returns ``relu(y [+ shortcut])``.
    """

    def __init__(self, num_channels, num_filters, stride=1, shortcut=True, use_residual=True):
        super(ResBlock, self).__init__()
        self.stride = stride
        self.shortcut = shortcut
        self.use_residual = use_residual
        self.num_channels, self.num_filters = num_channels, num_filters
        if use_residual and shortcut and (num_channels != num_filters or stride != 1):
            raise ValueError(f"ResBlock: shortcut=True adds the input itself, which needs "
                             f"num_channels == num_filters and stride == 1; got num_channels={num_channels}, "
                             f"num_filters={num_filters}, stride={stride} (use shortcut=False)")
        self.conv1 = nn.Conv2D(num_channels, num_filters, kernel_size=3, padding=1, stride=self.stride)
        self.conv2 = nn.Conv2D(num_filters, num_filters, kernel_size=3, padding=1)
        if not self.shortcut:
            self.short = nn.Conv2D(num_channels, num_filters, kernel_size=1, stride=self.stride)
        self.bn1 = nn.BatchNorm2D(num_filters)
        self.bn2 = nn.BatchNorm2D(num_filters)

    def forward(self, inputs):
        _check_images(type(self).__name__, inputs, self.num_channels)
        y = F.relu(self.bn1(self.conv1(inputs)))
        y = self.bn2(self.conv2(y))
        if self.use_residual:
            short = inputs if self.shortcut else self.short(inputs)
            y = paddle.add(x=short, y=y)
        return F.relu(y)


class Model_ResNet18(nn.Layer):
    """ResNet18 (5.4.1.2): 模块一 7x7/2 卷积 + BN + ReLU + 3x3/2 最大汇聚, 模块二到五 各两个残差单元
    (64, 128, 256, 512 通道), 模块六 全局平均汇聚 + 全连接层.

    输入:
        - in_channels: 输入通道数 (3; 1 for MNIST)
        - num_classes: 类别数
        - use_residual: False builds the plain network of 5.4.2
        - width: extra; the channels of 模块一/二 (the book's 64); the later modules use
          2x, 4x, 8x of it.  Quick mode uses a narrower network.
        - depth: extra; the residual units of 模块二..五 (the book's ``(2, 2, 2, 2)``);
          ``(3, 4, 6, 3)`` is ResNet34 (动手练习 5.3)
    forward(x): shape=[B, in_channels, H, W] -> logits shape=[B, num_classes].
    Sublayers are named ``res2a .. res5b`` (``add_sublayer``) as in the book.
    """

    def __init__(self, in_channels=3, num_classes=10, use_residual=True, width=64, depth=(2, 2, 2, 2)):
        super(Model_ResNet18, self).__init__()
        if not isinstance(width, int) or width < 1:
            raise ValueError(f"Model_ResNet18: width must be a positive int, got {width!r}")
        depth = list(depth) if isinstance(depth, (list, tuple)) else depth
        if (not isinstance(depth, list) or len(depth) != 4
                or not all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 26 for d in depth)):
            raise ValueError(f"Model_ResNet18: depth must be 4 ints in 1..26 (residual units per module), "
                             f"got {depth!r}")
        self.in_channels = in_channels
        self.depth = depth
        num_channels = [width, width, 2 * width, 4 * width]
        num_filters = [width, 2 * width, 4 * width, 8 * width]
        self.conv1 = nn.Conv2D(in_channels, width, kernel_size=7, stride=2, padding=3)
        self.bn1 = nn.BatchNorm2D(width)
        self.pool1 = nn.MaxPool2D(kernel_size=3, stride=2, padding=1)
        self.block_list = []
        for block in range(len(depth)):
            for i in range(depth[block]):
                conv_name = "res" + str(block + 2) + chr(97 + i)
                basic_block = self.add_sublayer(
                    conv_name,
                    ResBlock(num_channels=num_channels[block] if i == 0 else num_filters[block],
                             num_filters=num_filters[block],
                             # 除模块二以外, 每个模块的第一个残差单元步长为2
                             stride=2 if i == 0 and block != 0 else 1,
                             shortcut=False if i == 0 and block != 0 else True,
                             use_residual=use_residual))
                self.block_list.append(basic_block)
        self.pool2 = nn.AdaptiveAvgPool2D(1)
        self.num_features = num_filters[-1]
        self.fc = nn.Linear(self.num_features, num_classes)

    def forward(self, x):
        _check_images(type(self).__name__, x, self.in_channels)
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.pool1(x)
        for block in self.block_list:
            x = block(x)
        x = self.pool2(x)
        x = paddle.reshape(x, shape=[-1, self.num_features])
        return self.fc(x)
