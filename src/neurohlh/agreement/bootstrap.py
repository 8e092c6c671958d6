"""Seeded case-level bootstrap: resample cases (MR studies) with replacement, the same resamples for every field.

A resample is a vector of case counts (how often each case was drawn), so a statistic that is a function of a
matrix summed over cases is recomputed for all ``B`` resamples by one matrix product. Drawing the counts once per
cohort and reusing them for every field keeps the fields' intervals consistent with each other (one resample is
one imaginary replication of the whole reading study).
"""
from __future__ import annotations

import numpy as np

#: Default number of bootstrap resamples and seed (results are reproducible run to run).
N_BOOT = 2000
SEED = 20210


def resample_counts(n_cases: int, n_boot: int = N_BOOT, seed: int = SEED) -> np.ndarray:
    """``(n_boot, n_cases)`` array: how often each case is drawn in each resample (rows sum to ``n_cases``)."""
    if n_cases == 0 or n_boot <= 0:
        return np.zeros((max(n_boot, 0), n_cases))
    rng = np.random.default_rng(seed)
    counts = np.empty((n_boot, n_cases), dtype=np.float64)
    for start in range(0, n_boot, 256):  # blocks keep the index arrays small
        stop = min(n_boot, start + 256)
        draws = rng.integers(0, n_cases, size=(stop - start, n_cases), dtype=np.int64)
        draws += (np.arange(stop - start, dtype=np.int64) * n_cases)[:, None]
        counts[start:stop] = np.bincount(draws.ravel(), minlength=(stop - start) * n_cases).reshape(-1, n_cases)
    return counts


def resampled_sums(counts: np.ndarray, contributions: np.ndarray) -> np.ndarray:
    """Sum per-case contributions ``(n, ...)`` over each resample: ``(B, ...)`` by one matrix product."""
    n = contributions.shape[0]
    flat = contributions.reshape(n, -1)
    return (counts @ flat).reshape((counts.shape[0],) + contributions.shape[1:])


def percentile_interval(replicates: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """Percentile interval of the finite replicates (NaN, NaN when fewer than half are finite)."""
    finite = replicates[np.isfinite(replicates)]
    if finite.size == 0 or finite.size < replicates.size / 2:
        return (float("nan"), float("nan"))
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(finite, [tail, 100 - tail])
    return (float(low), float(high))
