"""Chapter 5.1-5.2 卷积: Conv2D (the book's three forms) and Pool2D, written from the book's formulas."""

__all__ = []
__local__ = ()
