"""Agreement coefficients against R (psych), published worked examples and hand calculations."""
from __future__ import annotations

import csv
import math
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa

from neurohlh.agreement import cohen_kappa, gwet_ac1, krippendorff_alpha, scott_pi
from neurohlh.errors import InputError

HERE = Path(__file__).parent

# Gwet's irrCAC vignette, data set cont3x3abstractors: 100 pregnancies classified by two abstractors.
ABSTRACTORS = ("Ectopic", "AIU", "NIU")
ABSTRACTORS_TABLE = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]
LESION_NUMBER = ("none", "single", "few", "multiple")
TABLES = {
    "abstractors_3x3": (ABSTRACTORS, ABSTRACTORS_TABLE),
    "lesion_number_4x4": (LESION_NUMBER, [[30, 3, 0, 0], [2, 9, 3, 1], [0, 2, 11, 4], [0, 0, 3, 12]]),
    "rare_finding_2x2": (("yes", "no"), [[1, 3], [2, 94]]),
    "balanced_2x2": (("yes", "no"), [[40, 9], [6, 45]]),
}


def reads(categories, table):
    """Expand a confusion table (rows reader 1) into two lists of case-level reads."""
    r1, r2 = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            r1 += [categories[i]] * count
            r2 += [categories[j]] * count
    return r1, r2


def r_reference():
    lines = [line for line in (HERE / "reference_psych.tsv").read_text().splitlines() if not line.startswith("#")]
    return {(row["table"], row["statistic"]): row for row in csv.DictReader(lines, delimiter="\t")}


R = r_reference()
WEIGHTS = {"kappa": None, "weighted_linear": "linear", "weighted_quadratic": "quadratic"}


@pytest.mark.parametrize("key", sorted(R))
def test_kappa_matches_r_psych(key):
    name, statistic = key
    row = R[key]
    cats, table = TABLES[name]
    result = cohen_kappa(*reads(cats, table), categories=cats, weights=WEIGHTS[statistic], n_boot=0)
    assert result.statistic == pytest.approx(float(row["estimate"]), abs=1e-9)
    # The Fleiss-Cohen-Everitt variance, written out independently in R (psych's own weighted variance is not it).
    assert result.se ** 2 == pytest.approx(float(row["fce_variance"]), rel=1e-9)
    if statistic == "kappa":  # psych's unweighted variance and normal-theory limits are the same formula
        assert result.ci == pytest.approx((float(row["lower"]), float(row["upper"])), abs=1e-9)


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
@pytest.mark.parametrize("name", sorted(TABLES))
def test_kappa_variance_matches_statsmodels(name, weights):
    cats, table = TABLES[name]
    ours = cohen_kappa(*reads(cats, table), categories=cats, weights=weights, n_boot=0)
    theirs = sm_kappa(np.array(table, dtype=float), wt=weights)
    assert ours.statistic == pytest.approx(theirs.kappa, abs=1e-12)
    assert ours.se == pytest.approx(theirs.std_kappa, rel=1e-9)


def test_a_variance_that_is_exactly_zero_is_zero_whichever_reader_comes_first():
    """Three cases on a four-point scale (none, single, few, multiple), quadratic weights: reader 1 reads
    none, few, none and reader 2 single, none, single.  In exact rational arithmetic (w_ij = 1 - (i - j)^2 / 9):
    p_o = (8/9 + 5/9 + 8/9) / 3 = 7/9; the marginals are (2/3, 0, 1/3, 0) and (1/3, 2/3, 0, 0), so
    p_e = 2/3 (1/3 + 8/9 * 2/3) + 1/3 (5/9 * 1/3 + 8/9 * 2/3) = 50/81 + 21/81 = 71/81 and
    kappa = (63/81 - 71/81) / (10/81) = -4/5.  The Fleiss-Cohen-Everitt sum
    sum p_ij (w_ij - (wbar_i. + wbar_.j)(1 - kappa))^2 is 11449/2025, and so is
    (kappa - p_e (1 - kappa))^2 = (-4/5 - 71/81 * 9/5)^2 = (-107/45)^2: the variance is exactly 0.
    In floating point the two terms differ by rounding, in one reader order by enough to give an SE of
    1.4e-7; both orders must report 0."""
    scale = ("none", "single", "few", "multiple")
    a, b = ["none", "few", "none"], ["single", "none", "single"]
    for r1, r2 in ((a, b), (b, a)):
        result = cohen_kappa(r1, r2, categories=scale, weights="quadratic", n_boot=0)
        assert result.statistic == pytest.approx(-0.8, abs=1e-12)
        assert result.se == 0.0


