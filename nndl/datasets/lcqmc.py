"""LCQMC (book 8.3.1): load_lcqmc_data, load_vocab, LCQMCDataset, collate_fn."""

__all__ = []
__local__ = ()
