"""The book's optimizers (book 3.1.4, 4.2.4.6, 7.3, 7.6.4).

One base class, :class:`Optimizer`, works on the three kinds of model the book
trains:

* a book-style Op model with ``params``/``grads`` dicts (7.3's test functions,
  ``SimpleBatchGD`` in 3.1.4.3);
* an Op model with a ``layers`` list whose entries carry ``params``/``grads``
  (``MLP_3L``, walked by ``BatchGD`` as in 4.2.4.6);
* a ``paddle.nn.Layer`` (its trainable parameters and their ``.grad``), so the
  same optimizers train LeNet through ``RunnerV3``.

A subclass writes only its update rule, ``_update(key, param, grad, lr)``,
which changes ``param`` in place; per parameter state is created lazily with
``_state_for(key, param)``.

What "in place" reaches differs by model kind.  A ``paddle.nn.Layer``'s
parameters are updated in place (no new tensors per step).  A book-style model
follows the book's value semantics (3.1.4.3: ``params[key] = x - lr * g``): the
step updates a copy and rebinds ``params[key]`` to it, so a tensor the caller
handed to the model (7.3.4's one ``x_init`` shared by five optimizers) is never
changed.
"""
import numbers

import paddle

from nndl.compat import scale as _scale   # paddle.scale with an exact float64 bias on paddle 2.6 too

__all__ = [
    "Optimizer", "SimpleBatchGD", "Optimizer_GD", "BatchGD", "Minibatch_GD",
    "Adagrad", "RMSprop", "Momentum", "Nesterov", "Adam", "AdamW", "AdaDelta",
]


def _describe(obj):
    return getattr(obj, "name", None) or type(obj).__name__


def _check_lr(init_lr):
    if isinstance(init_lr, numbers.Number):
        if not init_lr > 0:
            raise ValueError(f"learning rate must be positive, got {init_lr}")
    elif not callable(init_lr):
        raise TypeError(
            "init_lr must be a positive number, a paddle.optimizer.lr.LRScheduler "
            f"or a schedule from nndl.lr, got {type(init_lr).__name__}"
        )


def _model_kind(model):
    if isinstance(model, paddle.nn.Layer):
        return "layer"
    if isinstance(getattr(model, "layers", None), (list, tuple)):
        if not any(isinstance(getattr(l, "params", None), dict) for l in model.layers):
            raise TypeError(f"{_describe(model)}.layers holds no operator with a `params` dict")
        for layer in model.layers:
            if isinstance(getattr(layer, "params", None), dict) and not isinstance(getattr(layer, "grads", None), dict):
                raise TypeError(f"layer {_describe(layer)} has `params` but no `grads` dict")
        return "layers"
    missing = [a for a in ("params", "grads") if not isinstance(getattr(model, a, None), dict)]
    if missing:
        raise TypeError(
            f"the optimizer needs a paddle.nn.Layer or a book-style model with `params` and "
            f"`grads` dicts (or a `layers` list of such operators); {type(model).__name__} "
            f"has no {' and no '.join(repr(m) for m in missing)} dict"
        )
    return "params"


