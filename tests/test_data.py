"""make_moons and MoonsDataset: shapes, balance, seeds, and labels shaped for BCE-with-logits."""
import numpy as np
import paddle
import pytest

from nndl import MoonsDataset, make_moons


def test_make_moons_shapes_and_balance():
    X, y = make_moons(n_samples=301, shuffle=True, noise=None)
    assert X.shape == [301, 2] and y.shape == [301]
    assert X.dtype == paddle.float32
    assert int(y.sum()) == 151            # n_in = n - n // 2 ones
    Xn, yn = X.numpy(), y.numpy()
    # noiseless points lie on the two half circles
    outer = Xn[yn == 0]
    inner = Xn[yn == 1]
    np.testing.assert_allclose(np.hypot(outer[:, 0], outer[:, 1]), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1, inner[:, 1] - 0.5), 1.0, atol=1e-5)


def test_make_moons_seed_determinism_and_noise():
    paddle.seed(0)
    a = make_moons(200, noise=0.3)
    paddle.seed(0)
    b = make_moons(200, noise=0.3)
    paddle.seed(1)
    c = make_moons(200, noise=0.3)
    np.testing.assert_array_equal(a[0].numpy(), b[0].numpy())
    np.testing.assert_array_equal(a[1].numpy(), b[1].numpy())
    assert not np.array_equal(a[0].numpy(), c[0].numpy())
    # the noise is the only thing pushing points off the circles: its std is the argument
    paddle.seed(0)
    X0, y0 = make_moons(2000, shuffle=False, noise=None)
    paddle.seed(0)
    X1, _ = make_moons(2000, shuffle=False, noise=0.3)
    assert np.std(X1.numpy() - X0.numpy()) == pytest.approx(0.3, rel=0.05)


def test_make_moons_shuffle_is_the_book_permutation():
    paddle.seed(5)
    X, y = make_moons(50, shuffle=True)
    paddle.seed(5)
    X0, y0 = make_moons(50, shuffle=False)
    paddle.seed(5)
    idx = paddle.randperm(50).numpy()
    np.testing.assert_array_equal(X.numpy(), X0.numpy()[idx])
    np.testing.assert_array_equal(y.numpy(), y0.numpy()[idx])


def test_make_moons_bad_input():
    with pytest.raises(ValueError, match="n_samples"):
        make_moons(1)
    with pytest.raises(ValueError, match="noise"):
        make_moons(10, noise=-1)


def test_moons_dataset_items_and_batches_fit_bce_with_logits():
    paddle.seed(0)
    train, dev = MoonsDataset('train'), MoonsDataset('dev')
    assert len(train) == 200 and len(dev) == 100
    x, y = train[0]
    assert list(x.shape) == [2] and list(y.shape) == [1]
    loader = paddle.io.DataLoader(train, batch_size=10, shuffle=True)
    X, Y = next(iter(loader))
    assert X.shape == [10, 2] and Y.shape == [10, 1]
    logits = paddle.nn.Linear(2, 1)(X)
    loss = paddle.nn.functional.binary_cross_entropy_with_logits(logits, Y)
    assert loss.shape == []
    with pytest.raises(ValueError, match="mode"):
        MoonsDataset('val')
