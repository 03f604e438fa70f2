# %% [markdown]
# # 动手练习 1.2 张量运算
#
# 尝试和熟悉本节中的各种张量运算。
#
# 把 1.2.5 列出的运算逐个跑一遍：数学运算（21 个函数和重写的 `+ - * / % **`）、逻辑运算（9 个）、
# 矩阵运算（5 个）、广播机制（书中的两个可广播例子、一个不可广播的例子和 `matmul` 的 5 条广播
# 规则），以及原位（`add_`）与非原位（`add`）运算。每个结果都与 NumPy 的同一运算比较（形状、数据
# 类型和数值）。
#
# 两处与书不同：书中 `equal_all`、`max`、`sum` 这类全局归约返回形状 `[1]` 的张量，飞桨 2.5 起
# 返回 0 维张量（形状 `[]`）；`round` 对恰好一半的数（2.5、-0.5）的取舍依飞桨版本而不同（飞桨 3.x
# 与 NumPy 一样取偶数，2.6 远离零取整），这里把这台机器上的行为量出来并打印。

# %%
from nndl.app.script import setup
S = setup("ch1_ex2_tensor_ops")

import numpy as np
import paddle

paddle.set_device("cpu")

# %%
x_np = np.array([[1.2, -2.7, 3.4], [0.3, 4.9, -0.6]], dtype='float32')
y_np = np.array([[2.0, 1.5, -1.2], [0.7, -3.0, 2.5]], dtype='float32')
x, y = paddle.to_tensor(x_np), paddle.to_tensor(y_np)
pos_np = np.abs(x_np) + 0.5                      # log / sqrt / pow take p = |x| + 0.5 > 0
pos = paddle.to_tensor(pos_np)
w_np = np.array([[1.0, np.inf, np.nan], [-np.inf, 0.0, -2.0]], dtype='float32')   # for isfinite
w = paddle.to_tensor(w_np)
print("x:", x_np.astype('float64').round(4).tolist(), "\ny:", y_np.astype('float64').round(4).tolist(),
      "\np = |x| + 0.5 (log, sqrt, pow); w:", w_np.tolist(), "(isfinite)")

# %% [markdown]
# ## 1.2.5.1 数学运算 / 1.2.5.2 逻辑运算 / 1.2.5.3 矩阵运算