class Optimizer(object):
    """优化器基类 (book 3.1.4.2).

    输入:
        - init_lr: 初始学习率, a positive number, a ``paddle.optimizer.lr.LRScheduler``
          or a schedule from :mod:`nndl.lr` (called to get the current rate)
        - model: the model whose parameters are updated (see module docstring)
    """

    def __init__(self, init_lr, model):
        _check_lr(init_lr)
        self.init_lr = init_lr
        self.model = model
        self._kind = _model_kind(model)
        self._states = {}
        self.num_steps = 0   # completed calls of step()

    # -- learning rate ---------------------------------------------------------
    def get_lr(self):
        """The learning rate of the next step (a python float)."""
        if callable(self.init_lr):
            return float(self.init_lr())
        return float(self.init_lr)

    # -- parameters ------------------------------------------------------------
    def _book_params(self):
        """(key, display name, params dict, grads dict) for an Op model."""
        if self._kind == "params":
            yield from ((k, k, self.model.params, self.model.grads) for k in self.model.params)
            return
        for i, layer in enumerate(self.model.layers):
            if isinstance(getattr(layer, "params", None), dict):
                for k in layer.params:
                    yield (i, k), f"{_describe(layer)}.{k}", layer.params, layer.grads

    def params_and_grads(self):
        """List of ``(key, param, grad)`` for every parameter to update.

        Raises a clear error when a gradient is missing (``step()`` before
        ``backward()``) or does not have its parameter's shape.
        """
        out = []
        if self._kind == "layer":
            for p in self.model.parameters():
                if p.stop_gradient:
                    continue
                g = p.grad
                if g is not None:   # unused parameters are skipped, as paddle does
                    out.append((p.name, p, g))
            if not out:
                raise RuntimeError(
                    f"{type(self).__name__}.step(): no parameter of {type(self.model).__name__} has a "
                    "gradient; call loss.backward() before optimizer.step()"
                )
        else:
            for key, name, params, grads in self._book_params():
                g = grads.get(key[-1] if isinstance(key, tuple) else key)
                if g is None:
                    raise RuntimeError(
                        f"{type(self).__name__}.step(): no gradient for parameter '{name}'; "
                        "call the model's backward() before optimizer.step()"
                    )
                p = params[key[-1] if isinstance(key, tuple) else key]
                out.append((key, p, g))
        for key, p, g in out:
            if list(g.shape) != list(p.shape):
                raise ValueError(
                    f"gradient of parameter {key!r} has shape {list(g.shape)}, "
                    f"but the parameter has shape {list(p.shape)}"
                )
        return out

    def _state_for(self, key, param, **init):
        """Per-parameter state, created lazily: ``init`` maps names to 'zeros' or a number."""
        state = self._states.get(key)
        if state is None:
            state = {}
            for name, value in init.items():
                if isinstance(value, str):
                    if value != "zeros":
                        raise ValueError(f"_state_for: initial value of {name!r} must be 'zeros' or a number, "
                                         f"got {value!r}")
                    state[name] = paddle.zeros_like(param)
                else:
                    state[name] = paddle.full_like(param, value)
            self._states[key] = state
        return state

    # -- the update --------------------------------------------------------------
    def _update(self, key, param, grad, lr):
        raise NotImplementedError

    def _params_dict(self, key):
        """The ``params`` dict that holds the book-model parameter ``key``, and its key there."""
        if self._kind == "params":
            return self.model.params, key
        return self.model.layers[key[0]].params, key[-1]

    def step(self):
        """One update of every parameter from its current gradient.

        A ``paddle.nn.Layer`` is updated in place; a book-style model gets new tensors in
        its ``params`` dicts (value semantics), so no tensor the caller holds changes.
        """
        lr = self.get_lr()
        pgs = self.params_and_grads()
        with paddle.no_grad():
            for key, p, g in pgs:
                if self._kind == "layer":
                    self._update(key, p, g, lr)
                else:
                    new = p.clone()
                    self._update(key, new, g, lr)
                    params, name = self._params_dict(key)
                    params[name] = new
        self.num_steps += 1

    def clear_grad(self):
        """Forget the gradients, so a ``step()`` without a new ``backward()`` is caught."""
        if self._kind == "layer":
            for p in self.model.parameters():
                p.clear_gradient(False)
        elif self._kind == "params":
            self.model.grads.clear()
        else:
            for layer in self.model.layers:
                if isinstance(getattr(layer, "grads", None), dict):
                    layer.grads.clear()

    def state_dict(self):
        return {"num_steps": self.num_steps, "states": self._states}


class SimpleBatchGD(Optimizer):
    """批量梯度下降 (book 3.1.4.3): ``x = x - lr * g`` for every parameter."""

    def _update(self, key, param, grad, lr):
        param.subtract_(grad * lr)


class BatchGD(Optimizer):
    """小批量梯度下降, with weight decay (book 4.2.4.6 and 7.6.4).

    ``x = (1 - weight_decay) * x - lr * g``.  This equals paddle's SGD with
    ``weight_decay=paddle.regularizer.L2Decay(weight_decay / lr)`` (tested).
    """

    def __init__(self, init_lr, model, weight_decay=0):
        super().__init__(init_lr, model)
        if not 0 <= weight_decay < 1:
            raise ValueError(f"weight_decay must be in [0, 1), got {weight_decay}")
        self.weight_decay = weight_decay

    def _update(self, key, param, grad, lr):
        if self.weight_decay:
            param.scale_(1.0 - self.weight_decay)
        param.subtract_(grad * lr)


