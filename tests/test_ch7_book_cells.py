"""Behaviours the book's own chapter-7 notebook cells rely on, with the package's
definitions in place of the cells that define them."""
import warnings

import numpy as np
import pytest


def _tiny_animation():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from nndl.plot import Visualization3D

    fig = plt.figure()
    ax = plt.axes(projection='3d')
    xy = [np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 1.5]]), np.array([[1.0, 0.0], [0.5, 0.5]])]
    z = [np.array([0.0, 1.0, 2.0]), np.array([1.0, 0.5])]
    anim = Visualization3D(*xy, z_values=z, labels=['SGD', 'Adam'], colors=['#9c9d9f', '#000000'],
                           fig=fig, ax=ax)
    return plt, fig, anim


def test_7_3_4_to_html5_video_works_without_ffmpeg(monkeypatch):
    # book 7.3.4, In[81]: ``HTML(anim.to_html5_video())`` on the Visualization3D animation.
    # Without an ffmpeg writer matplotlib raises RuntimeError; the package falls back to the
    # self-contained JavaScript player (to_jshtml) and says so.
    from matplotlib import animation
    plt, fig, anim = _tiny_animation()
    monkeypatch.setattr(animation.writers, "is_available", lambda name: False)
    try:
        with pytest.warns(UserWarning, match="ffmpeg|to_jshtml"):
            html = anim.to_html5_video()
        assert isinstance(html, str)
        assert "<script" in html and "data:image/png;base64" in html
    finally:
        plt.close(fig)


def test_7_3_4_to_html5_video_uses_the_writer_when_there_is_one(monkeypatch):
    # with a writer available, the matplotlib method runs unchanged (no warning, its own result)
    from matplotlib import animation
    plt, fig, anim = _tiny_animation()
    seen = {}

    def fake(self, embed_limit=None):
        seen["called"] = embed_limit
        return "<video></video>"

    monkeypatch.setattr(animation.writers, "is_available", lambda name: True)
    monkeypatch.setattr(animation.Animation, "to_html5_video", fake)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert anim.to_html5_video(embed_limit=5) == "<video></video>"
        assert seen == {"called": 5}
    finally:
        plt.close(fig)


def test_7_3_4_to_html5_video_fallback_honours_embed_limit(monkeypatch):
    import matplotlib as mpl
    from matplotlib import animation
    plt, fig, anim = _tiny_animation()
    seen = {}
    real = anim.to_jshtml

    def spy(*args, **kwargs):
        seen["limit"] = mpl.rcParams["animation.embed_limit"]
        return real(*args, **kwargs)

    monkeypatch.setattr(animation.writers, "is_available", lambda name: False)
    monkeypatch.setattr(anim, "to_jshtml", spy)
    try:
        with pytest.warns(UserWarning):
            anim.to_html5_video(embed_limit=7)
        assert seen["limit"] == 7
    finally:
        plt.close(fig)
