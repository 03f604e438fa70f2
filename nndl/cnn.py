"""Chapter 5.3-5.5: Model_LeNet, ResBlock, Model_ResNet18."""

__all__ = []
__local__ = ()
