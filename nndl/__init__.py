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

# The book's library, in the book's order: the modules whose ``__all__`` make up the
# top-level namespace.  A module lists in ``__local__`` the names the book gives to two
# different things (2.2.2.1's ``Linear(dimension)``, the three ``plot``s, the two
# ``load_data``/``collate_fn``/``load_vocab``): those stay in their chapter's module
# (``nndl.regression.Linear``), so ``nndl.Linear`` is one thing (4.2.4.4's operator).
_MODULES = (
    "utils",            # seeding and device helpers
    "gradcheck",        # finite differences for the gradient checks
    "op",               # 1.3.1 Op and the hand-written operators (the book's nndl.op)
    "activation",       # 3.1, 3.2.2.1, 4.1.2: logistic, softmax, tanh, relu, leaky_relu
    "loss",             # 3.1.3, 3.2.3, 4.2.3: the hand-written losses
    "optimizer",        # 3.1.4, 7.3: the hand-written optimizers
    "lr",               # 7.3.2: learning-rate schedules
    "regression",       # chapter 2: linear / polynomial regression, least squares
    "classification",   # chapter 3: Model_LR, Model_SR
    "mlp",              # chapter 4: feed-forward networks
    "conv",             # 5.1-5.2: Conv2D, Pool2D
    "cnn",              # 5.3-5.5: LeNet, ResNet18
    "rnn",              # chapter 6: Embedding, SRN, LSTM, the sequence models
    "attention",        # 8.1-8.2: attention scores, QKV and multi-head self-attention
    "transformer",      # 8.3: the Transformer encoder
    "functions",        # 7.3: the optimized functions and training helpers
    "init",             # 7.4: initialization
    "layers",           # 7.5: BatchNorm, LayerNorm, MLP, MultiConvLayerNet
    "regularization",   # 7.6
    "datasets.toy",     # generated data sets (2.2, 2.3, 3.1, 3.2, 7.4)
    "datasets.boston",  # 2.5
    "datasets.iris",    # 3.3, 4.5
    "datasets.mnist",   # 5.3, 7.2, 7.5
    "datasets.cifar",   # 5.5
    "datasets.digitsum",  # 6.1
    "datasets.imdb",    # 6.4, 8.1, 8.2
    "datasets.lcqmc",   # 8.3
    "metric",           # accuracy, Accuracy, mean_squared_error
    "runner",           # Runner, RunnerV1, RunnerV2, RunnerV2_1, RunnerV2_2, RunnerV3
    "distributed",      # RunnerV3 under paddle.distributed.launch (docs/distributed.md)
    "plot",             # figures and animations
)

_exports = None


def _load_exports():
    """Import every submodule once and map each exported name to its object."""
    global _exports
    if _exports is None:
        exports = {}
        for modname in _MODULES:
            module = importlib.import_module(f".{modname}", __name__)
            local = set(getattr(module, "__local__", ()))
            for name in getattr(module, "__all__", ()):
                if name in local:
                    continue
                obj = getattr(module, name)
                if name in exports and exports[name][1] is not obj:
                    raise ImportError(
                        f"nndl: '{name}' is defined in both nndl.{exports[name][0]} "
                        f"and nndl.{modname}; one implementation per name (or list it in __local__)"
                    )
                exports[name] = (modname, obj)
        _exports = exports
    return _exports


def __getattr__(name):
    if name == "__all__":
        return sorted(_load_exports())
    if name.startswith("__"):
        raise AttributeError(name)
    if name in _MODULES or name in ("datasets", "app", "mnist", "data", "compat"):
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
