"""DigitSum (book 6.1.1): generate_data, load_data, DigitSumDataset."""

__all__ = []
__local__ = ()
