"""Figures and animations of chapter 7 (book 7.3: optimizer trajectories and loss curves).

Helpers take numpy arrays (paddle tensors are converted), return the figure,
save it when given a path, and never call ``show()``.  ``matplotlib`` is imported
when a helper runs, not when ``nndl`` is imported.

- :func:`plot_loss`: iteration and epoch loss curves (7.3.1.2);
- :class:`Visualization`: contours of a 2-D test function with the update trajectory (7.3.1.1);
- :class:`Visualization3D`: the animated trajectories of 7.3.4 (a
  ``matplotlib.animation.FuncAnimation``); save it with :meth:`Visualization3D.save_gif`
  (pillow) or :meth:`Visualization3D.save_html` (self-contained, ``to_jshtml``): no ffmpeg needed;
  the book's ``anim.to_html5_video()`` falls back to ``to_jshtml`` (with a warning) without ffmpeg;
- :func:`plot_surface_3d` and :func:`plot_trajectories_3d`: the static 3-D figures.
"""
import numpy as np

__all__ = ["plot_loss", "Visualization", "Visualization3D", "plot_surface_3d",
           "plot_trajectories_3d", "evaluate_on_grid"]

# the book's palette
_COLORS = ['#e4007f', '#f19ec2', '#c44e52']


def _np(x):
    if hasattr(x, "numpy") and callable(x.numpy):
        return x.numpy()
    return np.asarray(x)


def _save(fig, fig_name):
    if fig_name:
        fig.savefig(str(fig_name).replace(" ", ""), bbox_inches="tight")
    return fig


def evaluate_on_grid(model, x1, x2):
    """f on a grid: ``model`` is called with a float32 paddle tensor [2, H, W] (a book Op, whose
    ``params`` are restored afterwards) or is a numpy function of (x1, x2).  输出 numpy [H, W]."""
    params = getattr(model, "params", None)
    saved = dict(params) if isinstance(params, dict) else None
    try:
        import paddle
        z = model(paddle.to_tensor(np.stack([x1, x2]).astype("float32")))
    except (ImportError, TypeError, AttributeError):
        z = model(np.stack([x1, x2]))
    finally:
        if saved is not None:   # evaluating the grid must not replace the model's x
            params.clear()
            params.update(saved)
    return _np(z)


def plot_loss(iter_loss, epoch_loss, fig_name=None):
    """可视化损失函数的变化趋势 (book 7.3.1.2): iteration loss (left), epoch loss (right).

    输入: iter_loss [num_iters], epoch_loss [num_epochs], fig_name (saved when given).
    输出: the figure.
    """
    import matplotlib.pyplot as plt
    fig = plt.figure(figsize=(10, 4))
    ax1 = fig.add_subplot(121)
    ax1.plot(np.arange(1, len(iter_loss) + 1), np.asarray(iter_loss, dtype=float), color='#e4007f')
    ax1.set_title('iteration loss')
    ax1.set_xlabel('iteration')
    ax1.set_ylabel('loss')
    ax2 = fig.add_subplot(122)
    ax2.plot(np.arange(1, len(epoch_loss) + 1), np.asarray(epoch_loss, dtype=float), color='#f19ec2')
    ax2.set_title('epoch loss')
    ax2.set_xlabel('epoch')
    ax2.set_ylabel('loss')
    ax2.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    return _save(fig, fig_name)


class Visualization(object):
    """可视化类 (book 7.3.1.1): contours of f on [-5, 5]^2 and the trajectory of x."""

    def __init__(self, low=-5.0, high=5.0, step=0.1):
        # 只画出参数x1和x2在区间[-5, 5]的曲线部分
        x1 = np.arange(low, high, step)
        x2 = np.arange(low, high, step)
        self.x1, self.x2 = np.meshgrid(x1, x2)
        self.init_x = np.stack([self.x1, self.x2])   # [2, H, W]

    def plot_2d(self, model, x, fig_name=None, xlim=(-2, 5), ylim=(-2, 5), points=None):
        """可视化参数更新轨迹.

        输入:
            - model: 被优化函数 (evaluated on the grid, see :func:`evaluate_on_grid`)
            - x: 轨迹 shape=[T, 2] (numpy or paddle)
            - fig_name: saved when given
            - points: optional ``{label: (x1, x2)}`` marked with stars (default: the optimum (0, 0))
        输出: the figure.
        """
        import matplotlib.pyplot as plt
        x = _np(x)
        if x.ndim != 2 or x.shape[1] != 2:
            raise ValueError(f"plot_2d: the trajectory must have shape [T, 2], got {list(x.shape)}")
        z = evaluate_on_grid(model, self.x1, self.x2)
        fig, ax = plt.subplots(figsize=(10, 6))
        cp = ax.contourf(self.x1, self.x2, z, colors=_COLORS)
        ax.contour(self.x1, self.x2, z, colors='black')
        fig.colorbar(cp)
        ax.plot(x[:, 0], x[:, 1], '-o', color='#000000')
        points = {"optimum": (0.0, 0.0)} if points is None else points
        for label, (p1, p2) in points.items():
            ax.plot(p1, p2, '*', markersize=18, color='#fefefe', markeredgecolor='black', label=label)
        ax.set_xlabel('$x_1$')
        ax.set_ylabel('$x_2$')
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
        return _save(fig, fig_name)


