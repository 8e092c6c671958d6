"""Tests for continuous outcomes: Mann-Whitney, t, Kruskal-Wallis, one-way ANOVA, Shapiro-Wilk.

Each wraps ``scipy.stats`` and adds effect sizes and the provenance fields of
:class:`~neurohlh.stats.TestResult`.  Defaults follow R; SPSS's behaviour is one argument away
(``mann_whitney(..., method="asymptotic", correction=False)``).
"""
from __future__ import annotations

import math
import warnings as _warnings
from typing import Literal

import numpy as np
from scipy import stats

from neurohlh.errors import InputError, StatisticalWarning
from neurohlh.stats import _effects
from neurohlh.stats._results import EffectSize, TestResult
from neurohlh.stats._validation import _iv_choice, _iv_sample, _iv_samples

__all__ = ["anova", "kruskal", "mann_whitney", "shapiro", "t_test"]

#: R wilcox.test computes an exact p-value when both samples have fewer than this many values.
EXACT_LIMIT = 50


def _has_ties(*samples: np.ndarray) -> bool:
    pooled = np.concatenate(samples)
    return len(np.unique(pooled)) < len(pooled)


def _mwu_method(x, y, method: str) -> tuple[str, str, tuple[str, ...]]:
    """Resolve ``method`` to "exact" or "asymptotic", with the reason and any warning."""
    ties = _has_ties(x, y)
    small = len(x) < EXACT_LIMIT and len(y) < EXACT_LIMIT
    if method == "asymptotic":
        return "asymptotic", "normal approximation requested", ()
    if method == "exact" and ties:
        note = "ties present: the exact null distribution assumes no ties, so the tie-corrected normal approximation was used"
        return "asymptotic", note, (note,)
    if method == "exact" or (small and not ties):
        return "exact", f"no ties and both n < {EXACT_LIMIT}, so exact null distribution (R rule)", ()
    why = "ties present" if ties else f"a sample has n >= {EXACT_LIMIT}"
    return "asymptotic", f"{why}, so tie-corrected normal approximation (R rule)", ()


def mann_whitney(
    x: object,
    y: object,
    *,
    method: Literal["auto", "exact", "asymptotic"] = "auto",
    correction: bool = True,
    reason: str | None = None,
) -> TestResult:
    """Two-sided Mann-Whitney U (Wilcoxon rank-sum) test.

    ``method="auto"`` follows R ``wilcox.test``: exact when there are no ties and both samples
    have fewer than 50 values, else the tie-corrected normal approximation with continuity
    correction (``correction=False`` gives SPSS's "Asymp. Sig.").  ``statistic`` is U for ``x``
    (R's W).  Effect sizes: Hodges-Lehmann shift ``x - y`` with R's CI, rank-biserial r.

    Examples
    --------
    >>> r = mann_whitney([1.1, 2.2, 3.3, 4.4], [5.5, 6.6, 7.7])
    >>> r.statistic, round(r.pvalue, 4)
    (0.0, 0.0571)
    """
    x, y = _iv_sample(x, "x"), _iv_sample(y, "y")
    _iv_choice(method, "method", ("auto", "exact", "asymptotic"))
    resolved, why, notes = _mwu_method(x, y, method)
    if resolved == "asymptotic" and np.ptp(np.concatenate([x, y])) == 0:
        raise InputError("all values in `x` and `y` are identical; the rank test is undefined.")
    res = stats.mannwhitneyu(x, y, alternative="two-sided", method=resolved, use_continuity=correction)
    if resolved == "asymptotic":
        why += ", with continuity correction" if correction else ", without continuity correction"
    effects = (
        _effects.hodges_lehmann(x, y, exact=resolved == "exact", correct=correction),
        _effects.rank_biserial(float(res.statistic), len(x), len(y)),
    )
    hl = effects[0]
    if hl.ci is not None and hl.ci.level != 0.95:
        notes = notes + ((f"the 95% confidence level is not achievable for the Hodges-Lehmann interval "
                          f"with n = {len(x)} and {len(y)}; the interval shown is the {hl.ci.level:.0%} one"),)
    return TestResult(
        test="Mann-Whitney U", statistic=float(res.statistic), pvalue=float(res.pvalue), df=None,
        n=len(x) + len(y), reason=reason or why, method=resolved, warnings=notes,
        effect_sizes=effects, n_per_group=(len(x), len(y)),
    )


def _run_scipy(test, *args, **kwargs):
    """Run a SciPy test; its RuntimeWarnings (e.g. precision loss on nearly identical data) become result
    warnings instead of escaping to the console."""
    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always", RuntimeWarning)
        res = test(*args, **kwargs)
    notes = tuple(dict.fromkeys(f"SciPy: {w.message}" for w in caught if issubclass(w.category, RuntimeWarning)))
    return res, notes


def _power_of_two_scale(*samples: np.ndarray) -> float:
    """A power of two near the largest absolute value (1.0 for all-zero data)."""
    top = max(float(np.max(np.abs(s))) for s in samples)
    return math.ldexp(1.0, math.frexp(top)[1] - 1) if top > 0 else 1.0


