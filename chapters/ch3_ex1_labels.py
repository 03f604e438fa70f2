# %% [markdown]
# # 动手练习 3.1 检查数据划分
#
# 打印前 5 个数据的标签，检查数据划分后的格式是否正确。
#
# 3.1.1 用 `make_moons(n_samples=1000, shuffle=True, noise=0.5)` 生成 Moon1000，前 640 条作训练集，
# 接着 160 条作验证集，最后 200 条作测试集，标签 reshape 成 `[N, 1]`（与模型输出 `[N, 1]` 的形状
# 一致，3.1.3 的二分类交叉熵逐元素计算）。这里打印每个划分的前 5 个标签，并检查：形状与数据类型，
# 标签只取 0 和 1，三个划分互不重叠、拼起来正是原数据，每个划分中两类大致各半，以及每个标签
# 确实是其样本所在的那个弯月（同一种子下 `make_moons(noise=None)` 给出同一顺序的无噪声点：
# 先打乱、后加噪声）。

# %%
from nndl.app.script import setup
S = setup("ch3_ex1_labels")

import numpy as np
import paddle

from nndl import make_moons

paddle.set_device("cpu")   # as ch3_1_logistic_regression: the same draws as there

# %%
DATA_SEED = 0                     # as ch3_1_logistic_regression (the book does not seed)
N_SAMPLES = 1000
NOISE = 0.5
NUM_TRAIN, NUM_DEV, NUM_TEST = 640, 160, 200

# %%
paddle.seed(DATA_SEED)
X, y = make_moons(n_samples=N_SAMPLES, shuffle=True, noise=NOISE)
X_train, y_train = X[:NUM_TRAIN], y[:NUM_TRAIN]
X_dev, y_dev = X[NUM_TRAIN:NUM_TRAIN + NUM_DEV], y[NUM_TRAIN:NUM_TRAIN + NUM_DEV]
X_test, y_test = X[NUM_TRAIN + NUM_DEV:], y[NUM_TRAIN + NUM_DEV:]
y_train = y_train.reshape([-1, 1])
y_dev = y_dev.reshape([-1, 1])
y_test = y_test.reshape([-1, 1])
print("X_train shape: ", list(X_train.shape), "y_train shape: ", list(y_train.shape))
# 打印前 5 个数据的标签
print(y_train[:5])

# %% [markdown]
# ## 检查格式

# %%
splits = {'train': (X_train, y_train), 'dev': (X_dev, y_dev), 'test': (X_test, y_test)}
checks, info = {}, {}
for name, (Xs, ys) in splits.items():
    labels = ys.numpy()
    info[name] = {'X_shape': list(Xs.shape), 'y_shape': list(ys.shape), 'X_dtype': str(Xs.dtype).split('.')[-1],
                  'y_dtype': str(ys.dtype).split('.')[-1], 'first5': labels[:5, 0].tolist(),
                  'label_set': sorted(set(labels.ravel().tolist())), 'fraction_1': float(labels.mean())}
    print(f"{name:5s}: X {info[name]['X_shape']} {info[name]['X_dtype']}, y {info[name]['y_shape']} "
          f"{info[name]['y_dtype']}, first 5 labels {info[name]['first5']}, labels {info[name]['label_set']}, "
          f"{info[name]['fraction_1']:.1%} of class 1")
sizes = [info[n]['y_shape'][0] for n in splits]
checks['sizes 640/160/200'] = sizes == [NUM_TRAIN, NUM_DEV, NUM_TEST]
checks['X is [N, 2] float32, y is [N, 1] float32'] = all(
    i['X_shape'] == [i['y_shape'][0], 2] and i['y_shape'][1:] == [1] and i['X_dtype'] == 'float32'
    and i['y_dtype'] == 'float32' for i in info.values())
checks['labels are 0 and 1'] = all(i['label_set'] == [0.0, 1.0] for i in info.values())
checks['each split has both classes, 40%-60%'] = all(0.4 <= i['fraction_1'] <= 0.6 for i in info.values())
together = np.concatenate([s[0].numpy() for s in splits.values()])
checks['the splits put together are the data, in order'] = bool(np.array_equal(together, X.numpy()))
rows = [{tuple(r) for r in s[0].numpy().tolist()} for s in splits.values()]
checks['no sample in two splits'] = (len(rows[0] & rows[1]) + len(rows[0] & rows[2]) + len(rows[1] & rows[2])) == 0

# 每个标签是否是其样本所在的弯月: 同一种子下的无噪声数据 (randperm 在加噪声之前)
paddle.seed(DATA_SEED)
X_clean, y_clean = make_moons(n_samples=N_SAMPLES, shuffle=True, noise=None)
Xc = X_clean.numpy()
on_outer = np.isclose(np.hypot(Xc[:, 0], Xc[:, 1]), 1.0, atol=1e-5)
on_inner = np.isclose(np.hypot(Xc[:, 0] - 1.0, Xc[:, 1] - 0.5), 1.0, atol=1e-5)
labels_all = np.concatenate([s[1].numpy().ravel() for s in splits.values()])
moon_label = np.where(on_outer & ~on_inner, 0.0, np.where(on_inner & ~on_outer, 1.0, np.nan))
known = ~np.isnan(moon_label)
checks['every label is the moon of its point'] = bool(np.array_equal(labels_all[known], moon_label[known])
                                                      and known.mean() > 0.99)
noise_std = float((X.numpy() - Xc).std())
checks[f'features = moon point + noise of std {NOISE}'] = bool(abs(noise_std - NOISE) < 0.05)
for name, ok in checks.items():
    print(f"[{'ok' if ok else 'FAILED'}] {name}")
print(f"noise std {noise_std:.4f}; {known.sum()} of {N_SAMPLES} points lie on exactly one moon")

# %%
S.record(splits=info, checks=checks, noise_std=noise_std)
S.claim(book="动手练习 3.1: 打印前 5 个数据的标签，检查数据划分后的格式是否正确",
        measured=f"first 5 training labels {info['train']['first5']}; "
                 f"{sum(checks.values())} of {len(checks)} checks pass"
                 + ("" if all(checks.values()) else f" (failed: {[k for k, v in checks.items() if not v]})"),
        supported=bool(all(checks.values())))
S.save()
