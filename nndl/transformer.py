"""Chapter 8.3: the Transformer encoder for LCQMC text matching."""

__all__ = []
__local__ = ()
