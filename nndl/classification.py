"""Chapter 3 线性分类: Model_LR, Model_SR and the chapter's plot(runner)."""

__all__ = []
__local__ = ()