def t_test(x: object, y: object, *, equal_var: bool = True, reason: str | None = None) -> TestResult:
    """Two-sided two-sample t test: Student (``equal_var=True``, SPSS's first row) or Welch.

    Effect sizes: mean difference ``x - y`` with its t-based CI, and Cohen's d (pooled SD).
    """
    x, y = _iv_sample(x, "x", 2), _iv_sample(y, "y", 2)
    # t, df and P do not depend on the unit: work in units of a power of two near the largest
    # |value| (exact rescaling), so values near +-1e308 or 1e-308 neither overflow nor underflow
    scale = _power_of_two_scale(x, y)
    xs, ys = x / scale, y / scale
    if np.var(xs, ddof=1) == 0 and np.var(ys, ddof=1) == 0:
        raise InputError("`x` and `y` both have zero variance; the t statistic is undefined.")
    res, notes = _run_scipy(stats.ttest_ind, xs, ys, equal_var=equal_var)
    name = "Student t" if equal_var else "Welch t"
    pooled = np.sqrt(((len(x) - 1) * np.var(xs, ddof=1) + (len(y) - 1) * np.var(ys, ddof=1)) / (len(x) + len(y) - 2))
    difference = _effects.mean_difference(xs, ys, res, scale=scale)
    ci = difference.ci
    if ci is not None and not (np.isfinite(difference.estimate) and np.isfinite(ci.low) and np.isfinite(ci.high)):
        notes = notes + (("the mean difference or its confidence bounds exceed the largest representable "
                          "number and are shown as infinite; t and P are unaffected"),)
    effects = (
        difference,
        EffectSize("Cohen's d", float((np.mean(xs) - np.mean(ys)) / pooled), None, "pooled SD"),
    )
    return TestResult(
        test=name, statistic=float(res.statistic), pvalue=float(res.pvalue), df=float(res.df),
        n=len(x) + len(y), reason=reason or f"{name} test requested", method="exact",
        effect_sizes=effects, n_per_group=(len(x), len(y)), warnings=notes,
    )


def kruskal(*samples: object, reason: str | None = None) -> TestResult:
    """Kruskal-Wallis H test (tie-corrected, chi-square with k - 1 df, as R, SciPy and SPSS).

    Effect size: epsilon-squared H / (n - 1) (Tomczak & Tomczak 2014), no CI.
    """
    groups = _iv_samples(samples, 2)
    if np.ptp(np.concatenate(groups)) == 0:
        raise InputError("all values are identical; the Kruskal-Wallis test is undefined.")
    res = stats.kruskal(*groups)
    n = sum(len(g) for g in groups)
    return TestResult(
        test="Kruskal-Wallis", statistic=float(res.statistic), pvalue=float(res.pvalue),
        df=float(len(groups) - 1), n=n, reason=reason or "Kruskal-Wallis test requested",
        effect_sizes=(EffectSize("epsilon-squared", float(res.statistic) / (n - 1), None, "H/(n-1)"),),
        n_per_group=tuple(len(g) for g in groups),
    )


def anova(*samples: object, reason: str | None = None) -> TestResult:
    """One-way ANOVA F test (equal variances, as R ``oneway.test(var.equal=TRUE)``/``aov``).

    Effect size: eta-squared (between / total sum of squares), no CI.
    """
    groups = _iv_samples(samples, 2, 1)
    pooled = np.concatenate(groups)
    if sum(len(g) for g in groups) <= len(groups):
        raise InputError("ANOVA needs more values than groups (no residual degrees of freedom).")
    within = sum(float(np.sum((g - g.mean()) ** 2)) for g in groups)
    if within == 0:
        raise InputError("every group has zero variance; the F statistic is undefined.")
    res, notes = _run_scipy(stats.f_oneway, *groups)
    total = float(np.sum((pooled - pooled.mean()) ** 2))
    return TestResult(
        test="one-way ANOVA", statistic=float(res.statistic), pvalue=float(res.pvalue),
        df=float(len(groups) - 1), n=len(pooled), reason=reason or "one-way ANOVA requested",
        method="exact", warnings=notes,
        effect_sizes=(EffectSize("eta-squared", (total - within) / total, None, "SS_between/SS_total"),),
        n_per_group=tuple(len(g) for g in groups),
        details=(("df_residual", float(len(pooled) - len(groups))),),
    )


def shapiro(x: object, *, reason: str | None = None) -> TestResult:
    """Shapiro-Wilk normality test (Royston's AS R94, as R ``shapiro.test``); needs 3 <= n.

    n > 5000 runs with a warning (the p-value approximation is not validated there).
    """
    x = _iv_sample(x, "x")
    if len(x) < 3:
        raise InputError(f"`x` needs at least 3 values for Shapiro-Wilk; got {len(x)}.")
    if np.ptp(x) == 0:
        raise InputError("all values in `x` are identical; Shapiro-Wilk is undefined.")
    notes: tuple[str, ...] = ()
    if len(x) > 5000:
        notes = ("n > 5000: the Shapiro-Wilk p-value approximation is not validated",)
        _warnings.warn(notes[0], StatisticalWarning, stacklevel=2)
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", UserWarning)
        res = stats.shapiro(x)
    return TestResult(
        test="Shapiro-Wilk", statistic=float(res.statistic), pvalue=float(res.pvalue), df=None,
        n=len(x), reason=reason or "normality test requested", warnings=notes,
    )
