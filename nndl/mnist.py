"""Chapter-7 import path kept working: ``nndl.mnist`` is :mod:`nndl.datasets.mnist`."""
import sys

from .datasets import mnist as _module

sys.modules[__name__] = _module
