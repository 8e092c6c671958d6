"""Stratified tests against R: ``mantelhaen.test`` (asymptotic and exact) and ``survdiff(... + strata())``.

Every expected number comes from tests/stats/data/r_stratified_reference.json, written by
tests/stats/r/make_stratified_reference.R; the hand calculations below need no R.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from neurohlh.errors import InputError
from neurohlh.stats import fisher_exact
from neurohlh.stats.stratified import cmh_test, stratified_logrank

REFERENCE = json.loads((Path(__file__).parent / "data" / "r_stratified_reference.json").read_text())


def _close(ours: float, r: float | None, rel: float = 1e-6) -> bool:
    if r is None:  # R's NA (e.g. no CI for an infinite or zero Mantel-Haenszel odds ratio)
        return math.isnan(ours)
    if math.isinf(r):
        return math.isinf(ours)
    return ours == pytest.approx(r, rel=rel, abs=1e-12)


@pytest.mark.parametrize("case", REFERENCE["cmh"], ids=[c["name"] for c in REFERENCE["cmh"]])
def test_cmh_matches_r_mantelhaen_test(case):
    corrected = cmh_test(case["tables"], correction=True)
    assert _close(corrected.statistic, case["corrected"]["statistic"])
    assert _close(corrected.pvalue, case["corrected"]["p"])
    assert _close(corrected.effect_size.estimate, case["corrected"]["estimate"])
    assert _close(corrected.effect_size.ci.low, case["corrected"]["ci"][0], 1e-5)
    assert _close(corrected.effect_size.ci.high, case["corrected"]["ci"][1], 1e-5)
    uncorrected = cmh_test(case["tables"], correction=False)
    assert _close(uncorrected.statistic, case["uncorrected"]["statistic"])
    assert _close(uncorrected.pvalue, case["uncorrected"]["p"])


@pytest.mark.parametrize("case", REFERENCE["cmh"], ids=[c["name"] for c in REFERENCE["cmh"]])
def test_exact_conditional_test_matches_r_mantelhaen_test_exact(case):
    exact = cmh_test(case["tables"], exact=True)
    assert exact.method == "exact"
    assert exact.statistic == case["exact"]["statistic"]
    assert _close(exact.pvalue, case["exact"]["p"], 1e-9)
    # R finds the estimate and the limits with uniroot at its default tolerance (eps**0.25 = 1.22e-4), on psi in
    # (0, 1) or on 1/psi in (0, 1) above 1: compare on that scale, within that tolerance.
    for ours, r in ((exact.effect_size.estimate, case["exact"]["estimate"]),
                    (exact.effect_size.ci.low, case["exact"]["ci"][0]),
                    (exact.effect_size.ci.high, case["exact"]["ci"][1])):
        if math.isinf(r) or r == 0:
            assert ours == r
        else:
            scale = (lambda v: v) if r <= 1 else (lambda v: 1 / v)
            assert abs(scale(ours) - scale(r)) < 1.3e-4, (ours, r)


def test_exact_confidence_limits_solve_their_tail_equations():
    """Rabbits (R's ?mantelhaen.test example, S = 16): at the limits each one-sided tail equals 0.025."""
    from neurohlh.stats.stratified import _product_hypergeometric

    case = next(c for c in REFERENCE["cmh"] if c["name"] == "rabbits")
    tables = np.array(case["tables"])
    ci = cmh_test(tables, exact=True).effect_size.ci
    lo, hi, dc = _product_hypergeometric(tables)
    support = np.arange(lo, hi + 1)

    def tail(psi: float, upper: bool) -> float:
        d = dc * psi ** (support - 16.0)
        d = d / d.sum()
        return float(d[support >= 16].sum() if upper else d[support <= 16].sum())

    assert tail(ci.low, upper=True) == pytest.approx(0.025, rel=1e-8)
    assert tail(ci.high, upper=False) == pytest.approx(0.025, rel=1e-8)


def test_exact_test_of_one_stratum_is_fishers_exact_test():
    """With K = 1 the conditional distribution is the hypergeometric one: Fisher's test and its conditional MLE."""
    table = [[7, 3], [2, 8]]
    ours = cmh_test([table], exact=True)
    fisher = fisher_exact(table)
    assert ours.pvalue == pytest.approx(fisher.pvalue, rel=1e-12)


def test_exact_distribution_by_hand():
    """Two strata [[1, 1], [1, 1]]: each top-left cell is 0, 1, 2 with probabilities 1/6, 4/6, 1/6; their sum S
    has probabilities (1, 8, 18, 8, 1)/36 on 0..4. Observed S = 2 + 2 = 4 (tables [[2, 0], [0, 2]]): the tables
    no more probable than it are S = 0 and S = 4, so P = 2/36."""
    result = cmh_test([[[2, 0], [0, 2]], [[2, 0], [0, 2]]], exact=True)
    assert result.pvalue == pytest.approx(2 / 36, rel=1e-12)
    assert math.isinf(result.effect_size.estimate)  # S at the top of its support: the estimate is infinite
    assert math.isinf(result.effect_size.ci.high)


def test_cmh_statistic_by_hand():
    """Strata [[2, 5], [3, 6]] and [[3, 4], [1, 8]] (n = 16 each). E(a) = 7*5/16 = 2.1875 and 7*4/16 = 1.75;
    V = 7*9*5*11/(16**2*15) = 0.90234 and 7*9*4*12/(16**2*15) = 0.7875; sum(a - E) = 5 - 3.9375 = 1.0625;
    uncorrected chi-square = 1.0625**2 / 1.68984 = 0.66805; corrected (1.0625 - 0.5)**2 / 1.68984 = 0.18724."""
    tables = [[[2, 5], [3, 6]], [[3, 4], [1, 8]]]
    v = 7 * 9 * 5 * 11 / (16**2 * 15) + 7 * 9 * 4 * 12 / (16**2 * 15)
    assert cmh_test(tables, correction=False).statistic == pytest.approx(1.0625**2 / v)
    assert cmh_test(tables).statistic == pytest.approx(0.5625**2 / v)


def test_bad_tables_are_input_errors():
    with pytest.raises(InputError, match="shape"):
        cmh_test([[1, 2], [3, 4]])
    with pytest.raises(InputError, match="whole counts"):
        cmh_test([[[1, 2.5], [3, 4]]])
    with pytest.raises(InputError, match="at least 2 subjects"):
        cmh_test([[[1, 0], [0, 0]]])


def test_strata_too_small_are_left_out_and_said():
    result = cmh_test([[[2, 5], [3, 6]], [[3, 4], [1, 8]], [[1, 0], [0, 0]]], exact=True)
    assert result.detail("strata") == 2
    assert any("fewer than 2 subjects" in w for w in result.warnings)


@pytest.mark.parametrize("case", REFERENCE["logrank"], ids=[c["name"] for c in REFERENCE["logrank"]])
def test_stratified_logrank_matches_r_survdiff(case):
    known = [i for i, (t, e) in enumerate(zip(case["time"], case["event"])) if t is not None and e is not None]
    time, event, group, stratum = ([case[k][i] for i in known] for k in ("time", "event", "group", "stratum"))
    result = stratified_logrank(time, event, group, stratum)  # R's Surv() drops the unknown outcomes too
    assert result.statistic == pytest.approx(case["chisq"], rel=1e-9)
    assert result.df == case["df"]
    assert result.pvalue == pytest.approx(case["p"], rel=1e-9)
    for g, o, e in zip(case["groups"], case["observed"], case["expected"]):
        assert result.detail(f"observed[{g}]") == pytest.approx(o)
        assert result.detail(f"expected[{g}]") == pytest.approx(e, rel=1e-9)


def test_stratified_logrank_with_one_stratum_is_the_logrank_test():
    from neurohlh.stats import logrank

    t = np.array([1, 2, 3, 4, 5, 6, 7, 8.0])
    e = np.array([1, 1, 0, 1, 1, 0, 1, 0])
    g = np.array(list("xyxyxyxy"))
    assert stratified_logrank(t, e, g, ["s"] * 8).statistic == pytest.approx(logrank(t, e, g).statistic)


def test_stratified_logrank_rejects_missing_strata():
    with pytest.raises(InputError, match="strata"):
        stratified_logrank([1, 2, 3], [1, 0, 1], ["a", "b", "a"], ["s", None, "s"])