# R1 (the printed book, 7.3.1.1) calls plain gradient descent ``Minibatch_GD``;
# R0 reuses ``SimpleBatchGD``.  One implementation, two book spellings.
Minibatch_GD = SimpleBatchGD
# 3.1.4.3 and 4.2.4.6 call it ``Optimizer_GD(init_lr, model)``: the same rule, over
# ``model.params`` (3.1) or ``model.layers`` (4.2) alike.
Optimizer_GD = SimpleBatchGD


# -- 7.3: adaptive learning rates and corrected gradient estimates -------------------

def _check_rate(name, value):
    """A decay rate / momentum factor must lie in [0, 1)."""
    if not isinstance(value, numbers.Number) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    return float(value)


def _check_eps(name, value):
    if not isinstance(value, numbers.Number) or not value >= 0:
        raise ValueError(f"{name} must be a non-negative number, got {value!r}")
    return float(value)


class Adagrad(Optimizer):
    """AdaGrad 算法 (book 7.3.2.1).

    ``G_t = G_{t-1} + g_t ⊙ g_t``, ``θ_t = θ_{t-1} - α / sqrt(G_t + ε) ⊙ g_t``.

    输入:
        - init_lr: 初始学习率 α
        - model: 模型 (``model.params``/``model.grads``, ``model.layers`` or a ``paddle.nn.Layer``)
        - epsilon: 保持数值稳定性而设置的非常小的常数 ε (book: 1e-7)

    Equals ``paddle.optimizer.Adagrad(lr, epsilon=0.0, initial_accumulator_value=epsilon)``
    (paddle puts its epsilon outside the square root; tests/test_optimizers.py).
    """

    def __init__(self, init_lr, model, epsilon=1e-7):
        super().__init__(init_lr, model)
        self.epsilon = _check_eps("epsilon", epsilon)

    def _update(self, key, param, grad, lr):
        G = self._state_for(key, param, G="zeros")["G"]
        G.add_(paddle.square(grad))
        # lr / sqrt(G + eps) * g, written with rsqrt: paddle's CPU divide is ~8x slower (docs/performance.md)
        param.subtract_((grad * paddle.rsqrt(_scale(G, 1.0, bias=self.epsilon))).scale_(lr))


class RMSprop(Optimizer):
    """RMSprop 算法 (book 7.3.2.2).

    ``G_t = β G_{t-1} + (1-β) g_t ⊙ g_t``, ``θ_t = θ_{t-1} - α / sqrt(G_t + ε) ⊙ g_t``.

    输入:
        - init_lr: 初始学习率 α
        - model: 模型
        - beta: 衰减率 β in [0, 1) (book: 0.9)
        - epsilon: 保持数值稳定性而设置的常数 ε (book: 1e-7)

    Equals ``paddle.optimizer.RMSProp(lr, rho=beta, epsilon=epsilon, momentum=0)``.
    """

    def __init__(self, init_lr, model, beta=0.9, epsilon=1e-7):
        super().__init__(init_lr, model)
        self.beta = _check_rate("beta", beta)
        self.epsilon = _check_eps("epsilon", epsilon)

    def _update(self, key, param, grad, lr):
        G = self._state_for(key, param, G="zeros")["G"]
        G.scale_(self.beta).add_(paddle.square(grad).scale_(1.0 - self.beta))
        # Kept as paddle's kernel computes it (a divide, not rsqrt like Adagrad/Adam): RMSprop's
        # step g/sqrt(G+eps) is ~±1 per element, so on an oscillating trajectory a 1-ulp
        # difference grows ~8x per step (measured on tests/test_optimizers.py's linear case)
        param.subtract_(grad * lr / paddle.sqrt(_scale(G, 1.0, bias=self.epsilon)))