# %%
OPS = [   # (the book's line, paddle, numpy)
    ('x.abs()', lambda: x.abs(), lambda: np.abs(x_np)),
    ('x.ceil()', lambda: x.ceil(), lambda: np.ceil(x_np)),
    ('x.floor()', lambda: x.floor(), lambda: np.floor(x_np)),
    ('x.round()', lambda: x.round(), lambda: np.round(x_np)),       # no exact halves here; see below
    ('x.exp()', lambda: x.exp(), lambda: np.exp(x_np)),
    ('p.log()', lambda: pos.log(), lambda: np.log(pos_np)),
    ('x.reciprocal()', lambda: x.reciprocal(), lambda: 1 / x_np),
    ('x.square()', lambda: x.square(), lambda: np.square(x_np)),
    ('p.sqrt()', lambda: pos.sqrt(), lambda: np.sqrt(pos_np)),
    ('x.sin()', lambda: x.sin(), lambda: np.sin(x_np)),
    ('x.cos()', lambda: x.cos(), lambda: np.cos(x_np)),
    ('x.add(y)', lambda: x.add(y), lambda: x_np + y_np),
    ('x.subtract(y)', lambda: x.subtract(y), lambda: x_np - y_np),
    ('x.multiply(y)', lambda: x.multiply(y), lambda: x_np * y_np),
    ('x.divide(y)', lambda: x.divide(y), lambda: x_np / y_np),
    ('x.mod(y)', lambda: x.mod(y), lambda: np.mod(x_np, y_np)),     # the sign of the divisor, as Python's %
    ('p.pow(y)', lambda: pos.pow(y), lambda: np.power(pos_np, y_np)),
    ('x.max()', lambda: x.max(), lambda: np.max(x_np)),
    ('x.min()', lambda: x.min(), lambda: np.min(x_np)),
    ('x.prod()', lambda: x.prod(), lambda: np.prod(x_np)),
    ('x.sum()', lambda: x.sum(), lambda: np.sum(x_np)),
    ('x.max(axis=1)', lambda: x.max(axis=1), lambda: np.max(x_np, axis=1)),
    ('x.sum(axis=0)', lambda: x.sum(axis=0), lambda: np.sum(x_np, axis=0)),
    ('x + y', lambda: x + y, lambda: x_np + y_np),
    ('x - y', lambda: x - y, lambda: x_np - y_np),
    ('x * y', lambda: x * y, lambda: x_np * y_np),
    ('x / y', lambda: x / y, lambda: x_np / y_np),
    ('x % y', lambda: x % y, lambda: x_np % y_np),
    ('p ** y', lambda: pos ** y, lambda: pos_np ** y_np),
    ('w.isfinite()', lambda: w.isfinite(), lambda: np.isfinite(w_np)),
    ('x.equal_all(y)', lambda: x.equal_all(y), lambda: np.array(np.array_equal(x_np, y_np))),
    ('x.equal_all(x)', lambda: x.equal_all(x), lambda: np.array(True)),
    ('x.equal(y)', lambda: x.equal(paddle.where(y > 0, y, x)), lambda: x_np == np.where(y_np > 0, y_np, x_np)),
    ('x.not_equal(y)', lambda: x.not_equal(y), lambda: x_np != y_np),
    ('x.less_than(y)', lambda: x.less_than(y), lambda: x_np < y_np),
    ('x.less_equal(y)', lambda: x.less_equal(y), lambda: x_np <= y_np),
    ('x.greater_than(y)', lambda: x.greater_than(y), lambda: x_np > y_np),
    ('x.greater_equal(y)', lambda: x.greater_equal(y), lambda: x_np >= y_np),
    ('x.allclose(y)', lambda: x.allclose(y), lambda: np.array(np.allclose(x_np, y_np))),
    ('x.allclose(x + 1e-9)', lambda: x.allclose(x + 1e-9), lambda: np.array(True)),
    ('x.t()', lambda: x.t(), lambda: x_np.T),
    ('x.transpose([1, 0])', lambda: x.transpose([1, 0]), lambda: np.transpose(x_np, [1, 0])),
    ("x.norm('fro')", lambda: x.norm('fro'), lambda: np.linalg.norm(x_np, 'fro')),
    ('x.dist(y, p=2)', lambda: x.dist(y, p=2), lambda: np.linalg.norm((x_np - y_np).ravel(), 2)),
    ('x.matmul(y.t())', lambda: x.matmul(y.t()), lambda: x_np @ y_np.T),
]


def compare(got, want):
    """(same shape, same kind of dtype, max |difference|); NaN anywhere is a mismatch."""
    got, want = np.asarray(got.numpy()), np.asarray(want)
    same_shape = list(got.shape) == list(want.shape)
    same_kind = (got.dtype == np.bool_) == (want.dtype == np.bool_)
    if not same_shape:
        return same_shape, same_kind, float('inf')
    diff = np.abs(got.astype('float64') - want.astype('float64'))
    err = float(diff.max()) if diff.size else 0.0
    scale = float(np.abs(want.astype('float64')).max()) if want.size else 0.0
    return same_shape, same_kind, (err / max(scale, 1.0) if np.isfinite(err) else float('inf'))


table = {}
for line, pd_fn, np_fn in OPS:
    got = pd_fn()
    shape_ok, kind_ok, err = compare(got, np_fn())
    table[line] = {'shape': list(got.shape), 'dtype': str(got.dtype).split('.')[-1], 'error': err,
                   'ok': bool(shape_ok and kind_ok and err < 1e-6)}
    values = got.numpy() if got.dtype == paddle.bool else np.round(got.numpy().astype('float64'), 4)
    values = values.tolist()
    print(f"{line:22s} -> shape {table[line]['shape']!s:7s} {table[line]['dtype']:8s} {values!s:.60s}"
          f"{'' if table[line]['ok'] else '   MISMATCH with numpy'}")
reductions_0d = all(table[k]['shape'] == [] for k in ('x.max()', 'x.sum()', 'x.equal_all(y)', 'x.allclose(y)'))
print(f"global reductions are 0-D tensors (the book prints shape [1]): {reductions_0d}")

# %% [markdown]
# ## round 遇到恰好一半的数

# %%
halves_np = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5], dtype='float32')
rounded = paddle.to_tensor(halves_np).round().numpy()
half_even = np.round(halves_np)                                        # numpy: to even
half_away = np.sign(halves_np) * np.floor(np.abs(halves_np) + 0.5)     # away from zero
round_rule = ('half to even (as numpy)' if np.array_equal(rounded, half_even) else
              'half away from zero' if np.array_equal(rounded, half_away) else 'neither')
