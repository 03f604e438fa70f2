"""Chapter 2 机器学习概述: linear and polynomial regression, least squares, RunnerV1's data helpers."""

__all__ = []
__local__ = ()
