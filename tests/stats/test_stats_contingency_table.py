"""One checked contingency table: expected counts computed once and read by every test of the table; the
Wilson interval and Cramer's V come from SciPy and agree with published and hand-computed values."""
from __future__ import annotations

import math
import sys

import numpy as np
import pytest

from neurohlh.errors import InputError
from neurohlh.stats import categorical_panel, chi_square, compare_categorical, expected_counts, fisher_exact
from neurohlh.stats import _effects
from neurohlh.stats._effects import cramers_v, wilson_interval
from neurohlh.stats.contingency import ContingencyTable, _effects_cached

LIMB_WEAKNESS = [[8, 24], [1, 24]]  # Table 2, limb weakness, pattern 1 vs 2


def test_expected_counts_by_hand():
    # rows 32 and 25, columns 9 and 48, n = 57: E = row x column / n
    t = ContingencyTable.of(LIMB_WEAKNESS)
    hand = np.array([[32 * 9 / 57, 32 * 48 / 57], [25 * 9 / 57, 25 * 48 / 57]])
    assert t.expected == pytest.approx(hand, rel=1e-15)
    assert t.min_expected == pytest.approx(25 * 9 / 57)  # 3.947
    assert (t.cells_below_5, t.share_below_5) == (1, 0.25)
    assert (t.n, t.n_per_group, t.shape) == (57, (32, 25), (2, 2))
    assert expected_counts(LIMB_WEAKNESS) == pytest.approx(hand, rel=1e-15)


def test_the_table_is_checked_once_and_read_only():
    t = ContingencyTable.of(LIMB_WEAKNESS)
    assert ContingencyTable.of(t) is t
    with pytest.raises(ValueError):
        t.counts[0, 0] = 99
    with pytest.raises(ValueError):
        t.expected[0, 0] = 99.0
    with pytest.raises(InputError, match="row 2 of `table` is all zero"):
        ContingencyTable.of([[1, 2], [0, 0]])


@pytest.mark.parametrize("run", [
    lambda t: compare_categorical(t, policy="exact"),  # expected count 3.95 < 5: Fisher
    lambda t: compare_categorical(t, policy="paper"),
    lambda t: compare_categorical(t, policy="cochran"),
    lambda t: categorical_panel(t),  # four tests of the same table
])
def test_expected_counts_are_computed_once_per_table(monkeypatch, run):
    # counts the computations neurohlh asks for (SciPy's own tests compute theirs inside SciPy); Cramer's V
    # reads the chi-square of the table's expected counts
    _effects_cached.cache_clear()
    calls = []
    real = _effects.expected_frequencies

    def counting(observed):
        if sys._getframe(1).f_globals["__name__"].startswith("neurohlh"):
            calls.append(observed)
        return real(observed)

    monkeypatch.setattr(_effects, "expected_frequencies", counting)
    run(LIMB_WEAKNESS)
    assert len(calls) == 1


def test_the_sparsity_caveat_reads_the_same_expected_counts():
    r = chi_square(LIMB_WEAKNESS)
    (caveat,) = r.caveats
    assert caveat.code == "low_expected_count" and caveat.value == pytest.approx(25 * 9 / 57)
    assert caveat.message == "1 of 4 cells (25%) have expected count < 5; the minimum expected count is 3.95"
    assert r.detail("min_expected") == pytest.approx(25 * 9 / 57)
    assert fisher_exact(LIMB_WEAKNESS).caveats == ()  # small counts are why the exact test runs


@pytest.mark.parametrize(("k", "n", "low", "high"), [
    # Newcombe, Stat Med 1998;17:857, Table I, method 3 (Wilson score interval without continuity correction)
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_interval_matches_newcombe_1998(k, n, low, high):
    assert tuple(round(v, 4) for v in wilson_interval(k, n)) == (low, high)


def test_wilson_interval_by_hand():
    # 81/263: p = 0.30798, z = 1.959964; centre = (p + z^2/2n) / (1 + z^2/n),
    # half-width = z sqrt(p(1 - p)/n + z^2/4n^2) / (1 + z^2/n)
    k, n, z = 81, 263, 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert wilson_interval(k, n) == pytest.approx((centre - half, centre + half), rel=1e-13)
    assert wilson_interval(0, 20)[0] == 0.0 and wilson_interval(20, 20)[1] == 1.0  # never outside [0, 1]
    big = wilson_interval(10**12 // 3, 10**12)  # counts of 1e12: no int64 overflow
    assert big[0] < 1 / 3 < big[1] and big[1] - big[0] < 2e-6


def test_cramers_v_by_hand():
    # [[19, 11], [6, 14]]: chi2 = n (ad - bc)^2 / (r1 r2 c1 c2) = 50 x 200^2 / (30 x 20 x 25 x 25) = 5.333,
    # V = sqrt(chi2 / (n (min(R, C) - 1))) = sqrt(5.333 / 50) = 0.3266
    v = cramers_v(np.array([[19, 11], [6, 14]]))
    assert v.estimate == pytest.approx(math.sqrt(50 * 200**2 / (30 * 20 * 25 * 25) / 50), rel=1e-12)
    # 2 x 3: chi2 by hand from E = row x column / n, V = sqrt(chi2 / (n x 1))
    t = np.array([[10, 5, 5], [2, 8, 10]])
    e = np.outer(t.sum(1), t.sum(0)) / t.sum()
    assert cramers_v(t).estimate == pytest.approx(math.sqrt(((t - e) ** 2 / e).sum() / t.sum()), rel=1e-12)
    # and SciPy's association(method="cramer") gives the same values, as does the table's own chi-square
    from scipy.stats.contingency import association

    for table in ([[19, 11], [6, 14]], t, LIMB_WEAKNESS):
        ct = ContingencyTable.of(table)
        v = ct.effect_sizes()[-1].estimate
        assert v == pytest.approx(association(np.array(table), method="cramer", correction=False), rel=1e-12)
        assert v == cramers_v(np.array(table)).estimate
