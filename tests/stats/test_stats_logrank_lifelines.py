"""The log-rank test (statsmodels ``survdiff`` inside :func:`neurohlh.stats.logrank`) against a second
implementation, lifelines' ``multivariate_logrank_test``, on random survival data with ties, heavy censoring and
two to four groups. R's ``survdiff`` values are checked in ``test_stats_reference_r.py``."""
from __future__ import annotations

import numpy as np
import pytest

from neurohlh.stats import logrank


@pytest.mark.parametrize("seed", range(40))
def test_logrank_equals_lifelines(seed):
    from lifelines.statistics import multivariate_logrank_test

    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(6, 250)), int(rng.integers(2, 5))
    time = rng.integers(1, 25, n).astype(float) if seed % 2 else rng.exponential(12.0, n).round(1)
    event = rng.random(n) < rng.uniform(0.15, 1.0)
    event[0] = True
    group = np.arange(n) % k  # every group present
    expected = multivariate_logrank_test(time, group, event)
    result = logrank(time, event, group)
    assert result.statistic == pytest.approx(expected.test_statistic, rel=1e-10)
    assert result.pvalue == pytest.approx(expected.p_value, rel=1e-9, abs=1e-300)
    assert result.df == k - 1
