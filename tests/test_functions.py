"""7.3 test functions, the fitting model and the train/plot helpers."""
import matplotlib
import numpy as np
import paddle
import pytest

import nndl
from nndl.functions import (Linear, LinearFit, OptimizedFunction, OptimizedFunction3D, hessian_3d,
                            make_fit_data, train, train_and_plot, train_f)
from nndl.gradcheck import numerical_grad, rel_error
from nndl.optimizer import Adam, SimpleBatchGD


def _autograd(f, x):
    x = paddle.to_tensor(x, dtype="float64", stop_gradient=False)
    (g,) = paddle.grad(f(x), x)
    return g.numpy()


@pytest.mark.parametrize("make", [lambda: OptimizedFunction(paddle.to_tensor([0.2, 2.0], dtype="float64")),
                                  OptimizedFunction3D])
@pytest.mark.parametrize("point", [[3.0, 4.0], [0.25, -0.5], [-1.3, 0.7]])
def test_backward_matches_autograd_and_finite_differences(make, point):
    model = make()
    x = paddle.to_tensor(point, dtype="float64")
    loss = model(x)
    assert loss.shape == []          # 0-D on paddle >= 2.5
    model.backward()
    g = model.grads['x'].numpy()
    assert g.shape == (2,)
    f = lambda t: make()(t)
    # absolute tolerances: (0.25, -0.5) is a critical point, where the gradient is 0
    np.testing.assert_allclose(g, _autograd(f, point), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g, numerical_grad(f, np.array(point)), rtol=1e-7, atol=1e-8)


def test_sphere_book_values():
    model = OptimizedFunction(paddle.to_tensor([0.2, 2.0]))
    assert float(model(paddle.to_tensor([3.0, 4.0]))) == pytest.approx(0.2 * 9 + 2 * 16)
    grid = paddle.randn([2, 5, 7])
    z = model(grid)
    assert z.shape == [5, 7]
    np.testing.assert_allclose(z.numpy(), 0.2 * grid.numpy()[0] ** 2 + 2 * grid.numpy()[1] ** 2, rtol=1e-5)


def test_3d_critical_points():
    """(0, 0) is a local minimum, (0.25, -0.5) the saddle (the book says (0,0) is a saddle)."""
    model = OptimizedFunction3D()
    for point in ([0.0, 0.0], [0.25, -0.5]):
        model(paddle.to_tensor(point, dtype="float64"))
        model.backward()
        np.testing.assert_allclose(model.grads['x'].numpy(), 0.0, atol=1e-12)
    # the Hessian against a finite difference of the (autograd-checked) gradient
    for point in ([0.0, 0.0], [0.25, -0.5], [1.0, 2.0]):
        def grad_i(i):
            def f(t):
                m = OptimizedFunction3D()
                m(t)
                m.backward()
                return m.grads['x'][i]
            return f
        H = np.stack([numerical_grad(grad_i(i), np.array(point)) for i in range(2)])
        np.testing.assert_allclose(H, hessian_3d(point), atol=1e-6)
    assert np.all(np.linalg.eigvalsh(hessian_3d([0, 0])) > 0)
    ev = np.linalg.eigvalsh(hessian_3d([0.25, -0.5]))
    assert ev[0] < 0 < ev[1]


def test_linear_fit_gradient_and_name():
    assert Linear is LinearFit and nndl.LinearFit is LinearFit
    assert nndl.op.Linear is not LinearFit      # the 4.2.4.4 layer keeps its name
    model = LinearFit(2, weight_init=lambda shape: paddle.randn(shape, dtype="float64"),
                      bias_init=lambda shape: paddle.randn(shape, dtype="float64"))
    X = paddle.randn([16, 2], dtype="float64")
    y = paddle.randn([16, 1], dtype="float64")
    model(X)
    model.backward(y)
    W = paddle.to_tensor(model.params['W'].numpy(), stop_gradient=False)
    b = paddle.to_tensor(model.params['b'].numpy(), stop_gradient=False)
    loss = ((paddle.matmul(X, W) + b - y) ** 2).sum() / (2 * 16)
    gW, gb = paddle.grad(loss, [W, b])
    assert rel_error(model.grads['W'], gW) < 1e-12 and rel_error(model.grads['b'], gb) < 1e-12
    assert model.grads['b'].shape == model.params['b'].shape == [1]
    # labels as a vector [K] mean the same column (the book's one-step check passes [1])
    gW_col, gb_col = model.grads['W'].numpy(), model.grads['b'].numpy()
    model.backward(y.reshape([16]))
    np.testing.assert_array_equal(model.grads['W'].numpy(), gW_col)
    np.testing.assert_array_equal(model.grads['b'].numpy(), gb_col)
    for bad in ([16, 2], [15], [15, 1], [1, 16]):
        with pytest.raises(ValueError, match=r"\[16, 1\] or \[16\]"):
            model.backward(paddle.randn(bad, dtype="float64"))