def test_irrcac_vignette_abstractors():
    """Published values of irrCAC's vignette for cont3x3abstractors."""
    r1, r2 = reads(ABSTRACTORS, ABSTRACTORS_TABLE)
    kappa = cohen_kappa(r1, r2, categories=ABSTRACTORS)
    assert kappa.statistic == pytest.approx(0.7964094, abs=5e-8)
    assert kappa.se == pytest.approx(0.05891072, abs=5e-9)
    ac1 = gwet_ac1(r1, r2, categories=ABSTRACTORS)
    assert ac1.statistic == pytest.approx(0.8493305, abs=5e-8)
    # irrCAC's table version uses 1/n, the case-level (raw-data) version 1/(n - 1): SE_raw = SE_table * sqrt(n/(n-1)).
    assert ac1.se == pytest.approx(0.04321747 * math.sqrt(100 / 99), abs=5e-8)
    alpha = krippendorff_alpha([r1, r2], level="nominal", categories=ABSTRACTORS)
    assert alpha.statistic == pytest.approx(0.7972585, abs=5e-8)
    assert scott_pi(r1, r2, categories=ABSTRACTORS).statistic == pytest.approx(0.7962397, abs=5e-8)
    assert kappa.percent_agreement == 0.89
    assert kappa.table == ((13, 0, 0), (0, 20, 7), (0, 4, 56))
    # PABAK generalised to q categories: (3 * 0.89 - 1) / 2
    assert kappa.pabak == pytest.approx(0.835)


def test_hand_calculation_2x2():
    """Balanced 2x2 [[40, 9], [6, 45]] worked by hand.

    po = 85/100; margins reader 1: yes 49, no 51; reader 2: yes 46, no 54;
    pe = .49*.46 + .51*.54 = .2254 + .2754 = .5008; kappa = (.85 - .5008)/(1 - .5008) = .3492/.4992 = 0.699519...
    pooled pi_yes = (.49 + .46)/2 = .475; AC1 pe = (T_w / (q (q - 1))) * sum_k pi_k (1 - pi_k)
    = (2 / 2) * (.475 * .525 + .525 * .475) = .49875; AC1 = (.85 - .49875)/(1 - .49875) = .35125/.50125 = 0.70075...
    prevalence index |40 - 45|/100 = .05, bias index |9 - 6|/100 = .03, PABAK 2*.85 - 1 = .70.
    """
    r1, r2 = reads(("yes", "no"), [[40, 9], [6, 45]])
    k = cohen_kappa(r1, r2, categories=("yes", "no"), n_boot=0)
    assert k.statistic == pytest.approx(0.3492 / 0.4992)
    assert (k.prevalence_index, k.bias_index, k.pabak) == pytest.approx((0.05, 0.03, 0.70))
    assert gwet_ac1(r1, r2, categories=("yes", "no"), n_boot=0).statistic == pytest.approx(0.35125 / 0.50125)


def test_kappa_paradox_rare_finding():
    """95% agreement on a rare finding: kappa is low (0.26) while AC1 and PABAK stay high, and we say why."""
    r1, r2 = reads(("yes", "no"), [[1, 3], [2, 94]])
    k = cohen_kappa(r1, r2, categories=("yes", "no"))
    ac1 = gwet_ac1(r1, r2, categories=("yes", "no"))
    assert k.statistic == pytest.approx(0.2603550296, abs=1e-9)  # R psych, table rare_finding_2x2
    # AC1 by hand: pi_yes = (.04 + .03)/2 = .035, pe = .035 * .965 + .965 * .035 = .06755, AC1 = (.95-.06755)/.93245
    assert ac1.statistic == pytest.approx((0.95 - 0.06755) / (1 - 0.06755))
    assert ac1.statistic > 0.94 and k.statistic < 0.3
    assert k.pabak == pytest.approx(0.90) and k.prevalence_index == pytest.approx(0.93)
    assert any("kappa paradox" in w for w in k.warnings)
    assert not any("kappa paradox" in w for w in ac1.warnings)


