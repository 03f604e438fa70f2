"""Proposed faster update rules for nndl.optimizer (issue 8): same formulas, no division.

Measured (bench/bench_optimizers.py, paddle 3.3.1 CPU): paddle's CPU ``divide`` kernel
takes ~120-170 us on LeNet's largest tensor (48,000 values) where ``multiply``,
``sqrt``, ``rsqrt`` or ``scale`` take ~15 us, and ``lerp_`` ~136 us.  The book's
``g / sqrt(G + eps)`` is written here as ``g * rsqrt(G + eps)`` (one fused
``scale(G, c, bias=eps)`` for the bias correction and eps), which keeps every
formula and matches paddle within float32 rounding.  Each class subclasses the
library's, overriding only its update; ``bench_optimizers.py --proposed`` times them.
These are proposals for nndl/optimizer.py (owned elsewhere), not library code.
"""
import paddle

import nndl.optimizer as nopt

class Adam(nopt.Adam):
    def _adam_step(self, key, param, grad, lr):
        s = self._state_for(key, param, M="zeros", G="zeros")
        M, G = s["M"], s["G"]
        t = s["t"] = s.get("t", 0) + 1
        M.scale_(self.beta1).add_(grad * (1.0 - self.beta1))
        G.scale_(self.beta2).add_(paddle.square(grad).scale_(1.0 - self.beta2))
        # lr * M_hat / sqrt(G_hat + eps); multiply by rsqrt: paddle's CPU divide kernel is ~8x slower
        inv = paddle.rsqrt(paddle.scale(G, 1.0 / (1.0 - self.beta2 ** t), bias=self.epsilon))
        param.subtract_((M * inv).scale_(lr / (1.0 - self.beta1 ** t)))

class RMSprop(nopt.RMSprop):
    def _update(self, key, param, grad, lr):
        G = self._state_for(key, param, G="zeros")["G"]
        G.scale_(self.beta).add_(paddle.square(grad).scale_(1.0 - self.beta))
        param.subtract_((grad * paddle.rsqrt(paddle.scale(G, 1.0, bias=self.epsilon))).scale_(lr))

class AdaDelta(nopt.AdaDelta):
    def _update(self, key, param, grad, lr):
        s = self._state_for(key, param, G="zeros", X="zeros")
        G, X = s["G"], s["X"]
        G.scale_(self.beta).add_(paddle.square(grad).scale_(1.0 - self.beta))
        # -delta = sqrt(X + eps) / sqrt(G + eps) * g
        ndelta = (paddle.sqrt(paddle.scale(X, 1.0, bias=self.epsilon))
                  * paddle.rsqrt(paddle.scale(G, 1.0, bias=self.epsilon)) * grad)
        X.scale_(self.beta).add_(paddle.square(ndelta).scale_(1.0 - self.beta))
        param.subtract_(ndelta.scale_(lr))

class Adagrad(nopt.Adagrad):
    def _update(self, key, param, grad, lr):
        G = self._state_for(key, param, G="zeros")["G"]
        G.add_(paddle.square(grad))
        param.subtract_((grad * paddle.rsqrt(paddle.scale(G, 1.0, bias=self.epsilon))).scale_(lr))


class AdamW(nopt.AdamW):
    def _update(self, key, param, grad, lr):
        if self.weight_decay:
            param.scale_(1.0 - lr * self.weight_decay)
        Adam._adam_step(self, key, param, grad, lr)
