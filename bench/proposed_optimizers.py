"""Candidate update rules for nndl.optimizer, timed by ``bench_optimizers.py --proposed``.

The division-free updates first proposed here (``g * rsqrt(scale(G, c, bias=eps))``
instead of ``g / sqrt(G + eps)``; paddle 3.3.1's CPU ``divide`` costs ~8x a
``multiply``) are now the library's for Adagrad, Adam, AdamW and AdaDelta
(docs/performance.md).  RMSprop is the one left here: in the library it keeps
paddle's exact op order, because its normalised step amplifies a 1-ulp difference
on an oscillating trajectory (tests/test_optimizers.py's float64 parity test).
Each class subclasses the library's, overriding only its update.
"""
import paddle

import nndl.optimizer as nopt


class RMSprop(nopt.RMSprop):
    def _update(self, key, param, grad, lr):
        G = self._state_for(key, param, G="zeros")["G"]
        G.scale_(self.beta).add_(paddle.square(grad).scale_(1.0 - self.beta))
        param.subtract_((grad * paddle.rsqrt(paddle.scale(G, 1.0, bias=self.epsilon))).scale_(lr))