def _grid(low, high, step):
    x = np.arange(low, high, step)
    return np.meshgrid(x, x)


def plot_surface_3d(model, low=-3.0, high=3.0, step=0.1, points=None, fig_name=None, ax=None):
    """被优化函数的三维图像 (book 7.3.4, 'opti-f-3d.pdf').

    输入: model (evaluated on the grid [low, high)^2), points ``{label: (x1, x2)}`` marked
    on the surface, fig_name.  输出: (fig, ax), ax a 3-D axes that the animation can reuse.
    """
    import matplotlib.pyplot as plt
    x1, x2 = _grid(low, high, step)
    z = evaluate_on_grid(model, x1, x2)
    if ax is None:
        fig = plt.figure()
        # computed_zorder=False: lines drawn after the surface stay on top of it (matplotlib's
        # depth sorting otherwise hides trajectories behind a translucent surface)
        ax = fig.add_subplot(projection='3d', computed_zorder=False)
    else:
        fig = ax.figure
    # a light, translucent surface, so that the trajectories drawn on it are visible
    ax.plot_surface(x1, x2, z, color='#d9d9d9', alpha=0.35, linewidth=0, zorder=0)
    for (label, (p1, p2)), c in zip((points or {}).items(), ('#1f77b4', '#2ca02c', '#d62728')):
        pz = evaluate_on_grid(model, np.array([[p1]]), np.array([[p2]]))[0, 0]
        ax.scatter([p1], [p2], [pz], s=60, color=c, marker='*', label=label, depthshade=False)
    ax.set_xlabel('x1')
    ax.set_ylabel('x2')
    ax.set_zlabel('f(x1,x2)')
    _save(fig, fig_name)
    return fig, ax


class Visualization3D(object):
    """绘制动态图像，可视化参数更新轨迹 (book 7.3.4).

    A ``matplotlib.animation.FuncAnimation`` (the class is built on first use, so
    importing nndl does not import matplotlib).

    输入:
        - xy_values: 每个优化器的轨迹 shape=[T_i, 2]
        - z_values: 对应的函数值 shape=[T_i]
        - labels, colors: 每条轨迹的标签和颜色
        - fig, ax: the figure and its 3-D axes (e.g. from :func:`plot_surface_3d`)
        - interval: 帧之间的延迟 (ms); blit: 是否优化绘图
        - every: draw every k-th step (1: every step, as the book)
    """

    def __new__(cls, *args, **kwargs):
        # an instance of the FuncAnimation subclass; python then runs its __init__
        return object.__new__(_animation_class())


_ANIM = None