class Momentum(Optimizer):
    """动量法 (book 7.3.3.1).

    ``Δθ_t = ρ Δθ_{t-1} - α g_t``, ``θ_t = θ_{t-1} + Δθ_t``.

    输入:
        - init_lr: 学习率 α
        - model: 模型
        - rho: 动量因子 ρ in [0, 1) (book: 0.9)

    At a constant learning rate this equals ``paddle.optimizer.Momentum(lr, momentum=rho)``
    (paddle keeps ``v = ρv + g`` and steps ``-α v``); under a changing learning rate the
    two differ, because here past steps keep the learning rate they were taken with.
    """

    def __init__(self, init_lr, model, rho=0.9):
        super().__init__(init_lr, model)
        self.rho = _check_rate("rho", rho)

    def _update(self, key, param, grad, lr):
        d = self._state_for(key, param, delta_x="zeros")["delta_x"]
        d.scale_(self.rho).subtract_(grad * lr)
        param.add_(d)


class Nesterov(Momentum):
    """Nesterov 加速梯度 (《神经网络与深度学习》7.2.4.2; the book's 7.3.3 names it).

    ``Δθ_t = ρ Δθ_{t-1} - α g_t(θ_{t-1} + ρ Δθ_{t-1})``, written in the usual form that
    needs only the gradient at the current parameters:
    ``d_t = ρ d_{t-1} - α g_t``, ``θ_t = θ_{t-1} + ρ d_t - α g_t``.

    输入: init_lr, model, rho (动量因子, default 0.9).
    Equals ``paddle.optimizer.Momentum(lr, momentum=rho, use_nesterov=True)`` at constant lr.
    """

    def _update(self, key, param, grad, lr):
        d = self._state_for(key, param, delta_x="zeros")["delta_x"]
        d.scale_(self.rho).subtract_(grad * lr)
        param.add_(d * self.rho - grad * lr)


def _pick(name, value, aliases, default):
    """Resolve an argument the renderings spell in several ways (beta1 / betal / beta_1)."""
    given = {n: v for n, v in aliases.items() if v is not None}
    if value is not None:
        given[name] = value
    if len(given) > 1:
        raise TypeError(f"{name} given more than once: {sorted(given)}")
    return next(iter(given.values())) if given else default


class Adam(Optimizer):
    """Adam 算法 (book 7.3.3.2).

    ``M_t = β1 M_{t-1} + (1-β1) g_t``, ``G_t = β2 G_{t-1} + (1-β2) g_t ⊙ g_t``,
    ``M̂_t = M_t / (1-β1^t)``, ``Ĝ_t = G_t / (1-β2^t)``, ``θ_t = θ_{t-1} - α / sqrt(Ĝ_t + ε) M̂_t``.

    输入:
        - init_lr: 初始学习率 α
        - model: 模型
        - beta1, beta2: 移动平均的衰减率 (book: 0.9, 0.99); the renderings also spell them
          ``betal`` (R0) and ``beta_1``/``beta_2`` (R1): all are accepted
        - epsilon: 保持数值稳定性而设置的常数 (book: 1e-7), inside the square root as in the book

    ``t`` counts calls of ``step()`` that update the parameter (the book's code advances it once per parameter, so
    with W and b the bias correction is wrong; see docs/errata.md).  With ``epsilon=0``
    this equals ``paddle.optimizer.Adam(lr, beta1, beta2, epsilon=0)``; paddle adds its
    epsilon outside the square root.
    """

    def __init__(self, init_lr, model, beta1=None, beta2=None, epsilon=1e-7, *,
                 betal=None, beta_1=None, beta_2=None):
        super().__init__(init_lr, model)
        self.beta1 = _check_rate("beta1", _pick("beta1", beta1, {"betal": betal, "beta_1": beta_1}, 0.9))
        self.beta2 = _check_rate("beta2", _pick("beta2", beta2, {"beta_2": beta_2}, 0.99))
        self.epsilon = _check_eps("epsilon", epsilon)

    @property
    def betal(self):   # the notebook rendering's spelling
        return self.beta1

    @property
    def t(self):
        """迭代次数 of the next step (1 before the first step), as the book's ``self.t``."""
        return self.num_steps + 1

    def _adam_step(self, key, param, grad, lr):
        s = self._state_for(key, param, M="zeros", G="zeros")
        M, G = s["M"], s["G"]
        # t advances once per step for every parameter (counted per parameter, so one
        # that first gets a gradient late starts at t=1, as in paddle)
        t = s["t"] = s.get("t", 0) + 1
        M.scale_(self.beta1).add_(grad * (1.0 - self.beta1))
        G.scale_(self.beta2).add_(paddle.square(grad).scale_(1.0 - self.beta2))
        # M_hat = M / (1 - beta1^t), G_hat = G / (1 - beta2^t), x -= lr * M_hat / sqrt(G_hat + eps):
        # the bias corrections fold into one scale each, and rsqrt replaces paddle's slow CPU divide
        inv = paddle.rsqrt(_scale(G, 1.0 / (1.0 - self.beta2 ** t), bias=self.epsilon))
        param.subtract_((M * inv).scale_(lr / (1.0 - self.beta1 ** t)))

    def _update(self, key, param, grad, lr):
        self._adam_step(key, param, grad, lr)


