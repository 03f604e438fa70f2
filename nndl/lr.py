"""(placeholder: filled in by its chapter-7 section)."""
__all__ = []
