"""Chapter 4 前馈神经网络: Model_MLP_L2 (hand-written backward), the paddle MLPs, print_grads, plot."""

__all__ = []
__local__ = ()