class AdamW(Adam):
    """AdamW (exercise 7.5): decoupled weight decay, ``θ ← (1 - α λ) θ`` then the Adam step.

    输入: init_lr, model, beta1 (0.9), beta2 (0.99), epsilon (1e-7, inside the square root
    as in the book's Adam), weight_decay λ >= 0 (0.01, paddle's default).
    With ``epsilon=0`` it equals ``paddle.optimizer.AdamW(lr, beta1, beta2, epsilon=0,
    weight_decay=λ)``.
    """

    def __init__(self, init_lr, model, beta1=None, beta2=None, epsilon=1e-7, weight_decay=0.01, *,
                 betal=None, beta_1=None, beta_2=None):
        super().__init__(init_lr, model, beta1, beta2, epsilon, betal=betal, beta_1=beta_1, beta_2=beta_2)
        self.weight_decay = _check_eps("weight_decay", weight_decay)

    def _update(self, key, param, grad, lr):
        if self.weight_decay:
            param.scale_(1.0 - lr * self.weight_decay)
        self._adam_step(key, param, grad, lr)


class AdaDelta(Optimizer):
    """AdaDelta 算法 (exercise 7.4; 《神经网络与深度学习》7.2.3.3).

    ``G_t = β G_{t-1} + (1-β) g_t ⊙ g_t``,
    ``Δθ_t = - sqrt(ΔX²_{t-1} + ε) / sqrt(G_t + ε) ⊙ g_t``,
    ``ΔX²_t = β ΔX²_{t-1} + (1-β) Δθ_t ⊙ Δθ_t``, ``θ_t = θ_{t-1} + α Δθ_t``.

    输入:
        - init_lr: 学习率 α; AdaDelta proper has none (use 1.0, the default); paddle scales by it
        - model: 模型
        - beta: 衰减率 in [0, 1) (0.9)
        - epsilon: 常数 ε (1e-6): it also sets the size of the first steps, sqrt(ε)
    Equals ``paddle.optimizer.Adadelta(lr, epsilon=epsilon, rho=beta)``.
    """

    def __init__(self, init_lr=1.0, model=None, beta=0.9, epsilon=1e-6):
        if model is None:
            raise TypeError("AdaDelta needs a model")
        super().__init__(init_lr, model)
        self.beta = _check_rate("beta", beta)
        self.epsilon = _check_eps("epsilon", epsilon)
        if self.epsilon == 0:
            raise ValueError("AdaDelta needs epsilon > 0 (with 0 its first step is 0)")

    def _update(self, key, param, grad, lr):
        s = self._state_for(key, param, G="zeros", X="zeros")
        G, X = s["G"], s["X"]
        G.scale_(self.beta).add_(paddle.square(grad).scale_(1.0 - self.beta))
        # -delta = sqrt(X + eps) / sqrt(G + eps) * g, with rsqrt instead of a (slow) divide
        neg_delta = (paddle.sqrt(_scale(X, 1.0, bias=self.epsilon))
                     * paddle.rsqrt(_scale(G, 1.0, bias=self.epsilon)) * grad)
        X.scale_(self.beta).add_(paddle.square(neg_delta).scale_(1.0 - self.beta))
        param.subtract_(neg_delta.scale_(lr))