def test_krippendorff_worked_example_with_missing_reads():
    """Krippendorff (2011), 4 observers x 12 units with missing reads: nominal alpha = 0.743 (irrCAC 0.74342)."""
    nan = None
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
            [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    nominal = krippendorff_alpha(data, level="nominal")
    assert nominal.statistic == pytest.approx(0.74342, abs=5e-6)
    assert nominal.n == 11  # unit 12 has a single read and is not pairable
    assert any("fewer than two reads" in w for w in nominal.warnings)
    as_float = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    for level in ("nominal", "ordinal", "interval"):
        ours = krippendorff_alpha(data, level=level, categories=[1, 2, 3, 4, 5], n_boot=0)
        assert ours.statistic == pytest.approx(krippendorff.alpha(as_float, level_of_measurement=level), abs=1e-12)
    low, high = nominal.ci
    assert low < nominal.statistic < high <= 1


def test_ordinal_alpha_uses_the_given_order():
    r1 = ["none", "single", "few", "multiple", "few", "none", "single", "multiple"]
    r2 = ["none", "few", "few", "multiple", "multiple", "single", "single", "few"]
    ordered = krippendorff_alpha([r1, r2], level="ordinal", categories=LESION_NUMBER, n_boot=0)
    codes = {c: i for i, c in enumerate(LESION_NUMBER)}
    expected = krippendorff.alpha(np.array([[codes[v] for v in r1], [codes[v] for v in r2]], dtype=float),
                                  level_of_measurement="ordinal")
    assert ordered.statistic == pytest.approx(expected, abs=1e-12)


def test_bootstrap_is_seeded_and_covers_the_estimate():
    r1, r2 = reads(ABSTRACTORS, ABSTRACTORS_TABLE)
    a = cohen_kappa(r1, r2, categories=ABSTRACTORS, seed=7)
    b = cohen_kappa(r1, r2, categories=ABSTRACTORS, seed=7)
    c = cohen_kappa(r1, r2, categories=ABSTRACTORS, seed=8)
    assert a.bootstrap_ci == b.bootstrap_ci != c.bootstrap_ci
    low, high = a.bootstrap_ci
    assert low < a.statistic < high
    # the bootstrap and asymptotic intervals have similar widths at n = 100 (SE 0.059 -> width about 0.23)
    assert 0.15 < high - low < 0.32


def test_missing_pairs_are_left_out_and_said():
    k = cohen_kappa(["yes", None, "no", "no"], ["yes", "no", float("nan"), "no"], n_boot=0)
    assert k.n == 2 and any("2 case(s) with a missing read" in w for w in k.warnings)


def test_unused_category_and_single_category():
    k = cohen_kappa(["no", "no", "yes"], ["no", "no", "yes"], categories=("yes", "no", "unknown"), n_boot=0)
    assert any("never used" in w and "unknown" in w for w in k.warnings)
    flat = cohen_kappa(["no"] * 5, ["no"] * 5, n_boot=0)
    assert math.isnan(flat.statistic) and any("undefined" in w for w in flat.warnings)


def test_bad_input_is_named():
    with pytest.raises(InputError, match="outside the categories"):
        cohen_kappa(["a", "b"], ["a", "c"], categories=("a", "b"))
    with pytest.raises(InputError, match="order of the categories"):
        cohen_kappa(["few", "none"], ["few", "few"], weights="linear")
    with pytest.raises(InputError, match="different numbers"):
        gwet_ac1(["a"], ["a", "b"])
    with pytest.raises(InputError, match="weights"):
        cohen_kappa(["a"], ["a"], weights="cubic")
    with pytest.raises(InputError, match="level"):
        krippendorff_alpha([["a"], ["a"]], level="ratio")


def test_result_is_frozen_and_serialisable():
    import json
    r = cohen_kappa(["yes", "no", "no"], ["yes", "no", "yes"], n_boot=50)
    with pytest.raises(AttributeError):
        r.statistic = 1.0  # type: ignore[misc]
    d = json.loads(json.dumps(r.to_dict()))
    assert d["n"] == 3 and d["method"] == "Cohen's kappa" and len(d["ci"]) == 2


def test_asymptotic_interval_uses_the_normal_quantile_of_each_level():
    """Hand check: 2x2 [[40, 9], [6, 45]], kappa = 0.3492/0.4992; the interval is kappa +- z * se with
    z = 1.959964 (95 %) and 2.575829 (99 %), the two-sided normal quantiles; asking 95 % again after 99 % gives the
    95 % interval again, and a confidence outside (0, 1) is refused each time it is asked."""
    r1, r2 = reads(("yes", "no"), [[40, 9], [6, 45]])
    for level, z in ((0.95, 1.959964), (0.99, 2.575829), (0.95, 1.959964)):
        k = cohen_kappa(r1, r2, categories=("yes", "no"), n_boot=0, confidence=level)
        assert k.ci == pytest.approx((k.statistic - z * k.se, k.statistic + z * k.se), abs=1e-6)
    for _ in range(2):
        with pytest.raises(InputError, match="confidence"):
            cohen_kappa(r1, r2, confidence=1.5)
