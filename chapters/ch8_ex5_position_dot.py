# %% [markdown]
# # 动手练习 8.5 位置编码的点积
#
# 基于三角函数的位置编码，计算任意两个位置的点积，观察是否可以推断出两个位置的距离信息。
#
# 由公式(8.22)、(8.23)，PE(p)·PE(q) = Σ_i [sin(ω_i p) sin(ω_i q) + cos(ω_i p) cos(ω_i q)]
# = Σ_i cos(ω_i (p − q))，ω_i = 1/10000^(2i/D)：点积只取决于两个位置之差 p − q，而且
# 对 p − q 和 q − p 相同。所以点积能反映距离，但不能反映先后（方向）。下面用 8.3 节模型的
# 维度 D = 768 验证这三点，并画出点积矩阵和点积随距离的变化。

# %%
from nndl.app.script import setup
S = setup("ch8_ex5_position_dot")

import numpy as np
import matplotlib.pyplot as plt

from nndl import get_sinusoid_encoding

# %%
POSITIONS = 200
HIDDEN_SIZE = 768          # Model_Transformer's hidden_size (8.3)
ANCHORS = (20, 60, 100)    # a few positions p; the curves dot(p, p + k) should coincide

# %%
pe = get_sinusoid_encoding(POSITIONS, HIDDEN_SIZE).astype(np.float64)
dots = pe @ pe.T                                            # [P, P]
k = np.arange(-20, 21)
curves = {p: np.array([dots[p, p + d] for d in k]) for p in ANCHORS}

# only the difference counts: every diagonal of the matrix is constant
diag_spread = max(float(np.ptp(np.diagonal(dots, offset=d))) for d in range(-POSITIONS + 1, POSITIONS))
# the same for p - q and q - p: the matrix is symmetric, and dot(p, p+d) == dot(p, p-d)
direction_gap = max(float(np.abs(curves[p] - curves[p][::-1]).max()) for p in ANCHORS)
# closer positions have larger dot products (over the first distances)
by_distance = np.array([dots[0, d] for d in range(POSITIONS)])
first_rise = int(np.argmax(np.diff(by_distance) > 0)) + 1 if np.any(np.diff(by_distance) > 0) else POSITIONS
print(f"PE(p)·PE(p) = D/2 = {dots[0, 0]:.1f}")
print(f"最大的对角线取值差 (只取决于 p-q): {diag_spread:.2e}")
print(f"dot(p, p+k) 与 dot(p, p-k) 的最大差: {direction_gap:.2e}")
print(f"点积随距离单调下降直到距离 {first_rise}")
print("距离 0..10 的点积: {}".format(np.round(by_distance[:11], 2)))

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
image = axes[0].imshow(dots[:100, :100], cmap="OrRd")
axes[0].set_xlabel("position q")
axes[0].set_ylabel("position p")
axes[0].set_title("PE(p) · PE(q)")
fig.colorbar(image, ax=axes[0])
for p in ANCHORS:
    axes[1].plot(k, curves[p], marker="o", markersize=3, label=f"p = {p}")
axes[1].set_xlabel("k = q - p")
axes[1].set_ylabel("PE(p) · PE(p + k)")
axes[1].legend()
S.savefig(fig, "ex8-5_position_dot.pdf")
plt.close(fig)

# %%
S.record(hidden_size=HIDDEN_SIZE, positions=POSITIONS, diagonal_spread=diag_spread, direction_gap=direction_gap,
         monotone_until=first_rise, dot_by_distance_0_to_10=by_distance[:11])
S.claim(book="练习 8.5: 两个位置编码的点积可以反映两个位置的距离",
        measured=(f"点积只取决于 p-q（对角线最大差 {diag_spread:.1e}），距离 0 到 {first_rise} 内随距离单调下降；"
                  f"但 k 与 -k 的点积相同（最大差 {direction_gap:.1e}），看不出先后"),
        supported=diag_spread < 1e-2 and first_rise > 1,
        note="距离可推断（在单调区间内），方向不能")
S.save()