def _animation_class():
    global _ANIM
    if _ANIM is not None:
        return _ANIM
    from itertools import zip_longest

    from matplotlib import animation

    class _Visualization3D(animation.FuncAnimation, Visualization3D):
        __doc__ = Visualization3D.__doc__

        def __init__(self, *xy_values, z_values, labels=(), colors=(), fig, ax, interval=60, blit=True,
                     every=1, **kwargs):
            self.fig = fig
            self.ax = ax
            self.xy_values = [_np(v) for v in xy_values]
            self.z_values = [_np(v).reshape(-1) for v in z_values]
            if len(self.z_values) != len(self.xy_values):
                raise ValueError(f"Visualization3D: {len(self.xy_values)} trajectories but "
                                 f"{len(self.z_values)} z_values")
            for xy, z in zip(self.xy_values, self.z_values):
                if xy.ndim != 2 or xy.shape[1] != 2 or xy.shape[0] != z.shape[0]:
                    raise ValueError(f"Visualization3D: a trajectory of shape {list(xy.shape)} with "
                                     f"z_values of shape {list(z.shape)} (expected [T, 2] and [T])")
            # every: draw every k-th step only (a 3-D surface takes ~0.4 s a frame to render)
            T = max(v.shape[0] for v in self.xy_values)
            every = max(1, int(every))
            frames = list(range(0, T, every)) + [T]
            # later lines thinner on top of earlier ones, so coinciding paths keep every colour visible
            n = len(self.xy_values)
            self.lines = [ax.plot([], [], [], label=label, color=color, lw=1.5 + 1.2 * (n - 1 - i), zorder=10 + i)[0]
                          for i, (_, label, color) in enumerate(zip_longest(self.xy_values, labels, colors))]
            super().__init__(fig, self.animate, init_func=self.init_animation, frames=frames,
                             interval=interval, blit=blit, **kwargs)

        def init_animation(self):
            for line in self.lines:
                line.set_data([], [])
                line.set_3d_properties([])
            return self.lines

        def animate(self, i):
            for line, xy_value, z_value in zip(self.lines, self.xy_values, self.z_values):
                line.set_data(xy_value[:i, 0], xy_value[:i, 1])
                line.set_3d_properties(z_value[:i])
            return self.lines

        def to_html5_video(self, embed_limit=None):
            """The book's ``HTML(anim.to_html5_video())`` (7.3.4).  With matplotlib's movie
            writer (``rcParams['animation.writer']``, ffmpeg by default) available this is
            matplotlib's method, unchanged; without it (matplotlib would raise RuntimeError)
            it warns and returns :meth:`to_jshtml`'s self-contained JavaScript player instead,
            which ``IPython.display.HTML`` shows the same way."""
            import warnings

            import matplotlib as mpl
            name = mpl.rcParams['animation.writer']
            if animation.writers.is_available(name):
                return super().to_html5_video(embed_limit=embed_limit)
            warnings.warn(f"Visualization3D.to_html5_video: the movie writer {name!r} (ffmpeg) is not "
                          f"available; returning to_jshtml() (a JavaScript player) instead",
                          UserWarning, stacklevel=2)
            mode = 'loop' if getattr(self, '_repeat', True) else 'once'
            if embed_limit is None:
                return self.to_jshtml(default_mode=mode)
            with mpl.rc_context({'animation.embed_limit': embed_limit}):   # MB, as matplotlib's
                return self.to_jshtml(default_mode=mode)

        def save_gif(self, path, fps=None, dpi=None):
            """Save as an animated GIF with pillow (no ffmpeg needed)."""
            fps = fps or max(1, round(1000 / self._interval))
            self.save(str(path), writer=animation.PillowWriter(fps=fps), dpi=dpi)
            return path

        def save_html(self, path, dpi=None):
            """Save as a self-contained HTML page (frames embedded by ``to_jshtml``)."""
            from pathlib import Path
            old = self.fig.dpi
            if dpi:
                self.fig.set_dpi(dpi)
            try:
                html = self.to_jshtml()
            finally:
                self.fig.set_dpi(old)
            Path(path).write_text("<!DOCTYPE html>\n<html><body>\n" + html + "\n</body></html>\n",
                                  encoding="utf-8")
            return path

    _ANIM = _Visualization3D
    return _ANIM


TRAJECTORY_COLORS = ('#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd')   # distinct on a grey surface


def plot_trajectories_3d(model, xy_values, z_values, labels, colors=None, points=None, fig_name=None,
                         low=-3.0, high=3.0, step=0.1):
    """Static version of the 7.3.4 animation: left, the surface with every whole trajectory
    (drawn above the surface) and the marked ``points``; right, the same trajectories seen from
    above on the contour map, where none can hide behind the surface.  The legend sits outside
    both plots.  输出: the figure."""
    import matplotlib.pyplot as plt
    colors = list(colors) if colors else list(TRAJECTORY_COLORS)
    fig = plt.figure(figsize=(13, 5.5))
    ax = fig.add_subplot(1, 2, 1, projection='3d', computed_zorder=False)
    plot_surface_3d(model, low, high, step, points=points, ax=ax)
    ax2 = fig.add_subplot(1, 2, 2)
    x1, x2 = _grid(low, high, step)
    zg = evaluate_on_grid(model, x1, x2)
    ax2.contourf(x1, x2, zg, levels=30, cmap='Greys', alpha=0.5)
    ax2.contour(x1, x2, zg, levels=15, colors='#999999', linewidths=0.5)
    for (label, (p1, p2)), c in zip((points or {}).items(), ('#1f77b4', '#2ca02c', '#d62728')):
        ax2.plot(p1, p2, '*', color='k', markersize=12)
        ax2.annotate(label, (p1, p2), textcoords='offset points', xytext=(6, 6), fontsize=8)
    handles = []
    n = len(xy_values)
    for i, (xy, z, label) in enumerate(zip(xy_values, z_values, labels)):
        xy, z = _np(xy), _np(z).reshape(-1)
        color = colors[i % len(colors)]
        # later trajectories are drawn thinner on top of earlier ones, so paths that coincide
        # (AdaGrad and Adam from (2, 3)) still show every colour
        lw = 1.5 + 1.2 * (n - 1 - i)
        ax.plot(xy[:, 0], xy[:, 1], z, color=color, lw=lw, zorder=10 + i)
        if len(xy):
            ax.scatter(xy[-1:, 0], xy[-1:, 1], z[-1:], color=color, s=30, zorder=20 + i, depthshade=False)
        (h,) = ax2.plot(xy[:, 0], xy[:, 1], '-', color=color, lw=lw, label=label, zorder=10 + i)
        handles.append(h)
    ax2.set_xlim(low, high)
    ax2.set_ylim(low, high)
    ax2.set_xlabel('x1')
    ax2.set_ylabel('x2')
    ax2.set_title('top view')
    fig.legend(handles=handles, labels=list(labels), loc='center right', frameon=True)
    fig.subplots_adjust(right=0.86)
    return _save(fig, fig_name)
