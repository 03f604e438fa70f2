"""nndl: the library built in 《神经网络与深度学习：案例与实践》, on today's PaddlePaddle.

Every name the book imports from ``nndl`` is available here (``from nndl import
RunnerV3, make_moons, Accuracy``); the hand-written operators live in
``nndl.op`` as in the book (``from nndl.op import SimpleBatchGD``).

Importing ``nndl`` has no side effects and does not even import paddle: the
submodules are loaded on first use of a name (PEP 562).  This lets entry points
(the chapter scripts, ``python -m nndl``) silence paddle's import-time notices
before paddle is imported.
"""
import importlib

__version__ = "0.1.0"

# The submodules whose ``__all__`` make up the top-level namespace, in order.
_MODULES = (
    "utils",
    "gradcheck",
    "op",
    "optimizer",
    "lr",
    "functions",
    "init",
    "layers",
    "regularization",
    "data",
    "mnist",
    "metric",
    "runner",
    "plot",
)

_exports = None


def _load_exports():
    """Import every submodule once and map each exported name to its object."""
    global _exports
    if _exports is None:
        exports = {}
        for modname in _MODULES:
            module = importlib.import_module(f".{modname}", __name__)
            for name in getattr(module, "__all__", ()):
                obj = getattr(module, name)
                if name in exports and exports[name][1] is not obj:
                    raise ImportError(
                        f"nndl: '{name}' is defined in both nndl.{exports[name][0]} "
                        f"and nndl.{modname}; one implementation per name"
                    )
                exports[name] = (modname, obj)
        _exports = exports
    return _exports


def __getattr__(name):
    if name == "__all__":
        return sorted(_load_exports())
    if name.startswith("__"):
        raise AttributeError(name)
    if name in _MODULES or name in ("script", "cli"):
        # ``import nndl; nndl.op.Linear`` works without ``import nndl.op``
        return importlib.import_module(f".{name}", __name__)
    exports = _load_exports()
    if name in exports:
        value = exports[name][1]
        globals()[name] = value
        return value
    raise AttributeError(f"module 'nndl' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | set(_load_exports()))
