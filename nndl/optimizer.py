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
which changes ``param`` in place (no new parameter tensors per step); per
parameter state is created lazily with ``_state_for(key, param)``.
"""
import numbers

import paddle

__all__ = ["Optimizer", "SimpleBatchGD", "BatchGD"]


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
                if value == "zeros":
                    state[name] = paddle.zeros_like(param)
                else:
                    state[name] = paddle.full_like(param, value)
            self._states[key] = state
        return state

    # -- the update --------------------------------------------------------------
    def _update(self, key, param, grad, lr):
        raise NotImplementedError

    def step(self):
        """One update of every parameter from its current gradient."""
        lr = self.get_lr()
        pgs = self.params_and_grads()
        with paddle.no_grad():
            for key, p, g in pgs:
                self._update(key, p, g, lr)
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
