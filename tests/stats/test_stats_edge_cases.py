"""Edge cases from an independent recomputation in R: formatting, Hodges-Lehmann levels, extreme
values, group labels, large counts and the Kaplan-Meier median rule.

Expected values come from tests/stats/r/make_reference_edge.R (tests/stats/data/r_reference_edge.json)
or from hand calculations written out in the test.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from neurohlh.errors import InputError
from neurohlh.stats import (
    ConfidenceInterval,
    chi_square,
    fisher_exact,
    format_estimate,
    format_fixed,
    format_p,
    kaplan_meier,
    logrank,
    mann_whitney,
    t_test,
)

EDGE = json.loads((Path(__file__).parent / "data" / "r_reference_edge.json").read_text())["cases"]


def _cases(kind: str) -> list[dict]:
    return [c for c in EDGE if c["kind"] == kind]


# ---------------------------------------------------------------- format_p


@pytest.mark.parametrize("p, text", [
    (np.float64(0.04), ".04"), (np.float32(0.04), ".04"), (np.float16(0.25), ".3"),
    (np.float64(0.0004), "<.001"), (1, ">.99"), (0, "<.001"),
])
def test_format_p_accepts_numpy_scalars(p, text):
    assert format_p(p) == text


@pytest.mark.parametrize("bad", [True, False, np.bool_(True), "0.04", None])
def test_format_p_rejects_booleans_and_non_numbers(bad):
    with pytest.raises(InputError):
        format_p(bad)


@pytest.mark.parametrize("p, text", [
    # two decimals would print .05 for a P below .05; AMA style allows three digits (.045)
    (0.0454, ".045"), (0.0451, ".045"), (0.049, ".049"),
    # three digits would still carry it (.0496 -> .050): one more digit
    (0.0496, ".0496"), (0.04996, ".04996"),
    # no carry: one significant figure as before, and P >= .05 never gains digits
    (0.0412, ".04"), (0.05, ".05"), (0.0501, ".05"), (0.0549, ".05"), (0.0096, ".01"),
])
def test_format_p_never_rounds_a_significant_p_up_to_05(p, text):
    assert format_p(p) == text


def test_truncation_and_fixed_style_keep_their_digits():
    assert format_p(0.0454, truncate=True) == ".04"  # truncation never carries upwards
    assert format_p(0.0496, style="fixed") == ".050"  # fixed style prints SPSS's 3 decimals


@pytest.mark.parametrize("value, text", [
    (-0.0032, "-0.0032"), (0.0032, "0.0032"), (-0.00004567, "-0.000046"),
    (3.104, "3.1"), (2.0, "2"), (-0.004, "-0.004"), (0.0, "0"), (-1.2345, "-1.23"),
    (np.float32(0.5), "0.5"), (math.inf, "inf"), (None, "n/a"),
])
def test_estimates_and_ci_bounds_never_print_a_false_zero(value, text):
    assert format_estimate(value) == text


def test_fixed_format_of_huge_and_numpy_values():
    assert format_fixed(np.float64(0.04), 3) == "0.040"
    assert format_fixed(1e308, 0) == "1" + "0" * 308
    assert str(ConfidenceInterval(-0.0032, 0.25)) == "95% CI -0.003 to 0.250"


def test_effect_text_in_reports_keeps_small_ci_bounds():
    from types import SimpleNamespace

    from neurohlh.reports.tables import effect_text
    from neurohlh.stats import EffectSize

    result = SimpleNamespace(effect_sizes=(EffectSize("difference in proportions", 0.12,
                                                      ConfidenceInterval(-0.0032, 0.25)),))
    assert effect_text(result) == "difference in proportions 0.12 (95% CI -0.0032\u20130.25)"


# ---------------------------------------------------------------- Hodges-Lehmann level


@pytest.mark.parametrize("case", _cases("hl_level"), ids=lambda c: f"n={len(c['x'])},{len(c['y'])}")
def test_hodges_lehmann_reports_the_confidence_level_it_achieves(case):
    """R: wilcox.test(x, y, conf.int = TRUE); attr(conf.int, "conf.level")."""
    r = mann_whitney(case["x"], case["y"])
    hl = r.effect_size
    assert r.pvalue == pytest.approx(case["p"], rel=1e-12)
    assert hl.estimate == pytest.approx(case["estimate"], abs=1e-12)
    assert (hl.ci.low, hl.ci.high) == pytest.approx(tuple(case["ci"]), abs=1e-12)
    assert hl.ci.level == pytest.approx(case["level"], rel=1e-12)
    achieved = not math.isclose(case["level"], 0.95)
    assert any("not achievable" in w for w in r.warnings) is achieved
    assert ("not achievable" in hl.method) is achieved


def test_hodges_lehmann_level_by_hand():
    # x = (1.1, 2.2), y = (3.3, 4.4, 5.5): C(5, 2) = 10 equally likely rank arrangements, one with
    # U = 0, so the widest exact interval (smallest to largest pairwise difference) has level
    # 1 - 2/10 = 0.8, and its bounds are 1.1 - 5.5 = -4.4 and 2.2 - 3.3 = -1.1.
    hl = mann_whitney([1.1, 2.2], [3.3, 4.4, 5.5]).effect_size
    assert hl.ci.level == pytest.approx(0.8)
    assert str(hl.ci) == "80% CI -4.400 to -1.100"


# ---------------------------------------------------------------- t test near the float limits


@pytest.mark.parametrize("case", _cases("ttest_scaled"), ids=lambda c: f"var_equal={c['var_equal']}")
def test_t_test_near_the_largest_float(case):
    """t, df and P do not depend on the unit: R's t.test on x and y gives the answer for 1e308 x, 1e308 y."""
    x, y = np.array(case["x"]) * case["scale"], np.array(case["y"]) * case["scale"]
    assert np.all(np.isfinite(x)) and np.all(np.isfinite(y))
    r = t_test(x, y, equal_var=case["var_equal"])
    assert r.statistic == pytest.approx(case["statistic"], rel=1e-9)
    assert r.df == pytest.approx(case["df"], rel=1e-9)
    assert r.pvalue == pytest.approx(case["p"], rel=1e-9)
    # the mean difference (-1.5167e308) is representable; its lower CI bound is not
    assert r.effect_size.estimate == pytest.approx((0.5 / 3 - 5.05 / 3) * 1e308, rel=1e-12)
    assert any("infinite" in w for w in r.warnings)