print(f"round({halves_np.tolist()}) = {rounded.tolist()}: {round_rule}; numpy gives {half_even.tolist()}")

# %% [markdown]
# ## 1.2.5.4 广播机制

# %%
z = paddle.ones((2, 3, 4)) + paddle.ones((2, 3, 4))
print('broadcasting with two same shape tensor: ', list(z.shape))
z = paddle.ones((2, 3, 1, 5)) + paddle.ones((3, 4, 1))
print('broadcasting with two different shape tensor:', list(z.shape))
broadcast_shapes = {'same': [2, 3, 4], 'different': list(z.shape)}
np_shape = list(np.broadcast_shapes((2, 3, 1, 5), (3, 4, 1)))
try:
    paddle.ones((2, 3, 4)) + paddle.ones((2, 3, 6))
    mismatch = None
except ValueError as err:
    mismatch = str(err).splitlines()[0]
print("[2, 3, 4] + [2, 3, 6]:", mismatch)

MATMUL = [   # paddle.matmul's five broadcasting rules (1.2.5.4)
    ('1) 1-D x 1-D: dot product', [3], [3]),
    ('2) 2-D x 2-D: matrix product', [2, 3], [3, 4]),
    ('3) 1-D x 2-D: [1, D] then drop', [3], [3, 4]),
    ('4) 2-D x 1-D: matrix-vector', [2, 3], [3]),
    ('5) N-D: batch dims broadcast', [10, 1, 5, 2], [3, 2, 5]),
]
rng = np.random.RandomState(0)
matmul_ok = {}
for rule, sa, sb in MATMUL:
    a, b = rng.randn(*sa).astype('float32'), rng.randn(*sb).astype('float32')
    got = paddle.matmul(paddle.to_tensor(a), paddle.to_tensor(b))
    shape_ok, _, err = compare(got, np.matmul(a, b))
    matmul_ok[rule] = bool(shape_ok and err < 1e-5)
    print(f"matmul {rule:32s}: {sa} x {sb} -> {list(got.shape)} (numpy {list(np.matmul(a, b).shape)})")

# %% [markdown]
# ## 原位运算与非原位运算

# %%
a = paddle.to_tensor(x_np)
b = a.add(y)              # 非原位: a 不变
a_after_add = a.numpy().copy()
c = a.add_(y)             # 原位: 结果写回 a, 返回 a 本身
inplace = {'add keeps x': bool(np.array_equal(a_after_add, x_np)),
           'add_ writes into x': bool(np.allclose(a.numpy(), x_np + y_np)),
           'add_ returns x itself': c is a, 'add equals add_': bool(np.array_equal(b.numpy(), a.numpy()))}
print("in-place:", inplace)

# %%
failed = [k for k, v in table.items() if not v['ok']]
S.record(ops=table, round_halves={'input': halves_np, 'paddle': rounded, 'numpy': half_even, 'rule': round_rule},
         broadcast_shapes=broadcast_shapes, broadcast_mismatch=mismatch, matmul=matmul_ok, inplace=inplace,
         reductions_0d=reductions_0d)
S.claim(book="1.2.5: 张量的数学、逻辑和矩阵运算（与 NumPy 的同名运算结果相同）",
        measured=f"{len(table) - len(failed)} of {len(table)} operations equal numpy's in shape, kind and value"
                 + (f" (mismatch: {failed})" if failed else "") + f"; round of halves: {round_rule}",
        supported=not failed)
S.claim(book="1.2.5.4: [2, 3, 1, 5] 与 [3, 4, 1] 可以广播为 [2, 3, 4, 5]，[2, 3, 4] 与 [2, 3, 6] 不能广播；"
             "matmul 按 5 条规则广播（[10, 1, 5, 2] x [3, 2, 5] -> [10, 3, 5, 5]）",
        measured=f"-> {broadcast_shapes['different']} (numpy {np_shape}); mismatch error: {mismatch!r}; "
                 f"matmul rules equal numpy: {sum(matmul_ok.values())} of 5",
        supported=bool(broadcast_shapes == {'same': [2, 3, 4], 'different': [2, 3, 4, 5]} and mismatch is not None
                       and 'Broadcast dimension mismatch' in mismatch and all(matmul_ok.values())))
S.claim(book="1.2.5 笔记: x.add(y) 是非原位操作，x.add_(y) 为原位操作",
        measured=str(inplace), supported=all(inplace.values()))
S.save()
