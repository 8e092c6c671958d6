"""Pieces shared by the numpy (:mod:`._exact`) and compiled (:mod:`._exact_compiled`) exact engines, so that
neither imports the other's internals: the merge grid, the timeout signal and the composition count."""
from __future__ import annotations

import numpy as np

#: Past log-probabilities closer than this are merged into one entry.
_MERGE_GRID = 1e-10


class ExactTimeout(Exception):
    """The exact computation exceeded its time budget or its memory guard."""


def _count_compositions(limits: np.ndarray, total: int) -> np.ndarray:
    """Number of x with 0 <= x_i <= limits_i and sum(x) == total, per row of ``limits``."""
    m, r = limits.shape
    if r == 2:
        return np.maximum(0, np.minimum(limits[:, 0], total) - np.maximum(0, total - limits[:, 1]) + 1).astype(float)
    dp = np.zeros((m, total + 1))
    dp[:, 0] = 1.0
    idx = np.arange(total + 1)
    for i in range(r):
        cum = np.cumsum(dp, axis=1)
        lagged = idx[None, :] - limits[:, i:i + 1] - 1
        dp = cum - np.where(lagged >= 0, np.take_along_axis(cum, np.maximum(lagged, 0), axis=1), 0.0)
    return dp[:, total]