def test_t_test_near_the_smallest_float_matches_the_unscaled_test():
    # x 1e-308 apart: squares underflow to 0 unless the data are rescaled first
    x, y = [1.0, 2.0, 3.5], [4.0, 5.0, 7.0]
    tiny = t_test(np.array(x) * 1e-308, np.array(y) * 1e-308)
    plain = t_test(x, y)
    assert tiny.statistic == pytest.approx(plain.statistic, rel=1e-12)
    assert tiny.pvalue == pytest.approx(plain.pvalue, rel=1e-12)


# ---------------------------------------------------------------- survival group labels


_T, _E = [1, 2, 3, 4, 5, 6], [1, 1, 0, 1, 1, 0]


@pytest.mark.parametrize("group", [[1, "1", 2, 2, 1, "1"], ["a", "b", "a", "b", 1, "1"]])
def test_logrank_refuses_labels_that_print_alike_but_differ_in_type(group):
    with pytest.raises(InputError, match="differ in type"):
        logrank(_T, _E, group)
    with pytest.raises(InputError, match="differ in type"):
        kaplan_meier(_T, _E, group)


@pytest.mark.parametrize("missing", [pd.NA, None, float("nan"), np.nan, pd.NaT])
def test_logrank_refuses_missing_group_labels(missing):
    group = [1, missing, 2, 2, 1, 1]
    with pytest.raises(InputError, match="missing"):
        logrank(_T, _E, group)


def test_equal_labels_of_different_numeric_types_are_one_group():
    # 1 and 1.0 are equal values: one group, so the test is the same as with integer labels
    assert logrank(_T, _E, [1.0, 1, 2, 2, 1, 1]).pvalue == logrank(_T, _E, [1, 1, 2, 2, 1, 1]).pvalue


# ---------------------------------------------------------------- large counts


def test_chi_square_with_counts_of_1e12_matches_r():
    (case,) = _cases("chisq_large")
    r = chi_square(case["table"])
    assert r.statistic == pytest.approx(case["statistic"], rel=1e-9)
    assert r.pvalue == pytest.approx(case["p"], rel=1e-9)
    # by hand: odds ratio (1e12 * 1e12) / ((1e12 + 2e6) * 1e12) = 1 / (1 + 2e-6), the sample odds
    # ratio (the conditional MLE's support would have 1e12 points)
    odds = next(e for e in r.effect_sizes if e.name == "odds ratio")
    assert odds.estimate == pytest.approx(1 / (1 + 2e-6), rel=1e-12) and "Woolf" in odds.method


def test_exact_test_refuses_counts_of_1e12_with_a_pointer_to_chi_square():
    with pytest.raises(InputError, match="chi_square"):
        fisher_exact([[10**12, 10**12], [10**12, 10**12]])


@pytest.mark.parametrize("test", [fisher_exact, chi_square])
def test_counts_of_2_to_the_62_are_an_input_error(test):
    with pytest.raises(InputError, match="2\\^53"):
        test([[2**62, 1], [1, 2**62]])


