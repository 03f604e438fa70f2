# %% [markdown]
# # 1.2 张量
#
# 张量是深度学习框架中最基础的数据结构。本节按书的顺序走一遍飞桨的张量：指定数据、形状、
# 区间创建张量；形状、数据类型、设备位置等属性；与 Numpy 数组的转换；索引、切片与修改；
# 数学运算、逻辑运算、矩阵运算和广播机制。
#
# 这里打印的是所装飞桨实际的输出。书用 paddle 2.2 印成，与之的差别见 docs/errata.md（第1章）：
# paddle 2.6 与 3.x 都把单个元素的索引结果给成 0 维张量（`shape=[]`），设备打印为 `Place(cpu)`，
# 参差列表的报错信息来自 numpy；形状在 paddle 2.6 打印为书中的 `[2, 3, 4, 5]`，
# 在 paddle 3 打印为 `paddle.Size([2, 3, 4, 5])`（见 docs/versions.md）。

# %%
from nndl.app.script import setup
S = setup("ch1_2_tensor")

import paddle

paddle.set_device("cpu")   # 本节只演示张量本身; 设备位置一节打印 CPU 张量的位置
shapes = {}                # 关键形状, 写入 results.json

# %% [markdown]
# ## 1.2.1 创建张量

# %%
ndim_1_Tensor = paddle.to_tensor([2.0, 3.0, 4.0])
print(ndim_1_Tensor)
ndim_2_Tensor = paddle.to_tensor([[1.0, 2.0, 3.0],
                                  [4.0, 5.0, 6.0]])
print(ndim_2_Tensor)
ndim_3_Tensor = paddle.to_tensor([[[1, 2, 3, 4, 5],
                                   [6, 7, 8, 9, 10]],
                                  [[11, 12, 13, 14, 15],
                                   [16, 17, 18, 19, 20]]])
print(ndim_3_Tensor)

# 张量在任何一个维度上的元素数量必须相等
try:
    paddle.to_tensor([[1.0, 2.0],
                      [4.0, 5.0, 6.0]])
    ragged_error = None
except ValueError as exc:
    ragged_error = f"ValueError: {exc}"
print(ragged_error)

m, n = 2, 3
zeros_Tensor = paddle.zeros([m, n])
ones_Tensor = paddle.ones([m, n])
full_Tensor = paddle.full([m, n], 10)
print('zeros Tensor: ', zeros_Tensor)
print('ones Tensor: ', ones_Tensor)
print('full Tensor: ', full_Tensor)

arange_Tensor = paddle.arange(start=1, end=5, step=1)
linspace_Tensor = paddle.linspace(start=1, stop=5, num=5)
print('arange Tensor: ', arange_Tensor)
print('linspace Tensor: ', linspace_Tensor)

# %% [markdown]
# ## 1.2.2 张量的属性
#
# 书的第 5 行打印 `shape[1]` 却称之为“最后一维”；这里打印 `shape[-1]`（书的输出 3 是 `shape[1]`）。

# %%
ndim_4_Tensor = paddle.ones([2, 3, 4, 5])
print("Shape of Tensor:", ndim_4_Tensor.shape)
print("Elements number along axis 0 of Tensor:", ndim_4_Tensor.shape[0])
print("Elements number along the last axis of Tensor:", ndim_4_Tensor.shape[-1])
print("Number of dimensions:", ndim_4_Tensor.ndim)
print('Number of elements in Tensor: ', ndim_4_Tensor.size)
shapes["ndim_4"] = list(ndim_4_Tensor.shape)

ndim_3_Tensor = paddle.to_tensor([[[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]],
                                  [[11, 12, 13, 14, 15], [16, 17, 18, 19, 20]],
                                  [[21, 22, 23, 24, 25], [26, 27, 28, 29, 30]]])
print("the shape of ndim_3_Tensor:", ndim_3_Tensor.shape)
reshape_Tensor = paddle.reshape(ndim_3_Tensor, [2, 5, 3])
print("After reshape:", reshape_Tensor)
new_Tensor1 = ndim_3_Tensor.reshape([-1])
print('new Tensor 1 shape: ', new_Tensor1.shape)
new_Tensor2 = ndim_3_Tensor.reshape([0, 5, 2])
print('new Tensor 2 shape: ', new_Tensor2.shape)
shapes["reshape_-1"] = list(new_Tensor1.shape)
shapes["reshape_0_5_2"] = list(new_Tensor2.shape)

ones_Tensor = paddle.ones([5, 10])
new_Tensor1 = paddle.unsqueeze(ones_Tensor, axis=0)
print('new Tensor 1 shape: ', new_Tensor1.shape)
new_Tensor2 = paddle.unsqueeze(ones_Tensor, axis=[1, 2])
print('new Tensor 2 shape: ', new_Tensor2.shape)
shapes["unsqueeze_0"] = list(new_Tensor1.shape)
shapes["unsqueeze_1_2"] = list(new_Tensor2.shape)

