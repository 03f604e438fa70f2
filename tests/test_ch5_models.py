"""Chapter 5.3-5.4: Model_LeNet against the same network of paddle's layers (copied weights),
the book's layer-shape listing, ResBlock's branches, Model_ResNet18, bad input."""
import numpy as np
import paddle
import paddle.nn as nn
import paddle.nn.functional as F
import pytest

from nndl import Model_LeNet, Model_ResNet18, ResBlock
from nndl.conv import Conv2D, Pool2D


class PaddleLeNet(nn.Layer):
    """The book's LeNet-5 built from paddle's own layers (the benchmark's reference too)."""

    def __init__(self, in_channels=1, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2D(in_channels, 6, 5)
        self.pool1 = nn.MaxPool2D(2, 2)
        self.conv2 = nn.Conv2D(6, 16, 5)
        self.pool2 = nn.AvgPool2D(2, 2)
        self.conv3 = nn.Conv2D(16, 120, 5)
        self.linear1 = nn.Linear(120, 84)
        self.linear2 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = self.pool1(F.relu(self.conv1(x)))
        x = self.pool2(F.relu(self.conv2(x)))
        x = self.conv3(x).reshape([x.shape[0], -1])
        return self.linear2(F.relu(self.linear1(x)))


def _copy_lenet(ours, ref):
    for name in ("conv1", "conv2", "conv3"):
        getattr(ref, name).weight.set_value(getattr(ours, name).weight)
        getattr(ref, name).bias.set_value(getattr(ours, name).bias.reshape([-1]))
    for name in ("linear1", "linear2"):
        getattr(ref, name).weight.set_value(getattr(ours, name).weight)
        getattr(ref, name).bias.set_value(getattr(ours, name).bias)


def test_lenet_is_built_from_the_package_layers():
    model = Model_LeNet(in_channels=1, num_classes=10)
    kinds = [type(layer) for layer in model.sublayers()]
    assert kinds == [Conv2D, Pool2D, Conv2D, Pool2D, Conv2D, nn.Linear, nn.Linear]
    assert [model.pool1.mode, model.pool2.mode] == ['max', 'avg']


def test_lenet_matches_paddle_layers_values_and_gradients():
    paddle.seed(0)
    ours, ref = Model_LeNet(1, 10), PaddleLeNet(1, 10)
    # non-zero biases so that a misplaced bias would show
    for name in ("conv1", "conv2", "conv3"):
        conv = getattr(ours, name)
        conv.bias.set_value(paddle.randn(conv.bias.shape) * 0.1)
    _copy_lenet(ours, ref)
    x = paddle.randn([8, 1, 32, 32])
    y = paddle.randint(0, 10, [8])
    lo, lr = F.cross_entropy(ours(x), y), F.cross_entropy(ref(x), y)
    np.testing.assert_allclose(ours(x).numpy(), ref(x).numpy(), rtol=1e-5, atol=1e-5, equal_nan=False)
    lo.backward()
    lr.backward()
    for name in ("conv1", "conv2", "conv3", "linear1", "linear2"):
        a, b = getattr(ours, name), getattr(ref, name)
        np.testing.assert_allclose(a.weight.grad.numpy(), b.weight.grad.numpy(), rtol=1e-4, atol=1e-6,
                                   equal_nan=False)
        np.testing.assert_allclose(a.bias.grad.numpy().reshape(-1), b.bias.grad.numpy(), rtol=1e-4, atol=1e-6,
                                   equal_nan=False)
        assert np.abs(a.weight.grad.numpy()).sum() > 0


def test_lenet_layer_shape_listing_as_printed():
    """5.3.2's listing (L7199-7205): outputs and parameter shapes of every sublayer."""
    model = Model_LeNet(in_channels=1, num_classes=10)
    x = paddle.randn([1, 1, 32, 32])
    rows = []
    for item in model.sublayers():
        if isinstance(item, nn.Linear) and x.ndim == 4:
            x = x.reshape([x.shape[0], -1])
        x = item(x)
        rows.append([list(x.shape)] + [list(p.shape) for p in item.parameters()])
    assert rows == [[[1, 6, 28, 28], [6, 1, 5, 5], [6, 1]], [[1, 6, 14, 14]],
                    [[1, 16, 10, 10], [16, 6, 5, 5], [16, 1]], [[1, 16, 5, 5]],
                    [[1, 120, 1, 1], [120, 16, 5, 5], [120, 1]],
                    [[1, 84], [120, 84], [84]], [[1, 10], [84, 10], [10]]]


def test_lenet_bad_input():
    model = Model_LeNet(in_channels=1)
    with pytest.raises(ValueError, match=r"28x28; LeNet-5 expects 32x32"):
        model(paddle.randn([2, 1, 28, 28]))
    with pytest.raises(ValueError, match=r"3 channels.*in_channels=1"):
        model(paddle.randn([2, 3, 32, 32]))
    with pytest.raises(ValueError, match=r"\[B, C, H, W\]"):
        model(paddle.randn([1, 32, 32]))


# ---------------------------------------------------------------- ResBlock (5.4.1.1)
def _reference_block(block, x, residual):
    y = F.relu(block.bn1(block.conv1(x)))
    y = block.bn2(block.conv2(y))
    if residual is not None:
        y = y + residual
    return F.relu(y)


@pytest.mark.parametrize("kwargs,residual", [
    (dict(num_channels=4, num_filters=4), "input"),
    (dict(num_channels=4, num_filters=8, stride=2, shortcut=False), "conv"),
    (dict(num_channels=4, num_filters=4, use_residual=False), None),
    (dict(num_channels=4, num_filters=8, stride=2, shortcut=False, use_residual=False), None),
])
def test_resblock_every_branch_returns_the_formula(kwargs, residual):
    """The printed forward returns None in two of these branches."""
    paddle.seed(1)
    block = ResBlock(**kwargs)
    block.eval()
    x = paddle.randn([2, 4, 8, 8])
    out = block(x)
    assert isinstance(out, paddle.Tensor)
    stride = kwargs.get("stride", 1)
    assert list(out.shape) == [2, kwargs["num_filters"], 8 // stride, 8 // stride]
    extra = {"input": x, "conv": block.short(x) if residual == "conv" else None, None: None}[residual]
    np.testing.assert_allclose(out.numpy(), _reference_block(block, x, extra).numpy(), rtol=1e-6, atol=1e-6,
                               equal_nan=False)
    if residual is not None:   # the connection changes the output
        assert not np.allclose(out.numpy(), _reference_block(block, x, None).numpy())
    assert hasattr(block, "short") == (kwargs.get("shortcut", True) is False)


def test_resblock_bad_arguments():
    with pytest.raises(ValueError, match="shortcut=True adds the input itself"):
        ResBlock(4, 8)
    with pytest.raises(ValueError, match=r"5 channels.*in_channels=4"):
        ResBlock(4, 4)(paddle.randn([1, 5, 8, 8]))


# ---------------------------------------------------------------- Model_ResNet18 (5.4.1.2)
def test_resnet18_structure_and_shapes():
    model = Model_ResNet18(in_channels=1, num_classes=10, width=4)
    names = [name for name, _ in model.named_children()]
    for block in ("res2a", "res2b", "res3a", "res3b", "res4a", "res4b", "res5a", "res5b"):
        assert block in names
    assert [b.num_filters for b in model.block_list] == [4, 4, 8, 8, 16, 16, 32, 32]
    assert [b.stride for b in model.block_list] == [1, 1, 2, 1, 2, 1, 2, 1]
    assert model(paddle.randn([2, 1, 32, 32])).shape == [2, 10]
    full = Model_ResNet18(in_channels=3, num_classes=10)
    assert full.fc.weight.shape == [512, 10]
    # the book's ResNet18 has 18 weighted layers: 1 + 8 blocks x 2 + 1 (plus 3 1x1 shortcuts)
    convs = [m for m in full.sublayers() if isinstance(m, nn.Conv2D)]
    assert len(convs) == 1 + 16 + 3


def test_resnet18_use_residual_false_drops_every_connection():
    paddle.seed(2)
    plain = Model_ResNet18(in_channels=1, num_classes=10, use_residual=False, width=4)
    assert all(not b.use_residual for b in plain.block_list)
    paddle.seed(2)
    res = Model_ResNet18(in_channels=1, num_classes=10, use_residual=True, width=4)
    res.set_state_dict(plain.state_dict())
    plain.eval()
    res.eval()
    x = paddle.randn([2, 1, 32, 32])
    assert not np.allclose(plain(x).numpy(), res(x).numpy())


def test_resnet18_bad_input():
    with pytest.raises(ValueError, match=r"1 channels.*in_channels=3"):
        Model_ResNet18(width=4)(paddle.randn([1, 1, 32, 32]))
    with pytest.raises(ValueError, match="width must be a positive int"):
        Model_ResNet18(width=0)
