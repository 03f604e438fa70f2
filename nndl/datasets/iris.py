"""Iris (book 3.3.1.2 load_data, 4.5.2.1 IrisDataset), from scikit-learn's bundled copy."""

__all__ = []
__local__ = ()
