"""Input validation (``_iv_*``) shared by the tests: every bad input becomes an InputError."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from neurohlh.errors import InputError


def _iv_table(table: object, name: str = "table") -> np.ndarray:
    """A 2-D table of nonnegative integer counts with no empty row or column."""
    try:
        arr = np.asarray(table, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"`{name}` must be a 2-D array of counts; could not read it ({exc}).") from exc
    if arr.ndim != 2:
        raise InputError(f"`{name}` must have two dimensions; got {arr.ndim}.")
    if arr.shape[0] < 2 or arr.shape[1] < 2:
        raise InputError(f"`{name}` must have at least 2 rows and 2 columns; got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"`{name}` contains NaN or infinite counts; remove missing values first.")
    if np.any(arr < 0):
        raise InputError(f"All values in `{name}` must be nonnegative.")
    if np.any(arr != np.round(arr)):
        raise InputError(f"All values in `{name}` must be integer counts.")
    if arr.sum() > 2.0**53:
        raise InputError(f"`{name}` totals {arr.sum():.3g}; counts above 2^53 (about 9e15) cannot be "
                         "represented exactly.")
    counts = arr.astype(np.int64)
    for axis, label in ((1, "row"), (0, "column")):
        empty = np.flatnonzero(counts.sum(axis=axis) == 0)
        if len(empty):
            raise InputError(
                f"{label} {int(empty[0]) + 1} of `{name}` is all zero; drop empty categories "
                "before testing (an empty category carries no information and makes expected "
                "counts zero)."
            )
    return counts


def _iv_sample(x: object, name: str, minimum: int = 1) -> np.ndarray:
    """A 1-D finite float sample of at least ``minimum`` values."""
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"`{name}` must be a 1-D sequence of numbers ({exc}).") from exc
    if arr.ndim != 1:
        raise InputError(f"`{name}` must be one-dimensional; got {arr.ndim} dimensions.")
    if np.any(np.isnan(arr)):
        raise InputError(f"`{name}` contains NaN; drop missing values first (complete cases).")
    if np.any(np.isinf(arr)):
        raise InputError(f"`{name}` contains infinite values.")
    if len(arr) < minimum:
        raise InputError(f"`{name}` needs at least {minimum} values; got {len(arr)}.")
    return arr


def _iv_samples(samples: Sequence[object], minimum_groups: int, minimum: int = 1) -> list[np.ndarray]:
    if len(samples) < minimum_groups:
        raise InputError(f"need at least {minimum_groups} samples; got {len(samples)}.")
    return [_iv_sample(s, f"samples[{i}]", minimum) for i, s in enumerate(samples)]


def _iv_choice(value: str, name: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise InputError(f"`{name}` must be one of {sorted(allowed)}; got {value!r}.")
    return value
