"""CIFAR-10 (book 5.5): load_cifar10_batch, CIFAR10Dataset."""

__all__ = []
__local__ = ()
