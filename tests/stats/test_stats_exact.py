"""The exact Fisher-Freeman-Halton algorithm against brute-force enumeration, plus invariants."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurohlh.errors import StatisticalWarning
from neurohlh.stats import fisher_exact
from neurohlh.stats._exact import ExactTimeout, ffh_exact, ffh_monte_carlo


def _log_prob(t: np.ndarray) -> float:
    """Hypergeometric log-probability written out: prod(row!) prod(col!) / (n! prod(cell!))."""
    lf = lambda v: math.lgamma(v + 1)
    return (sum(lf(v) for v in t.sum(1)) + sum(lf(v) for v in t.sum(0))
            - lf(t.sum()) - sum(lf(v) for v in t.ravel()))


def brute_force_ffh(table) -> float:
    """Enumerate every table with the observed margins (independent of the network code)."""
    t = np.asarray(table)
    rows, cols = t.sum(1), t.sum(0)
    # R: fisher.test uses P <= P_obs (1 + 1e-7) for 2x2; FEXACT (larger tables) uses
    # log P <= log P_obs + TOL with TOL = 3.45254e-7 (fexact.c).
    limit = _log_prob(t) + (math.log1p(1e-7) if t.shape == (2, 2) else 3.45254e-7)
    total = 0.0

    def fill(i: int, remaining: tuple[int, ...], done: list[tuple[int, ...]]) -> None:
        nonlocal total
        if i == len(rows) - 1:
            cand = np.array(done + [remaining])
            lp = _log_prob(cand)
            if lp <= limit:
                total += math.exp(lp)
            return
        for row in itertools.product(*(range(min(c, rows[i]) + 1) for c in remaining)):
            if sum(row) == rows[i]:
                fill(i + 1, tuple(c - x for c, x in zip(remaining, row)), done + [row])

    fill(0, tuple(cols), [])
    return min(total, 1.0)


def _random_tables(seed: int, count: int):
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < count:
        r, c, n = rng.integers(2, 5), rng.integers(2, 5), rng.integers(2, 18)
        t = rng.multinomial(n, rng.dirichlet(np.ones(r * c))).reshape(r, c)
        t = t[t.sum(1) > 0][:, t[t.sum(1) > 0].sum(0) > 0]
        if min(t.shape) >= 2:
            out.append(t)
    return out


@pytest.mark.parametrize("table", _random_tables(7, 60), ids=lambda t: "x".join(map(str, t.shape)))
def test_exact_matches_brute_force_enumeration(table):
    expected = brute_force_ffh(table)
    assert ffh_exact(table).pvalue == pytest.approx(expected, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("meet", [1, 2, 3])
def test_every_meeting_stage_gives_the_same_answer(meet):
    table = np.array([[3, 1, 0, 2], [0, 2, 3, 1], [2, 2, 1, 0]])
    assert ffh_exact(table, meet=meet).pvalue == pytest.approx(brute_force_ffh(table), rel=1e-12)


def test_symmetric_table_counts_ties_with_observed():
    # [[1,0],[0,1]]: both tables have P = 1/2, so two-sided p = 1 (tolerance keeps ties).
    assert ffh_exact(np.array([[1, 0], [0, 1]])).pvalue == pytest.approx(1.0)


def test_two_by_two_matches_hypergeometric_sum_written_out():
    # 3/4 vs 0/4: P(a) = C(4,a) C(4,3-a) / C(8,3); observed a=3 has P = 4/56 and so has a=0.
    p = fisher_exact([[3, 1], [0, 4]]).pvalue
    assert p == pytest.approx(8 / 56, rel=1e-12)


def test_time_budget_falls_back_to_seeded_monte_carlo():
    table = [[5, 5, 3, 2, 1], [3, 3, 1, 1, 10], [4, 2, 3, 7, 5], [4, 2, 2, 3, 0], [3, 2, 5, 3, 1]]
    with pytest.warns(StatisticalWarning, match="Monte Carlo"):
        r = fisher_exact(table, time_budget=0.0, n_resamples=20_000, seed=1)
    assert r.method == "monte-carlo"
    assert "Monte Carlo" in r.test and "budget" in r.reason
    assert r.standard_error == pytest.approx(math.sqrt(r.pvalue * (1 - r.pvalue) / 20_000))
    # exact value from R fisher.test(workspace = 2e8): 0.04204154396...
    assert abs(r.pvalue - 0.0420415439672) < 4 * r.standard_error
    with pytest.warns(StatisticalWarning):
        again = fisher_exact(table, time_budget=0.0, n_resamples=20_000, seed=1)
    assert again.pvalue == r.pvalue


def test_timeout_is_raised_by_the_core():
    with pytest.raises(ExactTimeout):
        ffh_exact(np.array([[5, 5, 3, 2], [3, 3, 1, 10], [4, 2, 7, 5], [4, 2, 3, 0]]), time_budget=0.0)


def test_monte_carlo_agrees_with_exact_on_a_small_table():
    table = np.array([[8, 2, 3], [1, 5, 4]])
    p, se, _ = ffh_monte_carlo(table, 40_000, seed=3)
    assert abs(p - ffh_exact(table).pvalue) < 4 * se


tables = st.integers(2, 4).flatmap(
    lambda r: st.integers(2, 4).flatmap(
        lambda c: st.lists(st.lists(st.integers(0, 6), min_size=c, max_size=c), min_size=r, max_size=r)
    )
).map(np.array).filter(lambda t: (t.sum(0) > 0).all() and (t.sum(1) > 0).all())


@settings(max_examples=60, deadline=None)
@given(tables, st.randoms(use_true_random=False))
def test_pvalue_invariant_to_transpose_and_row_column_permutation(table, rnd):
    # time_budget=None: the exact p-value always (a loaded machine must not turn one call into Monte Carlo).
    p = fisher_exact(table, time_budget=None).pvalue
    assert 0.0 <= p <= 1.0
    assert fisher_exact(table.T, time_budget=None).pvalue == pytest.approx(p, rel=1e-9)
    rows = list(range(table.shape[0]))
    cols = list(range(table.shape[1]))
    rnd.shuffle(rows)
    rnd.shuffle(cols)
    assert fisher_exact(table[rows][:, cols], time_budget=None).pvalue == pytest.approx(p, rel=1e-9)


def test_extreme_two_by_two_near_the_underflow_floor():
    # [[500, 0], [0, 500]]: only this table and its mirror have P = 1 / C(1000, 500), so p = 2 / C(1000, 500).
    log_c = math.lgamma(1001) - 2 * math.lgamma(501)
    r = fisher_exact([[500, 0], [0, 500]])
    assert r.pvalue == pytest.approx(2 * math.exp(-log_c), rel=1e-9)
    assert math.isinf(r.effect_sizes[1].estimate)


def test_large_two_by_two_is_fast_and_matches_normal_theory_order():
    # n = 100,000: the exact p and the Pearson p of a large 2x2 table agree to about 1%.
    from neurohlh.stats import chi_square

    table = [[50000, 50000], [49000, 51000]]
    exact, pearson = fisher_exact(table, time_budget=30).pvalue, chi_square(table).pvalue
    assert exact == pytest.approx(pearson, rel=0.05)
