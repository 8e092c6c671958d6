"""The exact test's time budget, memory cap and cost estimate, and the Monte Carlo fallback.

Expected p-values come from R (tests/stats/r/make_reference_edge.R) or are written out by hand.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from neurohlh.errors import StatisticalWarning
from neurohlh.stats import fisher_exact
from neurohlh.stats._exact import ffh_exact, ffh_monte_carlo

EDGE = {c["kind"]: c for c in json.loads((Path(__file__).parent / "data" / "r_reference_edge.json").read_text())["cases"]}

#: 5x5 n = 80; R fisher.test(workspace = 2e8)$p.value = 0.04204154396757
FIVE_BY_FIVE = [[5, 5, 3, 2, 1], [3, 3, 1, 1, 10], [4, 2, 3, 7, 5], [4, 2, 2, 3, 0], [3, 2, 5, 3, 1]]
#: 2x10 n = 200 (tests/stats/data/r_reference.json "2x10 n=200 hard"): exact p = 5.08e-30
TINY_P = [[1, 5, 0, 4, 26, 5, 1, 22, 14, 25], [11, 27, 20, 8, 0, 13, 11, 1, 0, 6]]


@pytest.fixture(autouse=True, scope="module")
def _kernels_loaded():
    """Load the compiled kernels once before these tests: loading numba and its cache (seconds on a
    loaded machine) is not the work whose limits they check."""
    ffh_exact(np.array([[3, 1, 0, 2, 1], [0, 2, 3, 1, 0], [2, 2, 1, 0, 3]]), engine="compiled", time_budget=None)


def _monte_carlo(table, **kwargs):
    with pytest.warns(StatisticalWarning, match="Monte Carlo"):
        return fisher_exact(table, **kwargs)


def test_monte_carlo_p_is_never_zero():
    # The exact p is 5e-30, so none of 999 random tables is as extreme as the observed one (b = 0):
    # (b + 1) / (B + 1) = 1 / 1000 (Phipson & Smyth 2010), not 0 / 999.
    r = _monte_carlo(TINY_P, time_budget=0, n_resamples=999)
    assert r.method == "monte-carlo"
    assert r.pvalue == pytest.approx(1 / 1000, rel=1e-15)
    assert r.standard_error == pytest.approx(math.sqrt(0.001 * 0.999 / 999))
    assert "(b + 1) / (B + 1)" in r.reason


def test_monte_carlo_counts_the_observed_table_as_one_draw():
    # [[1, 0], [0, 1]]: both tables with these margins have P = 1/2, so every draw is at most as
    # probable as the observed one: b = B and (b + 1) / (B + 1) = 1.
    p, se, b = ffh_monte_carlo(np.array([[1, 0], [0, 1]]), 500, seed=1)
    assert (p, se, b) == (1.0, 0.0, 500)


def test_reason_names_the_time_budget():
    # What stops the exact method first depends on this machine's speed: the clock itself, or the
    # stage-by-stage estimate that the work left cannot fit the time still left. Either way the reason
    # names the 0.3 s budget, and never the memory cap.
    r = _monte_carlo(FIVE_BY_FIVE, time_budget=0.3, n_resamples=2000)
    assert "reached its time budget (0.3 s)" in r.reason or "over the 0.3 s time budget" in r.reason
    assert "memory" not in r.reason
    assert r.detail("exact_seconds") < 3.0


def test_reason_names_the_memory_cap_not_the_budget():
    r = _monte_carlo(FIVE_BY_FIVE, time_budget=60, memory_limit=3e6, n_resamples=2000)
    assert "memory cap" in r.reason and "time budget" not in r.reason
    assert "memory cap" in r.warnings[-1]
    # stopped well before the 60 s budget would have
    assert r.detail("exact_seconds") < 30


def test_large_three_by_three_is_decided_up_front_within_the_budget():
    # ~3,000 counts: R's FEXACT needs about 10 s (p = 0.3525); our network has about 2e10 arcs, far
    # more than a 5 s budget, which the cost estimate sees before any enumeration.
    case = EDGE["fisher_large"]
    r = _monte_carlo(case["table"], time_budget=5, n_resamples=20_000)
    assert "cost estimate" in r.reason and "time_budget=" in r.reason
    assert r.detail("exact_seconds") < 5
    assert r.detail("exact_budget_needed") > 5
    assert abs(r.pvalue - case["p"]) < 4 * r.standard_error


def test_nine_thousand_counts_do_not_raise_memory_error():
    rng = np.random.default_rng(1)
    table = rng.multinomial(9000, np.ones(9) / 9).reshape(3, 3)
    r = _monte_carlo(table, time_budget=5, n_resamples=20_000)
    assert r.detail("exact_seconds") < 5
    assert r.method == "monte-carlo" and "cost estimate" in r.reason


def test_a_larger_budget_forces_the_exact_test():
    case = EDGE["fisher_force"]  # 3x3 n = 150, R fisher.test p = 0.2773
    small = _monte_carlo(case["table"], time_budget=1e-4, n_resamples=2000)
    assert "was not started" in small.reason
    assert small.detail("exact_budget_needed") > 1e-4
    exact = fisher_exact(case["table"], time_budget=None)
    assert exact.method == "exact"
    assert exact.pvalue == pytest.approx(case["p"], rel=1e-9)


def test_a_two_by_twenty_table_with_millions_of_entries_per_state_keeps_its_budget():
    # 2x20, n = 300, random dependence: a few thousand fillings per stage, but single states carry
    # millions of undecided partial tables.  Work is cut by fillings x entries, so the budget is
    # checked about every 0.1 s (it used to run a whole stage in one call: 39 s on a 10 s budget).
    table = [[2, 1, 14, 14, 2, 23, 6, 6, 1, 16, 15, 50, 6, 15, 0, 10, 6, 0, 14, 16],
             [7, 3, 6, 6, 1, 6, 4, 7, 7, 1, 0, 6, 1, 3, 2, 1, 3, 14, 5, 0]]
    r = _monte_carlo(table, time_budget=3, n_resamples=2000)
    assert r.method == "monte-carlo"
    assert r.detail("exact_seconds") < 3 + 2


def test_a_step_that_cannot_be_interrupted_is_not_started_past_the_budget():
    from neurohlh.stats._limits import ExactTimeout, Limits

    limits = Limits(budget=1.0)
    limits.check_ahead(0.5)  # ends within the second: goes ahead
    with pytest.raises(ExactTimeout) as stopped:
        limits.check_ahead(2.0)  # would end a second past the budget: stopped before it starts
    assert stopped.value.cause == "time"
    assert stopped.value.seconds < 1.0
