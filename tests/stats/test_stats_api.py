"""Policies, result objects, formatting, adjustment, input validation and invariants."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import neurohlh.stats as ns
from neurohlh.errors import InputError
from neurohlh.stats import (
    adjust_pvalues,
    categorical_panel,
    chi_square,
    compare_categorical,
    compare_continuous,
    fisher_exact,
    format_fixed,
    format_p,
    kaplan_meier,
    kruskal,
    logrank,
    mann_whitney,
    shapiro,
    t_test,
)

# ---------------------------------------------------------------- policies and reasons


def test_exact_policy_switches_to_fisher_below_expected_5():
    r = compare_categorical([[8, 24], [1, 24]], policy="exact")  # min E = 9*25/57 = 3.947
    assert r.test == "Fisher exact"
    assert r.reason.startswith("expected count 3.95 < 5, so Fisher exact")
    assert r.method == "exact"


def test_exact_policy_keeps_pearson_when_all_expected_at_least_5():
    r = compare_categorical([[19, 13], [9, 16]], policy="exact")  # min E = 25*28/57 = 12.28
    assert r.test == "Pearson chi-square"
    assert "minimum 12.28" in r.reason


def test_exact_policy_uses_ffh_for_sparse_rxc():
    r = compare_categorical([[0, 21], [2, 3], [1, 5]])
    assert r.test == "Fisher-Freeman-Halton exact"


def test_paper_policy_is_pearson_even_when_sparse_and_says_so():
    r = compare_categorical([[0, 21], [2, 3], [1, 5]], policy="paper")
    assert r.test == "Pearson chi-square" and r.df == 2
    assert "ignored, as in the paper" in r.reason
    assert any("expected count < 5" in w for w in r.warnings)


def test_cochran_policy():
    assert compare_categorical([[19, 13], [9, 16]], policy="cochran").test == "Pearson chi-square"
    assert compare_categorical([[3, 29], [1, 24]], policy="cochran").test == "Fisher exact"


def test_unknown_policy_is_rejected_with_allowed_values():
    with pytest.raises(InputError, match="`policy` must be one of"):
        compare_categorical([[1, 2], [3, 4]], policy="spss")


NORMAL_A = [4.1, 5.0, 5.3, 4.7, 5.9, 5.2, 4.4, 5.5, 4.9, 5.1]
NORMAL_B = [5.8, 6.1, 5.4, 6.6, 6.0, 5.7, 6.3, 5.2, 6.9, 6.2]
SKEWED = [1, 1, 1, 2, 1, 1, 2, 1, 30, 45]


def test_paper_policy_normal_data_runs_student_t():
    r = compare_continuous(NORMAL_A, NORMAL_B, policy="paper")
    assert r.test == "Student t"
    assert "Shapiro-Wilk on the variable (n = 20)" in r.reason
    assert r.detail("shapiro_p") > 0.05


def test_paper_policy_tests_normality_of_the_variable_not_of_each_group():
    # Two normal groups 10 units apart: each group passes Shapiro-Wilk (P = .998), but the variable, the 20 values
    # pooled, is bimodal (Shapiro-Wilk P = 9.0e-05, scipy.stats.shapiro), so the paper's rule ("data from the
    # collected variables were assessed for normality") takes the rank test while the per-group rule takes Welch t.
    shifted = [x + 10 for x in NORMAL_A]
    paper = compare_continuous(NORMAL_A, shifted, policy="paper")
    assert paper.test == "Mann-Whitney U" and "on the variable (n = 20)" in paper.reason
    assert paper.detail("shapiro_p") == pytest.approx(8.967e-05, rel=1e-3)
    assert compare_continuous(NORMAL_A, shifted, policy="exact").test == "Welch t"


def test_paper_policy_non_normal_runs_spss_mann_whitney():
    r = compare_continuous(NORMAL_A, SKEWED, policy="paper")
    assert r.test == "Mann-Whitney U" and r.method == "asymptotic"
    assert "Shapiro-Wilk on the variable (n = 20)" in r.reason and "without continuity correction" in r.reason


def test_exact_policy_prefers_welch_and_exact_rank_test():
    assert compare_continuous(NORMAL_A, NORMAL_B).test == "Welch t"
    r = compare_continuous([1.5, 2.25, 3.1, 80.0], [4.2, 5.3, 6.4, 7.7, 8.8, 9.9, 99.0])
    assert r.test == "Mann-Whitney U" and r.method == "exact"


def test_three_groups_use_anova_or_kruskal():
    assert compare_continuous(NORMAL_A, NORMAL_B, NORMAL_A[::-1], policy="paper").test == "one-way ANOVA"
    assert compare_continuous(NORMAL_A, NORMAL_B, SKEWED, policy="paper").test == "Kruskal-Wallis"


def test_group_too_small_for_shapiro_falls_back_to_rank_test_with_reason():
    r = compare_continuous([1.0, 2.0], [3.0, 4.0, 5.0, 6.0], policy="exact")
    assert r.test == "Mann-Whitney U"
    assert "group 1 has fewer than 3" in r.reason
    # the paper's rule checks the 6 values of the variable together, which it can
    assert "on the variable (n = 6)" in compare_continuous([1.0, 2.0], [3.0, 4.0, 5.0, 6.0], policy="paper").reason


# ---------------------------------------------------------------- result objects


def test_results_are_frozen_and_serialisable():
    r = fisher_exact([[19, 11], [6, 14]])
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.pvalue = 0.5  # type: ignore[misc]
    d = json.loads(json.dumps(r.to_dict()))
    assert d["test"] == "Fisher exact" and d["df"] is None and d["n"] == 50
    assert [e["name"] for e in d["effect_sizes"]] == ["difference in proportions", "odds ratio", "Cramer's V"]
    text = str(r)
    assert "Fisher exact" in text and "why:" in text and "95% CI" in text


def test_difference_in_proportions_hand_computed():
    # 19/30 - 6/20 = 0.63333 - 0.3 = 0.33333
    es = fisher_exact([[19, 11], [6, 14]]).effect_size
    assert es.name == "difference in proportions" and es.estimate == pytest.approx(1 / 3)
    assert es.ci.low < 1 / 3 < es.ci.high


def test_cramers_v_hand_computed():
    # 2x2 [[10, 0], [0, 10]]: chi2 = 20, n = 20, V = 1
    r = chi_square([[10, 0], [0, 10]])
    assert r.statistic == pytest.approx(20.0)
    assert r.effect_sizes[-1].estimate == pytest.approx(1.0)


def test_rank_biserial_hand_computed():
    # x all below y: U1 = 0, r = 2*0/(3*4) - 1 = -1
    r = mann_whitney([1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0])
    assert r.statistic == 0.0
    assert r.effect_sizes[1].estimate == pytest.approx(-1.0)
    # exact two-sided p = 2 / C(7, 3) = 2/35
    assert r.pvalue == pytest.approx(2 / 35)


def test_panel_has_spss_rows_and_footnote():
    panel = categorical_panel([[8, 24], [1, 24]])
    assert [r.test for r in panel.results] == [
        "Pearson chi-square", "Yates-corrected chi-square", "likelihood-ratio chi-square", "Fisher exact"]
    assert panel.cells_below_5 == 1 and panel.min_expected == pytest.approx(9 * 25 / 57)
    assert "1 of 4 cells" in str(panel)
    assert json.dumps(panel.to_dict())
    with pytest.raises(KeyError):
        panel["t test"]


def test_panel_rejects_tables_without_two_levels():
    with pytest.raises(InputError, match="2x2, Rx2 or 2xC"):
        categorical_panel(np.ones((3, 3), dtype=int))


# ---------------------------------------------------------------- formatting and adjustment


@pytest.mark.parametrize("p, text", [
    (0.0412, ".04"), (0.0004, "<.001"), (0.287, ".3"), (0.0043, ".004"), (0.001, ".001"),
    (0.00096, "<.001"), (0.0096, ".01"), (0.096, ".1"), (0.5, ".5"), (0.962, ".96"), (0.995, ">.99"),
    (0.080, ".08"), (0.00057, "<.001"), (1.0, ">.99"), (0.0, "<.001"),
])
def test_format_p_journal(p, text):
    assert format_p(p) == text


def test_format_p_truncate_and_fixed():
    assert format_p(0.0454, truncate=True) == ".04"
    assert format_p(0.0454) == ".045"  # two digits would carry it across .05 (AMA: three digits)
    assert format_p(0.0412, style="fixed") == ".041"
    assert format_p(0.0412, style="fixed", leading_zero=True) == "0.041"
    assert format_p(0.0004, style="fixed") == "<.001"
    assert format_fixed(1.005, 2) == "1.01" and format_fixed(None) == "NA"


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan")])
def test_format_p_rejects_non_probabilities(bad):
    with pytest.raises(InputError, match="`p`"):
        format_p(bad)


def test_adjust_pvalues_hand_computed():
    # Holm: sorted .01,.03,.04 times 3,2,1 -> .03,.06,.04 -> monotone .03,.06,.06
    assert adjust_pvalues([0.01, 0.04, 0.03], "holm") == pytest.approx((0.03, 0.06, 0.06))
    # BH: .01*3/1=.03, .03*3/2=.045, .04*3/3=.04 -> monotone from the top: .03, .04, .04
    assert adjust_pvalues([0.01, 0.04, 0.03], "bh") == pytest.approx((0.03, 0.04, 0.04))
    with pytest.raises(InputError, match="`method`"):
        adjust_pvalues([0.1], "bonferroni")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        adjust_pvalues([0.1, float("nan")])


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("table, message", [
    ([[1, -2], [3, 4]], "nonnegative"),
    ([[1, 2.5], [3, 4]], "integer"),
    ([[0, 0], [3, 4]], "row 1 of `table` is all zero"),
    ([[0, 2], [0, 4]], "column 1 of `table` is all zero"),
    ([[1, float("nan")], [3, 4]], "NaN"),
    ([1, 2, 3], "two dimensions"),
    ([[1, 2, 3]], "at least 2 rows"),
    ("abc", "2-D array"),
])
@pytest.mark.parametrize("func", [fisher_exact, chi_square, compare_categorical])
def test_bad_tables_raise_input_error(func, table, message):
    with pytest.raises(InputError, match=message):
        func(table)


def test_bad_samples_raise_input_error():
    with pytest.raises(InputError, match="NaN"):
        mann_whitney([1.0, float("nan")], [2.0, 3.0])
    with pytest.raises(InputError, match="at least 3 values for Shapiro-Wilk"):
        shapiro([1.0, 2.0])
    with pytest.raises(InputError, match="identical"):
        shapiro([2.0, 2.0, 2.0])
    with pytest.raises(InputError, match="at least 2 values"):
        t_test([1.0], [2.0, 3.0])
    with pytest.raises(InputError, match="zero variance"):
        t_test([1.0, 1.0], [2.0, 2.0])
    with pytest.raises(InputError, match="identical"):
        kruskal([1.0, 1.0], [1.0, 1.0])
    with pytest.raises(InputError, match="`method` must be one of"):
        mann_whitney([1.0], [2.0], method="permutation")  # type: ignore[arg-type]


def test_bad_survival_input_raises_input_error():
    with pytest.raises(InputError, match="`event`"):
        kaplan_meier([1, 2, 3], [1, 2, 0])
    with pytest.raises(InputError, match="NaN"):
        kaplan_meier([1, float("nan")], [1, 0])
    with pytest.raises(InputError, match="two groups"):
        logrank([1, 2, 3], [1, 0, 1], ["a", "a", "a"])
    with pytest.raises(InputError, match="same length"):
        logrank([1, 2, 3], [1, 0, 1], ["a", "b"])


def test_exact_with_ties_falls_back_with_a_reason():
    r = mann_whitney([1.0, 2.0, 2.0], [3.0, 4.0, 5.0], method="exact")
    assert r.method == "asymptotic" and "ties present" in r.warnings[0]


# ---------------------------------------------------------------- invariants


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 20), min_size=3, max_size=12), st.lists(st.integers(0, 20), min_size=3, max_size=12))
def test_swapping_groups_keeps_two_sided_p(x, y):
    x, y = np.array(x, float), np.array(y, float)
    if np.ptp(np.concatenate([x, y])) == 0:
        return
    a, b = mann_whitney(x, y), mann_whitney(y, x)
    assert 0 <= a.pvalue <= 1 and a.pvalue == pytest.approx(b.pvalue, rel=1e-9)
    if np.var(x) > 0 or np.var(y) > 0:
        assert t_test(x, y).pvalue == pytest.approx(t_test(y, x).pvalue, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), min_size=2, max_size=4))
def test_contingency_p_in_unit_interval_and_row_swap_invariant(rows):
    t = np.array(rows)
    if (t.sum(0) == 0).any() or (t.sum(1) == 0).any():
        return
    for func in (fisher_exact, chi_square):
        p = func(t).pvalue
        assert 0.0 <= p <= 1.0
        assert func(t[::-1]).pvalue == pytest.approx(p, rel=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(0.1, 50), st.booleans()), min_size=1, max_size=25))
def test_km_survival_is_non_increasing_and_in_unit_interval(obs):
    time, event = zip(*obs)
    s = np.array(kaplan_meier(time, event).curves[0].survival)
    assert np.all((s >= 0) & (s <= 1)) and np.all(np.diff(s) <= 1e-15)


def test_public_api_names():
    for name in ("fisher_exact", "chi_square", "mann_whitney", "t_test", "kruskal", "anova", "shapiro",
                 "logrank", "kaplan_meier", "compare_categorical", "compare_continuous", "adjust_pvalues",
                 "format_p", "categorical_panel"):
        assert name in ns.__all__ and callable(getattr(ns, name))
    assert ns.formatting.format_p(0.5) == ".5"


def test_allowed_values_are_listed_in_a_stable_order():
    # A set prints in hash order, which changes between runs; the message lists the sorted choices.
    from neurohlh.stats._validation import _iv_choice

    with pytest.raises(InputError, match=r"^`policy` must be one of \['exact', 'fisher', 'paper'\]; got 'x'\.$"):
        _iv_choice("x", "policy", ("paper", "fisher", "exact"))