# ---------------------------------------------------------------- Kaplan-Meier median rule


@pytest.mark.parametrize("case", _cases("km_median"), ids=lambda c: ",".join(f"{t:g}" for t in c["time"]))
def test_kaplan_meier_median_follows_print_survfit(case):
    """R: summary(survfit(Surv(time, event) ~ 1))$table[c("median", "0.95LCL", "0.95UCL")]."""
    curve = kaplan_meier(case["time"], case["event"]).curves[0]

    def same(ours, r):
        return (r is None and math.isnan(ours)) or ours == pytest.approx(r)

    assert same(curve.median, case["print_median"])
    assert same(curve.median_ci.low, case["print_lower"])
    assert same(curve.median_ci.high, case["print_upper"])


def test_the_two_r_median_rules_differ_only_on_a_last_flat_stretch_at_one_half():
    # time 1..4, events at 1 and 2: S = 3/4 after t = 1 and exactly 1/2 from t = 2 to the end of
    # follow-up.  print.survfit reports the first time S <= 1/2 (t = 2); quantile.survfit the
    # midpoint of the flat stretch (2 + 4) / 2 = 3.  neurohlh follows print.survfit.
    differ = [c for c in _cases("km_median") if c["print_median"] != c["quantile_median"]]
    assert len(differ) == 3
    assert kaplan_meier([1, 2, 3, 4], [1, 1, 0, 0]).curves[0].median == 2.0


@pytest.mark.parametrize("d, rank_sum, ties", [
    # x = 1, 3 and y = 2, 3. d = 0: pooled 1, 3, 2, 3 -> ranks 1, 3.5, 2, 3.5; x's rank sum 1 + 3.5 = 4.5;
    # tie groups (1), (2), (3, 3): sum(t^3 - t) = 0 + 0 + 6.
    (0.0, 4.5, 6),
    # d = 1: x - d = 0, 2; pooled 0, 2, 2, 3 -> ranks 1, 2.5, 2.5, 4; x's rank sum 1 + 2.5 = 3.5; groups 1, 2, 1.
    (1.0, 3.5, 6),
    # d = -5: x - d = 6, 8 rank above both y: 3 + 4 = 7; no ties.
    (-5.0, 7.0, 0),
])
def test_shifted_rank_sum_by_hand(d, rank_sum, ties):
    import numpy as np

    from neurohlh.stats._effects import _shifted_rank_sum

    got, tie_term = _shifted_rank_sum(np.array([1.0, 3.0]), np.array([2.0, 3.0]), d)
    assert got == rank_sum
    assert tie_term == ties


def test_shifted_rank_sum_ties_within_y_and_across_by_hand():
    # x = 1, 1, 2 and y = 1, 5, 5, d = 0: pooled 1, 1, 1 (ranks 2 each), 2 (rank 4), 5, 5 (5.5 each).
    # x's rank sum 2 + 2 + 4 = 8; tie groups of 3 (x, x, y), 1 and 2 (y, y): 24 + 0 + 6 = 30.
    import numpy as np

    from neurohlh.stats._effects import _shifted_rank_sum

    assert _shifted_rank_sum(np.array([1.0, 1.0, 2.0]), np.array([1.0, 5.0, 5.0]), 0.0) == (8.0, 30)


def test_risk_table_by_hand():
    # times 1 (event), 2 (event), 2 (censored), 3 (censored): at 1, 4 at risk and 1 event; at 2, 3 at risk,
    # 1 event and 1 censored; at 3, 1 at risk and 1 censored.
    import numpy as np

    from neurohlh.stats.survival import _risk_table

    times, d, c, n = _risk_table(np.array([2.0, 1.0, 3.0, 2.0]), np.array([True, True, False, False]))
    assert times.tolist() == [1.0, 2.0, 3.0]
    assert d.tolist() == [1, 1, 0] and c.tolist() == [0, 1, 1] and n.tolist() == [4, 3, 1]


def test_shifted_rank_sum_agrees_with_scipy_rankdata_on_tied_samples():
    import numpy as np
    from scipy.stats import rankdata

    from neurohlh.stats._effects import _shifted_rank_sum

    rng = np.random.default_rng(7)
    for _ in range(50):
        x = rng.integers(0, 8, rng.integers(1, 40)).astype(float)
        y = rng.integers(0, 8, rng.integers(1, 40)).astype(float)
        d = float(rng.integers(-3, 4)) / 2
        ranks = rankdata(np.concatenate([x - d, y]))
        _, counts = np.unique(ranks, return_counts=True)
        assert _shifted_rank_sum(np.sort(x), np.sort(y), d) == (ranks[:len(x)].sum(), np.sum(counts**3 - counts))
