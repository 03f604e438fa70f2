"""SimpleBatchGD / BatchGD against paddle.optimizer.SGD, and the base class's errors."""
import numpy as np
import paddle
import pytest

from nndl.op import MLP_3L, BatchGD, Optimizer, SimpleBatchGD

STEPS = 60


def _net():
    return paddle.nn.Sequential(paddle.nn.Linear(4, 8), paddle.nn.Tanh(), paddle.nn.Linear(8, 3))


def _twins():
    paddle.seed(7)
    a, b = _net(), _net()
    b.set_state_dict(a.state_dict())
    return a, b


def _batches(n=STEPS):
    rs = np.random.RandomState(8)
    return [(paddle.to_tensor(rs.randn(16, 4).astype('float32')),
             paddle.to_tensor(rs.randint(0, 3, size=[16]).astype('int64'))) for _ in range(n)]


def _train(model, opt, batches):
    for X, y in batches:
        loss = paddle.nn.functional.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        opt.clear_grad()


def _assert_same_params(a, b, tol=1e-5):
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(pa.numpy(), pb.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_batchgd_on_layer_equals_paddle_sgd_with_l2decay(weight_decay):
    lr = 0.1
    ours, ref = _twins()
    batches = _batches()
    opt = BatchGD(lr, ours, weight_decay=weight_decay) if weight_decay else SimpleBatchGD(lr, ours)
    reg = paddle.regularizer.L2Decay(weight_decay / lr) if weight_decay else None
    _train(ours, opt, batches)
    _train(ref, paddle.optimizer.SGD(lr, parameters=ref.parameters(), weight_decay=reg), batches)
    _assert_same_params(ours, ref)
    # and the parameters did move
    assert not np.allclose(ours[0].weight.numpy(), _twins()[0][0].weight.numpy())


def test_batchgd_on_op_model_equals_paddle_sgd():
    """MLP_3L with manual backward + BatchGD(wd) == the same net in paddle.nn + SGD(L2Decay(wd/lr))."""
    lr, wd = 0.05, 0.002
    paddle.seed(9)
    model = MLP_3L([2, 8, 4, 1])
    for layer in (model.fc1, model.fc2, model.fc3):
        layer.params['b'] = paddle.full_like(layer.params['b'], 0.1)
    ref = paddle.nn.Sequential(paddle.nn.Linear(2, 8), paddle.nn.ReLU(), paddle.nn.Linear(8, 4),
                               paddle.nn.ReLU(), paddle.nn.Linear(4, 1))
    for lin, layer in zip((ref[0], ref[2], ref[4]), (model.fc1, model.fc2, model.fc3)):
        lin.weight.set_value(layer.params['W'])
        lin.bias.set_value(layer.params['b'].reshape([-1]))
    opt = BatchGD(lr, model, weight_decay=wd)
    ref_opt = paddle.optimizer.SGD(lr, parameters=ref.parameters(),
                                   weight_decay=paddle.regularizer.L2Decay(wd / lr))
    rs = np.random.RandomState(10)
    for _ in range(STEPS):
        X = paddle.to_tensor(rs.randn(32, 2).astype('float32'))
        t = paddle.to_tensor(rs.randn(32, 1).astype('float32'))
        out = model(X)
        model.backward((out - t) / out.shape[0])          # d/d out of 0.5 * mean((out-t)^2)
        opt.step()
        loss = 0.5 * ((ref(X) - t) ** 2).mean()
        loss.backward()
        ref_opt.step()
        ref_opt.clear_grad()
    for lin, layer in zip((ref[0], ref[2], ref[4]), (model.fc1, model.fc2, model.fc3)):
        np.testing.assert_allclose(layer.params['W'].numpy(), lin.weight.numpy(), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(layer.params['b'].numpy().reshape(-1), lin.bias.numpy(), rtol=1e-4, atol=1e-5)


def test_simple_batch_gd_on_params_dict_model_has_value_semantics():
    """3.1.4.3: a step rebinds params[key] to a new tensor; the caller's tensor stays as it was."""
    class Sphere:
        def __init__(self):
            self.params = {'x': paddle.to_tensor([3.0, 4.0])}
            self.grads = {}

        def backward(self):
            self.grads['x'] = 2 * self.params['x']

    f = Sphere()
    x = f.params['x']
    opt = SimpleBatchGD(0.1, f)
    for _ in range(3):
        f.backward()
        opt.step()
    assert f.params['x'] is not x
    np.testing.assert_array_equal(x.numpy(), [3.0, 4.0])
    np.testing.assert_allclose(f.params['x'].numpy(), np.array([3.0, 4.0]) * 0.8 ** 3, rtol=1e-6)
    assert opt.num_steps == 3


def test_model_without_params_or_grads_is_a_type_error():
    class NoGrads:
        params = {'w': paddle.ones([2])}

    with pytest.raises(TypeError, match="'grads'"):
        SimpleBatchGD(0.1, NoGrads())
    with pytest.raises(TypeError, match="'params' and no 'grads'"):
        SimpleBatchGD(0.1, object())


def test_step_before_backward_is_a_clear_error():
    model = MLP_3L([2, 3, 3, 1])
    with pytest.raises(RuntimeError, match="no gradient for parameter 'fc1.W'"):
        BatchGD(0.1, model).step()
    with pytest.raises(RuntimeError, match="call loss.backward"):
        SimpleBatchGD(0.1, _net()).step()


def test_clear_grad_then_step_is_caught():
    net = _net()
    opt = SimpleBatchGD(0.1, net)
    net(paddle.randn([2, 4])).sum().backward()
    opt.step()
    opt.clear_grad()
    with pytest.raises(RuntimeError):
        opt.step()


def test_wrong_gradient_shape_names_both_shapes():
    class Bad:
        params = {'W': paddle.ones([2, 3])}
        grads = {'W': paddle.ones([3, 2])}

    with pytest.raises(ValueError, match=r"\[3, 2\].*\[2, 3\]"):
        SimpleBatchGD(0.1, Bad()).step()


@pytest.mark.parametrize("lr", [0, -0.1])
def test_non_positive_learning_rate(lr):
    with pytest.raises(ValueError, match="positive"):
        SimpleBatchGD(lr, _net())


@pytest.mark.parametrize("wd", [-0.1, 1.0])
def test_weight_decay_range(wd):
    with pytest.raises(ValueError, match="weight_decay"):
        BatchGD(0.1, _net(), weight_decay=wd)


def test_lr_scheduler_as_init_lr():
    sched = paddle.optimizer.lr.StepDecay(0.5, step_size=1, gamma=0.1)
    opt = SimpleBatchGD(sched, _net())
    assert opt.get_lr() == pytest.approx(0.5)
    sched.step()
    assert opt.get_lr() == pytest.approx(0.05)


def test_optimizer_base_is_abstract():
    net = _net()
    net(paddle.randn([2, 4])).sum().backward()
    with pytest.raises(NotImplementedError):
        Optimizer(0.1, net).step()
