"""Boston house prices (book 2.5), offline."""

__all__ = []
__local__ = ()