print("Tensor dtype from Python integers:", paddle.to_tensor(1).dtype)
print("Tensor dtype from Python floating point:", paddle.to_tensor(1.0).dtype)
float32_Tensor = paddle.to_tensor(1.0)
int64_Tensor = paddle.cast(float32_Tensor, dtype='int64')
print("Tensor after cast to int64:", int64_Tensor.dtype)

# 设备位置: 书还创建 GPU 与固定内存上的张量; 这里只在有 GPU 的飞桨上创建它们
cpu_Tensor = paddle.to_tensor(1, place=paddle.CPUPlace())
print('cpu Tensor: ', cpu_Tensor.place)
if paddle.device.is_compiled_with_cuda() and paddle.device.cuda.device_count() > 0:
    print('gpu Tensor: ', paddle.to_tensor(1, place=paddle.CUDAPlace(0)).place)
    print('pin memory Tensor: ', paddle.to_tensor(1, place=paddle.CUDAPinnedPlace()).place)
else:
    print('gpu Tensor: (this paddle has no GPU)')

# %% [markdown]
# ## 1.2.3 张量与 Numpy 数组转换

# %%
ndim_1_Tensor = paddle.to_tensor([1., 2.])
print('Tensor to convert: ', ndim_1_Tensor.numpy())

# %% [markdown]
# ## 1.2.4 张量的访问
#
# paddle 2.5 起（2.6 与 3.x），用一个整数索引一维张量得到 0 维张量（书印的是 `shape=[1]`）。

# %%
ndim_1_Tensor = paddle.to_tensor([0, 1, 2, 3, 4, 5, 6, 7, 8])
print("Origin Tensor:", ndim_1_Tensor)
print("First element:", ndim_1_Tensor[0])
print("Last element:", ndim_1_Tensor[-1])
print("All element:", ndim_1_Tensor[:])
print("Before 3:", ndim_1_Tensor[:3])
print("Interval of 3:", ndim_1_Tensor[::3])
print("Reverse:", ndim_1_Tensor[::-1])
shapes["first_element"] = list(ndim_1_Tensor[0].shape)

ndim_2_Tensor = paddle.to_tensor([[0, 1, 2, 3],
                                  [4, 5, 6, 7],
                                  [8, 9, 10, 11]])
print("Origin Tensor:", ndim_2_Tensor)
print("First row:", ndim_2_Tensor[0])
print("First row:", ndim_2_Tensor[0, :])
print("First column:", ndim_2_Tensor[:, 0])
print("Last column:", ndim_2_Tensor[:, -1])
print("All element:", ndim_2_Tensor[:])
print("First row and second column:", ndim_2_Tensor[0, 1])

ndim_2_Tensor = paddle.ones([2, 3], dtype='float32')
print('Origin Tensor: ', ndim_2_Tensor)
ndim_2_Tensor[0] = 0
print('change Tensor: ', ndim_2_Tensor)
ndim_2_Tensor[0:1] = 2.1
print('change Tensor: ', ndim_2_Tensor)
ndim_2_Tensor[...] = 3
print('change Tensor: ', ndim_2_Tensor)

# %% [markdown]
# ## 1.2.5 张量的运算

# %%
x = paddle.to_tensor([[1.1, 2.2], [3.3, 4.4]], dtype="float64")
y = paddle.to_tensor([[5.5, 6.6], [7.7, 8.8]], dtype="float64")
print('Method 1: ', paddle.add(x, y))
print('Method 2: ', x.add(y))
print('abs:', x.abs())
print('exp:', x.exp())
print('x == y:', x.equal_all(y))
print('matmul:', x.matmul(y))

# 广播机制
x = paddle.ones((2, 3, 4))
y = paddle.ones((2, 3, 4))
z = x + y
print('broadcasting with two same shape tensor: ', z.shape)
x = paddle.ones((2, 3, 1, 5))
y = paddle.ones((3, 4, 1))
z = x + y
print('broadcasting with two different shape tensor:', z.shape)
shapes["broadcast"] = list(z.shape)
try:
    paddle.ones((2, 3, 4)) + paddle.ones((2, 3, 6))
    broadcast_error = None
except ValueError as exc:
    broadcast_error = f"ValueError: {str(exc).splitlines()[0]}"
print(broadcast_error)

x = paddle.ones([10, 1, 5, 2])
y = paddle.ones([3, 2, 5])
z = paddle.matmul(x, y)
print('After matmul: ', z.shape)
shapes["matmul"] = list(z.shape)

# %%
S.record(shapes=shapes, ragged_error=ragged_error, broadcast_error=broadcast_error,
         first_element_is_0d=shapes["first_element"] == [])
S.claim(book="[2,3,1,5] 与 [3,4,1] 广播得 [2,3,4,5]; matmul([10,1,5,2], [3,2,5]) 得 [10,3,5,5]; "
             "形状不满足广播规则或参差列表时报错",
        measured=f"broadcast {shapes['broadcast']}, matmul {shapes['matmul']}, "
                 f"errors raised: {ragged_error is not None and broadcast_error is not None}",
        supported=shapes["broadcast"] == [2, 3, 4, 5] and shapes["matmul"] == [10, 3, 5, 5]
        and ragged_error is not None and broadcast_error is not None)
S.save()
