"""Chapter 8.1-8.2 注意力机制: attention scores, masked softmax, QKV and multi-head self-attention."""

__all__ = []
__local__ = ()