def test_book_one_step_check_with_vector_label():
    """Issue 17 item 2: the book's 7.3.1 check (R0 In[16]) passes y = data[0, -1].unsqueeze(0),
    shape [1], against outputs [1, 1]; it must run and match paddle's SGD on mse_loss/2."""
    paddle.seed(0)
    data = make_fit_data()
    x = data[0, :-1].unsqueeze(0)
    y = data[0, -1].unsqueeze(0)
    assert y.shape == [1]
    model1 = Linear(2)
    W_before = model1.params['W'].numpy().copy()
    opt1 = SimpleBatchGD(init_lr=0.01, model=model1)
    output1 = model1(x)
    assert output1.shape == [1, 1]
    model2 = paddle.nn.Linear(2, 1, paddle.nn.initializer.Assign(model1.params['W']))
    output2 = model2(x)
    model1.backward(y)
    opt1.step()
    opt2 = paddle.optimizer.SGD(learning_rate=0.01, parameters=model2.parameters())
    loss = paddle.nn.functional.mse_loss(output2, y) / 2
    loss.backward()
    opt2.step()
    np.testing.assert_allclose(model1.params['W'].numpy(), model2.weight.numpy(), rtol=1e-6, atol=1e-7)
    assert np.abs(model1.params['W'].numpy() - W_before).max() > 1e-4   # the step moved W


def test_train_and_plot_as_the_book_calls_it(tmp_path, monkeypatch):
    """Issue 17 item 3: train_and_plot(opt, 'opti-loss.pdf') with the book's data by default,
    without disturbing the caller's random stream."""
    monkeypatch.chdir(tmp_path)
    paddle.seed(0)
    model = Linear(2)
    opt = SimpleBatchGD(init_lr=0.01, model=model)
    state = paddle.get_rng_state()
    expected_next = paddle.rand([3]).numpy()
    paddle.set_rng_state(state)
    iter_loss, epoch_loss, fig = train_and_plot(opt, 'opti-loss.pdf')
    np.testing.assert_array_equal(paddle.rand([3]).numpy(), expected_next)
    assert (tmp_path / 'opti-loss.pdf').stat().st_size > 0
    assert len(iter_loss) == 30 * 16 and len(epoch_loss) == 30    # 1000 samples, batch 64
    # the same as passing the book's data explicitly
    paddle.seed(0)
    model = Linear(2)
    it2, ep2, _ = train_and_plot(SimpleBatchGD(init_lr=0.01, model=model), data=make_fit_data())
    np.testing.assert_array_equal(np.array(iter_loss), np.array(it2))
    assert np.isfinite(epoch_loss[-1]) and epoch_loss[-1] < 0.01 < epoch_loss[0]


def test_one_step_parity_with_sgd_book_sample():
    """7.3.1: with the book's W0 and sample, one SimpleBatchGD step gives the book's printed W."""
    W0 = paddle.to_tensor([[-4.080414], [-1.3719953]])
    x = paddle.to_tensor([[-4.080414, -1.3719953]])
    y = paddle.to_tensor([[-3.136211]])
    model1 = LinearFit(2, weight_init=lambda shape: W0.clone())
    opt1 = SimpleBatchGD(init_lr=0.01, model=model1)
    model1(x)
    model1.backward(y)
    opt1.step()
    model2 = paddle.nn.Linear(2, 1, paddle.nn.initializer.Assign(W0))
    opt2 = paddle.optimizer.SGD(learning_rate=0.01, parameters=model2.parameters())
    (paddle.nn.functional.mse_loss(model2(x), y) / 2).backward()
    opt2.step()
    np.testing.assert_allclose(model1.params['W'].numpy(), [[-3.196255], [-1.0747064]], rtol=1e-6)
    np.testing.assert_allclose(model1.params['W'].numpy(), model2.weight.numpy(), rtol=1e-6)


