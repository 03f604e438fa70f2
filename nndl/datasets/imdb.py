"""IMDB (book 6.4): load_imdb_data, load_vocab, IMDBDataset, collate_fn."""

__all__ = []
__local__ = ()
