"""Learning-rate schedules (exercise 7.3; 《神经网络与深度学习》7.2.3.1-7.2.3.2).

Each schedule is a ``paddle.optimizer.lr.LRScheduler``: pass it as ``init_lr`` to an
nndl optimizer (or as ``learning_rate`` to a paddle one) and call ``step()`` once per
iteration (or per epoch, as you choose); ``sched()`` / ``sched.last_lr`` is the
current rate.  ``t`` below is ``last_epoch``, the number of ``step()`` calls so far.

- :class:`PiecewiseConstantDecay`: 分段常数衰减
- :class:`InverseTimeDecay`: 逆时衰减 ``α0 / (1 + βt)``
- :class:`ExponentialDecay`: 指数衰减 ``α0 β^t``
- :class:`NaturalExpDecay`: 自然指数衰减 ``α0 exp(-βt)``
- :class:`CosineDecay`: 余弦衰减 ``α_min + (α0 - α_min)(1 + cos(tπ/T))/2``
- :class:`LinearWarmup`: 逐渐预热 (gradual warmup) ``α0 t/T'`` for the first T' steps, then
  a constant rate or another schedule
- :class:`CyclicLR`: 循环学习率 (triangular)
"""
import math
import numbers

from paddle.optimizer.lr import LRScheduler

from .optimizer import _check_eps as _non_negative  # one non-negativity check for the package

__all__ = ["PiecewiseConstantDecay", "InverseTimeDecay", "ExponentialDecay", "NaturalExpDecay",
           "CosineDecay", "LinearWarmup", "CyclicLR", "ScheduledOptimizer"]


def _positive(name, value):
    if not isinstance(value, numbers.Number) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)




class PiecewiseConstantDecay(LRScheduler):
    """分段常数衰减: ``values[i]`` while ``boundaries[i-1] <= t < boundaries[i]``.

    输入: boundaries (increasing step numbers, len n), values (len n+1, positive).
    Equals ``paddle.optimizer.lr.PiecewiseDecay(boundaries, values)``.
    """

    def __init__(self, boundaries, values, last_epoch=-1, verbose=False):
        boundaries, values = list(boundaries), list(values)
        if len(values) != len(boundaries) + 1:
            raise ValueError(f"PiecewiseConstantDecay: {len(boundaries)} boundaries need "
                             f"{len(boundaries) + 1} values, got {len(values)}")
        if any(b2 <= b1 for b1, b2 in zip(boundaries, boundaries[1:])):
            raise ValueError(f"PiecewiseConstantDecay: boundaries must increase, got {boundaries}")
        self.boundaries = boundaries
        self.values = [_positive("learning rate", v) for v in values]
        super().__init__(self.values[0], last_epoch, verbose)

    def get_lr(self):
        for b, v in zip(self.boundaries, self.values):
            if self.last_epoch < b:
                return v
        return self.values[-1]


class InverseTimeDecay(LRScheduler):
    """逆时衰减 ``α_t = α0 / (1 + β t)``.

    输入: init_lr α0 > 0, beta β >= 0 (衰减率).
    Equals ``paddle.optimizer.lr.InverseTimeDecay(init_lr, gamma=beta)``.
    """

    def __init__(self, init_lr, beta, last_epoch=-1, verbose=False):
        self.beta = _non_negative("beta", beta)
        super().__init__(_positive("init_lr", init_lr), last_epoch, verbose)

    def get_lr(self):
        return self.base_lr / (1 + self.beta * self.last_epoch)


class ExponentialDecay(LRScheduler):
    """指数衰减 ``α_t = α0 β^t``.

    输入: init_lr α0 > 0, beta β in (0, 1] (衰减率).
    Equals ``paddle.optimizer.lr.ExponentialDecay(init_lr, gamma=beta)``.
    """

    def __init__(self, init_lr, beta, last_epoch=-1, verbose=False):
        if not isinstance(beta, numbers.Number) or not 0 < beta <= 1:
            raise ValueError(f"ExponentialDecay: beta must be in (0, 1], got {beta!r}")
        self.beta = float(beta)
        super().__init__(_positive("init_lr", init_lr), last_epoch, verbose)

    def get_lr(self):
        return self.base_lr * self.beta ** self.last_epoch


class NaturalExpDecay(LRScheduler):
    """自然指数衰减 ``α_t = α0 exp(-β t)``.

    输入: init_lr α0 > 0, beta β >= 0.
    Equals ``paddle.optimizer.lr.NaturalExpDecay(init_lr, gamma=beta)``.
    """

    def __init__(self, init_lr, beta, last_epoch=-1, verbose=False):
        self.beta = _non_negative("beta", beta)
        super().__init__(_positive("init_lr", init_lr), last_epoch, verbose)

    def get_lr(self):
        return self.base_lr * math.exp(-self.beta * self.last_epoch)


class CosineDecay(LRScheduler):
    """余弦衰减 ``α_t = α_min + (α0 - α_min)(1 + cos(tπ/T)) / 2`` (t taken modulo 2T, i.e. the
    rate comes back up after T steps, as in paddle).

    输入: init_lr α0 > 0, T 总步数 > 0, eta_min α_min >= 0 (0).
    Equals ``paddle.optimizer.lr.CosineAnnealingDecay(init_lr, T_max=T, eta_min=eta_min)``.
    """

    def __init__(self, init_lr, T, eta_min=0.0, last_epoch=-1, verbose=False):
        if not isinstance(T, numbers.Integral) or T <= 0:
            raise ValueError(f"CosineDecay: T must be a positive integer, got {T!r}")
        self.T = int(T)
        self.eta_min = _non_negative("eta_min", eta_min)
        super().__init__(_positive("init_lr", init_lr), last_epoch, verbose)

    def get_lr(self):
        t = self.last_epoch % (2 * self.T)
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * t / self.T)) / 2


