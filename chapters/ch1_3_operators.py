# %% [markdown]
# # 1.3 算子
#
# 算子是构建机器学习模型的基础组件，包含一个函数的前向函数和反向函数。本节用 `nndl.op`
# 中的加法、乘法和指数算子（1.3.1）组合出 $y = \exp(a \times b + c \times d)$，
# 用反向函数按链式法则算出 $a, b, c, d$ 的梯度，并与飞桨的自动微分（1.3.2）比较。
#
# 书的例子用同一个乘法算子计算 $a\times b$ 和 $c\times d$：一个算子只记得最后一次前向计算，
# 反向时就会给错梯度，所以这里每个乘积用一个算子。

# %%
from nndl.app.script import setup
S = setup("ch1_3_operators")

import math

import paddle

from nndl.op import add, multiply, exponential

# %% [markdown]
# ## 1.3.1.1 加法算子

# %%
x = 1
y = 4
add_op = add()
z = add_op(x, y)
grads_x, grads_y = add_op.backward(grads=1)
print("x's grad is: ", grads_x)
print("y's grad is: ", grads_y)

# %% [markdown]
# ## 1.3.1.3 组合算子：$y=\exp(a\times b + c\times d)$

# %%
a, b, c, d = 2, 3, 2, 2
# 实例化算子 (one multiply per product, so that each backward sees its own inputs)
multiply_op1 = multiply()
multiply_op2 = multiply()
add_op = add()
exp_op = exponential()
y = exp_op(add_op(multiply_op1(a, b), multiply_op2(c, d)))
print('y: ', y)

# 反向计算: dy/dy = 1, 逐个算子应用链式法则
grad_sum = exp_op.backward(1)
grad_ab, grad_cd = add_op.backward(grad_sum)
grad_a, grad_b = multiply_op1.backward(grad_ab)
grad_c, grad_d = multiply_op2.backward(grad_cd)
print(f"a's grad is: {grad_a}")
print(f"b's grad is: {grad_b}")
print(f"c's grad is: {grad_c}")
print(f"d's grad is: {grad_d}")

# %% [markdown]
# ## 1.3.2 自动微分机制
#
# 飞桨按前向计算自动构建反向计算。同一个函数用飞桨的张量计算，用 `backward()` 求梯度。
# paddle 2.5 起（2.6 与 3.x）标量张量是 0 维的（书印 `shape=[1]`），非叶子张量 `c` 的 `.grad` 默认不保留（为 None）；
# 用 format 打印 0 维张量时，paddle 2.6 写出张量本身，paddle 3 只写出数值（见 docs/versions.md）。

# %%
ta = paddle.to_tensor(2.0, stop_gradient=False, dtype='float64')
tb = paddle.to_tensor(3.0, stop_gradient=False, dtype='float64')
tc = paddle.to_tensor(2.0, stop_gradient=False, dtype='float64')
td = paddle.to_tensor(2.0, stop_gradient=False, dtype='float64')
ty = paddle.exp(ta * tb + tc * td)
ty.backward()
auto = [float(t.grad) for t in (ta, tb, tc, td)]
print("paddle autograd grads of a, b, c, d:", auto)

# 书的例子: c = a * b
a_t = paddle.to_tensor(2.0, stop_gradient=False)
b_t = paddle.to_tensor(5.0, stop_gradient=True)
c_t = a_t * b_t
c_t.backward()
print("Tensor a's grad is: {}".format(a_t.grad))
print("Tensor b's grad is: {}".format(b_t.grad))
print("Tensor c's grad is: {}".format(c_t.grad))

# %%
manual = [grad_a, grad_b, grad_c, grad_d]
max_rel = max(abs(m - g) / abs(g) for m, g in zip(manual, auto))
S.record(y=y, exp10=math.exp(10), grads_manual=manual, grads_autograd=auto, max_rel_diff=max_rel,
         add_grads=[grads_x, grads_y])
S.claim(book="y = exp(2*3 + 2*2) = 22026.465794806718; 加法算子的梯度为 1, 1",
        measured=f"y = {y!r}; add grads {grads_x}, {grads_y}",
        supported=(y == 22026.465794806718 and grads_x == 1 and grads_y == 1))
S.claim(book="算子的反向函数按链式法则求出与自动微分相同的梯度",
        measured=f"hand-written grads {[round(g, 4) for g in manual]} vs paddle autograd, max rel diff {max_rel:.1e}",
        supported=max_rel < 1e-12)
S.save()
