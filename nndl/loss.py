"""The book's hand-written losses (3.1.3 BinaryCrossEntropyLoss, 3.2.3 MultiCrossEntropyLoss, 4.2.3 BinaryCrossEntropyLoss(model))."""

__all__ = []
__local__ = ()
