"""Tables where R's fisher.test is inexact and neurohlh's exact p-value is right.

FEXACT merges past-path values within its tolerance, which on some 2xK tables moves its p-value
far from the exact one.  R's values come from ``tests/stats/r/make_exact_r_differs.R``; the
independent reference is a seeded Monte Carlo estimate over random tables with the observed
margins (Patefield's algorithm), whose standard error is known.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from neurohlh.stats._exact import ffh_exact, ffh_monte_carlo

DATA = json.loads((Path(__file__).parent / "data" / "r_exact_r_differs.json").read_text())
RESAMPLES = 60_000


@pytest.mark.parametrize("case", DATA["cases"], ids=lambda c: c["name"])
def test_exact_p_agrees_with_monte_carlo_where_r_does_not(case):
    table = np.array(case["table"])
    exact = ffh_exact(table, time_budget=None).pvalue
    estimate, se, _ = ffh_monte_carlo(table, RESAMPLES, seed=11)
    se = max(se, math.sqrt(exact * (1 - exact) / RESAMPLES))
    assert abs(exact - estimate) < 4 * se  # the exact value is inside the Monte Carlo interval
    assert abs(case["r_p"] - estimate) > 10 * se  # R's is more than 10 standard errors away
    assert ffh_exact(table, time_budget=None, engine="numpy").pvalue == pytest.approx(exact, rel=1e-9)
