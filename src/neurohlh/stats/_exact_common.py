"""Pieces shared by the numpy (:mod:`._exact`) and compiled (:mod:`._exact_compiled`) exact engines, so that
neither imports the other's internals: the merge grid, the log-factorial table and the composition count
(the limits and the timeout signal are in :mod:`._limits`)."""
from __future__ import annotations

import math

import numpy as np

#: Past log-probabilities closer than this are merged into one entry.
_MERGE_GRID = 1e-10
#: Up to this n the log-factorial table comes from ``math.lgamma``, so a small table never loads
#: ``scipy.special`` (a large part of a one-off process); above it from ``scipy.special.gammaln``.
#: Both are accurate to about one unit in the last place.
_LGAMMA_MAX_N = 20_000


def log_factorials(n: int) -> np.ndarray:
    """``log(k!)`` for k = 0..n."""
    if n <= _LGAMMA_MAX_N:
        return np.fromiter(map(math.lgamma, np.arange(1.0, n + 2.0)), dtype=float, count=n + 1)
    from scipy.special import gammaln

    return gammaln(np.arange(n + 1) + 1.0)


def _count_compositions(limits: np.ndarray, total: int) -> np.ndarray:
    """Number of x with 0 <= x_i <= limits_i and sum(x) == total, per row of ``limits``.

    Inclusion-exclusion over the rows whose bound is exceeded, in exact int64 arithmetic (time
    and memory linear in the number of states); a dynamic program over the total, in chunks of
    states, where that could overflow.
    """
    m, r = limits.shape
    limits = np.asarray(limits, dtype=np.int64)
    if r == 2:
        return np.maximum(0, np.minimum(limits[:, 0], total) - np.maximum(0, total - limits[:, 1]) + 1).astype(float)
    if r <= 10 and math.comb(total + r - 1, r - 1) * (total + r) < 2**62:
        out = np.zeros(m, dtype=np.int64)
        for mask in range(1 << r):
            members = [i for i in range(r) if mask >> i & 1]
            rest = total - (limits[:, members].sum(axis=1) + len(members) if members else np.zeros(m, np.int64))
            ok = rest >= 0
            term = np.where(ok, 1, 0).astype(np.int64)
            base = np.where(ok, rest, 0)
            for j in range(1, r):  # C(rest + r - 1, r - 1), exact: each prefix product is a binomial
                term = term * (base + j) // j
            out += -term if len(members) % 2 else term
        return out.astype(float)
    result = np.empty(m)
    step = max(1, 4_000_000 // (total + 1))
    idx = np.arange(total + 1)
    for lo in range(0, m, step):
        part = limits[lo:lo + step]
        dp = np.zeros((len(part), total + 1))
        dp[:, 0] = 1.0
        for i in range(r):
            cum = np.cumsum(dp, axis=1)
            lagged = idx[None, :] - part[:, i:i + 1] - 1
            dp = cum - np.where(lagged >= 0, np.take_along_axis(cum, np.maximum(lagged, 0), axis=1), 0.0)
        result[lo:lo + step] = dp[:, total]
    return result