def test_train_f_keeps_x_init_and_records_trajectory():
    model = OptimizedFunction3D()
    x_init = paddle.to_tensor([2.0, 3.0])
    xs, losses = train_f(model, Adam(0.1, model, beta1=0.9, beta2=0.99, epsilon=1e-7), x_init, 30)
    assert xs.shape == [30, 2] and len(losses) == 30
    np.testing.assert_array_equal(x_init.numpy(), [2.0, 3.0])
    np.testing.assert_array_equal(xs.numpy()[0], [2.0, 3.0])
    assert losses[-1] < losses[0]


def test_train_epoch_loss_is_the_epoch_mean():
    paddle.seed(0)
    X = paddle.randn([100, 2])
    data = paddle.concat([X, paddle.matmul(X, paddle.to_tensor([[0.5], [0.8]]))], axis=1)
    model = LinearFit(2)
    iter_loss, epoch_loss = train(data, 3, 32, model, paddle.nn.MSELoss(), SimpleBatchGD(0.1, model))
    assert len(iter_loss) == 12 and len(epoch_loss) == 3
    np.testing.assert_allclose(epoch_loss, np.mean(np.reshape(iter_loss, (3, 4)), axis=1), rtol=1e-6)


def test_plots(tmp_path):
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from nndl.plot import Visualization, Visualization3D, plot_loss, plot_surface_3d, plot_trajectories_3d
    model = OptimizedFunction(paddle.to_tensor([0.2, 2.0]))
    x = paddle.to_tensor([1.0, 1.0])
    model(x)
    fig = Visualization().plot_2d(model, np.array([[3, 4], [2, 1.0]]), tmp_path / "v.pdf")
    assert model.params['x'] is x                     # the grid did not replace the model's x
    assert (tmp_path / "v.pdf").stat().st_size > 0
    with pytest.raises(ValueError, match=r"\[T, 2\]"):
        Visualization().plot_2d(model, np.zeros(3))
    plot_loss([3, 2, 1], [2.5, 1], tmp_path / "l.pdf")
    f3 = OptimizedFunction3D()
    fig, ax = plot_surface_3d(f3, step=0.5, points={"min": (0, 0), "saddle": (0.25, -0.5)})
    xy = [np.array([[2, 3], [1, 1], [0.1, 0.1]]), np.array([[2, 3], [0, 0]])]
    z = [np.array([1.0, 0.5, 0.1]), np.array([1.0, 0.0])]
    anim = Visualization3D(*xy, z_values=z, labels=["a", "b"], colors=["r", "k"], fig=fig, ax=ax)
    assert isinstance(anim, matplotlib.animation.FuncAnimation) and len(anim.lines) == 2
    anim.save_gif(tmp_path / "a.gif", dpi=30)
    anim.save_html(tmp_path / "a.html", dpi=30)
    assert (tmp_path / "a.gif").read_bytes()[:3] == b"GIF"
    assert "<img" in (tmp_path / "a.html").read_text() or "data:image" in (tmp_path / "a.html").read_text()
    fig = plot_trajectories_3d(f3, xy, z, ["a", "b"], ["r", "k"], step=0.5, fig_name=tmp_path / "t.pdf")
    # every axes of every figure has axis labels; the legend sits outside the plots
    figs = [Visualization().plot_2d(model, np.array([[3, 4], [2, 1.0]])), plot_loss([3, 2, 1], [2.5, 1]),
            plot_surface_3d(f3, step=0.5)[0], fig]
    for f in figs:
        for a in f.axes:
            if a.get_label() == "<colorbar>":
                continue
            assert a.get_xlabel() and a.get_ylabel(), (f, a)
    assert fig.legends and not any(a.get_legend() for a in fig.axes)
    # both trajectories are drawn in both panels, the earlier one wider, so a coinciding later one
    # cannot hide it
    ax3d, top = fig.axes[:2]
    widths = [l.get_linewidth() for l in top.get_lines() if l.get_label() in ("a", "b")]
    assert len(widths) == 2 and widths[0] > widths[1]
    assert [l.get_color() for l in top.get_lines() if l.get_label() in ("a", "b")] == ["r", "k"]
    assert len([l for l in ax3d.get_lines()]) >= 2
    # plot_loss numbers epochs from 1 (figure 7.2 started its epoch axis at 0)
    lf = plot_loss([3, 2, 1], [2.5, 1])
    assert list(lf.axes[1].get_lines()[0].get_xdata()) == [1, 2]
    plt.close("all")
