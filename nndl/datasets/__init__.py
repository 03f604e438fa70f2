"""The book's data sets, all through one mechanism (:mod:`nndl.datasets.base`).

One module per data set: ``toy`` (the generated sets of chapters 2, 3 and 7), ``mnist``,
``boston``, ``iris``, ``cifar``, ``digitsum``, ``imdb``, ``lcqmc``.  Each finds its files
through :func:`nndl.datasets.base.locate`: an explicit path, ``$NNDL_DATA``, nndl's cache,
paddle's cache, a registry package that ships the data, then a downloader only when asked.
"""
