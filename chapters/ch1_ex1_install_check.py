# %% [markdown]
# # 动手练习 1.1 验证飞桨的安装
#
# 书（1.1.1.2）的练习：进入 python 解释器导入飞桨（paddle），验证安装是否成功；输入
# `paddle.__version__` 验证版本；输入 `paddle.utils.run_check()`，如出现
# “PaddlePaddle is installed successfully!”，则说明已正确安装。
#
# 书推荐飞桨 2.2.2；nndl 在 paddle 2.6.2 与 3.3.1 上测试（见 docs/versions.md）。
# 这里再打印 `python -m nndl doctor` 的前几行：飞桨的版本与构建（CPU/GPU、CUDA）、
# 看得到的 GPU、以及 nndl 将使用的设备。

# %%
from nndl.app.script import setup
S = setup("ch1_ex1_install_check")

import contextlib
import io

# %% [markdown]
# ## 1) import paddle 与 2) paddle.__version__

# %%
import paddle

print("paddle.__version__:", paddle.__version__)

# %% [markdown]
# ## 3) paddle.utils.run_check()
#
# run_check 训练一个小网络并打印结论；这里把它打印的文字也记下来，以便判断。

# %%
buffer = io.StringIO()
error = None
with contextlib.redirect_stdout(buffer):
    try:
        paddle.utils.run_check()
    except Exception as exc:   # a broken install: say so instead of stopping
        error = f"{type(exc).__name__}: {exc}"
printed = buffer.getvalue()
print(printed.rstrip())
if error:
    print("run_check failed:", error)
SUCCESS = "PaddlePaddle is installed successfully!"
installed = error is None and SUCCESS in printed

# %% [markdown]
# ## nndl 将使用的设备（`python -m nndl doctor` 的飞桨部分）

# %%
from nndl.app import doctor

checks = doctor.paddle_checks()
doctor.report(checks, summary=False)
by_name = {c.name: c for c in checks}
device_ok = by_name["device"].status == "ok"

# %%
S.record(paddle_version=paddle.__version__, build=by_name["paddle"].detail, device=by_name["device"].detail,
         run_check_printed=printed.strip().splitlines(), run_check_ok=installed, device_ok=device_ok)
S.claim(book="输入 paddle.utils.run_check()，如出现“PaddlePaddle is installed successfully!”，则说明已正确安装",
        measured=(f"paddle {paddle.__version__}: run_check " + ("printed 'PaddlePaddle is installed successfully!'"
                                                               if installed else f"did not succeed ({error or printed.strip()!r})")
                  + f"; device {by_name['device'].detail}"),
        supported=installed and device_ok)
S.save()