class LinearWarmup(LRScheduler):
    """逐渐预热: ``start_lr + (end_lr - start_lr) t / warmup_steps`` for ``t < warmup_steps``,
    then ``learning_rate`` (a number, or a schedule stepped from then on).

    输入: learning_rate (number or LRScheduler), warmup_steps T' > 0, start_lr (0) >= 0,
    end_lr (None: the rate after warmup).
    Equals ``paddle.optimizer.lr.LinearWarmup(learning_rate, warmup_steps, start_lr, end_lr)``.
    """

    def __init__(self, learning_rate, warmup_steps, start_lr=0.0, end_lr=None, last_epoch=-1,
                 verbose=False):
        if not isinstance(warmup_steps, numbers.Integral) or warmup_steps <= 0:
            raise ValueError(f"LinearWarmup: warmup_steps must be a positive integer, got {warmup_steps!r}")
        if isinstance(learning_rate, LRScheduler):
            after = learning_rate.last_lr
        else:
            after = _positive("learning_rate", learning_rate)
        self.learning_rate = learning_rate
        self.warmup_steps = int(warmup_steps)
        self.start_lr = _non_negative("start_lr", start_lr)
        self.end_lr = after if end_lr is None else _positive("end_lr", end_lr)
        super().__init__(self.start_lr if self.start_lr > 0 else self.end_lr, last_epoch, verbose)

    def get_lr(self):
        if self.last_epoch < self.warmup_steps:
            return self.start_lr + (self.end_lr - self.start_lr) * self.last_epoch / self.warmup_steps
        if isinstance(self.learning_rate, LRScheduler):
            self.learning_rate.step(self.last_epoch - self.warmup_steps)
            return self.learning_rate()
        return float(self.learning_rate)


class CyclicLR(LRScheduler):
    """循环学习率 (三角循环): the rate climbs linearly from ``base_lr`` to ``max_lr`` in
    ``step_size`` steps and comes back in as many.

    输入: base_lr > 0, max_lr >= base_lr, step_size 半周期步数 > 0.
    Equals ``paddle.optimizer.lr.CyclicLR(base_lr, max_lr, step_size_up=step_size)``.
    """

    def __init__(self, base_lr, max_lr, step_size, last_epoch=-1, verbose=False):
        base_lr = _positive("base_lr", base_lr)
        self.max_lr = _positive("max_lr", max_lr)
        if self.max_lr < base_lr:
            raise ValueError(f"CyclicLR: max_lr {max_lr} is below base_lr {base_lr}")
        if not isinstance(step_size, numbers.Integral) or step_size <= 0:
            raise ValueError(f"CyclicLR: step_size must be a positive integer, got {step_size!r}")
        self.step_size = int(step_size)
        super().__init__(base_lr, last_epoch, verbose)

    def get_lr(self):
        pos = self.last_epoch % (2 * self.step_size)
        frac = pos / self.step_size if pos <= self.step_size else 2 - pos / self.step_size
        return self.base_lr + (self.max_lr - self.base_lr) * frac


class ScheduledOptimizer(object):
    """An optimizer whose learning-rate schedule advances after every ``step()`` (动手练习 5.4).

    paddle's optimizers take an ``LRScheduler`` as ``learning_rate`` but leave stepping it to
    the training loop; ``RunnerV3`` (5.3-5.5) calls only ``optimizer.step()`` and
    ``clear_grad()``.  Wrapping the optimizer lets such a loop use any schedule of this module
    (or of ``paddle.optimizer.lr``), stepped once per iteration.

    输入:
        - optimizer: a ``paddle.optimizer.Optimizer`` (or an nndl optimizer) built with
          ``scheduler`` as its learning rate
        - scheduler: the ``LRScheduler`` it reads its rate from
    ``step()`` = ``optimizer.step()`` then ``scheduler.step()``; every other attribute
    (``clear_grad``, ``get_lr``, ``state_dict`` ...) is the optimizer's.
    """

    def __init__(self, optimizer, scheduler):
        if not isinstance(scheduler, LRScheduler):
            raise TypeError(f"ScheduledOptimizer: scheduler must be an LRScheduler, got {type(scheduler).__name__}")
        if not callable(getattr(optimizer, "step", None)):
            raise TypeError(f"ScheduledOptimizer: optimizer has no step(): {type(optimizer).__name__}")
        lr = getattr(optimizer, "_learning_rate", getattr(optimizer, "init_lr", scheduler))
        if lr is not scheduler:
            raise ValueError("ScheduledOptimizer: the optimizer does not read its rate from this scheduler "
                             "(build it with learning_rate=scheduler)")
        self.optimizer, self.scheduler = optimizer, scheduler

    def step(self):
        self.optimizer.step()
        self.scheduler.step()

    def __getattr__(self, name):
        if name in ("optimizer", "scheduler"):   # not yet set (copy / unpickling)
            raise AttributeError(name)
        return getattr(self.optimizer, name)
