"""Chapter-7 import path kept working: ``nndl.data`` is :mod:`nndl.datasets.toy`."""
import sys

from .datasets import toy as _module

sys.modules[__name__] = _module
